//! Profile names the AWS CLI accepts but the AWS SDK for Rust drops without a word.
//!
//! The SDK keeps a section only when its name is ASCII letters, digits and
//! `_-/.%@:+`; the AWS CLI (botocore) accepts any name: `[profile équipe-prod]`,
//! `[profile "my prod"]` in the config file, `[my prod]` in the credentials
//! file. Before the SDK parses a file, such headers are rewritten to a name it
//! keeps: every other character (and `%` itself) becomes `%XX` per UTF-8 byte.
//! [`real_name`] turns the SDK's name back; [`sdk_name`] gives the SDK's name of
//! a real one, for look-ups. Names the SDK already keeps are left as they are.
//!
//! A profile header the AWS CLI skips too (`[profile a b]`: two words, no quotes)
//! cannot become a target; it is kept under a name no real profile can have
//! ([`SKIPPED`] and the header) so that target building reports it.

use super::AwsFileKind;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Prefix of the SDK name of a section hats reports as skipped. Encoded names
/// never hold `%%` (a `%` is always followed by two hex digits).
pub(super) const SKIPPED: &str = "%%skipped%%";

/// The SDK's name for the real profile name `name`.
pub(crate) fn sdk_name(name: &str) -> Cow<'_, str> {
    if name.chars().all(sdk_safe) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        if sdk_safe(c) {
            out.push(c);
        } else {
            let mut bytes = [0u8; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Cow::Owned(out)
}

/// The real name of the SDK's profile name `key` (see [`sdk_name`]).
pub(crate) fn real_name(key: &str) -> Cow<'_, str> {
    if !key.contains('%') {
        return Cow::Borrowed(key);
    }
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The header text of a skipped section, when `key` names one.
pub(crate) fn skipped_header(key: &str) -> Option<Cow<'_, str>> {
    key.strip_prefix(SKIPPED).map(real_name)
}

/// A character the SDK keeps in a name, other than `%` (hats' escape).
fn sdk_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/.@:+".contains(c)
}

/// `text` with every profile header the SDK would drop rewritten (see the module docs).
pub(super) fn rewrite_headers(text: &str, kind: AwsFileKind) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if !line.starts_with('[') {
            continue;
        }
        let Some(header) = rewritten(line, kind) else {
            continue;
        };
        out.push_str(&text[copied..start]);
        out.push_str(&header);
        out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        copied = at;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The replacement of one header line, when the SDK would not keep its profile
/// under its real name.
fn rewritten(line: &str, kind: AwsFileKind) -> Option<String> {
    let line = line.trim();
    // A comment may follow the header: `[profile a] # note`.
    let close = line.rfind(']')?;
    let after = line[close + 1..].trim_start();
    if !(after.is_empty() || after.starts_with(['#', ';'])) {
        return None;
    }
    let inner = line[1..close].trim();
    let (name, as_written) = match kind {
        AwsFileKind::Config => {
            let rest = inner.strip_prefix("profile")?;
            if !rest.starts_with(char::is_whitespace) {
                return None;
            }
            let rest = rest.trim();
            match unquoted(rest) {
                Some(name) => (name, rest),
                // Two words and no quotes: the AWS CLI skips it as well.
                None if rest.contains(char::is_whitespace) => {
                    return Some(format!("[profile {SKIPPED}{}]", sdk_name(inner)));
                }
                None => (rest, rest),
            }
        }
        AwsFileKind::Credentials => (inner, inner),
    };
    if name.is_empty() || (name == as_written && name.chars().all(sdk_safe)) {
        return None;
    }
    Some(match kind {
        AwsFileKind::Config => format!("[profile {}]", sdk_name(name)),
        AwsFileKind::Credentials => format!("[{}]", sdk_name(name)),
    })
}

/// `"a b"` or `'a b'` without its quotes, as botocore's shlex reads it.
fn unquoted(text: &str) -> Option<&str> {
    ['"', '\'']
        .into_iter()
        .find_map(|q| text.strip_prefix(q)?.strip_suffix(q))
        .filter(|inside| !inside.contains(['"', '\'']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_plain_names_are_untouched() {
        for name in [
            "prod",
            "équipe-prod",
            "my prod",
            "50%off",
            "数据/Admin",
            "a\u{1b}b",
            "%41",
        ] {
            let key = sdk_name(name);
            assert!(key.chars().all(|c| sdk_safe(c) || c == '%'), "{key}");
            assert_eq!(real_name(&key), name);
        }
        assert!(matches!(sdk_name("ops/Admin@x:y+z.w_v-1"), Cow::Borrowed(_)));
        assert_eq!(sdk_name("é"), "%C3%A9");
    }

    #[test]
    fn headers_the_sdk_would_drop_are_rewritten_and_the_rest_kept() {
        let config = "[default]\nregion = x\n[profile équipe-prod]\nk = v\n[profile \"my prod\"]\n\
                      [profile a b]\n[profile plain]\n[sso-session s]\n[profile 50%off] # note\n";
        let rewritten = rewrite_headers(config, AwsFileKind::Config);
        assert_eq!(
            rewritten,
            "[default]\nregion = x\n[profile %C3%A9quipe-prod]\nk = v\n[profile my%20prod]\n\
             [profile %%skipped%%profile%20a%20b]\n[profile plain]\n[sso-session s]\n[profile 50%25off]\n"
        );
        assert!(matches!(
            rewrite_headers("[profile a]\n[default]", AwsFileKind::Config),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            rewrite_headers("[équipe]\n[my keys]\n[plain]", AwsFileKind::Credentials),
            "[%C3%A9quipe]\n[my%20keys]\n[plain]"
        );
    }
}
