//! The platform edge of a fan-out's commands: each runs in a process group of
//! its own, so a timeout or Ctrl-C reaches everything it started, and the
//! terminal's Ctrl-C reaches hats alone (hats forwards it). Unix process groups;
//! on Windows a new process group, ended through the child handle.

use tokio::process::Command;

/// What to tell a command's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C, forwarded.
    Interrupt,
    /// Asked to end (a timeout).
    Terminate,
    /// Ended now.
    Kill,
}

/// Starts `command` in a new process group of its own.
pub fn new_group(command: &mut Command) {
    #[cfg(unix)]
    {
        command.process_group(0);
    }
    #[cfg(windows)]
    {
        /// `CREATE_NEW_PROCESS_GROUP`: the console's Ctrl-C does not reach it.
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        command.creation_flags(CREATE_NEW_PROCESS_GROUP);
    }
}

/// Sends `signal` to the group led by `pid`. Returns `false` when the
/// platform cannot (Windows: the caller kills the child itself).
pub fn signal_group(pid: u32, signal: Signal) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        let number = match signal {
            Signal::Interrupt => libc::SIGINT,
            Signal::Terminate => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
        };
        // SAFETY: kill(2) of the process group of a child this run started and
        // has not reaped yet, so the group id cannot have been reused.
        unsafe { libc::kill(-pid, number) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = (pid, signal);
        false
    }
}

/// The signal that ended a process, if one did (Unix only).
pub fn ended_by_signal(status: std::process::ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        std::os::unix::process::ExitStatusExt::signal(&status)
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}
