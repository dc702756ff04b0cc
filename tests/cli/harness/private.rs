//! Private kernel keyrings for every process a sandbox starts, so no test can
//! read or delete an entry in the keyrings of the person running the tests.
//!
//! hats' keyutils store keeps sessions in the session keyring and links them
//! into the user's persistent keyring, which the kernel keeps per user *and per
//! user namespace*. A private session keyring alone is not enough: the store
//! links the shared persistent keyring into it, and `forget --all` would empty
//! it. So each sandbox owns a user namespace (its uids and gids mapped to
//! themselves, so files, sockets and peer credentials look as they do outside)
//! and a named session keyring in it; every process the sandbox starts enters
//! both between fork and exec. The Secret Service side is private already: each
//! sandbox has its own bus (or an address where none listens).

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// `KEYCTL_JOIN_SESSION_KEYRING` from `<linux/keyctl.h>`.
const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;

/// A user namespace and the name of the session keyring every process joins.
pub struct PrivateKeyrings {
    namespace: OwnedFd,
    session: CString,
}

impl PrivateKeyrings {
    /// A new user namespace, held by an open descriptor (no process stays in it).
    pub fn create(name: &str) -> Self {
        let mut holder = Command::new("cat");
        holder.stdin(Stdio::piped()).stdout(Stdio::null());
        // SAFETY: unshare(2) between fork and exec, touching no memory of the parent.
        unsafe {
            holder.pre_exec(|| {
                if libc::unshare(libc::CLONE_NEWUSER) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let mut child = holder.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot create a user namespace ({e}); the end-to-end tests keep every hats in one of its own \
                 so that they never touch your keyrings: allow user namespaces \
                 (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)"
            )
        });
        map_ids_to_themselves(child.id());
        let path = CString::new(format!("/proc/{}/ns/user", child.id())).unwrap();
        // SAFETY: open(2) of a path this function built; the fd is checked before use.
        let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
        assert!(fd >= 0, "open the namespace: {}", std::io::Error::last_os_error());
        drop(child.stdin.take());
        child.wait().unwrap();
        Self {
            // SAFETY: a descriptor just opened and owned by nothing else.
            namespace: unsafe { OwnedFd::from_raw_fd(fd) },
            session: CString::new(format!("hats-test-{name}")).unwrap(),
        }
    }

    /// Makes `command` run in the namespace, with the sandbox's session keyring.
    pub fn enter(&self, command: &mut Command) {
        let (namespace, session) = (self.namespace.as_raw_fd(), self.session.clone());
        // SAFETY: setns(2) and keyctl(2) between fork and exec (a single thread),
        // on a descriptor and a string prepared before the fork.
        unsafe {
            command.pre_exec(move || {
                if libc::setns(namespace, libc::CLONE_NEWUSER) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::syscall(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, session.as_ptr()) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

/// Maps the namespace's ids to the same ids outside: all of them when we are
/// root (tests run programs as `nobody` too), else our own.
fn map_ids_to_themselves(pid: u32) {
    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let write = |file: &str, text: &str| {
        std::fs::write(format!("/proc/{pid}/{file}"), text)
            .unwrap_or_else(|e| panic!("write {file} of the test namespace: {e}"));
    };
    if uid == 0 {
        write("uid_map", "0 0 4294967295");
        write("gid_map", "0 0 4294967295");
    } else {
        write("uid_map", &format!("{uid} {uid} 1"));
        write("setgroups", "deny");
        write("gid_map", &format!("{gid} {gid} 1"));
    }
}
