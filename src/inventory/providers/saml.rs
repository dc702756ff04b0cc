//! SAML sources as facts: every role the recorded assertion of each
//! `[saml.NAME]` granted (filtered by its `roles`), assumed with
//! `AssumeRoleWithSAML`. An account is known by the first inventory that
//! names it (the organization's, then Identity Center's in sign-in order), so
//! the organization's OU path and tags reach the rules, and names are stable.

use super::super::stage::{AccountFacts, Batch, Naming};
use super::super::target::{Chain, Options, Origin, Source, Spec};
use super::super::target_set::TargetSet;
use crate::config::{DiscoveredRoles, DiscoveredSource, HatsFile, SamlEntry, SamlSource, saml_command};
use crate::domain::{Inventory, OrgAccount, RoleArn};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One batch per source that has discovered roles; the others are added to `set.broken`.
pub(super) fn batches<'a>(
    set: &mut TargetSet,
    file: &'a HatsFile,
    cache_dir: &Path,
    discovered: &DiscoveredRoles,
    inventories: &[&'a Inventory],
) -> Vec<Batch<'a>> {
    let book = book(inventories);
    let rules: Vec<_> = file.organization.iter().flat_map(|o| o.rules.iter()).collect();
    let mut batches = Vec::new();
    for (name, entry) in &file.saml {
        let place = format!("saml.{}", crate::config::printable(name));
        let command = match saml_command(name, entry) {
            Ok(command) => command,
            Err(e) => {
                set.broken.push((place, e));
                continue;
            }
        };
        let Some(found) = discovered.get(name) else {
            set.broken.push(crate::config::broken(
                &place,
                format!("[saml.{name}] in hats config"),
                format!(
                    "no roles discovered yet; run `hats saml sync {name}` (it runs assertion_process once)"
                ),
            ));
            continue;
        };
        let source = |principal_arn: &str| SamlSource {
            name: name.clone(),
            command: command.clone(),
            principal_arn: principal_arn.to_owned(),
            max_duration: found.session_duration,
            cache_dir: cache_dir.to_owned(),
        };
        let accounts = accounts(entry, found, &book, source);
        batches.push(Batch {
            origin: Origin::Saml,
            naming: Naming::Discovered,
            qualifier: name.clone(),
            place: format!("[saml.{name}] in hats config"),
            rules: rules.clone(),
            region: entry.region.clone(),
            tags: BTreeMap::from([("saml".to_owned(), name.clone())]),
            production: false,
            accounts: accounts.into(),
        });
    }
    batches
}

/// One account record per role the source granted and `entry.roles` keeps,
/// in the assertion's order (which the targets keep).
fn accounts<'a>(
    entry: &SamlEntry,
    found: &DiscoveredSource,
    book: &HashMap<&'a str, &'a OrgAccount>,
    source: impl Fn(&str) -> SamlSource,
) -> Vec<AccountFacts<'a>> {
    let kept = |role_arn: &RoleArn| {
        entry.roles.is_empty()
            || entry
                .roles
                .iter()
                .any(|r| r.eq_ignore_ascii_case(role_arn.name()))
    };
    let mut accounts = Vec::with_capacity(found.roles.len());
    for role in &found.roles {
        let Ok(role_arn) = RoleArn::parse(&role.role_arn) else {
            continue;
        };
        if !kept(&role_arn) {
            continue;
        }
        let id = *role_arn.account();
        let mut chain = Chain::direct(Source::Saml(Box::new(source(&role.principal_arn))), role_arn);
        chain.role.options = Options {
            duration: entry.duration,
            ..Options::default()
        }
        .into();
        let spec = Spec::Role(chain);
        let known = book.get(id.as_str()).copied();
        accounts.push(AccountFacts {
            name: known.map_or("", |k| k.name.as_str()),
            ou_path: known.map(|k| k.ou_path.as_slice()),
            tags: known.map(|k| &k.tags),
            id,
            roles: vec![spec],
        });
    }
    accounts
}

/// Every account the inventories name, by id: the first record that names it.
fn book<'a>(inventories: &[&'a Inventory]) -> HashMap<&'a str, &'a OrgAccount> {
    let mut book = HashMap::new();
    for account in inventories.iter().flat_map(|inv| &inv.accounts) {
        if !account.name.is_empty() {
            book.entry(account.id.as_str()).or_insert(account);
        }
    }
    book
}

#[cfg(test)]
mod tests;
