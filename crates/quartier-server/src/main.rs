//! The `quartier` command (in progress).
fn main() {}
