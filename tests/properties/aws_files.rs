//! `~/.aws/config` and `~/.aws/credentials`: generated files whose targets are
//! known in advance, source_profile loops, keys set twice, control characters,
//! and arbitrary bytes.

use crate::{PROFILE_NAME, parse_aws, targets};
use hats::config::ConfigError;
use hats::domain::CredentialSource;
use hats::inventory::{Below, Chain, Source, Spec, Target};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// One generated profile.
#[derive(Debug, Clone)]
enum Kind {
    /// Keys in the credentials file, maybe an MFA device: a target only with MFA.
    User { mfa: Option<String> },
    /// A role assumed with the credentials of an earlier profile (so chains never loop).
    Role {
        arn: String,
        source: usize,
        region: Option<String>,
        duration: Option<u32>,
    },
}

#[derive(Debug, Clone)]
struct Generated {
    names: Vec<String>,
    kinds: Vec<Kind>,
    /// The order sections are written in.
    order: Vec<usize>,
}

fn role_arn() -> impl Strategy<Value = String> {
    ("[0-9]{12}", "(/[a-z]{1,6}){0,2}", "[A-Za-z0-9+=,.@_-]{1,20}")
        .prop_map(|(account, path, name)| format!("arn:aws:iam::{account}:role{path}/{name}"))
}

fn kind(index: usize) -> impl Strategy<Value = Kind> {
    let user = prop::option::of("[a-z]{1,10}").prop_map(|device| Kind::User {
        mfa: device.map(|d| format!("arn:aws:iam::111111111111:mfa/{d}")),
    });
    if index == 0 {
        return user.boxed();
    }
    let role = (
        role_arn(),
        0..index,
        prop::option::of("[a-z]{2}-[a-z]{4,9}-[1-3]"),
        prop::option::of(900u32..43_200),
    )
        .prop_map(|(arn, source, region, duration)| Kind::Role {
            arn,
            source,
            region,
            duration,
        });
    prop_oneof![1 => user, 3 => role].boxed()
}

fn generated() -> impl Strategy<Value = Generated> {
    prop::collection::btree_set(PROFILE_NAME, 1..10)
        .prop_map(|names| names.into_iter().collect::<Vec<_>>())
        .prop_flat_map(|names| {
            let n = names.len();
            let kinds: Vec<_> = (0..n).map(kind).collect();
            (
                Just(names),
                kinds,
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(names, kinds, order)| Generated { names, kinds, order })
}

/// The two files, and for each profile the line of its `output` key in the config.
fn render(g: &Generated) -> (String, String, Vec<usize>) {
    let (mut config, mut credentials) = (String::new(), String::new());
    let mut output_line = vec![0; g.names.len()];
    for &i in &g.order {
        let name = &g.names[i];
        config.push_str(&format!("# {name}\n[profile {name}]\n"));
        output_line[i] = config.lines().count() + 1;
        config.push_str("output = json\n");
        match &g.kinds[i] {
            Kind::User { mfa } => {
                if let Some(serial) = mfa {
                    config.push_str(&format!("mfa_serial = {serial}\n"));
                }
                credentials.push_str(&format!(
                    "[{name}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s{i}\n\n"
                ));
            }
            Kind::Role {
                arn,
                source,
                region,
                duration,
            } => {
                config.push_str(&format!(
                    "role_arn = {arn}\nsource_profile = {}\n",
                    g.names[*source]
                ));
                if let Some(region) = region {
                    config.push_str(&format!("region = {region}   ; a comment\n"));
                }
                if let Some(secs) = duration {
                    config.push_str(&format!("duration_seconds = {secs}\n"));
                }
            }
        }
        config.push('\n');
    }
    (config, credentials, output_line)
}

/// Checks that what assumes hop `hop` of `chain` is the chain of profiles
/// generated for `source_index`.
fn assert_below(g: &Generated, chain: &Chain, hop: usize, source_index: usize) -> Result<(), TestCaseError> {
    match (&g.kinds[source_index], chain.hop(hop).1) {
        (Kind::User { .. }, Below::Base(Source::Credentials(CredentialSource::Profile(name)))) => {
            prop_assert_eq!(name, &g.names[source_index]);
        }
        (
            Kind::Role {
                arn, source: next, ..
            },
            Below::Role(spec),
        ) => {
            prop_assert_eq!(spec.profile.as_deref(), Some(g.names[source_index].as_str()));
            prop_assert_eq!(spec.role_arn.to_string(), arn.clone());
            assert_below(g, chain, hop - 1, *next)?;
        }
        (kind, other) => prop_assert!(false, "profile {:?} became source {:?}", kind, other),
    }
    Ok(())
}

/// The MFA device at the root of profile `index`'s chain.
fn root_mfa(g: &Generated, index: usize) -> Option<&str> {
    match &g.kinds[index] {
        Kind::User { mfa } => mfa.as_deref(),
        Kind::Role { source, .. } => root_mfa(g, *source),
    }
}

fn serial(target: &Target) -> Option<String> {
    target.mfa_device().map(|d| d.serial.as_str().to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_valid_config_gives_exactly_the_generated_targets(g in generated()) {
        let (config, credentials, _) = render(&g);
        let set = targets(&config, &credentials, "");
        prop_assert!(set.broken.is_empty(), "{:?}", set.broken);
        let expected: BTreeSet<&str> = g
            .names
            .iter()
            .zip(&g.kinds)
            .filter(|(_, kind)| matches!(kind, Kind::Role { .. } | Kind::User { mfa: Some(_) }))
            .map(|(name, _)| name.as_str())
            .collect();
        let got: BTreeSet<&str> = set.targets.iter().map(|t| t.name.as_str()).collect();
        prop_assert_eq!(&got, &expected);
        prop_assert_eq!(set.targets.len(), expected.len(), "one target per profile");
        for (i, name) in g.names.iter().enumerate() {
            let Some(target) = set.find(name) else { continue };
            let device = serial(target);
            prop_assert_eq!(device.as_deref(), root_mfa(&g, i));
            match (&g.kinds[i], &target.spec) {
                (Kind::User { .. }, Spec::UserSession { profile, .. }) => prop_assert_eq!(profile, name),
                (Kind::Role { arn, source, region, duration }, Spec::Role(chain)) => {
                    prop_assert_eq!(chain.role.role_arn.to_string(), arn.clone());
                    prop_assert_eq!(target.account_id.as_ref(), Some(chain.role.role_arn.account()));
                    prop_assert_eq!(target.region.as_deref(), region.as_deref());
                    prop_assert_eq!(chain.role.options.duration.map(|d| d.as_secs()), *duration);
                    assert_below(&g, chain, chain.via.len(), *source)?;
                }
                (kind, spec) => prop_assert!(false, "{:?} became {:?}", kind, spec),
            }
        }
    }

    #[test]
    fn a_key_set_twice_in_a_section_is_always_refused_with_both_lines(
        g in generated(),
        pick in any::<prop::sample::Index>(),
        repeat_header in any::<bool>(),
    ) {
        let (config, credentials, output_line) = render(&g);
        let i = pick.index(g.names.len());
        let mut lines: Vec<String> = config.lines().map(str::to_owned).collect();
        // The SDK lower-cases keys, so `OUTPUT` is the same key as `output`.
        let second_line = if repeat_header {
            lines.push(format!("[profile   {}]", g.names[i]));
            lines.push("OUTPUT = text".into());
            lines.len()
        } else {
            lines.insert(output_line[i], "Output=text".into());
            output_line[i] + 1
        };
        let err = parse_aws(&lines.join("\n"), &credentials).expect_err("a duplicate must be refused");
        let ConfigError::AwsDuplicateKey { path, line, first_line, key, section } = &err else {
            return Err(TestCaseError::fail(format!("wrong error: {err}")));
        };
        prop_assert_eq!(path.as_str(), "/home/prop/.aws/config");
        prop_assert_eq!((*first_line, *line), (output_line[i], second_line));
        prop_assert_eq!(key.as_str(), "output");
        prop_assert_eq!(section.clone(), format!("profile {}", g.names[i]));
        prop_assert!(err.to_string().contains("delete the line you do not mean"));
    }

    #[test]
    fn a_source_profile_loop_is_always_reported_as_that_loop(
        cycle in prop::collection::btree_set("[a-z]{1,6}", 1..6),
        tail in 0usize..3,
        rotate in any::<prop::sample::Index>(),
    ) {
        // c0 -> c1 -> ... -> c0, entered from t0 -> t1 -> ... -> c[rotate]; plus a good role.
        let cycle: Vec<String> = cycle.into_iter().map(|c| format!("c-{c}")).collect();
        let entry = rotate.index(cycle.len());
        let tail: Vec<String> = (0..tail).map(|t| format!("t{t}")).collect();
        let next = |name: &str| -> String {
            if let Some(at) = cycle.iter().position(|c| c == name) {
                return cycle[(at + 1) % cycle.len()].clone();
            }
            let at = tail.iter().position(|t| t == name).expect("a generated name");
            tail.get(at + 1).cloned().unwrap_or_else(|| cycle[entry].clone())
        };
        let mut config = String::from(
            "[profile good]\nrole_arn = arn:aws:iam::123456789012:role/Good\nsource_profile = base\n",
        );
        for name in cycle.iter().chain(&tail) {
            config.push_str(&format!(
                "[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = {}\n",
                next(name)
            ));
        }
        let set = targets(&config, "[base]\naws_access_key_id = K\naws_secret_access_key = S\n", "");
        prop_assert!(set.find("good").is_some(), "a loop hides no other target");
        prop_assert_eq!(set.targets.len(), 1);
        for start in cycle.iter().chain(&tail) {
            // The path hats reports: from the profile asked for until a name repeats.
            let mut path = vec![start.clone()];
            loop {
                let following = next(path.last().expect("non-empty"));
                let repeats = path.contains(&following);
                path.push(following);
                if repeats {
                    break;
                }
            }
            let problem = set
                .broken
                .iter()
                .find(|(name, _)| name == start)
                .map(|(_, e)| e.to_string())
                .expect("every profile on or into the loop is broken");
            let expected = format!("source_profile loop: {}; break the cycle", path.join(" -> "));
            prop_assert!(problem.contains(&expected), "{} lacks {}", problem, expected);
        }
    }

    #[test]
    fn names_with_control_characters_never_become_targets(
        before in "[a-z]{0,5}",
        control in prop::sample::select(
            ('\0'..='\u{1f}').chain(['\u{7f}', '\u{85}', '\u{9b}']).collect::<Vec<char>>(),
        ),
        after in "[a-z]{0,5}",
    ) {
        let name = format!("{before}{control}{after}");
        let quoted = toml::Value::String(name.clone()).to_string();
        let hats = format!(
            "[[account]]\nid = \"123456789012\"\nname = {quoted}\nsource = \"base\"\nroles = [\"Admin\"]\n"
        );
        let config = format!(
            "[profile base]\nmfa_serial = arn:aws:iam::111111111111:mfa/a\n[profile {name}]\n\
             role_arn = arn:aws:iam::123456789012:role/X\nsource_profile = base\n"
        );
        let credentials = "[base]\naws_access_key_id = K\naws_secret_access_key = S\n";
        // A control character may break the file's syntax (a newline ends the
        // header): then the file is refused, which is fine too.
        if let Ok(profiles) = parse_aws(&config, credentials) {
            let file = hats::config::HatsFile::parse(&hats).expect("TOML escapes any character");
            let set = hats::inventory::build_targets(&profiles, &file, hats::inventory::Discovered::default());
            prop_assert!(set.targets.iter().all(|t| !t.name.chars().any(char::is_control)));
            prop_assert!(set.find("base").is_some());
            let shown = format!("{}/Admin", name.escape_debug());
            let refused = set.broken.iter().find(|(n, _)| *n == shown).map(|(_, e)| e.to_string());
            prop_assert!(
                refused.as_deref().is_some_and(|e| e.contains("control characters")),
                "{:?} not refused: {:?}", name, set.broken
            );
            for (broken_name, problem) in &set.broken {
                prop_assert!(!broken_name.chars().any(char::is_control));
                prop_assert!(!problem.to_string().chars().any(char::is_control), "{}", problem);
            }
        }
    }
}

/// Lines a real file might hold, for inputs nearer to valid than random bytes.
fn ini_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\[(profile |sso-session |services )?[A-Za-z0-9_.-]{0,8}\\]( #.*)?",
        "(role_arn|source_profile|mfa_serial|region|duration_seconds|credential_source|Role_Arn) ?= ?[ -~]{0,40}",
        "role_arn = arn:aws:iam::[0-9]{10,13}:role/[A-Za-z]{0,5}",
        "source_profile = [a-c]",
        "[ \t]+[a-z_]{0,8} ?= ?[a-z0-9]{0,6}",
        "[#;].{0,10}",
        "\\PC{0,20}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(data in prop::collection::vec(any::<u8>(), 0..600)) {
        // The fuzz target's body, with its checks on every target and message.
        let _ = hats::fuzzing::aws_files(&data);
    }

    #[test]
    fn near_valid_files_never_panic_and_errors_are_one_printable_line(
        config in prop::collection::vec(ini_line(), 0..24),
        credentials in prop::collection::vec(ini_line(), 0..8),
    ) {
        let mut data = config.join("\n").into_bytes();
        data.push(hats::fuzzing::FILE_SEPARATOR);
        data.extend(credentials.join("\n").bytes());
        let _ = hats::fuzzing::aws_files(&data);
    }
}
