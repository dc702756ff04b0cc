//! Taking turns with kubectl on a kubeconfig file, and finding the file a
//! linked kubeconfig really is.
//!
//! kubectl (client-go) creates `FILE.lock` exclusively before it changes a
//! kubeconfig and removes it afterwards, failing at once when the lock exists.
//! hats takes the same lock, so neither loses the other's change; it waits a
//! little first, since kubectl holds it only while writing.

use super::KubeconfigError;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long hats waits for a lock kubectl holds: kubectl holds it for
/// milliseconds, so a lock still there after this was left behind.
const WAIT: Duration = Duration::from_secs(3);

/// `FILE.lock`, held until dropped.
pub struct KubectlLock {
    path: PathBuf,
}

impl KubectlLock {
    /// Creates `kubeconfig`'s lock file (and the directory, as kubectl does),
    /// waiting up to [`WAIT`] for one that exists to go away.
    pub fn take(kubeconfig: &Path) -> Result<Self, KubeconfigError> {
        let mut name = kubeconfig.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |source| KubeconfigError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = kubeconfig
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            crate::fs_private::create_dir(dir).map_err(io)?;
        }
        let started = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && started.elapsed() < WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(KubeconfigError::Locked {
                        lock: path,
                        secs: WAIT.as_secs(),
                    });
                }
                Err(e) => return Err(io(e)),
            }
        }
    }
}

impl Drop for KubectlLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The file `path` leads to through symbolic links (itself when it is none, or
/// when a link points at nothing yet: then the link's target, to be created).
/// Writing there keeps the links: a kubeconfig kept in a dotfiles repository
/// and linked from `~/.kube/config` stays linked.
pub fn follow_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    // As many hops as the kernel follows before it gives up (ELOOP).
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&current) else {
            return current;
        };
        current = match current.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    current
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_are_followed_to_the_file_relative_and_dangling_ones_too() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/kube");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "x").unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink("dotfiles/kube", &link).unwrap();
        let second = dir.path().join("second");
        std::os::unix::fs::symlink(&link, &second).unwrap();
        assert_eq!(follow_links(&second), real);
        assert_eq!(follow_links(&real), real);
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("not-yet", &dangling).unwrap();
        assert_eq!(follow_links(&dangling), dir.path().join("not-yet"));
    }

    #[test]
    fn the_lock_is_kubectls_file_held_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kube/config");
        let lock = dir.path().join("kube/config.lock");
        let held = KubectlLock::take(&config).unwrap();
        assert!(lock.exists());
        drop(held);
        assert!(!lock.exists());
    }
}
