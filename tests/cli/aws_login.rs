//! `aws login` profiles (`login_session`) as sources of role profiles, through
//! aws-config's `credentials-login` provider. What can be tested here: a valid
//! login cache signs the role's `AssumeRole` with its keys (no network), and a
//! missing or expired cache gives an error naming `aws login --profile NAME`.
//! Refreshing an expiring login session calls AWS Sign-In, which moto does not
//! implement, so that path is not exercised.

use crate::harness::{Sandbox, parse_exports};

const SESSION: &str = "arn:aws:iam::123456789012:user/alice";

fn sandbox() -> Sandbox {
    let sb = Sandbox::without_keyring();
    sb.aws_config(&format!(
        "[profile console]\nlogin_session = {SESSION}\nregion = us-east-1\n\n\
         [profile ops]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = console\n"
    ));
    sb
}

/// Writes the login cache `aws login` would leave, expiring at `expires_at`.
fn write_login_cache(sb: &Sandbox, expires_at: &str) {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(SESSION.as_bytes())?;
            child.wait_with_output()
        })
        .expect("sha256sum (coreutils) must be installed");
    let hash = String::from_utf8(out.stdout).unwrap();
    let hash = hash.split_whitespace().next().unwrap();
    sb.write(
        &format!(".aws/login/cache/{hash}.json"),
        &format!(
            r#"{{"accessToken":{{"accessKeyId":"ASIALOGINLOGINLOGIN1","secretAccessKey":"loginsecret","sessionToken":"logintoken","accountId":"123456789012","expiresAt":"{expires_at}"}},"tokenType":"aws_sigv4","refreshToken":"refresh","idToken":"id","clientId":"arn:aws:signin:::devtools/same-device","dpopKey":"-----BEGIN EC PRIVATE KEY-----\ntest\n-----END EC PRIVATE KEY-----\n"}}"#
        ),
    );
}

#[test]
fn a_login_session_profile_is_the_source_of_a_role() {
    let sb = sandbox();
    let later = (crate::harness::now() + jiff::SignedDuration::from_hours(2)).to_string();
    write_login_cache(&sb, &later);
    let exports = parse_exports(&sb.hats(&["env", "ops"]).ok());
    assert!(exports["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{exports:?}");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action(), "AssumeRole");
    assert!(
        calls[0]
            .authorization
            .contains("Credential=ASIALOGINLOGINLOGIN1/"),
        "signed with the login session's keys: {}",
        calls[0].authorization
    );
}

#[test]
fn a_missing_or_expired_login_session_names_aws_login() {
    let sb = sandbox();
    let err = sb.hats(&["env", "ops"]).fails();
    assert!(err.contains("run `aws login --profile console`"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    write_login_cache(&sb, "2020-01-01T00:00:00Z");
    let err = sb.hats(&["env", "ops"]).fails();
    assert!(err.contains("run `aws login --profile console`"), "{err}");
    assert!(!err.contains("loginsecret"), "{err}");
    assert!(
        !sb.moto.take_actions().iter().any(|a| a == "AssumeRole"),
        "nothing was assumed"
    );
}
