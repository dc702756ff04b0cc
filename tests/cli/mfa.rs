//! Every MFA path, proven by what reached STS: once for many roles, long
//! sessions, chaining, mfa_process, and failing fast without a terminal.

use crate::harness::{Sandbox, parse_exports};

#[test]
fn mfa_is_asked_once_and_serves_every_role_of_that_source() {
    let sb = Sandbox::standard(true);
    let first = parse_exports(&sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok());
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::111111111111:mfa/alice")
    );
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
    assert_eq!(calls[0].param("DurationSeconds"), Some("43200"));
    assert_eq!(
        calls[1].param("RoleArn"),
        Some("arn:aws:iam::222222222222:role/Admin")
    );
    assert_eq!(
        calls[1].param("TokenCode"),
        None,
        "roles are assumed from the MFA session"
    );
    assert_eq!(calls[1].param("DurationSeconds"), Some("3600"));
    assert_eq!(calls[1].param("RoleSessionName"), Some("hats-tester"));
    assert_eq!(first["AWS_REGION"], "eu-west-1");

    // Another role of the same source: no code given, no terminal, yet no prompt is needed.
    sb.hats(&["env", "staging"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    // A hats-config account role with the same source and device too.
    sb.hats(&["env", "data/Analyst"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);

    // And the first role again comes straight from the keyring.
    let again = parse_exports(&sb.hats(&["env", "prod"]).ok());
    assert!(
        sb.moto.take_actions().is_empty(),
        "a cached session makes no STS call"
    );
    assert_eq!(again["AWS_ACCESS_KEY_ID"], first["AWS_ACCESS_KEY_ID"]);
}

#[test]
fn more_than_an_hour_sends_the_code_to_assume_role_and_caches_the_long_session() {
    let sb = Sandbox::standard(true);
    let out = sb.hats(&["env", "prod", "--duration", "2h", "--mfa-code", "654321", "-v"]);
    out.ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action(), "AssumeRole");
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::111111111111:mfa/alice")
    );
    assert_eq!(calls[0].param("TokenCode"), Some("654321"));
    assert_eq!(calls[0].param("DurationSeconds"), Some("7200"));
    let listed: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let prod = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "prod")
        .unwrap();
    assert_eq!(prod["mode"], "mfa-session", "ls shows the default mode");
    sb.hats(&["env", "prod", "--duration", "2h"]).ok();
    assert!(
        sb.moto.take_actions().is_empty(),
        "the long session is reused without a new code"
    );
}

#[test]
fn chained_roles_reuse_the_mfa_session_and_refuse_more_than_an_hour() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "staging", "--mfa-code", "123456"]).ok();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    let exports = parse_exports(&sb.hats(&["env", "chained", "-v"]).ok());
    let calls = sb.moto.take_sts_calls();
    let arns: Vec<_> = calls
        .iter()
        .map(|c| (c.action(), c.param("RoleArn").unwrap_or("")))
        .collect();
    assert_eq!(
        arns,
        [
            ("AssumeRole", "arn:aws:iam::222222222222:role/Admin"),
            ("AssumeRole", "arn:aws:iam::444444444444:role/Deep"),
        ]
    );
    assert_eq!(exports["HATS_ROLE_ARN"], "arn:aws:iam::444444444444:role/Deep");

    let err = sb
        .hats(&["env", "chained", "--duration", "2h", "--no-cache"])
        .fails();
    assert!(err.contains("role chaining, which AWS limits to 1h"), "{err}");
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn mfa_process_supplies_the_code() {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{}\n[profile yubi]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = echo 246810\n",
        crate::harness::AWS_CONFIG
    ));
    sb.hats(&["env", "yubi"]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].action(), "GetSessionToken");
    assert_eq!(calls[0].param("TokenCode"), Some("246810"));
}

#[test]
fn mfa_process_that_prints_no_code_fails_before_any_call() {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{}\n[profile yubi]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = echo touch-your-key\n",
        crate::harness::AWS_CONFIG
    ));
    let err = sb.hats(&["env", "yubi"]).fails();
    assert!(
        err.contains("mfa_process \"echo touch-your-key\" did not print a 6-digit code"),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn without_a_terminal_or_code_hats_fails_at_once_saying_how_to_supply_one() {
    let sb = Sandbox::standard(false);
    let run = sb.hats(&["env", "prod"]);
    let err = run.fails();
    assert!(
        err.contains("no terminal to ask on; pass --mfa-code CODE or set mfa_process"),
        "{err}"
    );
    assert!(run.stdout().is_empty());
    assert!(sb.moto.take_actions().is_empty());
    // credential-process runs under the AWS CLI or an SDK, which cannot pass
    // --mfa-code: the way out is a terminal run that caches the MFA session.
    let run = sb.hats(&["credential-process", "prod"]);
    let err = run.fails();
    assert!(
        err.contains(
            "no terminal to ask on (the program running credential-process cannot pass one); \
                      run `hats env prod` in a terminal once"
        ),
        "{err}"
    );
    assert!(!err.contains("--mfa-code"), "{err}");
    assert!(run.stdout().is_empty());
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn codes_that_are_not_six_digits_are_refused_before_any_call() {
    let sb = Sandbox::standard(false);
    for bad in ["12345", "1234567", "abcdef"] {
        let err = sb.hats(&["env", "prod", "--mfa-code", bad]).fails();
        assert!(err.contains("is not 6 digits"), "{err}");
    }
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_user_session_target_is_the_mfa_session_itself() {
    let sb = Sandbox::standard(true);
    let exports = parse_exports(&sb.hats(&["env", "base", "--mfa-code", "123456"]).ok());
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken"]);
    assert!(!exports.contains_key("HATS_ROLE_ARN"));
    // Roles of that user now need no code: the MFA session is shared.
    sb.hats(&["env", "prod"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

/// The standard fixture plus chained roles on top of `prod` that demand MFA:
/// `audit` with alice's device (which authenticated prod's MFA session) and
/// `audit-bob` with another device.
fn with_chained_mfa_roles(sb: &Sandbox) {
    sb.aws_config(&format!(
        "{}\n[profile audit]\nrole_arn = arn:aws:iam::555555555555:role/Audit\nsource_profile = prod\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
         \n[profile audit-bob]\nrole_arn = arn:aws:iam::555555555555:role/Audit\nsource_profile = prod\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/bob\n",
        crate::harness::AWS_CONFIG
    ));
}

#[test]
fn a_chained_role_with_the_device_that_authenticated_the_chain_asks_no_second_code() {
    let sb = Sandbox::standard(true);
    with_chained_mfa_roles(&sb);
    sb.hats(&["env", "staging", "--mfa-code", "123456"]).ok();
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    // No code given and no terminal: asking would fail.
    let run = sb.hats(&["env", "audit", "-v"]);
    let exports = parse_exports(&run.ok());
    assert!(
        run.stderr()
            .contains("arn:aws:iam::111111111111:mfa/alice already authenticated the session below (prod)"),
        "{}",
        run.stderr()
    );
    let calls = sb.moto.take_sts_calls();
    let sent: Vec<_> = calls
        .iter()
        .map(|c| {
            (
                c.action(),
                c.param("RoleArn"),
                c.param("SerialNumber"),
                c.param("TokenCode"),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (
                "AssumeRole",
                Some("arn:aws:iam::222222222222:role/Admin"),
                None,
                None
            ),
            (
                "AssumeRole",
                Some("arn:aws:iam::555555555555:role/Audit"),
                None,
                None
            ),
        ]
    );
    assert_eq!(exports["HATS_ROLE_ARN"], "arn:aws:iam::555555555555:role/Audit");
}

#[test]
fn a_chained_role_with_a_device_no_hop_below_used_still_asks_for_its_code() {
    let sb = Sandbox::standard(true);
    with_chained_mfa_roles(&sb);
    sb.hats(&["env", "staging", "--mfa-code", "123456"]).ok();
    sb.moto.take_actions();
    let err = sb.hats(&["env", "audit-bob"]).fails();
    assert!(
        err.contains("an MFA code for \"arn:aws:iam::111111111111:mfa/bob\" is needed"),
        "{err}"
    );
    // prod's role session is made (and cached) before bob's code is asked for.
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    sb.hats(&["env", "audit-bob", "--mfa-code", "654321"]).ok();
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "prod comes from the cache: {calls:?}");
    assert_eq!(
        calls[0].param("RoleArn"),
        Some("arn:aws:iam::555555555555:role/Audit")
    );
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::111111111111:mfa/bob")
    );
    assert_eq!(calls[0].param("TokenCode"), Some("654321"));
}

#[test]
fn a_configured_chained_duration_over_an_hour_is_capped_to_an_hour() {
    let sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{}\n[profile chained-long]\nrole_arn = arn:aws:iam::444444444444:role/Deep\nsource_profile = plain-role\n\
         duration_seconds = 7200\n",
        crate::harness::AWS_CONFIG
    ));
    let run = sb.hats(&["env", "chained-long", "-v"]);
    run.ok();
    assert!(
        run.stderr()
            .contains("chained-long: role chaining limits sessions to 1h; using 1h instead of 2h"),
        "{}",
        run.stderr()
    );
    let calls = sb.moto.take_sts_calls();
    let durations: Vec<_> = calls
        .iter()
        .map(|c| (c.param("RoleArn"), c.param("DurationSeconds")))
        .collect();
    assert_eq!(
        durations,
        [
            (Some("arn:aws:iam::222222222222:role/ReadOnly"), Some("3600")),
            (Some("arn:aws:iam::444444444444:role/Deep"), Some("3600")),
        ]
    );
}

/// Processes whose command line is exactly `args`.
fn processes_running(args: &[&str]) -> usize {
    let wanted: Vec<u8> = args.iter().flat_map(|a| [a.as_bytes(), b"\0"].concat()).collect();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == wanted))
        .count()
}

#[test]
fn an_mfa_process_that_hangs_is_stopped_after_the_bound_with_a_clear_error() {
    let mut sb = Sandbox::standard(false);
    // A length of this test run's own, so a hung command of another run on the
    // same machine (whose /proc this test reads) is not taken for this one.
    let seconds = format!("3141592.{}", std::process::id());
    let command = format!("sleep {seconds}; echo 123456");
    sb.aws_config(&format!(
        "{}\n[profile yubi]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = {command}\n",
        crate::harness::AWS_CONFIG
    ));
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "soon");
    let err = sb.hats(&["env", "yubi"]).fails();
    assert!(
        err.contains("HATS_MFA_PROCESS_TIMEOUT \"soon\" is not a duration such as 60s or 2m"),
        "{err}"
    );
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "2s");
    let err = sb.hats(&["env", "yubi"]).fails();
    assert!(
        err.contains(&format!(
            "hats: waiting for mfa_process \"{command}\" to print the code for \
             \"arn:aws:iam::111111111111:mfa/alice\" (up to 2s)"
        )),
        "says what it waits for: {err}"
    );
    assert!(
        err.contains(&format!(
            "mfa_process \"{command}\" did not print a code within 2s and was stopped"
        )),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
    // The command the shell started is stopped too (SIGKILL lands at once; allow the kernel a moment).
    let started = std::time::Instant::now();
    while processes_running(&["sleep", &seconds]) > 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the hung command is still running"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn without_user_in_the_environment_the_session_name_comes_from_the_user_database() {
    let sb = Sandbox::standard(false);
    let name = std::process::Command::new("id").arg("-un").output().unwrap();
    let name = String::from_utf8_lossy(&name.stdout).trim().to_owned();
    assert!(!name.is_empty());
    // As under cron or `env -i`: no USER, USERNAME or LOGNAME.
    let out = sb
        .command(crate::harness::HATS)
        .args(["env", "staging", "--mfa-code", "123456"])
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[1].action(), "AssumeRole");
    assert_eq!(
        calls[1].param("RoleSessionName"),
        Some(format!("hats-{name}").as_str())
    );
}

#[test]
fn an_mfa_process_that_asks_on_the_terminal_gets_the_answer_and_ctrl_c_still_reaches_hats() {
    let sb = Sandbox::standard(false);
    // As a PIN prompt does: it reads the terminal itself. In a process group of
    // its own it could only do so with the terminal lent to that group.
    let command = "sh -c 'printf \"code? \" >/dev/tty; read code </dev/tty; echo $code'";
    sb.aws_config(&format!(
        "{}\n[profile asks]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = {command}\n",
        crate::harness::AWS_CONFIG
    ));
    let mut term = crate::pty::Terminal::spawn(
        &sb,
        r#""$HATS" exec asks -- sh -c 'echo "ran in $HATS_TARGET"'; echo "exit=$?""#,
    );
    term.wait_for("code? ");
    term.type_line("123456");
    term.wait_for("ran in asks");
    term.wait_for("exit=0");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("123456"), "{calls:?}");
    // Ctrl-C at the prompt ends the helper, and hats with it, as a shell reports SIGINT.
    let mut term =
        crate::pty::Terminal::spawn(&sb, r#""$HATS" exec asks --no-cache -- true; echo "exit=$?""#);
    term.wait_for("code? ");
    term.keys("\x03");
    term.wait_for("exit=130");
    assert!(sb.moto.take_actions().is_empty());
}
