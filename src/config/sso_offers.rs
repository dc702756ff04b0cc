//! Turns Identity Center inventories into targets: every role assigned in every
//! account, named `ACCOUNT-NAME/ROLE` with `ACCOUNT-ID/ROLE` as alias, under the
//! same rules as organization accounts, and attaches AWS profiles that already
//! point into a discovered account.
//!
//! Naming (stable from run to run, since sessions come sorted by key and each
//! inventory sorted by account name then id): an account's label is its cleaned
//! name (white space as `-`), or its id when it has none. A role is
//! `LABEL/ROLE` unless that name is already taken (a profile, a hats account, an
//! organization offer, an earlier session) or another account already uses the
//! label; then `ID/ROLE`; when that is taken too (the same account and role in a
//! second session) `ID/ROLE@SESSION`.

use super::hats_file::{IdentityCenterEntry, OrgRule, OrganizationEntry};
use super::org_offers::{attach, matches};
use super::sso::{SsoRole, SsoSession};
use super::target::{Origin, Spec, Target, TargetSet};
use crate::domain::{AccountId, Inventory, OrgAccount, clean_text, target_safe};
use foldhash::HashMap;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Adds each session's discovered roles to `set`. `org` (the organization and its
/// inventory), when known, lends OU paths and tags to the rules and the rows.
pub fn add_identity_center(
    set: &mut TargetSet,
    found: &[(Arc<SsoSession>, Inventory)],
    entry: Option<&IdentityCenterEntry>,
    org: Option<(&OrganizationEntry, &Inventory)>,
) {
    let org_accounts: HashMap<&str, &OrgAccount> = org
        .map(|(_, inv)| inv.accounts.iter().map(|a| (a.id.as_str(), a)).collect())
        .unwrap_or_default();
    // One rule set: the organization's rules, then Identity Center's own.
    let rules: Vec<&OrgRule> = org
        .map(|(o, _)| o.rules.iter())
        .into_iter()
        .flatten()
        .chain(entry.map(|e| e.rules.iter()).into_iter().flatten())
        .collect();
    let has_includes = rules.iter().any(|r| r.include);
    let total: usize = found
        .iter()
        .map(|(_, inv)| inv.accounts.iter().map(|a| a.roles.len()).sum::<usize>())
        .sum();
    let mut names = Names::of(set, total);
    set.targets.reserve(total);
    for (session, inventory) in found {
        for account in &inventory.accounts {
            let Ok(id) = AccountId::parse(&account.id) else {
                continue;
            };
            let subject = subject(account, org_accounts.get(account.id.as_str()).copied());
            let matching: Vec<&OrgRule> = rules.iter().copied().filter(|r| matches(r, &subject)).collect();
            if matching.iter().any(|r| r.skip) || (has_includes && !matching.iter().any(|r| r.include)) {
                continue;
            }
            let production = matching.iter().any(|r| r.production);
            for &i in names.profiles_in(&account.id) {
                attach(&mut set.targets[i], &subject, production);
            }
            let label = if subject.name.is_empty() {
                account.id.clone()
            } else {
                target_safe(&subject.name)
            };
            let label_is_ours = names.claim_label(&label, &account.id);
            let ou_path = (!subject.ou_path.is_empty()).then(|| subject.ou_path_text());
            let tags = Arc::new(subject.tags.clone());
            for role in account.roles.iter().filter(|r| permission_set_name(r)) {
                if matching.iter().any(|r| r.exclude_roles.contains(role)) {
                    continue;
                }
                let by_id = [id.as_str(), "/", role].concat();
                let primary = [label.as_str(), "/", role].concat();
                // A profile for this very role is shown once: as the profile, which
                // the discovered names still resolve to.
                if let Some(i) = names.sso_profile(session, &account.id, role) {
                    attach(&mut set.targets[i], &subject, production);
                    for name in [primary, by_id] {
                        if !names.is_taken(set, &name) {
                            set.extra_names.insert(name, i);
                        }
                    }
                    continue;
                }
                let (name, alias) = if label_is_ours && primary != by_id && !names.is_taken(set, &primary) {
                    let alias = (!names.is_taken(set, &by_id)).then_some(by_id);
                    (primary, alias)
                } else if !names.is_taken(set, &by_id) {
                    (by_id, None)
                } else {
                    ([by_id.as_str(), "@", session.key()].concat(), None)
                };
                set.targets.push(Target {
                    alias,
                    origin: Origin::IdentityCenter,
                    account_id: Some(id.clone()),
                    account_name: Some(subject.name.clone()),
                    region: region(entry, set.default_region.as_ref(), session),
                    production,
                    tags: Arc::clone(&tags),
                    ou_path: ou_path.clone(),
                    spec: Spec::Sso(SsoRole {
                        profile: name.clone(),
                        session: Arc::clone(session),
                        account_id: id.clone(),
                        role_name: role.clone(),
                    }),
                    name,
                });
                names.record(&set.targets, set.targets.len() - 1);
            }
        }
    }
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

/// The account as rules see it: Identity Center's name (cleaned again: the
/// cache file is only as trustworthy as the disk), with the organization's OU
/// path and tags when the organization inventory knows the account.
fn subject(account: &OrgAccount, known: Option<&OrgAccount>) -> OrgAccount {
    OrgAccount {
        id: account.id.clone(),
        name: clean_text(&account.name),
        state: account.state.clone(),
        ou_path: known.map(|k| k.ou_path.clone()).unwrap_or_default(),
        tags: known.map(|k| k.tags.clone()).unwrap_or_default(),
        roles: Vec::new(),
    }
}

/// A permission set name as AWS allows it (`[\w+=,.@-]`, 1 to 32): nothing else
/// becomes part of a target name.
fn permission_set_name(role: &str) -> bool {
    !role.is_empty()
        && role.len() <= 64
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// The names already given out, and the indexes the attaching step needs.
///
/// Built over every target already known (with an organization, thousands).
/// The names are not copied: the table holds target indexes and compares with
/// the targets' own names, so it is a quarter of a megabyte for 30,000 names
/// rather than megabytes of copies to fault in. Hashed with foldhash, sized up front.
struct Names {
    /// Slots of taken names: `2 * index` is `targets[index].name`, `2 * index + 1` its alias.
    taken: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
    /// Account label → the account id that uses it.
    labels: HashMap<String, String>,
    /// AWS profiles by the account they point into.
    profiles_by_account: HashMap<String, Vec<usize>>,
    /// Hand-written SSO profiles by account id: (session key, role, index).
    sso_profiles: HashMap<String, Vec<(String, String, usize)>>,
}

/// The name in `slot` of [`Names::taken`] (empty for an alias slot without alias).
fn slot_name(targets: &[Target], slot: usize) -> &str {
    let target = &targets[slot / 2];
    if slot.is_multiple_of(2) {
        &target.name
    } else {
        target.alias.as_deref().unwrap_or_default()
    }
}

impl Names {
    /// The index of `set`, with room for `adding` more targets (each a name and an alias).
    fn of(set: &TargetSet, adding: usize) -> Self {
        let mut names = Self {
            taken: HashTable::with_capacity(2 * (set.targets.len() + adding)),
            hasher: foldhash::fast::RandomState::default(),
            labels: HashMap::default(),
            profiles_by_account: HashMap::default(),
            sso_profiles: HashMap::default(),
        };
        for (i, t) in set.targets.iter().enumerate() {
            names.record(&set.targets, i);
            let Some(id) = &t.account_id else { continue };
            if t.origin == Origin::AwsProfile {
                names
                    .profiles_by_account
                    .entry(id.to_string())
                    .or_default()
                    .push(i);
                if let Spec::Sso(sso) = &t.spec {
                    let roles = names.sso_profiles.entry(id.to_string()).or_default();
                    let key = sso.session.key();
                    if !roles.iter().any(|(s, r, _)| s == key && *r == sso.role_name) {
                        roles.push((key.to_owned(), sso.role_name.clone(), i));
                    }
                }
            } else if let Some((label, _)) = t.name.split_once('/')
                // Looked up first: an organization gives several roles per label.
                && !names.labels.contains_key(label)
            {
                names.labels.insert(label.to_owned(), id.to_string());
            }
        }
        names
    }

    /// Takes the name and alias of `targets[index]`.
    fn record(&mut self, targets: &[Target], index: usize) {
        let hasher = &self.hasher;
        let slots = [2 * index, 2 * index + 1];
        for slot in slots
            .into_iter()
            .filter(|&s| s.is_multiple_of(2) || targets[index].alias.is_some())
        {
            let hash = hasher.hash_one(slot_name(targets, slot));
            self.taken
                .insert_unique(hash, slot, |&s| hasher.hash_one(slot_name(targets, s)));
        }
    }

    /// Whether a target (by name or alias) or an extra name already has `name`.
    fn is_taken(&self, set: &TargetSet, name: &str) -> bool {
        let hash = self.hasher.hash_one(name);
        self.taken
            .find(hash, |&slot| slot_name(&set.targets, slot) == name)
            .is_some()
            || set.extra_names.contains_key(name)
    }

    fn profiles_in(&self, account: &str) -> &[usize] {
        self.profiles_by_account.get(account).map_or(&[], Vec::as_slice)
    }

    fn sso_profile(&self, session: &SsoSession, account: &str, role: &str) -> Option<usize> {
        let key = session.key();
        self.sso_profiles
            .get(account)?
            .iter()
            .find(|(s, r, _)| s == key && r == role)
            .map(|&(_, _, i)| i)
    }

    /// Whether `label` is free for `account` (claiming it when it is).
    fn claim_label(&mut self, label: &str, account: &str) -> bool {
        match self.labels.get(label) {
            Some(owner) => owner == account,
            None => {
                self.labels.insert(label.to_owned(), account.to_owned());
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str) -> Arc<SsoSession> {
        Arc::new(SsoSession {
            name: Some(name.into()),
            start_url: format!("https://{name}.awsapps.com/start"),
            region: "us-east-1".into(),
            scopes: Vec::new(),
        })
    }

    fn inventory(accounts: &[(&str, &str, &[&str])]) -> Inventory {
        Inventory {
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            accounts: accounts
                .iter()
                .map(|(id, name, roles)| OrgAccount {
                    id: (*id).into(),
                    name: (*name).into(),
                    state: "ACTIVE".into(),
                    ou_path: Vec::new(),
                    tags: Default::default(),
                    roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                })
                .collect(),
            partition: Default::default(),
            region: None,
        }
    }

    fn names(set: &TargetSet) -> Vec<(String, Option<String>)> {
        set.targets
            .iter()
            .map(|t| (t.name.clone(), t.alias.clone()))
            .collect()
    }

    #[test]
    fn two_sessions_with_the_same_account_get_unique_names() {
        let mut set = TargetSet::default();
        let both = inventory(&[("111122223333", "prod", &["Admin"])]);
        add_identity_center(
            &mut set,
            &[(session("a"), both.clone()), (session("b"), both)],
            None,
            None,
        );
        assert_eq!(
            names(&set),
            [
                ("prod/Admin".into(), Some("111122223333/Admin".into())),
                ("111122223333/Admin@b".into(), None),
            ]
        );
    }

    #[test]
    fn two_accounts_with_one_name_keep_the_first_by_name_and_the_second_by_id() {
        let mut set = TargetSet::default();
        let inv = inventory(&[
            ("111122223333", "dev", &["Admin"]),
            ("444455556666", "dev", &["Admin"]),
        ]);
        add_identity_center(&mut set, &[(session("a"), inv)], None, None);
        assert_eq!(
            names(&set),
            [
                ("dev/Admin".into(), Some("111122223333/Admin".into())),
                ("444455556666/Admin".into(), None),
            ]
        );
    }

    #[test]
    fn role_names_that_are_not_permission_set_names_are_left_out() {
        let mut set = TargetSet::default();
        let inv = inventory(&[("111122223333", "prod", &["Admin", "Bad\u{1b}[31m", "a/b", ""])]);
        add_identity_center(&mut set, &[(session("a"), inv)], None, None);
        assert_eq!(names(&set).len(), 1);
    }

    fn profile(name: &str, session: &Arc<SsoSession>, account: &str, role: &str) -> Target {
        let id = AccountId::parse(account).unwrap();
        Target {
            name: name.into(),
            alias: None,
            origin: Origin::AwsProfile,
            account_id: Some(id.clone()),
            account_name: None,
            region: None,
            production: false,
            tags: Arc::default(),
            ou_path: None,
            spec: Spec::Sso(SsoRole {
                profile: name.into(),
                session: Arc::clone(session),
                account_id: id,
                role_name: role.into(),
            }),
        }
    }

    #[test]
    fn a_role_with_a_hand_written_profile_of_its_session_is_shown_once_as_the_profile() {
        let (a, b) = (session("a"), session("b"));
        let mut set = TargetSet::default();
        set.targets.push(profile("mine", &a, "111122223333", "Admin"));
        // Another session's profile on the same account and role is not the same target.
        set.targets.push(profile("other", &b, "111122223333", "Admin"));
        let inv = inventory(&[("111122223333", "prod", &["Admin", "ReadOnly"])]);
        add_identity_center(&mut set, &[(a, inv)], None, None);
        assert_eq!(
            names(&set),
            [
                ("mine".into(), None),
                ("other".into(), None),
                ("prod/ReadOnly".into(), Some("111122223333/ReadOnly".into())),
            ]
        );
        assert_eq!(set.find("prod/Admin").map(|t| t.name.as_str()), Some("mine"));
        assert_eq!(
            set.find("111122223333/Admin").map(|t| t.name.as_str()),
            Some("mine")
        );
        assert_eq!(set.targets[0].account_name.as_deref(), Some("prod"), "attached");
    }

    #[test]
    fn a_label_an_earlier_target_uses_for_another_account_names_the_roles_by_id() {
        let mut set = TargetSet::default();
        let first = inventory(&[("111122223333", "dev", &["Admin", "ReadOnly"])]);
        add_identity_center(&mut set, &[(session("a"), first)], None, None);
        let second = inventory(&[
            ("444455556666", "dev", &["Other"]),
            ("111122223333", "dev", &["Billing"]),
        ]);
        add_identity_center(&mut set, &[(session("b"), second)], None, None);
        let got = names(&set);
        assert_eq!(got[2], ("444455556666/Other".into(), None));
        assert_eq!(
            got[3],
            ("dev/Billing".into(), Some("111122223333/Billing".into()))
        );
    }
}
