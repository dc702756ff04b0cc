//! SECURITY.md's "nothing secret in argv": every way hats starts a program
//! (`exec`, `exec --serve`, `shell`, `login` opening the browser, `run`) is run with
//! a recorder that writes down its own argv and the argv of every process it
//! can see (`/proc/*/cmdline`, hats itself included while it serves), and none
//! holds the session's secret key, its token or the served bearer token.

use crate::federation::Federation;
use crate::harness::{Sandbox, parse_exports};
use std::os::unix::fs::PermissionsExt;

/// A program that appends every argv it can see to `$HOME/argv.log` and the
/// served token it was given (if any) to `$HOME/served-token`.
const RECORDER: &str = r#"#!/bin/sh
{
  printf 'self:'; printf ' %s' "$0" "$@"; echo
  for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$f" 2>/dev/null; echo; done
} >> "$HOME/argv.log"
if [ -n "$AWS_CONTAINER_AUTHORIZATION_TOKEN" ]; then
  printf '%s\n' "$AWS_CONTAINER_AUTHORIZATION_TOKEN" >> "$HOME/served-token"
fi
exit 0
"#;

#[test]
fn no_secret_reaches_the_argv_of_any_process_hats_starts() {
    let mut sb = Sandbox::standard(true);
    let recorder = sb.write("bin/record-argv", RECORDER);
    std::fs::set_permissions(&recorder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let recorder = recorder.display().to_string();
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
    sb.set_env("BROWSER", &recorder);
    sb.set_env("SHELL", &recorder);
    // The session every hand-out below reuses (the keyring caches it).
    let exports = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    sb.hats(&["exec", "plain-role", "--", &recorder, "exec"]).ok();
    sb.hats(&["exec", "plain-role", "--serve", "--", &recorder, "serve"])
        .ok();
    sb.hats(&["shell", "plain-role"]).ok();
    sb.hats(&["login", "plain-role"]).ok();
    sb.hats(&["run", "plain-role", "--", &recorder, "run"]).ok();

    let log = std::fs::read_to_string(sb.home.join("argv.log")).expect("the recorder ran");
    let starts = log.lines().filter(|l| l.starts_with("self:")).count();
    assert_eq!(
        starts, 5,
        "exec, exec --serve, shell, the browser and run each ran once:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("self:") && l.contains("Action=login")),
        "the browser got the sign-in URL:\n{log}"
    );
    let served = std::fs::read_to_string(sb.home.join("served-token")).expect("the served child got a token");
    let mut secrets = vec![
        ("the secret access key", exports["AWS_SECRET_ACCESS_KEY"].clone()),
        ("the session token", exports["AWS_SESSION_TOKEN"].clone()),
        ("the served bearer token", served.trim().to_owned()),
    ];
    secrets.retain(|(_, value)| !value.is_empty());
    assert_eq!(secrets.len(), 3, "every secret was seen");
    for (what, value) in &secrets {
        let holding: Vec<&str> = log.lines().filter(|l| l.contains(value.as_str())).collect();
        assert!(
            holding.is_empty(),
            "{what} is in an argv:\n{}",
            holding.join("\n")
        );
    }
}
