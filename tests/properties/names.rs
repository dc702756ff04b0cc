//! Target-name resolution: what `hats env NAME` finds, refuses or suggests.

use crate::{PROFILE_NAME, targets};
use hats::config::Origin;
use hats::fuzzing::{context_for, resolve_in};
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
