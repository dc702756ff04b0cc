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

/// Why a helper command gave no output.
#[derive(Debug)]
pub enum HelperFailure {
    /// It could not be started.
    Start(std::io::Error),
    /// Its output could not be read.
    Read(std::io::Error),
    /// It did not finish within the bound and was stopped.
    TimedOut,
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
        }
    }
}

/// Runs `command`; `waiting` completes "hats: waiting for ..." on stderr when
/// it takes more than a moment. Returns its exit status and stdout.
pub async fn run_bounded(
    mut command: tokio::process::Command,
    waiting: &str,
    limit: Duration,
) -> Result<(ExitStatus, Vec<u8>), HelperFailure> {
    let watch = watcher();
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
    let mut watched = watch.map(|watch| {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        watch(HelperEvent::Started {
            id,
            label: waiting.to_owned(),
        });
        Watched { watch, id, ok: false }
    });
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let result = {
        let finished = async {
            let mut out = Vec::new();
            let read = async {
                if let Some(pipe) = stdout.as_mut() {
                    pipe.read_to_end(&mut out).await?;
                }
                Ok::<_, std::io::Error>(())
            };
            let (read, ()) = tokio::join!(read, relay(stderr, watched.as_ref()));
            read?;
            Ok::<_, std::io::Error>((child.wait().await?, out))
        };
        let notice = tokio::time::sleep(NOTICE_AFTER.min(limit / 2));
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(finished, notice, deadline);
        let mut noticed = false;
        loop {
            tokio::select! {
                result = &mut finished => break Some(result),
                () = &mut notice, if !noticed => {
                    noticed = true;
                    let text = format!("hats: waiting for {waiting} (up to {}s)", limit.as_secs());
                    match &watched {
                        Some(watched) => watched.line(text),
                        // Not eprintln!, which panics when stderr is closed.
                        None => {
                            let _ = writeln!(std::io::stderr(), "{text}");
                        }
                    }
                }
                () = &mut deadline => break None,
            }
        }
    };
    let Some(result) = result else {
        if let Some(pid) = pid {
            stop_tree(pid);
        }
        let _ = child.kill().await;
        return Err(HelperFailure::TimedOut);
    };
    if let (Some(watched), Ok((status, _))) = (watched.as_mut(), &result) {
        watched.ok = status.success();
    }
    result.map_err(HelperFailure::Read)
}

/// Kills every process `pid` started (found through `/proc`), then `pid`:
/// a shell forks the configured command, which would outlive the shell.
#[cfg(target_os = "linux")]
fn stop_tree(pid: u32) {
    let mut tree = vec![pid];
    let parents = parent_links();
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(c, _)| *c));
        i += 1;
    }
    for pid in tree {
        if let Ok(pid) = libc::pid_t::try_from(pid) {
            // SAFETY: kill has no memory effects; a pid that has gone is reported, not harmful.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// (pid, parent pid) of every process in `/proc`.
#[cfg(target_os = "linux")]
fn parent_links() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

#[cfg(all(unix, not(target_os = "linux")))]
fn stop_tree(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

#[cfg(windows)]
fn stop_tree(_pid: u32) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

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
