//! Unit tests of target building: names, chains and their limits.

use super::*;
use crate::config::{AwsFile, AwsFileKind, parse_profiles};

/// The targets of an AWS config and credentials file pair, without hats' config (for unit tests).
pub(crate) fn targets_of(config: &str, credentials: &str) -> TargetSet {
    let file = |kind, path, bytes| AwsFile { kind, path, bytes };
    let profiles = parse_profiles(
        file(AwsFileKind::Config, "/h/.aws/config", config.as_bytes()),
        file(
            AwsFileKind::Credentials,
            "/h/.aws/credentials",
            credentials.as_bytes(),
        ),
    )
    .unwrap();
    build_targets(&profiles, &HatsFile::default())
}

fn targets(config: &str) -> TargetSet {
    targets_of(
        config,
        "[base]\naws_access_key_id = K\naws_secret_access_key = S\n",
    )
}

/// `p0 -> p1 -> ... -> base`: `hops` role profiles, each assumed with the next one's credentials.
fn chain(hops: usize) -> String {
    (0..hops)
        .map(|i| {
            let source = if i + 1 == hops {
                "base".to_owned()
            } else {
                format!("p{}", i + 1)
            };
            format!(
                "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\nsource_profile = {source}\n"
            )
        })
        .collect()
}

#[test]
fn an_account_target_never_shadows_or_is_shadowed_by_another_name() {
    let config =
        "[profile ops/Admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n";
    let profiles = parse_profiles(
        AwsFile {
            kind: AwsFileKind::Config,
            path: "/h/.aws/config",
            bytes: config.as_bytes(),
        },
        AwsFile {
            kind: AwsFileKind::Credentials,
            path: "/h/.aws/credentials",
            bytes: b"[base]\naws_access_key_id = K\naws_secret_access_key = S\n",
        },
    )
    .unwrap();
    let file = HatsFile::parse(
        "[[account]]\nid = \"111111111111\"\nname = \"ops\"\nsource = \"base\"\nroles = [\"Admin\", \"Read\"]\n\
         [[account]]\nid = \"111111111111\"\nname = \"ops2\"\nsource = \"base\"\nroles = [\"Read\"]\n\
         [[account]]\nid = \"222222222222\"\nname = \"ops\"\nsource = \"base\"\nroles = [\"Read\"]\n",
    )
    .unwrap();
    let set = build_targets(&profiles, &file);
    assert_eq!(set.find("ops/Admin").map(|t| t.origin), Some(Origin::AwsProfile));
    assert_eq!(
        set.find("ops/Read")
            .and_then(|t| t.account_id.as_ref())
            .map(ToString::to_string),
        Some("111111111111".to_owned())
    );
    // The same account under a second name keeps its own name; ID/ROLE stays with the first.
    assert_eq!(
        set.find("111111111111/Read").map(|t| t.name.as_str()),
        Some("ops/Read")
    );
    assert!(set.find("ops2/Read").is_some_and(|t| t.alias.is_none()));
    let refused: Vec<String> = set
        .broken
        .iter()
        .map(|(name, e)| format!("{name}: {e}"))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].starts_with("ops/Admin: target \"ops/Admin\" of an [[account]]"),
        "{refused:?}"
    );
    assert!(
        refused[1].contains("already has this name; rename the account"),
        "{refused:?}"
    );
}

#[test]
fn chains_up_to_the_limit_are_followed() {
    let set = targets(&chain(MAX_CHAIN));
    assert!(set.broken.is_empty(), "{:?}", set.broken);
    assert_eq!(set.targets.len(), MAX_CHAIN);
}

#[test]
fn a_chain_of_thousands_is_refused_not_followed_off_the_stack() {
    // Found by reasoning about the fuzz targets' recursion: before the limit,
    // 5,000 chained profiles overflowed a test thread's stack (an abort, not an error).
    let set = targets(&chain(5_000));
    let (name, problem) = &set.broken[0];
    assert_eq!(name, "p0");
    assert!(
        problem.to_string().contains("is longer than 32 roles"),
        "{problem}"
    );
    // The tail of the chain is short enough to use.
    assert!(set.find("p4999").is_some());
}

#[test]
fn keyring_profiles_are_sources_and_user_sessions_with_or_without_a_device() {
    use crate::config::{
        AwsFile, AwsFileKind, HatsFile, KeysAt, Source, Spec, build_targets, parse_profiles,
    };
    let config = "[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
        [profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\n\
        [profile bot-role]\nrole_arn = arn:aws:iam::222222222222:role/Bot\nsource_profile = bot\n";
    let credentials = "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = s\n\
        [tmp]\naws_access_key_id = ASIATMP\naws_secret_access_key = s\naws_session_token = t\n";
    let file = |kind, path, text: &'static str| AwsFile {
        kind,
        path,
        bytes: text.as_bytes(),
    };
    let profiles = parse_profiles(
        file(AwsFileKind::Config, "/h/.aws/config", config),
        file(AwsFileKind::Credentials, "/h/.aws/credentials", credentials),
    )
    .unwrap();
    let mut hats = HatsFile::parse(
        "[[account]]\nid = \"333333333333\"\nname = \"data\"\nsource = \"alice\"\nroles = [\"Read\"]\n",
    )
    .unwrap();
    hats.keyring_profiles = ["alice", "bot"].map(String::from).into();
    let set = build_targets(&profiles, &hats);
    assert!(set.broken.is_empty(), "{:?}", set.broken);
    let spec = |name: &str| set.find(name).map(|t| t.spec.clone());
    assert!(matches!(
        spec("alice"),
        Some(Spec::UserSession {
            keys: KeysAt::Keyring,
            mfa: Some(_),
            ..
        })
    ));
    // A key added alone, with no section in the AWS files: a session without MFA.
    assert!(matches!(
        spec("bot"),
        Some(Spec::UserSession {
            keys: KeysAt::Keyring,
            mfa: None,
            ..
        })
    ));
    for (role, source) in [("prod", "alice"), ("bot-role", "bot"), ("data/Read", "alice")] {
        let Some(Spec::Role(role_spec)) = spec(role) else {
            panic!("{role} is a role");
        };
        assert_eq!(role_spec.source, Source::Keyring(source.into()), "{role}");
        let target = set.find(role).unwrap();
        assert_eq!(set.keys_of(target), Some((source, KeysAt::Keyring)));
    }
    assert!(
        set.find("prod").and_then(|t| t.mfa_device()).is_some(),
        "alice's device"
    );
    assert_eq!(
        set.plaintext_keys,
        ["plain"],
        "temporary credentials are not long-term keys"
    );
}
