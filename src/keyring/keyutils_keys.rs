//! Lists hats' entries in the Linux kernel keyrings, for `forget`.
//!
//! The keyring family's keyutils store files `key` under the description
//! `keyring:<key>@<service>` in the session keyring and links it into the
//! user's persistent keyring, which every later login session can search. It
//! cannot list its entries, so this reads the session keyring and the keyrings
//! linked in it (one level: the persistent and the user keyring) directly.
//! Only descriptions are read, never a payload.

use std::collections::BTreeSet;

/// Links of a keyring: how many ids to read at most (the kernel's default
/// quota for a user is 200 keys; root's is far larger).
const MAX_LINKS: usize = 1 << 16;

/// The keys of every `keyring:<key>@<service>` user key in the session keyring
/// and the keyrings linked in it; the error is a sentence.
pub fn keys(service: &str) -> Result<Vec<String>, String> {
    let suffix = format!("@{service}");
    let session =
        links(libc::KEY_SPEC_SESSION_KEYRING).map_err(|e| format!("cannot read the session keyring: {e}"))?;
    let mut keys = BTreeSet::new();
    let mut visit = |id: i32, nested: bool| -> Vec<i32> {
        let Ok(description) = describe(id) else {
            return Vec::new();
        };
        // "type;uid;gid;perm;description": the description may itself hold ';'.
        let mut fields = description.splitn(5, ';');
        let (kind, name) = (fields.next(), fields.nth(3));
        match (kind, name) {
            (Some("user"), Some(name)) => {
                if let Some(key) = name
                    .strip_prefix("keyring:")
                    .and_then(|n| n.strip_suffix(&suffix))
                {
                    keys.insert(key.to_owned());
                }
                Vec::new()
            }
            (Some("keyring"), _) if !nested => links(id).unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    for id in session {
        for inner in visit(id, false) {
            visit(inner, true);
        }
    }
    Ok(keys.into_iter().collect())
}

/// The ids linked in keyring `id`.
fn links(id: i32) -> std::io::Result<Vec<i32>> {
    let mut ids = vec![0i32; MAX_LINKS];
    let bytes = keyctl_read(id, ids.as_mut_ptr().cast(), std::mem::size_of_val(ids.as_slice()))?;
    ids.truncate((bytes / std::mem::size_of::<i32>()).min(MAX_LINKS));
    Ok(ids)
}

/// `KEYCTL_DESCRIBE` of key `id`.
fn describe(id: i32) -> std::io::Result<String> {
    let mut buffer = vec![0u8; 4096];
    // SAFETY: the kernel writes at most `buffer.len()` bytes into `buffer`.
    let written = unsafe {
        libc::syscall(
            libc::SYS_keyctl,
            libc::KEYCTL_DESCRIBE,
            id,
            buffer.as_mut_ptr(),
            buffer.len(),
        )
    };
    let written = usize::try_from(written).map_err(|_| std::io::Error::last_os_error())?;
    buffer.truncate(written.min(buffer.len()));
    // The reply ends with a NUL.
    if buffer.last() == Some(&0) {
        buffer.pop();
    }
    String::from_utf8(buffer).map_err(|_| std::io::Error::other("a key description that is not UTF-8"))
}

/// `KEYCTL_READ` of keyring `id` into `len` bytes at `into`; returns the bytes
/// the whole payload needs (which may exceed `len`).
fn keyctl_read(id: i32, into: *mut u8, len: usize) -> std::io::Result<usize> {
    // SAFETY: the kernel writes at most `len` bytes at `into`, which the caller owns.
    let needed = unsafe { libc::syscall(libc::SYS_keyctl, libc::KEYCTL_READ, id, into, len) };
    usize::try_from(needed).map_err(|_| std::io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};

    #[test]
    fn lists_the_entries_of_one_service_only() {
        let service = format!("hats-list-test-{}", std::process::id());
        let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false).unwrap();
        let ours = session
            .add_key(&format!("keyring:role/a;b@c/x@{service}"), b"s")
            .unwrap();
        let other = session
            .add_key(&format!("keyring:mfa/z@{service}-other"), b"s")
            .unwrap();
        let found = super::keys(&service);
        ours.invalidate().unwrap();
        other.invalidate().unwrap();
        assert_eq!(found.unwrap(), ["role/a;b@c/x"]);
    }
}
