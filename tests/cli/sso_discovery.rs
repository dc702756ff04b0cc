//! Identity Center discovery end to end against the stand-in and moto: `hats sso
//! sync` at scale under throttling, the inventory file, the names it gives
//! (hostile names, two sessions), rules and attaching, automatic discovery of a
//! missing or stale inventory, and a hand-out through a discovered name.

use crate::harness::{Sandbox, caller_arn};
use crate::identity_center::{
    IdentityCenter, START_URL, generated_seed, now_epoch, rfc3339, write_cli_cache,
};
use crate::sso::{PROD, STAGING, cli_token, files_containing, sso_sandbox};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Only an sso-session: every target comes from discovery.
const SESSION_ONLY: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
";

fn listed(sb: &Sandbox) -> Vec<Value> {
    serde_json::from_str::<Value>(&sb.hats(&["ls", "--json"]).ok())
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(targets: &'a [Value], name: &str) -> Option<&'a Value> {
    targets.iter().find(|t| t["name"] == name)
}

fn discovered(targets: &[Value]) -> Vec<&Value> {
    targets
        .iter()
        .filter(|t| t["origin"] == "identity-center")
        .collect()
}

/// The inventory files hats wrote in the sandbox's cache directory.
fn inventory_files(sb: &Sandbox) -> Vec<PathBuf> {
    std::fs::read_dir(sb.home.join(".cache/hats"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("identity-center-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn discovery_of_1000_accounts_with_3_roles_each_survives_throttling_with_bounded_concurrency() {
    let mut sb = Sandbox::without_keyring();
    let ic = IdentityCenter::start(&sb.moto, &generated_seed(1000, &["Admin", "ReadOnly", "Billing"]));
    ic.attach(&mut sb);
    sb.aws_config(SESSION_ONLY);
    cli_token(&sb, &ic, "corp", 3600);
    ic.throttle_every(7);
    let out = sb.hats(&["sso", "sync", "corp"]);
    out.ok();
    assert!(
        out.stderr()
            .contains("\"corp\" synced: 1000 accounts, 3000 roles"),
        "{}",
        out.stderr()
    );
    let log = ic.log();
    assert!(log.throttled > 0, "the stand-in throttled nothing");
    assert_eq!(
        log.count("ListAccountRoles") - log.errors("ListAccountRoles", "TooManyRequestsException") as u64,
        1000,
        "one successful ListAccountRoles per account"
    );
    assert!(
        log.max_in_flight <= 8,
        "{} requests in flight at once",
        log.max_in_flight
    );
    assert!(log.max_in_flight > 1, "role listings ran one at a time");

    let files = inventory_files(&sb);
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&files[0]).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(
        sb.home
            .join(".aws/sso/cache")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    let access: Value = serde_json::from_str(&token).unwrap();
    assert!(
        files_containing(&sb.home.join(".cache"), access["accessToken"].as_str().unwrap()).is_empty(),
        "the inventory holds the token"
    );

    ic.no_throttle();
    ic.reset_log();
    let targets = listed(&sb);
    assert_eq!(discovered(&targets).len(), 3000);
    let first = find(&targets, "account-0000/Admin").expect("account-0000/Admin is listed");
    assert_eq!(first["alias"], "100000000000/Admin");
    assert_eq!(first["mode"], "sso");
    assert_eq!(
        ic.log().count("ListAccounts"),
        0,
        "a fresh inventory is not discovered again"
    );
}

#[test]
fn exec_through_a_discovered_name_and_its_id_alias_prints_the_role_arn() {
    let (sb, ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "sync"]).ok();
    let arn = caller_arn(&sb, "prod/ReadOnly");
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{PROD}:assumed-role/ReadOnly/")),
        "{arn}"
    );
    let arn = caller_arn(&sb, &format!("{STAGING}/Developer"));
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{STAGING}:assumed-role/Developer/")),
        "{arn}"
    );
}

#[test]
fn a_missing_inventory_is_discovered_when_a_name_is_unknown_and_ls_never_syncs_a_stale_one() {
    let (sb, ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    cli_token(&sb, &ic, "corp", 3600);
    // No `hats sso sync`: the unknown name makes hats discover first.
    let arn = caller_arn(&sb, "staging/Developer");
    assert!(
        arn.contains(&format!("{STAGING}:assumed-role/Developer/")),
        "{arn}"
    );
    assert_eq!(ic.log().count("ListAccounts"), 1);

    // A fresh inventory is used as it is.
    ic.reset_log();
    assert!(find(&listed(&sb), "prod/Admin").is_some());
    assert_eq!(ic.log().count("ListAccounts"), 0);

    // Made old (as if discovered in 2020): `hats ls` lists it as it is and makes
    // no network call; a name it does not hold makes a command sync again.
    let file = &inventory_files(&sb)[0];
    let mut inventory: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    inventory["fetched_at"] = json!("2020-01-01T00:00:00Z");
    std::fs::write(file, inventory.to_string()).unwrap();
    assert!(find(&listed(&sb), "prod/Admin").is_some());
    assert_eq!(ic.log().count("ListAccounts"), 0, "ls called the portal");
    sb.hats(&["env", "no-such/Role"]).fails();
    assert_eq!(
        ic.log().count("ListAccounts"),
        1,
        "the stale inventory was not refreshed for an unknown name"
    );
}

#[test]
fn before_any_sync_ls_says_not_synced_yet_and_how_to_sign_in_without_calling_the_portal() {
    let (sb, ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    // Signed in, but `ls` still makes no network call.
    cli_token(&sb, &ic, "corp", 3600);
    let out = sb.hats(&["ls"]);
    out.ok();
    let err = out.stderr();
    assert!(err.contains("\"corp\" is not synced yet"), "{err}");
    assert!(err.contains("hats sso login corp"), "{err}");
    assert!(!err.contains("previous inventory"), "{err}");
    assert_eq!(ic.log().count("ListAccounts"), 0);
    assert_eq!(ic.log().counts.values().sum::<u64>(), 0, "{:?}", ic.log().counts);
}

#[test]
fn a_failed_first_sync_says_not_synced_yet_not_that_an_inventory_is_kept() {
    let (sb, _ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    let err = sb.hats(&["sso", "sync", "corp"]).fails();
    assert!(err.contains("(not synced yet)"), "{err}");
    assert!(!err.contains("previous inventory"), "{err}");
}

#[test]
fn a_hand_written_profile_for_a_discovered_role_is_shown_once_and_the_discovered_names_resolve_to_it() {
    let (sb, ic) = sso_sandbox(false);
    cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "sync", "corp"]).ok();
    let targets = listed(&sb);
    // [profile prod-admin] is prod's Admin: no second `prod/Admin` row.
    assert!(find(&targets, "prod/Admin").is_none(), "{targets:?}");
    let profile = find(&targets, "prod-admin").unwrap();
    assert_eq!(
        profile["account_name"], "prod",
        "the profile learns its account's name"
    );
    assert!(find(&targets, "prod/ReadOnly").is_some());
    let arn = caller_arn(&sb, "prod/Admin");
    assert!(arn.contains(&format!("{PROD}:assumed-role/Admin/")), "{arn}");
    // It is the profile that answers to the discovered names.
    for name in ["prod/Admin", &format!("{PROD}/Admin")] {
        let out = sb.hats(&["--verbose", "env", name]);
        out.ok();
        assert!(
            out.stderr().contains("prod-admin: GetRoleCredentials"),
            "{}",
            out.stderr()
        );
    }
}

#[test]
fn rules_skip_guard_and_exclude_identity_center_accounts_by_name_or_id() {
    let (sb, ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    sb.hats_config(&format!(
        r#"
[[identity_center.rule]]
account = "{STAGING}"
skip = true

[[identity_center.rule]]
account = "prod"
production = true
exclude_roles = ["ReadOnly"]
"#
    ));
    cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "sync"]).ok();
    let targets = discovered(&listed(&sb))
        .into_iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["production"].as_bool().unwrap(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(targets, [("prod/Admin".to_owned(), true)]);
}

#[test]
fn hostile_account_names_are_cleaned_before_they_reach_a_terminal() {
    let mut sb = Sandbox::without_keyring();
    let seed = crate::identity_center::seed(&[
        (PROD, "evil\u{1b}]0;pwned\u{7}\u{1b}[31mred  name", &["Admin"]),
        (STAGING, "", &["Admin"]),
    ]);
    let ic = IdentityCenter::start(&sb.moto, &seed);
    ic.attach(&mut sb);
    sb.aws_config(SESSION_ONLY);
    cli_token(&sb, &ic, "corp", 3600);
    sb.hats(&["sso", "sync"]).ok();
    let out = sb.hats(&["ls"]).ok();
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    let targets = listed(&sb);
    assert!(
        find(&targets, "evil-0-pwned-31mred-name/Admin").is_some(),
        "{targets:?}"
    );
    // No name: the account is named by its id.
    assert!(
        find(&targets, &format!("{STAGING}/Admin")).is_some(),
        "{targets:?}"
    );
}

#[test]
fn two_sessions_sharing_an_account_get_unique_names_that_stay_the_same_run_to_run() {
    let mut sb = Sandbox::without_keyring();
    let other = "https://other.awsapps.com/start";
    let account = |name: &str| json!({"accountId": PROD, "accountName": name, "roles": ["Admin"]});
    let seed = json!({"region": "us-east-1", "directories": [
        {"startUrl": START_URL, "accounts": [account("prod")]},
        {"startUrl": other, "accounts": [account("prod"),
            {"accountId": STAGING, "accountName": "prod", "roles": ["Admin"]}]},
    ]});
    let ic = IdentityCenter::start(&sb.moto, &seed);
    ic.attach(&mut sb);
    sb.aws_config(&format!(
        "{SESSION_ONLY}\n[sso-session other]\nsso_start_url = {other}\nsso_region = us-east-1\n"
    ));
    for (session, url) in [("corp", START_URL), ("other", other)] {
        let token = ic.issue_token(url);
        write_cli_cache(&sb.home, session, &token, &rfc3339(now_epoch() + 3600));
    }
    sb.hats(&["sso", "sync", "corp"]).ok();
    sb.hats(&["sso", "sync", "other"]).ok();
    let names = |sb: &Sandbox| {
        discovered(&listed(sb))
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_owned(),
                    t["alias"].as_str().map(str::to_owned),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = names(&sb);
    assert_eq!(
        first,
        [
            ("prod/Admin".to_owned(), Some(format!("{PROD}/Admin"))),
            (format!("{PROD}/Admin@other"), None),
            (format!("{STAGING}/Admin"), None),
        ]
    );
    assert_eq!(names(&sb), first);
    // The qualified name hands out the other session's role.
    let arn = caller_arn(&sb, &format!("{PROD}/Admin@other"));
    assert!(arn.contains(&format!("{PROD}:assumed-role/Admin/")), "{arn}");
}

#[test]
fn the_switcher_discovers_a_missing_inventory_at_start_and_s_discovers_again() {
    let (sb, ic) = sso_sandbox(false);
    sb.aws_config(SESSION_ONLY);
    cli_token(&sb, &ic, "corp", 3600);
    let mut term = crate::pty::Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("Identity Center synced");
    term.wait_for("prod/ReadOnly");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(ic.log().count("ListAccounts"), 1);

    // A new assignment appears in the portal; the fresh inventory is not
    // rediscovered at start, `S` discovers it.
    let mut seed = crate::sso::standin_seed();
    seed["accounts"]
        .as_array_mut()
        .unwrap()
        .push(json!({"accountId": "333344445555", "accountName": "newteam", "roles": ["Admin"]}));
    ic.reset(Some(&seed));
    cli_token(&sb, &ic, "corp", 3600);
    let mut term = crate::pty::Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("prod/ReadOnly");
    assert_eq!(
        ic.log().count("ListAccounts"),
        0,
        "a fresh inventory was discovered again"
    );
    term.keys("S");
    term.wait_for("newteam/Admin");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn an_organization_read_through_an_sso_profile_lends_its_ous_to_the_rules_of_identity_center_accounts() {
    let (sb, ic) = sso_sandbox(false);
    let ids: Vec<String> = sb
        .moto
        .python(
            "import boto3,sys\n\
             o=boto3.client('organizations',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='x')\n\
             o.create_organization(FeatureSet='ALL')\n\
             root=o.list_roots()['Roots'][0]['Id']\n\
             ou=o.create_organizational_unit(ParentId=root,Name='Production')['OrganizationalUnit']['Id']\n\
             p=o.create_account(Email='p@example.com',AccountName='team-prod')['CreateAccountStatus']['AccountId']\n\
             d=o.create_account(Email='d@example.com',AccountName='team-dev')['CreateAccountStatus']['AccountId']\n\
             o.move_account(AccountId=p,SourceParentId=root,DestinationParentId=ou)\n\
             print(p); print(d)",
        )
        .lines()
        .map(str::to_owned)
        .collect();
    let (prod, dev) = (&ids[0], &ids[1]);
    ic.reset(Some(&crate::identity_center::seed(&[
        // moto keeps the organization in its default account: the management account.
        ("123456789012", "management", &["OrgReader"]),
        (prod, "team-prod", &["Admin"]),
        (dev, "team-dev", &["Admin"]),
    ])));
    cli_token(&sb, &ic, "corp", 3600);
    sb.aws_config(&format!(
        "{}\n[profile mgmt]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = OrgReader\n",
        crate::sso::SSO_CONFIG
    ));
    // The organization is read, and its roles assumed, with the SSO profile's credentials.
    sb.hats_config(
        "[organization]\nsource = \"mgmt\"\nvia = \"mgmt\"\nroles = [\"ReadOnly\"]\nregion = \"us-east-1\"\n\n\
         [[organization.rule]]\nou = \"Production\"\nproduction = true\n",
    );
    sb.hats(&["org", "sync"]).ok();
    assert!(
        ic.log().count("GetRoleCredentials") >= 1,
        "the source's credentials came from the portal"
    );
    sb.hats(&["sso", "sync", "corp"]).ok();
    let targets = listed(&sb);
    let sso_prod = find(&targets, "team-prod/Admin").expect("team-prod/Admin");
    assert_eq!(sso_prod["origin"], "identity-center");
    assert_eq!(
        sso_prod["production"], true,
        "the OU rule reached the Identity Center account"
    );
    assert_eq!(sso_prod["ou_path"], "Production");
    assert_eq!(find(&targets, "team-dev/Admin").unwrap()["production"], false);
    let offer = find(&targets, "team-dev/ReadOnly").expect("the organization's offer");
    assert_eq!(offer["source_profile"], "mgmt");
    let arn = caller_arn(&sb, "team-dev/ReadOnly");
    assert!(arn.contains(&format!("{dev}:assumed-role/ReadOnly/")), "{arn}");
}
