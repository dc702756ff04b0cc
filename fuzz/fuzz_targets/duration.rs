//! Fuzz target: A duration as given to --duration or in hats config: both paths must agree and read back.
//! The body, with its assertions, is `hats::fuzzing::duration`, which tests/fuzz replays on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Err is a refused input with its message: fine. Only a panic or a hang is a finding.
    let _ = hats::fuzzing::duration(data);
});
