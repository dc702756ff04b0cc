//! Identity Center profiles as targets, end to end against the stand-in and moto:
//! listing, hand-outs, the role-session cache, chaining from an SSO source, tokens
//! from the AWS CLI's cache, silent refresh, refused tokens, and where tokens live.

use crate::harness::{Sandbox, caller_arn};
use crate::identity_center::{IdentityCenter, now_epoch, rfc3339, seed, write_cli_cache};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const PROD: &str = "111122223333";
pub const STAGING: &str = "222233334444";

/// One `[sso-session corp]` and one profile on prod's Admin role (the AWS CLI
/// reads it as written; the switcher's header has room for its whole wording).
pub const ONE_SSO_PROFILE: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile prod-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = us-east-1
";

/// An `[sso-session corp]`, a profile on prod's Admin role, a legacy profile on
/// staging, and a role chained from the SSO profile.
pub const SSO_CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile prod-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = us-east-1

[profile staging-legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222233334444
sso_role_name = Developer
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::222233334444:role/Deploy
source_profile = prod-admin
region = us-east-1
";

pub fn standin_seed() -> Value {
    seed(&[
        (PROD, "prod", &["Admin", "ReadOnly"]),
        (STAGING, "staging", &["Developer"]),
    ])
}

/// A sandbox (with a real keyring when `keyring`) attached to a fresh stand-in.
pub fn sso_sandbox(keyring: bool) -> (Sandbox, IdentityCenter) {
    let mut sb = if keyring {
        Sandbox::new()
    } else {
        Sandbox::without_keyring()
    };
    let ic = IdentityCenter::start(&sb.moto, &standin_seed());
    ic.attach(&mut sb);
    sb.aws_config(SSO_CONFIG);
    (sb, ic)
}

/// Plants a signed-in token in the AWS CLI's cache for `session`, expiring in `secs`.
pub fn cli_token(sb: &Sandbox, ic: &IdentityCenter, session: &str, secs: i64) -> PathBuf {
    let token = ic.issue_token(crate::identity_center::START_URL);
    write_cli_cache(&sb.home, session, &token, &rfc3339(now_epoch() + secs))
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn sso_profiles_are_targets_listed_with_mode_sso() {
    let (sb, _ic) = sso_sandbox(false);
    let listing: Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let find = |name: &str| {
        listing
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is not listed: {listing}"))
    };
    assert_eq!(find("prod-admin")["mode"], "sso");
    assert_eq!(find("prod-admin")["account_id"], PROD);
    assert_eq!(find("prod-admin")["role_name"], "Admin");
    assert_eq!(find("staging-legacy")["mode"], "sso");
    assert_eq!(find("deploy")["mode"], "chained");
    assert_eq!(find("deploy")["source_profile"], "prod-admin");
}

#[test]
fn exec_on_an_sso_target_runs_as_the_role_in_its_account_and_reuses_the_cached_session() {
    let (sb, ic) = sso_sandbox(true);
    cli_token(&sb, &ic, "corp", 3600);
    let arn = caller_arn(&sb, "prod-admin");
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{PROD}:assumed-role/Admin/")),
        "{arn}"
    );
    assert_eq!(ic.log().count("GetRoleCredentials"), 1);
    // The role session is cached in the keyring: a second hand-out asks the portal nothing.
    let again = caller_arn(&sb, "prod-admin");
    assert_eq!(again, arn);
    assert_eq!(
        ic.log().count("GetRoleCredentials"),
        1,
        "the cached session was reused"
    );
    let listing = sb.hats(&["ls"]).ok();
    let row = listing.lines().find(|l| l.starts_with("prod-admin ")).unwrap();
    assert!(!row.ends_with(" -"), "ls shows the cached session: {listing}");
}

#[test]
fn a_legacy_sso_profile_uses_the_cli_cache_of_its_start_url() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, crate::identity_center::START_URL, 3600);
    let arn = caller_arn(&sb, "staging-legacy");
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{STAGING}:assumed-role/Developer/")),
        "{arn}"
    );
}

#[test]
fn a_role_chains_from_an_sso_source() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, "corp", 3600);
    let arn = caller_arn(&sb, "deploy");
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{STAGING}:assumed-role/Deploy/")),
        "{arn}"
    );
    assert_eq!(ic.log().count("GetRoleCredentials"), 1);
    let assumed: Vec<String> = sb
        .moto
        .take_sts_calls()
        .iter()
        .filter(|c| c.action() == "AssumeRole")
        .filter_map(|c| c.param("RoleArn").map(str::to_owned))
        .collect();
    assert!(
        assumed.contains(&format!("arn:aws:iam::{STAGING}:role/Deploy")),
        "{assumed:?}"
    );
}

#[test]
fn without_a_token_hats_fails_at_once_naming_hats_sso_login_and_writes_nothing_to_stdout() {
    let (sb, ic) = sso_sandbox(false);
    let run = sb.hats(&["credential-process", "prod-admin"]);
    let err = run.fails();
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert_eq!(ic.log().count("GetRoleCredentials"), 0);
}

#[test]
fn an_expired_cli_token_without_a_refresh_is_not_sent_and_asks_for_a_sign_in() {
    let (sb, ic) = sso_sandbox(false);
    let token = ic.issue_token(crate::identity_center::START_URL);
    let mut token = token;
    token["refreshToken"] = Value::Null;
    write_cli_cache(&sb.home, "corp", &token, &rfc3339(now_epoch() - 60));
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(err.contains("the sign-in has expired"), "{err}");
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
    assert_eq!(ic.log().count("GetRoleCredentials"), 0);
}

#[test]
fn a_revoked_token_is_refused_once_and_leads_to_one_request_to_sign_in() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, "corp", 3600);
    ic.revoke_all();
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
    let log = ic.log();
    assert_eq!(
        log.errors("GetRoleCredentials", "UnauthorizedException"),
        1,
        "no retry loop"
    );
    // Its refresh token was revoked too: one refresh was tried, and refused.
    assert_eq!(log.grant_types(), ["refresh_token"]);
}

#[test]
fn a_revoked_access_token_is_renewed_with_its_refresh_token_without_a_sign_in() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, "corp", 3600);
    ic.revoke_access_tokens();
    let arn = caller_arn(&sb, "prod-admin");
    assert!(arn.contains(":assumed-role/Admin/"), "{arn}");
    let log = ic.log();
    assert_eq!(
        log.errors("GetRoleCredentials", "UnauthorizedException"),
        1,
        "refused once"
    );
    assert_eq!(log.grant_types(), ["refresh_token"], "then renewed, no sign-in");
}

#[test]
fn a_token_close_to_expiry_is_refreshed_silently_and_kept_in_the_keyring_only() {
    let (sb, ic) = sso_sandbox(true);
    let planted = cli_token(&sb, &ic, "corp", 600);
    let before = std::fs::read_to_string(&planted).unwrap();
    let arn = caller_arn(&sb, "prod-admin");
    assert!(arn.contains(":assumed-role/Admin/"), "{arn}");
    assert_eq!(ic.log().grant_types(), ["refresh_token"]);
    assert_eq!(
        std::fs::read_to_string(&planted).unwrap(),
        before,
        "without sharing, hats leaves the AWS CLI's file alone"
    );
    // The refreshed token is hats' own now: with the CLI's file gone, a new role
    // session (the cached one forgotten) is still signed by it, and nothing asks to sign in again.
    std::fs::remove_file(&planted).unwrap();
    sb.hats(&["forget", "prod-admin"]).ok();
    sb.hats(&["env", "prod-admin"]).ok();
    let log = ic.log();
    assert_eq!(log.count("GetRoleCredentials"), 2);
    assert_eq!(log.grant_types(), ["refresh_token"], "no second refresh");
    for needle in ["standin-at-", "standin-rt-"] {
        let found = files_containing(sb.dir.path(), needle);
        assert!(found.is_empty(), "a token on disk: {found:?}");
    }
}

#[test]
fn sharing_writes_the_cli_cache_that_botocore_reads() {
    let (sb, ic) = sso_sandbox(true);
    sb.hats_config("[defaults]\nsso_share_with_aws_cli = true\n");
    let planted = cli_token(&sb, &ic, "corp", 600);
    let before = std::fs::read_to_string(&planted).unwrap();
    sb.hats(&["env", "prod-admin"]).ok();
    assert_eq!(ic.log().grant_types(), ["refresh_token"]);
    let after = std::fs::read_to_string(&planted).unwrap();
    assert_ne!(before, after, "hats wrote its refreshed token");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&planted).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let document: Value = serde_json::from_str(&after).unwrap();
    for key in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(document.get(key).is_some(), "{key} missing: {document}");
    }
    // The refreshed token is the only one the stand-in still accepts (refresh tokens
    // rotate): an unmodified botocore reads it and gets credentials.
    let arn = aws_cli_arn(&sb, "prod-admin");
    assert!(arn.contains(&format!("{PROD}:assumed-role/Admin/")), "{arn}");
}

/// The ARN the AWS CLI (botocore, reading the profile and its SSO cache itself,
/// without hats) gets for `profile`; panics with its stderr when it fails.
pub fn aws_cli_arn(sb: &Sandbox, profile: &str) -> String {
    let out = sb
        .command(crate::harness::aws_cli())
        .args(["sts", "get-caller-identity", "--profile", profile])
        .args(["--query", "Arn", "--output", "text"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the AWS CLI failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn console_login_federates_from_the_sso_role_session() {
    let (mut sb, ic) = sso_sandbox(true);
    cli_token(&sb, &ic, "corp", 3600);
    let fed = crate::federation::Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "prod-admin"]).ok());
    let url = sb.hats(&["login", "prod-admin", "--print"]).ok();
    let session = fed.last_session().expect("a token was asked for");
    assert!(
        url.contains(&format!("SigninToken={}", session["token"].as_str().unwrap())),
        "{url}"
    );
    assert_eq!(
        session["session_id"], exports["AWS_ACCESS_KEY_ID"],
        "the cached SSO role session"
    );
    assert_eq!(ic.log().count("GetRoleCredentials"), 1);
}

#[test]
fn an_account_in_hats_config_may_name_an_sso_profile_as_its_source() {
    let (sb, ic) = sso_sandbox(false);
    sb.hats_config(&format!(
        "[[account]]\nid = \"{STAGING}\"\nname = \"stg\"\nsource = \"prod-admin\"\nroles = [\"Deploy\"]\nregion = \"us-east-1\"\n"
    ));
    cli_token(&sb, &ic, "corp", 3600);
    let arn = caller_arn(&sb, "stg/Deploy");
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{STAGING}:assumed-role/Deploy/")),
        "{arn}"
    );
    assert_eq!(ic.log().count("GetRoleCredentials"), 1);
}

#[test]
fn a_served_child_gets_the_sso_role_through_hats_endpoint() {
    let (sb, ic) = sso_sandbox(true);
    cli_token(&sb, &ic, "corp", 3600);
    let aws = crate::harness::aws_cli();
    let script = "import os; print('static' if 'AWS_ACCESS_KEY_ID' in os.environ else 'served'); \
                  import subprocess, sys; sys.stdout.flush(); \
                  subprocess.run([sys.argv[1], 'sts', 'get-caller-identity', '--query', 'Arn', '--output', 'text'], check=True)";
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
    let out = sb
        .hats(&[
            "exec",
            "prod-admin",
            "--serve",
            "--",
            python.to_str().unwrap(),
            "-c",
            script,
            aws.to_str().unwrap(),
        ])
        .ok();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("served"), "{out}");
    let arn = lines.next().unwrap_or_default();
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{PROD}:assumed-role/Admin/")),
        "{out}"
    );
}

#[test]
fn a_shell_on_an_sso_target_says_which_role_account_and_sign_in_it_holds() {
    let (sb, ic) = sso_sandbox(true);
    cli_token(&sb, &ic, "corp", 3600);
    let out = sb
        .command(crate::harness::HATS)
        .args(["shell", "prod-admin"])
        .env("SHELL", "/bin/sh")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "shell for \"prod-admin\" (Admin in {PROD} through Identity Center \"corp\")"
        )),
        "{stderr}"
    );
}

#[test]
fn an_sso_hand_out_names_its_role_in_hats_role_arn_as_every_target_does() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, "corp", 3600);
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "prod-admin"]).ok());
    assert_eq!(
        exports["HATS_ROLE_ARN"],
        format!("arn:aws:iam::{PROD}:role/Admin")
    );
    assert_eq!(exports["HATS_ACCOUNT_ID"], PROD);
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "deploy"]).ok());
    assert_eq!(
        exports["HATS_ROLE_ARN"],
        format!("arn:aws:iam::{STAGING}:role/Deploy")
    );
}
