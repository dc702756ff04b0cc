//! The switcher end to end in a real pseudo-terminal against moto and a real
//! Secret Service: filter, MFA modal, subshell, countdown, refresh, quit.

use crate::harness::{HATS, Sandbox};
use crate::pty::Terminal;

/// The standard sandbox with a keyring, and `/bin/sh` as the subshell with a known prompt.
fn shell_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

fn expires_text(term: &Terminal) -> String {
    term.line_with("expires ").trim().to_owned()
}

#[test]
fn filter_assume_with_mfa_open_a_shell_refresh_and_quit() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/stag");
    term.wait_for("/stag");
    // The detail pane describes the row selected by the filter (made when first selected).
    term.wait_for("base -> staging");
    assert!(
        term.line_with("role ")
            .contains("arn:aws:iam::333333333333:role/Developer"),
        "{}",
        term.screen()
    );
    term.keys("\r");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    term.wait_for("target: staging");
    term.keys("12x3456\r");

    // The subshell has the terminal and the credentials.
    term.wait_for("sub$ ");
    term.type_line(
        r#"test -n "$AWS_SESSION_TOKEN" && echo "in=$HATS_TARGET-$AWS_ACCESS_KEY_ID" | cut -c1-17"#,
    );
    term.wait_for("in=staging-ASIA");
    term.type_line("exit");
    term.wait_for("back from the shell for staging");
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(|c| c.action()).collect();
    assert_eq!(actions, ["GetSessionToken", "AssumeRole"]);
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));

    // A countdown is shown; `r` renews the session without another MFA prompt.
    let staging = term.line_with("staging ");
    assert!(staging.contains("59:") || staging.contains("1h00m"), "{staging}");
    let before = expires_text(&term);
    assert!(before.contains("UTC"), "{}", term.screen());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    term.keys("r");
    term.wait_for("refreshed staging");
    assert_ne!(expires_text(&term), before, "the expiry moved");
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "refresh reused the MFA session"
    );

    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    let (alternate, hidden_cursor) = term.modes();
    assert!(!alternate && !hidden_cursor, "the terminal is restored");
}

#[test]
fn e_prints_exports_for_eval_while_the_ui_draws_on_the_terminal() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain");
    term.wait_for("/plain");
    term.keys("\x1b");
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    let exports = std::fs::read_to_string(sb.home.join("exports.sh")).unwrap();
    assert!(
        exports.starts_with("unset AWS_PROFILE AWS_DEFAULT_PROFILE\n"),
        "{exports}"
    );
    assert!(exports.contains("export HATS_TARGET='plain-role'"), "{exports}");
    assert!(!exports.contains('\x1b'), "no terminal output reaches stdout");
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "e reused the session the shell got"
    );
}

#[test]
fn without_a_terminal_hats_prints_usage_instead_of_drawing() {
    let sb = Sandbox::standard(false);
    let run = sb.hats(&[]);
    assert_eq!(run.code(), Some(2));
    assert!(
        run.stderr().contains("no terminal for the interactive switcher"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().is_empty());
}

#[test]
fn a_missing_organization_inventory_is_synced_in_the_background_with_the_mfa_modal() {
    let sb = shell_sandbox();
    sb.moto.python(
        "import boto3,sys\n\
         o=boto3.client('organizations',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='x')\n\
         o.create_organization(FeatureSet='ALL')\n\
         [o.create_account(Email=f'a{i}@example.com',AccountName=f'team-{i}') for i in range(3)]",
    );
    sb.hats_config("[organization]\nsource = \"base\"\nroles = [\"ReadOnly\"]\n");
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    // The list is drawn at once from config; the sync needs base's MFA session first.
    term.wait_for("targets (5)");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    term.keys("123456\r");
    term.wait_for("organization synced");
    term.wait_for("team-2/ReadOnly");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn o_opens_the_console_for_the_selected_target() {
    let mut sb = shell_sandbox();
    let fed = crate::federation::Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let browser = sb.write("browser.sh", "#!/bin/sh\necho \"$1\" > \"$HOME/opened\"\n");
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.set_env("BROWSER", &browser.display().to_string());
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role");
    term.wait_for("/plain-role");
    // Enter leaves the filter (kept) and opens a shell; back in the list, press o.
    term.keys("\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.wait_for("console  default (the system browser)");
    term.keys("o");
    term.wait_for("opened the AWS console for plain-role (default (the system browser))");
    term.wait_for("plain-role ◰ console");
    let opened = std::fs::read_to_string(sb.home.join("opened")).unwrap();
    let token = fed.last_session().unwrap()["token"].as_str().unwrap().to_owned();
    assert!(
        opened.trim().ends_with(&format!("SigninToken={token}")),
        "{opened}"
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn with_serve_on_the_subshell_gets_the_endpoint_instead_of_static_keys() {
    let sb = shell_sandbox();
    sb.hats_config("[defaults]\nserve = true\n");
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (5)");
    term.keys("/plain-role\r");
    term.wait_for("credentials are served and renewed");
    term.wait_for("sub$ ");
    term.type_line(r#"echo "uri=${AWS_CONTAINER_CREDENTIALS_FULL_URI%%:*} keys=${AWS_ACCESS_KEY_ID:-none}""#);
    term.wait_for("uri=http keys=none");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn commands_served_elsewhere_show_as_live_sessions_and_leave_when_they_end() {
    let sb = shell_sandbox();
    // Another terminal: a long-running command served plain-role's credentials.
    let mut served = sb
        .command(HATS)
        .args(["exec", "plain-role", "--serve", "--", "sleep", "60"])
        .spawn()
        .expect("start a served command");
    let registry = sb.home.join(".cache/hats/served");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_dir(&registry).map_or(0, |d| d.count()) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the served command never registered"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let record = std::fs::read_to_string(
        std::fs::read_dir(&registry)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    assert!(
        record.contains("\"target\":\"plain-role\"") && record.contains("\"command\":\"sleep\""),
        "{record}"
    );
    assert!(
        !record.contains("ASIA") && !record.to_lowercase().contains("token"),
        "{record}"
    );

    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 140, 30);
    term.wait_for("⟳ served");
    term.keys("/plain-role");
    term.wait_for("to sleep (renewing)");
    // The command ends: its row goes back to an ordinary session within a poll or two.
    // SAFETY: plain kill(2) of a child we started.
    unsafe { libc::kill(served.id() as i32, libc::SIGTERM) };
    served.wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while term.screen().contains("⟳ served") {
        assert!(
            std::time::Instant::now() < deadline,
            "the ended command is still shown:\n{}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    term.keys("\x1b");
    term.wait_for("targets (");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn f_pins_the_selected_row_which_shows_a_star_now_and_in_the_next_run() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\t");
    term.wait_highlighted("plain-role");
    assert!(!term.highlighted().starts_with('*'), "{}", term.highlighted());
    term.keys("f");
    term.wait_for("pinned plain-role");
    assert!(
        term.highlighted().starts_with("* plain-role"),
        "{}",
        term.highlighted()
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    assert!(
        term.line_with("plain-role").starts_with(" * plain-role"),
        "the favourite is first and starred:\n{}",
        term.screen()
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn with_no_targets_the_switcher_shows_the_hint_ls_prints_on_stderr() {
    let sb = Sandbox::new();
    let ls = sb.hats(&["ls"]);
    assert_eq!(ls.code(), Some(0), "{}", ls.stderr());
    let hint = "no targets: add a profile with role_arn to ~/.aws/config";
    assert!(ls.stderr().contains(hint), "{}", ls.stderr());
    assert!(
        !ls.stdout().contains("no targets"),
        "stdout is the table only: {}",
        ls.stdout()
    );
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (0)");
    term.wait_for(hint);
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn the_region_picker_filters_as_you_type_and_e_exports_the_picked_region() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\t");
    term.wait_highlighted("plain-role");
    term.keys("w");
    term.wait_for("(configured: none)");
    term.keys("zur");
    term.wait_for("/zur▏");
    term.wait_for("> eu-central-2");
    term.keys("\r");
    term.wait_for("plain-role uses region eu-central-2 in this switcher");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    let exports =
        crate::harness::parse_exports(&std::fs::read_to_string(sb.home.join("exports.sh")).unwrap());
    assert_eq!(exports["HATS_TARGET"], "plain-role");
    assert_eq!(exports["AWS_REGION"], "eu-central-2");
}

/// The notice the switcher's header shows inside a hats shell.
const NESTED: &str = "(inside the hats shell for plain-role)";

#[test]
fn after_eval_of_env_exports_the_switcher_says_nothing_about_a_hats_shell() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(
        &sb,
        r#"eval "$("$HATS" env plain-role)" && test -n "$HATS_TARGET" && exec "$HATS""#,
        100,
        30,
    );
    term.wait_for("targets (7)");
    assert!(
        !term.screen().contains("inside the hats shell"),
        "{}",
        term.screen()
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    // Nor does a hand-out from that shell claim one.
    let run = sb
        .command(HATS)
        .env("HATS_TARGET", "plain-role")
        .args(["env", "plain-role"])
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!stderr.contains("inside the hats shell"), "{stderr}");
}

#[test]
fn inside_hats_shell_and_exec_of_a_shell_the_switcher_shows_the_notice() {
    let sb = shell_sandbox();
    for start in [
        r#"exec "$HATS" shell plain-role"#,
        r#"exec "$HATS" exec plain-role -- /bin/sh"#,
    ] {
        let mut term = Terminal::spawn_sized(&sb, start, 100, 30);
        term.wait_for("sub$ ");
        term.type_line(r#"echo "marker=$HATS_SHELL"; "$HATS" env plain-role 2>&1 >/dev/null | cut -c1-40"#);
        term.wait_for("marker=plain-role");
        term.wait_for("hats: running inside the hats shell for");
        term.type_line(r#"exec "$HATS""#);
        term.wait_for("targets (7)");
        term.wait_for(NESTED);
        term.keys("q");
        assert_eq!(term.wait_exit(), 0, "{start}");
    }
}

#[test]
fn the_switchers_subshell_is_a_hats_shell_too() {
    let sb = shell_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line(r#"exec "$HATS""#);
    term.wait_for(NESTED);
    // Quitting the inner switcher ends the subshell: back in the outer one.
    term.keys("q");
    term.wait_for("back from the shell for plain-role");
    assert!(!term.screen().contains(NESTED), "{}", term.screen());
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn the_switchers_subshell_banner_is_the_one_hats_shell_prints() {
    let sb = shell_sandbox();
    let shell = sb
        .command(HATS)
        .args(["shell", "plain-role"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(shell.status.success());
    let from_shell = String::from_utf8_lossy(&shell.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let arn = "(arn:aws:sts::222222222222:assumed-role/ReadOnly/ci-runner)";
    assert!(from_shell.contains(arn), "{from_shell}");

    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 200, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    let from_switcher = term.line_with("hats: shell for").trim().to_owned();
    // Same text up to the time, which moves on; both say the time left.
    let (head, _) = from_shell.split_once(" credentials expire at ").unwrap();
    assert!(
        from_switcher.starts_with(head),
        "{from_switcher}\nvs\n{from_shell}"
    );
    assert!(
        from_switcher.contains("; credentials expire at "),
        "{from_switcher}"
    );
    assert!(
        from_switcher.contains("(in 59m)") || from_switcher.contains("(in 1h00m)"),
        "{from_switcher}"
    );
    assert!(
        from_switcher.ends_with("exit to return to hats"),
        "{from_switcher}"
    );
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn with_hats_keyring_none_no_countdown_is_shown_for_sessions_that_will_not_be_used() {
    let mut sb = shell_sandbox();
    // A session cached in an earlier run, with caching on: it is in the index.
    sb.hats(&["env", "plain-role"]).ok();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    let cached = term.line_with("plain-role");
    assert!(cached.contains("59:") || cached.contains("1h00m"), "{cached}");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);

    sb.set_env("HATS_KEYRING", "none");
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("no cache (HATS_KEYRING=none)");
    let row = term.line_with("plain-role");
    assert!(!row.contains("59:") && !row.contains("1h00m"), "{row}");
    // A hand-out makes a session that is used once: still no countdown.
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    let row = term.highlighted();
    assert!(row.contains("plain-role"), "{row}");
    assert!(!row.contains("59:") && !row.contains("1h00m"), "{row}");
    assert!(term.screen().contains("no cached session"), "{}", term.screen());
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}
