//! `--serve`: the real AWS CLI and boto3 inside a served child get credentials
//! from hats' loopback endpoint, renewed without restarting the child.

use crate::harness::{HATS, Sandbox};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

fn venv_bin(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".venv-test/bin")
        .join(name);
    assert!(
        path.is_file(),
        "{} missing: run `bash tests/run.sh`, which installs it",
        path.display()
    );
    path.display().to_string()
}

/// `hats ARGS -- python -c SCRIPT` in the background, output piped.
fn spawn_python(sb: &Sandbox, args: &[&str], script: &str) -> std::process::Child {
    sb.command(HATS)
        .args(args)
        .args(["--", &venv_bin("python"), "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn served_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("AWS_DEFAULT_REGION", "us-east-1");
    sb
}

#[test]
fn the_aws_cli_gets_the_role_through_the_endpoint_not_static_keys() {
    let sb = served_sandbox();
    let script = r#"env | grep -c '^AWS_ACCESS_KEY_ID=' ; env | grep -c '^AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:'; "$0" sts get-caller-identity --query Arn --output text"#;
    let run = sb.hats(&[
        "exec",
        "plain-role",
        "--serve",
        "--",
        "sh",
        "-c",
        script,
        &venv_bin("aws"),
    ]);
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "0", "no static keys in the child");
    assert_eq!(lines[1], "1", "the endpoint URL is set");
    assert!(lines[2].contains("assumed-role/ReadOnly/ci-runner"), "{out}");
}

#[test]
fn the_endpoint_refuses_missing_or_wrong_tokens_and_keeps_the_exit_status() {
    let sb = served_sandbox();
    let script = "import os, urllib.request, urllib.error\n\
        url = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']\n\
        for headers in ({}, {'Authorization': 'wrong'}, {'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']}):\n\
        \x20   try:\n\
        \x20       print(urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status)\n\
        \x20   except urllib.error.HTTPError as e:\n\
        \x20       print(e.code)\n\
        raise SystemExit(9)\n";
    let run = sb.hats(&[
        "exec",
        "plain-role",
        "--serve",
        "--",
        &venv_bin("python"),
        "-c",
        script,
    ]);
    assert_eq!(run.code(), Some(9), "{}", run.stderr());
    assert_eq!(run.stdout().lines().collect::<Vec<_>>(), ["401", "403", "200"]);
}

#[test]
fn a_long_running_child_picks_up_renewed_keys_without_restarting() {
    let sb = served_sandbox();
    // boto3 refreshes credentials that expire within 15 minutes before each use.
    let script = "import boto3, os, time, sys\n\
        s = boto3.Session()\n\
        print('first', s.get_credentials().get_frozen_credentials().access_key, flush=True)\n\
        while not os.path.exists('go'):\n\
        \x20   time.sleep(0.05)\n\
        print('second', s.get_credentials().get_frozen_credentials().access_key, flush=True)\n";
    let mut child = spawn_python(
        &sb,
        &["exec", "plain-role", "--serve", "--duration", "15m"],
        script,
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("first ASIA"), "{first}");
    // The session is renewed behind the child's back (as after expiry).
    sb.hats(&["forget", "plain-role"]).ok();
    std::fs::write(sb.home.join("go"), "").unwrap();
    let second = lines.next().unwrap().unwrap();
    assert!(second.starts_with("second ASIA"), "{second}");
    assert_ne!(
        first["first ".len()..],
        second["second ".len()..],
        "new keys reached the running child"
    );
    assert!(child.wait().unwrap().success());
    let actions = sb.moto.take_actions();
    assert_eq!(
        actions,
        ["AssumeRole", "AssumeRole"],
        "one session, then one renewal"
    );
}

#[test]
fn when_the_mfa_session_is_gone_the_child_gets_an_error_and_hats_says_what_to_do() {
    let sb = served_sandbox();
    let script = "import os, urllib.request, urllib.error, time\n\
        while not os.path.exists('go'):\n\
        \x20   time.sleep(0.05)\n\
        req = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n\
        try:\n\
        \x20   urllib.request.urlopen(req)\n\
        except urllib.error.HTTPError as e:\n\
        \x20   print(e.code, e.read().decode())\n";
    let child = spawn_python(&sb, &["exec", "prod", "--serve", "--mfa-code", "123456"], script);
    // Wait until the first session exists, then remove every cached session, MFA included.
    let index = sb.home.join(".cache/hats/sessions.json");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&index)
        .unwrap_or_default()
        .contains("role/prod/")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no session was cached"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    crate::harness::forget_all(&sb);
    std::fs::write(sb.home.join("go"), "").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("503 ") && stdout.contains("no terminal to ask on"),
        "{stdout}"
    );
    assert!(
        stderr.contains("run `hats env prod` (or `hats`) to authenticate again"),
        "{stderr}"
    );
}
