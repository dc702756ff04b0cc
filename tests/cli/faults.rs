//! Faults from outside hats, each against the real binary: STS and Organizations
//! answering 500s, garbage, cut-off bodies or nothing at all (a faulty endpoint
//! on a real socket in front of moto); a corrupt keyring entry or index file; a
//! hats killed mid-write; a wall clock that jumps (libfaketime); and a switcher
//! in a pseudo-terminal that is resized in a storm, loses its terminal, or has a
//! background task panic.
//!
//! Time is asserted only as generous upper bounds.

use crate::harness::{
    Fault, FaultyEndpoint, HATS, Intercepted, LEAKED_SECRET, Run, Sandbox, parse_exports, require,
};
use crate::pty::Terminal;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Upper bound for any failure to be reported: generous, not a measurement.
const BOUNDED: Duration = Duration::from_secs(90);

fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    lines[0]
}

/// `hats ARGS` timed.
fn timed(sb: &Sandbox, args: &[&str]) -> (Run, Duration) {
    let started = Instant::now();
    let run = sb.hats(args);
    (run, started.elapsed())
}

fn actions(seen: &[Intercepted]) -> Vec<&str> {
    seen.iter().map(Intercepted::action).collect()
}

fn key_of(sb: &Sandbox, args: &[&str]) -> String {
    parse_exports(&sb.hats(args).ok())["AWS_ACCESS_KEY_ID"].clone()
}

fn nothing_cached_for(sb: &Sandbox, label: &str) {
    let index = sb.index_entries().to_string();
    assert!(
        !index.contains(&format!("\"{label}\"")),
        "nothing may be cached: {index}"
    );
}

/// A sandbox whose AWS endpoint is a faulty one in front of its moto.
fn behind_faults(matching: &'static str, fault: Fault) -> (Sandbox, FaultyEndpoint) {
    let mut sb = Sandbox::standard(true);
    let endpoint = FaultyEndpoint::start(sb.moto.port, matching, fault);
    sb.set_env("AWS_ENDPOINT_URL", &endpoint.endpoint());
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
    nothing_cached_for(&sb, "plain-role");
    nothing_cached_for(&sb, "prod");
}

#[test]
fn malformed_sts_answers_never_become_credentials_or_output() {
    let (sb, endpoint) = behind_faults("Action=AssumeRole", Fault::Pass);
    for fault in [Fault::GarbageXml, Fault::Truncated, Fault::CutXml, Fault::EmptyOk] {
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
        assert!((1..=3).contains(&seen.len()), "{fault:?}: {seen:?}");
    }
    let err = sb.hats(&["env", "prod", "--duration", "2h", "--mfa-code", "123456"]);
    let err = err.fails();
    assert!(err.contains("try again with the next code"), "{err}");
    assert_eq!(
        endpoint.take().len(),
        1,
        "a code is never re-sent, whatever came back"
    );
    nothing_cached_for(&sb, "plain-role");
}

#[test]
fn a_hung_endpoint_fails_in_bounded_time() {
    let (sb, endpoint) = behind_faults("Action=", Fault::Hang);
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
        assert!(took < BOUNDED, "{action}: {took:?}");
    }
    let seen = endpoint.take();
    let sent = |action| seen.iter().filter(|r| r.action() == action).count();
    assert_eq!(sent("GetSessionToken"), 1, "the code is sent once");
    assert!((1..=3).contains(&sent("AssumeRole")), "{seen:?}");
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
        assert!(reported_wait(err, action) <= 15, "{err}");
        // Generous: today's bound was 30 s for STS and 45 s for Organizations.
        assert!(
            took < Duration::from_secs(28),
            "{action}: the test waited {took:?}"
        );
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
        let expected_attempts = if fault == Fault::ServerError {
            2..=10
        } else {
            1..=10
        };
        assert!(
            expected_attempts.contains(&seen.len()),
            "{fault:?}: {}",
            seen.len()
        );
        assert_eq!(targets(), listed, "the inventory is unchanged");
    }
}

/// The cache key hats stored a target's session under, from the index.
fn cached_key(sb: &Sandbox, label: &str) -> String {
    let index = sb.index_entries();
    index
        .as_object()
        .and_then(|entries| entries.iter().find(|(_, e)| e["label"] == label))
        .map(|(key, _)| key.clone())
        .unwrap_or_else(|| panic!("{label} is not in the index: {index}"))
}

#[test]
fn a_corrupt_keyring_entry_is_discarded_and_replaced() {
    let secret_tool = require("secret-tool", "libsecret-tools");
    let sb = Sandbox::standard(true);
    key_of(&sb, &["env", "plain-role"]);
    let key = cached_key(&sb, "plain-role");
    sb.moto.take_actions();
    let corrupt: [&[u8]; 5] = [
        b"\xff\xfe not text",
        b"{\"access_key_id\":\"ASIAX\",\"secret_access_key\":\"abc",
        b"[1, 2, 3]",
        b"{\"access_key_id\":\"\",\"secret_access_key\":\"\",\"session_token\":null,\"expiration\":\"2099-01-01T00:00:00Z\",\"assumed_arn\":null}",
        b"{\"access_key_id\":\"ASIAFOREVER\",\"secret_access_key\":\"s\",\"session_token\":\"t\",\"expiration\":\"2999-01-01T00:00:00Z\",\"assumed_arn\":null}",
    ];
    for bytes in corrupt {
        // Forgotten through hats first, so the planted entry is the only one.
        sb.hats(&["forget", "plain-role"]).ok();
        let mut store = sb
            .command(&secret_tool)
            .args(["store", "--label=corrupt", "service", "hats", "username", &key])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut store.stdin.take().unwrap(), bytes).unwrap();
        assert!(store.wait().unwrap().success());

        let run = sb.hats(&["env", "plain-role"]);
        let exports = parse_exports(&run.ok());
        assert!(
            exports["AWS_ACCESS_KEY_ID"].starts_with("ASIA") && exports["AWS_ACCESS_KEY_ID"] != "ASIAFOREVER"
        );
        let said = run.stderr();
        assert!(
            one_line(&said).contains(&format!(
                "discarded a corrupt cached session \"{key}\" from the secret-service keyring"
            )) && said.contains("getting a new one"),
            "{said}"
        );
        assert_eq!(
            sb.moto.take_actions(),
            ["AssumeRole"],
            "a new session replaces it"
        );
        // Replaced: the next run is a plain cache hit.
        let again = sb.hats(&["env", "plain-role"]);
        assert_eq!(parse_exports(&again.ok()), exports);
        assert!(again.stderr().is_empty(), "{}", again.stderr());
        assert!(sb.moto.take_actions().is_empty());
    }
}

#[test]
fn a_damaged_index_file_is_rebuilt_without_losing_readable_entries() {
    let sb = Sandbox::standard(true);
    key_of(&sb, &["env", "plain-role"]);
    let index_path = sb.home.join(".cache/hats/sessions.json");
    let good = std::fs::read_to_string(&index_path).unwrap();
    // One bad entry beside the good one: listing keeps the good one.
    let mut value: serde_json::Value = serde_json::from_str(&good).unwrap();
    value["sessions"]["role/bogus/role/0"] = serde_json::json!({"label": 7});
    std::fs::write(&index_path, value.to_string()).unwrap();
    let ls = sb.hats(&["ls"]).ok();
    let line = ls.lines().find(|l| l.starts_with("plain-role ")).unwrap();
    assert!(!line.ends_with(" -"), "the readable entry is still listed: {ls}");

    for garbage in [&b"\x00\x01garbage{{{"[..], b"{\"sessions\": [1,2", b""] {
        std::fs::write(&index_path, garbage).unwrap();
        sb.hats(&["ls"]).ok();
        let run = sb.hats(&["env", "staging", "--mfa-code", "123456"]);
        run.ok();
        if !garbage.is_empty() {
            assert!(
                run.stderr().contains("session index") && run.stderr().contains("was damaged"),
                "{}",
                run.stderr()
            );
        }
        sb.hats(&["forget", "staging"]).ok();
        let rebuilt = sb.index_entries();
        assert!(rebuilt.is_object(), "the index is valid JSON again: {rebuilt}");
    }
}

fn kill(pid: u32, signal: i32) {
    // SAFETY: plain syscall on a pid this test started.
    unsafe {
        libc::kill(pid as i32, signal);
    }
}

#[test]
fn a_hats_killed_at_any_moment_leaves_a_cache_the_next_run_can_use() {
    let sb = Sandbox::standard(true);
    // Kills spread over a whole run: while opening the keyring, calling STS,
    // writing the keyring entry and replacing the index.
    for delay_ms in (0..=600).step_by(30) {
        sb.hats(&["forget", "plain-role"]).ok();
        let mut child = sb
            .command(HATS)
            .args(["env", "plain-role"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
    }
    let (run, took) = timed(&sb, &["env", "plain-role"]);
    let key = parse_exports(&run.ok())["AWS_ACCESS_KEY_ID"].clone();
    assert!(took < BOUNDED, "no stale lock: {took:?}");
    sb.moto.take_actions();
    assert_eq!(key_of(&sb, &["env", "plain-role"]), key);
    assert!(sb.moto.take_actions().is_empty(), "the last session was cached");
    assert!(sb.index_entries().is_object());
    let strays: Vec<_> = std::fs::read_dir(sb.home.join(".cache/hats"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(strays.is_empty(), "half-written files are cleaned up: {strays:?}");
}

#[test]
fn a_hats_killed_while_holding_the_lock_does_not_block_the_next() {
    let (sb, endpoint) = behind_faults("Action=AssumeRole", Fault::Hang);
    // The first hats takes the session's lock and waits for STS, which never answers.
    let mut holder = sb
        .command(HATS)
        .args(["env", "plain-role"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    endpoint.wait_for_requests(1);
    // A second one, straight to moto, waits for that lock...
    let mut waiter = sb.command(HATS);
    waiter
        .args(["env", "plain-role"])
        .env("AWS_ENDPOINT_URL", sb.moto.endpoint())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let waiter = waiter.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        sb.moto.take_actions().is_empty(),
        "the second hats waits for the first"
    );
    // ...until the first is killed: the kernel drops its lock with it.
    let started = Instant::now();
    kill(holder.id(), libc::SIGKILL);
    holder.wait().unwrap();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(started.elapsed() < BOUNDED);
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

#[test]
fn a_wall_clock_jump_forward_renews_or_blames_the_clock() {
    let sb = Sandbox::standard(true);
    let first = key_of(&sb, &["env", "plain-role"]);
    sb.moto.take_actions();
    // 58 minutes later by the wall clock: within the refresh window of the 1-hour session.
    let run = sb.hats_at("+58m", &["env", "plain-role"]);
    assert_ne!(parse_exports(&run.ok())["AWS_ACCESS_KEY_ID"], first);
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    // Two hours ahead of AWS: every session STS gives has already expired by this clock.
    let err = sb.hats_at("+2h", &["env", "plain-role"]).fails();
    assert!(
        one_line(&err).contains("AWS returned a session that expired at")
            && err.contains("check the system clock"),
        "{err}"
    );
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

#[test]
fn a_wall_clock_set_back_never_revives_an_expired_session() {
    let sb = Sandbox::standard(true);
    sb.hats_config("[defaults]\nrefresh_window = \"0s\"\n");
    // Set back to before the session was stored: how far back is unknown, so it is not trusted.
    key_of(&sb, &["env", "staging", "--mfa-code", "123456"]);
    sb.moto.take_actions();
    let err = sb.hats_at("-10m", &["env", "staging"]).fails();
    assert!(
        err.contains("no terminal to ask on"),
        "the MFA session is not trusted either: {err}"
    );
    let run = sb.hats_at("-10m", &["env", "staging", "--mfa-code", "123456"]);
    run.ok();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);

    // A session with 30 s left when stored (the clock was 59m30s ahead of AWS)...
    sb.hats_at("+3570", &["env", "plain-role"]).ok();
    sb.moto.take_actions();
    cached_key(&sb, "plain-role");
    // ...then those 30 s pass for real (the boot clock), and the wall clock is set
    // back 40 s: by the wall clock alone some seconds would be left.
    std::thread::sleep(Duration::from_secs(31));
    sb.hats_at("+3560", &["env", "plain-role"]).ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the expired session was renewed, not reused"
    );
}

/// A sandbox for the switcher, with a known subshell prompt.
fn switcher_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

#[test]
fn the_switcher_survives_a_resize_storm() {
    let sb = switcher_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    let sizes = [(40, 10), (200, 60), (80, 24), (20, 5), (132, 43), (60, 15)];
    for i in 0..300 {
        let (cols, rows) = sizes[i % sizes.len()];
        term.resize(cols, rows);
    }
    term.resize(90, 25);
    // The screen is exactly what a switcher started at that size draws.
    let mut fresh = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 90, 25);
    fresh.wait_for("targets (7)");
    let started = Instant::now();
    while term.screen() != fresh.screen() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "after the storm:\n{}\nfresh:\n{}",
            term.screen(),
            fresh.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    fresh.keys("q");
    assert_eq!(fresh.wait_exit(), 0);
    // Keys still work.
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(term.modes(), (false, false), "the terminal is restored");
}

#[test]
fn the_switcher_reads_the_terminal_when_stdin_is_closed_or_empty() {
    let sb = switcher_sandbox();
    for redirect in ["<&-", "</dev/null"] {
        let script = format!(
            r#"before=$(stty -g); "$HATS" {redirect}; code=$?; [ "$before" = "$(stty -g)" ] && echo "restored, exit $code"; sleep 30"#
        );
        let mut term = Terminal::spawn_sized(&sb, &script, 100, 30);
        term.wait_for("targets (7)");
        term.keys("/stag");
        term.wait_for("/stag");
        term.keys("\x1b");
        term.wait_for("targets (7)");
        term.keys("q");
        term.wait_for("restored, exit 0");
        assert_eq!(term.modes(), (false, false), "{redirect}");
        kill(term.pid(), libc::SIGKILL);
    }
}

#[test]
fn a_closed_terminal_ends_the_switcher_with_a_message_instead_of_a_spin() {
    let sb = switcher_sandbox();
    // SIGHUP ignored, as under nohup: the switcher must notice the closed terminal itself.
    // The code is written whole (mv), so a half-written file is never read.
    let script = r#"trap '' HUP; "$HATS" 2>switcher.err; echo $? > code.part; mv code.part switcher.code"#;
    let mut term = Terminal::spawn_sized(&sb, script, 100, 30);
    term.wait_for("targets (7)");
    term.hang_up();
    // On failure, dropping `term` kills the switcher with its process group.
    let code_file = sb.home.join("switcher.code");
    let started = Instant::now();
    while !code_file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the switcher did not end after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = std::fs::read_to_string(&code_file).unwrap();
    assert_eq!(code.trim(), "1", "a closed terminal is an error exit");
    let err = std::fs::read_to_string(sb.home.join("switcher.err")).unwrap();
    assert!(err.contains("hats: the terminal closed"), "{err}");
    assert_eq!(err.lines().count(), 1, "one message: {err}");
    assert!(one_line(&err).contains("left the switcher"), "{err}");
}

#[test]
fn a_panic_in_a_background_task_is_shown_and_the_terminal_restored() {
    let mut sb = switcher_sandbox();
    sb.set_env("HATS_TEST_PANIC", "resolve");
    let script = r#"before=$(stty -g); "$HATS" 2>switcher.err; code=$?; [ "$before" = "$(stty -g)" ] && echo "restored, exit $code"; cat switcher.err; sleep 30"#;
    let mut term = Terminal::spawn_sized(&sb, script, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("internal error: HATS_TEST_PANIC asked the resolve task to panic");
    // The switcher goes on: keys still work, and q quits.
    term.keys("/x");
    term.wait_for("/plain-rolex");
    term.keys("\x1b");
    term.wait_for("targets (7)");
    term.keys("q");
    term.wait_for("restored, exit 0");
    term.wait_for(
        "hats: internal error in a background task: HATS_TEST_PANIC asked the resolve task to panic",
    );
    assert_eq!(
        term.modes(),
        (false, false),
        "alternate screen left, cursor shown"
    );
    kill(term.pid(), libc::SIGKILL);
}

#[test]
fn a_failed_refresh_in_the_switcher_keeps_the_session_it_had() {
    let (mut sb, endpoint) = behind_faults("Action=", Fault::Pass);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    let key = key_of(&sb, &["env", "plain-role"]);
    endpoint.take();
    endpoint.set(Fault::ServerError);
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    let countdown = term.line_with("plain-role ");
    // Down to plain-role, refresh it: STS fails.
    term.keys("\x1b[B");
    term.keys("r");
    term.wait_for("failed AssumeRole with HTTP 500");
    assert_eq!(
        term.line_with("plain-role ").split_whitespace().count(),
        countdown.split_whitespace().count()
    );
    assert!(
        !term.line_with("plain-role ").trim_end().ends_with(" -"),
        "{}",
        term.screen()
    );
    assert_eq!(actions(&endpoint.take()), ["AssumeRole"; 3]);
    // The cached session still serves the shell.
    term.keys("\r");
    term.wait_for("sub$ ");
    term.type_line(r#"echo "key=$AWS_ACCESS_KEY_ID""#);
    term.wait_for(&format!("key={key}"));
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert!(endpoint.take().is_empty());
}
