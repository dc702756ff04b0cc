//! Every AWS partition end to end: a GovCloud profile against moto (through
//! `AWS_ENDPOINT_URL`, as every test) is signed for its GovCloud region, assumes
//! its `aws-us-gov` role, signs in to the GovCloud console, and an organization
//! discovered in GovCloud offers `aws-us-gov` roles; the switcher's region
//! picker offers a GovCloud target only GovCloud regions. A China profile is
//! signed for its China region and assumes its `aws-cn` role the same way.
//!
//! What moto shows honestly: it keeps the partition of the role ARN it is
//! given in the assumed-role ARN it answers with, and it records the
//! request's `Authorization` header, whose credential scope names the region
//! the request was signed for. It cannot show which host the SDK would have
//! called without the override; the unit tests of `domain::partition` pin those.

use crate::federation::Federation;
use crate::harness::{Sandbox, parse_exports, url_decode};

const GOV_CREDENTIALS: &str = "\
[gov-base]
aws_access_key_id = AKIAGOVGOVGOVGOVGOV1
aws_secret_access_key = govsecretgovsecretgovsecretgovsecretgov1
";

const GOV_CONFIG: &str = "\
[profile gov-base]
region = us-gov-west-1

[profile gov]
role_arn = arn:aws-us-gov:iam::123456789012:role/Admin
source_profile = gov-base
region = us-gov-west-1

[profile gov-no-region]
role_arn = arn:aws-us-gov:iam::123456789012:role/Auditor
source_profile = gov-base
";

fn gov_sandbox() -> Sandbox {
    let sb = Sandbox::without_keyring();
    sb.aws_config(GOV_CONFIG);
    sb.credentials(GOV_CREDENTIALS);
    sb
}

#[test]
fn a_govcloud_profile_assumes_its_role_signed_for_its_govcloud_region() {
    let sb = gov_sandbox();
    let exports = parse_exports(&sb.hats(&["env", "gov"]).ok());
    assert_eq!(exports["AWS_REGION"], "us-gov-west-1");
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(
        assume.param("RoleArn"),
        Some("arn:aws-us-gov:iam::123456789012:role/Admin")
    );
    assert_eq!(assume.signed_by().1, "us-gov-west-1");
    // moto answers in the role's partition; hats reports what STS said.
    let who = sb.hats(&["whoami", "gov"]).ok();
    assert!(
        who.contains("arn:aws-us-gov:sts::123456789012:assumed-role/Admin/"),
        "{who}"
    );
}

#[test]
fn a_govcloud_role_without_a_region_is_assumed_in_govcloud_not_us_east_1() {
    let sb = gov_sandbox();
    sb.hats(&["env", "gov-no-region"]).ok();
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(assume.signed_by().1, "us-gov-west-1");
}

#[test]
fn console_sign_in_for_a_govcloud_role_lands_on_the_govcloud_console() {
    let mut sb = gov_sandbox();
    let fed = Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let url = sb.hats(&["login", "gov", "--print", "--service", "ec2"]).ok();
    let destination = url
        .trim()
        .split('&')
        .find_map(|p| p.strip_prefix("Destination="))
        .map(url_decode)
        .unwrap_or_else(|| panic!("no destination in {url}"));
    assert_eq!(
        destination,
        "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#Instances:"
    );
    let asked = fed.last_session().expect("the federation endpoint was asked");
    assert!(
        asked["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws-us-gov:sts::123456789012:assumed-role/Admin/"),
        "{asked}"
    );
}

#[test]
fn an_organization_discovered_in_govcloud_offers_govcloud_roles() {
    let sb = gov_sandbox();
    sb.hats_config(
        "[organization]\nsource = \"gov-base\"\nregion = \"us-gov-west-1\"\nroles = [\"Audit\"]\n",
    );
    let id = sb.moto.python(
        r#"
import boto3, sys
o = boto3.client("organizations", endpoint_url=sys.argv[1], region_name="us-gov-west-1",
                 aws_access_key_id="x", aws_secret_access_key="x")
o.create_organization(FeatureSet="ALL")
print(o.create_account(Email="p@example.com", AccountName="payments")["CreateAccountStatus"]["AccountId"])
"#,
    );
    sb.hats(&["org", "sync"]).ok();
    let listed: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let payments = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "payments/Audit")
        .unwrap_or_else(|| panic!("no payments/Audit in {listed}"));
    assert_eq!(
        payments["role_arn"],
        format!("arn:aws-us-gov:iam::{}:role/Audit", id.trim())
    );
}

#[test]
fn console_sign_in_for_a_govcloud_role_asks_the_govcloud_federation_endpoint() {
    // No stand-in: the sign-in host cannot be reached from here (or, with a
    // network, refuses moto's keys), and either error names the endpoint asked.
    let sb = gov_sandbox();
    let err = sb.hats(&["login", "gov", "--print"]).fails();
    assert!(
        err.contains("https://signin.amazonaws-us-gov.com/federation"),
        "{err}"
    );
}

#[test]
fn a_region_of_another_partition_is_refused_before_any_sts_call() {
    let sb = gov_sandbox();
    let err = sb.hats(&["env", "gov", "--region", "eu-west-1"]).fails();
    assert_eq!(
        err.trim(),
        "hats: region \"eu-west-1\" is in the aws partition but \"gov\" lives in aws-us-gov; \
         use a region of aws-us-gov such as us-gov-west-1 (--region, the profile's region or AWS_REGION)"
    );
    assert_eq!(sb.moto.take_actions(), Vec::<String>::new(), "no STS call");
}

#[test]
fn the_switchers_region_picker_offers_a_govcloud_target_only_govcloud_regions() {
    let sb = gov_sandbox();
    let mut term = crate::pty::Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (");
    term.keys("/gov-no-region\t");
    term.wait_highlighted("gov-no-region");
    term.keys("w");
    term.wait_for("us-gov-east-1");
    let picker = term.screen();
    assert!(picker.contains("us-gov-west-1"), "{picker}");
    for commercial in ["us-east-1", "eu-west-1", "ap-northeast-1"] {
        assert!(!picker.contains(commercial), "{commercial} offered:\n{picker}");
    }
    term.keys("east");
    term.wait_for("/east▏");
    term.keys("\r");
    term.wait_for("gov-no-region uses region us-gov-east-1 in this switcher");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    let exports = parse_exports(&std::fs::read_to_string(sb.home.join("exports.sh")).unwrap());
    assert_eq!(exports["AWS_REGION"], "us-gov-east-1");
    assert!(
        exports["HATS_ROLE_ARN"].starts_with("arn:aws-us-gov:"),
        "{exports:?}"
    );
}

const CHINA_CONFIG: &str = "\
[profile cn-base]
region = cn-northwest-1

[profile cn]
role_arn = arn:aws-cn:iam::123456789012:role/Admin
source_profile = cn-base
region = cn-northwest-1

[profile cn-no-region]
role_arn = arn:aws-cn:iam::123456789012:role/Auditor
source_profile = cn-base-no-region

[profile cn-base-no-region]
";

fn china_sandbox() -> Sandbox {
    let sb = Sandbox::without_keyring();
    sb.aws_config(CHINA_CONFIG);
    sb.credentials(
        "[cn-base]\naws_access_key_id = AKIACHINACHINACHINA1\naws_secret_access_key = cnsecretcnsecretcnsecretcnsecretcnsecre1\n\
         [cn-base-no-region]\naws_access_key_id = AKIACHINACHINACHINA2\naws_secret_access_key = cnsecretcnsecretcnsecretcnsecretcnsecre2\n",
    );
    sb
}

#[test]
fn a_china_profile_assumes_its_aws_cn_role_signed_for_its_china_region() {
    let sb = china_sandbox();
    let exports = parse_exports(&sb.hats(&["env", "cn"]).ok());
    assert_eq!(exports["AWS_REGION"], "cn-northwest-1");
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(
        assume.param("RoleArn"),
        Some("arn:aws-cn:iam::123456789012:role/Admin")
    );
    assert_eq!(assume.signed_by().1, "cn-northwest-1");
    let who = sb.hats(&["whoami", "cn"]).ok();
    assert!(
        who.contains("arn:aws-cn:sts::123456789012:assumed-role/Admin/"),
        "{who}"
    );
}

#[test]
fn a_china_role_without_a_region_is_assumed_in_cn_north_1_and_other_partitions_are_refused() {
    let sb = china_sandbox();
    let exports = parse_exports(&sb.hats(&["env", "cn-no-region"]).ok());
    assert_eq!(exports.get("AWS_REGION").map(String::as_str), None, "{exports:?}");
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(assume.signed_by().1, "cn-north-1");
    let err = sb.hats(&["env", "cn", "--region", "us-east-1"]).fails();
    assert!(
        err.contains("region \"us-east-1\" is in the aws partition but \"cn\" lives in aws-cn"),
        "{err}"
    );
    assert_eq!(sb.moto.take_actions(), Vec::<String>::new(), "no STS call");
}
