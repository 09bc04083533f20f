//! atlas (in progress).
