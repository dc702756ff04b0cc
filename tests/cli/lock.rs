//! The refresh lock between two hats processes, one of them at the MFA prompt in
//! a real pseudo-terminal: the second says whom it waits for, keeps waiting for
//! a person who types slowly, and gives up on a hats stopped with Ctrl-Z.
//!
//! Time is asserted only as generous upper bounds on the test's own waits.

use crate::harness::{HATS, Sandbox, parse_exports, require};
use crate::pty::Terminal;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Upper bound for anything the test waits for: generous, not a measurement.
const BOUNDED: Duration = Duration::from_secs(90);

/// A hats running in the background with its stderr read line by line.
struct Waiter {
    child: Child,
    stderr: Receiver<String>,
}

impl Waiter {
    fn start(sb: &Sandbox, args: &[&str]) -> Self {
        let mut child = sb
            .command(HATS)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stderr) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        Self { child, stderr }
    }

    /// The next line on stderr, failing the test if none comes in time.
    fn next_line(&self) -> String {
        match self.stderr.recv_timeout(BOUNDED) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("the waiting hats said nothing"),
            Err(RecvTimeoutError::Disconnected) => panic!("the waiting hats ended without a word"),
        }
    }

    /// Waits for the end (killing it after the bound) and returns success, stdout and the rest of stderr.
    fn finish(&mut self) -> (bool, String, Vec<String>) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > BOUNDED {
                let _ = self.child.kill();
                panic!("the waiting hats was still waiting after {BOUNDED:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut self.child.stdout.take().unwrap(), &mut stdout).unwrap();
        (status.success(), stdout, self.stderr.iter().collect())
    }
}

/// A failed test leaves no hats waiting behind it.
impl Drop for Waiter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills the hats with this pid when the test ends, passed or failed (a stopped
/// hats would otherwise outlive it). Only while that pid is still our hats.
/// Disarmed once that hats has ended.
struct KillOnDrop(Option<u32>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let Some(pid) = self.0 else { return };
        let exe = std::fs::read_link(format!("/proc/{pid}/exe"));
        if exe.is_ok_and(|p| p == std::path::Path::new(HATS)) {
            // SAFETY: kill(2) on a hats process this test started.
            unsafe { libc::kill(libc::pid_t::try_from(pid).unwrap(), libc::SIGKILL) };
        }
    }
}

/// The only child process of `pid` (the hats a shell in the terminal started).
fn child_of(pid: u32) -> u32 {
    let started = Instant::now();
    loop {
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
        if let Some(child) = children.split_whitespace().next() {
            return child.parse().unwrap();
        }
        assert!(started.elapsed() < BOUNDED, "no child of {pid}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The state letter of `pid` in /proc (R, S, T...).
fn state(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rfind(')')
        .and_then(|end| stat[end + 1..].trim_start().chars().next())
        .unwrap_or('?')
}

fn wait_until_running(pid: u32) {
    let started = Instant::now();
    while state(pid) == 'T' {
        assert!(started.elapsed() < BOUNDED, "{pid} stays stopped");
        std::thread::sleep(Duration::from_millis(20));
    }
    // And back at its read of the terminal.
    while state(pid) != 'S' {
        assert!(started.elapsed() < BOUNDED, "{pid} does not wait for input");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn waiting_line(pid: u32) -> String {
    format!(
        "hats: waiting for another hats (pid {pid}), which is getting the session of \"prod\" and may be \
         asking for an MFA code"
    )
}

#[test]
fn a_second_hats_says_whom_it_waits_for_and_waits_for_a_slow_typist() {
    let sb = Sandbox::standard(true);
    let mut term = Terminal::spawn(&sb, "\"$HATS\" env prod > first.env; echo done-$?");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    let holder = child_of(term.pid());
    let mut cleanup = KillOnDrop(Some(holder));
    let mut waiter = Waiter::start(&sb, &["env", "prod"]);
    assert_eq!(waiter.next_line(), waiting_line(holder));
    // The person takes their time: longer than a stopped holder is given.
    std::thread::sleep(Duration::from_secs(5));
    term.type_line("123456");
    term.wait_for("done-0");
    cleanup.0 = None;
    let (ok, stdout, rest) = waiter.finish();
    assert!(ok, "{rest:?}");
    assert!(rest.is_empty(), "said once: {rest:?}");
    let first = std::fs::read_to_string(sb.home.join("first.env")).unwrap();
    assert_eq!(
        parse_exports(&stdout)["AWS_ACCESS_KEY_ID"],
        parse_exports(&first)["AWS_ACCESS_KEY_ID"],
        "the second uses the session the first got"
    );
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
}

#[test]
fn a_hats_stopped_with_ctrl_z_at_the_prompt_does_not_block_the_next_forever() {
    require("bash", "bash");
    let sb = Sandbox::standard(true);
    // An interactive shell with job control, so Ctrl-Z stops hats as it would in a terminal.
    let mut term = Terminal::spawn(&sb, "PS1='$ ' exec bash --norc --noprofile -i");
    term.type_line("\"$HATS\" env prod > first.env");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    let holder = child_of(term.pid());
    let mut cleanup = KillOnDrop(Some(holder));
    term.keys("\x1a");
    term.wait_for("Stopped");
    let mut waiter = Waiter::start(&sb, &["env", "prod"]);
    assert_eq!(waiter.next_line(), waiting_line(holder));
    let (ok, _, rest) = waiter.finish();
    assert!(!ok);
    assert_eq!(
        rest,
        [format!(
            "hats: another hats (pid {holder}) is getting the session of \"prod\" but is stopped (Ctrl-Z, \
             or a background job waiting for the terminal); bring it back with `fg` and answer its prompt, \
             or end it with `kill {holder}`, then try again"
        )]
    );
    // Brought back, the first carries on as if nothing happened; the next uses its session.
    term.type_line("fg");
    // Typed once hats reads the terminal again, not while the shell still does.
    wait_until_running(holder);
    term.type_line("123456");
    term.type_line("echo done-$?");
    term.wait_for("done-0");
    cleanup.0 = None;
    let first = std::fs::read_to_string(sb.home.join("first.env")).unwrap();
    let next = sb.hats(&["env", "prod"]).ok();
    assert_eq!(
        parse_exports(&next)["AWS_ACCESS_KEY_ID"],
        parse_exports(&first)["AWS_ACCESS_KEY_ID"]
    );
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
}
