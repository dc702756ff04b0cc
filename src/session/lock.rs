//! Cross-process locks, one per cache key, so two hats processes asking for the
//! same session make one STS call: the second waits, then finds the first's session.

use super::fs_private::{create_dir, open_rw};
use std::fs::File;
use std::io;
use std::path::Path;

/// Holds an exclusive lock until dropped.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
}

/// Blocks until the lock for `key` in `dir` is ours.
pub fn lock_key(dir: &Path, key: &str) -> io::Result<KeyLock> {
    create_dir(dir)?;
    let file = open_rw(&dir.join(format!("{:016x}.lock", fnv1a(key))))?;
    file.lock()?;
    Ok(KeyLock { _file: file })
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
}
