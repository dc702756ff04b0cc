//! Runs a helper command that prints one value hats needs (an MFA code, a web
//! identity token), within a time bound.
//!
//! stdin and stderr stay with hats' own (tools that ask for a touch can do so);
//! stdout is captured. A command that hangs is not waited on forever: after a
//! moment hats says what it is waiting for, and at the bound it stops the
//! command and everything it started. What the value means is the caller's
//! business; this module never interprets or logs stdout.
//!
//! While a full-screen UI owns the terminal (the switcher), a line on stderr
//! would tear its screen: the UI calls [`capture_stderr`], and until its guard
//! is dropped every command's stderr, and the wait notice, go to the UI as
//! [`HelperEvent`]s, one cleaned line at a time. This is process-wide state on
//! purpose: the commands run deep inside the engine, which every command shares,
//! and only the switcher's loop decides where the terminal's lines may go.

use std::io::Write;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt};

/// What a helper command is doing, for a UI that captures its stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelperEvent {
    /// Command `id` started; `label` says what it is for.
    Started {
        /// Tells this command's events from another's.
        id: u64,
        /// `mfa_process "..." to print the code for "..."`.
        label: String,
    },
    /// Command `id` wrote `line` on stderr (control characters removed), or hats
    /// says it is still waiting.
    Line {
        /// The command.
        id: u64,
        /// The text.
        line: String,
    },
    /// Command `id` ended; `ok` when it exited with success.
    Finished {
        /// The command.
        id: u64,
        /// Exited with status 0.
        ok: bool,
    },
}

/// Where captured events go.
pub type HelperWatch = Arc<dyn Fn(HelperEvent) + Send + Sync>;

static WATCH: Mutex<Option<HelperWatch>> = Mutex::new(None);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Longest stderr line passed on; the rest is cut (a UI shows a few lines).
const LINE_MAX: usize = 400;

/// Sends helper commands' stderr to `watch` until the guard is dropped.
#[must_use = "capturing ends when the guard is dropped"]
pub fn capture_stderr(watch: HelperWatch) -> StderrCapture {
    *WATCH.lock().unwrap_or_else(PoisonError::into_inner) = Some(watch);
    StderrCapture(())
}

/// Ends the capture when dropped: stderr goes to the terminal again.
pub struct StderrCapture(());

impl Drop for StderrCapture {
    fn drop(&mut self) {
        *WATCH.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

fn watcher() -> Option<HelperWatch> {
    WATCH.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// One captured command: says `Finished` however the run ends.
struct Watched {
    watch: HelperWatch,
    id: u64,
    ok: bool,
}

impl Watched {
    fn line(&self, line: String) {
        (self.watch)(HelperEvent::Line { id: self.id, line });
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        (self.watch)(HelperEvent::Finished {
            id: self.id,
            ok: self.ok,
        });
    }
}

/// Reads `pipe` line by line into `watched` until it closes.
async fn relay(pipe: Option<tokio::process::ChildStderr>, watched: Option<&Watched>) {
    let (Some(pipe), Some(watched)) = (pipe, watched) else {
        return;
    };
    let mut reader = tokio::io::BufReader::new(pipe);
    let mut raw = Vec::new();
    // Bytes, not `lines()`: a line that is not UTF-8 must not stop the reading
    // (the command would block on a full pipe).
    while reader.read_until(b'\n', &mut raw).await.is_ok_and(|n| n > 0) {
        let text = crate::domain::clean_text(&String::from_utf8_lossy(&raw));
        raw.clear();
        if !text.is_empty() {
            watched.line(text.chars().take(LINE_MAX).collect());
        }
    }
}

/// After this long (or half the bound, if shorter) hats says what it waits for.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// Most a helper may print: the largest value, a SAML response, is tens of
/// KiB; a command that prints more (`yes`, a binary) is stopped at this many
/// bytes instead of filling hats' memory.
pub const STDOUT_MAX: usize = 1 << 20;

/// Why a helper command gave no output.
#[derive(Debug)]
pub enum HelperFailure {
    /// It could not be started.
    Start(std::io::Error),
    /// Its output could not be read.
    Read(std::io::Error),
    /// It did not finish within the bound and was stopped.
    TimedOut,
    /// It printed more than [`STDOUT_MAX`] bytes and was stopped.
    TooLong,
}

impl HelperFailure {
    /// What went wrong, for an error sentence about a command that was to
    /// print `value` ("a code", "a token") within `limit`.
    pub fn explain(&self, value: &str, limit: Duration) -> String {
        match self {
            Self::Start(e) => format!("could not start: {e}; check the program name and PATH"),
            Self::Read(e) => format!("could not be read: {e}"),
            Self::TimedOut => format!(
                "did not print {value} within {}s and was stopped; check that it works on its own, \
                 or set HATS_MFA_PROCESS_TIMEOUT to wait longer",
                limit.as_secs()
            ),
            Self::TooLong => format!(
                "printed more than {} MiB instead of {value} and was stopped; check that it prints only {value}",
                STDOUT_MAX >> 20
            ),
        }
    }
}

/// Runs `command` in a process group of its own; `waiting` completes "hats:
/// waiting for ..." on stderr when it takes more than a moment. Returns its
/// exit status and stdout. A command that times out or prints too much is
/// stopped with everything it started (double-forked children included).
pub async fn run_bounded(
    mut command: tokio::process::Command,
    waiting: &str,
    limit: Duration,
) -> Result<(ExitStatus, Vec<u8>), HelperFailure> {
    let watch = watcher();
    crate::process_group::prepare(&mut command);
    if watch.is_some() {
        // The switcher reads the terminal; a helper in another process group
        // could not, so it gets no stdin rather than a stop signal.
        command.stdin(std::process::Stdio::null());
    }
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(if watch.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::inherit()
        })
        .kill_on_drop(true)
        .spawn()
        .map_err(HelperFailure::Start)?;
    let group = crate::process_group::Group::adopt(&mut child).map_err(HelperFailure::Start)?;
    // Declared after `child`, so dropped first: a run abandoned midway (Ctrl-C)
    // stops the group while its leader is still unreaped.
    let mut stopper = GroupStopper(Some(group));
    // Without a UI, the helper may ask on the terminal (a PIN, a touch prompt).
    let lent = watch
        .is_none()
        .then(|| stopper.group().and_then(|g| g.lend_terminal()))
        .flatten();
    let mut watched = watch.map(|watch| {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        watch(HelperEvent::Started {
            id,
            label: waiting.to_owned(),
        });
        Watched { watch, id, ok: false }
    });
    let stderr = child.stderr.take();
    let outcome = {
        let finished = finish(&mut child, relay(stderr, watched.as_ref()));
        within(finished, waiting, limit, watched.as_ref()).await
    };
    let ended = match outcome {
        Ok(Ok((status, out))) => {
            // Reaped: the group's id may already name another group.
            stopper.disarm();
            if let Some(watched) = watched.as_mut() {
                watched.ok = status.success();
            }
            Ok((status, out))
        }
        Ok(Err(failure)) | Err(failure) => {
            drop(stopper);
            let _ = child.kill().await;
            Err(failure)
        }
    };
    if let Some(lent) = lent {
        lent.give_back(ended.as_ref().ok().map(|(status, _)| *status));
    }
    ended
}

/// Stops the group when dropped, unless its leader was reaped first.
struct GroupStopper(Option<crate::process_group::Group>);

impl GroupStopper {
    fn group(&self) -> Option<&crate::process_group::Group> {
        self.0.as_ref()
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupStopper {
    fn drop(&mut self) {
        if let Some(group) = self.0.take() {
            group.kill();
        }
    }
}

/// Reads stdout (up to [`STDOUT_MAX`]) while `relaying` stderr, then reaps the child.
async fn finish(
    child: &mut tokio::process::Child,
    relaying: impl std::future::Future<Output = ()>,
) -> Result<(ExitStatus, Vec<u8>), HelperFailure> {
    let mut out = Vec::new();
    let stdout = child.stdout.take();
    let read = async {
        if let Some(pipe) = stdout {
            let limit = u64::try_from(STDOUT_MAX).unwrap_or(u64::MAX) + 1;
            pipe.take(limit).read_to_end(&mut out).await?;
        }
        Ok::<_, std::io::Error>(())
    };
    let (read, ()) = tokio::join!(read, relaying);
    read.map_err(HelperFailure::Read)?;
    if out.len() > STDOUT_MAX {
        return Err(HelperFailure::TooLong);
    }
    let status = child.wait().await.map_err(HelperFailure::Read)?;
    Ok((status, out))
}

/// `finished` within `limit`, saying after a moment what hats waits for;
/// `Err(TimedOut)` at the bound.
async fn within<T>(
    finished: impl std::future::Future<Output = T>,
    waiting: &str,
    limit: Duration,
    watched: Option<&Watched>,
) -> Result<T, HelperFailure> {
    let notice = tokio::time::sleep(NOTICE_AFTER.min(limit / 2));
    let deadline = tokio::time::sleep(limit);
    tokio::pin!(finished, notice, deadline);
    let mut noticed = false;
    loop {
        tokio::select! {
            result = &mut finished => return Ok(result),
            () = &mut notice, if !noticed => {
                noticed = true;
                let text = format!("hats: waiting for {waiting} (up to {}s)", limit.as_secs());
                match watched {
                    Some(watched) => watched.line(text),
                    // Not eprintln!, which panics when stderr is closed.
                    None => {
                        let _ = writeln!(std::io::stderr(), "{text}");
                    }
                }
            }
            () = &mut deadline => return Err(HelperFailure::TimedOut),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Whether `pid` is gone: no such process, or a zombie nobody reaped yet.
    fn gone(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat[stat.rfind(')').unwrap() + 1..].trim_start().starts_with('Z'),
        }
    }

    fn wait_gone(pid: i32) {
        let started = std::time::Instant::now();
        while !gone(pid) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "process {pid} survived"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid_in(file: &std::path::Path) -> i32 {
        std::fs::read_to_string(file).unwrap().trim().parse().unwrap()
    }

    #[tokio::test]
    async fn a_timed_out_helper_is_stopped_with_a_double_forked_child() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("grandchild");
        let mut command = tokio::process::Command::new("sh");
        // The subshell forks `sleep` and exits: init adopts it, so only its
        // process group still ties it to the helper.
        command
            .args(["-c", "(sleep 300 & echo $! > \"$0\"); sleep 300"])
            .arg(&file);
        let failure = run_bounded(command, "double-fork-test", Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(matches!(failure, HelperFailure::TimedOut), "{failure:?}");
        wait_gone(pid_in(&file));
    }

    #[tokio::test]
    async fn a_helper_that_prints_without_end_is_stopped_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("leader");
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "echo $$ > \"$0\"; exec yes aaaa"]).arg(&file);
        let failure = run_bounded(command, "endless-output-test", Duration::from_secs(60))
            .await
            .unwrap_err();
        assert!(matches!(failure, HelperFailure::TooLong), "{failure:?}");
        wait_gone(pid_in(&file));
        let text = failure.explain("a token", Duration::from_secs(60));
        assert!(
            text.starts_with("printed more than 1 MiB instead of a token"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn output_up_to_the_cap_is_read_whole() {
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", &format!("head -c {STDOUT_MAX} /dev/zero")]);
        let (status, out) = run_bounded(command, "cap-test", Duration::from_secs(60))
            .await
            .unwrap();
        assert!(status.success());
        assert_eq!(out.len(), STDOUT_MAX);
    }

    #[tokio::test]
    async fn captured_stderr_arrives_as_clean_lines_between_started_and_finished() {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        let capture = capture_stderr(Arc::new(move |e| sink.lock().unwrap().push(e)));
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "printf 'touch \\033[2Jkey\\n' >&2; echo 123456"]);
        let label = "captured-stderr-test";
        let (status, out) = run_bounded(command, label, Duration::from_secs(30))
            .await
            .unwrap();
        drop(capture);
        assert!(status.success());
        assert_eq!(out, b"123456\n", "stdout is the value, untouched");
        let events = events.lock().unwrap().clone();
        // Other tests may run commands meanwhile: only ours.
        let id = events
            .iter()
            .find_map(|e| match e {
                HelperEvent::Started { id, label: l } if l == label => Some(*id),
                _ => None,
            })
            .expect("a Started event");
        let ours: Vec<&HelperEvent> = events
            .iter()
            .filter(|e| match e {
                HelperEvent::Started { id: i, .. }
                | HelperEvent::Line { id: i, .. }
                | HelperEvent::Finished { id: i, .. } => *i == id,
            })
            .collect();
        assert_eq!(
            ours[1..],
            [
                &HelperEvent::Line {
                    id,
                    line: "touch [2Jkey".into()
                },
                &HelperEvent::Finished { id, ok: true }
            ],
            "no escape character reaches the UI"
        );
    }
}
