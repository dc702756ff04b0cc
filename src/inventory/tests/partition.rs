//! Every partition end to end through configuration: roles that hats builds
//! itself (hats `[[account]]`s, organization offers) get the ARN of the
//! partition their account lives in, and a target without a region talks to
//! a region of its own partition.

use crate::config::HatsFile;
use crate::context::region_with;
use crate::domain::{Inventory, OrgAccount, Partition};
use crate::inventory::{Discovered, Spec, Target, TargetSet, build_targets, profiles_of};

const CREDENTIALS: &str = "[base]\naws_access_key_id = K\naws_secret_access_key = S\n";

fn targets_with(config: &str, hats: &str, inventory: Option<&Inventory>) -> TargetSet {
    let profiles = profiles_of(config, CREDENTIALS);
    let hats = HatsFile::parse(hats).unwrap();
    let discovered = Discovered {
        organization: inventory,
        ..Discovered::default()
    };
    let set = build_targets(&profiles, &hats, discovered);
    assert!(set.broken.is_empty(), "{:?}", set.broken);
    set
}

fn arn_of<'a>(set: &'a TargetSet, name: &str) -> &'a str {
    match &set.find(name).unwrap_or_else(|| panic!("no target {name}")).spec {
        Spec::Role(chain) => chain.role.role_arn.as_str(),
        other => panic!("{name} is not a role: {other:?}"),
    }
}

#[test]
fn hats_accounts_build_arns_in_the_partition_of_their_region_or_source() {
    let config =
        "[profile gov-base]\nrole_arn = arn:aws-us-gov:iam::111111111111:role/Hub\nsource_profile = base\n";
    let hats = "[[account]]\nid = \"333333333333\"\nname = \"gov-by-region\"\nsource = \"base\"\nregion = \"us-gov-east-1\"\nroles = [\"Admin\"]\n\
                [[account]]\nid = \"444444444444\"\nname = \"gov-by-source\"\nsource = \"gov-base\"\nroles = [\"Admin\"]\n\
                [[account]]\nid = \"555555555555\"\nname = \"cn-by-mfa\"\nsource = \"base\"\nmfa_serial = \"arn:aws-cn:iam::222222222222:mfa/li\"\nroles = [\"Admin\"]\n\
                [[account]]\nid = \"666666666666\"\nname = \"cn-by-region\"\nsource = \"base\"\nregion = \"cn-northwest-1\"\nroles = [\"Admin\"]\n\
                [[account]]\nid = \"777777777777\"\nname = \"commercial\"\nsource = \"base\"\nroles = [\"Admin\"]\n";
    let set = targets_with(config, hats, None);
    assert_eq!(
        arn_of(&set, "gov-by-region/Admin"),
        "arn:aws-us-gov:iam::333333333333:role/Admin"
    );
    assert_eq!(
        arn_of(&set, "gov-by-source/Admin"),
        "arn:aws-us-gov:iam::444444444444:role/Admin"
    );
    assert_eq!(
        arn_of(&set, "cn-by-mfa/Admin"),
        "arn:aws-cn:iam::555555555555:role/Admin"
    );
    assert_eq!(
        arn_of(&set, "cn-by-region/Admin"),
        "arn:aws-cn:iam::666666666666:role/Admin"
    );
    assert_eq!(
        arn_of(&set, "commercial/Admin"),
        "arn:aws:iam::777777777777:role/Admin"
    );
}

#[test]
fn organization_offers_build_arns_in_the_inventorys_partition() {
    let account = |id: &str, name: &str| OrgAccount {
        id: id.into(),
        name: name.into(),
        state: "ACTIVE".into(),
        ou_path: Vec::new(),
        tags: Default::default(),
        roles: Vec::new(),
    };
    let hats = "[organization]\nsource = \"base\"\nroles = [\"Audit\"]\n";
    for partition in Partition::ALL {
        let inventory = Inventory {
            fetched_at: jiff::Timestamp::UNIX_EPOCH,
            accounts: vec![account("123456789012", "payments")],
            partition,
            region: None,
        };
        let set = targets_with("", hats, Some(&inventory));
        assert_eq!(
            arn_of(&set, "payments/Audit"),
            format!("arn:{partition}:iam::123456789012:role/Audit")
        );
    }
}

#[test]
fn an_inventory_written_before_partitions_reads_as_the_commercial_partition() {
    let old = r#"{"fetched_at":"2026-01-01T00:00:00Z","accounts":[]}"#;
    let inventory: Inventory = serde_json::from_str(old).unwrap();
    assert_eq!(inventory.partition, Partition::Aws);
}

#[test]
fn a_target_without_a_region_calls_sts_in_its_own_partition() {
    let config = "[profile gov]\nrole_arn = arn:aws-us-gov:iam::111111111111:role/Admin\nsource_profile = base\n\
                  [profile cn]\nrole_arn = arn:aws-cn:iam::111111111111:role/Admin\nsource_profile = base\n\
                  [profile commercial]\nrole_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = base\n\
                  [profile gov-east]\nrole_arn = arn:aws-us-gov:iam::111111111111:role/Admin\nsource_profile = base\nregion = us-gov-east-1\n";
    let set = targets_with(config, "", None);
    let target = |name: &str| -> &Target { set.find(name).unwrap() };
    let region = |name: &str| region_with(target(name), None, || None);
    assert_eq!(region("gov"), "us-gov-west-1");
    assert_eq!(region("cn"), "cn-north-1");
    assert_eq!(region("commercial"), "us-east-1");
    assert_eq!(region("gov-east"), "us-gov-east-1");
    // The environment's region and --region still come first, as for AWS tools.
    assert_eq!(
        region_with(target("gov"), None, || Some("us-gov-east-1".into())),
        "us-gov-east-1"
    );
    assert_eq!(
        region_with(target("gov"), Some("us-gov-east-1"), || None),
        "us-gov-east-1"
    );
    assert_eq!(target("gov").partition(), Partition::AwsUsGov);
    assert_eq!(target("cn").partition(), Partition::AwsCn);
}
