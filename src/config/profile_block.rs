//! The block of `[profile hats-…]` sections that `hats profiles sync` keeps in
//! the AWS config: naming, rendering, finding it, splicing it in, and cutting it
//! out again when hats reads the file itself.
//!
//! Pure text functions: reading and writing the file is `commands/profiles.rs`.
//! Everything outside the markers belongs to the user and is never changed.

use sha2::Digest;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;

/// First line of the block.
pub const BEGIN: &str =
    "# >>> hats profiles: written by `hats profiles sync`; edits inside this block are replaced >>>";
/// Last line of the block.
pub const END: &str = "# <<< hats profiles <<<";
/// The prefix of generated profile names unless `--prefix` says otherwise.
pub const DEFAULT_PREFIX: &str = "hats-";

/// One generated profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEntry {
    /// The profile's name (`hats-prod.Admin`).
    pub name: String,
    /// The hats target it hands out.
    pub target: String,
    /// The target's region, when it has a valid one.
    pub region: Option<String>,
}

/// Why the AWS config's block cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// A begin marker without its end, or the other way round, or two blocks.
    #[error("line {line}: {problem}; fix the markers by hand (or delete the block) and run it again")]
    Markers {
        /// The line of the marker in question.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A generated name already names a profile outside the block.
    #[error(
        "line {line}: a profile named \"{name}\" already exists outside hats' block; \
         rename or remove it, or pick another --prefix"
    )]
    Clash { line: usize, name: String },
    /// `--prefix` holds characters a profile name cannot.
    #[error("--prefix \"{0}\" may hold only letters, digits and . _ - @ +; e.g. --prefix hats-")]
    Prefix(String),
}

/// The text split at the block: `before` and `after` are the user's, byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// Everything before the begin marker's line.
    pub before: &'a str,
    /// The block, markers included (with the end marker's newline); `None` when there is none.
    pub block: Option<&'a str>,
    /// Everything after the block.
    pub after: &'a str,
}

/// Finds the block, refusing half or doubled markers.
///
/// Looks for the markers with a substring search rather than line by line:
/// every `hats` start-up reads the AWS config through here, and with 15,000
/// generated profiles it holds 75,000 lines. A marker counts only as a whole
/// line (trailing `\r`s allowed), as an editor shows it.
pub fn split(text: &str) -> Result<Split<'_>, BlockError> {
    let mut begin: Option<usize> = None; // byte offset of the begin marker's line
    let mut found: Option<(usize, usize)> = None; // (start, end) byte offsets
    for (offset, is_begin, end) in marker_lines(text) {
        if is_begin {
            if begin.is_some() || found.is_some() {
                return Err(markers(line_of(text, offset), "a second hats block begins here"));
            }
            begin = Some(offset);
        } else {
            let Some(start) = begin.take() else {
                return Err(markers(
                    line_of(text, offset),
                    "the end of hats' block has no beginning",
                ));
            };
            found = Some((start, end));
        }
    }
    if let Some(offset) = begin {
        return Err(markers(
            line_of(text, offset),
            "hats' block begins here but never ends",
        ));
    }
    Ok(match found {
        Some((start, end)) => Split {
            before: &text[..start],
            block: Some(&text[start..end]),
            after: &text[end..],
        },
        None => Split {
            before: text,
            block: None,
            after: "",
        },
    })
}

/// The lines that are a marker, in order: (offset of the line, whether it is
/// the begin marker, offset just past the line and its newline).
fn marker_lines(text: &str) -> impl Iterator<Item = (usize, bool, usize)> + '_ {
    let whole_line = move |(offset, marker): (usize, &str)| {
        let starts_line = offset == 0 || text.as_bytes()[offset - 1] == b'\n';
        let rest = text[offset + marker.len()..].trim_start_matches('\r');
        let end = match rest.as_bytes().first() {
            None => text.len(),
            Some(b'\n') => text.len() - rest.len() + 1,
            Some(_) => return None,
        };
        starts_line.then_some((offset, marker == BEGIN, end))
    };
    // memchr's SIMD search: `str::match_indices` costs ~10 instructions a byte here.
    let find = move |marker: &'static str| {
        memchr::memmem::find_iter(text.as_bytes(), marker).map(move |offset| (offset, marker))
    };
    let begins = find(BEGIN).filter_map(whole_line);
    let ends = find(END).filter_map(whole_line);
    merge_by_offset(begins, ends)
}

/// Two iterators sorted by their first field, merged into one sorted iterator.
fn merge_by_offset<I, J>(a: I, b: J) -> impl Iterator<Item = (usize, bool, usize)>
where
    I: Iterator<Item = (usize, bool, usize)>,
    J: Iterator<Item = (usize, bool, usize)>,
{
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
        (Some(_), Some(_)) | (None, _) => b.next(),
        (Some(_), None) => a.next(),
    })
}

/// How many `\n` `text` holds (SIMD: the block is megabytes).
fn newlines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

/// The 1-based line number of the byte at `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    newlines(&text[..offset]) + 1
}

fn markers(line: usize, problem: &'static str) -> BlockError {
    BlockError::Markers { line, problem }
}

/// The text as hats parses it: the block replaced by as many empty lines (so
/// line numbers in messages stay right). hats' own profiles only call hats
/// back; listing them would show every target twice. A broken block is left in:
/// `profiles sync` reports it.
pub fn without_block(text: &str) -> Cow<'_, str> {
    if !text.contains(BEGIN) {
        return Cow::Borrowed(text);
    }
    match split(text) {
        Ok(Split {
            before,
            block: Some(block),
            after,
        }) => {
            let lines = newlines(block);
            let mut out = String::with_capacity(before.len() + lines + after.len());
            out.push_str(before);
            out.extend(std::iter::repeat_n('\n', lines));
            out.push_str(after);
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(text),
    }
}

/// Checks `--prefix`.
pub fn check_prefix(prefix: &str) -> Result<(), BlockError> {
    if prefix.chars().all(name_char) {
        Ok(())
    } else {
        Err(BlockError::Prefix(super::printable(prefix).into_owned()))
    }
}

/// Characters every AWS tool reads in a profile name, in a header and in `AWS_PROFILE`.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-@+".contains(c)
}

/// Profile names for `targets` (name, region), sorted by name. The scheme: prefix
/// plus the target name with `/` turned into `.` and any other character a
/// profile name cannot hold turned into `-`. When two targets end up with one
/// name, the one that needed no `-` (else the first by target name) keeps it and
/// the other gets `-` and 8 hex digits of its target name's SHA-256.
pub fn entries<'t>(
    prefix: &str,
    targets: impl Iterator<Item = (&'t str, Option<&'t str>)>,
) -> Vec<ProfileEntry> {
    let mut wanted: Vec<(bool, String, &str, Option<&str>)> = targets
        .map(|(target, region)| {
            let (name, exact) = plain_name(prefix, target);
            (!exact, name, target, region)
        })
        .collect();
    // Exact names first, then by target name: who keeps a shared name is fixed.
    wanted.sort_unstable_by(|a, b| (a.0, a.2).cmp(&(b.0, b.2)));
    let mut taken: HashSet<String> = HashSet::with_capacity(wanted.len());
    let mut out: Vec<ProfileEntry> = Vec::with_capacity(wanted.len());
    for (_, mut name, target, region) in wanted {
        if taken.contains(&name) {
            let digest = sha2::Sha256::digest(target.as_bytes());
            let _ = write!(
                name,
                "-{:02x}{:02x}{:02x}{:02x}",
                digest[0], digest[1], digest[2], digest[3]
            );
        }
        taken.insert(name.clone());
        out.push(ProfileEntry {
            name,
            target: target.to_owned(),
            region: region
                .filter(|r| super::check_region(r).is_ok())
                .map(str::to_owned),
        });
    }
    out.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The scheme's name, and whether it maps the target name without loss.
fn plain_name(prefix: &str, target: &str) -> (String, bool) {
    let mut exact = true;
    let mut name = String::with_capacity(prefix.len() + target.len());
    name.push_str(prefix);
    for c in target.chars() {
        match c {
            '/' => name.push('.'),
            c if name_char(c) => name.push(c),
            // Readable, though no longer the target's own spelling: `équipe` → `equipe`.
            c => {
                exact = false;
                name.push_str(crate::domain::latin_ascii(c).unwrap_or("-"));
            }
        }
    }
    (name, exact)
}

/// The block for `entries`, markers included, ending with a newline.
pub fn render(entries: &[ProfileEntry], hats: &str) -> String {
    let program = sh_word(hats);
    let mut out = String::with_capacity(64 + entries.len() * (120 + program.len()));
    out.push_str(BEGIN);
    out.push('\n');
    // `push_str`, not `write!`: the formatting machinery costs a third of a
    // sync with 15,000 targets.
    for entry in entries {
        for part in [
            "\n[profile ",
            &entry.name,
            "]\ncredential_process = ",
            &program,
            " credential-process ",
            &sh_word(&entry.target),
            "\n",
        ] {
            out.push_str(part);
        }
        if let Some(region) = &entry.region {
            for part in ["region = ", region, "\n"] {
                out.push_str(part);
            }
        }
    }
    out.push('\n');
    out.push_str(END);
    out.push('\n');
    out
}

/// `word` as one word for `sh -c` (the Rust SDK) and for Python's `shlex`
/// (botocore): single quotes when it holds anything but safe characters.
fn sh_word(word: &str) -> Cow<'_, str> {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./@%+=:,-".contains(c))
    {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

/// `text` with the block replaced by `block` (or removed when `block` is empty);
/// without a block, `block` goes at the end, after a blank line.
pub fn splice(parts: Split<'_>, block: &str) -> String {
    let mut out = String::with_capacity(parts.before.len() + block.len() + parts.after.len() + 2);
    out.push_str(parts.before);
    if parts.block.is_none() && !block.is_empty() && !parts.before.is_empty() {
        if !parts.before.ends_with('\n') {
            out.push('\n');
        }
        if !parts.before.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out.push_str(block);
    out.push_str(parts.after);
    out
}

/// The first profile outside the block whose name `generated` claims.
pub fn clash(parts: Split<'_>, generated: impl Fn(&str) -> bool) -> Result<(), BlockError> {
    let block_lines = parts.block.map_or(0, newlines);
    let before_lines = newlines(parts.before);
    let outside = parts.before.lines().enumerate().map(|(i, l)| (i + 1, l)).chain(
        parts
            .after
            .lines()
            .enumerate()
            .map(|(i, l)| (before_lines + block_lines + i + 1, l)),
    );
    for (line, text) in outside {
        if let Some(name) = header_name(text)
            && generated(name)
        {
            return Err(BlockError::Clash {
                line,
                name: super::printable(name).into_owned(),
            });
        }
    }
    Ok(())
}

/// The profile a config header names: `[profile NAME]`, `[profile "NAME"]` or `[NAME]`.
fn header_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?;
    let inner = inner[..inner.find(']')?].trim();
    let name = match inner.strip_prefix("profile") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => inner,
    };
    Some(name.trim_matches('"'))
}

#[cfg(test)]
mod tests;
