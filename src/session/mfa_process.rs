//! Runs a profile's `mfa_process` for an MFA code, within a time bound.
//!
//! The command runs through the shell with stdin and stderr on the terminal
//! (tools that ask for a touch can do so); its stdout (trimmed) must be a
//! six-digit code. A command that hangs (a key never touched, a helper waiting
//! for input it never gets) is not waited on forever: after a moment hats says
//! what it is waiting for, and after `HATS_MFA_PROCESS_TIMEOUT` (60 s by
//! default) it stops the command and everything it started, and fails.

use super::helper_command::run_bounded;
use super::prompt::MfaError;
use crate::domain::{MfaCode, MfaSerial, SessionDuration};
use std::time::Duration;

/// How long an `mfa_process` may take when `HATS_MFA_PROCESS_TIMEOUT` is unset.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

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
    shell.arg(command);
    let waiting = format!("mfa_process \"{command}\" to print the code for \"{serial}\"");
    let (status, out) = run_bounded(shell, &waiting, limit)
        .await
        .map_err(|e| failed(e.explain("a code", limit)))?;
    if !status.success() {
        return Err(failed(format!("failed ({status})")));
    }
    MfaCode::parse(&String::from_utf8_lossy(&out)).map_err(|_| failed("did not print a 6-digit code".into()))
}
