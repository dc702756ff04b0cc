//! The names already given out, and the indexes the stage looks things up in.
//!
//! Built over every target already known (with an organization, thousands), so
//! names are not copied: the table holds target positions and compares with the
//! targets' own names (a quarter of a megabyte for 30,000 names rather than
//! megabytes of copies to fault in), hashed with foldhash, sized up front.

use super::super::target::{Origin, Source, Spec, Target};
use super::super::target_set::TargetSet;
use crate::config::{Broken, broken};
use crate::domain::AccountId;
use foldhash::HashMap;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// A target's name and alias, or why it gets none.
type Named = Result<(String, Option<String>), Broken>;

/// Taken names, account labels, and what configured targets hand out.
pub(super) struct Names {
    /// Slots of taken names: `2 * index` is `targets[index].name`, `2 * index + 1` its alias.
    taken: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
    /// Account label → the account that uses it.
    labels: HashMap<String, AccountId>,
    /// AWS profiles by the account they point into.
    profiles_by_account: HashMap<AccountId, Vec<usize>>,
    /// Configured role targets by role ARN (the first one).
    roles: HashMap<String, usize>,
    /// Identity Center profiles by account: (sign-in, role, index).
    sso_roles: HashMap<AccountId, Vec<(String, String, usize)>>,
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
    /// The index of `set` (the AWS profiles), with room for `adding` more
    /// targets in `accounts` more accounts.
    pub(super) fn of(set: &TargetSet, adding: usize, accounts: usize) -> Self {
        let mut names = Self {
            taken: HashTable::with_capacity(2 * (set.targets.len() + adding)),
            hasher: foldhash::fast::RandomState::default(),
            labels: HashMap::with_capacity_and_hasher(accounts, Default::default()),
            profiles_by_account: HashMap::default(),
            roles: HashMap::default(),
            sso_roles: HashMap::default(),
        };
        for (i, t) in set.targets.iter().enumerate() {
            names.record(&set.targets, i);
            if let (Origin::AwsProfile, Some(id)) = (t.origin, &t.account_id) {
                names.profiles_by_account.entry(*id).or_default().push(i);
            }
        }
        names
    }

    /// Takes the name and alias of `targets[index]`; a configured target
    /// (a profile, an `[[account]]`) also becomes what discovered roles it hands out resolve to.
    pub(super) fn record(&mut self, targets: &[Target], index: usize) {
        let target = &targets[index];
        let hasher = &self.hasher;
        for slot in [2 * index, 2 * index + 1]
            .into_iter()
            .filter(|&s| s.is_multiple_of(2) || target.alias.is_some())
        {
            let hash = hasher.hash_one(slot_name(targets, slot));
            self.taken
                .insert_unique(hash, slot, |&s| hasher.hash_one(slot_name(targets, s)));
        }
        match (&target.spec, target.origin) {
            (Spec::Role(chain), Origin::AwsProfile | Origin::HatsConfig) => {
                self.roles.entry(chain.role.role_arn.to_string()).or_insert(index);
            }
            (Spec::Sso(sso), Origin::AwsProfile) => {
                let roles = self.sso_roles.entry(sso.account_id).or_default();
                let key = sso.session.key();
                if !roles.iter().any(|(s, r, _)| s == key && *r == sso.role_name) {
                    roles.push((key.to_owned(), sso.role_name.clone(), index));
                }
            }
            _ => {}
        }
    }

    /// Whether a target (by name or alias) or an extra name already has `name`.
    pub(super) fn is_taken(&self, set: &TargetSet, name: &str) -> bool {
        let hash = self.hasher.hash_one(name);
        self.taken
            .find(hash, |&slot| slot_name(&set.targets, slot) == name)
            .is_some()
            || set.extra_names.contains_key(name)
    }

    pub(super) fn profiles_in(&self, account: &AccountId) -> &[usize] {
        self.profiles_by_account.get(account).map_or(&[], Vec::as_slice)
    }

    /// The configured target that already hands out what `spec` would: the
    /// same role assumed from AWS credentials, or the same Identity Center role of the same sign-in.
    pub(super) fn covering(&self, spec: &Spec) -> Option<usize> {
        match spec {
            Spec::Role(chain) if matches!(chain.base, Source::Saml(_) | Source::WebIdentity(_)) => None,
            Spec::Role(chain) => self.roles.get(chain.role.role_arn.as_str()).copied(),
            Spec::Sso(sso) => self
                .sso_roles
                .get(&sso.account_id)?
                .iter()
                .find(|(session, role, _)| session == sso.session.key() && *role == sso.role_name)
                .map(|&(_, _, i)| i),
            Spec::UserSession { .. } => None,
        }
    }

    /// Whether `label` is free for `account` (claiming it when it is).
    pub(super) fn claim_label(&mut self, label: &str, account: &AccountId) -> bool {
        match self.labels.get(label) {
            Some(owner) => owner == account,
            None => {
                self.labels.insert(label.to_owned(), *account);
                true
            }
        }
    }

    /// A configured name: `primary` as written, refused when taken; `by_id` as its alias when free.
    pub(super) fn configured(&self, set: &TargetSet, primary: String, by_id: String) -> Named {
        if let Some(refused) = super::super::clean::unshowable_name(&primary) {
            return Err(refused);
        }
        if self.is_taken(set, &primary) {
            let place = format!("target \"{primary}\" of an [[account]] in hats config");
            let message =
                "an earlier profile or account already has this name; rename the account (name = ...)";
            return Err(broken(&primary, place, message));
        }
        let alias = (primary != by_id && !self.is_taken(set, &by_id)).then_some(by_id);
        Ok((primary, alias))
    }

    /// The name of a section that is one target (`[web_identity.NAME]`), refused when taken.
    pub(super) fn entry(&self, set: &TargetSet, name: &str, place: &str) -> Named {
        if self.is_taken(set, name) {
            let message = "an earlier profile or account already has this name; rename the section";
            return Err(broken(name, place, message));
        }
        Ok((name.to_owned(), None))
    }

    /// A discovered name: `LABEL/ROLE` while the label is this account's and
    /// the name free (with `ID/ROLE` as alias when that is free), else
    /// `ID/ROLE`, else `ID/ROLE@QUALIFIER`; refused when all three are taken.
    pub(super) fn discovered(
        &self,
        set: &TargetSet,
        label_is_ours: bool,
        primary: String,
        by_id: String,
        qualifier: &str,
        place: &str,
    ) -> Named {
        if label_is_ours && primary != by_id && !self.is_taken(set, &primary) {
            let alias = (!self.is_taken(set, &by_id)).then_some(by_id);
            return Ok((primary, alias));
        }
        if !self.is_taken(set, &by_id) {
            return Ok((by_id, None));
        }
        let qualified = [by_id.as_str(), "@", qualifier].concat();
        if !self.is_taken(set, &qualified) {
            return Ok((qualified, None));
        }
        let message = format!(
            "role \"{by_id}\" is offered by earlier targets under every name it could take \
             (\"{by_id}\", \"{qualified}\"); leave one of them out"
        );
        Err(broken(&by_id, place, message))
    }
}
