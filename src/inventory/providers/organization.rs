//! The organization as facts: every account of the cached inventory (active
//! ones unless `include_inactive`), with the roles `[organization]` offers in
//! it (its `roles` plus each matching rule's, minus exclusions), assumed with
//! the credentials of its `via` (else `source`) profile.

use super::super::stage::{AccountFacts, Accounts, Batch, Naming, Verdict, offered_roles};
use super::super::target::{MfaDevice, Origin, RoleSpec, Spec};
use super::super::target_set::TargetSet;
use super::source_of;
use crate::config::{OrganizationEntry, sdk_name};
use crate::domain::{AccountId, Inventory, MfaSerial, OrgAccount, Partition, RoleArn};
use aws_config::profile::ProfileSet;
use std::sync::Arc;

/// The organization's batch; what cannot be used is added to `set.broken`.
pub(super) fn batch<'a>(
    set: &mut TargetSet,
    profiles: &ProfileSet,
    org: &'a OrganizationEntry,
    inventory: &'a Inventory,
) -> Option<Batch<'a>> {
    let place = "[organization] in hats config";
    let keyring = Arc::clone(&set.keyring_profiles);
    let mut broken = |message: String| {
        set.broken
            .push(crate::config::broken("organization", place, message))
    };
    let via = org.via.as_deref().unwrap_or(&org.source);
    let (way, via_mfa) = source_of(profiles, &keyring, via).map_err(&mut broken).ok()?;
    let mfa = match &org.mfa_serial {
        Some(serial) => Some(MfaDevice {
            serial: MfaSerial::parse(serial).map_err(|e| broken(e.to_string())).ok()?,
            process: org.mfa_process.clone(),
        }),
        None => via_mfa,
    }
    .map(Arc::new);
    // A role name is checked once here, not once in every account.
    let mut checked: Vec<&str> = Vec::new();
    for role in org.roles.iter().chain(org.rules.iter().flat_map(|r| &r.roles)) {
        if !checked.contains(&role.as_str()) {
            checked.push(role);
            if !crate::domain::is_role_name(role) {
                broken(format!("role \"{role}\" is not a valid IAM role name"));
            }
        }
    }
    let rules: Vec<_> = org.rules.iter().collect();
    let most_roles = checked.len() * inventory.accounts.len();
    let partition = inventory.partition;
    let offers = {
        let rules = rules.clone();
        move |account: &'a OrgAccount| {
            let id = AccountId::parse(&account.id).ok()?;
            let mut facts = AccountFacts {
                id,
                name: &account.name,
                ou_path: Some(&account.ou_path),
                tags: Some(&account.tags),
                roles: Vec::new(),
            };
            let verdict = Verdict::of(&rules, &facts);
            if verdict.offered {
                facts.roles = offered_roles(&org.roles, &verdict)
                    .into_iter()
                    .filter_map(|role| RoleArn::from_parts(partition, &id, role).ok())
                    .map(|role_arn| {
                        Spec::Role(way.to(RoleSpec::unnamed(role_arn, mfa.clone(), Default::default())))
                    })
                    .collect();
            }
            Some(facts)
        }
    };
    let accounts = inventory
        .accounts
        .iter()
        .filter(|a| org.include_inactive || a.is_active())
        .filter_map(offers);
    Some(Batch {
        origin: Origin::Organization,
        naming: Naming::Discovered,
        qualifier: "organization".into(),
        place: place.into(),
        rules,
        region: Some(offer_region(profiles, org, inventory)),
        tags: Default::default(),
        production: false,
        accounts: Accounts::lazy(inventory.accounts.len(), most_roles, accounts),
    })
}

/// The region exported with the offered roles, so a child always has one (an
/// `aws` child with none fails): `[organization] region`, else the region of
/// the profile whose credentials assume them (`via`, else `source`), else the
/// region discovery called, else the partition's home region (`us-east-1`).
/// A region of another partition than the organization's is passed over.
pub(super) fn offer_region(profiles: &ProfileSet, org: &OrganizationEntry, inventory: &Inventory) -> String {
    let profile_region = |name: &str| {
        profiles
            .get_profile(&sdk_name(name))
            .and_then(|p| p.get("region"))
            .map(str::to_owned)
    };
    let in_partition =
        |r: &String| crate::config::check_region(r).is_ok() && Partition::of_region(r) == inventory.partition;
    org.region
        .clone()
        .or_else(|| {
            [org.via.as_deref(), Some(org.source.as_str())]
                .into_iter()
                .flatten()
                .filter_map(profile_region)
                .find(in_partition)
        })
        .or_else(|| inventory.region.clone().filter(in_partition))
        .unwrap_or_else(|| inventory.partition.default_region().to_owned())
}
