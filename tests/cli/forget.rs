//! `hats forget` finds sessions wherever they are: with the index deleted, in
//! another store than `HATS_KEYRING` names; and a cache hit repairs the index.

use crate::harness::{HATS, Sandbox, forget_all};

fn delete_index(sb: &Sandbox) {
    std::fs::remove_file(sb.home.join(".cache/hats/sessions.json")).unwrap();
}

#[test]
fn forget_finds_sessions_the_index_no_longer_lists() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    sb.hats(&["env", "plain-role"]).ok();
    sb.moto.take_actions();
    delete_index(&sb);
    let out = sb.hats(&["forget", "prod"]);
    out.ok();
    assert_eq!(
        out.stderr(),
        "hats: forgot 1 role session for \"prod\"\n",
        "one line, no notice about the other stores"
    );
    sb.hats(&["env", "prod"]).ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the role session is gone, the MFA session stays"
    );
    sb.hats(&["env", "plain-role"]).ok();
    assert!(sb.moto.take_actions().is_empty(), "other targets stay cached");

    delete_index(&sb);
    let out = forget_all(&sb);
    assert!(
        out.stderr()
            .contains("forgot 2 role sessions and 1 MFA session for all targets"),
        "{}",
        out.stderr()
    );
    sb.hats(&["env", "plain-role"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    let err = sb.hats(&["env", "prod"]).fails();
    assert!(
        err.contains("no terminal to ask on"),
        "the MFA session is gone: {err}"
    );
}

#[test]
fn a_cache_hit_puts_the_session_back_in_the_index() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    sb.moto.take_actions();
    delete_index(&sb);
    let ls = sb.hats(&["ls"]).ok();
    let line = ls.lines().find(|l| l.starts_with("prod ")).unwrap();
    assert!(line.ends_with(" -"), "{ls}");
    sb.hats(&["env", "prod"]).ok();
    assert!(sb.moto.take_actions().is_empty(), "served from the keyring");
    let ls = sb.hats(&["ls"]).ok();
    let prod = ls.lines().find(|l| l.starts_with("prod ")).unwrap();
    assert!(prod.ends_with("59m") || prod.ends_with("1h00m"), "{ls}");
    // The MFA session is back once a hand-out uses it.
    sb.hats(&["env", "staging"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    let ls = sb.hats(&["ls"]).ok();
    let base = ls.lines().find(|l| l.starts_with("base ")).unwrap();
    assert!(base.ends_with("11h59m") || base.ends_with("12h00m"), "{ls}");
}

/// Runs `script` (sh, `$0` is hats, `$1` the target) in the sandbox, whose
/// kernel keyrings are its own.
fn in_sandbox_shell(sb: &Sandbox, target: &str, script: &str) -> String {
    let out = sb
        .command("sh")
        .args(["-c", script, HATS, target])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

#[test]
fn forget_removes_sessions_written_under_another_keyring() {
    let sb = Sandbox::standard(true);
    let target = "plain-role";
    // Written to keyutils, forgotten under auto (which picks the Secret Service here),
    // with the index gone too; then the reverse.
    let said = in_sandbox_shell(
        &sb,
        target,
        r#"HATS_KEYRING=keyutils "$0" env "$1" >/dev/null &&
           rm "$HOME/.cache/hats/sessions.json" &&
           HATS_KEYRING=auto "$0" forget "$1" &&
           HATS_KEYRING=keyutils "$0" env "$1" -v >/dev/null &&
           HATS_KEYRING=secret-service "$0" env "$1" >/dev/null &&
           HATS_KEYRING=keyutils "$0" forget "$1" &&
           HATS_KEYRING=secret-service "$0" env "$1" -v >/dev/null"#,
    );
    assert_eq!(
        said.matches(&format!("forgot 1 role session for \"{target}\""))
            .count(),
        2,
        "{said}"
    );
    assert!(!said.contains("cached in"), "nothing was left to reuse: {said}");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"; 4]);
    // What is left is the last session, in the Secret Service only.
    assert_eq!(sb.keyutils_keys(), Vec::<String>::new());
    assert_eq!(
        sb.secret_service_keys().len(),
        1,
        "{:?}",
        sb.secret_service_keys()
    );
}
