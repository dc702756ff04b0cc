//! Runs a profile's `mfa_process` for an MFA code, within a time bound.
//!
//! The command runs through the shell with stdin and stderr on the terminal
//! (tools that ask for a touch can do so); its stdout (trimmed) must be a
//! six-digit code. A command that hangs (a key never touched, a helper waiting
//! for input it never gets) is not waited on forever: after a moment hats says
//! what it is waiting for, and after `HATS_MFA_PROCESS_TIMEOUT` (60 s by
//! default) it stops the command and everything it started, and fails.

use super::prompt::MfaError;
use crate::domain::{MfaCode, MfaSerial, SessionDuration};
use std::io::Write;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// How long an `mfa_process` may take when `HATS_MFA_PROCESS_TIMEOUT` is unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// After this long (or half the bound, if shorter) hats says what it waits for.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// The bound from `HATS_MFA_PROCESS_TIMEOUT` (`90`, `30s`, `2m`), else the default.
pub fn timeout_from_env() -> Result<Duration, MfaError> {
    let Some(raw) = std::env::var("HATS_MFA_PROCESS_TIMEOUT")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        return Ok(DEFAULT_TIMEOUT);
    };
    SessionDuration::parse(&raw)
        .ok()
        .filter(|d| d.as_secs() > 0)
        .map(|d| Duration::from_secs(u64::from(d.as_secs())))
        .ok_or_else(|| MfaError::Setting {
            detail: format!(
                "HATS_MFA_PROCESS_TIMEOUT \"{}\" is not a duration such as 60s or 2m",
                crate::domain::clean_text(&raw)
            ),
        })
}

/// Runs `command` for the code of `serial`, stopping it after `limit`.
pub async fn run_mfa_process(
    command: &str,
    serial: &MfaSerial,
    limit: Duration,
) -> Result<MfaCode, MfaError> {
    let failed = |detail: String| MfaError::Process {
        command: command.to_owned(),
        detail,
    };
    let mut shell = if cfg!(windows) {
        let mut c = tokio::process::Command::new("cmd");
        c.arg("/C");
        c
    } else {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c");
        c
    };
    let mut child = shell
        .arg(command)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(format!("could not start: {e}")))?;
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
                        "hats: waiting for mfa_process \"{command}\" to print the code for \"{serial}\" \
                         (up to {}s)",
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
        return Err(failed(format!(
            "did not print a code within {}s and was stopped; check that it works on its own, \
             or set HATS_MFA_PROCESS_TIMEOUT to wait longer",
            limit.as_secs()
        )));
    };
    let (status, out) = result.map_err(|e| failed(format!("could not be read: {e}")))?;
    if !status.success() {
        return Err(failed(format!("failed ({status})")));
    }
    MfaCode::parse(&String::from_utf8_lossy(&out)).map_err(|_| failed("did not print a 6-digit code".into()))
}

/// Kills every process `pid` started (found through `/proc`), then `pid`:
/// the shell forks the configured command, which would outlive the shell.
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
