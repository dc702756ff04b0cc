//! `hats run` on a real terminal: the production guard asks for the count,
//! Ctrl-C is forwarded to the running commands and ends the run with 130,
//! the live progress line, and labels coloured per target.

use crate::pty::Terminal;
use crate::run::{ACCOUNTS, codes_asked, organization};
use std::time::{Duration, Instant};

/// Upper bound for files the commands write to show what we wait for.
const FILE_TIMEOUT: Duration = Duration::from_secs(60);

/// The lines of `file` in the sandbox's home containing `text`, once there are `n`.
fn wait_for_lines(sb: &crate::harness::Sandbox, file: &str, text: &str, n: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let content = std::fs::read_to_string(sb.home.join(file)).unwrap_or_default();
        let found: Vec<String> = content
            .lines()
            .filter(|l| l.contains(text))
            .map(str::to_owned)
            .collect();
        if found.len() >= n {
            return found;
        }
        assert!(
            started.elapsed() < FILE_TIMEOUT,
            "only {} lines with {text:?} in {file}:\n{content}",
            found.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn on_a_terminal_the_guard_wants_the_count_of_production_targets_typed() {
    let (sb, _) = organization();
    let command = r#""$HATS" run --ou Workloads/Prod --role ReadOnly -- sh -c 'echo ran-$HATS_ACCOUNT_NAME' > out.txt; echo "exit=$?""#;
    let mut term = Terminal::spawn(&sb, command);
    term.wait_for("the selection holds 8 production targets:");
    term.wait_for("type 8 to run on 8 production targets:");
    assert!(term.screen().contains("  acct-28/ReadOnly"), "{}", term.screen());
    term.type_line("7");
    term.wait_for("exit=1");
    assert!(
        term.screen()
            .contains("not confirmed (typed \"7\", not 8); nothing ran")
    );
    assert_eq!(std::fs::read_to_string(sb.home.join("out.txt")).unwrap(), "");
    assert!(sb.moto.take_sts_calls().is_empty(), "nothing was asked of AWS");
    assert_eq!(codes_asked(&sb), 0);

    let mut term = Terminal::spawn(&sb, command);
    term.wait_for("type 8 to run on 8 production targets:");
    term.type_line("8");
    term.wait_for("exit=0");
    let ran = wait_for_lines(&sb, "out.txt", "| ran-acct-", 8);
    assert_eq!(ran.len(), 8, "{ran:?}");
}

#[test]
fn ctrl_c_is_forwarded_to_the_running_commands_and_the_run_ends_with_130() {
    // The wrapper shell lives on to print hats' status: it traps SIGINT, or
    // ignores it, and then hats starts with SIGINT ignored, as a script's
    // background job does; every command must still get the Ctrl-C.
    for wrapper in ["trap 'echo wrapper-int' INT", "trap '' INT"] {
        ctrl_c_reaches_every_running_command(wrapper);
    }
}

fn ctrl_c_reaches_every_running_command(wrapper: &str) {
    let (sb, _) = organization();
    let command = format!(
        r#"{wrapper}; "$HATS" run --all --role ReadOnly --yes -j 4 -- sh -c 'trap "echo got-int; exit 7" INT; echo started; while :; do sleep 0.1; done' > out.txt; echo "exit=$?""#
    );
    let mut term = Terminal::spawn(&sb, &command);
    wait_for_lines(&sb, "out.txt", "| started", 4);
    term.keys("\x03");
    term.wait_for("exit=130");
    let got = wait_for_lines(&sb, "out.txt", "| got-int", 4);
    assert_eq!(
        got.len(),
        4,
        "each running command got SIGINT ({wrapper}): {got:?}"
    );
    let started = wait_for_lines(&sb, "out.txt", "| started", 4);
    assert_eq!(started.len(), 4, "no command started after Ctrl-C");
    let screen = term.screen();
    assert!(
        screen.contains("interrupted: no new commands start; the running ones got Ctrl-C"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("4 of {ACCOUNTS} commands ran in"))
            && screen.contains(&format!("0 ok, 4 failed; interrupted, {} not run", ACCOUNTS - 4)),
        "{screen}"
    );
    assert!(
        term.line_with("acct-").contains("exit 7"),
        "the table shows how they ended: {screen}"
    );
}

#[test]
fn a_terminal_gets_a_live_progress_line_and_labels_coloured_per_target() {
    let (sb, _) = organization();
    let command = r#""$HATS" run --all --role Admin --yes -j 4 -- sh -c 'sleep 0.3' ; echo "exit=$?""#;
    let term = Terminal::spawn(&sb, command);
    term.wait_for(&format!("/{ACCOUNTS} done · "));
    term.wait_for(" running · ETA ");
    term.wait_for("exit=0");
    let screen = term.screen();
    assert!(
        !screen.contains("running ·"),
        "the progress line is erased: {screen}"
    );
    assert!(
        screen.contains(&format!("hats run: {ACCOUNTS} of {ACCOUNTS} commands ran in")),
        "{screen}"
    );

    let term = Terminal::spawn(
        &sb,
        r#""$HATS" run acct-01/ReadOnly acct-02/ReadOnly -- echo hi; echo "exit=$?""#,
    );
    term.wait_for("exit=0");
    let first = term.colour_of_line("acct-01/ReadOnly | hi");
    let second = term.colour_of_line("acct-02/ReadOnly | hi");
    assert_ne!(first, vt100::Color::Default);
    assert_ne!(second, vt100::Color::Default);
    assert_ne!(first, second, "one colour per target");
}
