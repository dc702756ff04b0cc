//! Fuzz target: a SAML assertion as an assertion_process prints it (or its XML): roles read back, errors one line.
//! The body, with its assertions, is `hats::fuzzing::saml_assertion`, which tests/fuzz replays on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Err is a refused input with its message: fine. Only a panic or a hang is a finding.
    let _ = hats::fuzzing::saml_assertion(data);
});
