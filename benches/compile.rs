//! Benchmarks: compile time of the largest corpus files and of generated projects.
fn main() {}
