//! Profiles whose long-term keys are in the OS keyring, as targets and as the
//! base of chains, `[[account]]`s and plaintext-key detection.

use crate::config::HatsFile;
use crate::domain::CredentialSource;
use crate::inventory::{Chain, Discovered, KeysAt, Source, Spec, build_targets, profiles_of};

#[test]
fn keyring_profiles_are_sources_and_user_sessions_with_or_without_a_device() {
    let config = "[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
        [profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\n\
        [profile deep]\nrole_arn = arn:aws:iam::444444444444:role/Deep\nsource_profile = prod\n\
        [profile bot-role]\nrole_arn = arn:aws:iam::222222222222:role/Bot\nsource_profile = bot\n";
    let credentials = "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = s\n\
        [tmp]\naws_access_key_id = ASIATMP\naws_secret_access_key = s\naws_session_token = t\n";
    let profiles = profiles_of(config, credentials);
    let mut hats = HatsFile::parse(
        "[[account]]\nid = \"333333333333\"\nname = \"data\"\nsource = \"alice\"\nroles = [\"Read\"]\n",
    )
    .unwrap();
    hats.keyring_profiles = ["alice", "bot"].map(String::from).into();
    let set = build_targets(&profiles, &hats, Discovered::default());
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
    for (role, source) in [
        ("prod", "alice"),
        ("deep", "alice"),
        ("bot-role", "bot"),
        ("data/Read", "alice"),
    ] {
        let Some(Spec::Role(Chain { base, .. })) = spec(role) else {
            panic!("{role} is a role");
        };
        assert_eq!(
            base,
            Source::Credentials(CredentialSource::Keyring(source.into())),
            "{role}"
        );
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
