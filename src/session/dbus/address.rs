//! Where the session bus listens: `DBUS_SESSION_BUS_ADDRESS` (its `unix:path=`
//! and `unix:abstract=` forms), else `$XDG_RUNTIME_DIR/bus` as systemd sets it up.
//! Only finds the socket; connecting is the caller's job.

use super::BusError;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;

/// A socket address, and how to name it in a message.
pub struct BusSocket {
    pub addr: SocketAddr,
    pub shown: String,
}

/// The session bus's socket.
pub fn session_bus() -> Result<BusSocket, BusError> {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(text) if !text.is_empty() => parse(&text),
        _ => {
            let runtime = std::env::var_os("XDG_RUNTIME_DIR")
                .ok_or_else(|| BusError::Unreachable("DBUS_SESSION_BUS_ADDRESS is not set".into()))?;
            let path = std::path::Path::new(&runtime).join("bus");
            let addr = SocketAddr::from_pathname(&path).map_err(|e| BusError::Unreachable(e.to_string()))?;
            Ok(BusSocket {
                addr,
                shown: path.display().to_string(),
            })
        }
    }
}

/// The first usable address in a `;`-separated D-Bus address list.
fn parse(text: &str) -> Result<BusSocket, BusError> {
    for address in text.split(';') {
        let Some(options) = address.strip_prefix("unix:") else {
            continue;
        };
        for option in options.split(',') {
            let (key, value) = option.split_once('=').unwrap_or((option, ""));
            let value = unescape(value).ok_or_else(|| bad(text))?;
            let socket = match key {
                "path" => SocketAddr::from_pathname(std::ffi::OsStr::from_bytes(&value)),
                "abstract" => abstract_name(&value),
                _ => continue,
            };
            let addr = socket.map_err(|e| BusError::Unreachable(format!("{text}: {e}")))?;
            return Ok(BusSocket {
                addr,
                shown: String::from_utf8_lossy(&value).into_owned(),
            });
        }
    }
    Err(BusError::Unreachable(format!(
        "DBUS_SESSION_BUS_ADDRESS \"{text}\" has no unix:path= or unix:abstract= address"
    )))
}

fn abstract_name(name: &[u8]) -> std::io::Result<SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

fn bad(text: &str) -> BusError {
    BusError::Unreachable(format!(
        "DBUS_SESSION_BUS_ADDRESS \"{text}\" has a malformed %-escape"
    ))
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
    fn paths_and_abstract_names_are_found() {
        let socket = parse("unix:path=/run/user/1000/bus").unwrap();
        assert_eq!(
            socket.addr.as_pathname().unwrap(),
            std::path::Path::new("/run/user/1000/bus")
        );
        let socket = parse("tcp:host=x,port=1;unix:abstract=/tmp/dbus-a%2Db,guid=0f").unwrap();
        assert_eq!(socket.shown, "/tmp/dbus-a-b");
        assert!(socket.addr.as_pathname().is_none());
    }

    #[test]
    fn unusable_addresses_are_explained() {
        for text in ["tcp:host=localhost,port=1", "unix:path=%zz", "unix:guid=1"] {
            assert!(matches!(parse(text), Err(BusError::Unreachable(_))), "{text}");
        }
    }
}
