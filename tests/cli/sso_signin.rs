//! Signing in to Identity Center as a person expects it, against the stand-in:
//! a browser's spare connections never stall the loopback redirect, the page
//! says "signed in" only once the code was exchanged, a refusal in the browser
//! is not answered with advice about another flow, hand-outs on a terminal sign
//! in by themselves, Ctrl-C stops the discovery after a sign-in (130), client
//! registrations are reused, and `--profile` / a profile's name pick the sign-in.

use crate::harness::Sandbox;
use crate::identity_center::IdentityCenter;
use crate::pty::Terminal;
use crate::sso::sso_sandbox;
use crate::sso_login::login_in_terminal;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The pages the browser script was shown (`STANDIN_BROWSER_PAGES`), once it
/// has written one: it reports after hats answered it, which may be after hats exits.
fn browser_pages(path: &Path) -> String {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the browser script reported no page"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A sandbox whose browser script writes down the pages it is shown.
fn with_pages() -> (Sandbox, IdentityCenter, std::path::PathBuf) {
    let (mut sb, ic) = sso_sandbox(true);
    let pages = sb.home.join("browser-pages");
    sb.set_env("STANDIN_BROWSER_PAGES", pages.to_str().unwrap());
    (sb, ic, pages)
}

#[test]
fn idle_connections_to_the_loopback_port_do_not_stall_the_browser_sign_in() {
    let (mut sb, ic, pages) = with_pages();
    // Two connections that never send a request, open for as long as the browser runs.
    sb.set_env("STANDIN_BROWSER_PRECONNECT", "2");
    let (code, screen) = login_in_terminal(&sb, "corp");
    assert_eq!(code, 0, "{screen}");
    let shown = browser_pages(&pages);
    assert!(
        shown.starts_with("200 ") && shown.contains("Signed in to hats"),
        "the browser's page: {shown}"
    );
    assert_eq!(ic.log().grant_types(), ["authorization_code"]);
}

#[test]
fn the_browser_is_told_signed_in_only_after_the_code_was_exchanged() {
    let (sb, ic, pages) = with_pages();
    // Every CreateToken is refused: the code comes back, its exchange fails.
    ic.control(
        "POST",
        "throttle",
        json!({"every": 1, "operations": ["CreateToken"]}),
    );
    let (code, screen) = login_in_terminal(&sb, "corp");
    assert_ne!(code, 0, "{screen}");
    let shown = browser_pages(&pages);
    assert!(!shown.contains("Signed in"), "the browser's page: {shown}");
    assert!(shown.contains("could not finish the sign-in"), "{shown}");
    assert_eq!(ic.log().count("Authorize"), 1);
}

#[test]
fn a_refusal_in_the_browser_says_so_and_does_not_advise_the_device_flow() {
    let (sb, ic) = sso_sandbox(true);
    ic.deny_approvals(true);
    let err = sb.hats(&["sso", "login", "corp"]).fails();
    assert!(err.contains("denied in the browser"), "{err}");
    assert!(!err.contains("device"), "{err}");
    assert!(err.contains("hats sso login corp"), "{err}");
    assert_eq!(ic.log().count("CreateToken"), 0);
}

#[test]
fn env_exec_and_shell_on_a_terminal_sign_in_by_themselves_and_hand_out() {
    let (mut sb, ic) = sso_sandbox(true);
    let mut term = Terminal::spawn(&sb, r#""$HATS" env prod-admin"#);
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    term.wait_for("AWS_SESSION_TOKEN");
    assert!(
        term.screen().contains("signing in for \"prod-admin\""),
        "{}",
        term.screen()
    );
    sb.hats(&["sso", "logout", "corp"]).ok();

    let aws = crate::harness::aws_cli();
    let mut term = Terminal::spawn(
        &sb,
        &format!(
            r#""$HATS" exec prod-admin -- {} sts get-caller-identity --query Arn --output text"#,
            aws.display()
        ),
    );
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    term.wait_for(&format!("{}:assumed-role/Admin/", crate::sso::PROD));
    sb.hats(&["sso", "logout", "corp"]).ok();

    sb.set_env("SHELL", "/bin/sh");
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS" shell prod-admin"#);
    term.wait_for("shell for \"prod-admin\"");
    term.type_line("echo \"in=$HATS_TARGET\"; exit 7");
    assert_eq!(term.wait_exit(), 7, "{}", term.screen());
    term.wait_for("in=prod-admin");
    assert_eq!(ic.log().count("Authorize"), 3, "one sign-in per hand-out");
}

#[test]
fn without_a_terminal_a_hand_out_never_starts_a_sign_in() {
    let (sb, ic) = sso_sandbox(true);
    for command in ["env", "credential-process"] {
        let err = sb.hats(&[command, "prod-admin"]).fails();
        assert!(err.contains("run \"hats sso login corp\""), "{err}");
    }
    assert_eq!(ic.log().count("RegisterClient"), 0);
}

#[test]
fn ctrl_c_during_the_discovery_after_login_stops_it_keeps_the_sign_in_and_exits_130() {
    let (sb, ic) = sso_sandbox(true);
    ic.hold_only(&["ListAccounts"]);
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS" sso login corp"#);
    term.wait_for("signed in to \"corp\"");
    ic.wait_in_flight(1);
    term.keys("\x03");
    assert_eq!(term.wait_exit(), 130, "{}", term.screen());
    term.wait_for("discovery of \"corp\" stopped; the sign-in is kept");
    ic.hold(false);
    sb.hats(&["env", "prod-admin"]).ok();
    assert_eq!(ic.log().count("Authorize"), 1, "no second sign-in");
}

#[test]
fn a_client_registration_is_reused_until_it_nears_its_end() {
    let (sb, ic) = sso_sandbox(true);
    let registered = || ic.log().count("RegisterClient");
    // Registrations with less than a day left are replaced at each sign-in.
    ic.set_lifetimes(json!({"client": 3600}));
    sb.hats(&["sso", "login", "corp"]).ok();
    sb.hats(&["sso", "login", "corp"]).ok();
    assert_eq!(registered(), 2, "two sign-ins with hour-long registrations");
    // The service's usual 90 days: one more registration, then it is reused.
    ic.set_lifetimes(json!({"client": 90 * 86400}));
    for _ in 0..3 {
        sb.hats(&["sso", "login", "corp"]).ok();
    }
    assert_eq!(registered(), 3, "three browser sign-ins");
    // The device flow registers other grant types: one registration of its own.
    for _ in 0..2 {
        assert_eq!(login_in_terminal(&sb, "corp --use-device-code").0, 0);
    }
    assert_eq!(registered(), 4, "two device sign-ins");
    sb.hats(&["env", "prod-admin"]).ok();
    // Kept in the keyring, like the tokens: no file holds the registration.
    let found = crate::sso::files_containing(sb.dir.path(), "standin-client-");
    assert!(found.is_empty(), "a client registration on disk: {found:?}");
}

#[test]
fn login_takes_a_profile_by_option_or_by_name_legacy_start_url_profiles_included() {
    let (sb, ic) = sso_sandbox(true);
    sb.hats(&["sso", "login", "--profile", "deploy"]).ok();
    sb.hats(&["env", "prod-admin"]).ok();
    let run = sb.hats(&["sso", "login", "staging-legacy"]);
    run.ok();
    assert!(
        run.stderr()
            .contains("signed in to \"https://corp.awsapps.com/start\""),
        "{}",
        run.stderr()
    );
    sb.hats(&["env", "staging-legacy"]).ok();
    assert_eq!(ic.log().count("Authorize"), 2);
    let err = sb.hats(&["sso", "login", "--profile", "nope"]).fails();
    assert!(err.contains("unknown target \"nope\""), "{err}");
}
