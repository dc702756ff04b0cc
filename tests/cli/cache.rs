//! The keyring cache: reuse, --no-cache, forget, concurrent processes, the
//! keyutils fallback, and that no secret ever lands on disk.

use crate::harness::{HATS, Sandbox, parse_exports};
use std::process::Stdio;

#[test]
fn ls_shows_cached_sessions_from_the_index() {
    let sb = Sandbox::standard(true);
    let before = sb.hats(&["ls"]).ok();
    assert!(before.lines().skip(1).all(|l| l.ends_with(" -")), "{before}");
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    let after = sb.hats(&["ls"]).ok();
    let prod = after.lines().find(|l| l.starts_with("prod ")).unwrap();
    assert!(prod.ends_with("59m") || prod.ends_with("1h00m"), "{after}");
    let base = after.lines().find(|l| l.starts_with("base ")).unwrap();
    assert!(
        base.ends_with("11h59m") || base.ends_with("12h00m"),
        "the MFA session shows under its own target: {after}"
    );
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let prod = json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "prod")
        .unwrap();
    assert!(prod["session"]["remaining_seconds"].as_i64().unwrap() > 3500);
    assert!(
        prod["session"]["assumed_role_arn"]
            .as_str()
            .unwrap()
            .contains("assumed-role/Admin/hats-tester")
    );
    assert!(prod["mfa_session"]["remaining_seconds"].as_i64().unwrap() > 40000);
}

#[test]
fn no_cache_neither_reads_nor_writes_the_cache() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "plain-role"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    sb.hats(&["env", "plain-role", "--no-cache"]).ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "--no-cache skips the cached session"
    );
    crate::harness::forget_all(&sb);
    sb.assert_nothing_cached();
    sb.hats(&["env", "plain-role", "--no-cache"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    // In the keyring itself: a cache hit would rebuild a missing index entry.
    sb.assert_nothing_cached();
}

#[test]
fn no_cache_makes_a_new_role_session_from_the_cached_mfa_session_without_a_code() {
    let sb = Sandbox::standard(true);
    let first = crate::harness::parse_exports(&sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok());
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    let index = sb.index_entries().to_string();
    // No terminal and no code: only the cached MFA session can serve.
    let again = crate::harness::parse_exports(&sb.hats(&["env", "prod", "--no-cache"]).ok());
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the MFA session was reused"
    );
    assert_ne!(
        again["AWS_ACCESS_KEY_ID"], first["AWS_ACCESS_KEY_ID"],
        "a new role session"
    );
    assert_eq!(sb.index_entries().to_string(), index, "--no-cache stored nothing");
    // The cached role session is still the first one.
    let cached = crate::harness::parse_exports(&sb.hats(&["env", "prod"]).ok());
    assert!(sb.moto.take_actions().is_empty());
    assert_eq!(cached["AWS_ACCESS_KEY_ID"], first["AWS_ACCESS_KEY_ID"]);
}

#[test]
fn forget_removes_one_target_or_all() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    sb.hats(&["env", "plain-role"]).ok();
    sb.moto.take_actions();
    let out = sb.hats(&["forget", "prod"]);
    out.ok();
    assert!(
        out.stderr().contains("forgot 1 role session for \"prod\""),
        "{}",
        out.stderr()
    );
    sb.hats(&["env", "prod"]).ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the MFA session survives forgetting a role"
    );
    sb.hats(&["env", "plain-role"]).ok();
    assert!(sb.moto.take_actions().is_empty());
    crate::harness::forget_all(&sb);
    sb.hats(&["env", "plain-role"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    let err = sb.hats(&["env", "prod"]).fails();
    assert!(
        err.contains("no terminal to ask on"),
        "the MFA session is gone too: {err}"
    );
}

#[test]
fn concurrent_processes_make_one_sts_call_and_share_the_session() {
    let sb = Sandbox::standard(true);
    let children: Vec<_> = (0..4)
        .map(|_| {
            sb.command(HATS)
                .args(["env", "prod", "--mfa-code", "123456"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            parse_exports(&String::from_utf8_lossy(&out.stdout))["AWS_ACCESS_KEY_ID"].clone()
        })
        .collect();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
}

#[test]
fn secrets_never_reach_files_on_disk() {
    let sb = Sandbox::standard(true);
    let exports = parse_exports(&sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok());
    let mut said = String::new();
    for args in [
        &["env", "chained", "-v"][..],
        &["ls", "--json", "-v"],
        &["credential-process", "prod", "-v"],
        &["exec", "prod", "-v", "--", "true"],
        &[
            "exec",
            "prod",
            "-v",
            "--serve",
            "--",
            "sh",
            "-c",
            "test -n \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"",
        ],
        &["whoami", "prod", "-v"],
        &["history", "--json"],
    ] {
        let run = sb.hats(args);
        said.push_str(&run.stderr());
        if args[0] != "credential-process" {
            said.push_str(&run.stdout());
        }
    }
    let secret = &exports["AWS_SECRET_ACCESS_KEY"];
    let token = &exports["AWS_SESSION_TOKEN"];
    assert!(
        !said.contains(secret.as_str()) && !said.contains(token.as_str()),
        "a secret in --verbose output or messages: {said}"
    );
    // Everything under the sandbox: HOME (config, cache, data, history, the serve
    // registry) and the keyring daemon's own files.
    let mut stack = vec![sb.dir.path().to_path_buf()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files += 1;
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(secret.as_str()) && !text.contains(token.as_str()),
                    "secret in {}",
                    path.display()
                );
            }
        }
    }
    assert!(
        files >= 6,
        "the index, history, config and keyring files were scanned ({files})"
    );
}

#[test]
fn without_a_secret_service_sessions_go_to_the_keyutils_keyring_with_one_notice() {
    // The sandbox has no Secret Service: its bus address leads nowhere.
    let mut sb = Sandbox::standard(false);
    sb.set_env("HATS_KEYRING", "");
    let script = r#""$0" env "$1" >/dev/null && "$0" env "$1" -v >/dev/null"#;
    let out = sb
        .command("sh")
        .args(["-c", script, HATS, "plain-role"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("caching sessions in the kernel keyutils keyring")
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("cached in keyutils"), "{stderr}");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    let stored = sb.keyutils_keys();
    assert!(
        stored.len() == 1 && stored[0].starts_with("role/plain-role/"),
        "in the kernel keyring itself: {stored:?}"
    );
    sb.hats(&["forget", "plain-role"]).ok();
    assert_eq!(sb.keyutils_keys(), Vec::<String>::new());
}
