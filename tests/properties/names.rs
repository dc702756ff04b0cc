//! Target-name resolution: what `hats env NAME` finds, refuses or suggests.

use crate::{PROFILE_NAME, targets};
use hats::fuzzing::{context_for, resolve_in};
use hats::inventory::Origin;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// AWS files and a hats config defining every profile and account name given
/// (each account offers `NAME/Admin` and `NAME/Read`).
fn files(profiles: &BTreeSet<String>, accounts: &BTreeSet<String>) -> (String, String, String) {
    let mut config = String::from("[profile base]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n");
    for name in profiles {
        config.push_str(&format!(
            "[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n"
        ));
    }
    let credentials = "[base]\naws_access_key_id = K\naws_secret_access_key = S\n".to_owned();
    let mut hats = String::new();
    for (i, name) in accounts.iter().enumerate() {
        hats.push_str(&format!(
            "[[account]]\nid = \"{:012}\"\nname = \"{name}\"\nsource = \"base\"\nroles = [\"Admin\", \"Read\"]\n",
            400_000_000_000u64 + i as u64
        ));
    }
    (config, credentials, hats)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_generated_name_resolves_to_exactly_its_target(
        profiles in prop::collection::btree_set(PROFILE_NAME, 0..12),
        accounts in prop::collection::btree_set("[a-zø][a-z0-9ø-]{0,8}", 0..6),
    ) {
        prop_assume!(!profiles.contains("base"));
        let (config, credentials, hats) = files(&profiles, &accounts);
        let context = context_for(targets(&config, &credentials, &hats));
        prop_assert!(context.targets.broken.is_empty(), "{:?}", context.targets.broken);
        for name in &profiles {
            prop_assert_eq!(resolve_in(&context, name), Ok(name.clone()));
        }
        for (i, account) in accounts.iter().enumerate() {
            for role in ["Admin", "Read"] {
                let name = format!("{account}/{role}");
                prop_assert_eq!(resolve_in(&context, &name), Ok(name.clone()));
                let alias = format!("{:012}/{role}", 400_000_000_000u64 + i as u64);
                prop_assert_eq!(resolve_in(&context, &alias), Ok(name.clone()));
            }
        }
    }

    #[test]
    fn a_name_defined_twice_resolves_to_the_first_and_the_second_is_refused(
        accounts in prop::collection::btree_set("[a-z][a-z0-9-]{0,6}", 1..6),
        clash in prop::collection::vec(any::<bool>(), 6),
    ) {
        // Some accounts' `NAME/Admin` is also written as a profile, which comes first.
        let clashing: BTreeSet<String> = accounts
            .iter()
            .zip(&clash)
            .filter(|(_, c)| **c)
            .map(|(a, _)| format!("{a}/Admin"))
            .collect();
        let (config, credentials, hats) = files(&clashing, &accounts);
        let context = context_for(targets(&config, &credentials, &hats));
        for account in &accounts {
            for role in ["Admin", "Read"] {
                let name = format!("{account}/{role}");
                prop_assert_eq!(resolve_in(&context, &name), Ok(name.clone()));
                let origin = context.targets.find(&name).map(|t| t.origin);
                let first = if clashing.contains(&name) { Origin::AwsProfile } else { Origin::HatsConfig };
                prop_assert_eq!(origin, Some(first));
            }
        }
        let refused: BTreeSet<String> = context.targets.broken.iter().map(|(n, _)| n.clone()).collect();
        prop_assert_eq!(refused, clashing);
    }

    #[test]
    fn a_name_that_is_no_target_is_refused_with_real_suggestions_only(
        profiles in prop::collection::btree_set(PROFILE_NAME, 1..12),
        asked in "\\PC{0,20}",
        edit in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!profiles.contains("base"));
        let (config, credentials, hats) = files(&profiles, &BTreeSet::new());
        let context = context_for(targets(&config, &credentials, &hats));
        // A random name, and a one-letter typo of a real one.
        let real: Vec<&String> = profiles.iter().collect();
        let target = real[edit.index(real.len())];
        let typo = format!("{target}~");
        for name in [asked.as_str(), typo.as_str()] {
            let outcome = resolve_in(&context, name);
            if profiles.contains(name) || name == "base" {
                prop_assert_eq!(outcome, Ok(name.to_owned()));
            } else {
                let message = outcome.expect_err("no target has this name");
                prop_assert!(message.starts_with(&format!("unknown target \"{name}\"")), "{}", message);
            }
        }
        // The typo is one edit from the real name, so "did you mean" offers it
        // (unless names differing only in case, or longer by one letter, fill the three places first).
        let lower = target.to_lowercase();
        prop_assume!(!profiles.iter().any(|p| p != target && p.to_lowercase().starts_with(&lower)));
        let message = resolve_in(&context, &typo).expect_err("~ is not in the profile alphabet");
        prop_assert!(message.contains(&format!("\"{target}\"")), "{} does not suggest {}", message, target);
    }
}

/// Levenshtein distance, written plainly as the oracle for "did you mean".
fn reference_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in table[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitute = table[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            table[i][j] = substitute.min(table[i - 1][j] + 1).min(table[i][j - 1] + 1);
        }
    }
    table[a.len()][b.len()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn suggestions_are_the_three_closest_names(
        profiles in prop::collection::btree_set("[a-cA-C0-9-]{1,8}", 1..16),
        asked in "[a-cA-C0-9-]{0,10}|\\PC{0,40}",
    ) {
        prop_assume!(!profiles.contains("base"));
        let (config, credentials, hats) = files(&profiles, &BTreeSet::new());
        let set = targets(&config, &credentials, &hats);
        // A name containing what was asked comes first; otherwise names within a
        // third of its length (at least 2 edits), nearest first, then by name.
        let wanted = asked.to_lowercase();
        let limit = (wanted.chars().count() / 3).max(2);
        let mut expected: Vec<(usize, &str)> = set
            .targets
            .iter()
            .map(|t| t.name.as_str())
            .filter_map(|name| {
                let lower = name.to_lowercase();
                if wanted.len() >= 2 && lower.contains(&wanted) {
                    return Some((0, name));
                }
                let distance = reference_distance(&wanted, &lower);
                (distance <= limit).then_some((distance, name))
            })
            .collect();
        expected.sort();
        let expected: Vec<&str> = expected.into_iter().take(3).map(|(_, name)| name).collect();
        prop_assert_eq!(set.suggest(&asked), expected);
    }
}

#[test]
fn a_pasted_megabyte_gets_an_answer_and_no_suggestion() {
    // Far longer than any target: the length alone rules every name out
    // (`suggest` skips the distance count for such pairs).
    let profiles: BTreeSet<String> = (0..2_000).map(|i| format!("team-{i}")).collect();
    let (config, credentials, hats) = files(&profiles, &BTreeSet::new());
    let set = targets(&config, &credentials, &hats);
    assert!(set.suggest(&"x".repeat(1 << 20)).is_empty());
    assert_eq!(set.suggest("team-1999x").first(), Some(&"team-1999"));
}
