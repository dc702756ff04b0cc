//! What a target is: a role (or an MFA user session) hats can hand out credentials for.

use crate::config::{SamlSource, SsoRole, SsoSession, TokenSource};
use crate::domain::{
    AccountId, CredentialSource, MfaSerial, Partition, RoleArn, SessionDuration, SessionTags, SourceIdentity,
};
use std::sync::Arc;

/// Where a target was defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A profile in the AWS config.
    AwsProfile,
    /// An `[[account]]` in hats' config.
    HatsConfig,
    /// A role offered in an account discovered from AWS Organizations.
    Organization,
    /// A role assigned to the user in an account discovered from IAM Identity Center.
    IdentityCenter,
    /// A role granted by the assertion of a `[saml.NAME]` source.
    Saml,
}

/// An MFA device and, optionally, a command that prints its current code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaDevice {
    /// The device's serial or ARN.
    pub serial: MfaSerial,
    /// `mfa_process`: run through the shell, its stdout is the code.
    pub process: Option<String>,
}

/// How a chain starts: the credentials (or the proof) its first role is assumed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// AWS credentials an SDK provider reads: a profile's keys (or its SSO,
    /// `credential_process`, `aws login`), the environment, the instance, the
    /// container; or a profile's long-term key in the OS keyring, which the engine reads.
    Credentials(CredentialSource),
    /// An Identity Center profile: the portal's role credentials (`GetRoleCredentials`).
    Sso(Box<SsoRole>),
    /// An OIDC token (file or command): `AssumeRoleWithWebIdentity`.
    WebIdentity(Box<TokenSource>),
    /// A SAML identity provider's assertion: `AssumeRoleWithSAML`.
    Saml(Box<SamlSource>),
}

impl Source {
    /// The credentials of profile `name`.
    pub fn profile(name: &str) -> Self {
        Self::Credentials(CredentialSource::Profile(name.to_owned()))
    }

    /// The profile name or the credential source, whole: part of cache keys
    /// (see `session::keys`), so it never changes; listings use [`Source::label`].
    pub fn describe(&self) -> String {
        match self {
            Source::Credentials(source) => source.describe(),
            Source::Sso(sso) => sso.profile.clone(),
            Source::WebIdentity(token) => token.describe(),
            Source::Saml(saml) => saml.describe(),
        }
    }

    /// How listings name it: as [`Source::describe`], with a web identity
    /// source shortened to its file's or program's name.
    pub fn label(&self) -> String {
        match self {
            Source::WebIdentity(token) => token.label(),
            other => other.describe(),
        }
    }

    /// The AWS profile whose credentials it is, if it is one.
    pub fn profile_name(&self) -> Option<&str> {
        match self {
            Source::Credentials(CredentialSource::Profile(name) | CredentialSource::Keyring(name)) => {
                Some(name)
            }
            Source::Sso(sso) => Some(&sso.profile),
            Source::Credentials(_) | Source::WebIdentity(_) | Source::Saml(_) => None,
        }
    }
}

/// Everything needed to assume one role, given credentials to assume it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// The profile that defines this role, if it came from the AWS config.
    pub profile: Option<String>,
    pub role_arn: RoleArn,
    /// MFA device required by the role, if any: one device is shared by every
    /// role an organization offers with it.
    pub mfa: Option<Arc<MfaDevice>>,
    /// What a profile may set besides; discovered roles set none.
    pub options: RoleOptions,
}

/// The options of [`RoleSpec`] that few roles set, in a box only a role that
/// sets one pays for: an organization's thousands of roles set none, and
/// every byte of a role is copied each time it is moved while targets are
/// built. Reads as [`Options`]; made from them with `Options { .. }.into()`.
#[derive(Debug, Clone, Default)]
pub struct RoleOptions(Option<Box<Options>>);

/// The rarely set options of a role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `role_session_name` from the profile.
    pub session_name: Option<String>,
    /// Requested session length.
    pub duration: Option<SessionDuration>,
    /// `source_identity` set on this entry; otherwise hats' default applies.
    pub source_identity: Option<SourceIdentity>,
    /// `Tags` and `TransitiveTagKeys` sent when assuming this role.
    pub tags: SessionTags,
}

/// What an empty [`RoleOptions`] reads as.
static NO_OPTIONS: Options = Options {
    external_id: None,
    session_name: None,
    duration: None,
    source_identity: None,
    tags: SessionTags {
        tags: Vec::new(),
        transitive: Vec::new(),
    },
};

impl std::ops::Deref for RoleOptions {
    type Target = Options;

    fn deref(&self) -> &Options {
        self.0.as_deref().unwrap_or(&NO_OPTIONS)
    }
}

impl PartialEq for RoleOptions {
    /// By value: an emptied box equals no box.
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for RoleOptions {}

impl From<Options> for RoleOptions {
    fn from(options: Options) -> Self {
        Self((options != NO_OPTIONS).then(|| Box::new(options)))
    }
}

impl Chain {
    /// One role assumed straight with `base`, no option of its own set.
    pub fn direct(base: Source, role_arn: RoleArn) -> Self {
        Self {
            base,
            via: Vec::new(),
            role: RoleSpec::unnamed(role_arn, None, RoleOptions::default()),
        }
    }
}

impl RoleSpec {
    /// A role no profile names (an `[[account]]`'s, an organization's offer).
    pub fn unnamed(role_arn: RoleArn, mfa: Option<Arc<MfaDevice>>, options: RoleOptions) -> Self {
        Self {
            profile: None,
            role_arn,
            mfa,
            options,
        }
    }

    /// How this role is named on the way to another: its profile, else its ARN.
    pub fn label(&self) -> String {
        self.profile.clone().unwrap_or_else(|| self.role_arn.to_string())
    }
}

/// A role and the way to it: a base source, then each role assumed with the
/// credentials of the one before, ending in the role itself (aws-config's
/// `ProfileChain` has the same shape). Built once from the configuration;
/// the engine resolves it hop by hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Where the first credentials come from.
    pub base: Source,
    /// Roles assumed on the way, first to last (empty: `role` is assumed with `base`).
    pub via: Vec<RoleSpec>,
    /// The role the chain ends in.
    pub role: RoleSpec,
}

/// What a hop of a chain is assumed with.
#[derive(Debug, Clone, Copy)]
pub enum Below<'a> {
    /// The chain's base.
    Base(&'a Source),
    /// The role before it.
    Role(&'a RoleSpec),
}

impl Below<'_> {
    /// How it is named: the base's description, or the role's profile (else ARN).
    pub fn describe(&self) -> String {
        match self {
            Below::Base(source) => source.describe(),
            Below::Role(spec) => spec.label(),
        }
    }
}

impl Chain {
    /// The roles in order: `via`, then `role`.
    pub fn hops(&self) -> impl DoubleEndedIterator<Item = &RoleSpec> + Clone {
        self.via.iter().chain(std::iter::once(&self.role))
    }

    /// Hop `i` of [`Chain::hops`] and what it is assumed with.
    ///
    /// # Panics
    /// When `i` is not below the number of hops.
    pub fn hop(&self, i: usize) -> (&RoleSpec, Below<'_>) {
        let spec = self.via.get(i).unwrap_or(&self.role);
        assert!(
            i <= self.via.len(),
            "hop {i} of a chain of {}",
            self.via.len() + 1
        );
        let below = match i.checked_sub(1) {
            Some(j) => Below::Role(&self.via[j]),
            None => Below::Base(&self.base),
        };
        (spec, below)
    }

    /// What assumes the chain's own role, for listings: the role before it,
    /// else the base.
    pub fn source_description(&self) -> String {
        match self.hop(self.via.len()).1 {
            Below::Base(source) => source.label(),
            Below::Role(spec) => spec.label(),
        }
    }

    /// The AWS profile whose credentials assume the chain's own role, if one does.
    pub fn source_profile(&self) -> Option<&str> {
        match self.hop(self.via.len()).1 {
            Below::Base(source) => source.profile_name(),
            Below::Role(spec) => spec.profile.as_deref(),
        }
    }
}

/// The way to a role's source credentials that `source_profile` (or an
/// `[[account]]`'s and the organization's `source`) names: a base and the roles
/// that profile assumes on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// Where the first credentials come from.
    pub base: Source,
    /// Roles assumed on the way, first to last.
    pub roles: Vec<RoleSpec>,
}

impl Via {
    /// The chain that ends by assuming `role` this way.
    pub fn to(&self, role: RoleSpec) -> Chain {
        Chain {
            base: self.base.clone(),
            via: self.roles.clone(),
            role,
        }
    }

    /// The partition its credentials belong to, when it says: its last role's
    /// ARN, an Identity Center session's region. Profiles, the environment and
    /// instance roles do not say.
    pub fn partition(&self) -> Option<Partition> {
        match (&self.base, self.roles.last()) {
            (_, Some(role)) => Some(role.role_arn.partition()),
            (Source::Sso(sso), None) => Some(Partition::of_region(&sso.session.region)),
            _ => None,
        }
    }
}

/// Where an IAM user's long-term access key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeysAt {
    /// In plaintext in the AWS config or credentials file.
    AwsFiles,
    /// In the OS keyring (`hats keys`).
    Keyring,
}

impl KeysAt {
    /// The source that signs with these keys: the profile, read from where the keys are.
    pub fn source(self, profile: &str) -> CredentialSource {
        match self {
            KeysAt::AwsFiles => CredentialSource::Profile(profile.to_owned()),
            KeysAt::Keyring => CredentialSource::Keyring(profile.to_owned()),
        }
    }
}

/// What kind of credentials a target hands out.
// Most targets are roles (an organization's thousands): boxing the chain would
// add an allocation per target to save space only in the rarer variants.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// Assume a role, at the end of a chain.
    Role(Chain),
    /// A `GetSessionToken` session for an IAM user's own keys: MFA-authenticated
    /// when the user has a device (always, for keys in the AWS files).
    UserSession {
        /// The profile holding the user's keys.
        profile: String,
        /// Where those keys are.
        keys: KeysAt,
        /// The user's MFA device.
        mfa: Option<MfaDevice>,
        /// Requested session length.
        duration: Option<SessionDuration>,
    },
    /// An Identity Center role: the portal hands out its credentials directly.
    Sso(SsoRole),
}

impl Spec {
    /// The role (or permission set) it hands out; `None` for a user session.
    pub fn role_name(&self) -> Option<&str> {
        match self {
            Spec::Role(chain) => Some(chain.role.role_arn.name()),
            Spec::Sso(sso) => Some(&sso.role_name),
            Spec::UserSession { .. } => None,
        }
    }
}

/// How hats obtains a target's session; shown by `hats ls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `AssumeRole` with the source's credentials, no MFA.
    Role,
    /// `AssumeRole` from a cached MFA session (one MFA prompt serves many roles; at most 1 h).
    MfaSession,
    /// `AssumeRole` with the MFA code itself, for sessions longer than 1 h.
    LongSession,
    /// `AssumeRole` with another role's credentials (at most 1 h).
    Chained,
    /// The MFA session itself (`GetSessionToken`).
    UserSession,
    /// The Identity Center portal's role credentials (`GetRoleCredentials`).
    Sso,
    /// `AssumeRoleWithWebIdentity` with an OIDC token.
    WebIdentity,
    /// `AssumeRoleWithSAML` with an identity provider's assertion.
    Saml,
}

impl Mode {
    /// The name used in listings and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Role => "role",
            Mode::MfaSession => "mfa-session",
            Mode::LongSession => "long-session",
            Mode::Chained => "chained",
            Mode::UserSession => "user-session",
            Mode::Sso => "sso",
            Mode::WebIdentity => "web-identity",
            Mode::Saml => "saml",
        }
    }
}

/// One thing hats can hand out credentials for.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name users type: the profile name, or `NAME/ROLE`.
    pub name: String,
    /// Another name that resolves to this target (`ACCOUNT-ID/ROLE`).
    pub alias: Option<String>,
    /// Where it was defined.
    pub origin: Origin,
    /// The account, when known.
    pub account_id: Option<AccountId>,
    /// The account's alias, when known. Shared, like `region`, `tags` and
    /// `ou_path`, by every role offered in one account: an organization has thousands.
    pub account_name: Option<Arc<str>>,
    /// Region for exports and STS.
    pub region: Option<Arc<str>>,
    /// Guarded as production.
    pub production: bool,
    /// Free-form tags; shared by every role offered in one account.
    pub tags: Arc<crate::domain::Tags>,
    /// OU path in the organization, when known (`Production/Payments`).
    pub ou_path: Option<Arc<str>>,
    /// How to get its credentials.
    pub spec: Spec,
}

impl Target {
    /// Its name and its alias, if any.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.alias.as_deref())
    }

    /// The role's name, if the target is a role.
    pub fn role_name(&self) -> Option<&str> {
        self.spec.role_name()
    }

    /// The partition the target's session lives in: its role ARN's, its MFA
    /// device's, its Identity Center region's, else its region's.
    pub fn partition(&self) -> Partition {
        let from_region = || self.region.as_deref().map(Partition::of_region);
        match &self.spec {
            Spec::Role(chain) => chain.role.role_arn.partition(),
            Spec::Sso(sso) => Partition::of_region(&sso.session.region),
            Spec::UserSession { mfa, .. } => mfa
                .as_ref()
                .and_then(|m| m.serial.partition())
                .or_else(from_region)
                .unwrap_or_default(),
        }
    }

    /// The profile (or credential source) whose credentials start the chain.
    pub fn source_description(&self) -> String {
        match &self.spec {
            Spec::Role(chain) => chain.source_description(),
            Spec::UserSession { profile, .. } => profile.clone(),
            Spec::Sso(sso) => format!("(sso {})", sso.session.key()),
        }
    }

    /// The AWS profile whose credentials start what assumes this target's
    /// role (a user session's own profile); `None` for an Identity Center,
    /// web identity or SAML source, or a credential source such as the environment.
    pub fn source_profile(&self) -> Option<&str> {
        match &self.spec {
            Spec::Role(chain) => chain.source_profile(),
            Spec::UserSession { profile, .. } => Some(profile),
            Spec::Sso(_) => None,
        }
    }

    /// The Identity Center sign-in at the start of this target's chain, if any.
    pub fn sso_session(&self) -> Option<&SsoSession> {
        match &self.spec {
            Spec::Sso(sso) => Some(&sso.session),
            Spec::Role(Chain {
                base: Source::Sso(sso),
                ..
            }) => Some(&sso.session),
            Spec::Role(_) | Spec::UserSession { .. } => None,
        }
    }

    /// The profile whose long-term keys start this target's chain, and where
    /// they are kept; `None` for chains that start elsewhere (Identity Center,
    /// web identity, SAML, the environment).
    pub fn key_profile(&self) -> Option<(&str, KeysAt)> {
        match &self.spec {
            Spec::UserSession { profile, keys, .. } => Some((profile, *keys)),
            Spec::Role(Chain {
                base: Source::Credentials(CredentialSource::Keyring(profile)),
                ..
            }) => Some((profile, KeysAt::Keyring)),
            Spec::Role(Chain {
                base: Source::Credentials(CredentialSource::Profile(profile)),
                ..
            }) => Some((profile, KeysAt::AwsFiles)),
            Spec::Role(_) | Spec::Sso(_) => None,
        }
    }

    /// The MFA device used anywhere on the way to this target's credentials.
    pub fn mfa_device(&self) -> Option<&MfaDevice> {
        match &self.spec {
            Spec::UserSession { mfa, .. } => mfa.as_ref(),
            Spec::Sso(_) => None,
            Spec::Role(chain) => chain.hops().rev().find_map(|hop| hop.mfa.as_deref()),
        }
    }
}

#[cfg(test)]
mod tests;
