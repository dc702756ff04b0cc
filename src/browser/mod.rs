//! Starting a web browser: the one place hats runs one, for the console
//! launchers (`console/`) and for the Identity Center sign-in (`signin/`).
//!
//! A browser command is an argument vector run without a shell, with stdin,
//! stdout and stderr closed to it and in a process group of its own (so the
//! terminal's Ctrl-C and hats' exit leave the browser alone). This module never
//! builds a URL and never sees credentials: callers decide what to open and in
//! which profile or container. Error messages name the programs tried, never
//! the URL (a console sign-in URL carries a sign-in token).

mod candidates;
mod spawn;

pub use candidates::{browser_entries, platform_opener};

use std::fmt;
use std::time::Duration;

/// A program and its arguments, run as they are (no shell).
#[derive(Clone, PartialEq, Eq)]
pub struct BrowserCommand {
    /// The program: a name looked up on `PATH`, or a path.
    pub program: String,
    /// Its arguments, each passed as one argument.
    pub args: Vec<String>,
}

impl BrowserCommand {
    /// `program` with `args`.
    pub fn new(program: impl Into<String>, args: Vec<String>) -> Self {
        Self {
            program: program.into(),
            args,
        }
    }

    /// The command as a POSIX shell would need it typed: every word quoted
    /// where it must be, so a printed command can be pasted and run.
    pub fn display(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|word| shell_word(word))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Only the program: arguments may hold a sign-in URL.
impl fmt::Debug for BrowserCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BrowserCommand({:?}, {} args)", self.program, self.args.len())
    }
}

fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// How long to watch a started browser: one that gives up (no display, a bad
/// profile) does so at once, while a browser that stays in the foreground
/// (the first window of a new instance) is running, which means it opened.
pub const SETTLE: Duration = Duration::from_millis(1500);

/// Whether to watch a started command for a moment before calling it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Watch it for [`SETTLE`]: a quick failure moves on to the next candidate.
    Settle,
    /// Started is enough: the caller has to answer the browser right away
    /// (the sign-in's loopback redirect), so it cannot wait for it.
    Started,
}

/// No candidate opened the page: each program tried and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOpened {
    /// (program, what happened), in the order tried.
    pub tried: Vec<(String, String)>,
}

impl fmt::Display for NotOpened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no browser could be opened: ")?;
        let tried: Vec<String> = self
            .tried
            .iter()
            .map(|(program, what)| format!("\"{}\" {what}", crate::config::printable(program)))
            .collect();
        f.write_str(&tried.join(", "))
    }
}

/// Opens `url` in the user's browser: each `$BROWSER` entry in turn, or
/// without one the platform's opener (`xdg-open`, `open`, the URL handler on
/// Windows). A `$BROWSER` that names nothing usable is an error, not a reason
/// to open some other browser than the one the user chose.
pub fn open(url: &str, wait: Wait) -> Result<(), NotOpened> {
    run_first(candidates(url), wait)
}

/// What [`open`] tries for `url`, in order.
pub fn candidates(url: &str) -> Vec<Result<BrowserCommand, (String, String)>> {
    let browser = std::env::var("BROWSER").unwrap_or_default();
    let entries = browser_entries(&browser, url);
    if entries.is_empty() {
        vec![Ok(platform_opener(url))]
    } else {
        entries
    }
}

/// Runs `command`; the error names it and says what happened.
pub fn run(command: &BrowserCommand, wait: Wait) -> Result<(), NotOpened> {
    run_first(vec![Ok(command.clone())], wait)
}

/// Runs the candidates in order until one opens; an `Err` candidate is an
/// entry that could not be read (program, why).
fn run_first(candidates: Vec<Result<BrowserCommand, (String, String)>>, wait: Wait) -> Result<(), NotOpened> {
    let mut tried = Vec::new();
    for candidate in candidates {
        let command = match candidate {
            Ok(command) => command,
            Err(unreadable) => {
                tried.push(unreadable);
                continue;
            }
        };
        match spawn::launch(&command, wait) {
            Ok(()) => return Ok(()),
            Err(what) => tried.push((command.program.clone(), what)),
        }
    }
    Err(NotOpened { tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_command_quotes_what_a_shell_would_split_or_expand() {
        let command = BrowserCommand::new(
            "/usr/bin/my browser",
            vec![
                "--new-window".into(),
                "https://x/?a=1&b=$(id)".into(),
                "it's".into(),
                String::new(),
            ],
        );
        assert_eq!(
            command.display(),
            r"'/usr/bin/my browser' --new-window 'https://x/?a=1&b=$(id)' 'it'\''s' ''"
        );
    }

    #[test]
    fn debug_never_shows_the_arguments() {
        let command = BrowserCommand::new("firefox", vec!["https://signin/?SigninToken=secret".into()]);
        assert_eq!(format!("{command:?}"), "BrowserCommand(\"firefox\", 1 args)");
    }

    #[test]
    fn the_failure_names_every_program_tried_and_never_the_url() {
        let failed = run_first(
            vec![
                Err(("'unclosed".into(), "has an unmatched quote".into())),
                Ok(BrowserCommand::new(
                    "/nonexistent/hats-test-browser",
                    vec!["https://signin/?SigninToken=secret".into()],
                )),
            ],
            Wait::Settle,
        )
        .unwrap_err();
        let text = failed.to_string();
        assert!(
            text.starts_with("no browser could be opened: \"'unclosed\" has an unmatched quote, \"/nonexistent/hats-test-browser\" "),
            "{text}"
        );
        assert!(!text.contains("secret"), "{text}");
    }
}
