//! Identity Center profiles and `[sso-session]` sections, from the AWS config
//! text to targets: what each becomes, and what a broken one says.

use crate::inventory::{Spec, TargetSet};

fn targets(config: &str) -> TargetSet {
    crate::inventory::targets_of(config, "")
}

fn problem(set: &TargetSet, name: &str) -> String {
    set.broken
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, e)| e.to_string())
        .unwrap_or_else(|| panic!("{name} is not broken: {:?}", set.broken))
}

#[test]
fn an_sso_session_profile_is_a_target_with_the_session_scopes() {
    let set = targets(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_registration_scopes = sso:account:access, other\n\
         [profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n",
    );
    let Some(Spec::Sso(sso)) = set.find("p").map(|t| &t.spec) else {
        panic!("{:?}", set.broken);
    };
    assert_eq!(sso.session.key(), "corp");
    assert_eq!(sso.session.region, "eu-west-1");
    assert_eq!(sso.session.scopes, ["sso:account:access", "other"]);
    assert_eq!(sso.account_id.as_str(), "111122223333");
}

#[test]
fn broken_sso_profiles_say_what_to_add() {
    let set = targets(
        "[profile nosection]\nsso_session = gone\nsso_account_id = 111122223333\nsso_role_name = A\n\
         [profile noaccount]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_role_name = A\n\
         [profile noregion]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 111122223333\nsso_role_name = A\n\
         [profile badurl]\nsso_start_url = corp\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = A\n",
    );
    assert!(problem(&set, "nosection").contains("has no [sso-session gone] section"));
    assert!(problem(&set, "noaccount").contains("no sso_account_id; add it"));
    assert!(problem(&set, "noregion").contains("no sso_region"));
    assert!(problem(&set, "badurl").contains("sso_start_url \"corp\" is not a URL"));
    assert!(set.targets.is_empty());
}
