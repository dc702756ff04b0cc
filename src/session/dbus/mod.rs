//! A minimal, blocking D-Bus client for the session bus: connect, authenticate,
//! call methods, wait for a signal. Everything happens on the calling thread.
//!
//! hats talks to exactly one service (the Secret Service) a handful of times
//! per run, so a general D-Bus library's executor threads, object server and
//! introspection cost more start-up time than the calls themselves. This
//! client pipelines what the protocol allows (the `BEGIN`, `Hello` and the
//! first call leave in one write) and never starts a thread.
//!
//! It must not grow into a general library: no object server, no file
//! descriptor passing, no TCP transports.

mod address;
mod message;
mod wire;

pub use message::Call;
pub use wire::Value;

use message::{ERROR, METHOD_RETURN, Message, ReadError, SIGNAL, encode_call, read_message};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// How long a method call may take before hats gives up on the bus. D-Bus's
/// own default is 25 s; a keyring that has not answered in 10 s is stuck.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

const BUS_NAME: &str = "org.freedesktop.DBus";
const BUS_PATH: &str = "/org/freedesktop/DBus";

/// Signals that arrived while a reply was awaited are kept, up to this many.
const MAX_QUEUED_SIGNALS: usize = 32;

/// What went wrong talking to the bus or a service on it.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// No session bus could be reached.
    #[error("cannot reach the session bus: {0}")]
    Unreachable(String),
    /// The bus refused us, hung up, or sent something unreadable.
    #[error("the session bus failed: {0}")]
    Broken(String),
    /// The service answered with a D-Bus error.
    #[error("{name}: {message}")]
    Remote { name: String, message: String },
}

impl From<ReadError> for BusError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) if is_timeout(&e) => {
                BusError::Broken(format!("no answer in {} s", CALL_TIMEOUT.as_secs()))
            }
            other => BusError::Broken(other.to_string()),
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// One authenticated connection to the session bus.
pub struct Bus {
    stream: UnixStream,
    address: String,
    last_serial: u32,
    signals: Vec<Message>,
}

impl Bus {
    /// Connects to the session bus and authenticates as the current user.
    /// The `Hello` the bus requires is sent but its answer is not awaited: it
    /// arrives ahead of the first reply and is skipped there.
    pub fn session() -> Result<Self, BusError> {
        let socket = address::session_bus()?;
        let stream = UnixStream::connect_addr(&socket.addr)
            .map_err(|e| BusError::Unreachable(format!("{}: {e}", socket.shown)))?;
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(CALL_TIMEOUT)))
            .map_err(|e| BusError::Broken(e.to_string()))?;
        let mut bus = Self {
            stream,
            address: socket.shown,
            last_serial: 0,
            signals: Vec::new(),
        };
        bus.authenticate()?;
        let hello = bus.next_message(&Call {
            destination: BUS_NAME,
            path: BUS_PATH,
            interface: BUS_NAME,
            member: "Hello",
            body: vec![],
        });
        let mut opening = b"BEGIN\r\n".to_vec();
        opening.extend_from_slice(&hello);
        bus.write(&opening)?;
        Ok(bus)
    }

    /// The socket this bus was reached through.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// SASL EXTERNAL: the bus checks our uid from the socket's credentials.
    fn authenticate(&mut self) -> Result<(), BusError> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() };
        let hex: String = uid.to_string().bytes().map(|b| format!("{b:02x}")).collect();
        self.write(format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes())?;
        // The bus says nothing more until we answer, so reading up to the
        // line's end cannot swallow the start of a message.
        let mut line = Vec::new();
        let mut chunk = [0u8; 128];
        while !line.ends_with(b"\r\n") {
            let n = self
                .stream
                .read(&mut chunk)
                .map_err(|e| BusError::from(ReadError::Io(e)))?;
            if n == 0 || line.len() > 1024 {
                return Err(BusError::Broken(
                    "the bus closed the connection while authenticating".into(),
                ));
            }
            line.extend_from_slice(&chunk[..n]);
        }
        if !line.starts_with(b"OK ") {
            let said = String::from_utf8_lossy(&line);
            return Err(BusError::Broken(format!(
                "the bus refused authentication ({})",
                said.trim()
            )));
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), BusError> {
        self.stream
            .write_all(bytes)
            .map_err(|e| BusError::Broken(format!("cannot write to the bus: {e}")))
    }

    fn next_message(&mut self, call: &Call<'_>) -> Vec<u8> {
        self.last_serial = self.last_serial.wrapping_add(1).max(1);
        encode_call(self.last_serial, call)
    }

    /// Calls a method and waits for its reply's body.
    pub fn call(&mut self, call: &Call<'_>) -> Result<Vec<Value>, BusError> {
        let bytes = self.next_message(call);
        let serial = self.last_serial;
        self.write(&bytes)?;
        loop {
            let message = read_message(&mut self.stream)?;
            match message.kind {
                METHOD_RETURN if message.reply_serial == Some(serial) => return Ok(message.body),
                ERROR if message.reply_serial == Some(serial) => {
                    return Err(BusError::Remote {
                        name: message.error_name.unwrap_or_default(),
                        message: message
                            .body
                            .first()
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    });
                }
                SIGNAL if self.signals.len() < MAX_QUEUED_SIGNALS => self.signals.push(message),
                // Replies to earlier calls (Hello) and calls to us: nothing to do.
                _ => {}
            }
        }
    }

    /// Asks the bus to route signals matching `rule` to us.
    pub fn add_match(&mut self, rule: &str) -> Result<(), BusError> {
        self.call(&Call {
            destination: BUS_NAME,
            path: BUS_PATH,
            interface: BUS_NAME,
            member: "AddMatch",
            body: vec![Value::Str(rule.to_owned())],
        })
        .map(drop)
    }

    /// Waits, without a time limit (a person may be typing a password), for
    /// the signal `interface.member` from `path`, and returns its body.
    pub fn wait_for_signal(
        &mut self,
        path: &str,
        interface: &str,
        member: &str,
    ) -> Result<Vec<Value>, BusError> {
        let wanted = |m: &Message| {
            m.kind == SIGNAL
                && m.path.as_deref() == Some(path)
                && m.interface.as_deref() == Some(interface)
                && m.member.as_deref() == Some(member)
        };
        if let Some(at) = self.signals.iter().position(wanted) {
            return Ok(self.signals.swap_remove(at).body);
        }
        self.stream
            .set_read_timeout(None)
            .map_err(|e| BusError::Broken(e.to_string()))?;
        let found = loop {
            let message = read_message(&mut self.stream);
            match message {
                Ok(message) if wanted(&message) => break Ok(message.body),
                Ok(_) => {}
                Err(e) => break Err(BusError::from(e)),
            }
        };
        self.stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| BusError::Broken(e.to_string()))?;
        found
    }
}
