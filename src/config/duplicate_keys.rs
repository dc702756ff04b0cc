//! Finds a key set twice in one section of an AWS config or credentials file.
//!
//! The AWS SDK's parser keeps one of the two values without a word (which one can
//! even depend on hash order when a section header is repeated); botocore, and so
//! the AWS CLI, refuse such a file. hats refuses it too, naming both lines.
//!
//! This module only looks for duplicates in text the SDK has already accepted: it
//! reads lines the way the SDK does (same comment, header and continuation rules)
//! but never judges syntax, and it never panics on any text.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// A key given twice in one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Duplicate {
    /// The section as the SDK names it: `profile prod`, `default`, `sso-session corp`.
    pub section: String,
    /// The key, lower-cased as the SDK compares keys.
    pub key: String,
    /// 1-based line of the first occurrence.
    pub first_line: usize,
    /// 1-based line of the second occurrence.
    pub line: usize,
}

/// The SDK's whitespace: only space and tab (not `char::is_whitespace`).
pub(super) const BLANK: &[char] = &[' ', '\t'];
/// What starts a comment line.
pub(super) const COMMENT: &[char] = &['#', ';'];

/// The first key that appears twice in the same section, if any.
pub(super) fn find_duplicate(text: &str) -> Option<Duplicate> {
    // Keyed by the section's normalised name, so `[profile a]` repeated later in
    // the file (which the SDK merges into one profile) counts as the same section.
    let mut seen: HashMap<String, HashMap<String, usize>> = HashMap::new();
    let mut section: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        if line.trim_matches(BLANK).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            section = section_name(line);
            continue;
        }
        if line.starts_with(BLANK) {
            // A continuation or sub-property of the previous key, not a key of the section.
            continue;
        }
        let (Some(current), Some(key)) = (&section, property_key(line)) else {
            continue;
        };
        match seen.entry(current.clone()).or_default().entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(index + 1);
            }
            Entry::Occupied(first) => {
                return Some(Duplicate {
                    section: current.clone(),
                    key: first.key().clone(),
                    first_line: *first.get(),
                    line: index + 1,
                });
            }
        }
    }
    None
}

/// `[ profile   prod ] # note` → `profile prod`; `None` for a header the SDK would reject.
pub(super) fn section_name(line: &str) -> Option<String> {
    // In headers a comment character starts a comment even without a blank before it.
    let inner = strip_comment(line, false).strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner.trim_matches(BLANK);
    Some(match inner.split_once(BLANK) {
        Some((prefix, name)) => format!("{} {}", prefix.trim(), name.trim()),
        None => inner.trim().to_owned(),
    })
}

/// `Region = x # note` → `region`; `None` when the line is not `key = value`.
pub(super) fn property_key(line: &str) -> Option<String> {
    let (key, _) = strip_comment(line, true).split_once('=')?;
    let key = key.trim_matches(BLANK);
    (!key.is_empty()).then(|| key.to_ascii_lowercase())
}

/// Trims blanks and cuts a trailing comment; in property lines a comment
/// character counts only after whitespace, so `secret#1` stays whole.
pub(super) fn strip_comment(line: &str, needs_blank_before: bool) -> &str {
    let line = line.trim_matches(BLANK);
    let mut after_blank = false;
    let mut end = line.len();
    for (at, c) in line.char_indices() {
        if COMMENT.contains(&c) && (after_blank || !needs_blank_before) {
            end = at;
            break;
        }
        after_blank = c.is_whitespace();
    }
    line[..end].trim_matches(BLANK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> Option<(String, String, usize, usize)> {
        find_duplicate(text).map(|d| (d.section, d.key, d.first_line, d.line))
    }

    #[test]
    fn a_key_twice_in_one_section_is_found_with_both_lines() {
        let text = "[profile a]\nregion = us-east-1\n# note\nREGION = eu-west-1\n";
        assert_eq!(dup(text), Some(("profile a".into(), "region".into(), 2, 4)));
    }

    #[test]
    fn a_repeated_header_is_the_same_section() {
        let text = "[profile a]\nregion = x\n[profile b]\nregion = y\n[ profile  a ] ; again\nregion = z\n";
        assert_eq!(dup(text), Some(("profile a".into(), "region".into(), 2, 6)));
    }

    #[test]
    fn same_key_in_different_sections_and_sub_properties_are_fine() {
        let text = "[default]\nregion = x\n[profile a]\nregion = y\ns3 =\n  region = 1\n  region = 2\n";
        assert_eq!(dup(text), None);
        // The comment rule: `#` after a blank starts a comment, otherwise it is part of the key.
        assert_eq!(dup("[a]\nk#x = 1\nk = 2\n"), None);
        assert_eq!(dup("[a]\nk = 1 # k = 2\n"), None);
    }

    #[test]
    fn keys_outside_any_section_and_odd_lines_are_left_to_the_sdk() {
        assert_eq!(
            dup("k = 1\nk = 2\n[a\nk = 1\nk = 2\nno equals\nno equals\n"),
            None
        );
    }
}
