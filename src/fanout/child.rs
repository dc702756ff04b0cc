//! One command of a fan-out: started without a shell, credentials only in its
//! environment, in a process group of its own; its output read line by line
//! (a line is never split between two writers, very long ones are cut into
//! pieces), ended when it runs past `--timeout`, interrupted when the run is.

use super::process::{Signal, ended_by_signal, new_group, signal_group};
use super::{Event, Status, Stop, Stream};
use std::ffi::OsString;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// A line longer than this is passed on in pieces of this size.
const MAX_LINE: usize = 64 * 1024;
/// After a timeout's SIGTERM, how long a command has to end before SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(2);
/// After the command ended, how long to keep reading output a process it left
/// behind still holds open.
const DRAIN_GRACE: Duration = Duration::from_secs(1);

/// What to run, the same for every target.
#[derive(Debug, Clone)]
pub struct CommandLine {
    /// The program and its arguments.
    pub argv: Vec<OsString>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
}

/// Reads lines from one of a child's pipes; cancellation safe (nothing read is lost).
struct Lines<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
    open: bool,
}

impl<R: AsyncRead + Unpin> Lines<R> {
    fn new(reader: R) -> Self {
        Self {
            reader: BufReader::new(reader),
            line: Vec::new(),
            open: true,
        }
    }

    /// The next line without its newline, or `None` at the end.
    async fn next(&mut self) -> Option<Vec<u8>> {
        loop {
            // `fill_buf` consumes nothing, so a cancelled call loses nothing.
            let Ok(available) = self.reader.fill_buf().await else {
                self.open = false;
                return self.rest();
            };
            if available.is_empty() {
                self.open = false;
                return self.rest();
            }
            let room = MAX_LINE - self.line.len();
            let newline = available.iter().take(room).position(|&b| b == b'\n');
            let taken = newline.map_or(available.len().min(room), |at| at + 1);
            self.line.extend_from_slice(&available[..taken]);
            self.reader.consume(taken);
            if newline.is_some() {
                self.line.pop();
                if self.line.last() == Some(&b'\r') {
                    self.line.pop();
                }
                return Some(std::mem::take(&mut self.line));
            }
            if self.line.len() >= MAX_LINE {
                return Some(std::mem::take(&mut self.line));
            }
        }
    }

    fn rest(&mut self) -> Option<Vec<u8>> {
        (!self.line.is_empty()).then(|| std::mem::take(&mut self.line))
    }
}

/// Runs `line` with `env` for job `job`, sending its output as events; returns
/// how it ended. `started` runs once the command is running (the hand-out happened).
pub async fn run(
    job: usize,
    line: &CommandLine,
    env: &[(&'static str, String)],
    events: &mpsc::Sender<Event>,
    mut stop: watch::Receiver<Stop>,
    started: impl FnOnce(),
) -> Status {
    let mut child = match spawn(line, env) {
        Ok(child) => child,
        Err(status) => return status,
    };
    let pid = child.id().unwrap_or(0);
    started();
    let _ = events.send(Event::Started { job }).await;
    let mut out = Lines::new(child.stdout.take().expect("stdout is piped"));
    let mut err = Lines::new(child.stderr.take().expect("stderr is piped"));
    let far = Instant::now() + Duration::from_secs(365 * 86_400);
    let mut timeout_at = line.timeout.map_or(far, |t| Instant::now() + t);
    let mut kill_at = far;
    let mut drain_until = far;
    let mut timed_out = None;
    let mut exit = None;
    let signal = |child: &mut tokio::process::Child, s: Signal| {
        if !signal_group(pid, s) && s != Signal::Interrupt {
            let _ = child.start_kill();
        }
    };
    while exit.is_none() || out.open || err.open {
        tokio::select! {
            biased;
            Some(text) = out.next(), if out.open => {
                let _ = events.send(Event::Line { job, stream: Stream::Out, text }).await;
            }
            Some(text) = err.next(), if err.open => {
                let _ = events.send(Event::Line { job, stream: Stream::Err, text }).await;
            }
            status = child.wait(), if exit.is_none() => {
                exit = Some(status);
                drain_until = Instant::now() + DRAIN_GRACE;
            }
            Ok(()) = stop.changed() => match *stop.borrow_and_update() {
                Stop::Interrupt => signal(&mut child, Signal::Interrupt),
                Stop::Kill => signal(&mut child, Signal::Kill),
                Stop::Running => {}
            },
            () = tokio::time::sleep_until(timeout_at), if exit.is_none() => {
                timed_out = line.timeout;
                timeout_at = far;
                signal(&mut child, Signal::Terminate);
                kill_at = Instant::now() + TERM_GRACE;
            }
            () = tokio::time::sleep_until(kill_at), if exit.is_none() => {
                kill_at = far;
                signal(&mut child, Signal::Kill);
            }
            () = tokio::time::sleep_until(drain_until) => break,
        }
    }
    ended(timed_out, exit)
}

/// Starts `line` with `env`: no shell, no stdin, its outputs piped, in a group of its own.
fn spawn(line: &CommandLine, env: &[(&'static str, String)]) -> Result<tokio::process::Child, Status> {
    let Some((program, args)) = line.argv.split_first() else {
        return Err(Status::Failed("no command given".into()));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for name in crate::output::REMOVED_VARS {
        command.env_remove(name);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    new_group(&mut command);
    command.spawn().map_err(|e| {
        let what = crate::error_text::describe(&e);
        Status::Failed(format!("cannot run \"{}\": {what}", program.to_string_lossy()))
    })
}

/// How a command ended: its timeout first, else its exit status.
fn ended(timed_out: Option<Duration>, exit: Option<std::io::Result<std::process::ExitStatus>>) -> Status {
    match (timed_out, exit) {
        (Some(after), _) => Status::TimedOut(after),
        (None, Some(Ok(status))) => match (status.code(), ended_by_signal(status)) {
            (Some(code), _) => Status::Exited(code),
            (None, Some(signal)) => Status::Signalled(signal),
            (None, None) => Status::Exited(1),
        },
        (None, Some(Err(e))) => Status::Failed(format!("lost the command: {e}")),
        (None, None) => Status::Failed("lost the command".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_whole_and_long_ones_come_in_pieces() {
        let mut text = b"one\r\ntwo\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend(b"\nlast without newline");
        let mut lines = Lines::new(&text[..]);
        let mut got = Vec::new();
        while let Some(line) = lines.next().await {
            got.push(line);
        }
        assert_eq!(got[0], b"one");
        assert_eq!(got[1], b"two");
        assert_eq!(got[2].len(), MAX_LINE);
        assert_eq!(got[3], vec![b'x'; 10]);
        assert_eq!(got[4], b"last without newline");
        assert_eq!(got.len(), 5);
        assert!(!lines.open);
    }
}
