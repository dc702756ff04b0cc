//! The table of `cases.toml`, run once per way in (see the file's header).

use super::{AccountFacts, Batch, Naming, stage};
use crate::config::{OrgRule, SamlSource, SsoRole, SsoSession};
use crate::domain::{AccountId, RoleArn};
use crate::inventory::TargetSet;
use crate::inventory::{Chain, Origin, RoleSpec, Source, Spec, Target};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    #[serde(default)]
    ways: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    profiles: Vec<ProfileRow>,
    batch: Vec<BatchRow>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileRow {
    name: String,
    account: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRow {
    #[serde(default = "default_qualifier")]
    qualifier: String,
    #[serde(default)]
    naming: Option<String>,
    #[serde(default)]
    rules: Vec<OrgRule>,
    #[serde(default)]
    region: Option<String>,
    accounts: Vec<AccountRow>,
}

fn default_qualifier() -> String {
    "a".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountRow {
    id: String,
    name: String,
    #[serde(default)]
    ou: Option<Vec<String>>,
    #[serde(default)]
    tags: Option<Arc<crate::domain::Tags>>,
    roles: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    targets: Vec<String>,
    #[serde(default)]
    broken: Vec<String>,
    #[serde(default)]
    extra: Vec<String>,
}

const WAYS: [&str; 3] = ["organization", "identity-center", "saml"];

fn session(key: &str) -> Arc<SsoSession> {
    Arc::new(SsoSession {
        name: Some(key.into()),
        start_url: format!("https://{key}.example.com/start"),
        region: "us-east-1".into(),
        scopes: Vec::new(),
    })
}

fn role(arn: RoleArn, source: Source) -> Chain {
    let role = RoleSpec {
        profile: None,
        role_arn: arn,
        mfa: None,
        options: Default::default(),
    };
    Chain {
        base: source,
        via: Vec::new(),
        role,
    }
}

/// How `way` hands out `role_name` in `account` (through sign-in or source `qualifier`).
fn spec(way: &str, account: &AccountId, role_name: &str, qualifier: &str) -> Spec {
    let arn = || RoleArn::from_parts(Default::default(), account, role_name);
    match way {
        "identity-center" => Spec::Sso(SsoRole {
            profile: String::new(),
            session: session(qualifier),
            account_id: *account,
            role_name: role_name.into(),
        }),
        "saml" => {
            let source = Source::Saml(Box::new(SamlSource {
                name: qualifier.into(),
                command: vec!["idp".into()],
                principal_arn: format!("arn:aws:iam::{account}:saml-provider/idp"),
                max_duration: None,
                cache_dir: "/cache".into(),
            }));
            Spec::Role(role(arn().unwrap(), source))
        }
        _ => Spec::Role(role(arn().unwrap(), Source::profile("base"))),
    }
}

fn profile(way: &str, row: &ProfileRow) -> Target {
    let id = AccountId::parse(&row.account).unwrap();
    let mut spec = spec(way, &id, &row.role, "a");
    if let Spec::Sso(sso) = &mut spec {
        sso.profile.clone_from(&row.name);
    }
    Target {
        name: row.name.clone(),
        alias: None,
        origin: Origin::AwsProfile,
        account_id: Some(id),
        account_name: None,
        region: None,
        production: false,
        tags: Arc::default(),
        ou_path: None,
        spec,
    }
}

fn run(case: &Case, way: &str) -> TargetSet {
    let mut set = TargetSet::default();
    set.targets.extend(case.profiles.iter().map(|p| profile(way, p)));
    let batches = case
        .batch
        .iter()
        .map(|b| Batch {
            origin: Origin::Organization,
            naming: match b.naming.as_deref() {
                Some("configured") => Naming::Configured,
                _ => Naming::Discovered,
            },
            qualifier: b.qualifier.clone(),
            place: "test".into(),
            rules: b.rules.iter().collect(),
            region: b.region.clone(),
            tags: BTreeMap::new(),
            production: false,
            accounts: b
                .accounts
                .iter()
                .map(|a| {
                    let id = AccountId::parse(&a.id).unwrap();
                    AccountFacts {
                        roles: a.roles.iter().map(|r| spec(way, &id, r, &b.qualifier)).collect(),
                        id,
                        name: &a.name,
                        ou_path: a.ou.as_deref(),
                        tags: a.tags.as_ref(),
                    }
                })
                .collect::<Vec<_>>()
                .into(),
        })
        .collect();
    stage(&mut set, batches, &case.patterns);
    set
}

fn shown(t: &Target) -> String {
    let mut line = t.name.clone();
    if let Some(alias) = &t.alias {
        line.push_str(&format!(" ({alias})"));
    }
    if t.production {
        line.push_str(" !");
    }
    if let Some(name) = &t.account_name {
        line.push_str(&format!(" [{name}]"));
    }
    if let Some(ou) = &t.ou_path {
        line.push_str(&format!(" {{{ou}}}"));
    }
    line
}

#[test]
fn every_way_in_is_named_and_ruled_alike() {
    let table: Table = toml::from_str(include_str!("cases.toml")).unwrap();
    let mut failures = Vec::new();
    for case in &table.case {
        for way in WAYS
            .iter()
            .filter(|w| case.ways.is_empty() || case.ways.iter().any(|c| c == *w))
        {
            let set = run(case, way);
            let targets: Vec<String> = set.targets.iter().map(shown).collect();
            let broken: Vec<&str> = set.broken.iter().map(|(n, _)| n.as_str()).collect();
            let mut extra: Vec<String> = set
                .extra_names
                .iter()
                .map(|(n, &i)| format!("{n} -> {}", set.targets[i].name))
                .collect();
            let mut wanted_extra = case.expect.extra.clone();
            extra.sort();
            wanted_extra.sort();
            if targets != case.expect.targets || broken != case.expect.broken || extra != wanted_extra {
                failures.push(format!(
                    "{} ({way}):\n  targets {targets:?}\n  broken {broken:?}\n  extra {extra:?}",
                    case.about
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
