//! Faults in hats' own state, each against the real binary: a corrupt keyring
//! entry or index file, a hats killed mid-write or while holding a lock, and a
//! wall clock that jumps (libfaketime). None may cost a session that still works.

use crate::faults::{BOUNDED, behind_faults, key_of, one_line, timed};
use crate::harness::{Fault, HATS, Sandbox, parse_exports, require};
use crate::serve::wait_bounded;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

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

pub(crate) fn kill(pid: u32, signal: i32) {
    // SAFETY: plain syscall on a pid this test started.
    unsafe {
        libc::kill(pid as i32, signal);
    }
}

/// `hats env plain-role` ended on the spot at `point` (`HATS_TEST_ABORT`).
fn aborted_at(sb: &Sandbox, point: &str) {
    let mut cmd = sb.command(HATS);
    cmd.args(["env", "plain-role"]).env("HATS_TEST_ABORT", point);
    // SAFETY: setrlimit(2) between fork and exec: the abort leaves no core file.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &raw const none);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&out.status),
        Some(libc::SIGABRT),
        "hats did not reach {point}: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing handed out before the end");
}

/// Half-written index files beside the index.
fn stray_temp_files(sb: &Sandbox) -> Vec<String> {
    std::fs::read_dir(sb.home.join(".cache/hats"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_hats_killed_after_the_keyring_write_leaves_a_session_the_next_run_uses_and_lists() {
    let sb = Sandbox::standard(true);
    aborted_at(&sb, "keyring-write");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    let stored = sb.secret_service_keys();
    assert!(
        stored.len() == 1 && stored[0].starts_with("role/plain-role/"),
        "the session is in the keyring: {stored:?}"
    );
    assert!(
        !sb.index_entries().to_string().contains("plain-role"),
        "and not yet in the index: {}",
        sb.index_entries()
    );
    let key = key_of(&sb, &["env", "plain-role"]);
    assert!(sb.moto.take_actions().is_empty(), "the stored session is used");
    assert_eq!(cached_key(&sb, "plain-role"), stored[0], "and listed again");
    assert_eq!(key_of(&sb, &["env", "plain-role"]), key);
}

#[test]
fn a_hats_killed_before_the_index_rename_leaves_the_old_index_and_a_usable_session() {
    let sb = Sandbox::standard(true);
    key_of(&sb, &["env", "staging", "--mfa-code", "123456"]);
    let before = sb.index_entries();
    sb.moto.take_actions();
    aborted_at(&sb, "index-rename");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    assert_eq!(sb.index_entries(), before, "the old index, whole");
    assert_eq!(stray_temp_files(&sb).len(), 1, "the new one, never renamed");
    let key = key_of(&sb, &["env", "plain-role"]);
    assert!(sb.moto.take_actions().is_empty(), "the stored session is used");
    cached_key(&sb, "plain-role");
    cached_key(&sb, "staging");
    assert_eq!(
        stray_temp_files(&sb),
        Vec::<String>::new(),
        "the next write cleans up"
    );
    assert_eq!(key_of(&sb, &["env", "plain-role"]), key);
}

#[test]
fn a_hats_killed_at_any_moment_leaves_a_cache_the_next_run_can_use() {
    let mut sb = Sandbox::standard(true);
    // Kills spread over a whole run (the two places where a kill could leave
    // the keyring and the index apart have tests of their own, above).
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
        sb.keyring.as_mut().unwrap().revive();
    }
    let (run, took) = timed(&sb, &["env", "plain-role"]);
    let key = parse_exports(&run.ok())["AWS_ACCESS_KEY_ID"].clone();
    assert!(took < BOUNDED, "no stale lock: {took:?}");
    sb.moto.take_actions();
    assert_eq!(key_of(&sb, &["env", "plain-role"]), key);
    assert!(sb.moto.take_actions().is_empty(), "the last session was cached");
    assert!(sb.index_entries().is_object());
    assert_eq!(
        stray_temp_files(&sb),
        Vec::<String>::new(),
        "half-written files are cleaned up"
    );
}

/// A hats in the background with its stderr read line by line.
fn spawn_with_stderr(cmd: &mut std::process::Command) -> (std::process::Child, Receiver<String>) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    (child, lines)
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
    // A second one, straight to moto, says it waits for that lock...
    let mut waiter = sb.command(HATS);
    waiter
        .args(["env", "plain-role"])
        .env("AWS_ENDPOINT_URL", sb.moto.endpoint());
    let (mut waiter, said) = spawn_with_stderr(&mut waiter);
    let line = said.recv_timeout(BOUNDED).expect("the second hats says it waits");
    assert!(
        line.starts_with(&format!("hats: waiting for another hats (pid {}),", holder.id())),
        "{line}"
    );
    assert!(sb.moto.take_actions().is_empty(), "and waits: {line}");
    // ...until the first is killed: the kernel drops its lock with it.
    let started = Instant::now();
    kill(holder.id(), libc::SIGKILL);
    holder.wait().unwrap();
    let status = wait_bounded(&mut waiter);
    let rest: Vec<String> = said.iter().collect();
    assert!(status.success(), "{rest:?}");
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
    // ...then more than those 30 s pass by the boot clock (libfaketime moves it
    // too in this run), while the wall clock says 5 s: by the wall clock alone
    // 25 s would be left.
    let run = sb.hats_with_boot_clock_moved("+3575", &["env", "plain-role"]);
    run.ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the expired session was renewed, not reused"
    );
}
