//! The ways in, each turning what it reads into facts for the inventory stage
//! (`inventory/stage/`): AWS profiles (named by the user, built here as
//! targets, with the profiles whose keys `hats keys` keeps in the OS keyring),
//! `[[account]]`s, the organization, Identity Center sign-ins and SAML
//! sources. Providers read and check their own entries; none names a target.

mod accounts;
mod chains;
mod identity_center;
mod organization;
mod profiles;
mod saml;
mod web_identity;

pub(super) use chains::source_of;
#[cfg(test)]
pub(crate) use profiles::tests::{profiles_of, targets_of};

use super::stage::{Batch, stage};
use super::target_set::TargetSet;
use crate::config::{DiscoveredRoles, HatsFile, SsoSession};
use crate::domain::Inventory;
use aws_config::profile::ProfileSet;
use std::path::Path;
use std::sync::Arc;

/// What discovery left in the cache directory, as start-up read it.
#[derive(Debug, Clone, Copy)]
pub struct Discovered<'a> {
    /// The organization's inventory: offers roles when `[organization]` is
    /// configured, and names SAML roles' accounts either way.
    pub organization: Option<&'a Inventory>,
    /// Each sign-in's Identity Center inventory, sign-ins sorted by key.
    pub identity_center: &'a [(Arc<SsoSession>, Inventory)],
    /// The roles SAML sources' assertions granted (`saml-roles.json`); `None`:
    /// not read, and no SAML targets are built.
    pub saml: Option<&'a DiscoveredRoles>,
    /// The cache directory, where a SAML source records new roles.
    pub cache_dir: &'a Path,
}

impl Default for Discovered<'_> {
    /// Nothing discovered: the targets the AWS files and hats' own config name.
    fn default() -> Self {
        Self {
            organization: None,
            identity_center: &[],
            saml: None,
            cache_dir: Path::new(""),
        }
    }
}

/// Every target: AWS profiles first (sorted by name), then hats' accounts and
/// `[web_identity.NAME]` roles, the organization's offers, Identity Center
/// roles (sign-ins by key) and SAML roles.
pub fn build_targets(profiles: &ProfileSet, file: &HatsFile, discovered: Discovered<'_>) -> TargetSet {
    let mut set = profiles::targets(profiles, &file.keyring_profiles);
    let mut batches: Vec<Batch<'_>> = Vec::new();
    for account in &file.accounts {
        match accounts::batch(profiles, &set.keyring_profiles, account) {
            Ok(batch) => batches.push(batch),
            Err(broken) => set.broken.push(broken),
        }
    }
    for (name, entry) in &file.web_identity {
        match web_identity::batch(name, entry) {
            Ok(batch) => batches.push(batch),
            Err(broken) => set.broken.push(broken),
        }
    }
    let organization = file.organization.as_ref().zip(discovered.organization);
    if let Some((org, inventory)) = organization {
        batches.extend(organization::batch(&mut set, profiles, org, inventory));
    }
    batches.extend(identity_center::batches(
        discovered.identity_center,
        file.identity_center.as_ref(),
        organization,
        set.default_region.as_ref(),
    ));
    if let Some(roles) = discovered.saml {
        let named: Vec<&Inventory> = discovered
            .organization
            .into_iter()
            .chain(discovered.identity_center.iter().map(|(_, inv)| inv))
            .collect();
        batches.extend(saml::batches(&mut set, file, discovered.cache_dir, roles, &named));
    }
    stage(&mut set, batches, &file.defaults.production_patterns);
    set
}

#[cfg(test)]
mod tests;
