//! Which console session a sign-in ends up in: a shared browser signed out
//! before another target (and not before the same one, nor in another
//! partition), isolation and multi-session that never need it, the Identity
//! Center portal's shortcut with multi-session, and landing pages on the
//! target's partition. The bed is `console`'s.

use crate::console::Bed;
use crate::federation::query_param;

#[test]
fn a_shared_browser_is_signed_out_before_another_target_and_not_before_the_same() {
    let bed = Bed::new("");
    let first = bed.login(&["com"]);
    assert!(
        first[0].contains("Action=login"),
        "nothing to sign out of yet: {first:?}"
    );
    let again = bed.login(&["com"]);
    assert!(
        !again[0].contains("Action=logout"),
        "the same target keeps its session: {again:?}"
    );
    let other = bed.login(&["com-dev"]);
    let url = &other[0];
    assert!(
        url.starts_with(&format!("{}/oauth?Action=logout&redirect_uri=", bed.fed.origin())),
        "{url}"
    );
    let next = query_param(url, "redirect_uri").unwrap();
    assert!(
        next.starts_with(&format!("{}?Action=login", bed.fed.endpoint())),
        "{next}"
    );
    // Another partition's console has cookies of its own: no sign-out.
    let gov = bed.login(&["gov"]);
    assert!(
        gov[0].contains("Action=login") && !gov[0].contains("logout"),
        "{gov:?}"
    );
    // --sign-out forces it; an isolating launcher never needs it.
    let forced = bed.login(&["com-dev", "--sign-out"]);
    assert!(forced[0].contains("Action=logout"), "{forced:?}");
}

#[test]
fn isolation_multi_session_and_sign_out_never_skip_the_sign_out() {
    let bed = Bed::new(
        r#"
[defaults.console]
browser = "RECORDER"
[[console]]
targets = ["com-dev"]
multi_session = true
"#,
    );
    bed.login(&["com"]);
    let multi = bed.login(&["com-dev"]);
    assert!(
        !multi[0].contains("logout"),
        "multi-session adds a session: {multi:?}"
    );
    let chrome = bed.login(&["com", "--launcher", "chrome-profile"]);
    assert!(!chrome[3].contains("logout"), "{chrome:?}");
    let never = Bed::new("[defaults.console]\nsign_out = \"never\"\n");
    never.login(&["com"]);
    let next = never.login(&["com-dev"]);
    assert!(!next[0].contains("logout"), "{next:?}");
    let always = Bed::new("[defaults.console]\nsign_out = \"always\"\n");
    let first = always.login(&["com"]);
    assert!(first[0].contains("Action=logout"), "{first:?}");
}

#[test]
fn with_multi_session_an_identity_center_target_opens_the_portal_shortcut_without_credentials() {
    let bed = Bed::new(
        r#"
[defaults.console]
multi_session = true
"#,
    );
    let mut config = std::fs::read_to_string(bed.sb.home.join(".aws/config")).unwrap();
    config.push_str(
        "[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n\
         [profile corp-admin]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n",
    );
    bed.sb.aws_config(&config);
    let argv = bed.login(&["corp-admin", "--service", "s3"]);
    assert_eq!(
        argv,
        [
            "https://d-1234567890.awsapps.com/start/#/console?account_id=222222222222&role_name=AdministratorAccess\
          &destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fbuckets%3Fregion%3Deu-west-1"
        ]
    );
    let fragment = argv[0].split_once('#').unwrap().1;
    assert_eq!(
        query_param(fragment, "destination").unwrap(),
        "https://console.aws.amazon.com/s3/buckets?region=eu-west-1"
    );
    assert!(bed.fed.log().is_empty(), "no federation token was asked for");
    assert!(bed.sb.moto.take_actions().is_empty(), "no credentials were made");
}

#[test]
fn landing_pages_respect_the_partition_and_refuse_another_partitions_console() {
    let bed = Bed::new("");
    let argv = bed.login(&["cn", "--destination", "/s3/buckets"]);
    assert_eq!(
        query_param(&argv[0], "Destination").unwrap(),
        "https://console.amazonaws.cn/s3/buckets?region=cn-northwest-1"
    );
    let argv = bed.login(&[
        "com",
        "--destination",
        "https://console.aws.amazon.com/cloudwatch/home#logs:",
    ]);
    assert_eq!(
        query_param(&argv[0], "Destination").unwrap(),
        "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logs:"
    );
    let err = bed
        .sb
        .hats(&[
            "login",
            "gov",
            "--destination",
            "https://console.aws.amazon.com/s3/",
        ])
        .fails();
    assert!(
        err.contains("is on the aws console, but the target lives in aws-us-gov"),
        "{err}"
    );
    assert!(
        bed.fed.requests("getSigninToken").len() == 2,
        "refused before any token was asked for"
    );
}
