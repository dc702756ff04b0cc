//! The shape of hats' own `config.toml`: defaults and hand-written accounts.
//!
//! Unknown keys are errors so a typo never silently does nothing.

use super::ConfigError;
use crate::domain::SessionDuration;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HatsFile {
    /// Defaults for every target.
    #[serde(default)]
    pub defaults: Defaults,
    /// Accounts whose roles become targets `NAME/ROLE`.
    #[serde(default, rename = "account")]
    pub accounts: Vec<AccountEntry>,
    /// Accounts discovered from AWS Organizations.
    pub organization: Option<OrganizationEntry>,
    /// How IAM Identity Center discovery is kept and filtered.
    pub identity_center: Option<IdentityCenterEntry>,
    /// Named scope-down policies: `[preset.readonly]`, used as `--preset readonly`.
    #[serde(default, rename = "preset")]
    pub presets: BTreeMap<String, PresetEntry>,
    /// SAML sources: `[saml.corp]`, each a command printing a SAMLResponse.
    #[serde(default)]
    pub saml: BTreeMap<String, SamlEntry>,
    /// `[[console]]`: how the console opens for targets matching each entry's patterns.
    #[serde(default)]
    pub console: Vec<super::console::ConsoleEntry>,
    /// Web identity roles: `[web_identity.NAME]`, each a target `NAME`. Here
    /// rather than in the AWS config, whose other readers (the AWS CLI, boto3)
    /// do not know `web_identity_token_process`.
    #[serde(default)]
    pub web_identity: BTreeMap<String, WebIdentityEntry>,
    /// Profiles whose long-term keys are in the OS keyring: not written in this
    /// file but in `hats keys`' own record, which the loader adds here.
    #[serde(skip)]
    pub keyring_profiles: std::collections::BTreeSet<String>,
}

/// `[web_identity.NAME]`: a role assumed with an identity provider's token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebIdentityEntry {
    pub role_arn: String,
    /// A file holding the token, read each time a session is made.
    pub web_identity_token_file: Option<String>,
    /// A command (run without a shell) whose stdout is the token.
    pub web_identity_token_process: Option<String>,
    /// Region for STS and exports.
    pub region: Option<String>,
    /// Role session length.
    #[serde(default, deserialize_with = "duration")]
    pub duration: Option<SessionDuration>,
    /// Role session name (default: hats' own).
    pub role_session_name: Option<String>,
}

/// `[saml.NAME]`: an identity provider command whose assertion's roles become targets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlEntry {
    /// The command (run without a shell) that prints the base64 `SAMLResponse`.
    pub assertion_process: String,
    /// Only these role names become targets (all when empty).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Role session length, capped by the assertion's `SessionDuration`.
    #[serde(default, deserialize_with = "duration")]
    pub duration: Option<SessionDuration>,
    /// Region for STS and exports.
    pub region: Option<String>,
}

/// `[preset.NAME]`: a scope-down session policy picked by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetEntry {
    /// Managed policy ARNs (`PolicyArns`).
    #[serde(default)]
    pub policy_arns: Vec<String>,
    /// An inline policy: the JSON itself when it starts with `{`, else a file path
    /// (relative to the config file's directory, `~/` for the home directory).
    pub policy: Option<String>,
}

/// `source_identity` under `[defaults]`: a fixed value, or `true` for the local user name.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum IdentityDefault {
    /// `true`: the local user name; `false`: none.
    LocalUser(bool),
    /// A fixed value such as a corporate id.
    Value(String),
}

/// `[organization]`: where to discover accounts and which roles to offer in them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationEntry {
    /// Target or profile whose credentials call the Organizations API.
    pub source: String,
    /// Profile whose credentials assume the offered roles (default: `source`).
    pub via: Option<String>,
    /// MFA device for the offered roles.
    pub mfa_serial: Option<String>,
    /// Command printing an MFA code for the offered roles.
    pub mfa_process: Option<String>,
    /// Roles offered in every account.
    #[serde(default)]
    pub roles: Vec<String>,
    /// How long the discovered inventory is fresh (default 24h).
    #[serde(default, deserialize_with = "duration")]
    pub ttl: Option<SessionDuration>,
    /// Offer suspended and closed accounts too.
    #[serde(default)]
    pub include_inactive: bool,
    /// Region for the offered roles' exports.
    pub region: Option<String>,
    /// Per-OU, per-tag and per-account adjustments, applied in order.
    #[serde(default, rename = "rule")]
    pub rules: Vec<OrgRule>,
}

/// `[identity_center]`: optional; discovery runs for every sso-session without it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterEntry {
    /// How long a session's discovered inventory is fresh (default 24h).
    #[serde(default, deserialize_with = "duration")]
    pub ttl: Option<SessionDuration>,
    /// Region for the discovered targets' exports (default: the sso-session's region).
    pub region: Option<String>,
    /// Rules for Identity Center accounts, applied after `[[organization.rule]]`
    /// (which apply to them too); `roles` additions do not apply (permission sets
    /// are assigned, not chosen).
    #[serde(default, rename = "rule")]
    pub rules: Vec<OrgRule>,
}

/// `[[organization.rule]]`: matches accounts by OU, tag or account, then adjusts them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgRule {
    /// An OU name anywhere on the account's OU path.
    pub ou: Option<String>,
    /// `key=value`.
    pub tag: Option<String>,
    /// Account name or id.
    pub account: Option<String>,
    /// Roles added.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Roles removed.
    #[serde(default)]
    pub exclude_roles: Vec<String>,
    /// Guard matching accounts as production.
    #[serde(default)]
    pub production: bool,
    /// Hide matching accounts.
    #[serde(default)]
    pub skip: bool,
    /// When any rule has `include = true`, only accounts matching such a rule are offered.
    #[serde(default)]
    pub include: bool,
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Role session name (default `hats-<local user>`).
    pub session_name: Option<String>,
    /// Role session length when a target sets none (default 1h).
    #[serde(default, deserialize_with = "duration")]
    pub role_duration: Option<SessionDuration>,
    /// MFA session length (default 12h, at most 36h).
    #[serde(default, deserialize_with = "duration")]
    pub mfa_session_duration: Option<SessionDuration>,
    /// Sessions with less than this left are renewed (default 5m).
    #[serde(default, deserialize_with = "duration")]
    pub refresh_window: Option<SessionDuration>,
    /// Target names matching one of these (`*` is a wildcard) are guarded as production.
    #[serde(default)]
    pub production_patterns: Vec<String>,
    /// `exec` and `shell` serve renewing credentials by default (`--serve`).
    #[serde(default)]
    pub serve: bool,
    /// Federation endpoint for `hats login` (default: AWS's public one).
    pub federation_endpoint: Option<String>,
    /// `SourceIdentity` for every role session whose entry sets none.
    pub source_identity: Option<IdentityDefault>,
    /// Also write Identity Center sign-ins to the AWS CLI's token cache (plaintext, as the CLI does).
    #[serde(default)]
    pub sso_share_with_aws_cli: bool,
    /// How the console opens for every target (`[[console]]` entries refine it).
    #[serde(default)]
    pub console: super::console::ConsoleEntry,
}

/// One `[[account]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    /// 12-digit account id.
    pub id: String,
    /// Alias used in target names.
    pub name: Option<String>,
    /// Profile whose credentials assume the roles.
    pub source: String,
    /// MFA device for the roles.
    pub mfa_serial: Option<String>,
    /// Command printing an MFA code.
    pub mfa_process: Option<String>,
    /// Role names offered in the account.
    pub roles: Vec<String>,
    /// Region for exports and STS.
    pub region: Option<String>,
    /// Guarded as production.
    #[serde(default)]
    pub production: bool,
    /// Free-form tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// `ExternalId` sent with `AssumeRole`.
    pub external_id: Option<String>,
    /// Role session length for these roles.
    #[serde(default, deserialize_with = "duration")]
    pub duration: Option<SessionDuration>,
    /// `SourceIdentity` for these roles (overrides `[defaults]`).
    pub source_identity: Option<String>,
    /// Session tags sent when assuming these roles.
    #[serde(default)]
    pub session_tags: BTreeMap<String, String>,
    /// Which of `session_tags` are transitive.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SessionDuration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u32),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Secs(s) => Ok(Some(SessionDuration::from_secs(s))),
        Raw::Text(t) => SessionDuration::parse(&t)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

impl HatsFile {
    /// Reads `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        super::trusted_file::refuse_if_others_can_change(path)?;
        super::refuse_enormous(path)?;
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::HatsRead {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Self::parse(&text).map_err(|message| ConfigError::HatsInvalid {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses the file's text; the error is one printable paragraph with line and column.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| {
            let span = e.span().map(|s| line_col(text, s.start));
            // Messages quote keys and values, which may hold terminal escapes.
            let message = super::printable(e.message().trim_end()).into_owned();
            match span {
                Some((line, col)) => format!("line {line}, column {col}: {message}"),
                None => message,
            }
        })
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_account_shape() {
        let file = HatsFile::parse(
            r#"
            [defaults]
            session_name = "alice"
            mfa_session_duration = "12h"
            [[account]]
            id = "123456789012"
            name = "prod"
            source = "base"
            mfa_serial = "arn:aws:iam::111111111111:mfa/alice"
            roles = ["Admin", "ReadOnly"]
            region = "eu-west-1"
            production = true
            tags = { team = "core" }
            "#,
        )
        .unwrap();
        assert_eq!(file.accounts[0].roles, ["Admin", "ReadOnly"]);
        assert_eq!(file.defaults.mfa_session_duration.unwrap().as_secs(), 43200);
        assert_eq!(file.accounts[0].tags["team"], "core");
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let err = HatsFile::parse("[defaults]\nsesion_name = \"x\"\n").unwrap_err();
        assert!(
            err.starts_with("line 2, column 1: unknown field `sesion_name`"),
            "{err}"
        );
    }

    #[test]
    fn bad_durations_say_how_to_write_them() {
        let err = HatsFile::parse("[defaults]\nrole_duration = \"forever\"\n").unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("write it like 1h"),
            "{err}"
        );
    }
}
