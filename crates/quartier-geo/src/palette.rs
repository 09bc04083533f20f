//! palette (in progress).
