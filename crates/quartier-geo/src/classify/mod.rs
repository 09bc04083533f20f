//! classify (in progress).
