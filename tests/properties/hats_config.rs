//! hats' `config.toml`: unknown keys, generated accounts, arbitrary text.

use crate::targets;
use hats::config::HatsFile;
use proptest::prelude::*;

/// Each table of the file, a valid body for it, and the keys it knows.
const SECTIONS: &[(&str, &str, &[&str])] = &[
    ("", "", &["defaults", "account", "organization", "preset"]),
    (
        "[defaults]",
        "session_name = \"alice\"\n",
        &[
            "session_name",
            "role_duration",
            "mfa_session_duration",
            "refresh_window",
            "production_patterns",
            "serve",
            "federation_endpoint",
            "source_identity",
        ],
    ),
    (
        "[[account]]",
        "id = \"123456789012\"\nsource = \"base\"\nroles = [\"Admin\"]\n",
        &[
            "id",
            "name",
            "source",
            "mfa_serial",
            "mfa_process",
            "roles",
            "region",
            "production",
            "tags",
            "external_id",
            "duration",
            "source_identity",
            "session_tags",
            "transitive_tag_keys",
        ],
    ),
    (
        "[organization]",
        "source = \"base\"\n",
        &[
            "source",
            "via",
            "mfa_serial",
            "mfa_process",
            "roles",
            "ttl",
            "include_inactive",
            "region",
            "rule",
        ],
    ),
    (
        "[[organization.rule]]",
        "ou = \"Production\"\n",
        &[
            "ou",
            "tag",
            "account",
            "roles",
            "exclude_roles",
            "production",
            "skip",
            "include",
        ],
    ),
    (
        "[preset.readonly]",
        "policy_arns = []\n",
        &["policy_arns", "policy"],
    ),
];

/// Generated `[[account]]` entries: (name, roles).
fn accounts() -> impl Strategy<Value = Vec<(String, Vec<String>)>> {
    prop::collection::btree_map(
        "[a-z][a-z0-9-]{0,10}",
        prop::collection::btree_set("[A-Z][A-Za-z0-9+=,.@_-]{0,12}", 1..4),
        1..5,
    )
    .prop_map(|m| m.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn an_unknown_key_is_always_an_error_naming_it_and_its_line(
        section in 0..SECTIONS.len(),
        key in "[a-z][a-z0-9_]{0,15}",
        value in prop_oneof![Just("1"), Just("\"x\""), Just("true"), Just("[]")],
    ) {
        let (header, body, known) = SECTIONS[section];
        prop_assume!(!known.contains(&key.as_str()));
        // The other sections come first, so the unknown key is never on line 1 by accident.
        let mut text = String::from("[defaults]\nrole_duration = \"1h\"\n");
        if header == "[defaults]" {
            text.clear();
        }
        let line = if header.is_empty() {
            text.insert_str(0, &format!("{key} = {value}\n"));
            1
        } else {
            text.push_str(&format!("{header}\n"));
            let line = text.lines().count() + 1;
            text.push_str(&format!("{key} = {value}\n{body}"));
            line
        };
        let err = HatsFile::parse(&text).expect_err("unknown keys are refused");
        prop_assert!(
            err.starts_with(&format!("line {line}, column 1: unknown field `{key}`")),
            "{} in\n{}", err, text
        );
    }

    #[test]
    fn generated_accounts_give_name_role_targets_with_id_aliases(
        accounts in accounts(),
        ids in prop::collection::btree_set("[0-9]{12}", 5),
    ) {
        let ids: Vec<String> = ids.into_iter().collect();
        let mut hats = String::new();
        for ((name, roles), id) in accounts.iter().zip(&ids) {
            let roles: Vec<String> = roles.iter().map(|r| format!("\"{r}\"")).collect();
            hats.push_str(&format!(
                "[[account]]\nid = \"{id}\"\nname = \"{name}\"\nsource = \"base\"\nroles = [{}]\n\n",
                roles.join(", ")
            ));
        }
        let set = targets("", "[base]\naws_access_key_id = K\naws_secret_access_key = S\n", &hats);
        prop_assert!(set.broken.is_empty(), "{:?}", set.broken);
        let expected: usize = accounts.iter().map(|(_, roles)| roles.len()).sum();
        prop_assert_eq!(set.targets.len(), expected);
        for ((name, roles), id) in accounts.iter().zip(&ids) {
            for role in roles {
                let target = set.find(&format!("{name}/{role}")).expect("NAME/ROLE is a target");
                prop_assert_eq!(target.alias.clone(), Some(format!("{id}/{role}")));
                prop_assert_eq!(target.role_name(), Some(role.as_str()));
                prop_assert_eq!(target.account_id.as_ref().map(|a| a.to_string()), Some(id.clone()));
            }
        }
    }
}

/// Lines a real hats config might hold.
fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\[(defaults|organization|preset\\.[a-z]{1,4}|x)\\]",
        "\\[\\[(account|organization\\.rule)\\]\\]",
        "(id|name|source|roles|role_duration|ttl|production_patterns|policy|tag|ou|session_tags) = \
         (\"[ -~]{0,14}\"|[0-9]{1,13}|true|\\[\"[A-Za-z*]{0,6}\"\\]|\\{ ?[a-z]{1,3} = \"[a-z]{0,3}\" ?\\})",
        "id = \"[0-9]{12}\"",
        "source = \"(base|prod|nobody)\"",
        "policy = '\\{[ -&(-~]{0,30}\\}'",
        "\\PC{0,24}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics_and_errors_are_one_printable_line(text in "\\PC{0,200}") {
        let _ = hats::fuzzing::hats_config(text.as_bytes());
    }

    #[test]
    fn near_valid_configs_never_panic(lines in prop::collection::vec(toml_line(), 0..24)) {
        let _ = hats::fuzzing::hats_config(lines.join("\n").as_bytes());
    }
}
