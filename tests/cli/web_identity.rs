//! Web identity (OIDC) targets end to end against moto: the token (from a file
//! read at call time, or from a command run without a shell) reaches
//! `AssumeRoleWithWebIdentity` and nowhere else; sessions are cached; such a
//! profile is a source for chained roles; variables inherited from the
//! environment are never a source; the AWS CLI in `hats exec` sees the role.

use crate::harness::{Sandbox, parse_exports};
use std::path::PathBuf;

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaS1ydW5uZXIifQ.first-token-sig";

/// An OIDC profile in moto's default account (so `GetCallerIdentity` names the
/// role) and a role chained from it.
fn config(token_file: &str) -> String {
    format!(
        "[profile oidc]\nrole_arn = arn:aws:iam::123456789012:role/CiDeploy\n\
         web_identity_token_file = {token_file}\nregion = eu-west-1\n\n\
         [profile deep]\nrole_arn = arn:aws:iam::123456789012:role/Deep\nsource_profile = oidc\n"
    )
}

pub(crate) fn sandbox(with_keyring: bool) -> Sandbox {
    let sb = if with_keyring {
        Sandbox::new()
    } else {
        Sandbox::without_keyring()
    };
    sb.write("token", TOKEN);
    sb.aws_config(&config("~/token"));
    sb
}

#[test]
fn a_web_identity_profile_is_a_target_whose_token_reaches_sts_unsigned() {
    let sb = sandbox(false);
    let listing = sb.hats(&["ls"]).ok();
    let oidc = listing
        .lines()
        .find(|l| l.starts_with("oidc "))
        .unwrap_or_default();
    assert!(oidc.contains("web-identity"), "{listing}");
    let deep = listing
        .lines()
        .find(|l| l.starts_with("deep "))
        .unwrap_or_default();
    assert!(deep.contains("chained"), "{listing}");

    let exports = parse_exports(&sb.hats(&["env", "oidc"]).ok());
    assert!(exports["AWS_ACCESS_KEY_ID"].starts_with("ASIA"), "{exports:?}");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.action(), "AssumeRoleWithWebIdentity");
    assert_eq!(call.param("WebIdentityToken"), Some(TOKEN));
    assert_eq!(
        call.param("RoleArn"),
        Some("arn:aws:iam::123456789012:role/CiDeploy")
    );
    assert_eq!(call.param("RoleSessionName"), Some("hats-tester"));
    assert_eq!(call.param("DurationSeconds"), Some("3600"));
    assert_eq!(
        call.authorization, "",
        "the token authenticates the call, not a signature"
    );
}

#[test]
fn the_token_file_is_read_at_call_time_and_sessions_are_cached() {
    let sb = sandbox(true);
    sb.hats(&["env", "oidc"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRoleWithWebIdentity"]);
    // The identity provider rotates the file; the cached session needs no token.
    sb.write("token", "rotated.token.value");
    let cached = parse_exports(&sb.hats(&["env", "oidc"]).ok());
    assert!(
        sb.moto.take_actions().is_empty(),
        "a cached session makes no call"
    );
    let listing = sb.hats(&["ls"]).ok();
    let oidc = listing
        .lines()
        .find(|l| l.starts_with("oidc "))
        .unwrap_or_default();
    assert!(oidc.ends_with("59m") || oidc.ends_with("1h00m"), "{listing}");
    // A new session reads the file as it is now.
    sb.hats(&["forget", "oidc"]).ok();
    let fresh = parse_exports(&sb.hats(&["env", "oidc"]).ok());
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("WebIdentityToken"), Some("rotated.token.value"));
    assert_ne!(cached["AWS_ACCESS_KEY_ID"], fresh["AWS_ACCESS_KEY_ID"]);
}

#[test]
fn a_web_identity_profile_is_the_source_of_a_chained_role() {
    let sb = sandbox(true);
    let exports = parse_exports(&sb.hats(&["env", "deep"]).ok());
    assert_eq!(exports["HATS_TARGET"], "deep");
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action()).collect();
    assert_eq!(actions, ["AssumeRoleWithWebIdentity", "AssumeRole"]);
    assert_eq!(calls[0].param("WebIdentityToken"), Some(TOKEN));
    assert_eq!(
        calls[1].param("RoleArn"),
        Some("arn:aws:iam::123456789012:role/Deep")
    );
    assert!(
        calls[1].authorization.contains("Credential=ASIA"),
        "the chained hop is signed with the web identity session: {}",
        calls[1].authorization
    );
    // The web identity session below is cached too: a new chained session reuses it.
    sb.hats(&["forget", "deep"]).ok();
    sb.hats(&["env", "deep"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

#[test]
fn a_scope_down_policy_reaches_assume_role_with_web_identity() {
    let sb = sandbox(false);
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    sb.hats(&["env", "oidc", "--policy-arn", arn]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("PolicyArns.member.1.arn"), Some(arn));
}

#[test]
fn the_token_never_reaches_argv_logs_verbose_the_index_or_history() {
    let sb = sandbox(true);
    let run = sb.hats(&["env", "oidc", "--verbose"]);
    run.ok();
    assert!(
        run.stderr().contains("AssumeRoleWithWebIdentity"),
        "--verbose says what it does: {}",
        run.stderr()
    );
    let mut seen = vec![("stdout and stderr".to_owned(), run.stdout() + &run.stderr())];
    for dir in [".cache", ".local", ".config"] {
        for file in files_under(&sb.home.join(dir)) {
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            seen.push((file.display().to_string(), text));
        }
    }
    assert!(seen.len() > 2, "the index and history were written: {seen:?}");
    for (place, text) in seen {
        assert!(!text.contains("first-token-sig"), "the token is in {place}");
    }
}

fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn web_identity_token_process_runs_without_a_shell_and_is_bounded() {
    let mut sb = sandbox(false);
    let with_process = |command: &str| {
        format!(
            "[profile oidc]\nrole_arn = arn:aws:iam::123456789012:role/CiDeploy\n\
             web_identity_token_process = {command}\n"
        )
    };
    // `$HOME` reaches the program as written: no shell expands it.
    sb.aws_config(&with_process("printf %s $HOME"));
    sb.hats(&["env", "oidc"]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("WebIdentityToken"), Some("$HOME"));

    sb.aws_config(&with_process("sleep 30"));
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "1s");
    let err = sb.hats(&["env", "oidc"]).fails();
    assert!(
        err.contains(
            "web_identity_token_process \"sleep 30\" did not print a token within 1s and was stopped"
        ),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn web_identity_variables_inherited_from_the_environment_are_never_a_source() {
    let mut sb = sandbox(false);
    sb.write("env-token", "inherited.token.value");
    let env_token = sb.home.join("env-token").display().to_string();
    sb.set_env("AWS_WEB_IDENTITY_TOKEN_FILE", &env_token);
    sb.set_env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Inherited");
    sb.set_env("AWS_ROLE_SESSION_NAME", "inherited");
    sb.aws_config(&format!(
        "{}\n[profile orphan]\nrole_arn = arn:aws:iam::123456789012:role/Orphan\n\n\
         [profile from-env]\nrole_arn = arn:aws:iam::123456789012:role/FromEnv\ncredential_source = Environment\n",
        config("~/token")
    ));
    let err = sb.hats(&["env", "orphan"]).fails();
    assert!(
        err.contains("neither source_profile nor credential_source"),
        "{err}"
    );
    let err = sb.hats(&["env", "from-env"]).fails();
    assert!(err.contains("AWS_ACCESS_KEY_ID is not set"), "{err}");
    assert!(
        sb.moto.take_actions().is_empty(),
        "nothing was assumed with the inherited token"
    );
    // The profile's own token is used, never the inherited one.
    sb.hats(&["env", "oidc"]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].param("WebIdentityToken"), Some(TOKEN));
    assert_eq!(
        calls[0].param("RoleArn"),
        Some("arn:aws:iam::123456789012:role/CiDeploy")
    );
}

#[test]
fn the_aws_cli_inside_hats_exec_sees_the_web_identity_role() {
    let sb = sandbox(false);
    assert_eq!(
        crate::harness::caller_arn(&sb, "oidc"),
        "arn:aws:sts::123456789012:assumed-role/CiDeploy/hats-tester"
    );
}

/// A `[web_identity.NAME]` section of hats' config: the same target as a
/// profile, out of the AWS config where the AWS CLI would choke on
/// `web_identity_token_process`.
#[test]
fn a_web_identity_section_of_hats_config_is_a_target_the_aws_cli_reaches_through_a_synced_profile() {
    let sb = Sandbox::without_keyring();
    let script = sb.write("idp.sh", &format!("printf '%s\\n' '{TOKEN}'\n"));
    sb.aws_config("");
    sb.hats_config(&format!(
        "[web_identity.ci-cli]\nrole_arn = \"arn:aws:iam::123456789012:role/CiDeploy\"\n\
         web_identity_token_process = \"sh {}\"\nregion = \"eu-west-1\"\nrole_session_name = \"deployer\"\n\n\
         [web_identity.broken]\nrole_arn = \"not-an-arn\"\nweb_identity_token_file = \"/t\"\n",
        script.display()
    ));
    let listing = sb.hats(&["ls"]);
    let line = listing
        .ok()
        .lines()
        .find(|l| l.starts_with("ci-cli "))
        .unwrap_or_default()
        .to_owned();
    assert!(line.contains("web-identity"), "{line}");
    assert!(
        listing.stderr().contains("[web_identity.broken] in hats config"),
        "{}",
        listing.stderr()
    );
    let exports = parse_exports(&sb.hats(&["env", "ci-cli"]).ok());
    assert_eq!(exports["AWS_REGION"], "eu-west-1");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].action(), "AssumeRoleWithWebIdentity");
    assert_eq!(calls[0].param("WebIdentityToken"), Some(TOKEN));
    assert_eq!(calls[0].param("RoleSessionName"), Some("deployer"));
    // Other tools get it through the profile `hats profiles sync` writes.
    sb.hats(&["profiles", "sync"]).ok();
    assert_eq!(
        crate::harness::profile_arn(&sb, "hats-ci-cli"),
        "arn:aws:sts::123456789012:assumed-role/CiDeploy/deployer"
    );
}
