//! hats' own `[[account]]`s as facts: the listed roles of one account, assumed
//! with the credentials of its `source` profile (or the role that profile assumes).
//! Names are the user's (`NAME/ROLE`, else `ID/ROLE`): the stage keeps them as written.

use super::super::clean;
use super::super::stage::{AccountFacts, Batch, Naming};
use super::super::target::{MfaDevice, Options, Origin, RoleOptions, RoleSpec, Spec, Via};
use super::source_of;
use crate::config::{AccountEntry, Broken};
use crate::domain::{AccountId, MfaSerial, Partition, RoleArn, SessionTags, SourceIdentity};
use aws_config::profile::ProfileSet;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The batch of one `[[account]]`, or (name, why) when it cannot be used.
pub(super) fn batch<'a>(
    profiles: &ProfileSet,
    keyring: &BTreeSet<String>,
    account: &'a AccountEntry,
) -> Result<Batch<'a>, Broken> {
    let label = account.name.clone().unwrap_or_else(|| account.id.clone());
    let place = format!("account \"{label}\" in hats config");
    let broken = |message: String| crate::config::broken(&label, &place, message);
    let id = AccountId::parse(&account.id).map_err(|e| broken(e.to_string()))?;
    let (way, source_mfa) = source_of(profiles, keyring, &account.source).map_err(broken)?;
    let mfa = match &account.mfa_serial {
        Some(serial) => Some(MfaDevice {
            serial: MfaSerial::parse(serial).map_err(|e| broken(e.to_string()))?,
            process: account.mfa_process.clone(),
        }),
        None => source_mfa,
    }
    .map(Arc::new);
    let options = RoleOptions::from(Options {
        external_id: account.external_id.clone(),
        session_name: None,
        duration: account.duration,
        source_identity: account
            .source_identity
            .as_deref()
            .map(SourceIdentity::parse)
            .transpose()
            .map_err(|e| broken(e.to_string()))?,
        tags: SessionTags::new(
            account.session_tags.clone().into_iter().collect(),
            account.transitive_tag_keys.clone(),
        )
        .map_err(|e| broken(e.to_string()))?,
    });
    let partition = partition(account, &way, mfa.as_deref());
    let roles = account
        .roles
        .iter()
        .map(|role| {
            let role_arn = RoleArn::from_parts(partition, &id, role)
                .map_err(|_| broken(format!("role \"{role}\" is not a valid IAM role name")))?;
            let spec = Spec::Role(way.to(RoleSpec::unnamed(role_arn, mfa.clone(), options.clone())));
            clean::check(account.region.as_deref(), &spec).map_err(&broken)?;
            Ok(spec)
        })
        .collect::<Result<Vec<Spec>, _>>()?;
    Ok(Batch {
        origin: Origin::HatsConfig,
        naming: Naming::Configured,
        qualifier: String::new(),
        place,
        rules: Vec::new(),
        region: account.region.clone(),
        tags: account.tags.clone(),
        production: account.production,
        accounts: vec![AccountFacts {
            id,
            name: account.name.as_deref().unwrap_or_default(),
            ou_path: None,
            tags: None,
            roles,
        }]
        .into(),
    })
}

/// The partition of an `[[account]]`'s roles: its region's, else its
/// source's (a role ARN, an Identity Center region), else its MFA device's.
fn partition(account: &AccountEntry, way: &Via, mfa: Option<&MfaDevice>) -> Partition {
    account
        .region
        .as_deref()
        .map(Partition::of_region)
        .or_else(|| way.partition())
        .or_else(|| mfa.and_then(|m| m.serial.partition()))
        .unwrap_or_default()
}
