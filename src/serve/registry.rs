//! Which served commands are running: one small file per serving hats process,
//! `<cache dir>/served/<pid>.json`, with the target, the command's name, when
//! it started and the expiry of the session it last handed out. The switcher
//! reads them to show served commands as live sessions.
//!
//! No secret, no endpoint address and no token is ever written here. Writing
//! is best effort: a read-only cache directory must never stop a command from
//! being served. Readers remove the files of processes that are gone.

use crate::fs_private;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One running served command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    /// The serving hats process.
    pub pid: u32,
    /// Target name.
    pub target: String,
    /// The command's program name (no arguments: they may hold anything).
    pub command: String,
    /// When serving began.
    pub started: Timestamp,
    /// Expiry of the session handed out last.
    pub expires: Timestamp,
}

/// This process's entry; removed when dropped.
pub struct Registration {
    path: PathBuf,
    record: Served,
}

fn dir(cache_dir: &Path) -> PathBuf {
    cache_dir.join("served")
}

impl Registration {
    /// Records that this process serves `target` to `command`.
    pub fn new(cache_dir: &Path, target: &str, command: &str, now: Timestamp, expires: Timestamp) -> Self {
        let dir = dir(cache_dir);
        let record = Served {
            pid: std::process::id(),
            target: target.to_owned(),
            command: command.to_owned(),
            started: now,
            expires,
        };
        let registration = Self {
            path: dir.join(format!("{}.json", record.pid)),
            record,
        };
        if fs_private::create_dir(&dir).is_ok() {
            registration.write();
        }
        registration
    }

    /// Notes a newly handed-out session.
    pub fn renewed(&mut self, expires: Timestamp) {
        if self.record.expires != expires {
            self.record.expires = expires;
            self.write();
        }
    }

    fn write(&self) {
        if let Ok(bytes) = serde_json::to_vec(&self.record) {
            let _ = fs_private::write_atomic(&self.path, &bytes);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The served commands running now, by target name; files of processes that
/// are gone (killed before they could clean up) are removed.
pub fn running(cache_dir: &Path) -> Vec<Served> {
    let Ok(files) = std::fs::read_dir(dir(cache_dir)) else {
        return Vec::new();
    };
    let mut found: Vec<Served> = files
        .flatten()
        .filter_map(|file| {
            let path = file.path();
            // Writers' temporary files start with a dot; leave them be.
            let stem = path.file_stem()?.to_str()?.to_owned();
            if stem.starts_with('.') || path.extension()? != "json" {
                return None;
            }
            let record = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Served>(&bytes).ok())
                .filter(|r| stem == r.pid.to_string() && super::os::alive(r.pid));
            if record.is_none() {
                let _ = std::fs::remove_file(&path);
            }
            record
        })
        .collect();
    found.sort_by_key(|s| (s.target.clone(), s.started));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    #[test]
    fn registered_while_alive_and_gone_when_dropped() {
        let cache = tempfile::tempdir().unwrap();
        let mut registration = Registration::new(cache.path(), "prod-admin", "terraform", at(0), at(3600));
        registration.renewed(at(7200));
        let running = running(cache.path());
        assert_eq!(running.len(), 1);
        assert_eq!(running[0].target, "prod-admin");
        assert_eq!(running[0].expires, at(7200));
        drop(registration);
        assert!(super::running(cache.path()).is_empty());
    }

    #[test]
    fn files_of_dead_or_misnamed_processes_are_removed() {
        let cache = tempfile::tempdir().unwrap();
        let served = dir(cache.path());
        fs_private::create_dir(&served).unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let record = |pid: u32| {
            serde_json::to_vec(&Served {
                pid,
                target: "t".into(),
                command: "c".into(),
                started: at(0),
                expires: at(1),
            })
            .unwrap()
        };
        std::fs::write(served.join(format!("{dead}.json")), record(dead)).unwrap();
        std::fs::write(served.join("1.json"), record(std::process::id())).unwrap();
        std::fs::write(served.join("junk.json"), b"{not json").unwrap();
        assert!(running(cache.path()).is_empty());
        assert_eq!(std::fs::read_dir(&served).unwrap().count(), 0);
    }
}
