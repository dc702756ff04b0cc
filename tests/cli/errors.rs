//! Every error a user can meet: one clear line, non-zero exit, no STS call made
//! for bad input, nothing cached.

use crate::harness::{AWS_CONFIG, CREDENTIALS, Moto, Sandbox};

fn assert_no_sts_and_nothing_cached(sb: &Sandbox) {
    assert!(sb.moto.take_actions().is_empty(), "bad input must not reach STS");
    sb.assert_nothing_cached();
}

fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    lines[0]
}

#[test]
fn unknown_targets_suggest_close_names() {
    let sb = Sandbox::standard(true);
    let err = sb.hats(&["env", "prd"]).fails();
    assert_eq!(
        one_line(&err),
        "hats: unknown target \"prd\" (did you mean \"prod\"?); run `hats ls` to see every target"
    );
    let err = sb.hats(&["exec", "data/admn", "--", "true"]).fails();
    assert!(err.contains("did you mean \"data/Admin\""), "{err}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn a_malformed_aws_config_names_the_file_and_line() {
    let sb = Sandbox::standard(true);
    sb.aws_config("[profile ok]\nregion = us-east-1\n[profile broken\nrole_arn = x\n");
    let err = sb.hats(&["ls"]).fails();
    let line = one_line(&err);
    assert!(
        line.contains(".aws/config") && line.contains("on line 3"),
        "{line}"
    );
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn a_broken_or_missing_credentials_file_names_that_file_and_its_variable() {
    let sb = Sandbox::standard(false);
    sb.credentials("[plain]\naws_access_key_id = A\n[broken\n");
    let line = one_line(&sb.hats(&["ls"]).fails()).to_owned();
    assert!(
        line.starts_with("hats: cannot read the AWS credentials file: "),
        "{line}"
    );
    assert!(line.contains(".aws/credentials on line 3"), "{line}");
    assert!(
        line.ends_with("point AWS_SHARED_CREDENTIALS_FILE elsewhere"),
        "{line}"
    );
    // No credentials file: the source profile's keys are missing, and the message says where they were looked for.
    let path = sb.home.join(".aws/credentials");
    std::fs::remove_file(&path).unwrap();
    let line = one_line(&sb.hats(&["env", "staging", "--mfa-code", "123456"]).fails()).to_owned();
    assert!(
        line.contains(&format!(
            "profile \"base\": it has no aws_access_key_id, neither in the AWS config nor in the credentials \
             file \"{}\", which does not exist; add its keys (aws configure --profile base)",
            path.display()
        )),
        "{line}"
    );
    assert!(!line.contains("was not enabled"), "{line}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn an_endpoint_variable_that_is_not_a_url_says_nothing_was_sent() {
    let mut sb = Sandbox::standard(false);
    sb.set_env("AWS_ENDPOINT_URL", "notaurl");
    let err = sb.hats(&["env", "prod", "--mfa-code", "123456"]).fails();
    assert_eq!(
        one_line(&err),
        "hats: the STS endpoint \"notaurl\" is not a URL (it does not start with https:// or http://), so \
         nothing was sent, and the MFA code was not used; set AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) \
         to one such as https://sts.eu-west-1.amazonaws.com or http://127.0.0.1:5000, or unset it"
    );
    let err = sb.hats(&["env", "plain-role"]).fails();
    assert!(one_line(&err).contains("\"notaurl\" is not a URL"), "{err}");
    assert!(
        !err.contains("next code") && !err.contains("was sent AssumeRole"),
        "{err}"
    );
}

#[test]
fn a_malformed_hats_config_names_the_key_and_line() {
    let sb = Sandbox::standard(true);
    sb.hats_config("[defaults]\nsession_name = \"alice\"\nrefresh = \"5m\"\n");
    let err = sb.hats(&["ls"]).fails();
    let line = one_line(&err);
    assert!(
        line.contains("config.toml") && line.contains("line 3, column 1: unknown field `refresh`"),
        "{line}"
    );
    sb.hats_config("[[account]]\nid = 1234\nsource = \"base\"\nroles = []\n");
    let err = sb.hats(&["ls"]).fails();
    assert!(err.contains("line 2") && err.contains("invalid type"), "{err}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn broken_profiles_are_reported_and_do_not_hide_the_others() {
    let sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile typo]\nrole_arn = arn:aws:iam::2222:role/Admin\nsource_profile = base\n\
         [profile loop-a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = loop-b\n\
         [profile loop-b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = loop-a\n\
         [profile orphan]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = nobody\n\
         [profile slow]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = base\nduration_seconds = 1h\n"
    ));
    let ls = sb.hats(&["ls"]);
    assert!(ls.ok().contains("prod "), "good targets are still listed");
    let skipped = ls.stderr().lines().filter(|l| l.contains("skipping")).count();
    assert_eq!(skipped, 5, "{}", ls.stderr());
    let cases = [
        (
            "typo",
            "role_arn \"arn:aws:iam::2222:role/Admin\" is not an IAM role ARN",
        ),
        ("loop-a", "source_profile loop: loop-a -> loop-b -> loop-a"),
        ("orphan", "source_profile \"nobody\" does not exist"),
        ("slow", "duration_seconds \"1h\" is not a whole number of seconds"),
    ];
    for (target, expected) in cases {
        let err = sb.hats(&["env", target, "--mfa-code", "123456"]).fails();
        assert!(one_line(&err).contains(expected), "{target}: {err}");
        assert!(
            err.starts_with(&format!("hats: target \"{target}\" cannot be used: profile \"")),
            "{err}"
        );
    }
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn durations_outside_aws_limits_are_refused_before_any_call() {
    let sb = Sandbox::standard(true);
    let err = sb.hats(&["env", "plain-role", "--duration", "10m"]).fails();
    assert_eq!(
        one_line(&err),
        "hats: duration 10m is outside 15m–12h for a role session"
    );
    let err = sb.hats(&["env", "plain-role", "--duration", "13h"]).fails();
    assert!(err.contains("duration 13h is outside 15m–12h"), "{err}");
    let err = sb.hats(&["env", "plain-role", "--duration", "soon"]).fails();
    assert!(
        err.contains("duration \"soon\" is not a duration; write it like 1h, 90m"),
        "{err}"
    );
    let err = sb
        .hats(&["env", "base", "--duration", "40h", "--mfa-code", "123456"])
        .fails();
    assert!(err.contains("outside 15m–36h for an MFA session"), "{err}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn an_unreachable_endpoint_fails_in_bounded_time_with_a_clear_message() {
    let mut sb = Sandbox::standard(true);
    let closed = crate::harness::closed_port();
    let port = closed.port;
    sb.set_env("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{port}"));
    sb.set_env("HATS_TEST_TIMEOUT_DIVISOR", &crate::faults::DIVISOR.to_string());
    let (run, took) = crate::faults::timed(&sb, &["env", "plain-role"]);
    let err = run.fails();
    assert!(
        one_line(&err).contains(&format!("cannot reach STS at \"http://127.0.0.1:{port}\"")),
        "{err}"
    );
    assert!(err.contains("check the network"), "{err}");
    // Refused at once, retried with pauses: within the (scaled) promise.
    assert!(took < crate::faults::scaled_bound(), "{took:?}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn access_denied_explains_the_likely_causes() {
    // moto checks IAM permissions after the first two (seeding) requests.
    let moto = Moto::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", "2")]);
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
    let seed = std::process::Command::new(python)
        .args([
            "-c",
            "import boto3,sys; iam=boto3.client('iam',endpoint_url=sys.argv[1],region_name='us-east-1',\
             aws_access_key_id='x',aws_secret_access_key='x'); iam.create_user(UserName='nobody'); \
             k=iam.create_access_key(UserName='nobody')['AccessKey']; print(k['AccessKeyId'], k['SecretAccessKey'])",
            &moto.endpoint(),
        ])
        .output()
        .unwrap();
    assert!(seed.status.success(), "{}", String::from_utf8_lossy(&seed.stderr));
    let seeded = String::from_utf8(seed.stdout).unwrap();
    let (key, secret) = seeded.trim().split_once(' ').unwrap();
    let mut sb = Sandbox::standard(true);
    sb.credentials(&format!(
        "{CREDENTIALS}\n[nobody]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
    ));
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile denied]\nrole_arn = arn:aws:iam::123456789012:role/Secret\nsource_profile = nobody\n"
    ));
    sb.set_env("AWS_ENDPOINT_URL", &moto.endpoint());
    let err = sb.hats(&["env", "denied"]).fails();
    let line = one_line(&err);
    assert!(
        line.contains("AccessDenied from STS for AssumeRole of \"arn:aws:iam::123456789012:role/Secret\""),
        "{line}"
    );
    assert!(
        line.contains("trust policy") && line.contains("sts:AssumeRole") && line.contains("MFA code"),
        "{line}"
    );
}

#[test]
fn an_unavailable_keyring_names_the_store_and_the_way_out() {
    let mut sb = Sandbox::standard(false);
    sb.set_env("HATS_KEYRING", "secret-service");
    sb.set_env(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}/no-bus", sb.dir.path().display()),
    );
    let err = sb.hats(&["env", "plain-role"]).fails();
    let line = one_line(&err);
    assert!(
        line.contains("the secret-service keyring is unavailable (no session bus is listening at")
            && line.contains("/no-bus"),
        "{line}"
    );
    assert!(
        line.contains("set HATS_KEYRING=keyutils or HATS_KEYRING=none"),
        "{line}"
    );
    sb.set_env("HATS_KEYRING", "vault");
    let err = sb.hats(&["env", "plain-role"]).fails();
    assert!(err.contains("HATS_KEYRING \"vault\" is not one of"), "{err}");
    assert_no_sts_and_nothing_cached(&sb);
}

#[test]
fn explicit_session_names_aws_would_reject_are_refused() {
    let sb = Sandbox::standard(true);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile spaced]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = plain\nrole_session_name = my session\n"
    ));
    let err = sb.hats(&["env", "spaced"]).fails();
    assert!(
        one_line(&err).contains("session name \"my session\" is not accepted by AWS"),
        "{err}"
    );
    assert_no_sts_and_nothing_cached(&sb);
}
