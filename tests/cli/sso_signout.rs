//! Signing out and what is kept, against the stand-in: `hats sso logout` removes
//! everything of the sign-in on this machine even when the portal cannot be
//! reached (and then says so), `hats forget` keeps sign-ins and says what it
//! removed by kind, `hats sso status` shows every sign-in without a network
//! call, and the AWS CLI's cache is read in every form botocore accepts.

use crate::harness::{caller_arn, closed_port, forget_all};
use crate::identity_center::{START_URL, cli_cache_name, now_epoch, rfc3339, write_cli_cache};
use crate::sso::{PROD, cli_token, sso_sandbox};
use serde_json::Value;

const SHARING: &str = "[defaults]\nsso_share_with_aws_cli = true\n";

#[test]
fn logout_with_the_portal_unreachable_removes_everything_here_and_says_the_portal_was_not_told() {
    let (mut sb, ic) = sso_sandbox(true);
    sb.hats_config(SHARING);
    sb.hats(&["sso", "login", "corp"]).ok();
    sb.hats(&["env", "prod-admin"]).ok();
    sb.hats(&["env", "deploy"]).ok();
    let cli_file = sb.home.join(".aws/sso/cache").join(cli_cache_name("corp"));
    assert!(cli_file.exists(), "sharing wrote the AWS CLI's cache");
    let closed = closed_port();
    sb.set_env(
        "AWS_ENDPOINT_URL_SSO",
        &format!("http://127.0.0.1:{}", closed.port),
    );
    let run = sb.hats(&["sso", "logout", "corp"]);
    let err = run.stderr();
    assert_eq!(run.code(), Some(0), "{err}");
    assert!(err.contains("the portal could not be told"), "{err}");
    assert!(err.contains("nothing of it is left on this machine"), "{err}");
    assert!(
        err.contains("removed its sign-in token, its copy in the AWS CLI's cache and"),
        "{err}"
    );
    assert!(!cli_file.exists(), "the AWS CLI's copy survived");
    // With the portal back, nothing is handed out: no token, no cached role session.
    sb.set_env("AWS_ENDPOINT_URL_SSO", &ic.endpoint());
    for target in ["prod-admin", "deploy"] {
        let err = sb.hats(&["env", target]).fails();
        assert!(err.contains("run \"hats sso login corp\""), "{target}: {err}");
    }
    assert_eq!(ic.log().count("Logout"), 0);
}

#[test]
fn logout_removes_the_cli_cache_of_its_portal_even_with_sharing_switched_off_since() {
    let (sb, ic) = sso_sandbox(true);
    sb.hats_config(SHARING);
    sb.hats(&["sso", "login", "corp"]).ok();
    sb.hats_config("");
    let cli_file = sb.home.join(".aws/sso/cache").join(cli_cache_name("corp"));
    assert!(cli_file.exists());
    let run = sb.hats(&["sso", "logout", "corp"]);
    run.ok();
    assert!(
        run.stderr().contains("signed out of \"corp\" at the portal"),
        "{}",
        run.stderr()
    );
    assert!(!cli_file.exists());
    assert_eq!(ic.log().count("Logout"), 1);
    // A file of another portal under that name is not this sign-in's: it stays.
    let other = ic.issue_token(START_URL);
    let planted = write_cli_cache(&sb.home, "corp", &other, &rfc3339(now_epoch() + 3600));
    let text = std::fs::read_to_string(&planted)
        .unwrap()
        .replace(START_URL, "https://other.awsapps.com/start");
    std::fs::write(&planted, text).unwrap();
    sb.hats(&["sso", "logout", "corp"]).ok();
    assert!(planted.exists(), "another portal's file was removed");
}

#[test]
fn logout_of_a_sign_in_only_the_aws_cli_holds_tells_the_portal_and_removes_the_file() {
    let (sb, ic) = sso_sandbox(true);
    let planted = cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "logout", "corp"]).ok();
    assert!(!planted.exists());
    assert_eq!(ic.log().count("Logout"), 1);
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
}

#[test]
fn forget_all_keeps_sign_ins_and_says_what_it_removed_by_kind() {
    let (sb, ic) = sso_sandbox(true);
    sb.hats(&["sso", "login", "corp"]).ok();
    sb.hats(&["env", "prod-admin"]).ok();
    let out = forget_all(&sb);
    assert!(
        out.stderr()
            .contains("forgot 1 role session for all targets; kept 1 Identity Center sign-in"),
        "{}",
        out.stderr()
    );
    // The role session is new, the sign-in the same.
    sb.hats(&["env", "prod-admin"]).ok();
    let log = ic.log();
    assert_eq!(log.count("GetRoleCredentials"), 2);
    assert_eq!(log.count("Authorize"), 1);
}

#[test]
fn status_lists_every_sign_in_with_time_left_where_kept_and_sharing_without_a_network_call() {
    let (sb, ic) = sso_sandbox(true);
    let status = |sb: &crate::harness::Sandbox| -> Vec<Value> {
        serde_json::from_str::<Value>(&sb.hats(&["sso", "status", "--json"]).ok())
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let before = status(&sb);
    let sessions: Vec<&str> = before.iter().map(|s| s["session"].as_str().unwrap()).collect();
    assert_eq!(sessions, ["corp", START_URL], "{before:?}");
    assert!(before.iter().all(|s| s["signed_in"] == false), "{before:?}");

    cli_token(&sb, &ic, "corp", 3600);
    let corp = status(&sb)[0].clone();
    assert_eq!(corp["signed_in"], true, "{corp}");
    assert_eq!(corp["kept_in"], serde_json::json!(["aws-cli"]), "{corp}");
    assert_eq!(corp["shared_with_aws_cli"], true, "{corp}");
    let left = corp["seconds_left"].as_i64().unwrap();
    assert!((3000..=3600).contains(&left), "{corp}");

    sb.hats(&["sso", "login", "corp"]).ok();
    ic.reset_log();
    let corp = status(&sb)[0].clone();
    assert_eq!(
        corp["kept_in"],
        serde_json::json!(["keyring", "aws-cli"]),
        "{corp}"
    );
    assert_eq!(
        corp["shared_with_aws_cli"], false,
        "hats' own sign-in is not the CLI's: {corp}"
    );
    let table = sb.hats(&["sso", "list"]).ok();
    let header = table.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("SESSION") && header.contains("SIGNED IN"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with("corp "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("yes") && row.contains("keyring, aws-cli"), "{table}");
    let legacy = table
        .lines()
        .find(|l| l.starts_with(START_URL))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(legacy.contains(" no "), "{table}");
    assert_eq!(
        ic.log().counts.values().sum::<u64>(),
        0,
        "status called the portal"
    );
}

#[test]
fn a_cli_cache_expiry_in_the_older_utc_form_is_read_as_botocore_reads_it() {
    let (sb, ic) = sso_sandbox(false);
    let token = ic.issue_token(START_URL);
    let expiry = rfc3339(now_epoch() + 3600).replace('Z', "UTC");
    write_cli_cache(&sb.home, "corp", &token, &expiry);
    let theirs = crate::sso::aws_cli_arn(&sb, "prod-admin");
    assert!(
        theirs.contains(&format!("{PROD}:assumed-role/Admin/")),
        "{theirs}"
    );
    let arn = caller_arn(&sb, "prod-admin");
    assert!(arn.contains(&format!("{PROD}:assumed-role/Admin/")), "{arn}");
}

#[test]
fn an_unreadable_cli_cache_file_is_named_with_why_never_with_its_content() {
    let (sb, ic) = sso_sandbox(false);
    let token = ic.issue_token(START_URL);
    let path = write_cli_cache(&sb.home, "corp", &token, &rfc3339(now_epoch() + 3600));
    let text = std::fs::read_to_string(&path).unwrap();
    // Cut short inside the access token.
    let cut = text.find("standin-at-").unwrap() + 20;
    std::fs::write(&path, &text[..cut]).unwrap();
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(
        err.contains(&format!("could not read {}", path.display())),
        "{err}"
    );
    assert!(!err.contains("standin-at-"), "a piece of the token in: {err}");
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
}

#[test]
fn a_role_the_portal_refuses_is_named_with_its_account_and_what_to_check() {
    let (sb, ic) = sso_sandbox(false);
    let config = std::fs::read_to_string(sb.home.join(".aws/config")).unwrap();
    sb.aws_config(&format!(
        "{config}\n[profile prod-billing]\nsso_session = corp\nsso_account_id = {PROD}\nsso_role_name = Billing\n"
    ));
    cli_token(&sb, &ic, "corp", 3600);
    let err = sb.hats(&["env", "prod-billing"]).fails();
    assert!(
        err.contains(&format!("refused role \"Billing\" in account {PROD}")),
        "{err}"
    );
    assert!(err.contains("still assigned the permission set"), "{err}");
    assert_eq!(ic.log().errors("GetRoleCredentials", "ForbiddenException"), 1);
}
