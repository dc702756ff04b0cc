//! `hats ls --json` over fixed configurations, compared byte for byte with
//! files recorded from an earlier build: what the listing says (names,
//! aliases, rules, attached profiles, regions, order) changes only on purpose.
//!
//! Three configurations: a mixed one (AWS profiles, `[[account]]`, an
//! organization, two Identity Center sign-ins, two SAML sources, web identity,
//! hostile account names), and the bench's two 15,000-target ones (5,000
//! organization accounts x 3 roles; 2,500 organization + 2,500 Identity Center
//! accounts x 3 roles). The expected files live in `tests/cli/golden/`; the
//! large ones are gzipped. `HATS_GOLDEN_WRITE=1` rewrites them from the current
//! build (then read the diff before committing it).

use crate::harness::Sandbox;
use std::io::{Read, Write};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cli/golden")
}

/// A timestamp an hour old: inventories this fresh are never synced again.
fn fresh() -> String {
    (crate::harness::now() - jiff::SignedDuration::from_hours(1)).to_string()
}

/// `identity-center-<sha1 of key>.json`, as hats names a sign-in's inventory.
fn sso_inventory_file(key: &str) -> String {
    use sha1::Digest as _;
    let digest = sha1::Sha1::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!(".cache/hats/identity-center-{hex}.json")
}

fn account(id: &str, name: &str, ou: &[&str], tags: &[(&str, &str)], roles: &[&str]) -> serde_json::Value {
    let tags: serde_json::Map<String, serde_json::Value> = tags
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    serde_json::json!({"id": id, "name": name, "state": "ACTIVE", "ou_path": ou, "tags": tags, "roles": roles})
}

fn inventory(accounts: Vec<serde_json::Value>) -> String {
    serde_json::json!({"fetched_at": fresh(), "accounts": accounts}).to_string()
}

const MIXED_AWS_CONFIG: &str = "\
[default]
region = eu-north-1

[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile prod]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::444444444444:role/Deep
source_profile = prod

[profile into-org]
role_arn = arn:aws:iam::100000000001:role/ReadOnly
source_profile = base

[profile équipe]
role_arn = arn:aws:iam::222222222222:role/Team
source_profile = base

[profile ci]
role_arn = arn:aws:iam::333333333333:role/Deploy
web_identity_token_file = /var/run/secrets/eks.amazonaws.com/serviceaccount/token
region = us-west-2

[profile ci-process]
role_arn = arn:aws:iam::333333333333:role/Deploy
web_identity_token_process = /usr/local/bin/get-token --audience sts

[profile user-session]
aws_access_key_id = AKIAUSERUSERUSERUSER
aws_secret_access_key = secret
mfa_serial = arn:aws:iam::111111111111:mfa/bob

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = eu-central-1

[profile sso-admin]
sso_session = corp
sso_account_id = 200000000001
sso_role_name = AdministratorAccess
region = eu-west-3

[profile via-sso]
role_arn = arn:aws:iam::200000000002:role/Auditor
source_profile = sso-admin

[profile broken-loop]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = broken-loop-2

[profile broken-loop-2]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = broken-loop
";

const MIXED_CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

const MIXED_HATS_CONFIG: &str = r#"
[defaults]
production_patterns = ["*prod*"]

[[account]]
id = "555555555555"
name = "data"
source = "base"
roles = ["Analyst", "Admin"]
region = "ap-southeast-2"
production = true
tags = { team = "core" }

[[account]]
id = "666666666666"
source = "prod"
roles = ["Auditor"]

[organization]
source = "base"
roles = ["OrganizationAccountAccessRole", "ReadOnly"]
ttl = "30d"

[[organization.rule]]
ou = "Payments"
roles = ["Admin"]
production = true

[[organization.rule]]
tag = "env=dev"
exclude_roles = ["OrganizationAccountAccessRole"]

[[organization.rule]]
account = "skipped"
skip = true

[identity_center]
ttl = "30d"

[[identity_center.rule]]
account = "sso-sandbox"
skip = true

[[identity_center.rule]]
tag = "env=prod"
production = true

[saml.corp-idp]
assertion_process = "corp-idp saml --aws"
region = "eu-west-1"

[saml.backup]
assertion_process = "backup-idp"
roles = ["Admin", "Billing"]
"#;

/// Organization accounts: OUs, tags, rules, a clash of names, a name with
/// white space, one without a name, and hostile names (a shell command
/// substitution, bidi and zero-width characters, a terminal escape).
fn org_accounts() -> Vec<serde_json::Value> {
    vec![
        account(
            "100000000001",
            "payments",
            &["Production", "Payments"],
            &[("env", "prod")],
            &[],
        ),
        account("100000000002", "sandbox", &["Sandbox"], &[("env", "dev")], &[]),
        account("100000000003", "dup", &[], &[], &[]),
        account("100000000004", "dup", &[], &[], &[]),
        account("100000000005", "Data Lake  prod", &["Analytics"], &[], &[]),
        account("100000000006", "", &[], &[], &[]),
        account("100000000007", "skipped", &[], &[], &[]),
        account("100000000008", "evil$(touch${IFS}pwned)", &[], &[], &[]),
        account("100000000009", "dev\u{202e}dorp", &[], &[], &[]),
        account("100000000010", "pr\u{200b}od", &[], &[], &[]),
        account(
            "100000000011",
            "red\u{1b}[31mtext",
            &[],
            &[("team", "a\u{1b}[0mb")],
            &[],
        ),
        account("100000000012", "data", &[], &[], &[]),
        account("200000000003", "shared", &["Production"], &[("env", "prod")], &[]),
    ]
}

/// The `corp` sign-in's accounts: one a hand-written profile covers, one also
/// in the organization, a name clash with an organization account, a skipped
/// one, a role name that is no permission set, hostile names.
fn corp_accounts() -> Vec<serde_json::Value> {
    let roles = &["AdministratorAccess", "ReadOnlyAccess"][..];
    vec![
        account("200000000001", "sso-prod", &[], &[], roles),
        account(
            "200000000002",
            "sso-dev",
            &[],
            &[],
            &["Auditor", "Bad\u{1b}[31m", "a/b"],
        ),
        account("200000000003", "shared", &[], &[], roles),
        account("200000000004", "dup", &[], &[], roles),
        account("200000000005", "sso-sandbox", &[], &[], roles),
        account("200000000006", "evil`id`\u{202e}x", &[], &[], &["ReadOnlyAccess"]),
        account("200000000007", "", &[], &[], &["ReadOnlyAccess"]),
    ]
}

/// The `other` sign-in sees some of the same accounts and roles.
fn other_accounts() -> Vec<serde_json::Value> {
    vec![
        account(
            "200000000001",
            "sso-prod",
            &[],
            &[],
            &["ReadOnlyAccess", "Billing"],
        ),
        account("200000000008", "sso-prod", &[], &[], &["ReadOnlyAccess"]),
    ]
}

fn saml_roles() -> String {
    let role = |arn: &str, idp: &str| serde_json::json!({"role_arn": arn, "principal_arn": format!("arn:aws:iam::{idp}:saml-provider/corp")});
    serde_json::json!({
        "corp-idp": {"fetched_at": fresh(), "session_duration": 7200, "roles": [
            role("arn:aws:iam::100000000001:role/Admin", "100000000001"),
            role("arn:aws:iam::200000000004:role/SamlReader", "200000000004"),
            role("arn:aws:iam::777777777777:role/Admin", "777777777777"),
            role("arn:aws:iam::100000000007:role/Admin", "100000000007"),
            role("arn:aws:iam::100000000008:role/Admin", "100000000008"),
        ]},
        "backup": {"fetched_at": fresh(), "roles": [
            role("arn:aws:iam::777777777777:role/Admin", "777777777777"),
            role("arn:aws:iam::777777777777:role/Other", "777777777777"),
        ]},
    })
    .to_string()
}

fn mixed_sandbox() -> Sandbox {
    let sb = Sandbox::without_keyring();
    sb.aws_config(MIXED_AWS_CONFIG);
    sb.credentials(MIXED_CREDENTIALS);
    sb.hats_config(MIXED_HATS_CONFIG);
    sb.write(".cache/hats/organization.json", &inventory(org_accounts()));
    sb.write(&sso_inventory_file("corp"), &inventory(corp_accounts()));
    sb.write(&sso_inventory_file("other"), &inventory(other_accounts()));
    sb.write(".cache/hats/saml-roles.json", &saml_roles());
    sb
}

/// The bench's organization: `accounts` accounts x 3 roles (tests/bench/bench.py).
fn bench_sandbox(org_accounts: usize, sso_accounts: usize) -> Sandbox {
    const OUS: [&str; 5] = ["Production", "Staging", "Development", "Sandbox", "Security"];
    let sb = Sandbox::without_keyring();
    let mut config = "[profile org]\nregion = us-east-1\n".to_owned();
    let mut hats = "[organization]\nsource = \"org\"\nroles = [\"Admin\", \"Developer\", \"ReadOnly\"]\n\
                    ttl = \"30d\"\n"
        .to_owned();
    sb.credentials("[org]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = bench\n");
    let org: Vec<serde_json::Value> = (0..org_accounts)
        .map(|i| {
            let ou = OUS[i % 5];
            serde_json::json!({"id": format!("{}", 100_000_000_000_u64 + i as u64),
                "name": format!("team-{i:04}-{}", ou.to_lowercase()), "state": "ACTIVE",
                "ou_path": [ou, format!("unit-{}", i % 37)],
                "tags": {"team": format!("t{}", i % 101), "env": ou.to_lowercase()}})
        })
        .collect();
    sb.write(".cache/hats/organization.json", &inventory(org));
    if sso_accounts > 0 {
        config.push_str(
            "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
        );
        hats.push_str("\n[identity_center]\nttl = \"30d\"\n");
        let sso: Vec<serde_json::Value> = (0..sso_accounts)
            .map(|i| {
                serde_json::json!({"id": format!("{}", 200_000_000_000_u64 + i as u64),
                    "name": format!("sso-{i:04}"), "state": "ACTIVE", "ou_path": [], "tags": {},
                    "roles": ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]})
            })
            .collect();
        sb.write(&sso_inventory_file("corp"), &inventory(sso));
    }
    sb.aws_config(&config);
    sb.hats_config(&hats);
    sb
}

/// One element per line: elements of the compact array all start with
/// `{"name":`, and `},{"name":` cannot occur inside a JSON string (its quotes
/// would be escaped), so the split is exact and reversible.
fn one_per_line(json: &str) -> String {
    json.replace("},{\"name\":", "},\n{\"name\":")
}

fn read_expected(name: &str) -> Option<String> {
    let path = golden_dir().join(name);
    let bytes = std::fs::read(&path).ok()?;
    if name.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        Some(text)
    } else {
        Some(String::from_utf8(bytes).unwrap())
    }
}

fn write_expected(name: &str, text: &str) {
    std::fs::create_dir_all(golden_dir()).unwrap();
    let path = golden_dir().join(name);
    if name.ends_with(".gz") {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(text.as_bytes()).unwrap();
        std::fs::write(path, encoder.finish().unwrap()).unwrap();
    } else {
        std::fs::write(path, text).unwrap();
    }
}

/// Compares `actual` with the golden file `name`, naming the first line that differs.
fn compare(name: &str, actual: &str) {
    if std::env::var_os("HATS_GOLDEN_WRITE").is_some() {
        write_expected(name, actual);
        return;
    }
    let expected = read_expected(name).unwrap_or_else(|| {
        panic!("tests/cli/golden/{name} is missing: run with HATS_GOLDEN_WRITE=1 to record it")
    });
    if expected == actual {
        return;
    }
    let (line, (want, got)) = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap_or((
            expected.lines().count().min(actual.lines().count()),
            ("(end)", "(end)"),
        ));
    panic!(
        "{name} differs at line {}:\nexpected: {want}\n     got: {got}\n({} lines expected, {} got)",
        line + 1,
        expected.lines().count(),
        actual.lines().count()
    );
}

fn ls_json(sb: &Sandbox) -> (String, String) {
    let run = sb.hats(&["ls", "--json"]);
    (one_per_line(&run.ok()), run.stderr())
}

#[test]
fn ls_json_of_a_mixed_configuration_is_unchanged() {
    let sb = mixed_sandbox();
    let (stdout, stderr) = ls_json(&sb);
    compare("mixed.ls.json", &stdout);
    // What is reported as broken, in order (the lines name the entries).
    let skipped: String = stderr
        .lines()
        .filter(|l| l.starts_with("hats: skipping"))
        .map(|l| format!("{l}\n"))
        .collect();
    compare("mixed.ls.stderr", &skipped);
}

#[test]
fn ls_json_of_the_benchs_15000_organization_targets_is_unchanged() {
    let (stdout, _) = ls_json(&bench_sandbox(5000, 0));
    assert_eq!(stdout.lines().count(), 15_000);
    compare("bench-org.ls.json.gz", &stdout);
}

#[test]
fn ls_json_of_the_benchs_15000_mixed_targets_is_unchanged() {
    let (stdout, _) = ls_json(&bench_sandbox(2500, 2500));
    assert_eq!(stdout.lines().count(), 15_000);
    compare("bench-mixed.ls.json.gz", &stdout);
}
