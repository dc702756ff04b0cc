//! D-Bus message framing: encoding a method call, and reading one whole
//! message (call, reply, error or signal) off a byte stream.
//!
//! A message's total size is checked before its bytes are read, so a peer
//! that announces a huge message is refused instead of trusted. Nothing here
//! decides what to do with a message.

use super::wire::{Reader, Value, WireError, Writer, split_signature};
use std::io::Read;

/// Message types, as the header's second byte spells them.
pub const METHOD_CALL: u8 = 1;
pub const METHOD_RETURN: u8 = 2;
pub const ERROR: u8 = 3;
pub const SIGNAL: u8 = 4;

/// hats only ever receives small replies; anything near the specification's
/// 128 MiB limit is a broken or hostile peer.
const MAX_MESSAGE: usize = 16 << 20;

// Header field codes.
const PATH: u8 = 1;
const INTERFACE: u8 = 2;
const MEMBER: u8 = 3;
const ERROR_NAME: u8 = 4;
const REPLY_SERIAL: u8 = 5;
const DESTINATION: u8 = 6;
const SIGNATURE: u8 = 8;

/// A method call to send.
pub struct Call<'a> {
    pub destination: &'a str,
    pub path: &'a str,
    pub interface: &'a str,
    pub member: &'a str,
    pub body: Vec<Value>,
}

/// A received message: only the header fields hats looks at, and the body.
#[derive(Debug, Default)]
pub struct Message {
    pub kind: u8,
    pub reply_serial: Option<u32>,
    pub path: Option<String>,
    pub interface: Option<String>,
    pub member: Option<String>,
    pub error_name: Option<String>,
    pub body: Vec<Value>,
}

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Wire(#[from] WireError),
}

fn field(code: u8, value: Value) -> Value {
    Value::Struct(vec![Value::Byte(code), Value::Variant(Box::new(value))])
}

/// The bytes of `call` as message number `serial`.
pub fn encode_call(serial: u32, call: &Call<'_>) -> Vec<u8> {
    let mut body = Writer::default();
    let mut signature = String::new();
    for value in &call.body {
        body.put(value);
        signature.push_str(&value.signature());
    }
    let mut fields = vec![
        field(PATH, Value::Path(call.path.to_owned())),
        field(INTERFACE, Value::Str(call.interface.to_owned())),
        field(MEMBER, Value::Str(call.member.to_owned())),
        field(DESTINATION, Value::Str(call.destination.to_owned())),
    ];
    if !signature.is_empty() {
        fields.push(field(SIGNATURE, Value::Sig(signature)));
    }
    let mut message = Writer::default();
    message.bytes(&[b'l', METHOD_CALL, 0, 1]);
    message.bytes(&(body.buf.len() as u32).to_le_bytes());
    message.bytes(&serial.to_le_bytes());
    message.put(&Value::Array {
        elem: "(yv)".into(),
        items: fields,
    });
    message.pad_to_8();
    message.bytes(&body.buf);
    message.buf
}

/// Reads one whole message from `stream`.
pub fn read_message(stream: &mut impl Read) -> Result<Message, ReadError> {
    let mut fixed = [0u8; 16];
    stream.read_exact(&mut fixed)?;
    let big_endian = match fixed[0] {
        b'l' => false,
        b'B' => true,
        _ => return Err(WireError("unknown byte order").into()),
    };
    if fixed[3] != 1 {
        return Err(WireError("unsupported protocol version").into());
    }
    let number = |at: usize| {
        let raw: [u8; 4] = [fixed[at], fixed[at + 1], fixed[at + 2], fixed[at + 3]];
        if big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        }
    };
    let body_len = number(4) as usize;
    let fields_len = number(12) as usize;
    let header_end = 16usize.saturating_add(fields_len);
    let body_start = header_end.next_multiple_of(8);
    let total = body_start.saturating_add(body_len);
    if total > MAX_MESSAGE {
        return Err(WireError("message larger than 16 MiB").into());
    }
    let mut buf = vec![0u8; total];
    buf[..16].copy_from_slice(&fixed);
    stream.read_exact(&mut buf[16..])?;
    let mut message = Message {
        kind: fixed[1],
        ..Message::default()
    };
    let mut signature = String::new();
    let fields = Reader::at(&buf[..header_end], 12, big_endian).read("a(yv)")?;
    for entry in fields.items() {
        let Value::Struct(pair) = entry else { continue };
        let (Some(Value::Byte(code)), Some(value)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let value = value.unwrap_variant();
        let text = value.as_str().map(str::to_owned);
        match *code {
            PATH => message.path = text,
            INTERFACE => message.interface = text,
            MEMBER => message.member = text,
            ERROR_NAME => message.error_name = text,
            SIGNATURE => signature = text.unwrap_or_default(),
            REPLY_SERIAL => {
                if let Value::U32(serial) = value {
                    message.reply_serial = Some(*serial);
                }
            }
            _ => {}
        }
    }
    let mut body = Reader::new(&buf[body_start..], big_endian);
    for single in split_signature(&signature)? {
        message.body.push(body.read(single)?);
    }
    if body.position() != body_len {
        return Err(WireError("body longer than its signature").into());
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call<'static> {
        Call {
            destination: "org.freedesktop.secrets",
            path: "/org/freedesktop/secrets",
            interface: "org.freedesktop.Secret.Service",
            member: "SearchItems",
            body: vec![Value::Array {
                elem: "{ss}".into(),
                items: vec![Value::Entry(
                    Box::new(Value::Str("service".into())),
                    Box::new(Value::Str("hats".into())),
                )],
            }],
        }
    }

    #[test]
    fn an_encoded_call_reads_back() {
        let bytes = encode_call(7, &call());
        let message = read_message(&mut &bytes[..]).unwrap();
        assert_eq!(message.kind, METHOD_CALL);
        assert_eq!(message.path.as_deref(), Some("/org/freedesktop/secrets"));
        assert_eq!(message.member.as_deref(), Some("SearchItems"));
        assert_eq!(message.body, call().body);
    }

    #[test]
    fn truncated_and_oversized_messages_are_errors() {
        let bytes = encode_call(7, &call());
        for cut in [0, 10, 16, bytes.len() - 1] {
            assert!(read_message(&mut &bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut huge = bytes.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(read_message(&mut &huge[..]), Err(ReadError::Wire(_))));
        let mut wrong_order = bytes;
        wrong_order[0] = b'x';
        assert!(read_message(&mut &wrong_order[..]).is_err());
    }
}
