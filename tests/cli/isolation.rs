//! The suite never touches the keyrings of the person running it: a session
//! planted in the test process's own (outer) kernel keyring under the very key
//! a sandboxed hats uses is neither handed out nor forgotten by it.

use crate::harness::{Sandbox, parse_exports, require};
use std::process::{Command, Stdio};

/// A key in the outer persistent keyring, invalidated when the test ends.
struct Planted {
    keyctl: std::path::PathBuf,
    id: String,
}

impl Planted {
    /// Adds `description` with `payload` to the outer persistent keyring, where
    /// hats' keyutils store keeps a user's sessions.
    fn new(description: &str, payload: &str) -> Self {
        let keyctl = require("keyctl", "keyutils");
        let persistent = keyctl_out(&keyctl, &["get_persistent", "@s"], None);
        let id = keyctl_out(
            &keyctl,
            &["padd", "user", description, persistent.trim()],
            Some(payload),
        );
        Self {
            keyctl,
            id: id.trim().to_owned(),
        }
    }

    /// The payload, if the key is still there and valid.
    fn payload(&self) -> Option<String> {
        let out = Command::new(&self.keyctl)
            .args(["pipe", &self.id])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Planted {
    fn drop(&mut self) {
        let _ = Command::new(&self.keyctl).args(["invalidate", &self.id]).output();
    }
}

fn keyctl_out(keyctl: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(keyctl)
        .args(args)
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
        "keyctl {args:?}: {}",
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
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(50);
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
        forgot.stderr().contains("forgot 1 cached session"),
        "only the sandbox's own: {}",
        forgot.stderr()
    );
    assert_eq!(sb.keyutils_keys(), Vec::<String>::new());
    assert_eq!(planted.payload(), Some(before), "the outer key is intact");
}
