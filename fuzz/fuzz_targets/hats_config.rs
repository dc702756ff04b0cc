//! Fuzz target: hats' config.toml: parsed, defaults resolved, targets, organization rules and inline presets built.
//! The body, with its assertions, is `hats::fuzzing::hats_config`, which tests/fuzz replays on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Err is a refused input with its message: fine. Only a panic or a hang is a finding.
    let _ = hats::fuzzing::hats_config(data);
});
