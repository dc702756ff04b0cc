//! `hats sso login` and `logout` end to end: the PKCE flow with a loopback
//! redirect (the `$BROWSER` script approves), the device flow (browser or the
//! printed URL), without a terminal, sign-out, and one sign-in after a revoked token.

use crate::pty::Terminal;
use crate::sso::{files_containing, sso_sandbox};

/// Runs `hats sso login ARGS` in a terminal and waits for it to finish; its exit code and screen.
pub fn login_in_terminal(sb: &crate::harness::Sandbox, args: &str) -> (u32, String) {
    let mut term = Terminal::spawn(sb, &format!(r#""$HATS" sso login {args}"#));
    let code = term.wait_exit();
    (code, term.screen())
}

#[test]
fn login_with_a_browser_uses_pkce_and_a_loopback_redirect_and_the_token_works() {
    let (sb, ic) = sso_sandbox(true);
    let (code, screen) = login_in_terminal(&sb, "corp");
    assert_eq!(code, 0, "{screen}");
    let log = ic.log();
    assert_eq!(log.count("Authorize"), 1, "{:?}", log.requests);
    assert_eq!(log.grant_types(), ["authorization_code"]);
    assert_eq!(log.count("StartDeviceAuthorization"), 0);
    let arn = crate::harness::caller_arn(&sb, "prod-admin");
    assert!(arn.contains(":assumed-role/Admin/"), "{arn}");
    // Kept in the keyring only: no token anywhere on disk.
    for needle in ["standin-at-", "standin-rt-"] {
        let found = files_containing(sb.dir.path(), needle);
        assert!(found.is_empty(), "a token on disk: {found:?}");
    }
}

#[test]
fn login_with_a_device_code_polls_until_the_browser_approves() {
    let (sb, ic) = sso_sandbox(true);
    let (code, screen) = login_in_terminal(&sb, "corp --use-device-code");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("check that the page shows the code"), "{screen}");
    let log = ic.log();
    assert_eq!(log.count("StartDeviceAuthorization"), 1);
    assert_eq!(log.count("Authorize"), 0);
    assert_eq!(
        log.grant_types().last().map(String::as_str),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn login_without_a_browser_prints_the_url_and_waits_for_approval() {
    let (mut sb, ic) = sso_sandbox(true);
    sb.set_env("BROWSER", "/bin/false-browser-must-not-run");
    let mut term = Terminal::spawn(&sb, r#""$HATS" sso login corp --no-browser"#);
    term.wait_for("Waiting for approval");
    let pending = ic.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let user_code = pending[0]["userCode"].as_str().unwrap().to_owned();
    assert!(term.screen().contains(&user_code), "{}", term.screen());
    ic.approve(&user_code);
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn login_without_a_terminal_signs_in_through_the_browser_and_says_so_on_stderr() {
    let (sb, ic) = sso_sandbox(true);
    let run = sb.hats(&["sso", "login", "corp"]);
    run.ok();
    let err = run.stderr();
    assert!(err.contains("Sign in to \"corp\" in your browser"), "{err}");
    assert!(err.contains("/authorize?"), "the URL is on stderr: {err}");
    assert!(err.contains("signed in to \"corp\""), "{err}");
    assert_eq!(ic.log().grant_types(), ["authorization_code"]);
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn login_without_a_terminal_prints_the_device_code_on_stderr_for_another_machine() {
    let (mut sb, ic) = sso_sandbox(true);
    sb.set_env("BROWSER", "/bin/false-browser-must-not-run");
    let stderr = sb.home.join("login-stderr");
    let mut login = sb
        .command(crate::harness::HATS)
        .args(["sso", "login", "corp", "--no-browser"])
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let user_code = loop {
        if let Some(pending) = ic.pending().first() {
            break pending["userCode"].as_str().unwrap().to_owned();
        }
        assert!(
            login.try_wait().unwrap().is_none(),
            "{}",
            std::fs::read_to_string(&stderr).unwrap()
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no device code was asked for"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    ic.approve(&user_code);
    assert!(login.wait().unwrap().success());
    let err = std::fs::read_to_string(&stderr).unwrap();
    assert!(err.contains(&user_code), "the code is on stderr: {err}");
    assert!(
        err.contains(&format!("{}/device", ic.endpoint())),
        "the URL is on stderr: {err}"
    );
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn logout_signs_out_at_the_portal_and_removes_the_token_and_cached_sessions() {
    let (sb, ic) = sso_sandbox(true);
    assert_eq!(login_in_terminal(&sb, "corp").0, 0);
    sb.hats(&["env", "prod-admin"]).ok();
    sb.hats(&["sso", "logout", "corp"]).ok();
    assert_eq!(ic.log().count("Logout"), 1);
    // Neither the role session nor the token is left to hand out.
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
}

#[test]
fn a_revoked_sign_in_takes_exactly_one_new_sign_in() {
    let (sb, ic) = sso_sandbox(true);
    assert_eq!(login_in_terminal(&sb, "corp").0, 0);
    sb.hats(&["env", "prod-admin"]).ok();
    sb.hats(&["forget", "prod-admin"]).ok();
    ic.revoke_all();
    let err = sb.hats(&["env", "prod-admin"]).fails();
    assert!(err.contains("run \"hats sso login corp\""), "{err}");
    assert_eq!(login_in_terminal(&sb, "corp").0, 0);
    sb.hats(&["env", "prod-admin"]).ok();
    let log = ic.log();
    assert_eq!(
        log.count("Authorize"),
        2,
        "one sign-in before, exactly one after the revocation"
    );
    assert_eq!(log.errors("GetRoleCredentials", "UnauthorizedException"), 1);
}

#[test]
fn a_sign_in_the_user_denies_ends_with_a_message_and_keeps_no_token() {
    let (sb, ic) = sso_sandbox(true);
    ic.deny_approvals(true);
    let (code, screen) = login_in_terminal(&sb, "corp");
    assert_ne!(code, 0, "{screen}");
    assert!(screen.contains("denied"), "{screen}");
    assert_eq!(ic.log().count("Authorize"), 1);
    assert_eq!(sb.stored_keys(), Vec::<String>::new(), "no token is kept");
    ic.deny_approvals(false);
    assert_eq!(login_in_terminal(&sb, "corp").0, 0, "approved the next time");
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn ctrl_c_cancels_a_sign_in_that_waits_for_approval_and_exits_130() {
    let (sb, ic) = sso_sandbox(true);
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS" sso login corp --no-browser"#);
    term.wait_for("Waiting for approval");
    term.keys("\x03");
    let code = term.wait_exit();
    assert_eq!(code, 130, "Ctrl-C exits as a shell reports SIGINT");
    term.wait_for("sign-in cancelled");
    assert_eq!(ic.log().count("StartDeviceAuthorization"), 1);
}

#[test]
fn a_device_code_nobody_approves_ends_at_its_expiry() {
    let (sb, ic) = sso_sandbox(true);
    ic.set_lifetimes(serde_json::json!({"deviceCode": 3, "interval": 1}));
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS" sso login corp --no-browser"#);
    let code = term.wait_exit();
    assert_ne!(code, 0);
    let screen = term.screen();
    assert!(screen.contains("expired before it was approved"), "{screen}");
    assert!(screen.contains("hats sso login corp"), "{screen}");
}

#[test]
fn without_a_browser_to_open_login_falls_back_to_the_device_code() {
    let (mut sb, ic) = sso_sandbox(true);
    sb.set_env("BROWSER", "/nonexistent/browser");
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS" sso login corp"#);
    term.wait_for("Waiting for approval");
    assert!(
        term.screen().contains("using a device code instead"),
        "{}",
        term.screen()
    );
    let pending = ic.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    ic.approve(pending[0]["userCode"].as_str().unwrap());
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    sb.hats(&["env", "prod-admin"]).ok();
}

#[test]
fn no_cache_skips_cached_sessions_but_still_uses_the_sign_in() {
    let (sb, ic) = sso_sandbox(true);
    assert_eq!(login_in_terminal(&sb, "corp").0, 0);
    sb.hats(&["env", "prod-admin"]).ok();
    sb.hats(&["env", "prod-admin", "--no-cache"]).ok();
    assert_eq!(
        ic.log().count("GetRoleCredentials"),
        2,
        "--no-cache fetched a new session with the kept token"
    );
}
