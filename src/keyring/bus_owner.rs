//! Which session bus hats may talk to: only one whose listener runs as this user.
//!
//! `DBUS_SESSION_BUS_ADDRESS` is inherited: `sudo -E`, `su` without `-`, or a
//! container started from a login shell can point a process at another user's
//! bus, and whoever runs that bus would then receive hats' sessions. So before
//! libdbus connects, hats connects to the address itself and asks the kernel
//! who listens (`SO_PEERCRED`: the credentials the listener had when it called
//! `listen`, for `unix:path=` and `unix:abstract=` sockets alike, where an
//! abstract name has no file owner to look at). A listener of another uid gets
//! no byte from hats. Addresses whose listener cannot be checked (`tcp:`,
//! `autolaunch:`, ...) are refused, and so are lists of several addresses:
//! libdbus walks a list again on its own and would move past the checked
//! address to an unchecked one whenever the checked one fails to connect.
//!
//! The checking connection is closed without a byte written.
//!
//! What is left: libdbus connects again after this check, to the same single
//! address, so a listener that replaced the checked one in between is not
//! seen. Replacing a socket in the user's runtime directory takes the user or
//! root; taking over an abstract name takes the real bus exiting first.

use super::store::StoreError;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixStream};

const STORE: &str = "secret-service";

/// Checks the session bus libdbus will use; returns its address as shown to the user.
pub fn check_session_bus() -> Result<String, StoreError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let (listed, candidate) = match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(text) if !text.is_empty() => (
            format!("DBUS_SESSION_BUS_ADDRESS \"{text}\""),
            only_address(&text)?,
        ),
        _ => {
            let bus = runtime_dir_bus()?;
            (format!("\"{}\"", shown(&bus)), bus)
        }
    };
    let (addr, shown) = match candidate {
        Candidate::Socket { addr, shown } => (addr, shown),
        Candidate::Unchecked(text) => {
            return Err(StoreError::unavailable(
                STORE,
                format!(
                    "the session bus address \"{text}\" is not a unix socket, so hats cannot check \
                     that it belongs to you"
                ),
            ));
        }
    };
    let stream = UnixStream::connect_addr(&addr)
        .map_err(|_| StoreError::unavailable(STORE, format!("no session bus is listening at {listed}")))?;
    let owner = peer_uid(&stream).map_err(|e| {
        StoreError::unavailable(
            STORE,
            format!("cannot tell who runs the session bus at \"{shown}\": {e}"),
        )
    })?;
    if owner != me {
        return Err(StoreError::unavailable(
            STORE,
            format!(
                "the session bus at \"{shown}\" is run by uid {owner}, not by you (uid {me}); hats sends \
                 secrets only to your own bus: check DBUS_SESSION_BUS_ADDRESS"
            ),
        ));
    }
    Ok(shown)
}

/// The one address of `text`; a list of several is refused (see the module doc).
fn only_address(text: &str) -> Result<Candidate, StoreError> {
    let mut found = parse(text)?;
    if found.len() > 1 {
        return Err(StoreError::unavailable(
            STORE,
            format!(
                "DBUS_SESSION_BUS_ADDRESS \"{text}\" lists {} addresses; hats connects only to a single \
                 address it has checked: set it to your session bus alone (e.g. unix:path=$XDG_RUNTIME_DIR/bus)",
                found.len()
            ),
        ));
    }
    Ok(found.remove(0))
}

/// The uid of the process that listens on the other end of `stream`.
fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::ucred>()).unwrap_or(0);
    // SAFETY: the fd is open for the call's duration; cred and len describe a
    // writable ucred of the size passed.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &raw mut len,
        )
    };
    if rc == 0 {
        Ok(cred.uid)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// How a candidate is named in messages.
fn shown(candidate: &Candidate) -> String {
    match candidate {
        Candidate::Socket { shown, .. } => shown.clone(),
        Candidate::Unchecked(text) => text.clone(),
    }
}

/// One entry of a D-Bus address list.
enum Candidate {
    /// A unix socket hats can connect to and check.
    Socket { addr: SocketAddr, shown: String },
    /// A transport whose listener hats cannot identify.
    Unchecked(String),
}

/// `$XDG_RUNTIME_DIR/bus`, where systemd's user bus listens and where libdbus
/// looks when `DBUS_SESSION_BUS_ADDRESS` is not set.
fn runtime_dir_bus() -> Result<Candidate, StoreError> {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").ok_or_else(|| {
        StoreError::unavailable(
            STORE,
            "no session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set",
        )
    })?;
    let path = std::path::Path::new(&runtime).join("bus");
    let addr = SocketAddr::from_pathname(&path).map_err(|e| StoreError::unavailable(STORE, e.to_string()))?;
    Ok(Candidate::Socket {
        addr,
        shown: path.display().to_string(),
    })
}

/// The entries of a `;`-separated D-Bus address list, in order.
fn parse(text: &str) -> Result<Vec<Candidate>, StoreError> {
    let malformed = || {
        StoreError::unavailable(
            STORE,
            format!("DBUS_SESSION_BUS_ADDRESS \"{text}\" is malformed; fix it or unset it"),
        )
    };
    let mut found = Vec::new();
    for address in text.split(';').filter(|a| !a.is_empty()) {
        let Some(options) = address.strip_prefix("unix:") else {
            found.push(Candidate::Unchecked(address.to_owned()));
            continue;
        };
        let mut socket = None;
        for option in options.split(',') {
            let (key, value) = option.split_once('=').unwrap_or((option, ""));
            let value = unescape(value).ok_or_else(malformed)?;
            let addr = match key {
                "path" => SocketAddr::from_pathname(std::ffi::OsStr::from_bytes(&value)),
                "abstract" => abstract_name(&value),
                _ => continue,
            };
            let addr = addr.map_err(|_| malformed())?;
            socket = Some(Candidate::Socket {
                addr,
                shown: String::from_utf8_lossy(&value).into_owned(),
            });
        }
        // unix:tmpdir= and unix:runtime= are for servers: not a bus to connect to.
        found.push(socket.ok_or_else(malformed)?);
    }
    if found.is_empty() {
        return Err(malformed());
    }
    Ok(found)
}

fn abstract_name(name: &[u8]) -> std::io::Result<SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

/// Undoes the address format's `%XX` escapes.
fn unescape(value: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lists_keep_libdbus_order_and_flag_what_cannot_be_checked() {
        let list =
            parse("unix:path=/run/user/1000/bus,guid=1;tcp:host=x,port=1;unix:abstract=/tmp/a%2Db").unwrap();
        let shown: Vec<String> = list.iter().map(shown).collect();
        assert_eq!(shown, ["/run/user/1000/bus", "tcp:host=x,port=1", "/tmp/a-b"]);
        assert!(matches!(list[1], Candidate::Unchecked(_)));
        for text in ["unix:path=%zz", "unix:tmpdir=/tmp", ""] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn only_a_single_address_is_accepted() {
        assert!(only_address("unix:path=/run/user/1000/bus,guid=1").is_ok());
        let refused = only_address("unix:path=/run/user/1000/bus;unix:path=/tmp/other")
            .err()
            .unwrap();
        assert!(refused.detail.contains("lists 2 addresses"), "{}", refused.detail);
    }

    #[test]
    fn our_own_listener_is_ours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bus");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let stream = UnixStream::connect(&path).unwrap();
        // SAFETY: geteuid cannot fail.
        assert_eq!(peer_uid(&stream).unwrap(), unsafe { libc::geteuid() });
    }
}
