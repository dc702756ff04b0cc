//! Identity Center sign-ins as facts: every role assigned in every account of
//! each sign-in's cached inventory, handed out by the portal (`Spec::Sso`).
//! Accounts the organization inventory knows lend it their OU path and tags,
//! so its rules see them; `[[identity_center.rule]]`s come after the organization's.

use super::super::stage::{AccountFacts, Accounts, Batch, Naming};
use super::super::target::{Origin, Spec};
use crate::config::{IdentityCenterEntry, OrganizationEntry, SsoRole, SsoSession};
use crate::domain::{AccountId, Inventory, OrgAccount};
use foldhash::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// One batch per sign-in, in the order given (sorted by key, so names stay put).
pub(super) fn batches<'a>(
    found: &'a [(Arc<SsoSession>, Inventory)],
    entry: Option<&'a IdentityCenterEntry>,
    org: Option<(&'a OrganizationEntry, &'a Inventory)>,
    default_region: Option<&String>,
) -> Vec<Batch<'a>> {
    // Shared by each sign-in's accounts, which are made as the stage takes them.
    let known: Rc<HashMap<&str, &OrgAccount>> = Rc::new(
        org.map(|(_, inv)| inv.accounts.iter().map(|a| (a.id.as_str(), a)).collect())
            .unwrap_or_default(),
    );
    let rules: Vec<_> = org
        .map(|(o, _)| o.rules.iter())
        .into_iter()
        .flatten()
        .chain(entry.map(|e| e.rules.iter()).into_iter().flatten())
        .collect();
    found
        .iter()
        .map(|(session, inventory)| {
            let known = Rc::clone(&known);
            Batch {
                origin: Origin::IdentityCenter,
                naming: Naming::Discovered,
                qualifier: session.key().to_owned(),
                place: format!("Identity Center sign-in \"{}\"", session.key()),
                rules: rules.clone(),
                region: region(entry, default_region, session),
                tags: Default::default(),
                production: false,
                accounts: Accounts::lazy(
                    inventory.accounts.len(),
                    inventory.accounts.iter().map(|a| a.roles.len()).sum(),
                    inventory.accounts.iter().filter_map(move |account| {
                        facts(account, known.get(account.id.as_str()).copied(), session)
                    }),
                ),
            }
        })
        .collect()
}

fn facts<'a>(
    account: &'a OrgAccount,
    known: Option<&'a OrgAccount>,
    session: &Arc<SsoSession>,
) -> Option<AccountFacts<'a>> {
    let id = AccountId::parse(&account.id).ok()?;
    let roles = account
        .roles
        .iter()
        .map(|role| {
            Spec::Sso(SsoRole {
                // Set to the target's name once the stage has named it.
                profile: String::new(),
                session: Arc::clone(session),
                account_id: id,
                role_name: role.clone(),
            })
        })
        .collect();
    Some(AccountFacts {
        id,
        name: &account.name,
        ou_path: known.map(|k| k.ou_path.as_slice()),
        tags: known.map(|k| &k.tags),
        roles,
    })
}

/// The region exported with a discovered role: `[identity_center] region`, else
/// `[default]`'s, else the sign-in's own (a child needs one, and it is where the
/// user's Identity Center lives).
fn region(
    entry: Option<&IdentityCenterEntry>,
    default: Option<&String>,
    session: &SsoSession,
) -> Option<String> {
    entry
        .and_then(|e| e.region.clone())
        .or_else(|| default.cloned())
        .or_else(|| Some(session.region.clone()))
}
