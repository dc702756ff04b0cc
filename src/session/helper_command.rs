//! Runs a helper command that prints one value hats needs (an MFA code, a web
//! identity token), within a time bound.
//!
//! stdin and stderr stay with hats' own (tools that ask for a touch can do so);
//! stdout is captured. A command that hangs is not waited on forever: after a
//! moment hats says what it is waiting for, and at the bound it stops the
//! command and everything it started. What the value means is the caller's
//! business; this module never interprets or logs stdout.

use std::io::Write;
use std::process::ExitStatus;
use std::time::Duration;
use tokio::io::AsyncReadExt;

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
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(HelperFailure::Start)?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let result = {
        let finished = async {
            let mut out = Vec::new();
            if let Some(pipe) = stdout.as_mut() {
                pipe.read_to_end(&mut out).await?;
            }
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
                    // Not eprintln!, which panics when stderr is closed.
                    let _ = writeln!(
                        std::io::stderr(),
                        "hats: waiting for {waiting} (up to {}s)",
                        limit.as_secs()
                    );
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
