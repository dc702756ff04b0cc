//! The suite never touches the keyrings of the person running it: a session
//! planted in their persistent kernel keyring (outside every test namespace),
//! under the very key a sandboxed hats uses, is neither handed out nor
//! forgotten by it, `forget --all` included.

use crate::harness::{Sandbox, parse_exports, require};
use std::process::{Command, Stdio};

/// A key in the outer persistent keyring (the one of this user outside any
/// test namespace), invalidated when the test ends.
struct Planted {
    keyctl: std::path::PathBuf,
    id: String,
}

impl Planted {
    /// Adds `description` with `payload` to the outer persistent keyring, as
    /// hats' keyutils store keeps a user's sessions: added to a session keyring
    /// and linked into the persistent one, which outlives the session.
    fn new(description: &str, payload: &str) -> Self {
        let keyctl = require("keyctl", "keyutils");
        let id = in_a_login_session(
            &keyctl,
            r#"id=$(keyctl padd user "$1" @s) && keyctl link "$id" "$persistent" && echo "$id""#,
            description,
            Some(payload),
        );
        Self {
            keyctl,
            id: id.trim().to_owned(),
        }
    }

    /// The payload, if the key is still there and valid.
    fn payload(&self) -> Option<String> {
        let out = login_session_command(&self.keyctl, r#"keyctl pipe "$1""#, &self.id)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Planted {
    fn drop(&mut self) {
        let _ = login_session_command(&self.keyctl, r#"keyctl invalidate "$1""#, &self.id).output();
    }
}

/// `script` in a new session keyring of the outer user, with that user's
/// persistent keyring linked in (`$persistent`), as a login session has it.
fn login_session_command(keyctl: &std::path::Path, script: &str, arg: &str) -> Command {
    let mut command = Command::new(keyctl);
    command.args([
        "session",
        "-",
        "sh",
        "-c",
        &format!("persistent=$(keyctl get_persistent @s) && {script}"),
        "sh",
        arg,
    ]);
    command
}

fn in_a_login_session(keyctl: &std::path::Path, script: &str, arg: &str, stdin: Option<&str>) -> String {
    let mut child = login_session_command(keyctl, script, arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, stdin.unwrap_or_default().as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "keyctl: {script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_session_planted_in_the_outer_keyring_survives_forget_all_and_is_never_handed_out() {
    let mut sb = Sandbox::standard(true);
    sb.set_env("HATS_KEYRING", "keyutils");
    sb.hats(&["env", "plain-role"]).ok();
    let keys = sb.keyutils_keys();
    assert_eq!(keys.len(), 1, "{keys:?}");
    sb.hats(&["forget", "--all"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);

    // The same key outside, holding a session hats would hand out if it saw it.
    let expires = crate::harness::now() + jiff::SignedDuration::from_mins(50);
    let planted = Planted::new(
        &format!("keyring:{}@hats", keys[0]),
        &format!(
            r#"{{"access_key_id":"ASIAPLANTEDOUTSIDE01","secret_access_key":"planted","session_token":"planted","expiration":"{expires}","assumed_arn":null}}"#
        ),
    );
    let before = planted.payload().expect("the planted key reads back");

    let exports = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    assert_ne!(exports["AWS_ACCESS_KEY_ID"], "ASIAPLANTEDOUTSIDE01");
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the outer key was not seen"
    );
    let forgot = sb.hats(&["forget", "--all"]);
    forgot.ok();
    assert!(
        forgot.stderr().contains("forgot 1 role session"),
        "only the sandbox's own: {}",
        forgot.stderr()
    );
    assert_eq!(sb.keyutils_keys(), Vec::<String>::new());
    assert_eq!(planted.payload(), Some(before), "the outer key is intact");
}
