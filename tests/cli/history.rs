//! The hand-out history records only hand-outs that happened: not exports
//! that could not be written, nor a command that could not be started.

use crate::harness::Sandbox;
use std::process::Stdio;

/// The `how` and `target` of every history line.
fn recorded(sb: &Sandbox) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(sb.home.join(".local/share/hats/history.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["how"].as_str().unwrap().to_owned(),
                v["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn exports_that_could_not_be_written_are_not_recorded() {
    let sb = Sandbox::standard(false);
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    for command in [&["env", "plain-role"][..], &["credential-process", "plain-role"]] {
        let out = sb
            .command(crate::harness::HATS)
            .args(command)
            .stdout(Stdio::from(full.try_clone().unwrap()))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command:?} into /dev/full must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("No space left on device"), "{err}");
    }
    assert!(recorded(&sb).is_empty(), "{:?}", recorded(&sb));
    sb.hats(&["env", "plain-role"]).ok();
    assert_eq!(recorded(&sb), [("env".to_owned(), "plain-role".to_owned())]);
}

#[test]
fn a_command_that_could_not_be_started_is_not_recorded() {
    let sb = Sandbox::standard(false);
    for serve in [false, true] {
        let mut args = vec!["exec", "plain-role"];
        if serve {
            args.push("--serve");
        }
        args.extend(["--", "no-such-program-hats-test"]);
        let err = sb.hats(&args).fails();
        assert!(err.contains("no-such-program-hats-test"), "{err}");
        let not_executable = sb.write("not-executable", "#!/bin/sh\n");
        let path = not_executable.display().to_string();
        args.pop();
        args.push(&path);
        let err = sb.hats(&args).fails();
        assert!(err.contains("not-executable"), "{err}");
    }
    assert!(recorded(&sb).is_empty(), "{:?}", recorded(&sb));
    sb.hats(&["exec", "plain-role", "--", "true"]).ok();
    sb.hats(&["exec", "plain-role", "--serve", "--", "true"]).ok();
    let hows: Vec<String> = recorded(&sb).into_iter().map(|(how, _)| how).collect();
    assert_eq!(hows, ["exec", "serve"]);
}

#[test]
fn a_history_that_cannot_be_read_is_named_as_such_not_as_output() {
    let sb = Sandbox::standard(false);
    // A directory where the file should be: reading it fails on any user, root included.
    std::fs::create_dir_all(sb.home.join(".local/share/hats/history.jsonl")).unwrap();
    let err = sb.hats(&["history"]).fails();
    assert!(
        err.starts_with("hats: cannot read the hand-out history: "),
        "{err}"
    );
    assert!(!err.contains("cannot write output"), "{err}");
}
