//! Names that reach a terminal or a shell.
//!
//! Two rules, one per kind of name:
//! - A name *discovered* from an API (an account name in Organizations, Identity
//!   Center or a SAML assertion's account) is written by whoever administers that
//!   account. It becomes part of a target name only through [`discovered_label`]:
//!   letters, digits and `._@+=,-` (what every AWS tool, shell and completion
//!   script takes as one plain word), accented Latin letters spelled in ASCII,
//!   anything else one `-`. So no discovered name can carry a shell substitution
//!   into a completion, or look like another with bidi or zero-width characters.
//! - A name from the user's *own* files (a profile name, an `[[account]]` name) is
//!   kept as written, since the user types it back; wherever it is printed it goes
//!   through [`printable`], which shows control, bidi and zero-width characters
//!   escaped (`\u{202e}`).
//!
//! Pure text functions: no I/O.

use std::borrow::Cow;

/// Whether `c` may appear in a discovered account label: ASCII letters and
/// digits and `._@+=,-` (IAM's own name characters; `/` only joins account and role).
pub fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '=' | ',' | '-')
}

/// `raw` in the charset of [`name_char`]: common accented Latin letters become
/// their plain letters (`é` → `e`, `ß` → `ss`), every run of other characters
/// becomes one `-`, and such runs at either end are dropped. Empty when nothing
/// usable is left (the caller then names the account by its id).
pub fn discovered_label(raw: &str) -> String {
    if is_plain_name(raw) {
        // Most names are: one copy, no rebuilding.
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut gap = false;
    let push = |out: &mut String, gap: &mut bool, c: char| {
        if *gap && !out.is_empty() {
            out.push('-');
        }
        *gap = false;
        out.push(c);
    };
    for c in raw.chars() {
        if name_char(c) {
            push(&mut out, &mut gap, c);
        } else if let Some(plain) = latin_ascii(c) {
            for p in plain.chars() {
                push(&mut out, &mut gap, p);
            }
        } else {
            gap = true;
        }
    }
    out
}

/// Whether `raw` is already in the charset (then [`discovered_label`] returns it as is).
pub fn is_plain_name(raw: &str) -> bool {
    !raw.is_empty() && raw.chars().all(name_char)
}

/// The ASCII spelling of a common accented Latin letter (Latin-1 and Latin
/// Extended-A), `None` for anything else.
pub fn latin_ascii(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅĀĂĄ", "A"),
        ("àáâãäåāăą", "a"),
        ("ÇĆĈĊČ", "C"),
        ("çćĉċč", "c"),
        ("ĎĐ", "D"),
        ("ďđ", "d"),
        ("ÈÉÊËĒĔĖĘĚ", "E"),
        ("èéêëēĕėęě", "e"),
        ("ĜĞĠĢ", "G"),
        ("ĝğġģ", "g"),
        ("ĤĦ", "H"),
        ("ĥħ", "h"),
        ("ÌÍÎÏĨĪĬĮİ", "I"),
        ("ìíîïĩīĭįı", "i"),
        ("Ĵ", "J"),
        ("ĵ", "j"),
        ("Ķ", "K"),
        ("ķ", "k"),
        ("ĹĻĽĿŁ", "L"),
        ("ĺļľŀł", "l"),
        ("ÑŃŅŇ", "N"),
        ("ñńņň", "n"),
        ("ÒÓÔÕÖØŌŎŐ", "O"),
        ("òóôõöøōŏő", "o"),
        ("ŔŖŘ", "R"),
        ("ŕŗř", "r"),
        ("ŚŜŞŠ", "S"),
        ("śŝşš", "s"),
        ("ŢŤŦ", "T"),
        ("ţťŧ", "t"),
        ("ÙÚÛÜŨŪŬŮŰŲ", "U"),
        ("ùúûüũūŭůűų", "u"),
        ("Ŵ", "W"),
        ("ŵ", "w"),
        ("ÝŸŶ", "Y"),
        ("ýÿŷ", "y"),
        ("ŹŻŽ", "Z"),
        ("źżž", "z"),
        ("Æ", "AE"),
        ("æ", "ae"),
        ("Œ", "OE"),
        ("œ", "oe"),
        ("ß", "ss"),
        ("Þ", "Th"),
        ("þ", "th"),
        ("Ð", "D"),
        ("ð", "d"),
    ];
    if c.is_ascii() || !('\u{c0}'..='\u{17f}').contains(&c) {
        return None;
    }
    TABLE
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, plain)| *plain)
}

/// Characters that change how text around them is shown without being seen
/// themselves: bidi controls and marks, zero-width characters, invisible
/// separators and fillers. With them one name can be made to look like another.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Text from a file or an API made safe to print: control characters (terminal
/// escape sequences among them), bidi controls and zero-width characters are
/// shown escaped, as `\u{1b}`, `\n` or `\u{202e}`; everything else, non-ASCII letters
/// included, as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| c.is_control() || is_invisible(c);
    if is_printable_ascii(text) || !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// Whether `text` is only printable ASCII (no control character, nothing
/// hidden): the common case, checked a byte at a time before any decoding.
pub fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovered_names_keep_only_plain_characters() {
        assert_eq!(discovered_label("team-0001-production"), "team-0001-production");
        assert_eq!(discovered_label("Data Lake  prod"), "Data-Lake-prod");
        assert_eq!(
            discovered_label("evil$(touch${IFS}pwned)"),
            "evil-touch-IFS-pwned"
        );
        assert_eq!(discovered_label("evil`id`"), "evil-id");
        assert_eq!(discovered_label("dev\u{202e}dorp"), "dev-dorp");
        assert_eq!(discovered_label("pr\u{200b}od"), "pr-od");
        assert_eq!(discovered_label("red\u{1b}[31mtext"), "red-31mtext");
        assert_eq!(discovered_label("équipe Données"), "equipe-Donnees");
        assert_eq!(discovered_label("Straße"), "Strasse");
        assert_eq!(discovered_label("a.b@c+d=e,f_g"), "a.b@c+d=e,f_g");
        assert_eq!(discovered_label("a/b"), "a-b");
        assert_eq!(discovered_label("本番"), "");
        assert_eq!(discovered_label("  "), "");
    }

    #[test]
    fn printing_escapes_controls_bidi_and_zero_width_but_not_letters() {
        assert_eq!(printable("prød/Admin"), "prød/Admin");
        assert_eq!(printable("dev\u{202e}dorp"), "dev\\u{202e}dorp");
        assert_eq!(printable("pr\u{200b}od"), "pr\\u{200b}od");
        assert_eq!(printable("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(printable("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }
}
