//! What serving needs from the operating system, one small function each:
//! the requests to stop (SIGINT and SIGTERM; on Windows Ctrl-C, Ctrl-Break and
//! the console closing), ending the served command (SIGTERM; on Windows its Job
//! Object, so everything it started ends with it), its exit status as hats'
//! code, whether a process is alive, and shutting a socket from outside the
//! task that owns it.

use std::process::ExitCode;

/// A socket's descriptor, as the serving loop keeps it to shed idle connections.
#[cfg(unix)]
pub type RawSocket = std::os::fd::RawFd;
/// A socket's handle, as the serving loop keeps it to shed idle connections.
#[cfg(windows)]
pub type RawSocket = std::os::windows::io::RawSocket;

/// The descriptor of `stream`.
pub fn raw_socket(stream: &tokio::net::TcpStream) -> RawSocket {
    #[cfg(unix)]
    {
        std::os::fd::AsRawFd::as_raw_fd(stream)
    }
    #[cfg(windows)]
    {
        std::os::windows::io::AsRawSocket::as_raw_socket(stream)
    }
}

/// Shuts both directions of `socket`: its peer sees the end at once and its
/// owner's next read ends; closing is left to the owner.
pub fn shut_down(socket: RawSocket) {
    #[cfg(unix)]
    // SAFETY: a plain system call on a descriptor the caller keeps open; no memory is involved.
    unsafe {
        libc::shutdown(socket, libc::SHUT_RDWR);
    }
    #[cfg(windows)]
    // SAFETY: as above, on a socket handle.
    unsafe {
        use windows_sys::Win32::Networking::WinSock::{SD_BOTH, SOCKET, shutdown};
        shutdown(socket as SOCKET, SD_BOTH);
    }
}

/// Why hats was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C at the terminal, which the served command got too.
    Interrupt,
    /// Asked to end (SIGTERM, Ctrl-Break, the console closing).
    Terminate,
}

/// The stop requests hats listens for while it serves; registered on creation,
/// so from then on they no longer end hats at once.
pub struct Stops {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(windows)]
    interrupt: tokio::signal::windows::CtrlC,
    #[cfg(windows)]
    brk: tokio::signal::windows::CtrlBreak,
    #[cfg(windows)]
    close: tokio::signal::windows::CtrlClose,
}

impl Stops {
    /// Starts listening.
    pub fn listen() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(windows)]
        {
            use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
            Ok(Self {
                interrupt: ctrl_c()?,
                brk: ctrl_break()?,
                close: ctrl_close()?,
            })
        }
    }

    /// The next request.
    pub async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Stop::Interrupt,
                _ = self.terminate.recv() => Stop::Terminate,
            }
        }
        #[cfg(windows)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Stop::Interrupt,
                _ = self.brk.recv() => Stop::Terminate,
                _ = self.close.recv() => Stop::Terminate,
            }
        }
    }
}

/// Asks the served command to end: SIGTERM to it on Unix; on Windows, where a
/// console program has no such request, its Job Object ends it and its children.
pub fn terminate(child: &tokio::process::Child, group: &crate::process_group::Tied) {
    #[cfg(unix)]
    {
        let _ = group;
        if let Some(pid) = child.id().and_then(|p| libc::pid_t::try_from(p).ok()) {
            // SAFETY: kill(2) with a pid we spawned and still wait for.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
    #[cfg(windows)]
    {
        let _ = child;
        group.end();
    }
}

/// The command's status as hats' exit code: its code, or 128 + the signal
/// that ended it (as shells report it).
pub fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    #[cfg(unix)]
    let code = {
        use std::os::unix::process::ExitStatusExt;
        status.code().or_else(|| status.signal().map(|s| 128 + s))
    };
    #[cfg(windows)]
    let code = status.code();
    ExitCode::from(u8::try_from(code.unwrap_or(1).clamp(0, 255)).unwrap_or(1))
}

/// Whether process `pid` exists (possibly another user's).
pub fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks existence; EPERM means it exists but belongs to someone else.
        // SAFETY: kill with signal 0 sends nothing.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{CloseHandle, STILL_ACTIVE};
        use windows_sys::Win32::System::Threading::{
            GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
        };
        // SAFETY: OpenProcess returns null on failure; the handle is closed below.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
        if handle.is_null() {
            // Access denied means it exists, as EPERM does.
            return std::io::Error::last_os_error().raw_os_error() == Some(5);
        }
        let mut code = 0u32;
        // SAFETY: a valid process handle and a writable u32.
        let ok = unsafe { GetExitCodeProcess(handle, &raw mut code) } != 0;
        // SAFETY: opened above, closed once.
        unsafe { CloseHandle(handle) };
        ok && i32::try_from(code).is_ok_and(|c| c == STILL_ACTIVE)
    }
}
