//! A profile's long-term keys in the text of an AWS file: finding them, and
//! the text without them, for `hats keys import`.
//!
//! Pure: text in, text out. Lines are read as the SDK reads them (the rules of
//! `duplicate_keys`: comments, headers, keys compared without case). Only the
//! key lines (and their continuation lines) go, and the header of a section
//! left with nothing but blank lines; every other byte stays as it was, line
//! endings, comments and order included.

use super::AwsFileKind;
use super::duplicate_keys::{BLANK, COMMENT, property_key, section_name, strip_comment};
use secrecy::SecretString;

/// The key of the access key id.
const ID: &str = "aws_access_key_id";
/// The key of the secret.
const SECRET: &str = "aws_secret_access_key";
/// The key of a session token: its presence means temporary credentials.
const TOKEN: &str = "aws_session_token";

/// What a profile's sections say about keys.
#[derive(Debug, Default)]
pub struct FoundKeys {
    /// `aws_access_key_id`, as the SDK reads it.
    pub id: Option<String>,
    /// `aws_secret_access_key`, as the SDK reads it.
    pub secret: Option<SecretString>,
    /// An `aws_session_token` is set: temporary credentials, not a long-term key.
    pub session_token: bool,
    /// The 1-based line of a key line continued on the next line (which hats
    /// cannot read the way every tool would).
    pub continued: Option<usize>,
}

/// One line of the file: its text without the line ending, and how it reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Blank or a comment.
    Quiet,
    /// A section header; `true` when it opens a section of the profile.
    Header(bool),
    /// A continuation (or sub-property) of the key line above.
    Continuation,
    /// A `key = value` line, or anything else the SDK reads in a section.
    Property,
}

fn classify(line: &str, kind: AwsFileKind, profile: &str) -> Kind {
    if line.trim_matches(BLANK).is_empty() || line.starts_with(COMMENT) {
        Kind::Quiet
    } else if line.starts_with('[') {
        Kind::Header(header_profile(line, kind).as_deref() == Some(profile))
    } else if line.starts_with(BLANK) {
        Kind::Continuation
    } else {
        Kind::Property
    }
}

/// The profile a header opens: `[NAME]` in the credentials file; `[profile
/// NAME]` (quotes allowed) or `[default]` in the config file.
fn header_profile(line: &str, kind: AwsFileKind) -> Option<String> {
    let inner = section_name(line)?;
    match kind {
        AwsFileKind::Credentials => Some(inner),
        AwsFileKind::Config if inner == "default" => Some(inner),
        AwsFileKind::Config => {
            let name = inner.strip_prefix("profile ")?.trim_matches(BLANK);
            let unquoted = name
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .unwrap_or(name);
            Some(unquoted.to_owned())
        }
    }
}

/// The lines of `text`, each with its own line ending.
fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n')
        .map(|raw| (raw, raw.trim_end_matches(['\n', '\r'])))
}

/// Whether `line` sets one of the key lines import moves.
fn is_key_line(line: &str) -> bool {
    property_key(line).is_some_and(|k| k == ID || k == SECRET)
}

/// What the sections of `profile` in `text` say about keys.
pub fn find_keys(text: &str, kind: AwsFileKind, profile: &str) -> FoundKeys {
    let mut found = FoundKeys::default();
    let (mut inside, mut after_key) = (false, None);
    for (number, (_, line)) in lines(text).enumerate() {
        match classify(line, kind, profile) {
            Kind::Header(mine) => (inside, after_key) = (mine, None),
            Kind::Continuation if inside => {
                if let Some(key_line) = after_key {
                    found.continued.get_or_insert(key_line);
                }
            }
            Kind::Property if inside => {
                after_key = None;
                let Some(key) = property_key(line) else { continue };
                let value = || {
                    let text = strip_comment(line, true);
                    text.split_once('=')
                        .map_or("", |(_, v)| v.trim_matches(BLANK))
                        .to_owned()
                };
                match key.as_str() {
                    ID => found.id = Some(value()),
                    SECRET => found.secret = Some(SecretString::from(value())),
                    TOKEN => found.session_token = true,
                    _ => continue,
                }
                after_key = Some(number + 1);
            }
            _ => {}
        }
    }
    found
}

/// Every profile of `text` with a key line, in the order they first appear.
pub fn keyed_profiles(text: &str, kind: AwsFileKind) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for (_, line) in lines(text) {
        match classify(line, kind, "") {
            Kind::Header(_) => current = header_profile(line, kind),
            Kind::Property if is_key_line(line) => {
                if let Some(name) = current.as_ref().filter(|n| !names.contains(n)) {
                    names.push(name.clone());
                }
            }
            _ => {}
        }
    }
    names
}

/// `text` without the key lines of `profile` (and their continuations); a
/// section of the profile left with only blank lines goes with its header.
pub fn without_keys(text: &str, kind: AwsFileKind, profile: &str) -> String {
    let all: Vec<(&str, &str)> = lines(text).collect();
    let mut keep = vec![true; all.len()];
    // Sections of the profile: (header line, first line after the section).
    let mut sections: Vec<(usize, usize)> = Vec::new();
    let (mut inside, mut removing) = (false, false);
    for (i, (_, line)) in all.iter().enumerate() {
        match classify(line, kind, profile) {
            Kind::Header(mine) => {
                if let Some(open) = sections.last_mut().filter(|_| inside) {
                    open.1 = i;
                }
                if mine {
                    sections.push((i, all.len()));
                }
                (inside, removing) = (mine, false);
            }
            Kind::Continuation if inside && removing => keep[i] = false,
            Kind::Property if inside => {
                removing = is_key_line(line);
                keep[i] = !removing;
            }
            Kind::Quiet | Kind::Continuation | Kind::Property => {}
        }
    }
    for (header, end) in sections {
        let emptied = (header + 1..end).all(|i| !keep[i] || all[i].1.trim_matches(BLANK).is_empty());
        if emptied {
            keep[header..end].iter_mut().for_each(|k| *k = false);
        }
    }
    all.iter()
        .zip(keep)
        .filter(|(_, kept)| *kept)
        .map(|((raw, _), _)| *raw)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const CREDENTIALS: &str = "# my keys\r\n[default]\r\naws_access_key_id = AKIADEFAULT00000000\r\n\
        aws_secret_access_key = dflt\r\nregion = eu-west-1\r\n\r\n[base]\r\n\
        AWS_Access_Key_Id=AKIABASE000000000000 # work laptop\r\naws_secret_access_key =  s3cr#t/+x  \r\n\r\n\
        [tmp]\r\naws_access_key_id = ASIATMP\r\naws_secret_access_key = t\r\naws_session_token = tok\r\n";

    #[test]
    fn keys_are_read_as_the_sdk_reads_them() {
        let base = find_keys(CREDENTIALS, AwsFileKind::Credentials, "base");
        assert_eq!(base.id.as_deref(), Some("AKIABASE000000000000"));
        assert_eq!(base.secret.unwrap().expose_secret(), "s3cr#t/+x");
        assert!(!base.session_token && base.continued.is_none());
        assert!(find_keys(CREDENTIALS, AwsFileKind::Credentials, "tmp").session_token);
        assert!(
            find_keys(CREDENTIALS, AwsFileKind::Credentials, "nobody")
                .id
                .is_none()
        );
        assert_eq!(
            keyed_profiles(CREDENTIALS, AwsFileKind::Credentials),
            ["default", "base", "tmp"]
        );
    }

    #[test]
    fn only_the_key_lines_go_and_every_other_byte_stays() {
        let out = without_keys(CREDENTIALS, AwsFileKind::Credentials, "default");
        assert_eq!(
            out,
            CREDENTIALS.replace(
                "aws_access_key_id = AKIADEFAULT00000000\r\naws_secret_access_key = dflt\r\n",
                ""
            )
        );
    }

    #[test]
    fn a_section_left_with_only_blank_lines_goes_with_its_header() {
        let out = without_keys(CREDENTIALS, AwsFileKind::Credentials, "base");
        let gone = "[base]\r\nAWS_Access_Key_Id=AKIABASE000000000000 # work laptop\r\n\
            aws_secret_access_key =  s3cr#t/+x  \r\n\r\n";
        assert_eq!(out, CREDENTIALS.replace(gone, ""));
        // Comments are the user's words: a section keeping one keeps its header.
        let text = "[a]\n# laptop key\naws_access_key_id = AKIAAAAAAAAAAAAAAAAA\naws_secret_access_key = x\n";
        assert_eq!(
            without_keys(text, AwsFileKind::Credentials, "a"),
            "[a]\n# laptop key\n"
        );
        // The last line may lack its line ending.
        assert_eq!(
            without_keys(
                "[x]\nk = 1\n[a]\naws_secret_access_key = s",
                AwsFileKind::Credentials,
                "a"
            ),
            "[x]\nk = 1\n"
        );
    }

    #[test]
    fn every_section_of_the_profile_is_cleaned_and_continuations_go_with_their_key() {
        let text = "[a]\naws_access_key_id = AKIAAAAAAAAAAAAAAAAA\n  more\nregion = x\n[b]\n\
            aws_access_key_id = AKIABBBBBBBBBBBBBBBB\n[a]\naws_secret_access_key = y\n";
        assert_eq!(
            without_keys(text, AwsFileKind::Credentials, "a"),
            "[a]\nregion = x\n[b]\naws_access_key_id = AKIABBBBBBBBBBBBBBBB\n"
        );
        assert_eq!(find_keys(text, AwsFileKind::Credentials, "a").continued, Some(2));
    }

    #[test]
    fn config_sections_are_named_as_the_config_file_names_them() {
        let text = "[profile \"my prod\"]\naws_access_key_id = AKIAAAAAAAAAAAAAAAAA\nregion = x\n\
            [sso-session my prod]\naws_access_key_id = no\n[default]\nmfa_serial = m\n";
        assert_eq!(keyed_profiles(text, AwsFileKind::Config), ["my prod"]);
        assert_eq!(
            without_keys(text, AwsFileKind::Config, "my prod"),
            "[profile \"my prod\"]\nregion = x\n[sso-session my prod]\naws_access_key_id = no\n[default]\nmfa_serial = m\n"
        );
        assert_eq!(without_keys(text, AwsFileKind::Config, "default"), text);
    }
}
