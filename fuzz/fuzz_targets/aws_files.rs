//! Fuzz target: ~/.aws/config, then a NUL byte, then ~/.aws/credentials: parsed into targets as at start-up.
//! The body, with its assertions, is `hats::fuzzing::aws_files`, which tests/fuzz replays on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Err is a refused input with its message: fine. Only a panic or a hang is a finding.
    let _ = hats::fuzzing::aws_files(data);
});
