//! libFuzzer's entry: [`pipeline::exercise`] on every input. Any panic, overflow or
//! timeout is a finding (`scripts/fuzz.sh`).

#![no_main]

#[path = "pipeline.rs"]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline::exercise(data));
