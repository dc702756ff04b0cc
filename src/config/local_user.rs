//! The local user's login name, for the default session name (`hats-<user>`)
//! and `source_identity = true`.
//!
//! The environment (`USER`, `USERNAME`, `LOGNAME`) comes first; where it says
//! nothing (cron, `env -i`, some containers) the system user database does.

/// The local user's login name, or `None` when neither source tells it.
pub fn local_user() -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(from_user_database)
}

/// The name of this process's real user in the user database (`getpwuid_r`).
#[cfg(unix)]
fn from_user_database() -> Option<String> {
    let mut buffer = vec![0u8; 1024];
    loop {
        // SAFETY: an all-zero passwd (null pointers, zero ids) is a valid value to be overwritten.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to memory owned here and `buffer.len()` bounds the buffer;
        // getuid cannot fail.
        let status = unsafe {
            libc::getpwuid_r(
                libc::getuid(),
                &raw mut entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &raw mut found,
            )
        };
        if status == libc::ERANGE && buffer.len() < 1 << 20 {
            buffer.resize(buffer.len() * 4, 0);
            continue;
        }
        if status != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points at a NUL-terminated string inside `buffer`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return name.to_str().ok().filter(|n| !n.is_empty()).map(str::to_owned);
    }
}

#[cfg(not(unix))]
fn from_user_database() -> Option<String> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_user_database_names_this_process_user() {
        let name = super::from_user_database().expect("this user is in the user database");
        let by_id = std::process::Command::new("id").arg("-un").output().unwrap();
        assert_eq!(name, String::from_utf8_lossy(&by_id.stdout).trim());
    }
}
