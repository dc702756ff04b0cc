//! Sessions: from a target to working credentials, cached or new.
//!
//! `Engine::resolve` is the one path every command (and the TUI) takes: cache
//! lookup, cross-process lock, MFA code, STS calls, cache write. Only the MFA
//! prompter differs between callers. Secrets stay in memory and the keyring.

mod base_source;
mod cache;
mod forget;
mod forget_stores;
mod helper_command;
mod index;
mod keys;
mod lock;
mod long_term;
mod mfa_process;
mod plan;
pub(crate) mod prompt;
mod resolve;
pub mod saml_assertion;
mod sso_token;
mod web_identity_token;

pub use base_source::{base_credentials, runs_a_command};
pub use cache::Cache;
pub use forget::{Forgotten, ItemKind, forget_everywhere};
pub use forget_stores::{ForgottenEverywhere, forget_in_every_store};
pub use helper_command::{HelperEvent, HelperWatch, StderrCapture, capture_stderr};
pub use index::{Index, IndexEntry, IndexFile};
pub use keys::{
    IndexedNames, Shape, forgets, keys_to_forget, mfa_key, role_key, role_key_label, session_name,
    source_identity, sso_key, target_key, target_mfa_key,
};
pub use long_term::{KeyStore, KeyringKeyError, StoredKey};
pub use mfa_process::{DEFAULT_TIMEOUT as MFA_PROCESS_TIMEOUT, run_mfa_process};
pub use plan::{Plan, plan_hop, plan_role, target_mode};
pub use prompt::{MfaError, MfaPrompter, TerminalPrompter, open_terminal};
pub use resolve::{Engine, Request, keep_sso_token, kept_token};
pub use sso_token::{
    CliCache, SsoToken, cli_cache_file, read_cli_cache, read_cli_cache_async, remove_cli_cache, token_key,
};
// The stores live in `crate::keyring`; these names stay reachable here too.
pub use crate::keyring::{KeyringChoice, MemoryStore, Opened, Opening, SecretStore, StoreError};
#[cfg(test)]
pub(crate) use cache::encode;

use crate::aws::AwsError;
use crate::domain::{Credentials, InvalidValue};
use jiff::Timestamp;

/// Credentials ready to hand out.
#[derive(Debug, Clone)]
pub struct Session {
    pub credentials: Credentials,
    /// When they expire.
    pub expiration: Timestamp,
    /// The assumed-role ARN, for role sessions.
    pub assumed_arn: Option<String>,
    /// Whether they came from the cache.
    pub from_cache: bool,
}

impl<'a> From<&'a Session> for crate::domain::CredentialsView<'a> {
    fn from(session: &'a Session) -> Self {
        Self {
            credentials: &session.credentials,
            expiration: session.expiration,
            assumed_arn: session.assumed_arn.as_deref(),
        }
    }
}

/// Why no session could be had.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// A value (duration, code, name) breaks AWS's rules.
    #[error("{0}")]
    Invalid(#[from] InvalidValue),
    /// Role chaining cannot give the session length asked for.
    #[error(
        "\"{role}\" is assumed through role chaining, which AWS limits to 1h; ask for --duration 1h or less"
    )]
    ChainTooLong {
        /// The chained role.
        role: String,
    },
    /// No MFA code could be had.
    #[error("{0}")]
    Mfa(#[from] MfaError),
    /// AWS refused or could not be reached.
    #[error("{0}")]
    Aws(#[from] AwsError),
    /// The keyring failed.
    #[error("{0}")]
    Store(StoreError),
    /// A long-term key in the keyring could not be had.
    #[error("{0}")]
    Keys(#[from] KeyringKeyError),
    /// A scope-down policy was asked for a target that is not a role.
    #[error(
        "\"{target}\" is an MFA user session (GetSessionToken), which cannot be scoped down; \
         --policy, --policy-arn and --preset need a role target"
    )]
    ScopeNeedsRole { target: String },
    /// A scope-down policy was asked for an Identity Center target.
    #[error(
        "\"{target}\" gets its credentials from Identity Center (GetRoleCredentials), which cannot take a \
         session policy; --policy, --policy-arn and --preset need a role target (a profile with role_arn \
         and source_profile = {target} can be scoped)"
    )]
    ScopeSso { target: String },
    /// STS returned a session that had already expired by the local clock.
    #[error(
        "AWS returned a session that expired at {expiration}, but this machine's clock says {now}; \
         check the system clock (timedatectl)"
    )]
    ExpiredOnArrival {
        /// The expiration STS returned.
        expiration: jiff::Timestamp,
        /// The local clock.
        now: jiff::Timestamp,
    },
    /// No usable Identity Center sign-in: the user must sign in.
    #[error("not signed in to Identity Center \"{session}\" ({why}); run \"hats sso login {session}\"")]
    SsoSignIn {
        /// The sso-session (or, for legacy profiles, the start URL).
        session: String,
        /// What was found instead of a valid token.
        why: String,
    },
    /// The cache directory could not be written.
    #[error("cannot write the session cache ({0}); check the permissions of the cache directory")]
    CacheIo(String),
    /// The web identity token could not be had (file, command, or its text).
    #[error("{0}")]
    WebIdentityToken(String),
    /// A SAML source's assertion could not be had (command, or what it printed).
    #[error("{0}")]
    SamlAssertion(String),
    /// A quiet engine (the prompt hook) would have had to ask or run a command.
    #[error("renewing needs {0}, and the prompt hook never asks or runs a command for one")]
    NeedsUser(String),
    /// Another hats held the refresh lock of this session and the wait was given up.
    #[error("{0}")]
    Lock(lock::WaitError),
}

impl SessionError {
    fn cache_io(e: &std::io::Error) -> Self {
        Self::CacheIo(e.to_string())
    }
}
