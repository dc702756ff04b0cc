//! The set of targets a configuration makes, and finding one by what a user
//! typed: its name or alias in any case, or its role ARN, with close names
//! suggested when none matches. It never builds targets (`providers` and the
//! inventory stage do).

use super::{KeysAt, Spec, Target};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// What `hats ls` and the switcher say when there is no target at all.
pub const NO_TARGETS_HINT: &str =
    "no targets: add a profile with role_arn to ~/.aws/config, or an [[account]] to hats' config.toml";

/// All targets, in the order they were defined.
#[derive(Debug, Default)]
pub struct TargetSet {
    /// The usable targets.
    pub targets: Vec<Target>,
    /// Entries that name a target but cannot be used: (name, why).
    pub broken: Vec<crate::config::Broken>,
    /// `region` of `[default]` in the AWS config: what a child without
    /// `AWS_PROFILE` or `AWS_REGION` would use.
    pub default_region: Option<String>,
    /// Discovered names that resolve to a target shown under another name: a
    /// profile on a discovered account's role keeps the discovered `ACCOUNT/ROLE`
    /// (and `ID/ROLE`) working. Name → index in `targets`.
    pub extra_names: HashMap<String, usize>,
    /// Profiles whose long-term keys hats keeps in the OS keyring (`hats keys`).
    pub keyring_profiles: Arc<BTreeSet<String>>,
    /// Profiles with a long-term key in plaintext in the AWS files (sorted).
    pub plaintext_keys: Vec<String>,
}

impl TargetSet {
    /// Finds a target by name or alias: the exact name first, else the one
    /// target whose name or alias matches ignoring case, else the one role
    /// target whose role ARN `name` is. A spelling two targets share finds none.
    pub fn find(&self, name: &str) -> Option<&Target> {
        self.find_exact(name)
            .or_else(|| self.only(|t| t.names().any(|n| n.eq_ignore_ascii_case(name))))
            .or_else(|| {
                let arn = crate::domain::RoleArn::parse(name).ok()?;
                self.only(|t| matches!(&t.spec, Spec::Role(chain) if chain.role.role_arn == arn))
            })
    }

    /// Finds a target by its exact name or alias.
    pub fn find_exact(&self, name: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.name == name)
            .or_else(|| self.targets.iter().find(|t| t.alias.as_deref() == Some(name)))
            .or_else(|| self.extra_names.get(name).and_then(|&i| self.targets.get(i)))
    }

    /// Where the long-term keys at the start of `target`'s chain are kept, when
    /// hats knows: in the keyring, or in plaintext in the AWS files (a source
    /// profile whose credentials aws-config reads otherwise gives `None`).
    pub fn keys_of<'t>(&self, target: &'t Target) -> Option<(&'t str, KeysAt)> {
        let (profile, at) = target.key_profile()?;
        let known = at == KeysAt::Keyring
            || self
                .plaintext_keys
                .binary_search_by(|p| p.as_str().cmp(profile))
                .is_ok();
        known.then_some((profile, at))
    }

    /// The one target `matches` accepts; none when there are several.
    fn only(&self, matches: impl Fn(&Target) -> bool) -> Option<&Target> {
        let mut found = self.targets.iter().filter(|t| matches(t));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// Up to three names close to `name`, closest first, for "did you mean".
    pub fn suggest(&self, name: &str) -> Vec<&str> {
        let wanted = name.to_lowercase();
        let wanted_chars = wanted.chars().count();
        let limit = (wanted_chars / 3).max(2);
        let mut scored: Vec<(usize, &str)> = self
            .targets
            .iter()
            .flat_map(Target::names)
            .filter_map(|candidate| {
                let lower = candidate.to_lowercase();
                if wanted.len() >= 2 && lower.contains(&wanted) {
                    return Some((0, candidate));
                }
                // The distance is at least the difference in length: skipping the
                // quadratic count keeps a pasted megabyte among 15,000 targets cheap.
                if wanted_chars.abs_diff(lower.chars().count()) > limit {
                    return None;
                }
                let distance = edit_distance(&wanted, &lower);
                (distance <= limit).then_some((distance, candidate))
            })
            .collect();
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("prod", "prod"), 0);
        assert_eq!(edit_distance("prod", "prd"), 1);
        assert_eq!(edit_distance("prod", "dev"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
