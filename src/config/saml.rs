//! SAML sources (`[saml.NAME]` in hats' config): the source a target's
//! credentials start from, the command that prints an assertion, and the
//! discovered role list (`saml-roles.json` in the cache directory: role and
//! provider ARNs, no secrets) that `providers/saml.rs` turns into facts, so
//! listing runs no command. The assertion itself is a secret the session
//! engine asks for when it needs one; this module never sees it.

use super::ConfigError;
use super::hats_file::SamlEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One SAML source as a target's credential source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlSource {
    /// `NAME` of `[saml.NAME]`.
    pub name: String,
    /// `assertion_process`, split into the program and its arguments (no shell).
    pub command: Vec<String>,
    /// The `saml-provider` ARN paired with this role in the discovered assertion.
    pub principal_arn: String,
    /// `SessionDuration` of the discovered assertion, in seconds.
    pub max_duration: Option<u32>,
    /// The cache directory, where a new assertion's roles are recorded.
    pub cache_dir: PathBuf,
}

impl SamlSource {
    /// A short description for listings and cache keys.
    pub fn describe(&self) -> String {
        format!("(saml {})", self.name)
    }
}

/// One discovered role: what `saml-roles.json` keeps (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredRole {
    pub role_arn: String,
    /// Its identity provider (`PrincipalArn`).
    pub principal_arn: String,
}

/// The roles one source's assertion granted when its command last ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredSource {
    /// When the command ran.
    pub fetched_at: jiff::Timestamp,
    /// The assertion's `SessionDuration`, when it had one.
    pub session_duration: Option<u32>,
    /// Every role pair, in the assertion's order.
    pub roles: Vec<DiscoveredRole>,
}

/// `saml-roles.json`: the discovered roles of every source, by source name.
pub type DiscoveredRoles = BTreeMap<String, DiscoveredSource>;

/// `saml-roles.json` in the cache directory.
pub fn saml_roles_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("saml-roles.json")
}

/// The discovered roles; empty when none were discovered or the file is unreadable.
pub fn load_saml_roles(cache_dir: &Path) -> DiscoveredRoles {
    std::fs::read(saml_roles_path(cache_dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The program and arguments of `entry`, or why it is not a command line.
pub fn saml_command(name: &str, entry: &SamlEntry) -> Result<Vec<String>, ConfigError> {
    shlex::split(&entry.assertion_process)
        .filter(|words| !words.is_empty())
        .ok_or_else(|| {
            saml_error(
                name,
                format!(
                    "assertion_process \"{}\" is not a command line (empty, or a quote left open); \
                     write the program and its arguments, e.g. corp-idp saml --aws",
                    super::printable(&entry.assertion_process)
                ),
            )
        })
}

fn saml_error(name: &str, message: String) -> ConfigError {
    ConfigError::Entry {
        place: format!("[saml.{name}] in hats config"),
        message,
    }
}
