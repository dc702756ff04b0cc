//! The D-Bus wire format for the values hats exchanges with the Secret
//! Service: marshalling (always little-endian) and unmarshalling (either
//! endianness), with the specification's alignment rules.
//!
//! Every length read from the wire is checked against the bytes actually
//! received before anything is allocated, and nesting is bounded, so a
//! malformed message is an error, never a panic or a huge allocation. Nothing
//! here knows what the values mean or touches a socket.

/// A D-Bus value. Byte arrays (`ay`) get their own variant: they carry keys,
/// IVs and encrypted secrets, and are read in one piece.
#[derive(Clone, PartialEq)]
pub enum Value {
    Byte(u8),
    Bool(bool),
    I16(i16),
    U16(u16),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    /// A `double`, kept as its bits (hats never does arithmetic on one).
    F64(u64),
    /// A file-descriptor index (`h`); hats never passes descriptors.
    Fd(u32),
    Str(String),
    Path(String),
    Sig(String),
    Bytes(Vec<u8>),
    /// An array of any other element type; `elem` is the element's signature.
    Array {
        elem: String,
        items: Vec<Value>,
    },
    Struct(Vec<Value>),
    Entry(Box<Value>, Box<Value>),
    Variant(Box<Value>),
}

// Values carry encrypted secrets and DH public keys; neither is useful in a
// log, so Debug shows only the shape.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Value({})", self.signature())
    }
}

/// Why bytes could not be read as the expected values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed D-Bus data: {0}")]
pub struct WireError(pub &'static str);

/// Deeper nesting than this is refused (the specification allows 64 in total).
const MAX_DEPTH: usize = 64;

impl Value {
    /// The value's D-Bus type signature.
    pub fn signature(&self) -> String {
        let mut sig = String::new();
        self.push_signature(&mut sig);
        sig
    }

    fn push_signature(&self, sig: &mut String) {
        let code = match self {
            Value::Byte(_) => 'y',
            Value::Bool(_) => 'b',
            Value::I16(_) => 'n',
            Value::U16(_) => 'q',
            Value::I32(_) => 'i',
            Value::U32(_) => 'u',
            Value::I64(_) => 'x',
            Value::U64(_) => 't',
            Value::F64(_) => 'd',
            Value::Fd(_) => 'h',
            Value::Str(_) => 's',
            Value::Path(_) => 'o',
            Value::Sig(_) => 'g',
            Value::Variant(_) => 'v',
            Value::Bytes(_) => return sig.push_str("ay"),
            Value::Array { elem, .. } => {
                sig.push('a');
                return sig.push_str(elem);
            }
            Value::Struct(fields) => {
                sig.push('(');
                fields.iter().for_each(|f| f.push_signature(sig));
                return sig.push(')');
            }
            Value::Entry(key, value) => {
                sig.push('{');
                key.push_signature(sig);
                value.push_signature(sig);
                return sig.push('}');
            }
        };
        sig.push(code);
    }

    /// The string of a `s`, `o` or `g` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Path(s) | Value::Sig(s) => Some(s),
            _ => None,
        }
    }

    /// The value inside a variant, or the value itself.
    pub fn unwrap_variant(&self) -> &Value {
        match self {
            Value::Variant(inner) => inner.unwrap_variant(),
            other => other,
        }
    }

    /// The items of an array (empty for anything else).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Array { items, .. } => items,
            _ => &[],
        }
    }

    /// The object paths of an `ao` value.
    pub fn paths(&self) -> Vec<String> {
        self.items()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }
}

/// Alignment of a type by its first signature byte.
fn alignment(code: u8) -> usize {
    match code {
        b'n' | b'q' => 2,
        b'b' | b'i' | b'u' | b'h' | b's' | b'o' | b'a' => 4,
        b'x' | b't' | b'd' | b'(' | b'{' => 8,
        _ => 1,
    }
}

/// Length of the first complete type in `sig`.
fn single_type_len(sig: &[u8], depth: usize) -> Result<usize, WireError> {
    if depth > MAX_DEPTH {
        return Err(WireError("signature nested too deeply"));
    }
    match sig.first() {
        None => Err(WireError("signature ends early")),
        Some(b'a') => Ok(1 + single_type_len(&sig[1..], depth + 1)?),
        Some(open @ (b'(' | b'{')) => {
            let close = if *open == b'(' { b')' } else { b'}' };
            let mut at = 1;
            let mut fields = 0;
            while sig.get(at) != Some(&close) {
                at += single_type_len(&sig[at..], depth + 1)?;
                fields += 1;
            }
            if fields == 0 || (*open == b'{' && fields != 2) {
                return Err(WireError("empty struct or bad dict entry in signature"));
            }
            Ok(at + 1)
        }
        Some(
            b'y' | b'b' | b'n' | b'q' | b'i' | b'u' | b'x' | b't' | b'd' | b'h' | b's' | b'o' | b'g' | b'v',
        ) => Ok(1),
        Some(_) => Err(WireError("unknown type in signature")),
    }
}

/// Splits a signature into its complete types.
pub fn split_signature(sig: &str) -> Result<Vec<&str>, WireError> {
    let mut types = Vec::new();
    let mut rest = sig;
    while !rest.is_empty() {
        let len = single_type_len(rest.as_bytes(), 0)?;
        types.push(&rest[..len]);
        rest = &rest[len..];
    }
    Ok(types)
}

/// Appends values to a buffer whose offset 0 is 8-aligned in the message.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    fn pad(&mut self, align: usize) {
        while !self.buf.len().is_multiple_of(align) {
            self.buf.push(0);
        }
    }

    /// Pads to an 8-byte boundary (the end of a message header).
    pub fn pad_to_8(&mut self) {
        self.pad(8);
    }

    pub fn bytes(&mut self, raw: &[u8]) {
        self.buf.extend_from_slice(raw);
    }

    fn u32(&mut self, n: u32) {
        self.pad(4);
        self.buf.extend_from_slice(&n.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    fn signature(&mut self, s: &str) {
        self.buf.push(s.len() as u8);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    pub fn put(&mut self, value: &Value) {
        match value {
            Value::Byte(b) => self.buf.push(*b),
            Value::Bool(b) => self.u32(u32::from(*b)),
            Value::I16(n) => self.fixed(2, &n.to_le_bytes()),
            Value::U16(n) => self.fixed(2, &n.to_le_bytes()),
            Value::I32(n) => self.fixed(4, &n.to_le_bytes()),
            Value::U32(n) | Value::Fd(n) => self.u32(*n),
            Value::I64(n) => self.fixed(8, &n.to_le_bytes()),
            Value::U64(n) | Value::F64(n) => self.fixed(8, &n.to_le_bytes()),
            Value::Str(s) | Value::Path(s) => self.string(s),
            Value::Sig(s) => self.signature(s),
            Value::Variant(inner) => {
                self.signature(&inner.signature());
                self.put(inner);
            }
            Value::Bytes(bytes) => {
                self.u32(bytes.len() as u32);
                self.buf.extend_from_slice(bytes);
            }
            Value::Array { elem, items } => {
                self.u32(0);
                let length_at = self.buf.len() - 4;
                self.pad(alignment(elem.as_bytes().first().copied().unwrap_or(b'y')));
                let start = self.buf.len();
                items.iter().for_each(|item| self.put(item));
                let length = (self.buf.len() - start) as u32;
                self.buf[length_at..length_at + 4].copy_from_slice(&length.to_le_bytes());
            }
            Value::Struct(fields) => {
                self.pad(8);
                fields.iter().for_each(|field| self.put(field));
            }
            Value::Entry(key, value) => {
                self.pad(8);
                self.put(key);
                self.put(value);
            }
        }
    }

    fn fixed(&mut self, align: usize, raw: &[u8]) {
        self.pad(align);
        self.buf.extend_from_slice(raw);
    }
}

/// Reads values from a buffer whose offset 0 is 8-aligned in the message.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], big_endian: bool) -> Self {
        Self {
            buf,
            pos: 0,
            big_endian,
        }
    }

    /// Starts reading at `pos` (which must keep the buffer's alignment).
    pub fn at(buf: &'a [u8], pos: usize, big_endian: bool) -> Self {
        Self { buf, pos, big_endian }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.buf.len());
        let end = end.ok_or(WireError("value runs past the end of the message"))?;
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn align(&mut self, align: usize) -> Result<(), WireError> {
        let padding = (align - self.pos % align) % align;
        if self.take(padding)?.iter().any(|&b| b != 0) {
            return Err(WireError("non-zero padding"));
        }
        Ok(())
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        self.align(N)?;
        let mut raw: [u8; N] = self.take(N)?.try_into().map_err(|_| WireError("short value"))?;
        if self.big_endian {
            raw.reverse();
        }
        Ok(raw)
    }

    pub fn u32(&mut self) -> Result<u32, WireError> {
        self.fixed::<4>().map(u32::from_le_bytes)
    }

    fn text(&mut self, len: usize) -> Result<String, WireError> {
        let bytes = self.take(len)?;
        if self.take(1)? != [0] {
            return Err(WireError("string without its terminating NUL"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| WireError("string is not UTF-8"))?;
        if text.contains('\0') {
            return Err(WireError("string contains NUL"));
        }
        Ok(text.to_owned())
    }

    fn signature_text(&mut self) -> Result<String, WireError> {
        let len = usize::from(self.take(1)?[0]);
        self.text(len)
    }

    /// Reads one value of the single complete type `sig`.
    pub fn read(&mut self, sig: &str) -> Result<Value, WireError> {
        self.read_at_depth(sig.as_bytes(), 0)
    }

    fn read_at_depth(&mut self, sig: &[u8], depth: usize) -> Result<Value, WireError> {
        if depth > MAX_DEPTH {
            return Err(WireError("value nested too deeply"));
        }
        let code = *sig.first().ok_or(WireError("signature ends early"))?;
        Ok(match code {
            b'y' => Value::Byte(self.take(1)?[0]),
            b'b' => match self.u32()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return Err(WireError("boolean that is neither 0 nor 1")),
            },
            b'n' => Value::I16(i16::from_le_bytes(self.fixed()?)),
            b'q' => Value::U16(u16::from_le_bytes(self.fixed()?)),
            b'i' => Value::I32(i32::from_le_bytes(self.fixed()?)),
            b'u' => Value::U32(self.u32()?),
            b'h' => Value::Fd(self.u32()?),
            b'x' => Value::I64(i64::from_le_bytes(self.fixed()?)),
            b't' => Value::U64(u64::from_le_bytes(self.fixed()?)),
            b'd' => Value::F64(u64::from_le_bytes(self.fixed()?)),
            b's' | b'o' => {
                let len = self.u32()? as usize;
                let text = self.text(len)?;
                if code == b's' {
                    Value::Str(text)
                } else {
                    Value::Path(text)
                }
            }
            b'g' => Value::Sig(self.signature_text()?),
            b'v' => {
                let inner = self.signature_text()?;
                if single_type_len(inner.as_bytes(), depth)? != inner.len() {
                    return Err(WireError("variant signature is not one complete type"));
                }
                Value::Variant(Box::new(self.read_at_depth(inner.as_bytes(), depth + 1)?))
            }
            b'a' => self.array(&sig[1..], depth)?,
            b'(' => {
                self.align(8)?;
                let mut fields = Vec::new();
                let mut at = 1;
                while sig.get(at).is_some_and(|&c| c != b')') {
                    let len = single_type_len(&sig[at..], depth + 1)?;
                    fields.push(self.read_at_depth(&sig[at..at + len], depth + 1)?);
                    at += len;
                }
                Value::Struct(fields)
            }
            b'{' => {
                self.align(8)?;
                let key_len = single_type_len(&sig[1..], depth + 1)?;
                let key = self.read_at_depth(&sig[1..1 + key_len], depth + 1)?;
                let value = self.read_at_depth(&sig[1 + key_len..], depth + 1)?;
                Value::Entry(Box::new(key), Box::new(value))
            }
            _ => return Err(WireError("unknown type in signature")),
        })
    }

    fn array(&mut self, elem_sig: &[u8], depth: usize) -> Result<Value, WireError> {
        let elem_len = single_type_len(elem_sig, depth + 1)?;
        let elem = &elem_sig[..elem_len];
        let length = self.u32()? as usize;
        self.align(alignment(elem[0]))?;
        if elem == b"y" {
            return Ok(Value::Bytes(self.take(length)?.to_vec()));
        }
        let end = self
            .pos
            .checked_add(length)
            .filter(|&end| end <= self.buf.len())
            .ok_or(WireError("array runs past the end of the message"))?;
        let mut items = Vec::new();
        while self.pos < end {
            items.push(self.read_at_depth(elem, depth + 1)?);
        }
        if self.pos != end {
            return Err(WireError("array element crosses the array's end"));
        }
        let elem = String::from_utf8_lossy(elem).into_owned();
        Ok(Value::Array { elem, items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value) -> Value {
        let mut writer = Writer::default();
        writer.put(value);
        let mut reader = Reader::new(&writer.buf, false);
        let read = reader.read(&value.signature()).unwrap();
        assert_eq!(reader.position(), writer.buf.len());
        read
    }

    fn secret_struct() -> Value {
        Value::Struct(vec![
            Value::Path("/org/freedesktop/secrets/session/s1".into()),
            Value::Bytes(vec![1; 16]),
            Value::Bytes(vec![2; 32]),
            Value::Str("text/plain".into()),
        ])
    }

    #[test]
    fn every_shape_hats_uses_round_trips() {
        let values = [
            Value::Struct(vec![
                Value::Byte(7),
                Value::Bool(true),
                Value::U64(1 << 40),
                Value::I16(-3),
            ]),
            Value::Array {
                elem: "{o(oayays)}".into(),
                items: vec![Value::Entry(
                    Box::new(Value::Path("/item/1".into())),
                    Box::new(secret_struct()),
                )],
            },
            Value::Array {
                elem: "{sv}".into(),
                items: vec![Value::Entry(
                    Box::new(Value::Str("Label".into())),
                    Box::new(Value::Variant(Box::new(Value::Str("hats".into())))),
                )],
            },
            Value::Array {
                elem: "o".into(),
                items: vec![],
            },
            Value::Variant(Box::new(Value::Bytes(vec![0, 255, 3]))),
            Value::Sig("a{ss}".into()),
        ];
        for value in values {
            assert_eq!(round_trip(&value), value, "{}", value.signature());
        }
    }

    #[test]
    fn the_layout_follows_the_specification() {
        // A byte, then a u32 aligned to 4, then a struct aligned to 8.
        let mut writer = Writer::default();
        writer.put(&Value::Byte(1));
        writer.put(&Value::U32(2));
        writer.put(&Value::Struct(vec![Value::Str("ab".into())]));
        assert_eq!(writer.buf, [1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, b'a', b'b', 0]);
        // Empty array of structs: length 0, then padding to the element's alignment.
        let mut writer = Writer::default();
        writer.put(&Value::Array {
            elem: "(yv)".into(),
            items: vec![],
        });
        assert_eq!(writer.buf, [0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn big_endian_input_is_read() {
        let raw = [0, 0, 0, 5, 0, 0, 0, 2, b'h', b'i', 0];
        let mut reader = Reader::new(&raw, true);
        assert_eq!(reader.read("u").unwrap(), Value::U32(5));
        assert_eq!(reader.read("s").unwrap(), Value::Str("hi".into()));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let cases: &[(&[u8], &str)] = &[
            (&[255, 255, 255, 255], "s"),
            (&[4, 0, 0, 0, b'a', b'b'], "s"),
            (&[2, 0, 0, 0, b'a', b'b', 1], "s"),
            (&[2, 0, 0, 0], "b"),
            (&[200, 0, 0, 0, 1, 2], "ay"),
            (&[8, 0, 0, 0, 1, 0, 0, 0, 2], "au"),
            (&[3, b'a', b'y', b'y', 0], "v"),
            (&[1, b'z', 0], "v"),
            (&[], "(u)"),
            (&[1, 9, 0, 0, 5, 0, 0, 0], "(yu)"),
        ];
        for (raw, sig) in cases {
            assert!(Reader::new(raw, false).read(sig).is_err(), "{raw:?} as {sig}");
        }
        let deep = "a".repeat(100) + "y";
        assert!(Reader::new(&[0; 8], false).read(&deep).is_err());
        assert!(split_signature("a{sss}").is_err());
        assert!(split_signature("()").is_err());
        assert_eq!(
            split_signature("oa{sv}(oayays)b").unwrap(),
            ["o", "a{sv}", "(oayays)", "b"]
        );
    }

    #[test]
    fn debug_shows_only_the_shape() {
        let secret = Value::Bytes(b"very-secret".to_vec());
        assert_eq!(format!("{secret:?}"), "Value(ay)");
    }
}
