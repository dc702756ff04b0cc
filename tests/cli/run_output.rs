//! Where `hats run` puts output: whole prefixed lines however many commands
//! write at once, blocks (`--group`), private files (`--output-dir`), JSON with
//! errors; `--timeout` ends a command's whole process group; the history ties
//! a run's hand-outs together by its id.

use crate::harness::Run;
use crate::run::organization;

fn run(sb: &crate::harness::Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    sb.hats(&all)
}

/// Prints 300 lines of about 2 KB each, numbered, naming the account.
const CHATTY: &str = r#"pad=$(printf '%2000s' '' | tr ' ' x); i=0; while [ $i -lt 300 ]; do echo "$HATS_ACCOUNT_NAME-$pad-$i"; i=$((i+1)); done"#;

#[test]
fn lines_of_commands_writing_at_once_are_never_mixed() {
    let (sb, _) = organization();
    let out = run(
        &sb,
        &[
            "acct-0[1-9]/ReadOnly",
            "--yes",
            "-j",
            "9",
            "--",
            "sh",
            "-c",
            CHATTY,
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    let pad = "x".repeat(2000);
    let mut next = std::collections::BTreeMap::new();
    for line in out.stdout().lines() {
        let (label, text) = line
            .split_once(" | ")
            .unwrap_or_else(|| panic!("not prefixed: {line:.80}"));
        let account = label.trim().strip_suffix("/ReadOnly").unwrap();
        let seen = next.entry(account.to_owned()).or_insert(0);
        assert_eq!(
            text,
            format!("{account}-{pad}-{seen}"),
            "a whole line of its own target, in order"
        );
        *seen += 1;
    }
    assert_eq!(next.len(), 9);
    assert!(next.values().all(|n| *n == 300), "{next:?}");
}

#[test]
fn group_prints_each_target_as_one_block() {
    let (sb, _) = organization();
    let out = run(
        &sb,
        &[
            "acct-0[1-4]/ReadOnly",
            "--yes",
            "--group",
            "--",
            "sh",
            "-c",
            "echo one $HATS_ACCOUNT_NAME; sleep 0.2; echo two $HATS_ACCOUNT_NAME",
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    let stdout = out.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 12, "{stdout}");
    for block in lines.chunks(3) {
        let account = block[0]
            .strip_prefix("== ")
            .and_then(|h| h.split_once("/ReadOnly (exit 0, "))
            .map(|(a, _)| a)
            .unwrap_or_else(|| panic!("not a header: {}", block[0]));
        assert_eq!(block[1], format!("one {account}"));
        assert_eq!(block[2], format!("two {account}"));
    }
}

#[test]
fn output_dir_writes_private_files_per_target_and_prints_only_the_summary() {
    let (sb, _) = organization();
    let dir = sb.home.join("outputs");
    let out = run(
        &sb,
        &[
            "acct-0[1-2]/ReadOnly",
            "--output-dir",
            dir.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "echo out $HATS_ACCOUNT_NAME; echo err $HATS_ACCOUNT_NAME >&2",
        ],
    );
    assert_eq!(out.code(), Some(0), "{}", out.stderr());
    assert_eq!(out.stdout(), "");
    assert!(out.stderr().contains("2 of 2 commands ran"), "{}", out.stderr());
    for account in ["acct-01", "acct-02"] {
        let file = |ext: &str| dir.join(format!("{account}.ReadOnly.{ext}"));
        assert_eq!(
            std::fs::read_to_string(file("out")).unwrap(),
            format!("out {account}\n")
        );
        assert_eq!(
            std::fs::read_to_string(file("err")).unwrap(),
            format!("err {account}\n")
        );
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(file("out")).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn json_names_targets_without_credentials_and_timeouts_end_the_whole_group() {
    let (sb, _) = organization();
    let config = std::fs::read_to_string(sb.home.join(".aws/config")).unwrap();
    sb.aws_config(&format!(
        "{config}\n[profile nokeys]\nregion = us-east-1\n\n[profile lost]\nrole_arn = arn:aws:iam::999999999999:role/X\nsource_profile = nokeys\n"
    ));
    let out = run(
        &sb,
        &[
            "lost",
            "acct-01/ReadOnly",
            "--json",
            "--timeout",
            "1s",
            "--",
            "sh",
            "-c",
            "echo begun; sleep 3141592",
        ],
    );
    assert_eq!(out.code(), Some(1), "{}", out.stderr());
    let objects: Vec<serde_json::Value> = out
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by = |name: &str| objects.iter().find(|o| o["target"] == name).unwrap().clone();
    let lost = by("lost");
    assert!(
        lost["error"]
            .as_str()
            .unwrap()
            .starts_with("no credentials: cannot get credentials from profile \"nokeys\""),
        "{lost}"
    );
    assert!(lost["exit_code"].is_null() && lost.get("stdout").is_none());
    let slow = by("acct-01/ReadOnly");
    assert_eq!(slow["error"], "timed out after 1.0s");
    assert_eq!(slow["stdout"], "begun\n");
    assert_eq!(slow["account_name"], "acct-01");
    let left = std::process::Command::new("pgrep")
        .args(["-f", "sleep 3141592"])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "the timeout ended the command's children too"
    );
    assert!(out.stderr().contains("timed out (1.0s)"), "{}", out.stderr());
}

#[test]
fn history_shows_a_run_as_one_entry_that_its_id_expands() {
    let (sb, _) = organization();
    run(&sb, &["acct-0[1-3]/ReadOnly", "--", "true"]).ok();
    sb.hats(&["env", "acct-05/ReadOnly"]).ok();
    let table = sb.hats(&["history"]).ok();
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(rows[0].contains(" run ") && rows[0].contains("3 targets, 3 commands: hats history --run "));
    assert!(rows[1].contains(" env ") && rows[1].contains("acct-05/ReadOnly"));
    let id = rows[0]
        .rsplit("--run ")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let expanded = sb.hats(&["history", "--run", id]).ok();
    let targets: Vec<&str> = expanded
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(3).unwrap())
        .collect();
    assert_eq!(targets.len(), 3, "{expanded}");
    for t in ["acct-01/ReadOnly", "acct-02/ReadOnly", "acct-03/ReadOnly"] {
        assert!(targets.contains(&t), "{expanded}");
    }
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["history", "--json"]).ok()).unwrap();
    let with_id = json.as_array().unwrap().iter().filter(|r| r["run"] == id).count();
    assert_eq!(with_id, 3);
    let unknown = sb.hats(&["history", "--run", "nope"]).fails();
    assert!(unknown.contains("no hand-outs of run \"nope\""), "{unknown}");
}
