//! bash completion that quotes what it offers.
//!
//! bash inserts a completion candidate into the command line as it is, and
//! clap_complete's bash adapter prints candidates raw: a target named
//! ``evil$(touch${IFS}pwned)`` (an account name someone else chose, or a
//! profile name) would complete to a line that runs `touch` on Enter. zsh and
//! fish quote candidates themselves. This adapter registers the same script as
//! clap_complete's and answers the same requests, but escapes every candidate
//! for bash, and reads the word being completed back unquoted so that an
//! escaped name typed halfway still completes.
//!
//! It must not decide which candidates there are: that stays clap_complete's
//! (and `target_candidates`').

use clap_complete::env::{Bash, EnvCompleter};
use std::ffi::OsString;

/// clap_complete's bash adapter with every candidate escaped.
#[derive(Debug, Clone, Copy)]
pub struct QuotingBash;

impl EnvCompleter for QuotingBash {
    fn name(&self) -> &'static str {
        Bash.name()
    }

    fn is(&self, name: &str) -> bool {
        Bash.is(name)
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        Bash.write_registration(var, name, bin, completer, buf)
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        mut args: Vec<OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        // The same variables clap_complete's script sets for its own adapter.
        let index: usize = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or_default();
        let separator = std::env::var("_CLAP_IFS").unwrap_or_else(|_| "\n".into());
        if let Some(word) = args.get_mut(index)
            && let Some(text) = word.to_str()
        {
            *word = unquote(text).into();
        }
        let candidates = clap_complete::engine::complete(cmd, args, index, current_dir)?;
        for (i, candidate) in candidates.iter().enumerate() {
            if i != 0 {
                buf.write_all(separator.as_bytes())?;
            }
            buf.write_all(escape(&candidate.get_value().to_string_lossy()).as_bytes())?;
        }
        Ok(())
    }
}

/// Characters that mean nothing to bash anywhere in a word.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./@%+=,:".contains(c) || (!c.is_ascii() && !c.is_control())
}

/// `text` as one bash word that stands for itself: shell characters get a
/// backslash, control characters (which a backslash does not quote: a
/// backslash-newline joins lines) are written `$'\xHH'` / `$'\uHHHH'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if plain(c) {
            out.push(c);
        } else if c.is_ascii_control() {
            out.push_str(&format!("$'\\x{:02x}'", u32::from(c)));
        } else if c.is_control() {
            // `\xHH` would be one byte, not the character's UTF-8.
            out.push_str(&format!("$'\\u{:04x}'", u32::from(c)));
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

/// The word being completed as bash would read it: backslash escapes and
/// single or double quotes removed (a quote left open runs to the end, as it
/// does while the user is still typing).
pub fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        // Inside double quotes a backslash quotes only these.
                        '\\' => match chars.next() {
                            Some(next @ ('$' | '`' | '"' | '\\')) => out.push(next),
                            Some(next) => {
                                out.push('\\');
                                out.push(next);
                            }
                            None => out.push('\\'),
                        },
                        other => out.push(other),
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, unquote};

    #[test]
    fn shell_characters_are_escaped_and_plain_names_left_alone() {
        assert_eq!(escape("prod/Admin"), "prod/Admin");
        assert_eq!(escape("team-a.eu_1@x+y=z,w:v%"), "team-a.eu_1@x+y=z,w:v%");
        assert_eq!(escape("équipe"), "équipe");
        assert_eq!(
            escape("evil$(touch${IFS}pwned)"),
            r"evil\$\(touch\$\{IFS\}pwned\)"
        );
        assert_eq!(
            escape("a b;c|d&e`f'g\"h*i?j[k]~!#<>\\"),
            r#"a\ b\;c\|d\&e\`f\'g\"h\*i\?j\[k\]\~\!\#\<\>\\"#
        );
        assert_eq!(escape("a\nb\u{85}"), r"a$'\x0a'b$'\u0085'");
    }

    #[test]
    fn an_escaped_or_quoted_word_reads_back_as_the_name() {
        for name in ["evil$(touch${IFS}pwned)", "a b'c\"d\\e", "plain"] {
            assert_eq!(unquote(&escape(name)), name);
        }
        assert_eq!(unquote("'evil$(x)'"), "evil$(x)");
        assert_eq!(unquote(r#""ev\$il\n""#), r"ev$il\n");
        assert_eq!(unquote("'open"), "open");
        assert_eq!(unquote("trailing\\"), "trailing");
    }
}
