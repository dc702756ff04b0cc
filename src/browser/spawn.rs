//! Starts one browser command detached from hats, and tells whether it opened.
//!
//! The platform difference (a process group of its own on Unix, a console
//! process group of its own on Windows) stays in [`detach`].

use super::{BrowserCommand, SETTLE, Wait};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `command`; with [`Wait::Settle`], watches it for [`SETTLE`]: an exit
/// with failure is an error, an exit with success or a browser still running
/// is opened. The error says what happened, in a few words.
pub(super) fn launch(command: &BrowserCommand, wait: Wait) -> Result<(), String> {
    let mut cmd = Command::new(&command.program);
    cmd.args(&command.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    detach(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "is not installed (not found)".to_owned(),
        _ => format!("could not be started ({e})"),
    })?;
    if wait == Wait::Settle {
        let started = Instant::now();
        while started.elapsed() < SETTLE {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("failed ({status})")),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("could not be watched ({e})")),
            }
        }
    }
    reap_later(child);
    Ok(())
}

/// A browser may run as long as the user keeps it: wait for it on a thread of
/// its own so it never lingers as a zombie, and never hold hats up for it.
fn reap_later(mut child: Child) {
    std::thread::spawn(move || child.wait());
}

#[cfg(unix)]
fn detach(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(windows)]
fn detach(cmd: &mut Command) {
    use std::os::windows::process::CommandExt;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    cmd.creation_flags(CREATE_NEW_PROCESS_GROUP);
}

#[cfg(not(any(unix, windows)))]
fn detach(_cmd: &mut Command) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> BrowserCommand {
        BrowserCommand::new("/bin/sh", vec!["-c".into(), script.into()])
    }

    #[test]
    fn a_quick_failure_is_reported_with_its_status() {
        let err = launch(&sh("exit 3"), Wait::Settle).unwrap_err();
        assert_eq!(err, "failed (exit status: 3)");
    }

    #[test]
    fn a_quick_success_and_a_browser_still_running_both_count_as_opened() {
        launch(&sh("exit 0"), Wait::Settle).unwrap();
        // Still running when the watch ends: a browser window in the foreground.
        launch(&sh("sleep 5"), Wait::Settle).unwrap();
    }

    #[test]
    fn a_missing_program_is_not_installed() {
        let err = launch(
            &BrowserCommand::new("/nonexistent/browser", vec![]),
            Wait::Started,
        )
        .unwrap_err();
        assert_eq!(err, "is not installed (not found)");
    }

    #[test]
    fn the_browser_runs_in_a_process_group_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pgid");
        let script = format!("ps -o pgid= -p $$ > '{}'", out.display());
        launch(&sh(&script), Wait::Settle).unwrap();
        let theirs: i32 = std::fs::read_to_string(&out).unwrap().trim().parse().unwrap();
        // SAFETY: getpgrp has no preconditions.
        let ours = unsafe { libc::getpgrp() };
        assert_ne!(theirs, ours, "a Ctrl-C to hats' group would reach the browser");
    }
}
