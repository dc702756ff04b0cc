//! The switcher stays true about sessions that other processes change, in a
//! real pseudo-terminal: a session forgotten elsewhere stops counting down,
//! and a sign-in found gone (by a hand-out, or on regaining focus) is shown
//! signed out.

use crate::harness::Sandbox;
use crate::pty::Terminal;
use crate::tui_sso::header;
use std::time::{Duration, Instant};

/// Upper bound for the switcher to notice (it looks every 2 s); not a measurement.
const NOTICE_TIMEOUT: Duration = Duration::from_secs(30);

fn wait_until(term: &Terminal, what: &str, done: impl Fn(&Terminal) -> bool) {
    let started = Instant::now();
    while !done(term) {
        assert!(
            started.elapsed() < NOTICE_TIMEOUT,
            "never saw: {what}; screen:\n{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether plain-role's row counts down a one-hour session.
fn counting(term: &Terminal) -> bool {
    let row = term.line_with(" plain-role ");
    row.contains(" 59:") || row.contains("1h00m")
}

#[test]
fn a_session_forgotten_by_another_process_stops_counting_down() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "plain-role"]).ok();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    wait_until(&term, "plain-role counting down", counting);
    sb.hats(&["forget", "plain-role"]).ok();
    wait_until(&term, "plain-role no longer counting down", |t| !counting(t));
    // And one made elsewhere starts counting.
    sb.hats(&["env", "plain-role"]).ok();
    wait_until(&term, "plain-role counting down again", counting);
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

/// The Identity Center stand-in, signed in through the AWS CLI's cache only; no browser.
fn signed_in() -> (
    Sandbox,
    crate::identity_center::IdentityCenter,
    std::path::PathBuf,
) {
    let (mut sb, ic) = crate::sso::sso_sandbox(false);
    sb.aws_config(crate::sso::ONE_SSO_PROFILE);
    sb.set_env("BROWSER", "/nonexistent/browser");
    let cache = crate::sso::cli_token(&sb, &ic, "corp", 8 * 3600);
    (sb, ic, cache)
}

#[test]
fn a_hand_out_that_finds_the_sign_in_gone_makes_the_header_say_signed_out() {
    let (sb, _ic, cache) = signed_in();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for(" left");
    let before = header(&term);
    assert!(
        before.contains("SSO corp: 7:59:") || before.contains("SSO corp: 8:00:00"),
        "{before}"
    );
    // Signed out behind the switcher's back (as `aws sso logout` does).
    std::fs::remove_file(&cache).unwrap();
    term.keys("\r");
    term.wait_for("waiting for approval");
    wait_until(&term, "the header saying signed out", |t| {
        header(t).contains("SSO corp: signed out")
    });
    // Esc closes the sign-in box. Its "cancelled" notice may be replaced at once
    // by the background Identity Center sync's, so the box is what is watched.
    term.keys("\x1b");
    wait_until(&term, "the sign-in box closed", |t| {
        !t.screen().contains("waiting for approval")
    });
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn regaining_focus_reads_the_sign_ins_again() {
    let (sb, _ic, cache) = signed_in();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for(" left");
    std::fs::remove_file(&cache).unwrap();
    // What a terminal sends when its window gets the focus back (focus reporting on).
    term.keys("\x1b[I");
    wait_until(&term, "the header saying signed out", |t| {
        header(t).contains("SSO corp: signed out")
    });
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}
