//! SAML sources (`[saml.NAME]` in hats' config): every role of the identity
//! provider's assertion becomes a target, assumed with `AssumeRoleWithSAML`.
//!
//! Targets come from the discovered role list (`saml-roles.json` in the cache
//! directory: role and provider ARNs, no secrets), so listing them runs no
//! command. The assertion itself is a secret the session engine asks for when
//! it needs one; this module never sees it.

use super::hats_file::{OrganizationEntry, SamlEntry};
use super::target::{Origin, RoleSpec, Source, Spec, Target, TargetSet};
use super::{ConfigError, HatsFile};
use crate::domain::{AccountId, Inventory, OrgAccount, RoleArn, SessionTags, target_safe};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One SAML source as a target's credential source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlSource {
    /// `NAME` of `[saml.NAME]`.
    pub name: String,
    /// `assertion_process`, split into the program and its arguments (no shell).
    pub command: Vec<String>,
    /// The `saml-provider` ARN paired with this role in the discovered assertion.
    pub principal_arn: String,
    /// `SessionDuration` of the discovered assertion, in seconds.
    pub max_duration: Option<u32>,
    /// The cache directory, where a new assertion's roles are recorded.
    pub cache_dir: PathBuf,
}

impl SamlSource {
    /// A short description for listings and cache keys.
    pub fn describe(&self) -> String {
        format!("(saml {})", self.name)
    }
}

/// One discovered role: what `saml-roles.json` keeps (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredRole {
    /// The role.
    pub role_arn: String,
    /// Its identity provider (`PrincipalArn`).
    pub principal_arn: String,
}

/// The roles one source's assertion granted when its command last ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredSource {
    /// When the command ran.
    pub fetched_at: jiff::Timestamp,
    /// The assertion's `SessionDuration`, when it had one.
    pub session_duration: Option<u32>,
    /// Every role pair, in the assertion's order.
    pub roles: Vec<DiscoveredRole>,
}

/// `saml-roles.json`: the discovered roles of every source, by source name.
pub type DiscoveredRoles = BTreeMap<String, DiscoveredSource>;

/// `saml-roles.json` in the cache directory.
pub fn saml_roles_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("saml-roles.json")
}

/// The discovered roles; empty when none were discovered or the file is unreadable.
pub fn load_saml_roles(cache_dir: &Path) -> DiscoveredRoles {
    std::fs::read(saml_roles_path(cache_dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The program and arguments of `entry`, or why it is not a command line.
pub fn saml_command(name: &str, entry: &SamlEntry) -> Result<Vec<String>, ConfigError> {
    shlex::split(&entry.assertion_process)
        .filter(|words| !words.is_empty())
        .ok_or_else(|| {
            saml_error(
                name,
                format!(
                    "assertion_process \"{}\" is not a command line (empty, or a quote left open); \
                     write the program and its arguments, e.g. corp-idp saml --aws",
                    super::printable(&entry.assertion_process)
                ),
            )
        })
}

fn saml_error(name: &str, message: String) -> ConfigError {
    ConfigError::Entry {
        place: format!("[saml.{name}] in hats config"),
        message,
    }
}

/// Adds the discovered roles of every `[saml.*]` source to `set`, named
/// `ACCOUNT-NAME/ROLE` when one of `inventories` names the account, else
/// `ACCOUNT-ID/ROLE`. `inventories` go first to last: the organization's, then
/// the Identity Center ones in sign-in order, so the same files give the same names.
/// A source not discovered yet is listed as broken with the command that discovers it.
pub fn add_saml(
    set: &mut TargetSet,
    file: &HatsFile,
    cache_dir: &Path,
    discovered: &DiscoveredRoles,
    inventories: &[&Inventory],
) {
    let accounts = AccountBook::new(inventories);
    let mut taken: HashSet<String> = set
        .targets
        .iter()
        .flat_map(|t| std::iter::once(t.name.clone()).chain(t.alias.clone()))
        .collect();
    for (name, entry) in &file.saml {
        let place = format!("saml.{}", super::printable(name));
        let command = match saml_command(name, entry) {
            Ok(command) => command,
            Err(e) => {
                set.broken.push((place, e));
                continue;
            }
        };
        let Some(found) = discovered.get(name) else {
            set.broken.push((
                place,
                saml_error(
                    name,
                    format!("no roles discovered yet; run `hats saml sync {name}` (it runs assertion_process once)"),
                ),
            ));
            continue;
        };
        for role in &found.roles {
            let Ok(role_arn) = RoleArn::parse(&role.role_arn) else {
                continue;
            };
            if !entry.roles.is_empty()
                && !entry
                    .roles
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(role_arn.name()))
            {
                continue;
            }
            let source = SamlSource {
                name: name.clone(),
                command: command.clone(),
                principal_arn: role.principal_arn.clone(),
                max_duration: found.session_duration,
                cache_dir: cache_dir.to_owned(),
            };
            let account = accounts.get(role_arn.account());
            let Some(production) = org_rules(file.organization.as_ref(), &account) else {
                continue;
            };
            let by_id = format!("{}/{}", role_arn.account(), role_arn.name());
            let by_name = (!account.name.is_empty())
                .then(|| format!("{}/{}", target_safe(&account.name), role_arn.name()));
            // A role another source already offers under both names (a second
            // IdP granting the same role) is qualified by this source, as a
            // role of a second Identity Center sign-in is by its session.
            let qualified = format!("{by_id}@{}", target_safe(name));
            let Some(target_name) = [by_name, Some(by_id.clone()), Some(qualified)]
                .into_iter()
                .flatten()
                .find(|n| !taken.contains(n))
            else {
                set.broken.push((
                    by_id.clone(),
                    saml_error(
                        name,
                        format!(
                            "role \"{role_arn}\" is offered by earlier targets under every name it could \
                             take (\"{by_id}\", \"{by_id}@{}\"); filter it out with roles = [...]",
                            target_safe(name)
                        ),
                    ),
                ));
                continue;
            };
            taken.insert(target_name.clone());
            let alias = (target_name != by_id && taken.insert(by_id.clone())).then_some(by_id);
            set.targets.push(Target {
                name: target_name,
                alias,
                origin: Origin::Saml,
                account_id: Some(role_arn.account().clone()),
                // Cleaned again: the file may have been written by another tool.
                account_name: (!account.name.is_empty()).then(|| crate::domain::clean_text(&account.name)),
                region: entry.region.clone(),
                production,
                tags: Arc::new(BTreeMap::from([("saml".to_owned(), name.clone())])),
                ou_path: (!account.ou_path.is_empty()).then(|| account.ou_path_text()),
                spec: Spec::Role(RoleSpec {
                    profile: None,
                    role_arn,
                    source: Source::Saml(Box::new(source)),
                    mfa: None,
                    external_id: None,
                    session_name: None,
                    duration: entry.duration,
                    source_identity: None,
                    tags: SessionTags::default(),
                }),
            });
        }
    }
}

/// Every account the inventories know, by id: the first record that names it.
/// An organization record comes first, so its OU path and tags reach the rules.
struct AccountBook<'a>(HashMap<&'a str, &'a OrgAccount>);

impl<'a> AccountBook<'a> {
    fn new(inventories: &[&'a Inventory]) -> Self {
        let mut book = HashMap::new();
        for account in inventories.iter().flat_map(|inv| &inv.accounts) {
            if !account.name.is_empty() {
                book.entry(account.id.as_str()).or_insert(account);
            }
        }
        Self(book)
    }

    /// The record of `id`, or a nameless stand-in (rules can still name it by id).
    fn get(&self, id: &AccountId) -> OrgAccount {
        self.0.get(id.as_str()).map_or_else(
            || OrgAccount {
                id: id.to_string(),
                name: String::new(),
                state: "ACTIVE".into(),
                ou_path: Vec::new(),
                tags: BTreeMap::new(),
                roles: Vec::new(),
            },
            |account| (*account).clone(),
        )
    }
}

/// The organization's skip and include rules decide whether the account is
/// offered (`None`: not), its production rules whether it is guarded.
fn org_rules(org: Option<&OrganizationEntry>, account: &OrgAccount) -> Option<bool> {
    let Some(org) = org else {
        return Some(false);
    };
    let rules: Vec<_> = org
        .rules
        .iter()
        .filter(|r| super::org_offers::matches(r, account))
        .collect();
    let has_includes = org.rules.iter().any(|r| r.include);
    if rules.iter().any(|r| r.skip) || (has_includes && !rules.iter().any(|r| r.include)) {
        return None;
    }
    Some(rules.iter().any(|r| r.production))
}

#[cfg(test)]
#[path = "saml_tests.rs"]
mod tests;
