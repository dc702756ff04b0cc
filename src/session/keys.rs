//! Cache keys: one per MFA session (source + device) and one per role session.
//!
//! A role key carries a fingerprint of everything that shapes the session, so
//! editing a profile never reuses a session made for the old settings.

use super::SessionError;
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

/// Keys (or, ending in `/`, key prefixes) of a target's own cached sessions, for `forget`.
pub fn target_key_prefixes(target: &Target) -> Vec<String> {
    match &target.spec {
        Spec::UserSession { profile, mfa, .. } => {
            vec![mfa_key(&Source::Profile(profile.clone()), &mfa.serial)]
        }
        Spec::Role(_) => vec![format!("role/{}/", target.name)],
    }
}
