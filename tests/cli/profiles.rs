//! `hats profiles sync|print`: a profile per target in the AWS config, the
//! user's text kept byte for byte, and real AWS tools going through hats.

use crate::harness::{HATS, Sandbox};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

const BEGIN: &str = "# >>> hats profiles";
const END: &str = "# <<< hats profiles <<<\n";

/// The standard fixture with comments and odd spacing the sync must keep.
fn sandbox() -> Sandbox {
    let sb = Sandbox::standard(false);
    let config = format!(
        "# my own notes ; keep\n{}\n[profile   tools]   # trailing comment\nregion=us-west-2",
        crate::harness::AWS_CONFIG
    );
    sb.aws_config(&config);
    sb
}

fn config(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.home.join(".aws/config")).unwrap()
}

fn hats_path() -> String {
    std::fs::canonicalize(HATS).unwrap().display().to_string()
}

#[test]
fn sync_writes_one_block_with_a_profile_per_target_and_keeps_the_rest_byte_for_byte() {
    let sb = sandbox();
    let before = config(&sb);
    let err = sb.hats(&["profiles", "sync"]);
    err.ok();
    assert!(
        err.stderr()
            .contains("7 hats profiles (7 added, 0 changed, 0 removed)"),
        "{}",
        err.stderr()
    );
    let after = config(&sb);
    // Outside the block nothing changed: the file is the old text, a newline
    // (it had none at the end) and a blank line, then the block.
    let (head, block) = after.split_at(after.find(BEGIN).expect("a block"));
    assert_eq!(head, format!("{before}\n\n"));
    assert!(block.ends_with(END), "{block}");
    let hats = hats_path();
    for (name, target, region) in [
        ("hats-prod", "prod", Some("eu-west-1")),
        // Targets without a region get the one hats uses for them (no [default] here).
        ("hats-staging", "staging", Some("us-east-1")),
        ("hats-chained", "chained", Some("us-east-1")),
        ("hats-plain-role", "plain-role", Some("us-east-1")),
        ("hats-base", "base", Some("us-east-1")),
        ("hats-data.Analyst", "data/Analyst", Some("ap-southeast-2")),
        ("hats-data.Admin", "data/Admin", Some("ap-southeast-2")),
    ] {
        let mut section =
            format!("[profile {name}]\ncredential_process = {hats} credential-process {target}\n");
        if let Some(region) = region {
            section.push_str(&format!("region = {region}\n"));
        }
        section.push('\n');
        assert!(block.contains(&section), "missing {section:?} in:\n{block}");
    }
    assert_eq!(block.matches("[profile ").count(), 7, "{block}");
    for secret in [
        "aws_secret_access_key",
        "aws_session_token",
        "wJalrXUtnFEMI",
        "AKIA",
    ] {
        assert!(!block.contains(secret), "{secret} in the block");
    }
    // `print` writes the same block.
    assert_eq!(sb.hats(&["profiles", "print"]).ok(), block);
}

#[test]
fn a_second_sync_that_changes_nothing_does_not_rewrite_the_file() {
    let sb = sandbox();
    sb.hats(&["profiles", "sync"]).ok();
    let path = sb.home.join(".aws/config");
    // An old mtime, so a rewrite would show whatever the clock's granularity.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let before = std::fs::metadata(&path).unwrap();
    let run = sb.hats(&["profiles", "sync"]);
    run.ok();
    assert!(run.stderr().contains("7 profiles in"), "{}", run.stderr());
    assert!(run.stderr().contains("are up to date"), "{}", run.stderr());
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!(after.ino(), before.ino(), "the file was replaced");
    assert_eq!(after.modified().unwrap(), old, "the file was rewritten");
}

#[test]
fn a_target_that_is_gone_loses_its_profile_and_the_others_stay() {
    let sb = sandbox();
    sb.hats(&["profiles", "sync"]).ok();
    // The user deletes [profile staging] (outside the block).
    let text = config(&sb).replace(
        "[profile staging]\nrole_arn = arn:aws:iam::333333333333:role/Developer\nsource_profile = base\n",
        "",
    );
    std::fs::write(sb.home.join(".aws/config"), &text).unwrap();
    let run = sb.hats(&["profiles", "sync"]);
    run.ok();
    assert!(
        run.stderr()
            .contains("6 hats profiles (0 added, 0 changed, 1 removed)"),
        "{}",
        run.stderr()
    );
    let after = config(&sb);
    assert!(!after.contains("[profile hats-staging]"), "{after}");
    assert!(after.contains("[profile hats-prod]"), "{after}");
    // Only the block changed.
    let cut = |s: &str| s[..s.find(BEGIN).unwrap()].to_owned();
    assert_eq!(cut(&after), cut(&text));
    assert!(after.ends_with(END));
}

#[test]
fn a_generated_name_already_used_outside_the_block_is_refused_naming_it() {
    let sb = sandbox();
    let text = format!("{}\n[profile hats-prod]\nregion = us-east-1\n", config(&sb));
    std::fs::write(sb.home.join(".aws/config"), &text).unwrap();
    let err = sb.hats(&["profiles", "sync"]).fails();
    assert!(
        err.contains("a profile named \"hats-prod\" already exists outside hats' block"),
        "{err}"
    );
    let line = text.lines().position(|l| l == "[profile hats-prod]").unwrap() + 1;
    assert!(err.contains(&format!("line {line}:")), "{err}");
    assert!(err.contains("--prefix"), "{err}");
    assert_eq!(config(&sb), text, "nothing may be written");
    // Another prefix avoids it.
    sb.hats(&["profiles", "sync", "--prefix", "h."]).ok();
    assert!(config(&sb).contains("[profile h.prod]"));
}

#[test]
fn dry_run_prints_the_diff_and_leaves_the_file_alone() {
    let sb = sandbox();
    sb.hats(&["profiles", "sync"]).ok();
    let text = config(&sb).replace("[profile staging]\n", "[profile renamed]\n");
    std::fs::write(sb.home.join(".aws/config"), &text).unwrap();
    let run = sb.hats(&["profiles", "sync", "--dry-run"]);
    let diff = run.ok();
    let hats = hats_path();
    assert!(diff.starts_with("--- "), "{diff}");
    assert!(diff.contains("\n+[profile hats-renamed]\n"), "{diff}");
    assert!(
        diff.contains(&format!(
            "\n+credential_process = {hats} credential-process renamed\n"
        )),
        "{diff}"
    );
    assert!(diff.contains("\n-[profile hats-staging]\n"), "{diff}");
    assert!(!diff.contains("\n-[profile hats-prod]"), "{diff}");
    assert!(run.stderr().contains("dry run"), "{}", run.stderr());
    assert_eq!(config(&sb), text);
}

#[test]
fn the_file_is_replaced_atomically_and_keeps_its_mode() {
    let sb = sandbox();
    let path = sb.home.join(".aws/config");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&path).unwrap().ino();
    sb.hats(&["profiles", "sync"]).ok();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert_ne!(meta.ino(), before, "written in place, not renamed over");
    let leftovers: Vec<_> = std::fs::read_dir(sb.home.join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn hats_lists_each_target_once_after_a_sync() {
    let sb = sandbox();
    let names = |sb: &Sandbox| {
        let json: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
        let mut names: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let before = names(&sb);
    sb.hats(&["profiles", "sync"]).ok();
    assert_eq!(names(&sb), before);
    let run = sb.hats(&["ls"]);
    run.ok();
    assert!(!run.stderr().contains("hats-"), "{}", run.stderr());
}

#[test]
fn the_aws_cli_uses_a_synced_profile_through_hats() {
    let sb = sandbox();
    sb.hats(&["profiles", "sync"]).ok();
    let out = sb
        .command(crate::harness::aws_cli())
        .args(["sts", "get-caller-identity", "--output", "json"])
        .env("AWS_PROFILE", "hats-plain-role")
        // plain-role names no region: the synced profile names the one hats uses.
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let identity: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // plain-role's own session name: the credentials came from hats' AssumeRole.
    let arn = identity["Arn"].as_str().unwrap();
    assert!(arn.ends_with(":assumed-role/ReadOnly/ci-runner"), "{arn}");
    assert_eq!(identity["Account"], "222222222222");
    let history = sb.hats(&["history", "--json"]).ok();
    assert!(history.contains("\"credential-process\""), "{history}");
    assert!(history.contains("\"plain-role\""), "{history}");
}

#[test]
fn half_a_block_is_refused_and_nothing_is_written() {
    let sb = sandbox();
    let text = format!(
        "{}\n# >>> hats profiles: written by `hats profiles sync`; edits inside this block are replaced >>>\n[profile hats-x]\n",
        config(&sb)
    );
    std::fs::write(sb.home.join(".aws/config"), &text).unwrap();
    let err = sb.hats(&["profiles", "sync"]).fails();
    assert!(err.contains("begins here but never ends"), "{err}");
    assert_eq!(config(&sb), text);
}

#[test]
fn a_region_less_target_gets_the_default_region_of_the_aws_config() {
    let sb = sandbox();
    let text = format!("[default]\nregion = eu-central-1\n\n{}", config(&sb));
    std::fs::write(sb.home.join(".aws/config"), &text).unwrap();
    sb.hats(&["profiles", "sync"]).ok();
    let after = config(&sb);
    let section = |name: &str| {
        let start = after.find(&format!("[profile {name}]\n")).unwrap();
        after[start..].split("\n\n").next().unwrap().to_owned()
    };
    assert!(
        section("hats-staging").ends_with("region = eu-central-1"),
        "{after}"
    );
    // A target's own region is kept.
    assert!(section("hats-prod").ends_with("region = eu-west-1"), "{after}");
}

#[test]
fn a_profile_appended_while_sync_writes_is_kept() {
    let mut sb = sandbox();
    // Appended once, between hats' read of the file and its rename (a debug-build hook).
    let appended = "\n[profile added-meanwhile]\nregion = eu-north-1\n";
    sb.set_env("HATS_TEST_APPEND_BEFORE_REPLACE", appended);
    let run = sb.hats(&["profiles", "sync"]);
    run.ok();
    let after = config(&sb);
    assert!(
        after.contains("[profile added-meanwhile]\nregion = eu-north-1\n"),
        "{after}"
    );
    assert!(after.contains("[profile hats-prod]"), "{after}");
    assert_eq!(after.matches(BEGIN).count(), 1, "{after}");
    // Outside the block: the original text, then what was appended.
    let head = &after[..after.find(BEGIN).unwrap()];
    assert!(head.contains("[profile   tools]"), "{head}");
    assert!(head.contains("[profile added-meanwhile]"), "{head}");
}
