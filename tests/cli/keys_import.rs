//! `hats keys import`: keys leave the AWS files for the keyring, each checked
//! first; the file is rewritten in place byte for byte outside the removed
//! lines, and the secret is found nowhere on disk afterwards.

use crate::harness::{Fault, FaultyEndpoint, Sandbox, files_containing, user_arn};
use crate::keys::{KEYS_CONFIG, alice_sandbox, arn_through, keyring_entry, signer};
use std::os::unix::fs::PermissionsExt;

/// A credentials file as people keep them: comments, another user, a default,
/// temporary credentials, spacing of their own.
fn credentials(alice: &crate::harness::MotoKey, bob: &crate::harness::MotoKey) -> String {
    format!(
        "# keys for the work laptop\n[default]\nregion = us-east-1\n\n[alice]\n# alice's key, 2023\n\
         aws_access_key_id={}\naws_secret_access_key =   {}  \n\n[bob]\naws_access_key_id = {}\n\
         aws_secret_access_key = {}\n\n[ci]\naws_access_key_id = ASIATEMPORARYTEMPORA\n\
         aws_secret_access_key = tempsecret\naws_session_token = tok\n",
        alice.id, alice.secret, bob.id, bob.secret
    )
}

#[test]
fn import_rewrites_the_file_byte_for_byte_but_the_key_lines_and_leaves_no_copy() {
    let (sb, alice) = alice_sandbox();
    let bob = sb.moto.iam_user_with_key("bob");
    let before = credentials(&alice, &bob);
    let path = sb.home.join(".aws/credentials");
    std::fs::write(&path, &before).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let listed_before = sb.hats(&["ls"]).stderr();
    assert_eq!(
        listed_before.matches("in plaintext").count(),
        1,
        "one warning: {listed_before}"
    );
    assert!(
        listed_before.contains("(alice, bob)") && listed_before.contains("hats keys import --all"),
        "{listed_before}"
    );

    let run = sb.hats(&["keys", "import", "alice"]);
    run.ok();
    assert!(
        run.stderr().contains("moved the long-term keys of alice"),
        "{}",
        run.stderr()
    );
    let after = std::fs::read_to_string(&path).unwrap();
    let removed = format!(
        "aws_access_key_id={}\naws_secret_access_key =   {}  \n",
        alice.id, alice.secret
    );
    assert_eq!(after, before.replace(&removed, ""), "only the two key lines went");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "mode kept");
    let names: Vec<String> = std::fs::read_dir(sb.home.join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no backup or temporary file: {names:?}");
    assert_eq!(
        keyring_entry(&sb, "alice").unwrap()["access_key_id"],
        alice.id.as_str()
    );
    // The whole sandbox: HOME, hats' files, and the keyring daemon's own (encrypted) files.
    let (found, scanned) = files_containing(sb.dir.path(), &alice.secret);
    assert!(found.is_empty(), "alice's secret is still on disk in {found:?}");
    assert!(
        scanned >= 4,
        "the AWS files, hats' record and the keyring were scanned ({scanned})"
    );
    assert!(
        !sb.hats(&["ls"]).stderr().contains("\"alice\""),
        "the warning names bob only now"
    );

    sb.moto.take_sts_calls();
    assert!(arn_through(&sb, "prod", &[]).contains("assumed-role/Admin/"));
    let calls = sb.moto.take_sts_calls();
    assert_eq!(signer(&calls[0]), alice.id, "the key now comes from the keyring");
}

#[test]
fn import_all_moves_every_long_term_key_and_leaves_temporary_credentials() {
    let (sb, alice) = alice_sandbox();
    let bob = sb.moto.iam_user_with_key("bob");
    let before = credentials(&alice, &bob);
    sb.credentials(&before);
    let run = sb.hats(&["keys", "import", "--all"]);
    run.ok();
    let said = run.stderr();
    assert!(said.contains("moved the long-term keys of alice, bob"), "{said}");
    assert!(said.contains("ci") && said.contains("temporary"), "{said}");
    let after = std::fs::read_to_string(sb.home.join(".aws/credentials")).unwrap();
    let alice_lines = format!(
        "aws_access_key_id={}\naws_secret_access_key =   {}  \n",
        alice.id, alice.secret
    );
    // bob's section held only keys: it goes with its header and blank line.
    let bob_section = format!(
        "[bob]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n",
        bob.id, bob.secret
    );
    assert_eq!(after, before.replace(&alice_lines, "").replace(&bob_section, ""));
    for (name, key) in [("alice", &alice), ("bob", &bob)] {
        assert_eq!(
            keyring_entry(&sb, name).unwrap()["access_key_id"],
            key.id.as_str()
        );
        assert_eq!(
            keyring_entry(&sb, name).unwrap()["user_arn"],
            user_arn(name).as_str()
        );
    }
    assert!(keyring_entry(&sb, "ci").is_none());
    assert!(
        !sb.hats(&["ls"]).stderr().contains("plaintext"),
        "nothing left to warn about"
    );
}

#[test]
fn a_key_that_cannot_be_checked_stays_in_the_file_untouched() {
    let mut sb = Sandbox::new();
    sb.aws_config(KEYS_CONFIG);
    let alice = sb.moto.iam_user_with_key("alice");
    let before = format!(
        "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.id, alice.secret
    );
    sb.credentials(&before);
    let sts = FaultyEndpoint::start(sb.moto.port, "Action=GetCallerIdentity", Fault::ServerError);
    sb.set_env("AWS_ENDPOINT_URL", &sts.endpoint());
    let err = sb.hats(&["keys", "import", "alice"]).fails();
    assert!(
        err.contains("does not work") && err.contains("stays in the file"),
        "{err}"
    );
    assert!(!err.contains(&alice.secret), "{err}");
    assert_eq!(
        std::fs::read_to_string(sb.home.join(".aws/credentials")).unwrap(),
        before
    );
    assert!(keyring_entry(&sb, "alice").is_none());
    assert!(!sb.home.join(".config/hats/keyring-profiles.toml").exists());
}

#[test]
fn a_file_changed_during_the_import_is_left_as_it_is_and_the_import_can_run_again() {
    let (mut sb, alice) = alice_sandbox();
    let before = format!(
        "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        alice.id, alice.secret
    );
    sb.credentials(&before);
    // Another program appends between hats' read and its rename (debug builds' hook).
    sb.set_env("HATS_TEST_APPEND_BEFORE_REPLACE", "[other]\nregion = eu-west-1\n");
    let err = sb.hats(&["keys", "import", "alice"]).fails();
    assert!(
        err.contains("changed while hats was about to rewrite it") && err.contains("run the import again"),
        "{err}"
    );
    let path = sb.home.join(".aws/credentials");
    let edited = format!("{before}[other]\nregion = eu-west-1\n");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "the other write is kept"
    );
    assert_eq!(
        keyring_entry(&sb, "alice").unwrap()["access_key_id"],
        alice.id.as_str()
    );
    let mut again = sb.command(crate::harness::HATS);
    again
        .args(["keys", "import", "alice"])
        .env_remove("HATS_TEST_APPEND_BEFORE_REPLACE");
    crate::harness::Run(again.output().unwrap()).ok();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "[other]\nregion = eu-west-1\n"
    );
}
