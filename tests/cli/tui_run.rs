//! The switcher's front end of `hats run`, end to end in a pseudo-terminal
//! against moto's organization of 32 accounts: rows marked with `Space`, `x`
//! runs the AWS CLI on them (each row reaches its own account, shown in its
//! output pane), the header counts the run; a production row among the marks
//! brings up the guard, and a wrong count runs nothing.

use crate::harness::aws_cli;
use crate::pty::Terminal;
use crate::run::{codes_asked, organization};
use std::time::{Duration, Instant};

/// How long a run of a few AWS CLI commands may take on a busy machine.
const RUN_TIMEOUT: Duration = Duration::from_secs(90);

/// The switcher on a 100×30 terminal, its first frame drawn.
fn switcher(sb: &crate::harness::Sandbox) -> Terminal {
    let term = Terminal::spawn_sized(sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (");
    term
}

/// Filters the list down to `name`, leaves the filter box and marks the row.
fn mark(term: &mut Terminal, name: &str) {
    // Ctrl-U empties the filter box before the name is typed.
    term.keys(&format!("/\x15{name}\t"));
    term.wait_highlighted(name);
    term.keys(" ");
    wait_until(term, |t| has_line(t, &[name, "●"]), "the mark");
}

/// Whether a line of the screen holds every one of `parts`.
fn has_line(term: &Terminal, parts: &[&str]) -> bool {
    term.screen().lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

fn wait_until(term: &Terminal, done: impl Fn(&Terminal) -> bool, what: &str) {
    let started = Instant::now();
    while !done(term) {
        assert!(
            started.elapsed() < RUN_TIMEOUT,
            "never saw {what}; screen:\n{}",
            term.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn marked_rows_run_the_aws_cli_each_in_its_own_account_and_enter_shows_the_output() {
    let (sb, accounts) = organization();
    let names = ["acct-01/ReadOnly", "acct-02/ReadOnly", "acct-05/ReadOnly"];
    let mut term = switcher(&sb);
    for name in names {
        mark(&mut term, name);
    }
    term.keys("x");
    term.wait_for("Run on 3 targets:");
    let aws = aws_cli();
    term.keys(&format!(
        "sh -c 'echo target=$HATS_TARGET; {} sts get-caller-identity --query Account --output text'\r",
        aws.display()
    ));
    term.wait_for("run: 3/3 done · 0 failed · 0 running");
    for name in names {
        term.keys(&format!("/\x15{name}\t"));
        wait_until(&term, |t| has_line(t, &[name, " ok "]), &format!("{name} ok"));
    }
    assert_eq!(codes_asked(&sb), 1, "one MFA code for the run");
    let calls = sb.moto.take_actions();
    let count = |action: &str| calls.iter().filter(|c| *c == action).count();
    assert_eq!(
        (count("AssumeRole"), count("GetCallerIdentity")),
        (3, 3),
        "{calls:?}"
    );

    // The filter shows the last row: Enter opens its output.
    term.keys("\r");
    term.wait_for("output: acct-05/ReadOnly · ok");
    term.wait_for("target=acct-05/ReadOnly");
    term.wait_for(&accounts["acct-05"]);
    term.keys("\x1b");
    wait_until(
        &term,
        |t| !t.screen().contains("output: acct-05"),
        "the pane closed",
    );
    let history = sb.hats(&["history"]).ok();
    assert!(
        history.contains("3 targets, 3 commands"),
        "one run id ties them: {history}"
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn a_production_row_among_the_marks_brings_the_guard_and_a_wrong_count_runs_nothing() {
    let (sb, _) = organization();
    let mut term = switcher(&sb);
    // acct-04 is in Workloads/Prod.
    mark(&mut term, "acct-04/ReadOnly");
    mark(&mut term, "acct-05/ReadOnly");
    term.keys("x");
    term.wait_for("Run on 2 targets (1 production):");
    term.keys("touch ran\r");
    term.wait_for("the selection holds 1 production target:");
    term.wait_for("type 1 to run on 1 production target:");
    term.keys("2\r");
    term.wait_for("not confirmed (typed \"2\", not 1); nothing ran");
    assert!(!term.screen().contains("run: "), "{}", term.screen());
    assert!(sb.moto.take_actions().is_empty(), "nothing was assumed");
    assert_eq!(codes_asked(&sb), 0);
    assert!(!sb.home.join("ran").exists());
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn the_runs_mfa_code_is_asked_once_in_the_switchers_mfa_box() {
    let sb = crate::harness::Sandbox::standard(true);
    let mut term = switcher(&sb);
    mark(&mut term, "staging");
    mark(&mut term, "plain-role");
    term.keys("x");
    term.wait_for("Run on 2 targets:");
    term.keys("sh -c 'echo ran-$HATS_TARGET'\r");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    term.wait_for("target: run on 2 targets");
    term.keys("123456\r");
    term.wait_for("run: 2/2 done · 0 failed · 0 running");
    let calls = sb.moto.take_actions();
    let count = |action: &str| calls.iter().filter(|c| *c == action).count();
    assert_eq!(count("GetSessionToken"), 1, "{calls:?}");
    assert_eq!(count("AssumeRole"), 2, "{calls:?}");
    // The filter shows plain-role, the last one marked.
    term.keys("\r");
    term.wait_for("ran-plain-role");
    term.keys("\x1b");
    wait_until(
        &term,
        |t| !t.screen().contains("ran-plain-role"),
        "the pane closed",
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn quitting_during_a_run_interrupts_its_commands() {
    let sb = crate::harness::Sandbox::standard(true);
    let mut term = switcher(&sb);
    mark(&mut term, "plain-role");
    term.keys("x");
    term.wait_for("Run on 1 target:");
    // Bounded (a minute), so a failing test leaves no command behind for long.
    term.keys(
        "sh -c 'trap \"echo int > $HOME/got-int; exit 3\" INT; for i in $(seq 600); do sleep 0.1; done'\r",
    );
    wait_until(
        &term,
        |t| has_line(t, &["plain-role", "running"]),
        "the command running",
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    let got = std::fs::read_to_string(sb.home.join("got-int")).unwrap_or_default();
    assert_eq!(got, "int\n", "the command got SIGINT before hats ended");
}
