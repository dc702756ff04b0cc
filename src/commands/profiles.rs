//! `hats profiles sync|print`: a `[profile hats-…]` for every target in the AWS
//! config, each calling `hats credential-process`, so tools that only read
//! `AWS_PROFILE` get hats' cache and MFA-once behind them.
//!
//! The text work (names, block, splice) is `config::profile_block`; this file
//! reads and atomically replaces the file. It never touches sessions.

use crate::config::profile_block::{self, BlockError, ProfileEntry, Split};
use crate::context::{Context, profile_region};
use crate::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prints the block `sync` would write.
pub fn profiles_print(ctx: &Context, prefix: &str) -> Result<(), Error> {
    let block = block_for(ctx, prefix)?.1;
    let mut out = std::io::stdout().lock();
    out.write_all(block.as_bytes()).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(())
}

/// How often a sync reads the file again when it changed while being written.
const ATTEMPTS: usize = 5;

/// Writes the block into the AWS config (or prints the diff with `dry_run`).
/// The file is replaced only if it still holds what was read: a profile
/// another program added meanwhile is read in and kept, never overwritten.
pub fn profiles_sync(ctx: &Context, prefix: &str, dry_run: bool) -> Result<(), Error> {
    let (entries, block) = block_for(ctx, prefix)?;
    let path = config_path()?;
    let shown = path.display().to_string();
    for _ in 0..ATTEMPTS {
        let old = read_config(&path, &shown)?;
        let parts = profile_block::split(&old).map_err(|e| in_file(&shown, &e))?;
        // `entries` is sorted by name: no set of 15,000 names to build.
        let generated = |name: &str| entries.binary_search_by(|e| e.name.as_str().cmp(name)).is_ok();
        profile_block::clash(parts, generated).map_err(|e| in_file(&shown, &e))?;
        let new = profile_block::splice(parts, &block);
        let counts = || Counts::between(parts, &block, entries.len());
        if dry_run {
            print_diff(&old, &new, &shown)?;
            eprintln!("hats: dry run, \"{shown}\" not changed: {}", counts());
            return Ok(());
        }
        if new == old {
            // Not rewritten: no new mtime for editors and file watchers to react to.
            eprintln!("hats: {} profiles in \"{shown}\" are up to date", entries.len());
            return Ok(());
        }
        let replaced = crate::user_file::replace_if_unchanged(&path, old.as_bytes(), new.as_bytes())
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot write \"{shown}\": {e}; check the directory's permissions"
                ))
            })?;
        if replaced {
            eprintln!("hats: \"{shown}\": {}", counts());
            return Ok(());
        }
    }
    Err(Error::Usage(format!(
        "\"{shown}\" changed each time hats was about to write it ({ATTEMPTS} tries), so it was left as it is; \
         run `hats profiles sync` again once whatever is editing it has finished"
    )))
}

/// The AWS config's text; a missing file is empty.
fn read_config(path: &Path, shown: &str) -> Result<String, Error> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| Error::Usage(format!("\"{shown}\" is not UTF-8 text; save it as UTF-8 first"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::doing(format!("read \"{shown}\""))(e)),
    }
}

/// The entries and rendered block for every target.
fn block_for(ctx: &Context, prefix: &str) -> Result<(Vec<ProfileEntry>, String), Error> {
    profile_block::check_prefix(prefix).map_err(|e| Error::Usage(e.to_string()))?;
    for (name, problem) in &ctx.targets.broken {
        eprintln!("hats: skipping \"{name}\": {problem}");
    }
    // Every profile names a region: the AWS CLI and SDKs refuse a call
    // without one, and a profile's region is all they read.
    let default = ctx.targets.default_region.as_deref();
    let regions: Vec<String> = ctx
        .targets
        .targets
        .iter()
        .map(|t| profile_region(t, default))
        .collect();
    let targets = ctx
        .targets
        .targets
        .iter()
        .zip(&regions)
        .map(|(t, region)| (t.name.as_str(), Some(region.as_str())));
    let entries = profile_block::entries(prefix, targets);
    let hats = super::own_path::invoked_text("credential_process in the AWS config")?;
    let block = profile_block::render(&entries, &hats);
    Ok((entries, block))
}

fn in_file(shown: &str, e: &BlockError) -> Error {
    Error::Usage(format!("\"{shown}\" {e}"))
}

/// The AWS config to write; a symlink (dotfiles) is followed so the link stays.
fn config_path() -> Result<PathBuf, Error> {
    let path = crate::config::aws_config_path().ok_or_else(|| {
        Error::Usage(
            "no AWS config file to write: AWS_CONFIG_FILE is empty and there is no home directory".into(),
        )
    })?;
    Ok(std::fs::canonicalize(&path).unwrap_or(path))
}

fn print_diff(old: &str, new: &str, shown: &str) -> Result<(), Error> {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(shown, &format!("{shown} (after hats profiles sync)"))
        .to_string();
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(())
}

/// How many profiles a sync adds, changes and removes.
struct Counts {
    total: usize,
    added: usize,
    changed: usize,
    removed: usize,
}

impl Counts {
    /// Compares the file's old block with `block`, which holds `total` profiles
    /// (each header once).
    fn between(parts: Split<'_>, block: &str, total: usize) -> Self {
        let old = parts.block.map(sections).unwrap_or_default();
        let (mut added, mut changed, mut kept) = (0, 0, 0);
        for (header, body) in section_list(block) {
            match old.get(header) {
                None => added += 1,
                Some(was) => {
                    kept += 1;
                    if !same_but_program(was, body) {
                        changed += 1;
                    }
                }
            }
        }
        Self {
            total,
            added,
            changed,
            removed: old.len() - kept,
        }
    }
}

/// The block's sections by header line, each with its body (sections are
/// separated by blank lines; the markers are comments).
fn sections(block: &str) -> std::collections::HashMap<&str, &str> {
    section_list(block).collect()
}

fn section_list(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block
        .split("\n\n")
        .filter(|chunk| chunk.starts_with("[profile "))
        .map(|chunk| chunk.split_once('\n').unwrap_or((chunk, "")))
}

/// Section bodies compared without hats' path (the counts are about targets):
/// a `credential_process` line counts by what follows `credential-process `.
fn same_but_program(old: &str, new: &str) -> bool {
    old.lines().map(command_part).eq(new.lines().map(command_part))
}

/// A line as `same_but_program` compares it: `(true, TARGET…)` for a line that
/// holds `credential-process TARGET…` after the program, else `(false, line)`.
fn command_part(line: &str) -> (bool, &str) {
    match line.split_once(" credential-process ") {
        Some((_, target)) => (true, target),
        None => line
            .strip_prefix("credential-process ")
            .map_or((false, line), |t| (true, t)),
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} hats profiles ({} added, {} changed, {} removed)",
            self.total, self.added, self.changed, self.removed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profile_block::{BEGIN, END};

    fn block(sections: &[(&str, &str)]) -> String {
        let mut out = format!("{BEGIN}\n");
        for (name, body) in sections {
            out.push_str(&format!("\n[profile {name}]\n{body}\n"));
        }
        out.push_str(&format!("\n{END}\n"));
        out
    }

    #[test]
    fn counts_tell_added_changed_and_removed_profiles_and_ignore_hats_own_path() {
        let old = block(&[
            ("hats-a", "credential_process = /old/hats credential-process a"),
            (
                "hats-b",
                "credential_process = /old/hats credential-process b\nregion = eu-west-1",
            ),
            (
                "hats-gone",
                "credential_process = /old/hats credential-process gone",
            ),
        ]);
        let new = block(&[
            ("hats-a", "credential_process = /new/hats credential-process a"),
            (
                "hats-b",
                "credential_process = /new/hats credential-process b\nregion = us-east-1",
            ),
            ("hats-c", "credential_process = /new/hats credential-process c"),
        ]);
        let counts = Counts::between(split(&old), &new, 3);
        assert_eq!(
            counts.to_string(),
            "3 hats profiles (1 added, 1 changed, 1 removed)"
        );
        let first = Counts::between(split("[default]\n"), &new, 3);
        assert_eq!(
            first.to_string(),
            "3 hats profiles (3 added, 0 changed, 0 removed)"
        );
    }

    #[test]
    fn a_section_is_the_same_when_only_the_program_before_credential_process_differs() {
        let with = |program: &str, target: &str| {
            format!("credential_process = {program} credential-process {target}")
        };
        assert!(same_but_program(&with("/a/hats", "x"), &with("'/b c/hats'", "x")));
        assert!(!same_but_program(&with("/a/hats", "x"), &with("/a/hats", "y")));
        assert!(!same_but_program("region = a", "region = b"));
        assert!(!same_but_program("k = v", "k = v\nregion = a"));
    }

    fn split(text: &str) -> Split<'_> {
        profile_block::split(text).unwrap()
    }
}
