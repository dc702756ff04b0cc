//! Least privilege and audit: source identity, session tags and scope-down
//! policies as STS receives them, scoped sessions cached apart, policies
//! checked before any call, and the hand-out history (never a secret).

use crate::harness::{Sandbox, StsCall, parse_exports};

/// Roles with identity and tags in the AWS config, a hats account with tags,
/// presets, and a default source identity.
const AWS_CONFIG: &str = "\
[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile tagged]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = plain
source_identity = alice@corp.example
session_tags = team=core, cost-center=42
transitive_tag_keys = team

[profile hop]
role_arn = arn:aws:iam::333333333333:role/Jump
source_profile = plain

[profile deep]
role_arn = arn:aws:iam::444444444444:role/Deep
source_profile = hop
";

const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[plain]
aws_access_key_id = AKIAPLAINPLAINPLAIN1
aws_secret_access_key = plainsecretplainsecretplainsecretplains1
";

const HATS_CONFIG: &str = r#"
[defaults]
source_identity = "corp-id-7"

[[account]]
id = "555555555555"
name = "data"
source = "plain"
roles = ["Analyst"]
session_tags = { project = "lake" }

[preset.readonly]
policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

[preset.s3]
policy = "s3-only.json"
policy_arns = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/Extra"]
"#;

const S3_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*" }
  ]
}"#;

fn sandbox(with_keyring: bool) -> Sandbox {
    let sb = if with_keyring {
        Sandbox::new()
    } else {
        Sandbox::without_keyring()
    };
    sb.aws_config(AWS_CONFIG);
    sb.credentials(CREDENTIALS);
    sb.hats_config(HATS_CONFIG);
    sb.write(".config/hats/s3-only.json", S3_POLICY);
    sb
}

/// The only AssumeRole since the last look.
fn one_assume_role(sb: &Sandbox) -> StsCall {
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(StsCall::action).collect();
    assert_eq!(actions, ["AssumeRole"], "{calls:?}");
    calls.into_iter().next().unwrap()
}

/// Every parameter whose name starts with `prefix`, sorted, as `name=value`.
fn params_under(call: &StsCall, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = call
        .params
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    found.sort();
    found
}

#[test]
fn source_identity_and_session_tags_reach_sts_as_configured() {
    let sb = sandbox(false);
    sb.hats(&["env", "tagged"]).ok();
    let call = one_assume_role(&sb);
    assert_eq!(
        call.param("SourceIdentity"),
        Some("alice@corp.example"),
        "the profile's own value wins over [defaults]"
    );
    assert_eq!(
        params_under(&call, "Tags."),
        [
            "Tags.member.1.Key=team",
            "Tags.member.1.Value=core",
            "Tags.member.2.Key=cost-center",
            "Tags.member.2.Value=42",
        ]
    );
    assert_eq!(
        params_under(&call, "TransitiveTagKeys."),
        ["TransitiveTagKeys.member.1=team"]
    );
    assert_eq!(call.param("Policy"), None);
    assert!(params_under(&call, "PolicyArns.").is_empty());

    sb.hats(&["env", "data/Analyst"]).ok();
    let call = one_assume_role(&sb);
    assert_eq!(
        call.param("SourceIdentity"),
        Some("corp-id-7"),
        "[defaults] applies"
    );
    assert_eq!(
        params_under(&call, "Tags."),
        ["Tags.member.1.Key=project", "Tags.member.1.Value=lake"]
    );
    assert!(params_under(&call, "TransitiveTagKeys.").is_empty());

    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["ls", "--json"]).ok()).unwrap();
    let identity = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["source_identity"]
            .clone()
    };
    assert_eq!(identity("tagged"), "alice@corp.example");
    assert_eq!(identity("deep"), "corp-id-7");
    assert_eq!(
        identity("base"),
        serde_json::Value::Null,
        "user sessions have none"
    );
}

#[test]
fn every_hop_of_a_chain_sends_the_same_source_identity() {
    let sb = sandbox(false);
    sb.hats(&["env", "deep", "--preset", "readonly"]).ok();
    let calls = sb.moto.take_sts_calls();
    let hops: Vec<(&str, Option<&str>)> = calls
        .iter()
        .map(|c| (c.param("RoleArn").unwrap(), c.param("SourceIdentity")))
        .collect();
    assert_eq!(
        hops,
        [
            ("arn:aws:iam::333333333333:role/Jump", Some("corp-id-7")),
            ("arn:aws:iam::444444444444:role/Deep", Some("corp-id-7")),
        ]
    );
    assert!(
        params_under(&calls[0], "PolicyArns.").is_empty(),
        "only the last hop is scoped down"
    );
    assert_eq!(
        params_under(&calls[1], "PolicyArns."),
        ["PolicyArns.member.1.arn=arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
}

#[test]
fn inline_policies_and_policy_arns_reach_sts_exactly() {
    let sb = sandbox(false);
    let policy = sb.write("policy.json", S3_POLICY);
    sb.hats(&[
        "env",
        "tagged",
        "--policy",
        policy.to_str().unwrap(),
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--policy-arn",
        "arn:aws:iam::123456789012:policy/Extra",
    ])
    .ok();
    let call = one_assume_role(&sb);
    let sent: serde_json::Value = serde_json::from_str(call.param("Policy").unwrap()).unwrap();
    let written: serde_json::Value = serde_json::from_str(S3_POLICY).unwrap();
    assert_eq!(sent, written);
    assert!(!call.param("Policy").unwrap().contains('\n'), "sent minified");
    assert_eq!(
        params_under(&call, "PolicyArns."),
        [
            "PolicyArns.member.1.arn=arn:aws:iam::aws:policy/ReadOnlyAccess",
            "PolicyArns.member.2.arn=arn:aws:iam::123456789012:policy/Extra",
        ]
    );

    // A preset with a policy file (relative to the config) and ARNs.
    sb.hats(&["env", "tagged", "--preset", "s3"]).ok();
    let call = one_assume_role(&sb);
    let sent: serde_json::Value = serde_json::from_str(call.param("Policy").unwrap()).unwrap();
    assert_eq!(sent, written);
    assert_eq!(
        params_under(&call, "PolicyArns."),
        [
            "PolicyArns.member.1.arn=arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "PolicyArns.member.2.arn=arn:aws:iam::123456789012:policy/Extra",
        ]
    );
}

#[test]
fn scoped_and_unscoped_sessions_are_cached_apart() {
    let sb = sandbox(true);
    let scoped = parse_exports(&sb.hats(&["env", "tagged", "--preset", "readonly"]).ok());
    assert_eq!(params_under(&one_assume_role(&sb), "PolicyArns.").len(), 1);
    let again = parse_exports(&sb.hats(&["env", "tagged", "--preset", "readonly"]).ok());
    assert!(
        sb.moto.take_sts_calls().is_empty(),
        "the scoped session is reused"
    );
    assert_eq!(scoped["AWS_ACCESS_KEY_ID"], again["AWS_ACCESS_KEY_ID"]);

    let unscoped = parse_exports(&sb.hats(&["env", "tagged"]).ok());
    let call = one_assume_role(&sb);
    assert!(
        params_under(&call, "PolicyArns.").is_empty(),
        "made without the policy"
    );
    assert_ne!(unscoped["AWS_ACCESS_KEY_ID"], scoped["AWS_ACCESS_KEY_ID"]);
    sb.hats(&["env", "tagged"]).ok();
    assert!(
        sb.moto.take_sts_calls().is_empty(),
        "the unscoped session is reused"
    );

    // The same policy given by flag instead of preset is the same session.
    sb.hats(&[
        "env",
        "tagged",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ])
    .ok();
    assert!(sb.moto.take_sts_calls().is_empty());
    sb.hats(&["env", "tagged", "--preset", "s3"]).ok();
    one_assume_role(&sb);

    // forget removes every shape of the target's sessions.
    sb.hats(&["forget", "tagged"]).ok();
    sb.hats(&["env", "tagged", "--preset", "readonly"]).ok();
    one_assume_role(&sb);
}

#[test]
fn bad_policies_fail_before_any_sts_call() {
    let sb = sandbox(false);
    let bad = sb.write(
        "broken-policy.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [",
    );
    let err = sb
        .hats(&["env", "tagged", "--policy", bad.to_str().unwrap()])
        .fails();
    assert!(
        err.starts_with("hats: policy file \"")
            && err.contains("broken-policy.json")
            && err.contains("not valid JSON"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let big = format!("{{\"Sid\": \"{}\"}}", "x".repeat(2100));
    let big = sb.write("big.json", &big);
    let err = sb
        .hats(&["env", "tagged", "--policy", big.to_str().unwrap()])
        .fails();
    assert!(err.contains("big.json") && err.contains("at most 2048"), "{err}");

    let missing = sb.home.join("nowhere.json");
    let err = sb
        .hats(&["env", "tagged", "--policy", missing.to_str().unwrap()])
        .fails();
    assert!(
        err.contains("nowhere.json") && err.contains("cannot be read"),
        "{err}"
    );

    let err = sb
        .hats(&["env", "tagged", "--policy-arn", "ReadOnlyAccess"])
        .fails();
    assert!(err.contains("\"ReadOnlyAccess\" is not a policy ARN"), "{err}");

    let mut eleven = vec!["env", "tagged"];
    for _ in 0..11 {
        eleven.extend(["--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    }
    assert!(sb.hats(&eleven).fails().contains("at most 10"));

    let err = sb.hats(&["env", "tagged", "--preset", "admin"]).fails();
    assert!(err.contains("known presets: readonly, s3"), "{err}");

    let err = sb
        .hats(&["env", "base", "--preset", "readonly", "--mfa-code", "123456"])
        .fails();
    assert!(
        err.contains("cannot be scoped down") && err.contains("need a role"),
        "{err}"
    );

    assert!(sb.moto.take_sts_calls().is_empty(), "nothing reached STS");
}

#[test]
fn bad_identity_or_tags_name_the_profile() {
    let sb = sandbox(false);
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile odd]\nrole_arn = arn:aws:iam::222222222222:role/X\nsource_profile = plain\nsession_tags = team\n"
    ));
    let err = sb.hats(&["env", "odd"]).fails();
    assert!(err.contains("\"odd\"") && err.contains("not KEY=VALUE"), "{err}");
    sb.hats_config("[defaults]\nsource_identity = \"has space\"\n");
    let err = sb.hats(&["ls"]).fails();
    assert!(err.contains("source_identity \"has space\""), "{err}");
    assert!(sb.moto.take_sts_calls().is_empty());
}

#[test]
fn history_records_every_hand_out_without_secrets() {
    let mut sb = sandbox(false);
    sb.set_env("SHELL", "/bin/true");
    let mut secrets = Vec::new();
    let env = parse_exports(&sb.hats(&["env", "tagged", "--preset", "readonly"]).ok());
    secrets.push(env["AWS_SECRET_ACCESS_KEY"].clone());
    secrets.push(env["AWS_SESSION_TOKEN"].clone());
    let doc: serde_json::Value =
        serde_json::from_str(&sb.hats(&["credential-process", "data/Analyst"]).ok()).unwrap();
    secrets.push(doc["SecretAccessKey"].as_str().unwrap().to_owned());
    secrets.push(doc["SessionToken"].as_str().unwrap().to_owned());
    let exec = sb
        .hats(&[
            "exec",
            "deep",
            "--",
            "sh",
            "-c",
            "echo $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN",
        ])
        .ok();
    secrets.extend(exec.split_whitespace().map(str::to_owned));
    sb.hats(&["shell", "tagged"]).ok();
    sb.hats(&["exec", "tagged", "--serve", "--", "true"]).ok();
    sb.hats(&["whoami", "tagged"]).ok();
    assert_eq!(secrets.len(), 6);

    let dir = sb.home.join(".local/share/hats");
    let text = std::fs::read_to_string(dir.join("history.jsonl")).unwrap();
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret in the history: {text}");
    }
    for key in ["AKIAPLAINPLAINPLAIN1", "plainsecretplainsecretplainsecretplains1"] {
        assert!(!text.contains(key), "{text}");
    }
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let hows: Vec<&str> = lines.iter().map(|l| l["how"].as_str().unwrap()).collect();
    assert_eq!(
        hows,
        ["env", "credential-process", "exec", "shell", "serve"],
        "whoami hands nothing out"
    );
    let first = &lines[0];
    assert_eq!(first["target"], "tagged");
    assert_eq!(first["role_arn"], "arn:aws:iam::222222222222:role/Deploy");
    assert_eq!(first["session_name"], "hats-tester");
    assert_eq!(first["source_identity"], "alice@corp.example");
    assert_eq!(first["preset"], "readonly");
    assert_eq!(first["scoped"], true);
    assert!(first["expires"].as_str().unwrap() > first["time"].as_str().unwrap());
    assert_eq!(lines[1]["source_identity"], "corp-id-7");
    assert_eq!(lines[1]["scoped"], false);

    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join("history.jsonl")), 0o600);
    assert_eq!(mode(&dir), 0o700);

    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["history", "--json"]).ok()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    let recent: serde_json::Value =
        serde_json::from_str(&sb.hats(&["history", "--json", "--since", "7d"]).ok()).unwrap();
    assert_eq!(recent.as_array().unwrap().len(), 5);
    let table = sb.hats(&["history"]).ok();
    assert!(table.starts_with("TIME (UTC)"), "{table}");
    let row = table.lines().nth(1).unwrap();
    assert!(
        row.contains(" env ")
            && row.contains("tagged")
            && row.contains("alice@corp.example")
            && row.contains("readonly"),
        "{table}"
    );
    let err = sb.hats(&["history", "--since", "forever"]).fails();
    assert!(err.contains("forever"), "{err}");
}

#[test]
fn the_switcher_scopes_down_with_p_marks_the_row_and_records_the_hand_out() {
    let sb = sandbox(true);
    let mut term = crate::pty::Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (");
    // Rows: base, tagged, hop, deep, data/Analyst.
    term.keys("j");
    term.wait_for("identity alice@corp.example");
    term.keys("p");
    term.wait_for("scope down");
    term.keys("j\r");
    term.wait_for("[readonly]");
    term.wait_for("preset readonly (p); no scoped session yet");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    let exports = parse_exports(&std::fs::read_to_string(sb.home.join("exports.sh")).unwrap());
    let call = one_assume_role(&sb);
    assert_eq!(
        params_under(&call, "PolicyArns."),
        ["PolicyArns.member.1.arn=arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    assert_eq!(call.param("SourceIdentity"), Some("alice@corp.example"));

    let text = std::fs::read_to_string(sb.home.join(".local/share/hats/history.jsonl")).unwrap();
    assert!(
        !text.contains(&exports["AWS_SECRET_ACCESS_KEY"]) && !text.contains(&exports["AWS_SESSION_TOKEN"])
    );
    let line: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(line["how"], "tui");
    assert_eq!(line["preset"], "readonly");
    assert_eq!(line["target"], "tagged");

    // The scoped session was cached apart: the CLI with the same preset reuses it, unscoped does not.
    sb.hats(&["env", "tagged", "--preset", "readonly"]).ok();
    assert!(sb.moto.take_sts_calls().is_empty());
    sb.hats(&["env", "tagged"]).ok();
    one_assume_role(&sb);
}

#[test]
fn served_renewals_are_scoped_down_like_the_first_session() {
    let sb = sandbox(false);
    // The child forgets the session behind hats' back, then asks the endpoint:
    // hats must renew it with the same preset.
    let child = format!(
        r#""{}" forget tagged >/dev/null && python3 -c '
import os, urllib.request
request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={{"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}})
print(urllib.request.urlopen(request).status)'"#,
        crate::harness::HATS
    );
    let args = [
        "exec", "tagged", "--serve", "--preset", "readonly", "--", "sh", "-c", &child,
    ];
    let out = sb.hats(&args).ok();
    assert_eq!(out.trim(), "200");
    let calls: Vec<_> = sb
        .moto
        .take_sts_calls()
        .into_iter()
        .filter(|c| c.action() == "AssumeRole")
        .collect();
    assert_eq!(calls.len(), 2, "the first session and one renewal");
    for call in &calls {
        assert_eq!(
            call.param("PolicyArns.member.1.arn"),
            Some("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            "every served session is scoped"
        );
    }
}
