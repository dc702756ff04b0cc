//! Cache keys: one per MFA session (source + device) and one per role session.
//!
//! A role key carries a fingerprint of everything that shapes the session, so
//! editing a profile never reuses a session made for the old settings, and a
//! session scoped down by a policy never serves an unscoped request (or another scope).

use super::SessionError;
use super::index::Index;
use super::lock::fnv1a;
use super::plan::plan_role;
use crate::config::{Settings, SsoRole};
use crate::domain::{CredentialSource, MfaSerial, SessionName, SessionPolicy, SourceIdentity};
use crate::inventory::{Chain, Mode, RoleSpec, Source, Spec, Target};

/// The key of the MFA session of `source` with `serial`.
pub fn mfa_key(source: &CredentialSource, serial: &MfaSerial) -> String {
    format!("mfa/{}/{serial}", source.describe())
}

/// The key of the `GetSessionToken` session of `source`: its MFA session when
/// it has a device, else `user/SOURCE` (a keyring user without MFA).
pub fn user_key(source: &CredentialSource, mfa: Option<&MfaSerial>) -> String {
    match mfa {
        Some(serial) => mfa_key(source, serial),
        None => format!("user/{}", source.describe()),
    }
}

/// The key of a user-session target's session.
fn user_session_key(profile: &str, mfa: Option<&crate::inventory::MfaDevice>) -> String {
    user_key(
        &CredentialSource::Profile(profile.to_owned()),
        mfa.map(|m| &m.serial),
    )
}

/// The session name for `spec`: the profile's `role_session_name` as written, else the default.
pub fn session_name(spec: &RoleSpec, settings: &Settings) -> Result<SessionName, SessionError> {
    match &spec.options.session_name {
        Some(name) => Ok(SessionName::parse(name)?),
        None => Ok(settings.session_name.clone()),
    }
}

/// The `SourceIdentity` of `spec`: its own, else the configured default.
pub fn source_identity(spec: &RoleSpec, settings: &Settings) -> Option<SourceIdentity> {
    spec.options
        .source_identity
        .clone()
        .or_else(|| settings.source_identity.clone())
}

/// What shapes a role session besides its spec.
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    /// `RoleSessionName`.
    pub session_name: &'a SessionName,
    /// `SourceIdentity`, the same on every hop of a chain.
    pub identity: Option<&'a SourceIdentity>,
    /// The scope-down, on the last hop only.
    pub policy: Option<&'a SessionPolicy>,
}

/// The key of hop `index` of `chain` reached under `label`, obtained in `mode` with `shape`.
pub fn role_key(label: &str, chain: &Chain, index: usize, mode: Mode, shape: Shape<'_>) -> String {
    let mut text = String::new();
    fingerprint(chain, index, &mut text);
    text.push_str(shape.session_name.as_str());
    // Appended only when set, so keys of sessions without them keep their old value.
    if let Some(identity) = shape.identity {
        text.push_str("|identity=");
        text.push_str(identity.as_str());
    }
    if let Some(policy) = shape.policy.filter(|p| !p.is_empty()) {
        text.push_str("|policy=");
        text.push_str(&policy.shape());
    }
    format!("role/{label}/{}/{:016x}", mode.as_str(), fnv1a(&text))
}

/// The key a target's session is cached under with default options (what `hats ls` shows).
pub fn target_key(target: &Target, settings: &Settings) -> Option<String> {
    match &target.spec {
        Spec::UserSession { profile, mfa, .. } => Some(user_session_key(profile, mfa.as_ref())),
        Spec::Role(chain) => {
            let plan = plan_role(chain, None, settings).ok()?;
            let name = session_name(&chain.role, settings).ok()?;
            let identity = source_identity(&chain.role, settings);
            let shape = Shape {
                session_name: &name,
                identity: identity.as_ref(),
                policy: None,
            };
            Some(role_key(&target.name, chain, chain.via.len(), plan.mode, shape))
        }
        Spec::Sso(sso) => Some(sso_key(&target.name, sso)),
    }
}

/// The key of the Identity Center role session of `sso` reached under `label`.
/// It has the role key's form, so listings, `forget` and the index treat it alike.
pub fn sso_key(label: &str, sso: &SsoRole) -> String {
    let mut text = String::new();
    sso_fingerprint(sso, &mut text);
    format!("role/{label}/{}/{:016x}", Mode::Sso.as_str(), fnv1a(&text))
}

fn sso_fingerprint(sso: &SsoRole, out: &mut String) {
    out.push_str(&format!(
        "sso|{}|{}|{}|{}",
        sso.session.key(),
        sso.session.start_url,
        sso.account_id,
        sso.role_name
    ));
}

/// The MFA session a target's role session is made from, if it uses one.
pub fn target_mfa_key(target: &Target, settings: &Settings) -> Option<String> {
    match &target.spec {
        Spec::UserSession { .. } => target_key(target, settings),
        Spec::Sso(_) => None,
        Spec::Role(chain) => {
            let plan = plan_role(chain, None, settings).ok()?;
            let mfa = chain.role.mfa.as_ref()?;
            match (&chain.base, plan.mode) {
                (Source::Credentials(source), Mode::MfaSession) => Some(mfa_key(source, &mfa.serial)),
                _ => None,
            }
        }
    }
}

/// What an index holds, so lists of thousands of targets with a handful of
/// cached sessions compute keys only for targets that can have one.
pub struct IndexedNames<'a> {
    role_labels: std::collections::HashSet<&'a str>,
    any_mfa: bool,
    any_user: bool,
}

impl<'a> IndexedNames<'a> {
    /// Reads the labels of every key in `index`.
    pub fn of(index: &'a Index) -> Self {
        Self {
            role_labels: index.sessions.keys().filter_map(|k| role_key_label(k)).collect(),
            any_mfa: index.sessions.keys().any(|k| k.starts_with("mfa/")),
            any_user: index.sessions.keys().any(|k| k.starts_with("user/")),
        }
    }

    /// [`target_key`], or `None` at once when the index cannot hold it.
    pub fn target_key(&self, target: &Target, settings: &Settings) -> Option<String> {
        let possible = match target.spec {
            Spec::Role(_) | Spec::Sso(_) => self.role_labels.contains(target.name.as_str()),
            Spec::UserSession { .. } => self.any_mfa || self.any_user,
        };
        possible.then(|| target_key(target, settings)).flatten()
    }

    /// [`target_mfa_key`], or `None` at once when the index holds no MFA session.
    pub fn target_mfa_key(&self, target: &Target, settings: &Settings) -> Option<String> {
        self.any_mfa.then(|| target_mfa_key(target, settings)).flatten()
    }
}

/// What shapes hop `index` of `chain`: for each hop from it down to the
/// first, its role, external id and MFA device; then the base; then each
/// hop's session tags, first hop first. (The same text the nested form of a
/// chain gave, so keys of sessions cached before stay the same.)
fn fingerprint(chain: &Chain, index: usize, out: &mut String) {
    let hops: Vec<&RoleSpec> = chain.hops().take(index + 1).collect();
    for hop in hops.iter().rev() {
        out.push_str(hop.role_arn.as_str());
        out.push('|');
        out.push_str(hop.options.external_id.as_deref().unwrap_or(""));
        out.push('|');
        out.push_str(hop.mfa.as_ref().map_or("", |m| m.serial.as_str()));
        out.push('|');
    }
    match &chain.base {
        Source::Sso(sso) => sso_fingerprint(sso, out),
        other => out.push_str(&other.describe()),
    }
    for hop in hops {
        out.push('|');
        let tags = &hop.options.tags;
        if !tags.is_empty() {
            for (key, value) in &tags.tags {
                out.push_str(&format!("tag:{key}={value};"));
            }
            out.push_str(&format!("transitive:{};|", tags.transitive.join(",")));
        }
    }
}

/// The label of a role key `role/{label}/{mode}/{fingerprint}`; labels may contain `/`.
pub fn role_key_label(key: &str) -> Option<&str> {
    let mut parts = key.rsplitn(3, '/');
    let (_fingerprint, _mode, rest) = (parts.next()?, parts.next()?, parts.next()?);
    rest.strip_prefix("role/")
}

/// Whether `forget` removes `key`: every role session of `target` (in any mode
/// or shape), its MFA session if the target is a user session; every role and
/// MFA session for `None` (never a sign-in: see [`super::forget::ItemKind`]).
pub fn forgets(target: Option<&Target>) -> impl Fn(&str) -> bool + Send + Sync + '_ {
    let mfa = match target.map(|t| &t.spec) {
        Some(Spec::UserSession { profile, mfa, .. }) => Some(user_session_key(profile, mfa.as_ref())),
        _ => None,
    };
    move |key: &str| match target {
        None => super::forget::ItemKind::of(key).forgotten(),
        Some(_) if mfa.is_some() => mfa.as_deref() == Some(key),
        Some(t) => role_key_label(key) == Some(t.name.as_str()),
    }
}

/// The keys of `index` that [`forgets`] accepts.
pub fn keys_to_forget(index: &Index, target: Option<&Target>) -> Vec<String> {
    let belongs = forgets(target);
    index.sessions.keys().filter(|k| belongs(k)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::{role_key_label, target_key, target_mfa_key};
    use crate::config::{HatsFile, Settings};

    /// Chains of every shape; the keys below were computed by the engine
    /// before chains were data (nested sources), so sessions cached then are
    /// found now.
    const CHAINS: &str = "\
[profile base]
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile prod]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base
session_tags = team=core
transitive_tag_keys = team
[profile jump]
role_arn = arn:aws:iam::333333333333:role/Jump
source_profile = prod
external_id = x-1
[profile deep]
role_arn = arn:aws:iam::444444444444:role/Deep
source_profile = jump
session_tags = env=prod
role_session_name = me
[profile plainrole]
role_arn = arn:aws:iam::222222222222:role/Read
source_profile = plain
[profile env]
role_arn = arn:aws:iam::222222222222:role/Env
credential_source = Environment
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
[profile audit]
role_arn = arn:aws:iam::222222222222:role/Auditor
source_profile = sso
[profile audit2]
role_arn = arn:aws:iam::222222222222:role/Auditor2
source_profile = audit
[profile ci]
role_arn = arn:aws:iam::333333333333:role/Deploy
web_identity_token_file = /var/run/token
[profile after]
role_arn = arn:aws:iam::444444444444:role/After
source_profile = ci
";

    #[test]
    fn cache_keys_of_chains_are_what_they_were() {
        let set = crate::inventory::targets_of(
            CHAINS,
            "[base]\naws_access_key_id = K\naws_secret_access_key = S\n[plain]\naws_access_key_id = K\naws_secret_access_key = S\n",
        );
        let file = HatsFile::parse("[defaults]\nsession_name = \"hats-tester\"\n").unwrap();
        let settings = Settings::from_defaults(&file.defaults).unwrap();
        let keys: Vec<String> = set
            .targets
            .iter()
            .map(|t| {
                format!(
                    "{} {:?} {:?}",
                    t.name,
                    target_key(t, &settings),
                    target_mfa_key(t, &settings)
                )
            })
            .collect();
        let mfa = "mfa/base/arn:aws:iam::111111111111:mfa/alice";
        assert_eq!(
            keys,
            [
                "after Some(\"role/after/chained/a58d424542dc9c4d\") None".to_owned(),
                "audit Some(\"role/audit/chained/a5ecb7314eaaf1c1\") None".to_owned(),
                "audit2 Some(\"role/audit2/chained/6da154a46779175f\") None".to_owned(),
                format!("base Some(\"{mfa}\") Some(\"{mfa}\")"),
                "ci Some(\"role/ci/web-identity/45fbff5e1a1b3d7f\") None".to_owned(),
                "deep Some(\"role/deep/chained/2eb7d0d1df713ad2\") None".to_owned(),
                "env Some(\"role/env/role/ed840e2d2d376ac4\") None".to_owned(),
                "jump Some(\"role/jump/chained/7d6eb10df81aff86\") None".to_owned(),
                "plainrole Some(\"role/plainrole/role/31d8c0d8652c9509\") None".to_owned(),
                format!("prod Some(\"role/prod/mfa-session/e44cd54baea38bde\") Some(\"{mfa}\")"),
                "sso Some(\"role/sso/sso/6992f8186b9cf297\") None".to_owned(),
            ]
        );
    }

    #[test]
    fn role_key_labels_may_contain_slashes() {
        assert_eq!(role_key_label("role/prod/mfa-session/0123"), Some("prod"));
        assert_eq!(role_key_label("role/prod/Admin/role/0123"), Some("prod/Admin"));
        assert_eq!(role_key_label("mfa/base/arn:aws:iam::1:mfa/alice"), None);
    }
}
