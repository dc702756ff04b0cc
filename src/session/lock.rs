//! Cross-process locks, one per cache key, so two hats processes asking for the
//! same session make one STS call: the second waits, then finds the first's session.
//!
//! The refresh lock ([`lock_refresh`]) is held across the MFA prompt, so its
//! waits are bounded and spoken: the holder records its pid in a `.holder` file
//! next to the lock and keeps a heartbeat there; the waiter names that pid and
//! gives up on a stopped or silent holder (the rules are in `lock/wait.rs`).
//! Locks are `flock`s: the kernel drops them with the process, so a killed hats
//! never leaves one behind.

mod wait;

use super::SessionError;
use crate::fs_private::{create_dir, open_rw};
use std::fs::{File, TryLockError};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use wait::{Step, Watch};

pub use wait::WaitError;

/// How often a holder proves it is alive.
const BEAT: Duration = Duration::from_secs(1);
/// The longest pause between two attempts of a waiter.
const MAX_POLL: Duration = Duration::from_millis(100);

/// Holds an exclusive lock until dropped.
#[derive(Debug)]
pub struct KeyLock {
    file: File,
    heartbeat: Option<Heartbeat>,
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        // The heartbeat stops (and clears the holder file) before the lock is
        // released, so it can never write over the next holder's pid.
        if let Some(heartbeat) = self.heartbeat.take() {
            heartbeat.stop();
        }
        let _ = self.file.unlock();
    }
}

/// Why a lock could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock or holder file could not be used.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The wait was given up.
    #[error("{0}")]
    Wait(#[from] WaitError),
}

impl From<LockError> for SessionError {
    fn from(e: LockError) -> Self {
        match e {
            LockError::Io(e) => SessionError::cache_io(&e),
            LockError::Wait(e) => SessionError::Lock(e),
        }
    }
}

/// Blocks until the lock for `key` in `dir` is ours. For short critical
/// sections only (the index update), which no prompt can stretch.
pub fn lock_key(dir: &Path, key: &str) -> io::Result<KeyLock> {
    create_dir(dir)?;
    let file = open_rw(&lock_path(dir, key))?;
    file.lock()?;
    Ok(KeyLock {
        file,
        heartbeat: None,
    })
}

/// Takes the refresh lock for `key` in `dir`, held while a session is fetched
/// (MFA prompt included). While another hats holds it, `tell` gets one line to
/// show, and the wait ends with [`WaitError`] when the holder is stopped, silent
/// or has held it for minutes.
pub fn lock_refresh(dir: &Path, key: &str, tell: impl FnMut(&str)) -> Result<KeyLock, LockError> {
    create_dir(dir)?;
    let path = lock_path(dir, key);
    let file = open_rw(&path)?;
    let holder = path.with_extension("holder");
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => wait_for(&file, &holder, key, tell)?,
        Err(TryLockError::Error(e)) => return Err(e.into()),
    }
    let heartbeat = Heartbeat::start(&holder)?;
    Ok(KeyLock {
        file,
        heartbeat: Some(heartbeat),
    })
}

fn lock_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{:016x}.lock", fnv1a(key)))
}

/// Polls the lock (quickly at first: most waits are one STS call) until it is
/// ours or the watch gives up.
fn wait_for(file: &File, holder: &Path, key: &str, mut tell: impl FnMut(&str)) -> Result<(), LockError> {
    let mut watch = Watch::new(wait::describe_key(key), Instant::now(), std::process::id());
    let mut pause = Duration::from_millis(5);
    loop {
        std::thread::sleep(pause);
        pause = (pause * 2).min(MAX_POLL);
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        // Read anew each time (not through a kept handle) so a shared directory
        // on NFS revalidates what it shows.
        let seen = std::fs::read_to_string(holder).ok();
        if let Step::Tell(line) = watch.observe(Instant::now(), seen.as_deref(), process_stopped)? {
            tell(&line);
        }
    }
}

/// Whether the system reports process `pid` as stopped (Linux: `T` stopped by a
/// signal, `t` stopped by a tracer). Unknown elsewhere, where only the heartbeat tells.
fn process_stopped(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `PID (COMM) STATE ...`, where COMM may hold spaces and parentheses.
    stat.rfind(')')
        .and_then(|end| stat[end + 1..].trim_start().chars().next())
        .is_some_and(|state| matches!(state, 'T' | 't'))
}

/// The holder's proof of life: a thread rewriting `PID COUNTER` in the holder
/// file every [`BEAT`] until stopped. It stops with the whole process on Ctrl-Z.
#[derive(Debug)]
struct Heartbeat {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Heartbeat {
    fn start(path: &Path) -> io::Result<Self> {
        let mut file = open_rw(path)?;
        file.set_len(0)?;
        write_sign(&mut file, 0)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hats-lock-heartbeat".into())
            .spawn(move || {
                let mut count = 0u64;
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(BEAT) {
                    count += 1;
                    let _ = write_sign(&mut file, count);
                }
                // Released: an empty file names nobody.
                let _ = file.set_len(0);
            })?;
        Ok(Self { stop, thread })
    }

    fn stop(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}

/// Overwrites the file with this process's pid and `count`, at a fixed width so
/// no old bytes remain behind a shorter line.
fn write_sign(file: &mut File, count: u64) -> io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.write_all(format!("{:>10} {count:>20}\n", std::process::id()).as_bytes())
}

/// FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_key(dir.path(), "k").unwrap();
        let path = dir.path().to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let _second = lock_key(&path, "k").unwrap();
            tx.send(()).unwrap();
        });
        assert!(rx.recv_timeout(std::time::Duration::from_millis(200)).is_err());
        drop(first);
        rx.recv().unwrap();
        waiter.join().unwrap();
    }

    #[test]
    fn the_refresh_lock_names_its_holder_while_held_and_nobody_after() {
        let dir = tempfile::tempdir().unwrap();
        let holder = lock_path(dir.path(), "role/prod/mfa/1").with_extension("holder");
        let lock = lock_refresh(dir.path(), "role/prod/mfa/1", |_| {}).unwrap();
        let pid: u32 = std::fs::read_to_string(&holder)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(pid, std::process::id());
        drop(lock);
        assert_eq!(std::fs::read_to_string(&holder).unwrap(), "");
    }

    #[test]
    fn a_refresh_waiter_gets_the_lock_once_released_without_a_word_about_itself() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock_refresh(dir.path(), "role/prod/mfa/1", |_| {}).unwrap();
        let path = dir.path().to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let mut told = Vec::new();
            tx.send(()).unwrap();
            let second = lock_refresh(&path, "role/prod/mfa/1", |line| told.push(line.to_owned()));
            (second.map(drop).map_err(|e| e.to_string()), told)
        });
        rx.recv().unwrap();
        // Held past the moment a wait is spoken of: the holder is this process.
        std::thread::sleep(wait::TELL_AFTER + BEAT);
        drop(first);
        let (second, told) = waiter.join().unwrap();
        second.unwrap();
        assert_eq!(told, Vec::<String>::new());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_process_is_seen_stopped_only_while_it_is() {
        let mut child = std::process::Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id();
        let signal = |s| {
            // SAFETY: kill(2) on a child this test spawned and still owns.
            unsafe { libc::kill(libc::pid_t::try_from(pid).unwrap(), s) };
        };
        assert!(!process_stopped(pid));
        signal(libc::SIGSTOP);
        while !process_stopped(pid) {
            std::thread::sleep(Duration::from_millis(10));
        }
        signal(libc::SIGCONT);
        while process_stopped(pid) {
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
