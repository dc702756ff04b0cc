//! Each hand-out command end to end: exec, shell, env formats, credential-process
//! (read by boto3), whoami, completions, and hats inside a hats shell.

use crate::harness::{HATS, Sandbox, parse_exports};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn exec_runs_the_command_with_credentials_and_returns_its_status() {
    let mut sb = Sandbox::standard(false);
    sb.set_env("AWS_PROFILE", "stale");
    sb.set_env("AWS_DEFAULT_PROFILE", "stale");
    let run = sb.hats(&["exec", "plain-role", "--", "sh", "-c", "env; exit 7"]);
    assert_eq!(run.code(), Some(7), "{}", run.stderr());
    let env: std::collections::HashMap<_, _> = run
        .stdout()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert!(env["AWS_ACCESS_KEY_ID"].starts_with("ASIA"));
    assert!(!env["AWS_SECRET_ACCESS_KEY"].is_empty());
    assert!(!env["AWS_SESSION_TOKEN"].is_empty());
    assert_eq!(env["AWS_CREDENTIAL_EXPIRATION"], env["AWS_SESSION_EXPIRATION"]);
    assert!(env["AWS_CREDENTIAL_EXPIRATION"].ends_with('Z'));
    assert_eq!(env["HATS_TARGET"], "plain-role");
    assert_eq!(env["HATS_ACCOUNT_ID"], "222222222222");
    assert_eq!(env["HATS_ROLE_ARN"], "arn:aws:iam::222222222222:role/ReadOnly");
    assert_eq!(
        env["AWS_ENDPOINT_URL"],
        sb.moto.endpoint(),
        "other variables pass through"
    );
    assert!(!env.contains_key("AWS_PROFILE") && !env.contains_key("AWS_DEFAULT_PROFILE"));
    assert!(!env.contains_key("AWS_REGION"), "no region configured, none set");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("ExternalId"), Some("ext-42"));
    assert_eq!(calls[0].param("RoleSessionName"), Some("ci-runner"));
}

#[test]
fn exec_reports_a_missing_program_like_a_shell() {
    let sb = Sandbox::standard(false);
    let run = sb.hats(&["exec", "plain-role", "--", "no-such-program-hats"]);
    assert_eq!(run.code(), Some(127));
    assert_eq!(run.stderr(), "hats: command not found: no-such-program-hats\n");
    // A file that is not executable: 126, as a shell says.
    let script = sb.write("not-executable.sh", "echo hi\n");
    let run = sb.hats(&["exec", "plain-role", "--", script.to_str().unwrap()]);
    assert_eq!(run.code(), Some(126));
    assert!(
        run.stderr()
            .contains("permission denied (it is not an executable file)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn signals_sent_to_hats_exec_reach_the_command() {
    let sb = Sandbox::standard(false);
    let script = "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done";
    let mut child = sb
        .command(HATS)
        .args(["exec", "plain-role", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the command ignored the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    line.clear();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line.trim(), "got-term");
    assert_eq!(status.code(), Some(42));
}

#[test]
fn shell_starts_shell_with_credentials_and_names_the_target() {
    let mut sb = Sandbox::standard(false);
    sb.set_env("SHELL", "/bin/sh");
    let mut child = sb
        .command(HATS)
        .args(["shell", "plain-role", "--region", "eu-central-1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"echo \"in=$HATS_TARGET region=$AWS_REGION/$AWS_DEFAULT_REGION\"; exit 3\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "in=plain-role region=eu-central-1/eu-central-1"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("shell for \"plain-role\"") && stderr.contains("credentials expire at"),
        "{stderr}"
    );
}

#[test]
fn env_output_evaluates_in_sh_and_every_format_carries_the_same_credentials() {
    let sb = Sandbox::standard(true);
    let sh = sb.hats(&["env", "plain-role"]).ok();
    let exports = parse_exports(&sh);
    let evaluated = sb
        .command("sh")
        .args(["-c", "AWS_PROFILE=x; eval \"$(\"$0\" env plain-role)\"; echo \"$AWS_ACCESS_KEY_ID|${AWS_PROFILE-unset}\"", HATS])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&evaluated.stdout).trim(),
        format!("{}|unset", exports["AWS_ACCESS_KEY_ID"])
    );
    let json: serde_json::Value =
        serde_json::from_str(&sb.hats(&["env", "plain-role", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["AWS_SECRET_ACCESS_KEY"], exports["AWS_SECRET_ACCESS_KEY"]);
    assert_eq!(json["HATS_TARGET"], "plain-role");
    let fish = sb.hats(&["env", "plain-role", "--format", "fish"]).ok();
    assert!(
        fish.contains(&format!(
            "set -gx AWS_ACCESS_KEY_ID '{}';",
            exports["AWS_ACCESS_KEY_ID"]
        )),
        "{fish}"
    );
    let ps = sb.hats(&["env", "plain-role", "--format", "powershell"]).ok();
    assert!(
        ps.contains(&format!(
            "$Env:AWS_ACCESS_KEY_ID = '{}'",
            exports["AWS_ACCESS_KEY_ID"]
        )),
        "{ps}"
    );
    let dotenv = sb.hats(&["env", "plain-role", "--format", "dotenv"]).ok();
    assert!(
        dotenv.contains(&format!("AWS_ACCESS_KEY_ID=\"{}\"", exports["AWS_ACCESS_KEY_ID"])),
        "{dotenv}"
    );
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "all formats came from one cached session"
    );
}

#[test]
fn credential_process_output_is_used_by_boto3() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    let doc: serde_json::Value =
        serde_json::from_str(&sb.hats(&["credential-process", "prod"]).ok()).unwrap();
    assert_eq!(doc["Version"], 1);
    for key in ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"] {
        assert!(doc[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {doc}");
    }
    // The way users wire it: a profile in the same ~/.aws/config that hats reads.
    sb.aws_config(&format!(
        "{}\n[profile via-hats]\ncredential_process = {HATS} credential-process prod\nregion = eu-west-1\n",
        crate::harness::AWS_CONFIG
    ));
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
    let mut cmd = sb.command(python);
    cmd.args([
        "-c",
        "import boto3; print(boto3.Session(profile_name='via-hats').client('sts').get_caller_identity()['Arn'])",
    ]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let arn = String::from_utf8_lossy(&out.stdout);
    assert!(arn.contains("assumed-role/Admin/hats-tester"), "{arn}");
    let actions = sb.moto.take_actions();
    assert_eq!(actions, ["GetCallerIdentity"], "boto3 used hats' cached session");
}

#[test]
fn whoami_shows_the_identity_of_a_target_or_of_the_environment() {
    let mut sb = Sandbox::standard(false);
    let out = sb.hats(&["whoami", "plain-role"]).ok();
    assert!(out.contains("Account: 222222222222"), "{out}");
    assert!(out.contains("assumed-role/ReadOnly/ci-runner"), "{out}");
    let exports = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        sb.set_env(key, &exports[key]);
    }
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["whoami", "--json"]).ok()).unwrap();
    assert!(
        json["arn"]
            .as_str()
            .unwrap()
            .contains("assumed-role/ReadOnly/ci-runner"),
        "{json}"
    );
    assert_eq!(json["account"], "222222222222");
}

#[test]
fn hats_inside_a_hats_shell_uses_the_profiles_not_the_shell_credentials() {
    let sb = Sandbox::standard(false);
    let run = sb.hats(&[
        "exec",
        "plain-role",
        "--",
        HATS,
        "env",
        "prod",
        "--mfa-code",
        "123456",
    ]);
    let inner = parse_exports(&run.ok());
    assert_eq!(inner["HATS_TARGET"], "prod");
    assert!(
        run.stderr().contains(
            "holds hats credentials for \"plain-role\"; source credentials still come from your profiles"
        ),
        "{}",
        run.stderr()
    );
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 3);
    assert!(
        calls[1]
            .authorization
            .contains("Credential=AKIAIOSFODNN7EXAMPLE/"),
        "GetSessionToken signed with base's key"
    );
}

#[test]
fn hats_config_accounts_resolve_by_name_and_by_account_id() {
    let sb = Sandbox::standard(false);
    let by_name = parse_exports(&sb.hats(&["env", "data/Admin", "--mfa-code", "123456"]).ok());
    assert_eq!(by_name["HATS_ROLE_ARN"], "arn:aws:iam::555555555555:role/Admin");
    assert_eq!(by_name["AWS_REGION"], "ap-southeast-2");
    let by_id = parse_exports(
        &sb.hats(&["env", "555555555555/Analyst", "--mfa-code", "123456"])
            .ok(),
    );
    assert_eq!(by_id["HATS_TARGET"], "data/Analyst");
    let listed = sb.hats(&["ls", "--json"]).ok();
    // Piped, the array is compact: one line (indentation is for terminals).
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let json: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let data = json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "data/Admin")
        .unwrap();
    assert_eq!(data["production"], true);
    assert_eq!(data["tags"]["team"], "core");
    assert_eq!(data["alias"], "555555555555/Admin");
    assert_eq!(data["mfa_serial"], "arn:aws:iam::111111111111:mfa/alice");
}

#[test]
fn completions_are_generated_for_each_shell_and_hats_answers_their_requests() {
    let mut sb = Sandbox::standard(false);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        // The script calls hats back with HATS_COMPLETE=SHELL (bash, zsh and fish
        // are driven in a real terminal in completion.rs).
        let script = sb.hats(&["completions", shell]).ok();
        assert!(script.contains("HATS_COMPLETE"), "{shell}: {script}");
        assert!(
            script.contains(crate::harness::HATS),
            "calls this binary back: {script}"
        );
    }
    sb.set_env("HATS_COMPLETE", "powershell");
    let answer = sb.hats(&["--", "hats", "credential-p"]).ok();
    assert!(answer.starts_with("credential-process"), "{answer}");
    let answer = sb.hats(&["--", "hats", "env", "pla"]).ok();
    assert!(answer.starts_with("plain-role\t"), "{answer}");
}

#[test]
fn a_target_is_found_by_its_name_in_any_case_or_by_its_role_arn() {
    let sb = Sandbox::standard(false);
    let by_case = parse_exports(&sb.hats(&["env", "DATA/admin", "--mfa-code", "123456"]).ok());
    assert_eq!(by_case["HATS_TARGET"], "data/Admin");
    let arn = "arn:aws:iam::333333333333:role/Developer";
    let by_arn = parse_exports(&sb.hats(&["env", arn, "--mfa-code", "123456"]).ok());
    assert_eq!(by_arn["HATS_TARGET"], "staging");
    // Accounts named "data" and "Data": a spelling that fits both finds neither.
    sb.hats_config(&format!(
        "{}\n[[account]]\nid = \"666666666666\"\nname = \"Data\"\nsource = \"base\"\nroles = [\"Admin\"]\n",
        crate::harness::HATS_CONFIG
    ));
    let err = sb.hats(&["env", "DATA/admin", "--mfa-code", "123456"]).fails();
    assert!(err.contains("unknown target \"DATA/admin\""), "{err}");
}
