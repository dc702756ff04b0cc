//! Tips added to clap's parse errors where the likely intent is clear:
//! `hats exec dev ls` (the command belongs after `--`) and `hats dev` (a target
//! name typed where a subcommand goes).
//!
//! Reads the configuration (files only: never the keyring or the network) and
//! only on the error path.

use crate::inventory::TargetSet;
use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::ffi::OsString;

/// Adds tips to `error` for the command line `args` (program name first);
/// `targets` is asked only when a tip needs the target names.
pub fn add_tips(
    mut error: clap::Error,
    args: &[OsString],
    targets: impl FnOnce() -> Option<TargetSet>,
) -> clap::Error {
    let tips = match error.kind() {
        ErrorKind::UnknownArgument => command_after_dashes(&error, args).into_iter().collect(),
        ErrorKind::MissingRequiredArgument => forget_all(args).into_iter().collect(),
        ErrorKind::InvalidSubcommand => match (invalid(&error, ContextKind::InvalidSubcommand), targets()) {
            (Some(word), Some(targets)) => target_tips(&word, &targets),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    if tips.is_empty() {
        return error;
    }
    let mut all = match error.get(ContextKind::Suggested) {
        Some(ContextValue::StyledStrs(existing)) => existing.clone(),
        _ => Vec::new(),
    };
    all.extend(tips.into_iter().map(StyledStr::from));
    error.insert(ContextKind::Suggested, ContextValue::StyledStrs(all));
    error
}

fn invalid(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// `hats exec dev ls -la`: the first unexpected word starts the command, so the
/// tip is the same line with `--` in front of it.
fn command_after_dashes(error: &clap::Error, args: &[OsString]) -> Option<String> {
    let word = invalid(error, ContextKind::InvalidArg)?;
    if word.starts_with('-') {
        return None;
    }
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let exec = words.iter().position(|w| w == "exec")?;
    if words.iter().any(|w| w == "--") {
        return None;
    }
    let at = exec + 1 + words[exec + 1..].iter().skip(1).position(|w| *w == word)? + 1;
    let mut line = vec!["hats".to_owned()];
    line.extend(words[..at].iter().cloned());
    line.push("--".into());
    line.extend(words[at..].iter().cloned());
    Some(format!("the command to run goes after '--': '{}'", shown(&line)))
}

/// `hats forget` with nothing to forget named: clap's usage line shows only
/// `<TARGET>`, so the other way is said.
fn forget_all(args: &[OsString]) -> Option<String> {
    let command = args
        .iter()
        .skip(1)
        .find(|a| !a.as_encoded_bytes().starts_with(b"-"))?;
    (command == "forget").then(|| {
        "'hats forget TARGET' forgets one target's sessions, 'hats forget --all' every cached session"
            .to_owned()
    })
}

/// `hats dev`: when `dev` is a target (or close to one), how to use it.
fn target_tips(word: &str, targets: &TargetSet) -> Vec<String> {
    let usage = |name: &str| {
        let quoted = quote(name);
        format!(
            "'hats shell {quoted}' opens a shell with its credentials, 'hats exec {quoted} -- CMD' runs a command"
        )
    };
    if let Some(target) = targets.find(word) {
        return vec![format!(
            "\"{}\" is a target: {}",
            printable(word),
            usage(&target.name)
        )];
    }
    match targets.suggest(word).first() {
        Some(close) => vec![format!(
            "a similar target exists, \"{}\": {}",
            printable(close),
            usage(close)
        )],
        None => Vec::new(),
    }
}

fn printable(text: &str) -> String {
    text.escape_debug().to_string()
}

/// A word as a POSIX shell would need it typed.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./:@+=%,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!(
            "\"{}\"",
            word.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        )
    }
}

fn shown(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn args(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    fn rendered(line: &str) -> String {
        let argv = args(line);
        let error = Cli::try_parse_from(&argv).unwrap_err();
        add_tips(error, &argv, || None).render().to_string()
    }

    #[test]
    fn a_command_without_dashes_gets_the_corrected_line() {
        let text = rendered("hats exec dev ls -la");
        assert!(
            text.contains("tip: the command to run goes after '--': 'hats exec dev -- ls -la'"),
            "{text}"
        );
        let text = rendered("hats -v exec --region eu-west-1 dev ls");
        assert!(
            text.contains("'hats -v exec --region eu-west-1 dev -- ls'"),
            "{text}"
        );
    }

    #[test]
    fn forget_without_a_target_mentions_all() {
        let text = rendered("hats forget");
        assert!(
            text.contains(
                "tip: 'hats forget TARGET' forgets one target's sessions, 'hats forget --all' every"
            ),
            "{text}"
        );
        assert!(!rendered("hats exec").contains("--all"));
    }

    #[test]
    fn a_word_that_is_the_target_name_twice_splits_at_the_second() {
        let text = rendered("hats exec dev dev");
        assert!(text.contains("'hats exec dev -- dev'"), "{text}");
    }
}
