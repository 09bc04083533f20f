//! join (in progress).
