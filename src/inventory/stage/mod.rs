//! The inventory stage: the one place where what the providers found becomes targets.
//!
//! Every way in hands over plain facts: an `[[account]]` in hats' config, an
//! organization inventory, an Identity Center sign-in's inventory, the roles a
//! SAML source's assertion granted (see `inventory/providers/`). Each is a
//! [`Batch`]: accounts (id, name, OU path, tags) with the roles offered in them,
//! each role as the [`Spec`] that gets its credentials, plus what the batch's
//! config entry says (rules, region, tags, production). This stage alone decides:
//!
//! - names and aliases: `LABEL/ROLE` with `ID/ROLE` as alias, where a discovered
//!   account's label is its name in the one charset of discovered names
//!   ([`crate::domain::discovered_label`]), else its id; a label belongs to the
//!   first account that uses it; then `ID/ROLE`, then `ID/ROLE@QUALIFIER` (the
//!   sign-in or SAML source); a configured name that is taken is refused;
//! - the rules: skip, include, production, excluded roles, and the production
//!   name patterns of `[defaults]`;
//! - attaching: an AWS profile whose role lives in a discovered account learns
//!   the account's name, OU path, tags and production guard; a discovered role a
//!   profile already hands out is shown once, as the profile, and its discovered
//!   names resolve to it (`TargetSet::extra_names`).
//!
//! It never reads a file and does not know which provider a batch came from.

mod naming;
mod rules;

pub(super) use rules::{Verdict, offered_roles};

use super::clean::escaped;
use super::target::{Origin, Spec, Target};
use super::target_set::TargetSet;
use crate::config::OrgRule;
use crate::domain::{AccountId, Tags};
use naming::Names;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a batch's targets are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Naming {
    /// Names from the user's own config, kept as written; a name already taken is refused.
    Configured,
    /// One target named as a whole by its section (`[web_identity.NAME]`);
    /// a name already taken is refused.
    Entry(String),
    /// Names from an API: the charset, and fallbacks to `ID/ROLE` and `ID/ROLE@QUALIFIER`.
    Discovered,
}

/// One account as a provider found it.
#[derive(Debug, Clone)]
pub(super) struct AccountFacts<'a> {
    /// The account.
    pub id: AccountId,
    /// Its name as the provider has it (possibly empty; a discovered one may hold anything).
    pub name: &'a str,
    /// OU names from the root down, when the organization knows the account.
    pub ou_path: Option<&'a [String]>,
    /// The account's tags, when known.
    pub tags: Option<&'a Arc<Tags>>,
    /// Each role offered in it, as the spec that gets its credentials.
    pub roles: Vec<Spec>,
}

/// A batch's accounts, made as the stage takes them: an organization's
/// thousands of role specs are never all held at once beside their targets.
pub(super) struct Accounts<'a> {
    /// At most this many accounts…
    most_accounts: usize,
    /// …offering at most this many roles: room for them is made up front.
    most_roles: usize,
    facts: Box<dyn Iterator<Item = AccountFacts<'a>> + 'a>,
}

impl<'a> Accounts<'a> {
    /// Accounts made one by one by `facts`, at most `most_accounts` of them offering at most `most_roles` roles.
    pub(super) fn lazy(
        most_accounts: usize,
        most_roles: usize,
        facts: impl Iterator<Item = AccountFacts<'a>> + 'a,
    ) -> Self {
        Self {
            most_accounts,
            most_roles,
            facts: Box::new(facts),
        }
    }
}

impl<'a> From<Vec<AccountFacts<'a>>> for Accounts<'a> {
    fn from(facts: Vec<AccountFacts<'a>>) -> Self {
        let roles = facts.iter().map(|a| a.roles.len()).sum();
        Self::lazy(facts.len(), roles, facts.into_iter())
    }
}

/// What one provider found under one config entry.
pub(super) struct Batch<'a> {
    /// Listed as.
    pub origin: Origin,
    /// How its targets are named.
    pub naming: Naming,
    /// What `ID/ROLE@` is followed by when both plain names are taken.
    pub qualifier: String,
    /// Where it is configured, for messages (`[saml.corp] in hats config`).
    pub place: String,
    /// The rules that apply, in order.
    pub rules: Vec<&'a OrgRule>,
    /// Exported with its targets.
    pub region: Option<String>,
    /// Tags its targets carry besides their account's (`saml = NAME`).
    pub tags: BTreeMap<String, String>,
    /// The entry guards its targets as production itself.
    pub production: bool,
    pub accounts: Accounts<'a>,
}

/// Adds the targets of `batches` to `set`, whose targets (the AWS profiles)
/// are already named; then marks targets whose names match `patterns` as production.
pub(super) fn stage(set: &mut TargetSet, batches: Vec<Batch<'_>>, patterns: &[String]) {
    let adding: usize = batches.iter().map(|b| b.accounts.most_roles).sum();
    let accounts: usize = batches.iter().map(|b| b.accounts.most_accounts).sum();
    let mut names = Names::of(set, adding, accounts);
    set.targets.reserve(adding);
    for batch in batches {
        add_batch(set, &mut names, batch);
    }
    if !patterns.is_empty() {
        for target in &mut set.targets {
            target.production |= patterns
                .iter()
                .any(|p| crate::config::wildcard_match(p, &target.name));
        }
    }
}

/// What every target of one account shows, and the AWS profiles in it learn:
/// made once per account, not per role, and escaped as [`super::clean::clean`]
/// would escape them in every one of those targets.
struct Shown {
    account_name: Option<Arc<str>>,
    ou_path: Option<Arc<str>>,
    tags: Arc<Tags>,
    production: bool,
}

fn add_batch(set: &mut TargetSet, names: &mut Names, batch: Batch<'_>) {
    let Batch {
        origin,
        naming,
        qualifier,
        place,
        rules,
        region,
        tags,
        production,
        accounts,
    } = batch;
    let qualifier = crate::domain::discovered_label(&qualifier);
    let region: Option<Arc<str>> = region.map(Into::into);
    // One region for the whole batch: checked once, not once per target.
    let region_check = region.as_deref().map_or(Ok(()), crate::config::check_region);
    for account in accounts.facts {
        let verdict = Verdict::of(&rules, &account);
        if !verdict.offered {
            continue;
        }
        let shown = shown(&account, &naming, &tags, production || verdict.production);
        attach(set, names.profiles_in(&account.id), &shown, account.tags);
        let label = match &naming {
            Naming::Configured if !account.name.is_empty() => account.name.to_owned(),
            Naming::Discovered => crate::domain::discovered_label(account.name),
            Naming::Configured | Naming::Entry(_) => String::new(),
        };
        let label = if label.is_empty() {
            account.id.to_string()
        } else {
            label
        };
        let label_is_ours = names.claim_label(&label, &account.id);
        for spec in account.roles {
            let role = spec.role_name().unwrap_or_default();
            if verdict.excludes(role) || (naming == Naming::Discovered && !crate::domain::is_plain_name(role))
            {
                continue;
            }
            let by_id = [account.id.as_str(), "/", role].concat();
            let primary = [label.as_str(), "/", role].concat();
            // What the user configured is kept as written, even where it repeats a profile.
            if let Some(i) = names.covering(&spec).filter(|_| naming == Naming::Discovered) {
                // Shown once, as the configured target; its discovered names still lead to it.
                for extra in [primary, by_id] {
                    if !names.is_taken(set, &extra) {
                        set.extra_names.insert(extra, i);
                    }
                }
                continue;
            }
            let named = match &naming {
                Naming::Entry(name) => names.entry(set, name, &place),
                Naming::Configured => names.configured(set, primary, by_id),
                Naming::Discovered => {
                    names.discovered(set, label_is_ours, primary, by_id, &qualifier, &place)
                }
            };
            match named {
                Ok((name, alias)) => match region_check
                    .clone()
                    .and_then(|()| super::clean::check_spec(&spec))
                {
                    Ok(()) => {
                        let target = target(name, alias, origin, &account.id, &shown, region.clone(), spec);
                        push(set, names, target);
                    }
                    Err(message) => set.broken.push(crate::config::broken(&name, &place, message)),
                },
                Err(e) => set.broken.push(e),
            }
        }
    }
}

/// Adds `target`, whose values passed the checks every target passes (its
/// region's, its spec's) before it was made. Its descriptive values come from
/// [`shown`]: [`super::clean::clean`] would leave them as they are.
fn push(set: &mut TargetSet, names: &mut Names, target: Target) {
    set.targets.push(target);
    names.record(&set.targets, set.targets.len() - 1);
}

/// The values shown with an account's targets. A discovered name loses its
/// control characters (the inventory is only as trustworthy as the disk); a
/// configured one is escaped, as is every other value.
fn shown(
    account: &AccountFacts<'_>,
    naming: &Naming,
    extra_tags: &BTreeMap<String, String>,
    production: bool,
) -> Shown {
    // An organization's accounts bring no tags of the batch's: theirs are shared, not copied.
    let tags = match account.tags {
        Some(tags) if extra_tags.is_empty() => Arc::clone(tags),
        tags => {
            let account = tags.into_iter().flat_map(|t| t.iter());
            let extra = extra_tags.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            // The batch's own win, as they did when inserted after the account's.
            Arc::new(
                account
                    .chain(extra)
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            )
        }
    };
    let name = match naming {
        Naming::Configured | Naming::Entry(_) => account.name.to_owned(),
        Naming::Discovered => crate::domain::clean_text(account.name),
    };
    Shown {
        account_name: (!name.is_empty()).then(|| escaped(name.into())),
        ou_path: account.ou_path.map(|path| escaped(path.join("/").into())),
        tags: super::clean::escaped_tags(&tags),
        production,
    }
}

fn target(
    name: String,
    alias: Option<String>,
    origin: Origin,
    id: &AccountId,
    shown: &Shown,
    region: Option<Arc<str>>,
    mut spec: Spec,
) -> Target {
    // An Identity Center role is cached under the name it is listed as.
    if let Spec::Sso(sso) = &mut spec {
        sso.profile.clone_from(&name);
    }
    Target {
        name,
        alias,
        origin,
        account_id: Some(*id),
        account_name: shown.account_name.clone(),
        region,
        production: shown.production,
        tags: Arc::clone(&shown.tags),
        ou_path: shown.ou_path.clone(),
        spec,
    }
}

/// The AWS profiles at `profiles` (their roles live in a discovered account)
/// learn its name, OU path, tags (their own win) and production guard.
fn attach(set: &mut TargetSet, profiles: &[usize], shown: &Shown, account_tags: Option<&Arc<Tags>>) {
    let account_tags = account_tags
        .filter(|_| !profiles.is_empty())
        .map(super::clean::escaped_tags);
    for &i in profiles {
        let target = &mut set.targets[i];
        if let Some(name) = &shown.account_name {
            target.account_name = Some(name.clone());
        }
        if let Some(path) = &shown.ou_path {
            target.ou_path = Some(path.clone());
        }
        if let Some(tags) = &account_tags
            && tags.iter().any(|(k, _)| !target.tags.contains_key(k))
        {
            target.tags = Arc::new(target.tags.or(tags));
        }
        target.production |= shown.production;
    }
}

#[cfg(test)]
mod tests;
