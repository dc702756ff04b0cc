//! `hats keys`: long-term keys in the OS keyring (a real Secret Service), checked
//! against moto's IAM and STS, used by the engine as a source, listed, kept out
//! of `forget`, and removed only after a confirmation on a real terminal.

use crate::harness::{HATS, MotoKey, Run, Sandbox, StsCall, caller_arn_with, forget_all, require, user_arn};
use crate::pty::Terminal;

/// An IAM user `alice` with an MFA device, a role behind her and a role chained
/// behind that one.
pub const KEYS_CONFIG: &str = "\
[profile alice]
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice

[profile prod]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
region = us-east-1

[profile deep]
role_arn = arn:aws:iam::444444444444:role/Deep
source_profile = prod
region = us-east-1
";

/// A sandbox with a real keyring, [`KEYS_CONFIG`], and moto's IAM user `alice`
/// with one access key (kept nowhere yet).
pub fn alice_sandbox() -> (Sandbox, MotoKey) {
    let sb = Sandbox::new();
    sb.aws_config(KEYS_CONFIG);
    let key = sb.moto.iam_user_with_key("alice");
    (sb, key)
}

/// `hats ARGS` with `key` in the environment (for `keys add --env`).
pub fn with_key_in_env(sb: &Sandbox, key: &MotoKey, args: &[&str]) -> Run {
    Run(sb
        .command(HATS)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", &key.id)
        .env("AWS_SECRET_ACCESS_KEY", &key.secret)
        .output()
        .unwrap())
}

/// What the keyring holds for `profile` among hats' long-term keys, read
/// with `secret-tool` (libsecret), not with hats.
pub fn keyring_entry(sb: &Sandbox, profile: &str) -> Option<serde_json::Value> {
    let secret_tool = require("secret-tool", "libsecret-tools");
    let out = sb
        .command(secret_tool)
        .args(["lookup", "service", "hats-long-term-keys", "username", profile])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (!text.trim().is_empty()).then(|| serde_json::from_str(text.trim()).expect("hats' JSON"))
}

/// The key id that signed a request (`Credential=ID/...` of its Authorization header).
pub fn signer(call: &StsCall) -> &str {
    call.authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
}

/// `hats exec TARGET --mfa-code 123456 [EXTRA] -- aws sts get-caller-identity`: the ARN the child sees.
pub fn arn_through(sb: &Sandbox, target: &str, extra: &[&str]) -> String {
    let mut options = vec!["--mfa-code", "123456"];
    options.extend_from_slice(extra);
    caller_arn_with(sb, target, &options)
}

#[test]
fn a_key_added_from_the_environment_is_checked_stored_and_starts_a_role_chain() {
    let (sb, key) = alice_sandbox();
    sb.moto.take_sts_calls();
    let run = with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]);
    let said = run.stderr();
    run.ok();
    assert!(
        said.contains(&format!(
            "stored the access key ****************{}",
            &key.id[16..]
        )) && said.contains(&user_arn("alice"))
            && said.contains("secret-service keyring"),
        "{said}"
    );
    assert!(!said.contains(&key.secret) && !said.contains(&key.id), "{said}");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1, "checked once: {calls:?}");
    assert_eq!(
        (calls[0].action(), signer(&calls[0])),
        ("GetCallerIdentity", key.id.as_str())
    );
    let entry = keyring_entry(&sb, "alice").expect("in the keyring");
    assert_eq!(entry["access_key_id"], key.id.as_str());
    let record = std::fs::read_to_string(sb.home.join(".config/hats/keyring-profiles.toml")).unwrap();
    assert!(
        record.contains("\"alice\"") && !record.contains(&key.id),
        "{record}"
    );
    assert!(
        !sb.home.join(".aws/credentials").exists(),
        "the AWS files are not written"
    );

    // alice -> prod -> deep: the MFA session comes from the keyring's key.
    assert!(arn_through(&sb, "deep", &[]).contains("assumed-role/Deep/"));
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(StsCall::action).collect();
    assert_eq!(
        actions,
        ["GetSessionToken", "AssumeRole", "AssumeRole", "GetCallerIdentity"]
    );
    assert_eq!(
        signer(&calls[0]),
        key.id,
        "GetSessionToken signed by the stored key"
    );
    assert_eq!(
        calls[0].param("SerialNumber"),
        Some("arn:aws:iam::123456789012:mfa/alice")
    );
    assert!(
        calls[1..].iter().all(|c| signer(c) != key.id),
        "roles come from sessions"
    );
}

#[test]
fn hand_outs_of_a_keyring_profile_are_sessions_never_the_long_term_key() {
    let (sb, key) = alice_sandbox();
    with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).ok();
    // A user with no section in the AWS files and no MFA device is a target too.
    let bot = sb.moto.iam_user_with_key("bot");
    with_key_in_env(&sb, &bot, &["keys", "add", "bot", "--env"]).ok();
    sb.moto.take_sts_calls();

    let process = sb.hats(&["credential-process", "alice", "--mfa-code", "123456"]);
    let document: serde_json::Value = serde_json::from_str(&process.ok()).unwrap();
    assert_ne!(document["AccessKeyId"], key.id.as_str());
    assert!(document["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].action(), signer(&calls[0])),
        ("GetSessionToken", key.id.as_str())
    );
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));

    for (target, long_term) in [("alice", &key), ("bot", &bot)] {
        let env = sb
            .hats(&["exec", target, "--mfa-code", "123456", "--", "env"])
            .ok();
        assert!(
            !env.contains(&long_term.id) && !env.contains(&long_term.secret),
            "{env}"
        );
        assert!(env.contains("AWS_SESSION_TOKEN="), "{target}: a session: {env}");
    }
    let calls = sb.moto.take_sts_calls();
    let bot_call = calls.iter().find(|c| signer(c) == bot.id).expect("bot's session");
    assert_eq!(bot_call.action(), "GetSessionToken");
    assert_eq!(bot_call.param("SerialNumber"), None, "bot has no MFA device");
}

#[test]
fn the_secret_is_asked_on_the_terminal_and_never_shown() {
    let (sb, key) = alice_sandbox();
    let mut term = Terminal::spawn(&sb, "$HATS keys add alice; echo exit=$?");
    term.wait_for("Access key id for alice: ");
    term.type_line(&key.id);
    term.wait_for("Secret access key (not shown): ");
    term.type_line(&key.secret);
    term.wait_for("exit=0");
    let screen = term.screen();
    assert!(screen.contains(&key.id), "the id is shown as typed: {screen}");
    assert!(!screen.contains(&key.secret[..8]), "the secret is not: {screen}");
    assert!(screen.contains("stored the access key"), "{screen}");
    assert_eq!(
        keyring_entry(&sb, "alice").unwrap()["secret_access_key"],
        key.secret.as_str()
    );
}

#[test]
fn add_refuses_plaintext_profiles_and_asks_only_on_a_terminal() {
    let (sb, key) = alice_sandbox();
    sb.credentials(&format!(
        "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        key.id, key.secret
    ));
    let err = with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).fails();
    assert!(err.contains("hats keys import alice"), "{err}");
    std::fs::remove_file(sb.home.join(".aws/credentials")).unwrap();
    // No terminal and no --env: nothing is read from anywhere else.
    let err = with_key_in_env(&sb, &key, &["keys", "add", "alice"]).fails();
    assert!(
        err.contains("asks for the key on a terminal") && err.contains("--env"),
        "{err}"
    );
    let err = sb.hats(&["keys", "add", "alice", "--env"]).fails();
    assert!(err.contains("AWS_ACCESS_KEY_ID, which is not set"), "{err}");
    assert!(keyring_entry(&sb, "alice").is_none());
    let mut temporary = sb.command(HATS);
    temporary
        .args(["keys", "add", "alice", "--env"])
        .env("AWS_ACCESS_KEY_ID", &key.id)
        .env("AWS_SECRET_ACCESS_KEY", &key.secret)
        .env("AWS_SESSION_TOKEN", "token");
    let err = Run(temporary.output().unwrap()).fails();
    assert!(err.contains("temporary credentials"), "{err}");
}

#[test]
fn forget_all_never_touches_long_term_keys() {
    let (sb, key) = alice_sandbox();
    with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).ok();
    sb.hats(&["env", "prod", "--mfa-code", "123456"]).ok();
    forget_all(&sb);
    sb.moto.take_sts_calls();
    // The sessions are gone (a new MFA session is made), the key is not (it signs it).
    assert!(arn_through(&sb, "prod", &[]).contains("assumed-role/Admin/"));
    let calls = sb.moto.take_sts_calls();
    assert_eq!(
        (calls[0].action(), signer(&calls[0])),
        ("GetSessionToken", key.id.as_str())
    );
    let listed = sb.hats(&["keys", "ls"]).ok();
    assert!(
        listed.contains(&format!("****************{}", &key.id[16..])),
        "{listed}"
    );
}

#[test]
fn ls_shows_the_masked_key_its_user_and_age_and_warns_past_ninety_days() {
    let (sb, key) = alice_sandbox();
    with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).ok();
    let run = sb.hats(&["keys", "ls"]);
    let table = run.ok();
    let masked = format!("****************{}", &key.id[16..]);
    let row = table.lines().find(|l| l.starts_with("alice")).unwrap_or_default();
    assert!(
        row.contains(&masked) && row.contains(&user_arn("alice")) && row.contains("0d"),
        "{table}"
    );
    assert!(
        !table.contains(&key.id) && !table.contains(&key.secret),
        "{table}"
    );
    assert!(!run.stderr().contains("rotate"), "{}", run.stderr());
    let json: serde_json::Value = serde_json::from_str(&sb.hats(&["keys", "ls", "--json"]).ok()).unwrap();
    assert_eq!(json[0]["access_key_id"], masked.as_str());
    assert_eq!(json[0]["age_days"], 0);
    // A hundred days on (libfaketime), the key is due for rotation.
    let later = sb.hats_at("+100d", &["keys", "ls"]);
    assert!(later.ok().contains("100d, rotate it"), "{}", later.stdout());
    assert!(
        later
            .stderr()
            .contains("\"alice\" is 100 days old, past 90: hats keys rotate alice"),
        "{}",
        later.stderr()
    );
}

#[test]
fn remove_asks_for_the_profile_name_on_the_terminal() {
    let (sb, key) = alice_sandbox();
    with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).ok();
    let err = sb.hats(&["keys", "remove", "alice"]).fails();
    assert!(
        err.contains("needs a confirmation on a terminal") && err.contains("--yes"),
        "{err}"
    );
    let mut term = Terminal::spawn(&sb, "$HATS keys remove alice; echo exit=$?");
    term.wait_for("Type the profile name to remove it: ");
    term.type_line("alcie");
    term.wait_for("exit=1");
    assert!(term.screen().contains("not confirmed"), "{}", term.screen());
    assert!(keyring_entry(&sb, "alice").is_some(), "kept");
    let mut term = Terminal::spawn(&sb, "$HATS keys remove alice; echo exit=$?");
    term.wait_for("Type the profile name to remove it: ");
    term.type_line("alice");
    term.wait_for("exit=0");
    assert!(term.screen().contains("still exists in IAM"), "{}", term.screen());
    assert!(keyring_entry(&sb, "alice").is_none());
    assert_eq!(
        sb.moto.access_key_ids("alice"),
        [key.id.as_str()],
        "IAM untouched"
    );
    let err = sb
        .hats(&["exec", "prod", "--mfa-code", "123456", "--", "true"])
        .fails();
    assert!(
        err.contains("\"alice\""),
        "without the key alice is no source: {err}"
    );
}

#[test]
fn the_switcher_says_where_each_sources_keys_live() {
    let (sb, key) = alice_sandbox();
    with_key_in_env(&sb, &key, &["keys", "add", "alice", "--env"]).ok();
    sb.aws_config(&format!(
        "{KEYS_CONFIG}\n[profile carol]\nmfa_serial = arn:aws:iam::123456789012:mfa/carol\n\
         [profile lab]\nrole_arn = arn:aws:iam::555555555555:role/Lab\nsource_profile = carol\n"
    ));
    sb.credentials("[carol]\naws_access_key_id = AKIACAROLCAROLCAROL1\naws_secret_access_key = carolcarolcarolcarolcarolcarolcarolcarol\n");
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 140, 30);
    term.wait_for("source: alice (keyring), carol (plaintext keys), prod  MFA");
    term.keys("/deep");
    term.wait_for("alice -> prod -> deep");
    term.wait_for("alice: in the OS keyring");
    term.keys("\x15lab");
    term.wait_for("carol -> lab");
    term.wait_for("carol: plaintext in the AWS files (hats keys");
}
