//! The switcher with Identity Center targets, in a real pseudo-terminal against
//! the Identity Center stand-in, moto and a real keyring: the header's sign-in
//! time left, and the sign-in modal (device code approved, browser approved,
//! `Esc`) that continues the hand-out.

use crate::harness::Sandbox;
use crate::identity_center::IdentityCenter;
use crate::pty::Terminal;
use crate::sso::{ONE_SSO_PROFILE, cli_token, sso_sandbox};

/// The stand-in and a keyring, `/bin/sh` as the subshell with a known prompt.
fn sandbox() -> (Sandbox, IdentityCenter) {
    let (mut sb, ic) = sso_sandbox(true);
    sb.aws_config(ONE_SSO_PROFILE);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    (sb, ic)
}

/// The header line (first line of the screen).
pub fn header(term: &Terminal) -> String {
    term.screen().lines().next().unwrap_or_default().to_owned()
}

#[test]
fn the_header_shows_the_sso_sign_in_time_left_when_signed_in() {
    let (sb, ic) = sandbox();
    cli_token(&sb, &ic, "corp", 2 * 3600 + 1800);
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    term.wait_for(" left");
    let header = header(&term);
    // 2:30:00 at the start; a few seconds pass before the frame.
    assert!(
        header.contains("SSO corp: 2:29:") || header.contains("SSO corp: 2:30:00 left"),
        "{header}"
    );
    assert!(!header.contains("signed out"), "{header}");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn the_header_says_signed_out_without_a_token() {
    let (sb, _ic) = sandbox();
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    term.wait_for("SSO corp: signed out");
    // The detail pane names the role and the sign-in, not an MFA session.
    term.wait_for("Admin in 111122223333 (Identity Center)");
    assert!(
        term.screen().contains("sso corp -> prod-admin"),
        "{}",
        term.screen()
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn enter_when_signed_out_opens_the_sign_in_modal_and_approval_continues_to_the_shell_then_discovery() {
    let (mut sb, ic) = sandbox();
    // No browser: the device flow, whose code the modal shows.
    sb.set_env("BROWSER", "/nonexistent/browser");
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    term.wait_for("SSO corp: signed out");
    term.keys("\r");
    term.wait_for("waiting for approval");
    term.wait_for("no browser was opened");
    let pending = ic.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let user_code = pending[0]["userCode"].as_str().unwrap().to_owned();
    term.wait_for(&format!("code: {user_code}"));
    // The flow's own terminal lines (`hats sso login`) never draw over the switcher.
    assert!(!term.screen().contains("Ctrl-C cancels"), "{}", term.screen());
    ic.approve(&user_code);
    term.wait_for("sub$ ");
    term.type_line("echo target=$HATS_TARGET");
    term.wait_for("target=prod-admin");
    term.type_line("exit");
    // Back from the shell, the new sign-in discovers its accounts, as `hats sso login` does.
    term.wait_for("Identity Center synced");
    // The new sign-in is in the keyring and the header says so.
    term.wait_for(" left");
    assert!(header(&term).contains("SSO corp: "), "{}", header(&term));
    assert_eq!(ic.log().count("StartDeviceAuthorization"), 1);
    assert_eq!(ic.log().count("GetRoleCredentials"), 1);
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn the_browsers_approval_in_the_modal_continues_the_handout_then_discovers_the_accounts() {
    let (sb, ic) = sandbox();
    // $BROWSER is the stand-in's approving script: the PKCE flow, a loopback redirect.
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    term.wait_for("SSO corp: signed out");
    term.keys("\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    // Back from the shell, the new sign-in discovers its accounts, as `hats sso login` does.
    term.wait_for("Identity Center synced");
    let log = ic.log();
    assert_eq!(log.count("Authorize"), 1, "{:?}", log.requests);
    assert_eq!(log.grant_types(), ["authorization_code"]);
    assert_eq!(log.count("ListAccounts"), 1, "{:?}", log.requests);
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn esc_in_the_sign_in_modal_cancels_it_and_a_late_approval_signs_nothing_in() {
    let (mut sb, ic) = sandbox();
    // A browser that approves only once told to (file `go`), after Esc; it notes
    // in `browsed` that it has finished, whatever the outcome.
    let (go, browsed) = (sb.home.join("go"), sb.home.join("browsed"));
    let browser = sb.write(
        "late-browser.sh",
        &format!(
            "#!/bin/sh\nwhile [ ! -e '{}' ]; do sleep 0.05; done\n'{}' \"$1\"; echo $? > '{}'\n",
            go.display(),
            crate::identity_center::browser_script().display(),
            browsed.display()
        ),
    );
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.set_env("BROWSER", &browser.display().to_string());
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    term.wait_for("SSO corp: signed out");
    term.keys("\r");
    term.wait_for("opened in your browser");
    assert!(term.screen().contains("/authorize?"), "{}", term.screen());
    term.keys("\x1b");
    term.wait_for("sign-in to \"corp\" cancelled");
    assert!(
        !term.screen().contains("waiting for approval"),
        "{}",
        term.screen()
    );
    assert!(term.running(), "Esc closed the modal, not the switcher");
    // Now the browser approves: nobody listens on the loopback redirect any more.
    std::fs::write(&go, "").unwrap();
    let started = std::time::Instant::now();
    while !browsed.exists() {
        assert!(
            started.elapsed().as_secs() < 60,
            "the late browser never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let code = std::fs::read_to_string(&browsed).unwrap();
    assert_ne!(code.trim(), "0", "the loopback redirect still answered after Esc");
    assert_eq!(ic.log().count("CreateToken"), 0, "no token was asked for");
    assert!(
        !term.screen().contains("sub$ "),
        "no shell opened:\n{}",
        term.screen()
    );
    assert!(
        header(&term).contains("SSO corp: signed out"),
        "{}",
        header(&term)
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn an_sso_session_no_target_uses_is_not_in_the_header() {
    let (sb, _ic) = sandbox();
    sb.aws_config(&format!(
        "{}\n[profile plain-role]\nrole_arn = arn:aws:iam::222222222222:role/ReadOnly\nsource_profile = plain\n",
        ONE_SSO_PROFILE.split("[profile prod-admin]").next().unwrap()
    ));
    sb.credentials(crate::harness::CREDENTIALS);
    let mut term = Terminal::spawn(&sb, r#""$HATS""#);
    // The header is in the same frame as the rows.
    term.wait_for("plain-role");
    assert!(!header(&term).contains("SSO"), "{}", header(&term));
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}
