//! The error a command ends with, printed once by `main` as `hats: MESSAGE`.

use crate::aws::AwsError;
use crate::config::ConfigError;
use crate::session::SessionError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file is unusable.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// No target has this name.
    #[error("unknown target \"{name}\"{}; run `hats ls` to see every target", did_you_mean(.suggestions))]
    UnknownTarget {
        /// What was asked for.
        name: String,
        /// Close names.
        suggestions: Vec<String>,
    },
    /// The target exists but its configuration is broken.
    #[error("target \"{name}\" cannot be used: {problem}")]
    BrokenTarget {
        /// The target.
        name: String,
        /// The configuration problem.
        problem: String,
    },
    /// Getting a session failed.
    #[error("{0}")]
    Session(#[from] SessionError),
    /// A call to AWS outside a session (such as `whoami` without a target) failed.
    #[error("{0}")]
    Aws(#[from] AwsError),
    /// An EKS token could not be signed.
    #[error("{0}")]
    EksToken(#[from] crate::aws::EksTokenError),
    /// The command line or environment asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// Something the command needs is not configured; the message says what to add.
    #[error("{0}")]
    NotConfigured(String),
    /// A question needing a yes was not answered yes (or there was no
    /// terminal to ask on); nothing was done.
    #[error("{0}")]
    NotConfirmed(String),
    /// Syncing an inventory (organization, Identity Center, SAML) failed; the
    /// message says whether the previous one is kept.
    #[error("{0}")]
    SyncFailed(String),
    /// An Identity Center sign-in did not complete.
    #[error("{0}")]
    SignIn(crate::signin::SignInError),
    /// The switcher's terminal went away, so the switcher ended.
    #[error("the terminal closed{}; left the switcher", .0.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())]
    TerminalClosed(Option<std::io::Error>),
    /// Starting a child program failed.
    #[error("{}", spawn_failure(program, source))]
    Spawn {
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The user pressed Ctrl-C; the process exits 130, as a shell reports SIGINT.
    #[error("{0}")]
    Interrupted(String),
    /// Writing the command's result to stdout failed; a closed pipe
    /// (`hats ls | head`) ends hats quietly.
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    /// A local operation other than writing the result failed: `doing` names
    /// it, as "open the terminal" or "save the organization inventory".
    #[error("cannot {doing}: {source}")]
    Io {
        doing: std::borrow::Cow<'static, str>,
        source: std::io::Error,
    },
}

impl Error {
    /// Names the operation an I/O error interrupted:
    /// `.map_err(Error::doing("open the terminal"))`.
    pub fn doing(doing: impl Into<std::borrow::Cow<'static, str>>) -> impl FnOnce(std::io::Error) -> Self {
        let doing = doing.into();
        move |source| Self::Io { doing, source }
    }
}

/// A sign-in that did not happen: Ctrl-C is [`Error::Interrupted`] (exit 130).
impl From<crate::signin::SignInError> for Error {
    fn from(e: crate::signin::SignInError) -> Self {
        match e {
            crate::signin::SignInError::Cancelled => Self::Interrupted(e.to_string()),
            other => Self::SignIn(other),
        }
    }
}

/// What a shell would say: the program is missing, or is no program at all.
fn spawn_failure(program: &str, source: &std::io::Error) -> String {
    match source.kind() {
        std::io::ErrorKind::NotFound => format!("command not found: {program}"),
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot run \"{program}\": permission denied (it is not an executable file)")
        }
        _ => format!("cannot run \"{program}\": {source}"),
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" (did you mean \"{one}\"?)"),
        many => format!(
            " (did you mean {}?)",
            many.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::Error;
    use std::io::{Error as IoError, ErrorKind};

    #[test]
    fn an_io_failure_names_the_operation_it_interrupted() {
        let e = Error::doing("save the switcher's preferences")(IoError::new(
            ErrorKind::PermissionDenied,
            "denied",
        ));
        assert_eq!(e.to_string(), "cannot save the switcher's preferences: denied");
        let e = Error::Output(IoError::new(ErrorKind::BrokenPipe, "closed"));
        assert_eq!(e.to_string(), "cannot write output: closed");
    }

    #[test]
    fn a_closed_terminal_says_why_when_it_knows() {
        assert_eq!(
            Error::TerminalClosed(None).to_string(),
            "the terminal closed; left the switcher"
        );
        let e = Error::TerminalClosed(Some(IoError::other("EIO")));
        assert_eq!(e.to_string(), "the terminal closed (EIO); left the switcher");
    }
}
