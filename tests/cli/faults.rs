//! Faults from outside hats, each against the real binary: STS and Organizations
//! answering 500s, garbage, cut-off bodies or nothing at all (a faulty endpoint
//! on a real socket in front of moto). Faults in hats' own state are in
//! `local_faults.rs`, those around the switcher in `switcher_faults.rs`.
//!
//! Time is asserted against what hats promises: a silent endpoint is given up
//! on within 15 s, retries included. Tests that wait for a silent endpoint run
//! hats with its AWS timeouts divided by [`DIVISOR`] (a debug-build hook,
//! `HATS_TEST_TIMEOUT_DIVISOR`) and assert the bound divided the same way; one
//! test measures the real 15 s.

use crate::harness::{Fault, FaultyEndpoint, Intercepted, LEAKED_SECRET, Run, Sandbox, parse_exports};
use std::time::{Duration, Instant};

/// hats' promise: a call to AWS fails within 15 s whatever the endpoint does.
pub(crate) const PROMISED: Duration = Duration::from_secs(15);
/// Added to every bound: starting a debug binary (and the calls before the
/// faulty one) on a busy 2-core machine.
pub(crate) const MARGIN: Duration = Duration::from_secs(2);
/// Any failure is reported within the promise.
pub(crate) const BOUNDED: Duration = PROMISED.saturating_add(MARGIN);
/// How much [`behind_silence`] shortens hats' AWS timeouts.
pub(crate) const DIVISOR: u32 = 4;

/// The promise with hats' timeouts divided by [`DIVISOR`].
pub(crate) fn scaled_bound() -> Duration {
    PROMISED / DIVISOR + MARGIN
}

pub(crate) fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    lines[0]
}

/// `hats ARGS` timed.
pub(crate) fn timed(sb: &Sandbox, args: &[&str]) -> (Run, Duration) {
    let started = Instant::now();
    let run = sb.hats(args);
    (run, started.elapsed())
}

pub(crate) fn actions(seen: &[Intercepted]) -> Vec<&str> {
    seen.iter().map(Intercepted::action).collect()
}

pub(crate) fn key_of(sb: &Sandbox, args: &[&str]) -> String {
    parse_exports(&sb.hats(args).ok())["AWS_ACCESS_KEY_ID"].clone()
}

/// A sandbox whose AWS endpoint is a faulty one in front of its moto.
pub(crate) fn behind_faults(matching: &'static str, fault: Fault) -> (Sandbox, FaultyEndpoint) {
    let mut sb = Sandbox::standard(true);
    let endpoint = FaultyEndpoint::start(sb.moto.port, matching, fault);
    sb.set_env("AWS_ENDPOINT_URL", &endpoint.endpoint());
    (sb, endpoint)
}

/// [`behind_faults`] with requests matching `matching` never answered, and
/// hats' AWS timeouts divided by [`DIVISOR`]: give-ups come in [`scaled_bound`].
fn behind_silence(matching: &'static str) -> (Sandbox, FaultyEndpoint) {
    let (mut sb, endpoint) = behind_faults(matching, Fault::Hang);
    sb.set_env("HATS_TEST_TIMEOUT_DIVISOR", &DIVISOR.to_string());
    (sb, endpoint)
}

#[test]
fn sts_server_errors_are_retried_only_without_a_one_time_code() {
    let (sb, endpoint) = behind_faults("Action=", Fault::ServerError);
    let (run, took) = timed(&sb, &["env", "plain-role"]);
    let err = run.fails();
    assert!(
        one_line(&err).contains("failed AssumeRole with HTTP 500 (InternalFailure: We encountered"),
        "{err}"
    );
    assert!(
        err.contains("try again in a minute") && took < BOUNDED,
        "{err} {took:?}"
    );
    let seen = endpoint.take();
    assert_eq!(
        actions(&seen),
        ["AssumeRole"; 3],
        "a request without a code is retried"
    );

    // GetSessionToken carries the code: sent once, and the message says the code is spent.
    let err = sb.hats(&["env", "prod", "--mfa-code", "123456"]).fails();
    assert!(
        one_line(&err).contains("failed GetSessionToken with HTTP 500")
            && err.contains("the MFA code was not sent again (AWS accepts each code only once)"),
        "{err}"
    );
    let seen = endpoint.take();
    assert_eq!(actions(&seen), ["GetSessionToken"]);
    assert_eq!(
        seen[0].params.get("TokenCode").map(String::as_str),
        Some("123456")
    );

    // A long session sends the code to AssumeRole itself: once, through a proxy's 502 page too.
    endpoint.set(Fault::HtmlErrorPage);
    let err = sb
        .hats(&["env", "prod", "--duration", "2h", "--mfa-code", "654321"])
        .fails();
    assert!(
        one_line(&err).contains("failed AssumeRole with HTTP 502, an HTML page as proxies send"),
        "{err}"
    );
    let seen = endpoint.take();
    assert_eq!(actions(&seen), ["AssumeRole"]);
    assert_eq!(
        seen[0].params.get("TokenCode").map(String::as_str),
        Some("654321")
    );
    sb.assert_nothing_cached();
}

#[test]
fn malformed_sts_answers_never_become_credentials_or_output() {
    let (sb, endpoint) = behind_faults("Action=AssumeRole", Fault::Pass);
    // A body that cannot be read to its end is retried as a network fault; an
    // answer that arrived whole but is not a response is not.
    for (fault, attempts) in [
        (Fault::GarbageXml, 1),
        (Fault::Truncated, 3),
        (Fault::CutXml, 1),
        (Fault::EmptyOk, 1),
    ] {
        endpoint.set(fault);
        let (run, took) = timed(&sb, &["env", "plain-role"]);
        let err = run.fails();
        assert!(
            one_line(&err).contains("sent an answer to AssumeRole that is not a valid STS response"),
            "{fault:?}: {err}"
        );
        assert!(
            !err.contains(LEAKED_SECRET) && run.stdout().is_empty(),
            "{fault:?}: {err}"
        );
        assert!(took < BOUNDED, "{fault:?}: {took:?}");
        let seen = endpoint.take();
        assert_eq!(seen.len(), attempts, "{fault:?}: {seen:?}");
        assert!(seen.iter().all(|r| r.faulted), "each was answered by the fault");
    }
    let err = sb.hats(&["env", "prod", "--duration", "2h", "--mfa-code", "123456"]);
    let err = err.fails();
    assert!(err.contains("try again with the next code"), "{err}");
    assert_eq!(
        endpoint.take().len(),
        1,
        "a code is never re-sent, whatever came back"
    );
    sb.assert_nothing_cached();
}

#[test]
fn a_hung_endpoint_fails_in_bounded_time() {
    let (sb, endpoint) = behind_silence("Action=");
    // Both at once: the waits overlap.
    let (with_code, without) = std::thread::scope(|s| {
        let with_code = s.spawn(|| timed(&sb, &["env", "base", "--mfa-code", "123456"]));
        let without = s.spawn(|| timed(&sb, &["env", "plain-role"]));
        (with_code.join().unwrap(), without.join().unwrap())
    });
    for ((run, took), action) in [(with_code, "GetSessionToken"), (without, "AssumeRole")] {
        let err = run.fails();
        assert!(
            one_line(&err).contains(&format!("did not answer {action} within")),
            "{err}"
        );
        assert!(took < scaled_bound(), "{action}: {took:?}");
    }
    let seen = endpoint.take();
    let sent = |action| seen.iter().filter(|r| r.action() == action).count();
    assert_eq!(sent("GetSessionToken"), 1, "the code is sent once");
    // One attempt times out (the read timeout), one retry is cut off by the
    // whole call's: a third would not fit.
    assert_eq!(sent("AssumeRole"), 2, "{seen:?}");
}

/// The seconds in "did not answer ACTION within Ns", the wait hats reports.
fn reported_wait(err: &str, action: &str) -> u64 {
    let marker = format!("did not answer {action} within ");
    let rest = &err[err
        .find(&marker)
        .unwrap_or_else(|| panic!("no timeout reported: {err}"))
        + marker.len()..];
    rest.split('s')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{err}"))
}

#[test]
fn a_silent_sts_or_organizations_endpoint_fails_within_fifteen_seconds() {
    let (sts, _sts_endpoint) = behind_faults("Action=AssumeRole", Fault::Hang);
    let (org, _org_endpoint) = behind_faults("AWSOrganizationsV20161128", Fault::Hang);
    seed_organization(&org);
    // Both at once: the waits overlap. AssumeRole without a code is the call that is retried.
    let (role, sync) = std::thread::scope(|s| {
        let role = s.spawn(|| timed(&sts, &["env", "plain-role"]));
        let sync = s.spawn(|| timed(&org, &["org", "sync", "--mfa-code", "123456"]));
        (role.join().unwrap(), sync.join().unwrap())
    });
    for ((run, took), action) in [(role, "AssumeRole"), (sync, "ListRoots")] {
        let err = run.fails();
        let err = one_line(&err);
        assert!(
            err.contains("check the network, a proxy or AWS_ENDPOINT_URL"),
            "{err}"
        );
        assert!(reported_wait(err, action) <= PROMISED.as_secs(), "{err}");
        // The whole run, measured here: start-up and the calls before the silent one included.
        assert!(took < BOUNDED, "{action}: the test waited {took:?}");
    }
}

#[test]
fn a_cached_session_is_used_while_the_endpoint_is_broken() {
    let (sb, endpoint) = behind_faults("Action=", Fault::Pass);
    let before = key_of(&sb, &["env", "prod", "--mfa-code", "123456"]);
    assert_eq!(actions(&endpoint.take()), ["GetSessionToken", "AssumeRole"]);
    for fault in [Fault::ServerError, Fault::GarbageXml, Fault::Hang] {
        endpoint.set(fault);
        assert_eq!(key_of(&sb, &["env", "prod"]), before, "{fault:?}");
        assert!(endpoint.take().is_empty(), "a cached session needs no request");
    }
}

#[test]
fn a_failed_renewal_keeps_the_session_that_still_works() {
    let (sb, endpoint) = behind_faults("Action=", Fault::Pass);
    // Every session is due for renewal: 15 minutes long, renewed with 20 left.
    sb.hats_config("[defaults]\nrefresh_window = \"20m\"\n");
    let first = key_of(&sb, &["env", "plain-role", "--duration", "15m"]);
    endpoint.take();
    endpoint.set(Fault::ServerError);
    let run = sb.hats(&["env", "plain-role", "--duration", "15m"]);
    assert_eq!(parse_exports(&run.ok())["AWS_ACCESS_KEY_ID"], first);
    let said = run.stderr();
    assert!(
        one_line(&said).starts_with("hats: could not renew the session for plain-role (STS at")
            && said.contains("HTTP 500")
            && said.contains("using the cached one, which expires in 1"),
        "{said}"
    );
    assert_eq!(actions(&endpoint.take()), ["AssumeRole"; 3]);
    // The entry is still there, and renewed once the endpoint is back.
    endpoint.set(Fault::Pass);
    let renewed = key_of(&sb, &["env", "plain-role", "--duration", "15m"]);
    assert_ne!(renewed, first);
    assert_eq!(actions(&endpoint.take()), ["AssumeRole"]);
}

/// Seeds an organization with two accounts.
fn seed_organization(sb: &Sandbox) {
    sb.moto.python(
        "import boto3,sys\n\
         o=boto3.client('organizations',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='x')\n\
         o.create_organization(FeatureSet='ALL')\n\
         [o.create_account(Email=f'a{i}@example.com',AccountName=f'team-{i}') for i in range(2)]",
    );
    sb.hats_config("[organization]\nsource = \"base\"\nroles = [\"ReadOnly\"]\n");
}

#[test]
fn organizations_faults_fail_the_sync_in_bounded_time_and_keep_the_inventory() {
    let (sb, endpoint) = behind_faults("AWSOrganizationsV20161128", Fault::Pass);
    seed_organization(&sb);
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    // The targets, without the MFA session's countdown.
    let targets = || -> Vec<String> {
        let listed = sb.hats(&["ls"]).ok();
        listed
            .lines()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .collect()
    };
    let listed = targets();
    assert!(
        listed.iter().any(|t| t.starts_with("team-1/ReadOnly")),
        "{listed:?}"
    );
    endpoint.take();
    for (fault, expected) in [
        (Fault::ServerError, "failed ListRoots with HTTP 500"),
        (
            Fault::GarbageXml,
            "sent an answer to ListRoots that is not a valid Organizations response",
        ),
        (Fault::EmptyOk, "not a valid Organizations response"),
    ] {
        endpoint.set(fault);
        let (run, took) = timed(&sb, &["org", "sync"]);
        let err = run.fails();
        assert!(
            err.contains(expected) && err.contains("the previous inventory is kept"),
            "{fault:?}: {err}"
        );
        assert!(
            !err.contains("ServiceError") && !err.contains("raw:"),
            "no SDK dump: {err}"
        );
        assert!(took < BOUNDED, "{fault:?}: {took:?}");
        let seen = endpoint.take();
        assert!(seen.iter().all(|r| r.action() == "ListRoots"), "{seen:?}");
        // A 500 is retried up to the client's 10 attempts; a malformed answer is not.
        let attempts = if fault == Fault::ServerError { 10 } else { 1 };
        assert_eq!(seen.len(), attempts, "{fault:?}");
        assert_eq!(targets(), listed, "the inventory is unchanged");
    }
}
