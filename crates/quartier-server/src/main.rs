//! The `quartier` command.
fn main() {}
