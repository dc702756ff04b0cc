//! A command and everything it starts, as one unit that can be stopped
//! together: its own process group on Unix, a Job Object on Windows.
//!
//! Unix: the command leads a new process group, and stopping it signals the
//! group while the leader is still an unreaped child of hats. Until it is
//! reaped the leader's pid (the group's id) cannot be given to another
//! process, so the signal reaches that group and no other; a child that forked
//! twice to leave its parent stays in the group and is stopped too (only one
//! that calls `setsid` leaves it). A process group that is not the terminal's
//! foreground group cannot read the terminal, so while a command runs in the
//! foreground hats lends it the terminal ([`Group::lend_terminal`]).
//!
//! Windows: the command starts suspended, joins a Job Object, and only then
//! runs, so nothing it starts is outside the job; closing the job (when the
//! [`Group`] is dropped, or hats exits) ends every process in it.
//!
//! This module never reaps or waits: the caller's `Child` does.

use std::io;

/// Makes `command` start a group of its own; call before spawning.
pub fn prepare(command: &mut tokio::process::Command) {
    #[cfg(unix)]
    command.process_group(0);
    #[cfg(windows)]
    command.creation_flags(windows::CREATE_SUSPENDED);
}

/// The group a prepared command started.
pub struct Group {
    #[cfg(unix)]
    pgid: libc::pid_t,
    #[cfg(windows)]
    job: windows::Job,
}

impl Group {
    /// The group `child` (spawned from a [`prepare`]d command, not yet waited
    /// for) leads. On Windows this also lets the child run; on failure the
    /// child is killed.
    pub fn adopt(child: &mut tokio::process::Child) -> io::Result<Self> {
        #[cfg(unix)]
        {
            let pid = child
                .id()
                .ok_or_else(|| io::Error::other("the command has already ended"))?;
            let pgid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
            Ok(Self { pgid })
        }
        #[cfg(windows)]
        {
            let adopted = windows::Job::adopt(child);
            if adopted.is_err() {
                let _ = child.start_kill();
            }
            adopted.map(|job| Self { job })
        }
    }

    /// Stops every process of the group at once (SIGKILL; `TerminateJobObject`).
    pub fn kill(&self) {
        #[cfg(unix)]
        // SAFETY: killpg has no memory effects; the leader is unreaped (see the
        // module doc), so the id still names this group.
        unsafe {
            libc::killpg(self.pgid, libc::SIGKILL);
        }
        #[cfg(windows)]
        self.job.terminate();
    }

    /// Makes the group the terminal's foreground group while the returned
    /// guard lives, so the command can read the terminal as it could when it
    /// ran in hats' own group; `None` when hats has no terminal or is not in
    /// its foreground. Windows consoles have no foreground group: always `None`.
    pub fn lend_terminal(&self) -> Option<Lent> {
        #[cfg(unix)]
        {
            unix::lend(self.pgid)
        }
        #[cfg(windows)]
        {
            None
        }
    }
}

/// A command that stays in hats' own process group, so it keeps the terminal
/// as hats had it (an interactive shell, a served command), with what it
/// starts ended together on Windows, where its Job Object closes with hats.
pub struct Tied {
    #[cfg(windows)]
    job: windows::Job,
}

impl Tied {
    /// Call before spawning.
    pub fn prepare(command: &mut tokio::process::Command) {
        #[cfg(windows)]
        prepare(command);
        #[cfg(unix)]
        let _ = command;
    }

    /// Ties `child`, spawned from a [`Tied::prepare`]d command (on Windows, lets it run).
    pub fn adopt(child: &mut tokio::process::Child) -> io::Result<Self> {
        #[cfg(windows)]
        {
            Group::adopt(child).map(|group| Self { job: group.job })
        }
        #[cfg(unix)]
        {
            let _ = child;
            Ok(Self {})
        }
    }

    /// Ends every process of the Job Object (Windows). Unix has nothing to
    /// end here: the caller signals the command itself.
    pub fn end(&self) {
        #[cfg(windows)]
        self.job.terminate();
    }
}

/// The terminal lent to a group; given back to hats' own group when dropped.
pub struct Lent {
    #[cfg(unix)]
    _given_back_on_drop: unix::Lent,
}

#[cfg(unix)]
mod unix {
    use std::os::fd::AsRawFd;

    pub struct Lent {
        tty: std::fs::File,
        ours: libc::pid_t,
    }

    pub fn lend(pgid: libc::pid_t) -> Option<super::Lent> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        // SAFETY: getpgrp cannot fail; tcgetpgrp and tcsetpgrp read an fd we own.
        let ours = unsafe { libc::getpgrp() };
        if unsafe { libc::tcgetpgrp(tty.as_raw_fd()) } != ours {
            return None;
        }
        if unsafe { libc::tcsetpgrp(tty.as_raw_fd(), pgid) } != 0 {
            return None;
        }
        // A read of the terminal before the hand-over stopped the command
        // (SIGTTIN); now that it is in the foreground, let it go on.
        // SAFETY: as in Group::kill.
        unsafe { libc::killpg(pgid, libc::SIGCONT) };
        Some(super::Lent {
            _given_back_on_drop: Lent { tty, ours },
        })
    }

    impl Drop for Lent {
        fn drop(&mut self) {
            // hats is in the background now: taking the terminal back raises
            // SIGTTOU unless this thread blocks it.
            // SAFETY: the sets are initialised by sigemptyset before use; the
            // mask is restored before returning.
            unsafe {
                let mut block: libc::sigset_t = std::mem::zeroed();
                let mut before: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&raw mut block);
                libc::sigaddset(&raw mut block, libc::SIGTTOU);
                libc::pthread_sigmask(libc::SIG_BLOCK, &raw const block, &raw mut before);
                libc::tcsetpgrp(self.tty.as_raw_fd(), self.ours);
                libc::pthread_sigmask(libc::SIG_SETMASK, &raw const before, std::ptr::null_mut());
            }
        }
    }
}

impl Lent {
    /// Gives the terminal back; when the command ended by Ctrl-C, which the
    /// terminal sent to its group only (before, it reached hats too), passes it on.
    pub fn give_back(self, ended: Option<std::process::ExitStatus>) {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            drop(self._given_back_on_drop);
            if ended.and_then(|status| status.signal()) == Some(libc::SIGINT) {
                // SAFETY: raise has no memory effects.
                unsafe { libc::raise(libc::SIGINT) };
            }
        }
        #[cfg(windows)]
        let _ = (self, ended);
    }
}

#[cfg(windows)]
mod windows {
    //! The Job Object and the suspended start.

    use std::io;
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
    };
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation, SetInformationJobObject,
        TerminateJobObject,
    };
    use windows_sys::Win32::System::Threading::{OpenThread, ResumeThread, THREAD_SUSPEND_RESUME};

    pub use windows_sys::Win32::System::Threading::CREATE_SUSPENDED;

    /// An owned handle, closed when dropped.
    struct Handle(HANDLE);

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: the handle is ours and closed once.
            unsafe { CloseHandle(self.0) };
        }
    }

    // SAFETY: a kernel handle may be used from any thread.
    unsafe impl Send for Handle {}
    // SAFETY: as above; the calls made through it are thread-safe.
    unsafe impl Sync for Handle {}

    /// A Job Object whose processes end when it is closed.
    pub struct Job(Handle);

    impl Job {
        /// Puts the suspended `child` in a new job, then resumes its threads.
        pub fn adopt(child: &tokio::process::Child) -> io::Result<Self> {
            let process = child
                .raw_handle()
                .ok_or_else(|| io::Error::other("the command has already ended"))?;
            let job = Self::create()?;
            // SAFETY: both handles are valid for the call.
            if unsafe { AssignProcessToJobObject(job.0.0, process.cast()) } == 0 {
                return Err(io::Error::last_os_error());
            }
            let pid = child
                .id()
                .ok_or_else(|| io::Error::other("the command has already ended"))?;
            resume_threads(pid)?;
            Ok(job)
        }

        fn create() -> io::Result<Self> {
            // SAFETY: no attributes, no name: a new anonymous job.
            let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
            if handle.is_null() {
                return Err(io::Error::last_os_error());
            }
            let job = Self(Handle(handle));
            // SAFETY: a zeroed JOBOBJECT_EXTENDED_LIMIT_INFORMATION is a valid "no limits" value.
            let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
            limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let size = u32::try_from(std::mem::size_of_val(&limits)).map_err(io::Error::other)?;
            // SAFETY: the pointer and size describe `limits`, alive for the call.
            let set = unsafe {
                SetInformationJobObject(
                    job.0.0,
                    JobObjectExtendedLimitInformation,
                    (&raw const limits).cast(),
                    size,
                )
            };
            if set == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(job)
        }

        /// Ends every process in the job.
        pub fn terminate(&self) {
            // SAFETY: the handle is a job we created.
            unsafe { TerminateJobObject(self.0.0, 1) };
        }
    }

    /// Resumes the threads of process `pid` (one, for a process started suspended).
    fn resume_threads(pid: u32) -> io::Result<()> {
        // SAFETY: a snapshot of every thread; the handle is closed by `Handle`.
        let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
        if snapshot == INVALID_HANDLE_VALUE {
            return Err(io::Error::last_os_error());
        }
        let snapshot = Handle(snapshot);
        // SAFETY: zeroed is a valid THREADENTRY32 once dwSize is set.
        let mut entry: THREADENTRY32 = unsafe { std::mem::zeroed() };
        entry.dwSize = u32::try_from(std::mem::size_of::<THREADENTRY32>()).map_err(io::Error::other)?;
        let mut resumed = 0;
        // SAFETY: the snapshot is valid and `entry` is writable with its size set.
        let mut more = unsafe { Thread32First(snapshot.0, &raw mut entry) } != 0;
        while more {
            if entry.th32OwnerProcessID == pid {
                // SAFETY: OpenThread returns null on failure, checked below.
                let thread = unsafe { OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID) };
                if !thread.is_null() {
                    let thread = Handle(thread);
                    // SAFETY: a thread handle opened with THREAD_SUSPEND_RESUME.
                    if unsafe { ResumeThread(thread.0) } != u32::MAX {
                        resumed += 1;
                    }
                }
            }
            // SAFETY: as for Thread32First.
            more = unsafe { Thread32Next(snapshot.0, &raw mut entry) } != 0;
        }
        if resumed == 0 {
            return Err(io::Error::other("the command's thread could not be resumed"));
        }
        Ok(())
    }
}
