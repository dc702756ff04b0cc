//! What hats says when a command cannot do what was asked: the message names what
//! is missing and how to get it, and never misleads about what happened.

use crate::harness::Sandbox;

#[test]
fn org_sync_without_an_organization_says_none_is_configured_and_shows_how() {
    let sb = Sandbox::standard(false);
    let err = sb.hats(&["org", "sync"]).fails();
    assert!(
        err.starts_with(
            "hats: no organization is configured; add an [organization] section to hats config \""
        ),
        "{err}"
    );
    assert!(err.contains(".config/hats/config.toml"), "{err}");
    assert!(
        err.contains("\n  [organization]\n  source = \"mgmt\""),
        "a snippet to copy: {err}"
    );
    assert!(!err.contains("sync failed"), "nothing was tried: {err}");
    assert!(sb.moto.take_actions().is_empty(), "no call was made");
}

#[test]
fn history_with_a_window_says_nothing_is_in_it_rather_than_nothing_recorded() {
    let sb = Sandbox::standard(false);
    sb.write(
        ".local/share/hats/history.jsonl",
        "{\"time\":\"2020-01-01T00:00:00Z\",\"target\":\"prod\",\"expires\":\"2020-01-01T01:00:00Z\",\"how\":\"env\"}\n",
    );
    let all = sb.hats(&["history"]).ok();
    assert!(all.contains("prod"), "{all}");
    let recent = sb.hats(&["history", "--since", "1s"]).ok();
    assert!(
        recent.contains("(no hand-outs in the last 1s; 1 older recorded: drop --since to see them)"),
        "{recent}"
    );
    assert!(!recent.contains("recorded yet"), "{recent}");

    let empty = Sandbox::standard(false);
    let none = empty.hats(&["history", "--since", "1s"]).ok();
    assert!(none.contains("(no hand-outs recorded yet)"), "{none}");
}

#[test]
fn completions_into_a_closed_pipe_end_quietly_like_every_command() {
    let sb = Sandbox::standard(false);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        // The reader is gone before hats starts: the first write meets a closed pipe.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sb
            .command(crate::harness::HATS)
            .args(["completions", shell])
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{shell}: {stderr}");
        assert!(stderr.is_empty(), "{shell}: {stderr}");
    }
}

#[test]
fn a_command_typed_without_dashes_gets_the_line_with_them() {
    let sb = Sandbox::standard(false);
    let err = sb.hats(&["exec", "prod", "ls", "-la"]).fails();
    assert!(err.contains("unexpected argument 'ls'"), "{err}");
    assert!(
        err.contains("tip: the command to run goes after '--': 'hats exec prod -- ls -la'"),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_target_typed_as_a_subcommand_gets_shell_and_exec_suggested() {
    let sb = Sandbox::standard(false);
    let err = sb.hats(&["prod"]).fails();
    assert!(err.contains("unrecognized subcommand 'prod'"), "{err}");
    assert!(
        err.contains(
            "tip: \"prod\" is a target: 'hats shell prod' opens a shell with its credentials, \
             'hats exec prod -- CMD' runs a command"
        ),
        "{err}"
    );
    // Close to a target name (and to no subcommand): the target is suggested.
    let err = sb.hats(&["stagin"]).fails();
    assert!(
        err.contains("tip: a similar target exists, \"staging\": 'hats shell staging'"),
        "{err}"
    );
    // Neither: clap's own message, nothing invented.
    let err = sb.hats(&["zzzzzz"]).fails();
    assert!(!err.contains("target"), "{err}");
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_region_that_is_not_a_region_name_is_refused_before_any_call() {
    let sb = Sandbox::standard(false);
    for args in [
        &["env", "prod", "--region", "eu west 1"][..],
        &["exec", "prod", "--region", "EU-WEST-1", "--", "true"],
        &["shell", "prod", "--region", "eu-west"],
        &["login", "prod", "--print", "--region", "local"],
    ] {
        let err = sb.hats(args).fails();
        let region = args[args.iter().position(|a| *a == "--region").unwrap() + 1];
        assert!(
            err.contains(&format!(
                "region \"{region}\" is not a region name such as eu-west-1 or us-gov-west-1"
            )),
            "{args:?}: {err}"
        );
    }
    assert!(sb.moto.take_actions().is_empty(), "bad input must not reach STS");
    for region in ["us-isob-east-1", "il-central-1"] {
        let env = sb
            .hats(&["env", "plain-role", "--region", region, "-f", "json"])
            .ok();
        assert!(env.contains(&format!("\"AWS_REGION\": \"{region}\"")), "{env}");
    }
    sb.moto.take_actions();
    // GovCloud and China region names pass the form check too; for this
    // commercial role they are then refused as another partition's.
    for region in ["us-gov-west-1", "cn-north-1"] {
        let err = sb.hats(&["env", "plain-role", "--region", region]).fails();
        assert!(
            err.contains(&format!("region \"{region}\" is in the aws-")),
            "{region}: {err}"
        );
    }
    assert!(
        sb.moto.take_actions().is_empty(),
        "another partition's region must not reach STS"
    );
}

/// Every subcommand's `--help`, including `org sync`.
const SUBCOMMANDS: &[&[&str]] = &[
    &["ls"],
    &["exec"],
    &["shell"],
    &["env"],
    &["serve"],
    &["eks"],
    &["eks", "token"],
    &["eks", "kubeconfig"],
    &["credential-process"],
    &["whoami"],
    &["login"],
    &["history"],
    &["forget"],
    &["org"],
    &["org", "sync"],
    &["sso"],
    &["sso", "login"],
    &["sso", "logout"],
    &["sso", "status"],
    &["completions"],
];

#[test]
fn every_subcommand_help_has_one_shape() {
    let sb = Sandbox::standard(false);
    for words in SUBCOMMANDS {
        let mut args = words.to_vec();
        args.push("--help");
        let help = sb.hats(&args).ok();
        let lines: Vec<&str> = help.lines().collect();
        let name = words.join(" ");
        // About (one line), blank, usage, blank, then sections.
        assert!(
            !lines[0].is_empty() && lines[1].is_empty(),
            "{name}: about is one line:\n{help}"
        );
        assert!(
            lines[2].starts_with(&format!("Usage: hats {name} ")),
            "{name}:\n{help}"
        );
        let sections: Vec<&str> = lines
            .iter()
            .filter(|l| l.ends_with(':') && !l.starts_with(' '))
            .copied()
            .collect();
        let expected: &[&str] = match sections.as_slice() {
            [_, _, _] => &["Commands:", "Options:"],
            [_, _] if sections[0] == "Arguments:" => &["Arguments:", "Options:"],
            _ => &["Options:"],
        };
        assert_eq!(
            &sections[sections.len() - expected.len()..],
            expected,
            "{name}:\n{help}"
        );
        // Each option's help starts on its own line, as in every other command.
        let options = help.split("\nOptions:\n").nth(1).unwrap();
        for line in options.lines().take_while(|l| !l.is_empty()) {
            let flag = line.trim_start();
            if flag.starts_with('-') {
                assert!(
                    flag.contains("  "),
                    "{name}: option without help on its line: {line:?}\n{help}"
                );
            }
        }
        let last = options.lines().rfind(|l| l.trim_start().starts_with('-'));
        assert!(
            last.is_some_and(|l| l.trim_start().starts_with("-h, --help")),
            "{name}: --help comes last:\n{help}"
        );
    }
}

#[test]
fn org_sync_help_lists_only_what_applies_to_it() {
    let sb = Sandbox::standard(false);
    let help = sb.hats(&["org", "sync", "--help"]).ok();
    for flag in ["--policy", "--policy-arn", "--preset", "--duration", "--region"] {
        assert!(!help.contains(flag), "{flag} does not apply to org sync:\n{help}");
    }
    assert!(
        help.contains("--mfa-code") && help.contains("--no-cache"),
        "{help}"
    );
    let err = sb.hats(&["org", "sync", "--preset", "readonly"]).fails();
    assert!(err.contains("unexpected argument '--preset'"), "{err}");
}

#[test]
fn a_shell_that_cannot_run_falls_back_to_bin_sh_before_the_banner() {
    for broken in ["/nonexistent", "not-executable", "no-such-shell-hats"] {
        let mut sb = Sandbox::standard(false);
        // A file that exists but has no execute permission.
        let plain = sb.write("not-executable", "echo never\n");
        let broken = if broken == "not-executable" {
            plain.to_str().unwrap()
        } else {
            broken
        };
        sb.set_env("SHELL", broken);
        let mut child = sb
            .command(crate::harness::HATS)
            .args(["shell", "plain-role"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut child.stdin.take().unwrap(),
            b"echo \"in=$HATS_TARGET\"; exit 3\n",
        )
        .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{broken}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "in=plain-role");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            lines[0],
            format!("hats: $SHELL \"{broken}\" is not a program that can run; using /bin/sh"),
            "{stderr}"
        );
        assert!(lines[1].contains("shell for \"plain-role\""), "{stderr}");
    }
}

#[test]
fn json_and_dotenv_carry_the_region_the_child_would_see_from_default() {
    let mut sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "[default]\nregion = ca-central-1\n\n{}",
        crate::harness::AWS_CONFIG
    ));
    let json: serde_json::Value =
        serde_json::from_str(&sb.hats(&["env", "plain-role", "-f", "json"]).ok()).unwrap();
    assert_eq!(json["AWS_REGION"], "ca-central-1", "{json}");
    assert_eq!(json["AWS_DEFAULT_REGION"], "ca-central-1", "{json}");
    let dotenv = sb.hats(&["env", "plain-role", "-f", "dotenv"]).ok();
    assert!(
        dotenv.contains("AWS_REGION=\"ca-central-1\"\nAWS_DEFAULT_REGION=\"ca-central-1\"\n"),
        "{dotenv}"
    );
    // A shell evaluating exports reads the config itself: nothing added there.
    let sh = sb.hats(&["env", "plain-role"]).ok();
    assert!(!sh.contains("AWS_REGION"), "{sh}");
    // --region and the target's own region still win.
    let own = sb
        .hats(&["env", "plain-role", "-f", "dotenv", "--region", "eu-north-1"])
        .ok();
    assert!(own.contains("AWS_REGION=\"eu-north-1\""), "{own}");
    // The region in the environment is what the child would see first.
    sb.set_env("AWS_REGION", "sa-east-1");
    let json: serde_json::Value =
        serde_json::from_str(&sb.hats(&["env", "plain-role", "-f", "json"]).ok()).unwrap();
    assert_eq!(json["AWS_REGION"], "sa-east-1", "{json}");
}

#[test]
fn a_complete_variable_meant_for_another_program_does_not_change_a_hats_run() {
    let mut sb = Sandbox::standard(false);
    sb.set_env("COMPLETE", "1");
    let ls = sb.hats(&["ls"]).ok();
    assert!(ls.starts_with("TARGET"), "{ls}");
}
