//! Organizations discovery against moto: OU paths, role offers and rules,
//! profiles attached to their account, the cache, staleness, throttling, failures.

use crate::harness::{AWS_CONFIG, Sandbox, ThrottlingProxy};

/// Seeds an organization: `accounts` accounts named acct-NNN, every third moved to
/// Production/Payments, every fifth tagged env=dev, acct-004 suspended, one
/// name with a terminal escape sequence. Prints `name id` lines.
fn seed(sb: &Sandbox, accounts: usize) -> Vec<(String, String)> {
    let script = format!(
        r#"
import boto3, sys
o = boto3.client("organizations", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="x")
o.create_organization(FeatureSet="ALL")
root = o.list_roots()["Roots"][0]["Id"]
prod = o.create_organizational_unit(ParentId=root, Name="Production")["OrganizationalUnit"]["Id"]
pay = o.create_organizational_unit(ParentId=prod, Name="Payments")["OrganizationalUnit"]["Id"]
o.create_organizational_unit(ParentId=root, Name="Sandbox")
for i in range({accounts}):
    name = f"acct-{{i:03d}}"
    a = o.create_account(Email=f"{{name}}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
    if i % 3 == 0:
        o.move_account(AccountId=a, SourceParentId=root, DestinationParentId=pay)
    if i % 5 == 0:
        o.tag_resource(ResourceId=a, Tags=[{{"Key": "env", "Value": "dev"}}])
    if i == 4:
        o.close_account(AccountId=a)
    print(name, a)
evil = o.create_account(Email="e@example.com", AccountName="evil\x1b[31mred\x07")["CreateAccountStatus"]["AccountId"]
print("evil", evil)
"#
    );
    sb.moto
        .python(&script)
        .lines()
        .map(|l| {
            let (n, id) = l.split_once(' ').unwrap();
            (n.to_owned(), id.to_owned())
        })
        .collect()
}

const ORG_CONFIG: &str = r#"
[organization]
source = "base"
roles = ["OrganizationAccountAccessRole", "ReadOnly"]

[[organization.rule]]
ou = "Payments"
roles = ["Admin"]
production = true

[[organization.rule]]
tag = "env=dev"
exclude_roles = ["OrganizationAccountAccessRole"]

[[organization.rule]]
account = "acct-007"
skip = true
"#;

fn listed(sb: &Sandbox) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&sb.hats(&["ls", "--json"]).ok())
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn find<'a>(targets: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    targets.iter().find(|t| t["name"] == name)
}

#[test]
fn discovery_offers_roles_by_rule_with_ou_paths_and_then_serves_from_cache() {
    let sb = Sandbox::standard(true);
    sb.hats_config(ORG_CONFIG);
    let accounts = seed(&sb, 300);
    sb.moto.take_org_calls();
    let ls = sb.hats(&["ls"]);
    assert!(
        ls.stderr()
            .contains("has not been discovered yet; run `hats org sync`"),
        "{}",
        ls.stderr()
    );

    let sync = sb.hats(&["org", "sync", "--mfa-code", "123456"]);
    sync.ok();
    assert!(
        sync.stderr()
            .contains("organization synced: 302 accounts (301 active, 1 inactive)"),
        "{}",
        sync.stderr()
    );
    let calls = sb.moto.take_org_calls();
    assert!(
        calls.iter().filter(|c| *c == "ListTagsForResource").count() == 302,
        "one tag call per account"
    );
    assert!(calls.contains(&"ListOrganizationalUnitsForParent".to_owned()));

    let targets = listed(&sb);
    let payments = find(&targets, "acct-000/Admin").expect("Payments accounts get Admin");
    assert_eq!(payments["ou_path"], "Production/Payments");
    assert_eq!(payments["production"], true);
    assert_eq!(payments["origin"], "organization");
    assert_eq!(payments["alias"], format!("{}/Admin", accounts[0].1));
    assert!(
        find(&targets, "acct-000/OrganizationAccountAccessRole").is_none(),
        "env=dev excludes it"
    );
    assert!(find(&targets, "acct-000/ReadOnly").is_some());
    assert_eq!(
        find(&targets, "acct-001/OrganizationAccountAccessRole").unwrap()["ou_path"],
        ""
    );
    assert!(
        find(&targets, "acct-001/Admin").is_none(),
        "Admin only in Payments"
    );
    assert!(
        find(&targets, "acct-004/ReadOnly").is_none(),
        "suspended accounts are skipped"
    );
    assert!(find(&targets, "acct-007/ReadOnly").is_none(), "skip rule");
    let table = sb.hats(&["ls"]).ok();
    assert!(
        !table.contains('\x1b') && !table.contains('\x07'),
        "escape sequences never reach the terminal"
    );
    assert!(
        find(&targets, "evil-31mred/ReadOnly").is_some(),
        "the name is kept in the charset of discovered names, made inert"
    );
    assert!(
        sb.moto.take_org_calls().is_empty(),
        "listing is served from the cache"
    );

    // An offered role is assumed like any other, from the MFA session.
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "acct-002/ReadOnly"]).ok());
    assert_eq!(
        exports["HATS_ROLE_ARN"],
        format!("arn:aws:iam::{}:role/ReadOnly", accounts[2].1)
    );
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

#[test]
fn a_profile_pointing_into_an_account_is_attached_and_shown_once() {
    let sb = Sandbox::standard(false);
    let accounts = seed(&sb, 6);
    let (name, id) = &accounts[3];
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile payments-admin]\nrole_arn = arn:aws:iam::{id}:role/Admin\nsource_profile = base\n"
    ));
    sb.hats_config(ORG_CONFIG);
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    let targets = listed(&sb);
    let profile = find(&targets, "payments-admin").unwrap();
    assert_eq!(profile["account_name"], name.as_str());
    assert_eq!(profile["ou_path"], "Production/Payments");
    assert_eq!(
        profile["production"], true,
        "the account's rule guards the profile too"
    );
    assert!(
        find(&targets, &format!("{name}/Admin")).is_none(),
        "the same role is not offered twice"
    );
    assert!(find(&targets, &format!("{name}/ReadOnly")).is_some());
    // The offer's names, used before the profile was written, still work: as the profile.
    for offered in [format!("{name}/Admin"), format!("{id}/Admin")] {
        let out = sb.hats(&["--verbose", "env", &offered, "--mfa-code", "123456"]);
        out.ok();
        assert!(
            out.stderr().contains("payments-admin"),
            "{offered}: {}",
            out.stderr()
        );
    }
}

#[test]
fn a_stale_inventory_is_reported_and_a_sync_refreshes_it() {
    let sb = Sandbox::standard(false);
    seed(&sb, 3);
    sb.hats_config(&format!("{ORG_CONFIG}\n").replace("[organization]\n", "[organization]\nttl = \"1s\"\n"));
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ls = sb.hats(&["ls"]);
    assert!(
        ls.stderr().contains("was discovered") && ls.stderr().contains("hats org sync"),
        "{}",
        ls.stderr()
    );
    sb.moto.python(
        "import boto3,sys; boto3.client('organizations',endpoint_url=sys.argv[1],region_name='us-east-1',\
         aws_access_key_id='x',aws_secret_access_key='x').create_account(Email='n@example.com',AccountName='newcomer')",
    );
    assert!(find(&listed(&sb), "newcomer/ReadOnly").is_none());
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    assert!(find(&listed(&sb), "newcomer/ReadOnly").is_some());
}

#[test]
fn throttling_is_retried_with_backoff() {
    let mut sb = Sandbox::standard(false);
    seed(&sb, 10);
    sb.hats_config(ORG_CONFIG);
    let proxy = ThrottlingProxy::start(sb.moto.port, 6);
    sb.set_env("AWS_ENDPOINT_URL", &proxy.endpoint());
    let sync = sb.hats(&["org", "sync", "--mfa-code", "123456"]);
    sync.ok();
    assert!(
        sync.stderr().contains("organization synced: 12 accounts"),
        "{}",
        sync.stderr()
    );
    assert!(
        proxy.throttled.load(std::sync::atomic::Ordering::SeqCst) >= 6,
        "the proxy throttled"
    );
}

#[test]
fn a_failed_sync_keeps_the_previous_inventory() {
    let mut sb = Sandbox::standard(false);
    seed(&sb, 3);
    sb.hats_config(ORG_CONFIG);
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    let before = listed(&sb).len();
    let closed = crate::harness::closed_port();
    let port = closed.port;
    sb.set_env("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{port}"));
    let err = sb.hats(&["org", "sync", "--mfa-code", "123456"]).fails();
    assert!(
        err.contains("organization sync failed, the previous inventory is kept"),
        "{err}"
    );
    assert_eq!(listed(&sb).len(), before);
}

#[test]
fn include_rules_limit_the_offers_to_matching_accounts() {
    let sb = Sandbox::standard(false);
    seed(&sb, 6);
    sb.hats_config(
        "[organization]\nsource = \"base\"\nroles = [\"ReadOnly\"]\n\n[[organization.rule]]\nou = \"Payments\"\ninclude = true\n",
    );
    sb.hats(&["org", "sync", "--mfa-code", "123456"]).ok();
    let offered: Vec<String> = listed(&sb)
        .iter()
        .filter(|t| t["origin"] == "organization")
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(offered, ["acct-000/ReadOnly", "acct-003/ReadOnly"]);
}

#[test]
fn offered_roles_get_a_region_so_an_aws_child_needs_none_of_its_own() {
    let sb = Sandbox::without_keyring();
    sb.credentials(
        "[mgmt]\naws_access_key_id = AKIAMGMTMGMTMGMTMGMT\naws_secret_access_key = mgmtsecretmgmtsecretmgmtsecretmgmtsecr\n",
    );
    sb.aws_config("[profile mgmt]\n");
    sb.hats_config("[organization]\nsource = \"mgmt\"\nroles = [\"ReadOnly\"]\n");
    seed(&sb, 1);
    // No region in any file: the sync runs in the environment's, and the
    // offers keep it when the environment no longer has one.
    let sync = crate::harness::Run(
        sb.command(crate::harness::HATS)
            .args(["org", "sync"])
            .env("AWS_REGION", "ap-south-1")
            .output()
            .unwrap(),
    );
    sync.ok();
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "acct-000/ReadOnly"]).ok());
    assert_eq!(exports["AWS_REGION"], "ap-south-1");
    let arn = crate::harness::caller_arn(&sb, "acct-000/ReadOnly");
    assert!(arn.contains("assumed-role/ReadOnly"), "{arn}");
    // The source profile's region comes before the sync's.
    sb.aws_config("[profile mgmt]\nregion = eu-central-1\n");
    let exports = crate::harness::parse_exports(&sb.hats(&["env", "acct-000/ReadOnly"]).ok());
    assert_eq!(exports["AWS_REGION"], "eu-central-1");
}
