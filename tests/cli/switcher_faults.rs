//! Faults around the switcher in a pseudo-terminal: a resize storm, a closed or
//! empty stdin, a terminal that goes away, a background task that panics, and a
//! refresh that fails. Time is asserted only as generous upper bounds.

use crate::faults::{actions, behind_faults, key_of, one_line};
use crate::harness::{Fault, Sandbox};
use crate::local_faults::kill;
use crate::pty::Terminal;
use std::time::{Duration, Instant};

/// A sandbox for the switcher, with a known subshell prompt.
fn switcher_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

#[test]
fn the_switcher_survives_a_resize_storm() {
    let sb = switcher_sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    let sizes = [(40, 10), (200, 60), (80, 24), (20, 5), (132, 43), (60, 15)];
    for i in 0..300 {
        let (cols, rows) = sizes[i % sizes.len()];
        term.resize(cols, rows);
    }
    term.resize(90, 25);
    // The screen is exactly what a switcher started at that size draws.
    let mut fresh = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 90, 25);
    fresh.wait_for("targets (7)");
    let started = Instant::now();
    while term.screen() != fresh.screen() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "after the storm:\n{}\nfresh:\n{}",
            term.screen(),
            fresh.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    fresh.keys("q");
    assert_eq!(fresh.wait_exit(), 0);
    // Keys still work.
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(term.modes(), (false, false), "the terminal is restored");
}

#[test]
fn the_switcher_reads_the_terminal_when_stdin_is_closed_or_empty() {
    let sb = switcher_sandbox();
    for redirect in ["<&-", "</dev/null"] {
        let script = format!(
            r#"before=$(stty -g); "$HATS" {redirect}; code=$?; [ "$before" = "$(stty -g)" ] && echo "restored, exit $code"; sleep 30"#
        );
        let mut term = Terminal::spawn_sized(&sb, &script, 100, 30);
        term.wait_for("targets (7)");
        term.keys("/stag");
        term.wait_for("/stag");
        term.keys("\x1b");
        term.wait_for("targets (7)");
        term.keys("q");
        term.wait_for("restored, exit 0");
        assert_eq!(term.modes(), (false, false), "{redirect}");
        kill(term.pid(), libc::SIGKILL);
    }
}

#[test]
fn a_closed_terminal_ends_the_switcher_with_a_message_instead_of_a_spin() {
    let sb = switcher_sandbox();
    // SIGHUP ignored, as under nohup: the switcher must notice the closed terminal itself.
    // The code is written whole (mv), so a half-written file is never read.
    let script = r#"trap '' HUP; "$HATS" 2>switcher.err; echo $? > code.part; mv code.part switcher.code"#;
    let mut term = Terminal::spawn_sized(&sb, script, 100, 30);
    term.wait_for("targets (7)");
    term.hang_up();
    // On failure, dropping `term` kills the switcher with its process group.
    let code_file = sb.home.join("switcher.code");
    let started = Instant::now();
    while !code_file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the switcher did not end after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let code = std::fs::read_to_string(&code_file).unwrap();
    assert_eq!(code.trim(), "1", "a closed terminal is an error exit");
    let err = std::fs::read_to_string(sb.home.join("switcher.err")).unwrap();
    assert!(err.contains("hats: the terminal closed"), "{err}");
    assert_eq!(err.lines().count(), 1, "one message: {err}");
    assert!(one_line(&err).contains("left the switcher"), "{err}");
}

#[test]
fn a_panic_in_a_background_task_is_shown_and_the_terminal_restored() {
    let mut sb = switcher_sandbox();
    sb.set_env("HATS_TEST_PANIC", "resolve");
    let script = r#"before=$(stty -g); "$HATS" 2>switcher.err; code=$?; [ "$before" = "$(stty -g)" ] && echo "restored, exit $code"; cat switcher.err; sleep 30"#;
    let mut term = Terminal::spawn_sized(&sb, script, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("internal error: HATS_TEST_PANIC asked the resolve task to panic");
    // The switcher goes on: keys still work, and q quits.
    term.keys("/x");
    term.wait_for("/plain-rolex");
    term.keys("\x1b");
    term.wait_for("targets (7)");
    term.keys("q");
    term.wait_for("restored, exit 0");
    term.wait_for(
        "hats: internal error in a background task: HATS_TEST_PANIC asked the resolve task to panic",
    );
    assert_eq!(
        term.modes(),
        (false, false),
        "alternate screen left, cursor shown"
    );
    kill(term.pid(), libc::SIGKILL);
}

#[test]
fn a_failed_refresh_in_the_switcher_keeps_the_session_it_had() {
    let (mut sb, endpoint) = behind_faults("Action=", Fault::Pass);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    let key = key_of(&sb, &["env", "plain-role"]);
    endpoint.take();
    endpoint.set(Fault::ServerError);
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    let countdown = term.line_with("plain-role ");
    // Down to plain-role, refresh it: STS fails.
    term.keys("\x1b[B");
    term.keys("r");
    term.wait_for("failed AssumeRole with HTTP 500");
    assert_eq!(
        term.line_with("plain-role ").split_whitespace().count(),
        countdown.split_whitespace().count()
    );
    assert!(
        !term.line_with("plain-role ").trim_end().ends_with(" -"),
        "{}",
        term.screen()
    );
    assert_eq!(actions(&endpoint.take()), ["AssumeRole"; 3]);
    // The cached session still serves the shell.
    term.keys("\r");
    term.wait_for("sub$ ");
    term.type_line(r#"echo "key=$AWS_ACCESS_KEY_ID""#);
    term.wait_for(&format!("key={key}"));
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert!(endpoint.take().is_empty());
}
