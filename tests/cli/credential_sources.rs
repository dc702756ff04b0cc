//! `credential_source = Environment | EcsContainer` end to end: the role's
//! first credentials come from the environment, or from a container
//! credentials endpoint — here `hats serve` itself, as a container would use it.

use crate::containers::serve;
use crate::harness::{AWS_CONFIG, Sandbox, caller_arn, parse_exports};

#[test]
fn credential_source_environment_signs_with_the_keys_in_the_environment() {
    let mut sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile from-env]\nrole_arn = arn:aws:iam::333333333333:role/FromEnv\n\
         credential_source = Environment\nregion = us-east-1\n"
    ));
    let err = sb.hats(&["env", "from-env"]).fails();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("AWS_ACCESS_KEY_ID"), "says what is missing: {err}");
    assert!(sb.moto.take_actions().is_empty());

    sb.set_env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001");
    sb.set_env(
        "AWS_SECRET_ACCESS_KEY",
        "environmentsecretenvironmentsecret000001",
    );
    assert_eq!(
        caller_arn(&sb, "from-env"),
        "arn:aws:sts::333333333333:assumed-role/FromEnv/hats-tester"
    );
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(assume.signed_by().0, "AKIAENVIRONMENT00001");
}

#[test]
fn credential_source_ecs_container_takes_the_keys_hats_serve_hands_out() {
    let mut sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile via-container]\nrole_arn = arn:aws:iam::333333333333:role/FromContainer\n\
         credential_source = EcsContainer\nregion = us-east-1\n"
    ));
    let served = serve(&sb, &["plain-role"]);
    let plain = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    sb.moto.take_actions();
    sb.set_env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &served.url);
    sb.set_env("AWS_CONTAINER_AUTHORIZATION_TOKEN", &served.token);
    assert_eq!(
        caller_arn(&sb, "via-container"),
        "arn:aws:sts::333333333333:assumed-role/FromContainer/hats-tester"
    );
    // The served session came from the cache: one AssumeRole, the target's.
    let assume = sb.moto.take_one("AssumeRole");
    assert_eq!(
        assume.param("RoleArn"),
        Some("arn:aws:iam::333333333333:role/FromContainer")
    );
    assert_eq!(
        assume.signed_by().0,
        plain["AWS_ACCESS_KEY_ID"],
        "signed with the session the endpoint served"
    );
    // A wrong token: the endpoint refuses, and hats says where it failed.
    sb.hats(&["forget", "via-container"]).ok();
    sb.set_env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-the-token");
    let err = sb.hats(&["env", "via-container"]).fails();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(sb.moto.take_actions().is_empty(), "{err}");
    let (code, _) = served.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
}
