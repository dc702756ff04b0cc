//! The switcher hands out only what is on screen, in a real pseudo-terminal,
//! with STS held by a proxy in front of moto for as long as each test needs
//! (the "slow STS" of the selection model in ARCHITECTURE.md): a hand-out
//! still in flight is cancelled by the next action on any row, its late reply
//! is never handed out while a box is open, and what is typed into the box
//! goes to the box.

use crate::harness::{Fault, FaultyEndpoint, Sandbox};
use crate::pty::Terminal;

/// Three role targets on static keys (no MFA prompt on the way); names that
/// match `production-*` are guarded.
const CONFIG: &str = "\
[profile production-008]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = plain

[profile sandbox-001]
role_arn = arn:aws:iam::444444444444:role/Developer
source_profile = plain

[profile staging-009]
role_arn = arn:aws:iam::333333333333:role/Developer
source_profile = plain
";

const CREDENTIALS: &str = "\
[plain]
aws_access_key_id = AKIAPLAINPLAINPLAIN1
aws_secret_access_key = plainsecretplainsecretplainsecretplains1
";

/// What the status line says when a late reply was dropped.
const DROPPED: &str = "nothing was handed out";

/// A sandbox whose STS holds staging-009's `AssumeRole` until released.
fn held_staging(mut sb: Sandbox) -> (Sandbox, FaultyEndpoint) {
    let sts = FaultyEndpoint::start(sb.moto.port, "333333333333", Fault::Hold);
    sb.set_env("AWS_ENDPOINT_URL", &sts.endpoint());
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb.credentials(CREDENTIALS);
    sb.hats_config("[defaults]\nproduction_patterns = [\"production-*\"]\n");
    (sb, sts)
}

fn sandbox() -> (Sandbox, FaultyEndpoint) {
    let sb = Sandbox::without_keyring();
    sb.aws_config(CONFIG);
    held_staging(sb)
}

/// Moves the cursor to `name` with `g` and `j` (moving cancels nothing).
fn select(term: &mut Terminal, name: &str) {
    // The list is the left part of each line (the detail pane may be on the right).
    let screen = term.screen();
    let row = screen
        .lines()
        .skip(2)
        .map(|line| line.split('│').next().unwrap_or_default())
        .position(|list| list.contains(&format!(" {name} ")))
        .unwrap_or_else(|| panic!("{name} is not listed:\n{screen}"));
    term.keys(&format!("g{}", "j".repeat(row)));
    term.wait_highlighted(name);
}

/// Presses `key` on staging-009 and waits until its request is held at STS.
fn hold_staging(term: &mut Terminal, sts: &FaultyEndpoint, key: &str) {
    select(term, "staging-009");
    term.keys(key);
    sts.wait_for_requests(1);
    term.wait_for("getting credentials for staging-009");
}

/// Lets the held request through and waits until its reply reached the switcher.
fn release(term: &Terminal, sts: &FaultyEndpoint) {
    sts.set(Fault::Pass);
    term.wait_for(DROPPED);
}

/// The targets the hand-out history recorded, oldest first.
fn handed_out(sb: &Sandbox) -> Vec<String> {
    let out = sb.hats(&["history", "--json"]).ok();
    let records: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    records
        .iter()
        .map(|r| r["target"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn enter_then_enter_on_a_production_row_opens_only_the_confirmed_production_shell() {
    let (sb, sts) = sandbox();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    hold_staging(&mut term, &sts, "\r");
    // Moving is free; Enter on the production row opens its box and cancels staging's hand-out.
    select(&mut term, "production-008");
    term.keys("\r");
    term.wait_for("production-008 is production");
    release(&term, &sts);
    assert!(
        term.screen().contains("production-008 is production"),
        "{}",
        term.screen()
    );
    assert!(
        !term.screen().contains("sub$"),
        "no shell under the box:\n{}",
        term.screen()
    );
    // What is typed into the box goes to the box.
    term.keys("yes\r");
    term.wait_for("sub$ ");
    term.type_line("echo target=$HATS_TARGET");
    term.wait_for("target=production-008");
    term.type_line("exit");
    term.wait_for("back from the shell for production-008");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(handed_out(&sb), ["production-008"]);
}

#[test]
fn e_with_stdout_redirected_prints_only_what_the_production_box_confirmed() {
    let (sb, sts) = sandbox();
    let mut term = Terminal::spawn(&sb, r#""$HATS" > out.txt"#);
    term.wait_for("targets (3)");
    // The sequence as reported: filter, e, Esc, filter again, Enter on production.
    term.keys("/staging-009\t");
    term.wait_highlighted("staging-009");
    term.keys("e");
    sts.wait_for_requests(1);
    term.wait_for("getting credentials for staging-009");
    term.keys("\x1b");
    term.wait_for("stopped getting credentials for staging-009");
    // Esc alone (an Esc followed at once by a key reads as Alt and that key).
    term.keys("\x1b");
    term.wait_for("targets (3)");
    term.keys("/production-008 admin\te");
    term.wait_for("production-008 is production");
    release(&term, &sts);
    assert!(term.running(), "hats did not quit on its own:\n{}", term.screen());
    let out = sb.home.join("out.txt");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "", "nothing printed yet");
    term.keys("yes\r");
    assert_eq!(term.wait_exit(), 0);
    let exports = std::fs::read_to_string(&out).unwrap();
    assert!(
        exports.contains("export HATS_TARGET='production-008'"),
        "{exports}"
    );
    assert!(!exports.contains("staging"), "{exports}");
    assert_eq!(handed_out(&sb), ["production-008"]);
}

#[test]
fn c_then_r_on_another_row_copies_nothing_and_refreshes_that_row() {
    let (sb, sts) = sandbox();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    hold_staging(&mut term, &sts, "c");
    select(&mut term, "production-008");
    term.keys("r");
    term.wait_for("refreshed production-008");
    release(&term, &sts);
    assert!(!term.screen().contains("copied exports"), "{}", term.screen());
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert!(handed_out(&sb).is_empty(), "{:?}", handed_out(&sb));
}

#[test]
fn o_then_the_filter_box_opens_no_console() {
    let (sb, sts) = sandbox();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    hold_staging(&mut term, &sts, "o");
    // Typing a new filter is a new action: what is typed is for the switcher.
    term.keys("/sand");
    term.wait_for("/sand");
    release(&term, &sts);
    let screen = term.screen();
    assert!(
        !screen.contains("AWS console") && !screen.contains("console sign-in"),
        "{screen}"
    );
    assert!(
        term.screen().contains("/sand"),
        "the filter box keeps what was typed"
    );
    term.keys("\x1b");
    term.wait_for("targets (3)");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert!(handed_out(&sb).is_empty(), "{:?}", handed_out(&sb));
}

#[test]
fn a_sign_in_modal_opened_by_r_on_another_row_hands_out_nothing_under_it() {
    let (mut sb, _ic) = crate::sso::sso_sandbox(false);
    sb.aws_config(&format!("{}\n{CONFIG}", crate::sso::ONE_SSO_PROFILE));
    // No browser approves: the modal waits (device flow).
    sb.set_env("BROWSER", "/nonexistent/browser");
    let (sb, sts) = held_staging(sb);
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (4)");
    hold_staging(&mut term, &sts, "\r");
    // `r` on the Identity Center row, which is signed out: the sign-in modal opens.
    select(&mut term, "prod-admin");
    term.keys("r");
    term.wait_for("waiting for approval");
    release(&term, &sts);
    assert!(
        term.screen().contains("waiting for approval"),
        "{}",
        term.screen()
    );
    assert!(
        !term.screen().contains("sub$"),
        "no shell under the modal:\n{}",
        term.screen()
    );
    term.keys("\x1b");
    term.wait_for("cancelled");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert!(handed_out(&sb).is_empty(), "{:?}", handed_out(&sb));
}

#[test]
fn ctrl_c_quits_the_switcher_with_status_130() {
    let (sb, _sts) = sandbox();
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    term.keys("\x03");
    assert_eq!(term.wait_exit(), 130);
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0, "q is not an interrupt");
}

#[test]
fn the_history_these_tests_read_records_a_switcher_hand_out() {
    // The tests above find nothing handed out in it: it must show one that was.
    let (sb, sts) = sandbox();
    sts.set(Fault::Pass);
    let mut term = Terminal::spawn(&sb, r#"exec "$HATS""#);
    term.wait_for("targets (3)");
    term.keys("/sandbox\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for sandbox-001");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(handed_out(&sb), ["sandbox-001"]);
}
