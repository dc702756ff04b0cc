//! `hats run` against moto with an organization of 32 accounts: selection,
//! each account reached exactly once (the AWS CLI inside the command says so),
//! one MFA code per run, --json read by Python, failures, the guard without a
//! terminal, throttled STS, the output modes and the history's run entries.
//! (The terminal's side: tests/cli/run_pty.rs.)

use crate::harness::{CREDENTIALS, Run, Sandbox, ThrottlingProxy, aws_cli, forget_all};
use std::collections::{BTreeMap, BTreeSet};

/// Member accounts the fixture creates: acct-00 … acct-31.
pub const MEMBERS: usize = 32;
/// Accounts the organization lists: the members and its management account
/// (moto's "master", at the root, untagged).
pub const ACCOUNTS: usize = MEMBERS + 1;

/// The standard fixture's `base` with an `mfa_process` that counts its runs in `~/mfa-runs`.
fn config_counting_codes(home: &std::path::Path) -> String {
    format!(
        "[profile base]\nregion = us-east-1\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
         mfa_process = echo run >> {}/mfa-runs; echo 123456\n",
        home.display()
    )
}

/// Organization discovery offers ReadOnly and Admin everywhere; Workloads/Prod is production.
const ORG_CONFIG: &str = r#"
[organization]
source = "base"
roles = ["ReadOnly", "Admin"]

[[organization.rule]]
ou = "Prod"
production = true
"#;

/// A sandbox with a keyring and an organization of [`MEMBERS`] accounts named
/// acct-00 … acct-31 (plus the management account): every fourth in Workloads/Prod (from acct-00), the next
/// in Workloads/Dev, the next in Sandbox, the rest at the root; even ones
/// tagged team=a, odd ones team=b. Synced, then every session forgotten and
/// the code counter reset, so a run starts from nothing. Returns name → id.
pub fn organization() -> (Sandbox, BTreeMap<String, String>) {
    let sb = Sandbox::new();
    sb.aws_config(&config_counting_codes(&sb.home));
    sb.credentials(CREDENTIALS);
    sb.hats_config(ORG_CONFIG);
    let script = format!(
        r#"
import boto3, sys
o = boto3.client("organizations", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="x")
o.create_organization(FeatureSet="ALL")
root = o.list_roots()["Roots"][0]["Id"]
work = o.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
ous = [o.create_organizational_unit(ParentId=work, Name="Prod")["OrganizationalUnit"]["Id"],
       o.create_organizational_unit(ParentId=work, Name="Dev")["OrganizationalUnit"]["Id"],
       o.create_organizational_unit(ParentId=root, Name="Sandbox")["OrganizationalUnit"]["Id"]]
for i in range({MEMBERS}):
    name = f"acct-{{i:02d}}"
    a = o.create_account(Email=f"{{name}}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
    if i % 4 < 3:
        o.move_account(AccountId=a, SourceParentId=root, DestinationParentId=ous[i % 4])
    o.tag_resource(ResourceId=a, Tags=[{{"Key": "team", "Value": "a" if i % 2 == 0 else "b"}}])
    print(name, a)
print("master", o.describe_organization()["Organization"]["MasterAccountId"])
"#
    );
    let accounts = sb
        .moto
        .python(&script)
        .lines()
        .map(|l| {
            let (n, id) = l.split_once(' ').unwrap();
            (n.to_owned(), id.to_owned())
        })
        .collect();
    sb.hats(&["org", "sync"]).ok();
    forget_all(&sb);
    let _ = std::fs::remove_file(sb.home.join("mfa-runs"));
    sb.moto.take_sts_calls();
    (sb, accounts)
}

/// How many times `mfa_process` ran.
pub fn codes_asked(sb: &Sandbox) -> usize {
    std::fs::read_to_string(sb.home.join("mfa-runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// `hats run ARGS` (ARGS end with `-- CMD …`).
fn run(sb: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    sb.hats(&all)
}

/// The targets `--dry-run` lists for a selection.
fn selected(sb: &Sandbox, selection: &[&str]) -> Vec<String> {
    let mut args = selection.to_vec();
    args.extend(["--dry-run", "--", "true"]);
    run(sb, &args)
        .ok()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

fn names(accounts: impl IntoIterator<Item = usize>, role: &str) -> Vec<String> {
    accounts
        .into_iter()
        .map(|i| format!("acct-{i:02}/{role}"))
        .collect()
}

#[test]
fn selection_by_name_pattern_ou_tag_and_role_is_exact() {
    let (sb, _) = organization();
    assert_eq!(selected(&sb, &["acct-05/Admin"]), names([5], "Admin"));
    assert_eq!(
        selected(&sb, &["acct-1[0-2]/*", "--role", "ReadOnly"]),
        names(10..=12, "ReadOnly"),
        "a pattern AND a role"
    );
    let prod: Vec<usize> = (0..MEMBERS).filter(|i| i % 4 == 0).collect();
    assert_eq!(
        selected(&sb, &["--ou", "Workloads/Prod", "--role", "ReadOnly"]),
        names(prod.clone(), "ReadOnly")
    );
    let workloads: Vec<usize> = (0..MEMBERS).filter(|i| i % 4 < 2).collect();
    assert_eq!(
        selected(&sb, &["--ou", "Workloads", "--role", "Admin"]),
        names(workloads, "Admin"),
        "an OU selects the OUs below it"
    );
    let prod_or_sandbox_team_b: Vec<usize> = (0..MEMBERS).filter(|i| i % 4 == 2 && i % 2 == 1).collect();
    assert!(
        prod_or_sandbox_team_b.is_empty(),
        "Sandbox holds even accounts only"
    );
    let team_b_prod_or_dev: Vec<usize> = (0..MEMBERS).filter(|i| i % 4 == 1).collect();
    assert_eq!(
        selected(
            &sb,
            &[
                "--ou",
                "Workloads/Prod",
                "--ou",
                "Workloads/Dev",
                "--tag",
                "team=b",
                "--role",
                "ReadOnly"
            ]
        ),
        names(team_b_prod_or_dev, "ReadOnly"),
        "OUs are alternatives; the tag narrows them"
    );
    let mut rest = names(30..MEMBERS, "Admin");
    rest.push("master/Admin".into());
    assert_eq!(
        selected(&sb, &["--all", "--role", "Admin", "--exclude", "acct-[0-2]*"]),
        rest
    );
    let fuzzy = run(&sb, &["acct-5/Admin", "--dry-run", "--", "true"]).fails();
    assert!(
        fuzzy.contains("no target is called \"acct-5/Admin\""),
        "never a fuzzy match: {fuzzy}"
    );
    // Two roles per account, and base's own MFA session.
    let empty = run(&sb, &["--ou", "Workloads/Prod", "--tag", "team=b", "--", "true"]).fails();
    assert!(
        empty.contains(&format!(
            "--ou \"Workloads/Prod\" leaves 16 of {}, then --tag \"team=b\" leaves 0 of 16",
            2 * ACCOUNTS + 1
        )),
        "{empty}"
    );
    assert!(
        sb.moto.take_sts_calls().is_empty(),
        "selection and --dry-run call nothing"
    );
}

#[test]
fn every_account_is_reached_exactly_once_with_one_mfa_code_and_json_python_reads() {
    let (sb, accounts) = organization();
    let aws = aws_cli();
    let out = run(
        &sb,
        &[
            "--all",
            "--role",
            "ReadOnly",
            "--yes",
            "--json",
            "--",
            aws.to_str().unwrap(),
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    assert_eq!(codes_asked(&sb), 1, "one MFA code for the whole run");
    let calls = sb.moto.take_actions();
    let count = |action: &str| calls.iter().filter(|c| *c == action).count();
    assert_eq!(count("GetSessionToken"), 1);
    assert_eq!(count("AssumeRole"), ACCOUNTS);
    assert_eq!(count("GetCallerIdentity"), ACCOUNTS);
    // Python reads the JSON lines and reports the account each command reached.
    let python = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
    let script = r#"
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    arn = json.loads(o["stdout"])["Arn"]
    assert o["exit_code"] == 0 and o["duration_ms"] >= 0 and "error" not in o, o
    print(o["target"], o["account_id"], o["account_name"], o["region"], arn.split(":")[4], arn.split("/")[1])
"#;
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), out.stdout().as_bytes()).unwrap();
    let parsed = child.wait_with_output().unwrap();
    assert!(parsed.status.success(), "Python could not read the JSON lines");
    let mut reached = BTreeMap::new();
    for line in String::from_utf8(parsed.stdout).unwrap().lines() {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f[0], format!("{}/ReadOnly", f[2]));
        assert_eq!(f[1], accounts[f[2]], "the id hats names is the account's");
        assert_eq!(f[4], f[1], "the command's credentials are that account's");
        assert_eq!(f[5], "ReadOnly");
        assert_eq!(f[3], "us-east-1");
        *reached.entry(f[1].to_owned()).or_insert(0) += 1;
    }
    assert_eq!(reached.len(), ACCOUNTS, "every account");
    assert!(
        reached.values().all(|n| *n == 1),
        "exactly once each: {reached:?}"
    );
    let again = run(&sb, &["--all", "--role", "ReadOnly", "--yes", "--", "true"]);
    assert_eq!(again.code(), Some(0), "{}", again.stderr());
    assert!(
        sb.moto.take_actions().is_empty(),
        "a second run is served from the cache"
    );
    assert_eq!(codes_asked(&sb), 1);
}

#[test]
fn failures_give_exit_1_and_a_table_naming_them_while_the_others_run() {
    let (sb, _) = organization();
    let script = "case $HATS_ACCOUNT_NAME in acct-03|acct-07) echo \"broken in $HATS_ACCOUNT_ID\" >&2; exit 3;; esac; \
                  echo \"fine $HATS_TARGET $AWS_REGION\"";
    let out = run(
        &sb,
        &["--all", "--role", "Admin", "--yes", "--", "sh", "-c", script],
    );
    assert_eq!(out.code(), Some(1), "{}", out.stderr());
    let stdout = out.stdout();
    assert_eq!(
        stdout.lines().filter(|l| l.contains("| fine ")).count(),
        ACCOUNTS - 2
    );
    let stderr = out.stderr();
    // The failure table's rows (the commands' own stderr lines carry " | ").
    let rows: Vec<&str> = stderr.lines().filter(|l| !l.contains(" | ")).collect();
    let row = rows
        .iter()
        .find(|l| l.starts_with("acct-03/Admin "))
        .unwrap_or_else(|| panic!("no row for acct-03: {stderr}"));
    assert!(row.contains("exit 3") && row.contains("broken in"), "{row}");
    assert!(
        rows.iter()
            .any(|l| l.starts_with("acct-07/Admin ") && l.contains("exit 3"))
    );
    assert_eq!(
        rows.iter().filter(|l| l.contains("exit ")).count(),
        2,
        "only the failures: {stderr}"
    );
    assert!(
        stderr.contains(&format!("{ACCOUNTS} of {ACCOUNTS} commands ran"))
            && stderr.contains(&format!("{} ok, 2 failed", ACCOUNTS - 2)),
        "{stderr}"
    );
}

#[test]
fn without_a_terminal_production_targets_need_yes_and_nothing_runs_before() {
    let (sb, _) = organization();
    let refused = run(
        &sb,
        &["--ou", "Workloads", "--role", "ReadOnly", "--", "touch", "ran"],
    );
    let err = refused.fails();
    assert!(
        err.contains("the selection holds 8 production targets (\"acct-00/ReadOnly\", \"acct-04/ReadOnly\", \"acct-08/ReadOnly\", 5 more)")
            && err.contains("pass --yes"),
        "{err}"
    );
    assert!(!sb.home.join("ran").exists());
    assert!(sb.moto.take_sts_calls().is_empty(), "refused before any call");
    assert_eq!(codes_asked(&sb), 0);
    let dev = run(
        &sb,
        &["--ou", "Workloads/Dev", "--role", "ReadOnly", "--", "true"],
    );
    assert_eq!(
        dev.code(),
        Some(0),
        "no production target, no question: {}",
        dev.stderr()
    );
}

#[test]
fn throttled_sts_is_retried_with_backoff_until_every_target_has_credentials() {
    let (mut sb, accounts) = organization();
    // The run resolves the first target of the MFA group alone (so the code is
    // asked once); done here beforehand, the throttling meets the targets that
    // are resolved side by side.
    sb.hats(&["exec", "acct-00/ReadOnly", "--", "true"]).ok();
    let proxy = ThrottlingProxy::sts(sb.moto.port, 40);
    sb.set_env("AWS_ENDPOINT_URL", &proxy.endpoint());
    let out = run(
        &sb,
        &[
            "--all",
            "--role",
            "ReadOnly",
            "--yes",
            "--",
            "sh",
            "-c",
            "echo $HATS_ACCOUNT_ID",
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    assert_eq!(
        proxy.throttled.load(std::sync::atomic::Ordering::SeqCst),
        40,
        "AssumeRole was throttled 40 times"
    );
    let ids: BTreeSet<String> = out
        .stdout()
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(ids, accounts.values().cloned().collect());
}

#[test]
fn a_region_matrix_runs_each_target_in_each_region_with_one_session_per_target() {
    let (sb, _) = organization();
    let out = run(
        &sb,
        &[
            "acct-0[1-3]/ReadOnly",
            "--region",
            "eu-west-1",
            "--region",
            "ap-south-1",
            "--",
            "sh",
            "-c",
            "echo $AWS_REGION $AWS_DEFAULT_REGION",
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    let mut lines: Vec<String> = out
        .stdout()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    lines.sort();
    let mut wanted = Vec::new();
    for i in 1..=3 {
        for region in ["ap-south-1", "eu-west-1"] {
            wanted.push(format!("acct-0{i}/ReadOnly {region} | {region} {region}"));
        }
    }
    assert_eq!(lines, wanted);
    let calls = sb.moto.take_actions();
    assert_eq!(
        calls.iter().filter(|c| *c == "AssumeRole").count(),
        3,
        "one session per target"
    );
}
