//! The table of `chains.toml`: config files in, chains (or errors) out.

use super::MAX_CHAIN;
use crate::domain::CredentialSource;
use crate::inventory::targets_of;
use crate::inventory::{Chain, Source, Spec};
use serde::Deserialize;

#[derive(Deserialize)]
struct Table {
    credentials: String,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    target: String,
    config: String,
    #[serde(default)]
    chain: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn written(chain: &Chain) -> String {
    let base = match &chain.base {
        Source::Credentials(CredentialSource::Profile(name)) => format!("keys {name}"),
        Source::Credentials(CredentialSource::Keyring(name)) => format!("keyring {name}"),
        Source::Credentials(CredentialSource::Environment) => "environment".into(),
        Source::Credentials(CredentialSource::InstanceMetadata) => "instance metadata".into(),
        Source::Credentials(CredentialSource::EcsContainer) => "ecs container".into(),
        Source::Sso(sso) => format!("sso {}/{}/{}", sso.session.key(), sso.account_id, sso.role_name),
        Source::WebIdentity(_) => "web identity".into(),
        Source::Saml(saml) => format!("saml {}", saml.name),
    };
    let mut parts = vec![base];
    for hop in chain.hops() {
        let mut part = format!(
            "{}:{}",
            hop.profile.as_deref().unwrap_or("?"),
            hop.role_arn.name()
        );
        if let Some(mfa) = &hop.mfa {
            part.push_str(&format!(
                "+mfa={}",
                mfa.serial.as_str().rsplit('/').next().unwrap_or("")
            ));
        }
        parts.push(part);
    }
    parts.join(" -> ")
}

#[test]
fn every_config_gives_its_chain() {
    let table: Table = toml::from_str(include_str!("../chains.toml")).unwrap();
    let mut failures = Vec::new();
    for case in &table.case {
        let set = targets_of(&case.config, &table.credentials);
        let got = match set.find(&case.target).map(|t| &t.spec) {
            Some(Spec::Role(chain)) => Ok(written(chain)),
            Some(other) => Ok(format!("not a role: {other:?}")),
            None => Err(set
                .broken
                .iter()
                .find(|(name, _)| *name == case.target)
                .map_or_else(|| "no such target".to_owned(), |(_, e)| e.to_string())),
        };
        let ok = match (&got, &case.chain, &case.error) {
            (Ok(chain), Some(wanted), None) => chain == wanted,
            (Err(error), None, Some(wanted)) => error.contains(wanted.as_str()),
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: got {got:?}", case.about));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `p0 -> p1 -> ... -> base`: `hops` role profiles, each assumed with the next one's credentials.
fn long_chain(hops: usize) -> String {
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

const KEYS: &str = "[base]\naws_access_key_id = K\naws_secret_access_key = S\n";

#[test]
fn chains_up_to_the_limit_are_followed() {
    let set = targets_of(&long_chain(MAX_CHAIN), KEYS);
    assert!(set.broken.is_empty(), "{:?}", set.broken);
    assert_eq!(set.targets.len(), MAX_CHAIN);
    let Some(Spec::Role(chain)) = set.find("p0").map(|t| &t.spec) else {
        panic!("p0 is a role");
    };
    assert_eq!(chain.via.len(), MAX_CHAIN - 1);
}

#[test]
fn a_chain_of_thousands_is_refused_not_followed() {
    let set = targets_of(&long_chain(5_000), KEYS);
    let (name, problem) = &set.broken[0];
    assert_eq!(name, "p0");
    assert!(
        problem.to_string().contains("is longer than 32 roles"),
        "{problem}"
    );
    // The tail of the chain is short enough to use.
    assert!(set.find("p4999").is_some());
}
