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
    /// Starting a child program failed.
    #[error("{}", spawn_failure(program, source))]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The user pressed Ctrl-C; the process exits 130, as a shell reports SIGINT.
    #[error("{0}")]
    Interrupted(String),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// A sign-in that did not happen: Ctrl-C is [`Error::Interrupted`] (exit 130).
impl From<crate::signin::SignInError> for Error {
    fn from(e: crate::signin::SignInError) -> Self {
        match e {
            crate::signin::SignInError::Cancelled => Self::Interrupted(e.to_string()),
            other => Self::Usage(other.to_string()),
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
