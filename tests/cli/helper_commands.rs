//! Helper commands (`mfa_process`, `web_identity_token_process`) run in a
//! process group of their own: stopping one stops everything it started, its
//! output is bounded, and it can still use the terminal hats was started on.

use crate::harness::{AWS_CONFIG, Sandbox};
use crate::pty::Terminal;
use std::time::{Duration, Instant};

/// `yubi`: a role whose MFA code comes from `mfa_process = COMMAND`.
fn with_mfa_process(command: &str) -> Sandbox {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile yubi]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = {command}\n"
    ));
    sb
}

/// Pids of processes whose command line is exactly `args`.
fn processes(args: &[&str]) -> Vec<i32> {
    let wanted: Vec<u8> = args.iter().flat_map(|a| [a.as_bytes(), b"\0"].concat()).collect();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == wanted))
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// Waits (SIGKILL lands at once; the kernel may take a moment) until no
/// process runs `args`; kills survivors before failing, so none outlives the test.
fn assert_all_stopped(args: &[&str]) {
    let started = Instant::now();
    while !processes(args).is_empty() {
        if started.elapsed() > Duration::from_secs(30) {
            let survivors = processes(args);
            for pid in &survivors {
                // SAFETY: kill has no memory effects.
                unsafe { libc::kill(*pid, libc::SIGKILL) };
            }
            panic!("{args:?} survived the helper being stopped: {survivors:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_timed_out_helper_is_stopped_with_its_double_forked_children() {
    // `( … &)` forks twice: the first sleep's parent exits at once, so it belongs
    // to init, out of reach of a walk down hats' process tree.
    let mut sb = with_mfa_process("(sleep 2718281 &); sleep 3141592");
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "2s");
    let err = sb.hats(&["env", "yubi"]).fails();
    assert!(
        err.contains("did not print a code within 2s and was stopped"),
        "{err}"
    );
    assert_all_stopped(&["sleep", "3141592"]);
    assert_all_stopped(&["sleep", "2718281"]);
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_helper_that_prints_without_end_is_stopped_at_the_output_cap() {
    // A bound far beyond the test: the cap, not the clock, must stop it.
    let mut sb = with_mfa_process("yes 31415926");
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "10m");
    let err = sb.hats(&["env", "yubi"]).fails();
    assert!(
        err.contains(
            "mfa_process \"yes 31415926\" printed more than 65536 bytes, more than a code can be, \
             and was stopped"
        ),
        "{err}"
    );
    assert_all_stopped(&["yes", "31415926"]);

    // The same for a token command, which runs without a shell.
    sb.aws_config(
        "[profile oidc]\nrole_arn = arn:aws:iam::123456789012:role/CiDeploy\n\
         web_identity_token_process = yes 27182818\n",
    );
    let err = sb.hats(&["env", "oidc"]).fails();
    assert!(
        err.contains("printed more than 21024 bytes, more than a token can be, and was stopped"),
        "{err}"
    );
    assert_all_stopped(&["yes", "27182818"]);
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn a_helper_in_its_own_group_can_still_read_the_terminal() {
    // A background process group that reads its terminal is stopped (SIGTTIN):
    // hats lends the helper the terminal's foreground while it runs.
    let mut sb = with_mfa_process("printf 'code please: ' >/dev/tty; read -r code </dev/tty; echo $code");
    sb.set_env("HATS_MFA_PROCESS_TIMEOUT", "20s");
    let mut term = Terminal::spawn(&sb, r#""$HATS" env yubi >/dev/null; echo "hats status=$?""#);
    term.wait_for("code please: ");
    term.type_line("246810");
    term.wait_for("hats status=");
    assert!(term.screen().contains("hats status=0"), "{}", term.screen());
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("246810"));
}

#[test]
fn ctrl_c_while_a_helper_holds_the_terminal_stops_hats_too() {
    let sb = with_mfa_process("printf 'waiting for a touch\\n' >/dev/tty; sleep 1618033");
    let mut term = Terminal::spawn(&sb, r#""$HATS" env yubi >/dev/null; echo "hats status=$?""#);
    term.wait_for("waiting for a touch");
    term.keys("\x03");
    term.wait_for("hats status=");
    assert!(
        term.screen().contains("hats status=130"),
        "hats ends as if it had got the interrupt itself:\n{}",
        term.screen()
    );
    assert_all_stopped(&["sleep", "1618033"]);
}
