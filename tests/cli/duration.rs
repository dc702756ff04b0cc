//! An explicit `--duration` that a cached session cannot meet gets a new
//! session of that length; one it can meet (or no `--duration`) reuses it.

use crate::harness::{Sandbox, parse_exports};

/// Seconds from now until the `AWS_CREDENTIAL_EXPIRATION` of `hats env` output.
fn seconds_left(exports: &str) -> i64 {
    let expiry: jiff::Timestamp = parse_exports(exports)["AWS_CREDENTIAL_EXPIRATION"]
        .parse()
        .unwrap();
    expiry.as_second() - crate::harness::now().as_second()
}

#[test]
fn a_longer_duration_than_the_cached_role_session_gets_a_new_session_of_that_length() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "prod", "--duration", "2h", "--mfa-code", "123456"])
        .ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].param("DurationSeconds"), Some("7200"));

    let out = sb.hats(&["env", "prod", "--duration", "3h", "--mfa-code", "654321", "-v"]);
    let exports = out.ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "a new AssumeRole: {calls:?}");
    assert_eq!(calls[0].action(), "AssumeRole");
    assert_eq!(calls[0].param("DurationSeconds"), Some("10800"));
    assert_eq!(calls[0].param("TokenCode"), Some("654321"));
    let left = seconds_left(&exports);
    assert!(
        left > 2 * 3600 + 1800,
        "the 3h session was handed out ({left}s left)"
    );
    assert!(
        out.stderr().contains("less than the 3h asked for"),
        "-v says why: {}",
        out.stderr()
    );

    // The 3h session meets 3h asked again, and 2h (both long sessions; without
    // --duration, prod is assumed from the MFA session, a session of its own).
    for duration in ["3h", "2h"] {
        let run = sb.hats(&["env", "prod", "--duration", duration]);
        assert!(seconds_left(&run.ok()) > 2 * 3600 + 1800);
        assert!(sb.moto.take_actions().is_empty(), "reused for {duration}");
    }
}

#[test]
fn a_longer_duration_than_the_cached_mfa_session_gets_a_new_one() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "base", "--mfa-code", "123456"]).ok();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken"]);
    let exports = sb
        .hats(&["env", "base", "--duration", "36h", "--mfa-code", "654321"])
        .ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action(), "GetSessionToken");
    assert_eq!(calls[0].param("DurationSeconds"), Some("129600"));
    assert!(seconds_left(&exports) > 35 * 3600);
    // Now the 36h session serves the default request and a shorter explicit one.
    sb.hats(&["env", "base"]).ok();
    sb.hats(&["env", "base", "--duration", "12h"]).ok();
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_duration_the_cached_session_cannot_meet_never_falls_back_to_it() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "base", "--mfa-code", "123456"]).ok();
    sb.moto.take_actions();
    // No code and no terminal: the 12h session cannot be renewed to 36h.
    let err = sb.hats(&["env", "base", "--duration", "36h"]).fails();
    assert!(err.contains("no terminal to ask on"), "{err}");
    assert!(sb.moto.take_actions().is_empty());
}
