//! Turns AWS profiles and hats accounts into targets.
//!
//! A profile or account that cannot be used is recorded as broken with its
//! reason, so one bad entry never hides the good ones.

use super::hats_file::AccountEntry;
use super::profile_names::{real_name, sdk_name, skipped_header};
use super::target::{KeysAt, MfaDevice, Origin, RoleSpec, Source, Spec, Target, TargetSet};
use super::{ConfigError, HatsFile};
use crate::domain::{AccountId, MfaSerial, Partition, RoleArn, SessionDuration, SessionTags, SourceIdentity};
use aws_config::profile::{Profile, ProfileSet};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

/// The most role profiles one `source_profile` chain may hold.
const MAX_CHAIN: usize = 32;

/// Builds every target: AWS profiles first, then hats accounts.
pub fn build_targets(profiles: &ProfileSet, file: &HatsFile) -> TargetSet {
    let mut set = TargetSet {
        default_region: profiles
            .get_profile("default")
            .and_then(|p| p.get("region"))
            .filter(|r| super::check_region(r).is_ok())
            .map(str::to_owned),
        ..TargetSet::default()
    };
    let keyring = Arc::new(file.keyring_profiles.clone());
    set.keyring_profiles = Arc::clone(&keyring);
    // The SDK's names of profiles whose real name it could not hold are escaped
    // (see profile_names): targets and messages use the real names.
    let mut names: Vec<(Cow<'_, str>, &str)> = profiles.profiles().map(|key| (real_name(key), key)).collect();
    names.sort_unstable();
    for (name, key) in names {
        let Some(profile) = profiles.get_profile(key) else {
            continue;
        };
        if let Some(header) = skipped_header(key) {
            set.broken.push((
                super::printable(&header).into_owned(),
                ConfigError::Entry {
                    place: format!("[{}] in the AWS config", super::printable(&header)),
                    message: "skipped (by the AWS CLI too): a profile name with spaces needs quotes, \
                              e.g. [profile \"my prod\"]"
                        .into(),
                },
            ));
            continue;
        }
        let name = name.as_ref();
        if profile.get("aws_access_key_id").is_some() && profile.get("aws_session_token").is_none() {
            set.plaintext_keys.push(name.to_owned());
        }
        let built = if profile.get("role_arn").is_some() {
            role_spec(profiles, &keyring, name, &mut Vec::new())
                .map(|spec| profile_target(profile, Spec::Role(spec)))
        } else if keyring.contains(name) {
            user_session(profile, KeysAt::Keyring).map(|spec| profile_target(profile, spec))
        } else if profile.get("mfa_serial").is_some() && profile.get("aws_access_key_id").is_some() {
            user_session(profile, KeysAt::AwsFiles).map(|spec| profile_target(profile, spec))
        } else if super::sso::is_sso(profile) {
            super::sso::sso_role(profiles, profile).map(|sso| profile_target(profile, Spec::Sso(sso)))
        } else {
            continue;
        };
        let cleaned = built.and_then(|t| super::clean::clean(t).map_err(|e| ConfigError::profile(name, e)));
        match cleaned {
            Ok(target) => set.targets.push(target),
            // Real names may hold anything (see profile_names): shown escaped.
            Err(e) => set.broken.push((super::printable(name).into_owned(), e)),
        }
    }
    set.targets.extend(keyring_only(profiles, &keyring));
    // Profile names are unique (the SDK merges sections of one name); an account's
    // `NAME/ROLE` may repeat one of them or another account's, and `hats env NAME`
    // would then silently pick the first. The later target is refused instead.
    let mut taken: HashSet<String> = set.targets.iter().map(|t| t.name.clone()).collect();
    for account in &file.accounts {
        match account_targets(profiles, &keyring, account) {
            Ok(targets) => {
                for mut target in targets {
                    if !taken.insert(target.name.clone()) {
                        set.broken.push((
                            super::printable(&target.name).into_owned(),
                            name_taken(&target.name),
                        ));
                        continue;
                    }
                    // The same account listed twice keeps its `ID/ROLE` for the first entry.
                    if target.alias.as_ref().is_some_and(|alias| taken.contains(alias)) {
                        target.alias = None;
                    }
                    taken.extend(target.alias.clone());
                    set.targets.push(target);
                }
            }
            // The name is listed as it was written: control characters must not reach a terminal.
            Err(e) => set.broken.push((
                super::printable(account.name.as_deref().unwrap_or(&account.id)).into_owned(),
                e,
            )),
        }
    }
    super::web_identity::add_entries(&mut set, &mut taken, &file.web_identity);
    // A name with control characters would put terminal escape sequences on
    // the screen of whoever lists targets.
    let (unsafe_names, targets) = std::mem::take(&mut set.targets)
        .into_iter()
        .partition(|t: &Target| t.name.chars().any(char::is_control));
    set.targets = targets;
    for target in unsafe_names {
        set.broken.push((
            target.name.escape_debug().to_string(),
            ConfigError::Entry {
                place: "target name".into(),
                message: "contains control characters (terminal escape sequences); rename it".into(),
            },
        ));
    }
    set
}

/// The profile whose real name is `name`.
fn lookup<'p>(profiles: &'p ProfileSet, name: &str) -> Option<&'p Profile> {
    profiles.get_profile(&sdk_name(name))
}

fn name_taken(name: &str) -> ConfigError {
    ConfigError::Entry {
        place: format!("target \"{name}\" of an [[account]] in hats config"),
        message: "an earlier profile or account already has this name; rename the account (name = ...)"
            .into(),
    }
}

fn profile_target(profile: &Profile, spec: Spec) -> Target {
    let account_id = match &spec {
        Spec::Role(r) => Some(r.role_arn.account().clone()),
        Spec::UserSession { mfa, .. } => mfa.as_ref().and_then(|m| m.serial.account()),
        Spec::Sso(sso) => Some(sso.account_id.clone()),
    };
    Target {
        name: real_name(profile.name()).into_owned(),
        alias: None,
        origin: Origin::AwsProfile,
        account_id,
        account_name: None,
        region: profile.get("region").map(str::to_owned),
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
    keyring
        .iter()
        .filter(|name| lookup(profiles, name).is_none())
        .map(|name| Target {
            name: name.clone(),
            alias: None,
            origin: Origin::AwsProfile,
            account_id: None,
            account_name: None,
            region: None,
            production: false,
            tags: Default::default(),
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

/// Builds the role of profile `name`, following `source_profile` chains;
/// `keyring` names the profiles whose keys are in the OS keyring.
fn role_spec(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
    chain: &mut Vec<String>,
) -> Result<RoleSpec, ConfigError> {
    let profile = lookup(profiles, name).ok_or_else(|| ConfigError::profile(name, "does not exist"))?;
    chain.push(name.to_owned());
    let role_arn = RoleArn::parse(profile.get("role_arn").unwrap_or_default())
        .map_err(|e| ConfigError::profile(name, e.to_string()))?;
    let source = match (profile.get("source_profile"), profile.get("credential_source")) {
        _ if super::web_identity::declared(profile) => super::web_identity::source(profile)?,
        (Some(_), Some(_)) => {
            return Err(ConfigError::profile(
                name,
                "sets both source_profile and credential_source; keep one",
            ));
        }
        (Some(source), None) => profile_source(profiles, keyring, name, source, chain)?,
        (None, Some(kind)) => credential_source(name, kind)?,
        (None, None) => {
            return Err(ConfigError::profile(
                name,
                "has role_arn but neither source_profile nor credential_source; add source_profile = NAME \
                 (or web_identity_token_file = PATH for an OIDC token)",
            ));
        }
    };
    let mut mfa = mfa_device(profile)?;
    if mfa.is_none()
        && let Source::Profile(source_name) | Source::Keyring(source_name) = &source
        && let Some(source_profile) = lookup(profiles, source_name)
    {
        // An IAM user that declares an MFA device uses it for every role it assumes.
        mfa = mfa_device(source_profile)?;
    }
    Ok(RoleSpec {
        profile: Some(name.to_owned()),
        role_arn,
        source,
        mfa,
        external_id: profile.get("external_id").map(str::to_owned),
        session_name: profile.get("role_session_name").map(str::to_owned),
        duration: duration_seconds(profile)?,
        source_identity: profile
            .get("source_identity")
            .map(SourceIdentity::parse)
            .transpose()
            .map_err(|e| ConfigError::profile(name, e.to_string()))?,
        tags: SessionTags::parse(profile.get("session_tags"), profile.get("transitive_tag_keys"))
            .map_err(|e| ConfigError::profile(name, e.to_string()))?,
    })
}

fn profile_source(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
    source: &str,
    chain: &mut Vec<String>,
) -> Result<Source, ConfigError> {
    let in_keyring = keyring.contains(source);
    let Some(source_profile) = lookup(profiles, source) else {
        if in_keyring {
            return Ok(Source::Keyring(source.to_owned()));
        }
        return Err(ConfigError::profile(
            name,
            format!("source_profile \"{source}\" does not exist in the AWS config or credentials file"),
        ));
    };
    // A profile may name itself as source when it also holds the keys.
    let self_with_keys = source == name && (in_keyring || source_profile.get("aws_access_key_id").is_some());
    if in_keyring && (self_with_keys || source_profile.get("role_arn").is_none()) {
        return Ok(Source::Keyring(source.to_owned()));
    }
    if !self_with_keys && source_profile.get("role_arn").is_none() && super::sso::is_sso(source_profile) {
        return Ok(Source::Sso(Box::new(super::sso::sso_role(
            profiles,
            source_profile,
        )?)));
    }
    if self_with_keys || source_profile.get("role_arn").is_none() {
        return Ok(Source::Profile(source.to_owned()));
    }
    if chain.iter().any(|seen| seen == source) {
        chain.push(source.to_owned());
        return Err(ConfigError::profile(
            name,
            format!("source_profile loop: {}; break the cycle", chain.join(" -> ")),
        ));
    }
    if chain.len() >= MAX_CHAIN {
        // Each hop is a recursive call and a real AssumeRole: a chain this long is a
        // generated or broken file, and following it further could exhaust the stack.
        return Err(ConfigError::profile(
            name,
            format!(
                "source_profile chain {} -> ... -> {source} is longer than {MAX_CHAIN} roles; shorten it",
                chain[0]
            ),
        ));
    }
    Ok(Source::Role(Box::new(role_spec(
        profiles, keyring, source, chain,
    )?)))
}

fn credential_source(name: &str, kind: &str) -> Result<Source, ConfigError> {
    match kind {
        "Environment" => Ok(Source::Environment),
        "Ec2InstanceMetadata" => Ok(Source::InstanceMetadata),
        "EcsContainer" => Ok(Source::EcsContainer),
        other => Err(ConfigError::profile(
            name,
            format!(
                "credential_source \"{other}\" is not one of Environment, Ec2InstanceMetadata, EcsContainer"
            ),
        )),
    }
}

fn mfa_device(profile: &Profile) -> Result<Option<MfaDevice>, ConfigError> {
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

fn duration_seconds(profile: &Profile) -> Result<Option<SessionDuration>, ConfigError> {
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

/// The source a hats account or organization offer names: a plain profile, or a
/// role profile (chaining); with the profile's own MFA device for plain profiles.
pub(super) fn source_of(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
) -> Result<(Source, Option<MfaDevice>), String> {
    let Some(profile) = lookup(profiles, name) else {
        if keyring.contains(name) {
            return Ok((Source::Keyring(name.to_owned()), None));
        }
        return Err(format!(
            "source \"{name}\" is not a profile in the AWS config or credentials file"
        ));
    };
    if profile.get("role_arn").is_some() {
        let spec = role_spec(profiles, keyring, name, &mut Vec::new()).map_err(|e| e.to_string())?;
        return Ok((Source::Role(Box::new(spec)), None));
    }
    if keyring.contains(name) {
        let mfa = mfa_device(profile).map_err(|e| e.to_string())?;
        return Ok((Source::Keyring(name.to_owned()), mfa));
    }
    if super::sso::is_sso(profile) {
        let sso = super::sso::sso_role(profiles, profile).map_err(|e| e.to_string())?;
        return Ok((Source::Sso(Box::new(sso)), None));
    }
    let mfa = mfa_device(profile).map_err(|e| e.to_string())?;
    Ok((Source::Profile(name.to_owned()), mfa))
}

/// The partition of a hats `[[account]]`'s roles: its region's, else its
/// source's (a role ARN, an Identity Center region), else its MFA device's.
fn account_partition(account: &AccountEntry, source: &Source, mfa: Option<&MfaDevice>) -> Partition {
    account
        .region
        .as_deref()
        .map(Partition::of_region)
        .or_else(|| source.partition())
        .or_else(|| mfa.and_then(|m| m.serial.partition()))
        .unwrap_or_default()
}

fn account_targets(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    account: &AccountEntry,
) -> Result<Vec<Target>, ConfigError> {
    let label = account.name.clone().unwrap_or_else(|| account.id.clone());
    let entry_error = |message: String| ConfigError::Entry {
        place: format!("account \"{label}\" in hats config"),
        message,
    };
    let id = AccountId::parse(&account.id).map_err(|e| entry_error(e.to_string()))?;
    let (source, source_mfa) = source_of(profiles, keyring, &account.source).map_err(entry_error)?;
    let mfa = match &account.mfa_serial {
        Some(serial) => Some(MfaDevice {
            serial: MfaSerial::parse(serial).map_err(|e| entry_error(e.to_string()))?,
            process: account.mfa_process.clone(),
        }),
        None => source_mfa,
    };
    let source_identity = account
        .source_identity
        .as_deref()
        .map(SourceIdentity::parse)
        .transpose()
        .map_err(|e| entry_error(e.to_string()))?;
    let tags = SessionTags::new(
        account.session_tags.clone().into_iter().collect(),
        account.transitive_tag_keys.clone(),
    )
    .map_err(|e| entry_error(e.to_string()))?;
    let partition = account_partition(account, &source, mfa.as_ref());
    account
        .roles
        .iter()
        .map(|role| {
            let role_arn = RoleArn::from_parts(partition, &id, role)
                .map_err(|_| entry_error(format!("role \"{role}\" is not a valid IAM role name")))?;
            let target = Target {
                name: format!("{label}/{role}"),
                alias: account.name.is_some().then(|| format!("{id}/{role}")),
                origin: Origin::HatsConfig,
                account_id: Some(id.clone()),
                account_name: account.name.clone(),
                region: account.region.clone(),
                production: account.production,
                tags: std::sync::Arc::new(account.tags.clone()),
                ou_path: None,
                spec: Spec::Role(RoleSpec {
                    profile: None,
                    role_arn,
                    source: source.clone(),
                    mfa: mfa.clone(),
                    external_id: account.external_id.clone(),
                    session_name: None,
                    duration: account.duration,
                    source_identity: source_identity.clone(),
                    tags: tags.clone(),
                }),
            };
            super::clean::clean(target).map_err(entry_error)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
