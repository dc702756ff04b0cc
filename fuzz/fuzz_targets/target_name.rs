//! Fuzz target: A target name resolved as `hats env NAME` resolves it (exact match, broken entry or "did you mean").
//! The body, with its assertions, is `hats::fuzzing::target_name`, which tests/fuzz replays on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Err is a refused input with its message: fine. Only a panic or a hang is a finding.
    let _ = hats::fuzzing::target_name(data);
});
