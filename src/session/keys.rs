//! Cache keys: one per MFA session (source + device) and one per role session.
//!
//! A role key carries a fingerprint of everything that shapes the session, so
//! editing a profile never reuses a session made for the old settings, and a
//! session scoped down by a policy never serves an unscoped request (or another scope).

use super::SessionError;
use super::index::Index;
use super::lock::fnv1a;
use super::plan::plan_role;
use crate::config::{Mode, RoleSpec, Settings, Source, Spec, SsoRole, Target};
use crate::domain::{MfaSerial, SessionName, SessionPolicy, SourceIdentity};

/// The key of the MFA session of `source` with `serial`.
pub fn mfa_key(source: &Source, serial: &MfaSerial) -> String {
    format!("mfa/{}/{serial}", source.describe())
}

/// The key of the `GetSessionToken` session of `source`: its MFA session when
/// it has a device, else `user/SOURCE` (a keyring user without MFA).
pub fn user_key(source: &Source, mfa: Option<&MfaSerial>) -> String {
    match mfa {
        Some(serial) => mfa_key(source, serial),
        None => format!("user/{}", source.describe()),
    }
}

/// The key of a user-session target's session.
fn user_session_key(profile: &str, mfa: Option<&crate::config::MfaDevice>) -> String {
    user_key(&Source::Profile(profile.to_owned()), mfa.map(|m| &m.serial))
}

/// The session name for `spec`: the profile's `role_session_name` as written, else the default.
pub fn session_name(spec: &RoleSpec, settings: &Settings) -> Result<SessionName, SessionError> {
    match &spec.session_name {
        Some(name) => Ok(SessionName::parse(name)?),
        None => Ok(settings.session_name.clone()),
    }
}

/// The `SourceIdentity` of `spec`: its own, else the configured default.
pub fn source_identity(spec: &RoleSpec, settings: &Settings) -> Option<SourceIdentity> {
    spec.source_identity
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

/// The key of role `spec` reached under `label`, obtained in `mode` with `shape`.
pub fn role_key(label: &str, spec: &RoleSpec, mode: Mode, shape: Shape<'_>) -> String {
    let mut text = String::new();
    fingerprint(spec, &mut text);
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
        Spec::Role(spec) => {
            let plan = plan_role(spec, None, settings).ok()?;
            let name = session_name(spec, settings).ok()?;
            let identity = source_identity(spec, settings);
            let shape = Shape {
                session_name: &name,
                identity: identity.as_ref(),
                policy: None,
            };
            Some(role_key(&target.name, spec, plan.mode, shape))
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
        Spec::Role(spec) => {
            let plan = plan_role(spec, None, settings).ok()?;
            let mfa = spec.mfa.as_ref()?;
            (plan.mode == Mode::MfaSession).then(|| mfa_key(&spec.source, &mfa.serial))
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

fn fingerprint(spec: &RoleSpec, out: &mut String) {
    out.push_str(spec.role_arn.as_str());
    out.push('|');
    out.push_str(spec.external_id.as_deref().unwrap_or(""));
    out.push('|');
    out.push_str(spec.mfa.as_ref().map_or("", |m| m.serial.as_str()));
    out.push('|');
    match &spec.source {
        Source::Role(inner) => fingerprint(inner, out),
        Source::Sso(sso) => sso_fingerprint(sso, out),
        other => out.push_str(&other.describe()),
    }
    out.push('|');
    if !spec.tags.is_empty() {
        for (key, value) in &spec.tags.tags {
            out.push_str(&format!("tag:{key}={value};"));
        }
        out.push_str(&format!("transitive:{};|", spec.tags.transitive.join(",")));
    }
}

/// The label of a role key `role/{label}/{mode}/{fingerprint}`; labels may contain `/`.
fn role_key_label(key: &str) -> Option<&str> {
    let mut parts = key.rsplitn(3, '/');
    let (_fingerprint, _mode, rest) = (parts.next()?, parts.next()?, parts.next()?);
    rest.strip_prefix("role/")
}

/// Whether `forget` removes `key`: every role session of `target` (in any mode
/// or shape), its MFA session if the target is a user session; every key for `None`.
pub fn forgets(target: Option<&Target>) -> impl Fn(&str) -> bool + Send + Sync + '_ {
    let mfa = match target.map(|t| &t.spec) {
        Some(Spec::UserSession { profile, mfa, .. }) => Some(user_session_key(profile, mfa.as_ref())),
        _ => None,
    };
    move |key: &str| match target {
        None => true,
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
    use super::role_key_label;

    #[test]
    fn role_key_labels_may_contain_slashes() {
        assert_eq!(role_key_label("role/prod/mfa-session/0123"), Some("prod"));
        assert_eq!(role_key_label("role/prod/Admin/role/0123"), Some("prod/Admin"));
        assert_eq!(role_key_label("mfa/base/arn:aws:iam::1:mfa/alice"), None);
    }
}
