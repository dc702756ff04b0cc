//! Values from the config files made safe to show before they become targets.
//!
//! Everything a target shows (in `hats ls`, the switcher, its detail pane) comes
//! from files that may hold anything, a value continued on a second line among
//! them. Values that only describe (account name, tags, OU path) are shown with
//! control characters escaped; values that are also sent somewhere (region, role
//! ARN, MFA device, profile names) cannot be fixed by escaping, so a target with
//! control characters in them is refused with the reason, like any broken entry.

use super::target::{Chain, Source, Spec, Target};
use crate::config::{check_region, printable};
use crate::domain::{CredentialSource, Tags};
use std::borrow::Cow;
use std::sync::Arc;

/// Why a target name cannot be shown, if it cannot: control characters would
/// put terminal escape sequences on the screen of whoever lists targets, and
/// bidi controls or zero-width characters would let it pass for another name.
/// The name comes back escaped, to be shown with the reason.
pub(super) fn unshowable_name(name: &str) -> Option<(String, crate::config::ConfigError)> {
    let control = name.chars().any(char::is_control);
    if !control && !name.chars().any(crate::domain::is_invisible) {
        return None;
    }
    let what = if control {
        "control characters (terminal escape sequences)"
    } else {
        "invisible characters (bidi controls or zero-width characters, which make it look like another name)"
    };
    Some(crate::config::broken(
        name,
        "target name",
        format!("contains {what}; rename it"),
    ))
}

/// `target` with its descriptive values escaped, or why it cannot be used.
pub(super) fn clean(mut target: Target) -> Result<Target, String> {
    check(target.region.as_deref(), &target.spec)?;
    target.account_name = target.account_name.map(escaped);
    target.ou_path = target.ou_path.map(escaped);
    target.tags = escaped_tags(&target.tags);
    Ok(target)
}

/// `text` as [`clean`] shows a descriptive value: control, bidi and zero-width
/// characters escaped (the same text when it has none; escaping twice changes nothing).
pub(super) fn escaped(text: Arc<str>) -> Arc<str> {
    match printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean.into(),
    }
}

/// `tags` as [`clean`] shows them: when a key or value holds a control
/// character, every one escaped; else the same map, shared.
pub(super) fn escaped_tags(tags: &Arc<Tags>) -> Arc<Tags> {
    if tags.iter().any(|(k, v)| has_control(k) || has_control(v)) {
        let tags = tags
            .iter()
            .map(|(k, v)| (printable(k).into_owned(), printable(v).into_owned()))
            .collect();
        return Arc::new(tags);
    }
    Arc::clone(tags)
}

/// Why a target with `region` and `spec` cannot be used, if it cannot: a value
/// that is sent somewhere holds control characters, or the region is no region.
pub(super) fn check(region: Option<&str>, spec: &Spec) -> Result<(), String> {
    if let Some(region) = region {
        check_region(region)?;
    }
    check_spec(spec)
}

/// Why a target with `spec` cannot be used, if it cannot: a value of it that
/// is sent somewhere holds control characters.
pub(super) fn check_spec(spec: &Spec) -> Result<(), String> {
    match spec {
        Spec::Role(chain) => check_chain(chain),
        Spec::UserSession { profile, mfa, .. } => {
            plain("source profile", profile)?;
            mfa.as_ref()
                .map_or(Ok(()), |mfa| plain("mfa_serial", mfa.serial.as_str()))
        }
        Spec::Sso(sso) => check_sso(sso),
    }
}

/// Every hop of a role chain, last first, then its base: the values it shows and sends.
fn check_chain(chain: &Chain) -> Result<(), String> {
    for hop in chain.hops().rev() {
        plain("role_arn", hop.role_arn.as_str())?;
        if let Some(profile) = &hop.profile {
            plain("source profile", profile)?;
        }
        if let Some(mfa) = &hop.mfa {
            plain("mfa_serial", mfa.serial.as_str())?;
        }
        for (key, value) in [
            ("external_id", &hop.options.external_id),
            ("role_session_name", &hop.options.session_name),
        ] {
            if let Some(value) = value {
                plain(key, value)?;
            }
        }
    }
    match &chain.base {
        Source::Credentials(CredentialSource::Profile(name) | CredentialSource::Keyring(name)) => {
            plain("source profile", name)
        }
        Source::Credentials(_) => Ok(()),
        Source::Sso(sso) => check_sso(sso),
        Source::WebIdentity(token) => plain(token.key(), &token.value()),
        Source::Saml(saml) => plain("saml source", &saml.name),
    }
}

/// An Identity Center role's names and URL: shown in listings and sent to the portal.
fn check_sso(sso: &crate::config::SsoRole) -> Result<(), String> {
    plain("sso profile", &sso.profile)?;
    plain("sso_start_url", &sso.session.start_url)?;
    if let Some(name) = &sso.session.name {
        plain("sso_session", name)?;
    }
    sso.session
        .scopes
        .iter()
        .try_for_each(|scope| plain("sso_registration_scopes", scope))
}

fn plain(key: &str, value: &str) -> Result<(), String> {
    if has_control(value) {
        return Err(format!(
            "{key} \"{}\" contains control characters (a value continued on the next line?); \
             write it on one line",
            printable(value)
        ));
    }
    Ok(())
}

fn has_control(text: &str) -> bool {
    !crate::domain::is_printable_ascii(text) && text.chars().any(char::is_control)
}
