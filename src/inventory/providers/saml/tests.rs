use super::super::{Discovered, build_targets};
use crate::config::{DiscoveredRole, DiscoveredRoles, DiscoveredSource, HatsFile, SsoSession};
use crate::domain::{Inventory, OrgAccount};
use crate::inventory::{Origin, Source, Spec, TargetSet};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

const PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Corp";

fn discovered(source: &str, arns: &[&str]) -> DiscoveredRoles {
    BTreeMap::from([(
        source.to_owned(),
        DiscoveredSource {
            fetched_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            session_duration: Some(7200),
            roles: arns
                .iter()
                .map(|arn| DiscoveredRole {
                    role_arn: (*arn).to_owned(),
                    principal_arn: PROVIDER.to_owned(),
                })
                .collect(),
        },
    )])
}

fn inventory(accounts: &[(&str, &str, &[&str])]) -> Inventory {
    Inventory {
        fetched_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        accounts: accounts
            .iter()
            .map(|(id, name, ou)| OrgAccount {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                state: "ACTIVE".into(),
                ou_path: ou.iter().map(|s| (*s).to_owned()).collect(),
                tags: Default::default(),
                roles: Vec::new(),
            })
            .collect(),
        partition: Default::default(),
        region: None,
    }
}

fn build(config: &str, found: &DiscoveredRoles, inv: Option<&Inventory>) -> TargetSet {
    build_named(config, found, inv.as_slice())
}

/// The targets of `config` (hats' config; no AWS profiles) with `found` roles
/// and `inventories`: the organization's first, then Identity Center sign-ins'.
fn build_named(config: &str, found: &DiscoveredRoles, inventories: &[&Inventory]) -> TargetSet {
    let file = HatsFile::parse(config).unwrap();
    let profiles = aws_config::profile::ProfileSet::default();
    let sign_ins: Vec<(Arc<SsoSession>, Inventory)> = inventories
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, inv)| {
            let session = SsoSession {
                name: Some(format!("s{i}")),
                start_url: format!("https://s{i}.awsapps.com/start"),
                region: "us-east-1".into(),
                scopes: Vec::new(),
            };
            (Arc::new(session), (*inv).clone())
        })
        .collect();
    let discovered = Discovered {
        organization: inventories.first().copied(),
        identity_center: &sign_ins,
        saml: Some(found),
        cache_dir: Path::new("/cache"),
    };
    build_targets(&profiles, &file, discovered)
}

fn names(set: &TargetSet) -> Vec<(&str, Option<&str>)> {
    set.targets
        .iter()
        .map(|t| (t.name.as_str(), t.alias.as_deref()))
        .collect()
}

#[test]
fn every_granted_role_is_a_target_named_by_the_organization_or_by_id() {
    let found = discovered(
        "corp",
        &[
            "arn:aws:iam::222222222222:role/Admin",
            "arn:aws:iam::333333333333:role/ReadOnly",
        ],
    );
    let inv = inventory(&[("222222222222", "Data Lake\u{1b}[31m prod", &[])]);
    let set = build(
        "[saml.corp]\nassertion_process = \"idp saml\"\n",
        &found,
        Some(&inv),
    );
    assert_eq!(
        names(&set),
        [
            ("Data-Lake-31m-prod/Admin", Some("222222222222/Admin")),
            ("333333333333/ReadOnly", None)
        ]
    );
    let Spec::Role(spec) = &set.targets[0].spec else {
        panic!("a role")
    };
    let Source::Saml(saml) = &spec.base else {
        panic!("a SAML source")
    };
    assert_eq!(saml.principal_arn, PROVIDER);
    assert_eq!(saml.command, ["idp", "saml"]);
    assert_eq!(saml.max_duration, Some(7200));
    assert_eq!(set.targets[0].origin, Origin::Saml);
    assert_eq!(set.targets[0].tags.get("saml"), Some("corp"));
}

#[test]
fn the_roles_filter_keeps_only_the_named_roles() {
    let found = discovered(
        "corp",
        &[
            "arn:aws:iam::222222222222:role/Admin",
            "arn:aws:iam::222222222222:role/ReadOnly",
        ],
    );
    let set = build(
        "[saml.corp]\nassertion_process = \"idp\"\nroles = [\"readonly\"]\n",
        &found,
        None,
    );
    assert_eq!(names(&set), [("222222222222/ReadOnly", None)]);
}

#[test]
fn a_role_granted_by_two_sources_is_qualified_by_the_second_source() {
    let mut found = discovered("a", &["arn:aws:iam::222222222222:role/Admin"]);
    found.extend(discovered("b", &["arn:aws:iam::222222222222:role/Admin"]));
    let set = build(
        "[saml.a]\nassertion_process = \"idp a\"\n[saml.b]\nassertion_process = \"idp b\"\n",
        &found,
        None,
    );
    assert_eq!(
        names(&set),
        [("222222222222/Admin", None), ("222222222222/Admin@b", None)]
    );
    assert!(set.broken.is_empty(), "{:?}", set.broken);
    let sources: Vec<_> = set.targets.iter().map(|t| t.tags.get("saml").unwrap()).collect();
    assert_eq!(sources, ["a", "b"], "each role goes through its own source");
}

#[test]
fn a_source_never_discovered_says_how_to_discover_it() {
    let set = build(
        "[saml.corp]\nassertion_process = \"idp\"\n",
        &DiscoveredRoles::new(),
        None,
    );
    assert!(set.targets.is_empty());
    assert_eq!(
        set.broken[0].1.to_string(),
        "[saml.corp] in hats config: no roles discovered yet; run `hats saml sync corp` (it runs assertion_process once)"
    );
    // A name with a terminal escape is listed and said escaped, never raw
    // (its name as the provider lists it, its place and message by `ConfigError`'s display).
    let set = build(
        "[saml.\"co\\u001brp\"]\nassertion_process = \"idp\"\n",
        &DiscoveredRoles::new(),
        None,
    );
    let (name, error) = &set.broken[0];
    let said = format!("{name} {error}");
    assert!(!said.contains('\u{1b}'), "{said}");
    assert!(said.contains("run `hats saml sync co\\u{1b}rp`"), "{said}");
}

#[test]
fn organization_rules_skip_include_and_guard_saml_roles() {
    let found = discovered(
        "corp",
        &[
            "arn:aws:iam::222222222222:role/Admin",
            "arn:aws:iam::333333333333:role/Admin",
            "arn:aws:iam::444444444444:role/Admin",
        ],
    );
    let inv = inventory(&[
        ("222222222222", "prod", &["Production"]),
        ("333333333333", "sandbox", &["Sandbox"]),
    ]);
    let config = "[saml.corp]\nassertion_process = \"idp\"\n\
                  [organization]\nsource = \"mgmt\"\n\
                  [[organization.rule]]\nou = \"Production\"\nproduction = true\n\
                  [[organization.rule]]\nou = \"Sandbox\"\nskip = true\n";
    let set = build(config, &found, Some(&inv));
    let guarded: Vec<(&str, bool)> = set
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.production))
        .collect();
    assert_eq!(guarded, [("prod/Admin", true), ("444444444444/Admin", false)]);
    let include = format!("{config}[[organization.rule]]\naccount = \"444444444444\"\ninclude = true\n");
    let set = build(&include, &found, Some(&inv));
    assert_eq!(names(&set), [("444444444444/Admin", None)]);
}

#[test]
fn an_identity_center_inventory_names_accounts_the_organization_does_not() {
    let found = discovered(
        "corp",
        &[
            "arn:aws:iam::222222222222:role/Admin",
            "arn:aws:iam::333333333333:role/Admin",
            "arn:aws:iam::444444444444:role/Admin",
        ],
    );
    let org = inventory(&[("222222222222", "shop", &[])]);
    let first = inventory(&[("222222222222", "ic-shop", &[]), ("333333333333", "data", &[])]);
    let second = inventory(&[("333333333333", "other-data", &[])]);
    let set = build_named(
        "[saml.corp]\nassertion_process = \"idp\"\n",
        &found,
        &[&org, &first, &second],
    );
    assert_eq!(
        names(&set),
        [
            ("shop/Admin", Some("222222222222/Admin")),
            ("data/Admin", Some("333333333333/Admin")),
            ("444444444444/Admin", None)
        ]
    );
    assert_eq!(set.targets[1].account_name.as_deref(), Some("data"));
}
