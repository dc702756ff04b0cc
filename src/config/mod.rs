//! Configuration: what the AWS profile files, hats' own `config.toml` and the
//! discovery cache say, read and checked.
//!
//! This module reads files and validates what they say; turning that into
//! targets is the inventory's work (`src/inventory/`). It never calls AWS and never
//! touches the keyring.

mod aws_profiles;
mod console;
mod discovery_cache;
mod duplicate_keys;
mod hats_file;
pub mod key_lines;
pub mod keyring_profiles;
mod local_user;
mod paths;
pub mod profile_block;
mod profile_names;
mod region;
mod saml;
mod scope;
mod settings;
mod sso;
mod trusted_file;
pub(crate) mod web_identity;

pub use aws_profiles::{
    AwsFile, AwsFileKind, aws_config_path, aws_credentials_path, load_profiles, parse_profiles, profile_sets,
    sdk_profile_files,
};
pub use console::{
    ConsoleConfig, ConsoleEntry, ContainerAddon, ContainerColor, ContainerIcon, LauncherKind, SignOut,
};
pub use discovery_cache::{
    DEFAULT_TTL, inventory_path, is_stale, load_inventory, load_sso_inventory, sso_inventory_path,
};
pub use hats_file::{
    AccountEntry, HatsFile, IdentityCenterEntry, IdentityDefault, OrgRule, OrganizationEntry, PresetEntry,
    SamlEntry, WebIdentityEntry,
};
pub use paths::Paths;
pub(crate) use profile_names::{real_name, sdk_name, skipped_header};
pub use region::check_region;
pub use saml::{
    DiscoveredRole, DiscoveredRoles, DiscoveredSource, SamlSource, load_saml_roles, saml_command,
    saml_roles_path,
};
pub use scope::{Presets, Scope, ScopeRequest};
pub use settings::Settings;
pub(crate) use settings::wildcard_match;
pub use sso::{SsoRole, SsoSession, sso_sessions};
pub(crate) use sso::{is_sso, sso_role};
pub use web_identity::TokenSource;

use std::path::PathBuf;

/// A configuration file that hats cannot use, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// An AWS config or credentials file could not be read or parsed.
    #[error(
        "cannot read the AWS {what}: {}; fix the file or point {variable} elsewhere",
        printable(.detail)
    )]
    AwsFile {
        /// `config` or `credentials file`.
        what: &'static str,
        /// The variable that moves that file.
        variable: &'static str,
        /// What is wrong, where.
        detail: String,
    },
    /// An AWS file exists but could not be read (permissions, a directory, ...).
    #[error("cannot read \"{path}\": {source}; fix it or point {variable} elsewhere")]
    AwsRead {
        /// The file.
        path: PathBuf,
        /// The variable that moves it.
        variable: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// An AWS file that is not UTF-8: the SDK would ignore all of it without a word.
    #[error(
        "\"{path}\" line {line} is not UTF-8 text, so the AWS SDK would ignore the whole file; \
         save it as UTF-8 or point {variable} elsewhere"
    )]
    AwsNotText {
        /// The file.
        path: String,
        /// The first line holding a byte that is not UTF-8.
        line: usize,
        /// The variable that moves it.
        variable: &'static str,
    },
    /// A key set twice in one section of an AWS file: the SDK would silently keep
    /// one value, botocore (the AWS CLI) refuses the file.
    #[error(
        "\"{path}\" line {line}: \"{key}\" is set twice in [{section}] (first on line {first_line}); \
         the AWS SDK would quietly use one of the two values and the AWS CLI refuses the file: \
         delete the line you do not mean"
    )]
    AwsDuplicateKey {
        /// The file.
        path: String,
        /// The second occurrence.
        line: usize,
        /// The first occurrence.
        first_line: usize,
        /// The key (escaped: no control characters).
        key: String,
        /// The section, as in its header (escaped).
        section: String,
    },
    /// hats' own config file could not be read.
    #[error("cannot read hats config \"{path}\": {source}")]
    HatsRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// hats' own config file could be changed by other users: it decides which
    /// roles are assumed and which programs run (`mfa_process`), so it is not read.
    #[error(
        "hats config \"{path}\" is writable by other users (mode {mode:03o}), so anyone on this machine \
         could change which roles hats assumes or which mfa_process it runs; fix it with: chmod go-w \"{path}\""
    )]
    HatsWritableByOthers {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// hats' own config file, or its directory, belongs to another user, who
    /// could change it (or replace it) and so what hats runs.
    #[error(
        "hats config \"{path}\" is not read: {what} another user (uid {owner}), who could change which roles \
         hats assumes or which commands it runs (mfa_process, assertion_process); make it yours: \
         sudo chown {me} \"{path}\" (and its directory), or point HATS_CONFIG at a file of yours"
    )]
    HatsNotYours {
        /// The config file.
        path: PathBuf,
        /// `it belongs to` or `its directory belongs to`.
        what: &'static str,
        /// The other user's id.
        owner: u32,
        /// This user's id.
        me: u32,
    },
    /// The directory holding hats' own config file lets other users replace it.
    #[error(
        "hats config \"{path}\" is not read: its directory \"{dir}\" is writable by other users (mode {mode:03o}), \
         so anyone on this machine could put another config in its place; fix it with: chmod go-w \"{dir}\""
    )]
    HatsDirWritableByOthers {
        /// The config file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// The directory's permission bits.
        mode: u32,
    },
    /// A config file far larger than any real one: probably the wrong file, and
    /// parsing it would take seconds and hundreds of megabytes.
    #[error("\"{path}\" is {mib} MiB; hats reads config files up to {limit} MiB: is it the right file?")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, rounded up.
        mib: u64,
        limit: u64,
    },
    /// hats' own config file is not valid.
    #[error("invalid hats config \"{path}\": {}", printable(.message))]
    HatsInvalid {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A profile or account entry says something hats cannot use.
    #[error("{}: {}", printable(.place), printable(.message))]
    Entry {
        /// Which profile or account entry (`profile "prod"`, `account "prod"` in config.toml).
        place: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// An entry that gives no target: its name (escaped, to be listed) and why.
pub(crate) type Broken = (String, ConfigError);

/// The [`Broken`] entry `name` at `place`, with `message` saying why.
pub(crate) fn broken(name: &str, place: impl Into<String>, message: impl Into<String>) -> Broken {
    let entry = ConfigError::Entry {
        place: place.into(),
        message: message.into(),
    };
    (printable(name).into_owned(), entry)
}

impl ConfigError {
    pub(crate) fn profile(name: &str, message: impl Into<String>) -> Self {
        Self::Entry {
            place: format!("profile \"{name}\" in the AWS config"),
            message: message.into(),
        }
    }
}

/// Text from a config file made safe to print (see [`crate::domain::printable`]).
pub(crate) use crate::domain::printable;

/// Config files larger than this are refused before parsing.
pub const MAX_CONFIG_MIB: u64 = 8;

/// Refuses a config file over [`MAX_CONFIG_MIB`]; a missing file is fine.
pub fn refuse_enormous(path: &std::path::Path) -> Result<(), ConfigError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_CONFIG_MIB << 20 => Err(ConfigError::TooLarge {
            path: path.to_owned(),
            mib: meta.len().div_ceil(1 << 20),
            limit: MAX_CONFIG_MIB,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
