//! `source_profile` chains as data. From a role profile, a loop follows
//! `source_profile` down to the base that starts the chain (keys, an
//! Identity Center profile, a `credential_source`, a web identity token),
//! refusing cycles and chains longer than [`MAX_CHAIN`]; then each profile
//! on the way becomes one hop, first to last. A profile whose long-term key
//! is in the OS keyring (`keyring`, names only) is a base of its own, with or
//! without a section in the AWS files.

use super::super::target::{Chain, MfaDevice, Options, RoleSpec, Source, Via};
use super::profiles::{duration_seconds, lookup, mfa_device};
use crate::config::{ConfigError, is_sso, sso_role, web_identity};
use crate::domain::{CredentialSource, RoleArn, SessionTags, SourceIdentity};
use aws_config::profile::{Profile, ProfileSet};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The most role profiles one `source_profile` chain may hold: each is a real
/// `AssumeRole`, so a chain this long is a generated or broken file.
pub(super) const MAX_CHAIN: usize = 32;

/// The chain that ends in role profile `name`.
pub(super) fn chain_of(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
) -> Result<Chain, ConfigError> {
    let (found, base) = walk(profiles, keyring, name)?;
    let mut hops = Vec::with_capacity(found.len());
    // Innermost first: that is the order a chain is assumed in, and the order
    // a broken value deeper in the chain is reported in.
    for (i, (hop_name, profile, role_arn)) in found.into_iter().rev().enumerate() {
        let below = (i == 0).then_some(&base);
        hops.push(hop(profiles, &hop_name, profile, role_arn, below)?);
    }
    let role = hops.pop().expect("a chain has its own role");
    Ok(Chain {
        base,
        via: hops,
        role,
    })
}

/// The source a hats account or the organization names: a plain profile, an
/// Identity Center profile, or a role profile (the roles it assumes on its
/// way); with the profile's own MFA device for plain profiles (and keyring
/// profiles, which may have no section at all).
pub(in crate::inventory) fn source_of(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
) -> Result<(Via, Option<MfaDevice>), String> {
    let in_keyring = keyring.contains(name);
    let direct = |base| Via {
        base,
        roles: Vec::new(),
    };
    let keyring_base = || Source::Credentials(CredentialSource::Keyring(name.to_owned()));
    let Some(profile) = lookup(profiles, name) else {
        if in_keyring {
            return Ok((direct(keyring_base()), None));
        }
        return Err(format!(
            "source \"{name}\" is not a profile in the AWS config or credentials file"
        ));
    };
    if profile.get("role_arn").is_some() {
        let Chain { base, mut via, role } = chain_of(profiles, keyring, name).map_err(|e| e.to_string())?;
        via.push(role);
        return Ok((Via { base, roles: via }, None));
    }
    if !in_keyring && is_sso(profile) {
        let sso = sso_role(profiles, profile).map_err(|e| e.to_string())?;
        return Ok((direct(Source::Sso(Box::new(sso))), None));
    }
    let base = if in_keyring {
        keyring_base()
    } else {
        Source::profile(name)
    };
    let mfa = mfa_device(profile).map_err(|e| e.to_string())?;
    Ok((direct(base), mfa))
}

/// A role profile on the way: its name, its section, its role.
type Found<'p> = (String, &'p Profile, RoleArn);

/// Follows `source_profile` from `name`: the role profiles on the way,
/// outermost first, and the base under the last one.
fn walk<'p>(
    profiles: &'p ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
) -> Result<(Vec<Found<'p>>, Source), ConfigError> {
    let mut names: Vec<Found<'p>> = Vec::new();
    let mut current = name.to_owned();
    loop {
        let profile =
            lookup(profiles, &current).ok_or_else(|| ConfigError::profile(&current, "does not exist"))?;
        let role_arn = RoleArn::parse(profile.get("role_arn").unwrap_or_default())
            .map_err(|e| ConfigError::profile(&current, e.to_string()))?;
        names.push((current.clone(), profile, role_arn));
        let next = match link(profiles, keyring, &current, profile)? {
            Link::Base(base) => return Ok((names, base)),
            Link::Role(next) => next,
        };
        if names.iter().any(|(seen, _, _)| *seen == next) {
            let mut cycle: Vec<&str> = names.iter().map(|(n, _, _)| n.as_str()).collect();
            cycle.push(&next);
            return Err(ConfigError::profile(
                &current,
                format!("source_profile loop: {}; break the cycle", cycle.join(" -> ")),
            ));
        }
        if names.len() >= MAX_CHAIN {
            return Err(ConfigError::profile(
                &current,
                format!(
                    "source_profile chain {} -> ... -> {next} is longer than {MAX_CHAIN} roles; shorten it",
                    names[0].0
                ),
            ));
        }
        current = next;
    }
}

/// What a role profile is assumed with.
enum Link {
    /// The base of the chain.
    Base(Source),
    /// Another role profile.
    Role(String),
}

fn link(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
    profile: &Profile,
) -> Result<Link, ConfigError> {
    if web_identity::declared(profile) {
        return web_identity::profile_token(profile)
            .map(|token| Link::Base(Source::WebIdentity(Box::new(token))));
    }
    match (profile.get("source_profile"), profile.get("credential_source")) {
        (Some(_), Some(_)) => Err(ConfigError::profile(
            name,
            "sets both source_profile and credential_source; keep one",
        )),
        (Some(source), None) => source_link(profiles, keyring, name, source),
        (None, Some(kind)) => credential_source(name, kind).map(|c| Link::Base(Source::Credentials(c))),
        (None, None) => Err(ConfigError::profile(
            name,
            "has role_arn but neither source_profile nor credential_source; add source_profile = NAME \
             (or web_identity_token_file = PATH for an OIDC token)",
        )),
    }
}

fn source_link(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    name: &str,
    source: &str,
) -> Result<Link, ConfigError> {
    let in_keyring = keyring.contains(source);
    let keyring_base = || Link::Base(Source::Credentials(CredentialSource::Keyring(source.to_owned())));
    let Some(source_profile) = lookup(profiles, source) else {
        if in_keyring {
            return Ok(keyring_base());
        }
        return Err(ConfigError::profile(
            name,
            format!("source_profile \"{source}\" does not exist in the AWS config or credentials file"),
        ));
    };
    // A profile may name itself as source when it also holds the keys.
    let self_with_keys = source == name && (in_keyring || source_profile.get("aws_access_key_id").is_some());
    let is_role = source_profile.get("role_arn").is_some();
    if in_keyring && (self_with_keys || !is_role) {
        return Ok(keyring_base());
    }
    if !self_with_keys && !is_role && is_sso(source_profile) {
        return Ok(Link::Base(Source::Sso(Box::new(sso_role(
            profiles,
            source_profile,
        )?))));
    }
    if self_with_keys || !is_role {
        return Ok(Link::Base(Source::profile(source)));
    }
    Ok(Link::Role(source.to_owned()))
}

fn credential_source(name: &str, kind: &str) -> Result<CredentialSource, ConfigError> {
    match kind {
        "Environment" => Ok(CredentialSource::Environment),
        "Ec2InstanceMetadata" => Ok(CredentialSource::InstanceMetadata),
        "EcsContainer" => Ok(CredentialSource::EcsContainer),
        other => Err(ConfigError::profile(
            name,
            format!(
                "credential_source \"{other}\" is not one of Environment, Ec2InstanceMetadata, EcsContainer"
            ),
        )),
    }
}

/// Profile `name`'s role as one hop; `base` is the chain's base for its first
/// hop (an IAM user that declares an MFA device uses it for every role it assumes).
fn hop(
    profiles: &ProfileSet,
    name: &str,
    profile: &Profile,
    role_arn: RoleArn,
    base: Option<&Source>,
) -> Result<RoleSpec, ConfigError> {
    let mut mfa = mfa_device(profile)?;
    if mfa.is_none()
        && let Some(Source::Credentials(
            CredentialSource::Profile(source_name) | CredentialSource::Keyring(source_name),
        )) = base
        && let Some(source_profile) = lookup(profiles, source_name)
    {
        mfa = mfa_device(source_profile)?;
    }
    let invalid = |e: crate::domain::InvalidValue| ConfigError::profile(name, e.to_string());
    Ok(RoleSpec {
        profile: Some(name.to_owned()),
        role_arn,
        mfa: mfa.map(Arc::new),
        options: Options {
            external_id: profile.get("external_id").map(str::to_owned),
            session_name: profile.get("role_session_name").map(str::to_owned),
            duration: duration_seconds(profile)?,
            source_identity: profile
                .get("source_identity")
                .map(SourceIdentity::parse)
                .transpose()
                .map_err(invalid)?,
            tags: SessionTags::parse(profile.get("session_tags"), profile.get("transitive_tag_keys"))
                .map_err(invalid)?,
        }
        .into(),
    })
}

#[cfg(test)]
mod tests;
