//! Turns a discovered organization into targets: the roles the config offers in
//! each account (`ACCOUNT-NAME/ROLE`), with OU/tag/account rules, and attaches
//! AWS profiles that already point into an account to that account.

use super::ConfigError;
use super::hats_file::{OrgRule, OrganizationEntry};
use super::profile_names::sdk_name;
use super::target::{MfaDevice, Origin, RoleSpec, Spec, Target, TargetSet};
use super::targets_from::source_of;
use crate::domain::{AccountId, Inventory, MfaSerial, OrgAccount, Partition, RoleArn, target_safe};
use aws_config::profile::ProfileSet;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Adds the organization's offers to `set`.
pub fn add_organization(
    set: &mut TargetSet,
    profiles: &ProfileSet,
    org: &OrganizationEntry,
    inventory: &Inventory,
) {
    let broken = |message: String| {
        (
            "organization".to_owned(),
            ConfigError::Entry {
                place: "[organization] in hats config".into(),
                message,
            },
        )
    };
    let via = org.via.as_deref().unwrap_or(&org.source);
    let keyring = std::sync::Arc::clone(&set.keyring_profiles);
    let (source, via_mfa) = match source_of(profiles, &keyring, via) {
        Ok(found) => found,
        Err(message) => return set.broken.push(broken(message)),
    };
    let mfa = match &org.mfa_serial {
        Some(serial) => match MfaSerial::parse(serial) {
            Ok(serial) => Some(MfaDevice {
                serial,
                process: org.mfa_process.clone(),
            }),
            Err(e) => return set.broken.push(broken(e.to_string())),
        },
        None => via_mfa,
    };
    let region = offer_region(profiles, org, inventory);
    // Indexes keep this linear: organizations have thousands of accounts.
    // Role ARN → the first target that assumes it.
    let mut profile_roles: HashMap<String, usize> = HashMap::new();
    for (i, t) in set.targets.iter().enumerate() {
        if let Spec::Role(r) = &t.spec {
            profile_roles.entry(r.role_arn.to_string()).or_insert(i);
        }
    }
    let mut profiles_by_account: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, t) in set
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| t.origin == Origin::AwsProfile)
    {
        if let Some(id) = &t.account_id {
            profiles_by_account.entry(id.to_string()).or_default().push(i);
        }
    }
    let has_includes = org.rules.iter().any(|r| r.include);
    // Names taken by profiles and hats' own accounts; a clash between two
    // accounts is caught once per account (`labels`), not once per role.
    let taken: HashSet<String> = set
        .targets
        .iter()
        .flat_map(|t| std::iter::once(t.name.clone()).chain(t.alias.clone()))
        .collect();
    let mut labels: HashSet<String> = HashSet::with_capacity(inventory.accounts.len());
    // Accounts some existing target already assumes a role in: only there can
    // an offer repeat a profile.
    let accounts_with_roles: HashSet<String> = profile_roles
        .keys()
        .filter_map(|arn| arn.split(':').nth(4).map(str::to_owned))
        .collect();
    // Reserved up front: growing a vector of 15,000 targets by doubling copies
    // megabytes and faults in fresh pages at every step.
    set.targets.reserve(inventory.accounts.len() * org.roles.len());
    for account in inventory
        .accounts
        .iter()
        .filter(|a| org.include_inactive || a.is_active())
    {
        let Ok(id) = AccountId::parse(&account.id) else {
            continue;
        };
        let rules: Vec<&OrgRule> = org.rules.iter().filter(|r| matches(r, account)).collect();
        let excluded = rules.iter().any(|r| r.skip);
        let not_included = has_includes && !rules.iter().any(|r| r.include);
        if excluded || not_included {
            continue;
        }
        let production = rules.iter().any(|r| r.production);
        for &i in profiles_by_account.get(&account.id).into_iter().flatten() {
            attach(&mut set.targets[i], account, production);
        }
        // Per account, not per role: organizations have thousands of accounts.
        let label = if account.name.is_empty() {
            account.id.clone()
        } else {
            target_safe(&account.name)
        };
        // The first account to use a name keeps it; later ones are named by id.
        let label_is_free = labels.insert(label.clone());
        let has_profiles = accounts_with_roles.contains(account.id.as_str());
        let ou_path = account.ou_path_text();
        let tags = Arc::new(account.tags.clone());
        for role in offered_roles(&org.roles, &rules) {
            let Ok(role_arn) = RoleArn::from_parts(inventory.partition, &id, &role) else {
                set.broken
                    .push(broken(format!("role \"{role}\" is not a valid IAM role name")));
                continue;
            };
            // `concat`, not `format!`: this runs for every role of every account.
            let by_id = [id.as_str(), "/", &role].concat();
            let mut name = [label.as_str(), "/", &role].concat();
            // A profile for this very role is shown once: as the profile, attached
            // above, which the offer's names still resolve to.
            if has_profiles && let Some(&i) = profile_roles.get(role_arn.as_str()) {
                for extra in [name, by_id] {
                    if !taken.contains(&extra) {
                        set.extra_names.entry(extra).or_insert(i);
                    }
                }
                continue;
            }
            if !label_is_free || taken.contains(&name) {
                name = by_id.clone();
            }
            set.targets.push(Target {
                alias: (name != by_id).then_some(by_id),
                name,
                origin: Origin::Organization,
                account_id: Some(id.clone()),
                account_name: Some(account.name.clone()),
                region: Some(region.clone()),
                production,
                tags: Arc::clone(&tags),
                ou_path: Some(ou_path.clone()),
                spec: Spec::Role(RoleSpec {
                    profile: None,
                    role_arn,
                    source: source.clone(),
                    mfa: mfa.clone(),
                    external_id: None,
                    session_name: None,
                    duration: None,
                    source_identity: None,
                    tags: Default::default(),
                }),
            });
        }
    }
}

/// The region exported with the offered roles, so a child always has one (an
/// `aws` child with none fails): `[organization] region`, else the region of
/// the profile whose credentials assume them (`via`, else `source`), else the
/// region discovery called, else the partition's home region (`us-east-1`).
/// A region of another partition than the organization's is passed over.
fn offer_region(profiles: &ProfileSet, org: &OrganizationEntry, inventory: &Inventory) -> String {
    let profile_region = |name: &str| {
        profiles
            .get_profile(&sdk_name(name))
            .and_then(|p| p.get("region"))
            .map(str::to_owned)
    };
    let in_partition =
        |r: &String| super::check_region(r).is_ok() && Partition::of_region(r) == inventory.partition;
    org.region
        .clone()
        .or_else(|| {
            [org.via.as_deref(), Some(org.source.as_str())]
                .into_iter()
                .flatten()
                .filter_map(profile_region)
                .find(in_partition)
        })
        .or_else(|| inventory.region.clone().filter(in_partition))
        .unwrap_or_else(|| inventory.partition.default_region().to_owned())
}

/// Whether `rule` applies to `account`; a rule without a selector applies to all.
pub(super) fn matches(rule: &OrgRule, account: &OrgAccount) -> bool {
    let ou = rule
        .ou
        .as_ref()
        .is_none_or(|ou| account.ou_path.iter().any(|p| p == ou) || account.ou_path_text() == *ou);
    let tag = rule.tag.as_ref().is_none_or(|tag| match tag.split_once('=') {
        Some((k, v)) => account.tags.get(k).is_some_and(|have| have == v),
        None => account.tags.contains_key(tag),
    });
    let named = rule
        .account
        .as_ref()
        .is_none_or(|a| *a == account.name || *a == account.id);
    ou && tag && named
}

/// The default roles, plus each matching rule's additions, minus its exclusions.
fn offered_roles(defaults: &[String], rules: &[&OrgRule]) -> Vec<String> {
    let mut roles: Vec<String> = defaults.to_vec();
    for rule in rules {
        for role in &rule.roles {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
    }
    roles.retain(|role| !rules.iter().any(|r| r.exclude_roles.contains(role)));
    roles
}

/// An AWS profile whose role lives in `account` learns its name, OU, tags and guard.
pub(super) fn attach(target: &mut Target, account: &OrgAccount, production: bool) {
    target.account_name = Some(account.name.clone());
    target.ou_path = Some(account.ou_path_text());
    for (k, v) in &account.tags {
        Arc::make_mut(&mut target.tags)
            .entry(k.clone())
            .or_insert_with(|| v.clone());
    }
    target.production |= production;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn account(ou: &[&str], tags: &[(&str, &str)]) -> OrgAccount {
        OrgAccount {
            id: "123456789012".into(),
            name: "payments".into(),
            state: "ACTIVE".into(),
            ou_path: ou.iter().map(|s| (*s).to_owned()).collect(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            roles: Vec::new(),
        }
    }

    fn rule(text: &str) -> OrgRule {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn rules_match_by_ou_tag_or_account() {
        let a = account(&["Workloads", "Production"], &[("env", "production")]);
        assert!(matches(&rule("ou = \"Production\""), &a));
        assert!(matches(&rule("ou = \"Workloads/Production\""), &a));
        assert!(!matches(&rule("ou = \"Sandbox\""), &a));
        assert!(matches(&rule("tag = \"env=production\""), &a));
        assert!(matches(&rule("tag = \"env\""), &a));
        assert!(!matches(&rule("tag = \"env=dev\""), &a));
        assert!(matches(&rule("account = \"payments\""), &a));
        assert!(matches(&rule("account = \"123456789012\""), &a));
        assert!(
            matches(&rule("roles = [\"X\"]"), &a),
            "no selector: every account"
        );
    }

    #[test]
    fn roles_are_added_then_excluded() {
        let add = rule("roles = [\"Admin\", \"ReadOnly\"]");
        let remove = rule("exclude_roles = [\"OrganizationAccountAccessRole\"]");
        let roles = offered_roles(
            &["OrganizationAccountAccessRole".into(), "ReadOnly".into()],
            &[&add, &remove],
        );
        assert_eq!(roles, ["ReadOnly", "Admin"]);
    }

    fn region_for(config: &str, hats: &str, partition: Partition, synced_in: Option<&str>) -> String {
        use crate::config::{AwsFile, AwsFileKind, parse_profiles};
        let file = |kind, path, bytes| AwsFile { kind, path, bytes };
        let profiles = parse_profiles(
            file(AwsFileKind::Config, "/h/.aws/config", config.as_bytes()),
            file(AwsFileKind::Credentials, "/h/.aws/credentials", b""),
        )
        .unwrap();
        let file = crate::config::HatsFile::parse(hats).unwrap();
        let inventory = Inventory {
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            accounts: Vec::new(),
            partition,
            region: synced_in.map(str::to_owned),
        };
        offer_region(&profiles, file.organization.as_ref().unwrap(), &inventory)
    }

    const ORG: &str = "[organization]\nsource = \"mgmt\"\n";
    const VIA: &str = "[organization]\nsource = \"mgmt\"\nvia = \"hub\"\n";

    #[test]
    fn offered_roles_get_the_organizations_region_then_the_source_profiles() {
        let config = "[profile mgmt]\nregion = eu-central-1\n[profile hub]\nregion = ap-south-1\n";
        let own = format!("{ORG}region = \"sa-east-1\"\n");
        assert_eq!(
            region_for(config, &own, Partition::Aws, Some("us-west-2")),
            "sa-east-1"
        );
        assert_eq!(
            region_for(config, ORG, Partition::Aws, Some("us-west-2")),
            "eu-central-1"
        );
        assert_eq!(
            region_for(config, VIA, Partition::Aws, None),
            "ap-south-1",
            "the profile that assumes the roles first"
        );
        assert_eq!(
            region_for(
                "[profile mgmt]\nregion = eu-central-1\n[profile hub]\n",
                VIA,
                Partition::Aws,
                None
            ),
            "eu-central-1"
        );
    }

    #[test]
    fn without_any_region_offered_roles_get_the_sync_region_else_the_partitions_home() {
        let config = "[profile mgmt]\n";
        assert_eq!(
            region_for(config, ORG, Partition::Aws, Some("us-west-2")),
            "us-west-2"
        );
        assert_eq!(region_for(config, ORG, Partition::Aws, None), "us-east-1");
        assert_eq!(
            region_for(config, ORG, Partition::AwsUsGov, None),
            "us-gov-west-1"
        );
    }

    #[test]
    fn a_region_of_another_partition_is_passed_over() {
        let config = "[profile mgmt]\nregion = eu-west-1\n";
        assert_eq!(
            region_for(config, ORG, Partition::AwsUsGov, Some("us-gov-east-1")),
            "us-gov-east-1"
        );
        assert_eq!(
            region_for(config, ORG, Partition::AwsCn, Some("eu-west-1")),
            "cn-north-1"
        );
    }
}
