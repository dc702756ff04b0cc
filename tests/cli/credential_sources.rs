//! `credential_source = Environment | EcsContainer` end to end: the role's
//! first credentials come from the environment, or from a container
//! credentials endpoint — here `hats serve` itself, as a container would use it.

use crate::containers::serve;
use crate::harness::{AWS_CONFIG, Sandbox, caller_arn, parse_exports};

/// The access key id in a SigV4 `Authorization` header.
fn signing_key(authorization: &str) -> &str {
    authorization
        .split("Credential=")
        .nth(1)
        .and_then(|scope| scope.split('/').next())
        .unwrap_or_else(|| panic!("no credential in {authorization:?}"))
}

#[test]
fn credential_source_environment_signs_with_the_keys_in_the_environment() {
    let mut sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile from-env]\nrole_arn = arn:aws:iam::333333333333:role/FromEnv\n\
         credential_source = Environment\n"
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
    let calls = sb.moto.take_sts_calls();
    let assume: Vec<_> = calls.iter().filter(|c| c.action() == "AssumeRole").collect();
    assert_eq!(assume.len(), 1, "{calls:?}");
    assert_eq!(signing_key(&assume[0].authorization), "AKIAENVIRONMENT00001");
}

#[test]
fn credential_source_ecs_container_takes_the_keys_hats_serve_hands_out() {
    let mut sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile via-container]\nrole_arn = arn:aws:iam::333333333333:role/FromContainer\n\
         credential_source = EcsContainer\n"
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
    let calls = sb.moto.take_sts_calls();
    let assume: Vec<_> = calls.iter().filter(|c| c.action() == "AssumeRole").collect();
    assert_eq!(
        assume.len(),
        1,
        "served from the cache, then one AssumeRole: {calls:?}"
    );
    assert_eq!(
        assume[0].param("RoleArn"),
        Some("arn:aws:iam::333333333333:role/FromContainer")
    );
    assert_eq!(
        signing_key(&assume[0].authorization),
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
