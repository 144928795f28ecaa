//! Placeholder, replaced by the benchmark work.
fn main() {}
