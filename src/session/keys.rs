//! Cache keys: one per MFA session (source + device) and one per role session.
//!
//! A role key carries a fingerprint of everything that shapes the session, so
//! editing a profile never reuses a session made for the old settings.

use super::SessionError;
use super::index::Index;
use super::lock::fnv1a;
use super::plan::plan_role;
use crate::config::{Mode, RoleSpec, Settings, Source, Spec, Target};
use crate::domain::{MfaSerial, SessionName};

/// The key of the MFA session of `source` with `serial`.
pub fn mfa_key(source: &Source, serial: &MfaSerial) -> String {
    format!("mfa/{}/{serial}", source.describe())
}

/// The session name for `spec`: the profile's `role_session_name` as written, else the default.
pub fn session_name(spec: &RoleSpec, settings: &Settings) -> Result<SessionName, SessionError> {
    match &spec.session_name {
        Some(name) => Ok(SessionName::parse(name)?),
        None => Ok(settings.session_name.clone()),
    }
}

/// The key of role `spec` reached under `label`, obtained in `mode` with `session_name`.
pub fn role_key(label: &str, spec: &RoleSpec, mode: Mode, session_name: &SessionName) -> String {
    let mut shape = String::new();
    fingerprint(spec, &mut shape);
    shape.push_str(session_name.as_str());
    format!("role/{label}/{}/{:016x}", mode.as_str(), fnv1a(&shape))
}

/// The key a target's session is cached under with default options (what `hats ls` shows).
pub fn target_key(target: &Target, settings: &Settings) -> Option<String> {
    match &target.spec {
        Spec::UserSession { profile, mfa, .. } => {
            Some(mfa_key(&Source::Profile(profile.clone()), &mfa.serial))
        }
        Spec::Role(spec) => {
            let plan = plan_role(spec, None, settings).ok()?;
            let name = session_name(spec, settings).ok()?;
            Some(role_key(&target.name, spec, plan.mode, &name))
        }
    }
}

/// The MFA session a target's role session is made from, if it uses one.
pub fn target_mfa_key(target: &Target, settings: &Settings) -> Option<String> {
    match &target.spec {
        Spec::UserSession { .. } => target_key(target, settings),
        Spec::Role(spec) => {
            let plan = plan_role(spec, None, settings).ok()?;
            let mfa = spec.mfa.as_ref()?;
            (plan.mode == Mode::MfaSession).then(|| mfa_key(&spec.source, &mfa.serial))
        }
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
        other => out.push_str(&other.describe()),
    }
    out.push('|');
}

/// The label of a role key `role/{label}/{mode}/{fingerprint}`; labels may contain `/`.
fn role_key_label(key: &str) -> Option<&str> {
    let mut parts = key.rsplitn(3, '/');
    let (_fingerprint, _mode, rest) = (parts.next()?, parts.next()?, parts.next()?);
    rest.strip_prefix("role/")
}

/// The cached keys `forget` removes: every role session of `target` (in any mode
/// or shape), its MFA session if the target is a user session; every key for `None`.
pub fn keys_to_forget(index: &Index, target: Option<&Target>) -> Vec<String> {
    let belongs = |key: &str| match target.map(|t| (t, &t.spec)) {
        None => true,
        Some((_, Spec::UserSession { profile, mfa, .. })) => {
            key == mfa_key(&Source::Profile(profile.clone()), &mfa.serial)
        }
        Some((t, Spec::Role(_))) => role_key_label(key) == Some(t.name.as_str()),
    };
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
