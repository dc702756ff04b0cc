//! AWS profiles as targets: each profile with `role_arn` (its chain is
//! `chains.rs`'s), an IAM user's MFA session, or an Identity Center role, named
//! by its profile name. A profile whose long-term key `hats keys` keeps in the
//! OS keyring is an IAM user's session too (MFA optional), also when the AWS
//! files have no section for it.
//!
//! A profile that cannot be used is recorded as broken with its reason, so one
//! bad entry never hides the good ones.

use super::super::clean;
use super::super::target::{KeysAt, MfaDevice, Origin, Spec, Target};
use super::super::target_set::TargetSet;
use crate::config::{Broken, ConfigError, broken, printable, real_name, sdk_name, skipped_header};
use crate::domain::{MfaSerial, SessionDuration};
use aws_config::profile::{Profile, ProfileSet};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The targets of every profile, sorted by name (then the keyring profiles
/// without a section), and the profiles that cannot be used; `keyring` names
/// the profiles whose keys are in the OS keyring.
pub(super) fn targets(profiles: &ProfileSet, keyring: &BTreeSet<String>) -> TargetSet {
    let mut set = TargetSet {
        default_region: profiles
            .get_profile("default")
            .and_then(|p| p.get("region"))
            .filter(|r| crate::config::check_region(r).is_ok())
            .map(str::to_owned),
        keyring_profiles: Arc::new(keyring.clone()),
        ..TargetSet::default()
    };
    // The SDK's names of profiles whose real name it could not hold are escaped
    // (see profile_names): targets and messages use the real names.
    let mut names: Vec<(Cow<'_, str>, &str)> = profiles.profiles().map(|key| (real_name(key), key)).collect();
    names.sort_unstable();
    for (name, key) in names {
        let Some(profile) = profiles.get_profile(key) else {
            continue;
        };
        if let Some(header) = skipped_header(key) {
            set.broken.push(skipped(&header));
            continue;
        }
        let name = name.as_ref();
        if profile.get("aws_access_key_id").is_some() && profile.get("aws_session_token").is_none() {
            set.plaintext_keys.push(name.to_owned());
        }
        let built = if profile.get("role_arn").is_some() {
            super::chains::chain_of(profiles, keyring, name)
                .map(|chain| profile_target(profile, Spec::Role(chain)))
        } else if keyring.contains(name) {
            user_session(profile, KeysAt::Keyring).map(|spec| profile_target(profile, spec))
        } else if profile.get("mfa_serial").is_some() && profile.get("aws_access_key_id").is_some() {
            user_session(profile, KeysAt::AwsFiles).map(|spec| profile_target(profile, spec))
        } else if crate::config::is_sso(profile) {
            crate::config::sso_role(profiles, profile).map(|sso| profile_target(profile, Spec::Sso(sso)))
        } else {
            continue;
        };
        let cleaned = built.and_then(|t| clean::clean(t).map_err(|e| ConfigError::profile(name, e)));
        push(&mut set, name, cleaned);
    }
    for target in keyring_only(profiles, keyring) {
        let name = target.name.clone();
        let cleaned = clean::clean(target).map_err(|e| ConfigError::profile(&name, e));
        push(&mut set, &name, cleaned);
    }
    set
}

/// Adds profile `name`'s target to `set`, or why it cannot be used.
fn push(set: &mut TargetSet, name: &str, cleaned: Result<Target, ConfigError>) {
    match cleaned {
        Ok(target) => match clean::unshowable_name(&target.name) {
            Some(refused) => set.broken.push(refused),
            None => set.targets.push(target),
        },
        // Real names may hold anything (see profile_names): shown escaped.
        Err(e) => set.broken.push((printable(name).into_owned(), e)),
    }
}

/// A header the AWS CLI skips too, reported as such.
fn skipped(header: &str) -> Broken {
    broken(
        header,
        format!("[{}] in the AWS config", printable(header)),
        "skipped (by the AWS CLI too): a profile name with spaces needs quotes, e.g. [profile \"my prod\"]",
    )
}

/// The profile whose real name is `name`.
pub(super) fn lookup<'p>(profiles: &'p ProfileSet, name: &str) -> Option<&'p Profile> {
    profiles.get_profile(&sdk_name(name))
}

fn profile_target(profile: &Profile, spec: Spec) -> Target {
    let account_id = match &spec {
        Spec::Role(chain) => Some(*chain.role.role_arn.account()),
        Spec::UserSession { mfa, .. } => mfa.as_ref().and_then(|m| m.serial.account()),
        Spec::Sso(sso) => Some(sso.account_id),
    };
    Target {
        name: real_name(profile.name()).into_owned(),
        alias: None,
        origin: Origin::AwsProfile,
        account_id,
        account_name: None,
        region: profile.get("region").map(Into::into),
        production: false,
        tags: Default::default(),
        ou_path: None,
        spec,
    }
}

/// The user session of a profile that holds keys (in the files, with an MFA
/// device; or in the keyring, with or without one).
fn user_session(profile: &Profile, keys: KeysAt) -> Result<Spec, ConfigError> {
    let name = real_name(profile.name());
    Ok(Spec::UserSession {
        profile: name.into_owned(),
        keys,
        mfa: mfa_device(profile)?,
        duration: duration_seconds(profile)?,
    })
}

/// User sessions for keyring profiles with no section in the AWS files (added
/// with `hats keys add` alone): no MFA device, no region.
fn keyring_only(profiles: &ProfileSet, keyring: &BTreeSet<String>) -> Vec<Target> {
    let missing = keyring.iter().filter(|name| lookup(profiles, name).is_none());
    missing
        .map(|name| Target {
            name: name.clone(),
            alias: None,
            origin: Origin::AwsProfile,
            account_id: None,
            account_name: None,
            region: None,
            production: false,
            tags: Arc::default(),
            ou_path: None,
            spec: Spec::UserSession {
                profile: name.clone(),
                keys: KeysAt::Keyring,
                mfa: None,
                duration: None,
            },
        })
        .collect()
}

pub(super) fn mfa_device(profile: &Profile) -> Result<Option<MfaDevice>, ConfigError> {
    let Some(serial) = profile.get("mfa_serial") else {
        return Ok(None);
    };
    let serial = MfaSerial::parse(serial)
        .map_err(|e| ConfigError::profile(&real_name(profile.name()), e.to_string()))?;
    Ok(Some(MfaDevice {
        serial,
        process: profile.get("mfa_process").map(str::to_owned),
    }))
}

pub(super) fn duration_seconds(profile: &Profile) -> Result<Option<SessionDuration>, ConfigError> {
    let Some(raw) = profile.get("duration_seconds") else {
        return Ok(None);
    };
    raw.trim()
        .parse::<u32>()
        .map(|s| Some(SessionDuration::from_secs(s)))
        .map_err(|_| {
            ConfigError::profile(
                &real_name(profile.name()),
                format!("duration_seconds \"{raw}\" is not a whole number of seconds (e.g. 3600)"),
            )
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::{AwsFile, AwsFileKind, HatsFile, parse_profiles};
    use crate::inventory::{Discovered, build_targets};

    /// The profiles of an AWS config and credentials file pair (for unit tests).
    pub(crate) fn profiles_of(config: &str, credentials: &str) -> ProfileSet {
        let config = AwsFile {
            kind: AwsFileKind::Config,
            path: "/h/.aws/config",
            bytes: config.as_bytes(),
        };
        let credentials = AwsFile {
            kind: AwsFileKind::Credentials,
            path: "/h/.aws/credentials",
            bytes: credentials.as_bytes(),
        };
        parse_profiles(config, credentials).unwrap()
    }

    /// The targets of an AWS config and credentials file pair, without hats' config (for unit tests).
    pub(crate) fn targets_of(config: &str, credentials: &str) -> TargetSet {
        build_targets(
            &profiles_of(config, credentials),
            &HatsFile::default(),
            Discovered::default(),
        )
    }

    #[test]
    fn an_account_target_never_shadows_or_is_shadowed_by_another_name() {
        let config =
            "[profile ops/Admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n";
        let profiles = profiles_of(
            config,
            "[base]\naws_access_key_id = K\naws_secret_access_key = S\n",
        );
        let file = HatsFile::parse(
            "[[account]]\nid = \"111111111111\"\nname = \"ops\"\nsource = \"base\"\nroles = [\"Admin\", \"Read\"]\n\
             [[account]]\nid = \"111111111111\"\nname = \"ops2\"\nsource = \"base\"\nroles = [\"Read\"]\n\
             [[account]]\nid = \"222222222222\"\nname = \"ops\"\nsource = \"base\"\nroles = [\"Read\"]\n",
        )
        .unwrap();
        let set = build_targets(&profiles, &file, Discovered::default());
        assert_eq!(set.find("ops/Admin").map(|t| t.origin), Some(Origin::AwsProfile));
        assert_eq!(
            set.find("ops/Read")
                .and_then(|t| t.account_id.as_ref())
                .map(ToString::to_string),
            Some("111111111111".to_owned())
        );
        // The same account under a second name keeps its own name; ID/ROLE stays with the first.
        assert_eq!(
            set.find("111111111111/Read").map(|t| t.name.as_str()),
            Some("ops/Read")
        );
        assert!(set.find("ops2/Read").is_some_and(|t| t.alias.is_none()));
        let refused: Vec<String> = set
            .broken
            .iter()
            .map(|(name, e)| format!("{name}: {e}"))
            .collect();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].starts_with("ops/Admin: target \"ops/Admin\" of an [[account]]"),
            "{refused:?}"
        );
        assert!(
            refused[1].contains("already has this name; rename the account"),
            "{refused:?}"
        );
    }
}
