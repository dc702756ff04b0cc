//! `hats keys rotate`: the old key gone from IAM, the new one stored and
//! working, the MFA code asked once; and at every step that can fail (IAM's
//! two-key limit, a new key that does not prove itself, a keyring that refuses
//! the write, a `DeleteAccessKey` that fails) a working key stays in the keyring
//! and the message says which keys IAM holds.

use crate::harness::{Fault, FaultyEndpoint, MotoKey, Sandbox, StsCall, forward, read_message, user_arn};
use crate::keys::{KEYS_CONFIG, alice_sandbox, arn_through, keyring_entry, signer, with_key_in_env};
use crate::pty::Terminal;
use std::io::Write;
use std::net::TcpListener;

/// The key the keyring holds for `profile`.
fn held(sb: &Sandbox, profile: &str) -> MotoKey {
    let entry = keyring_entry(sb, profile).expect("a key in the keyring");
    MotoKey {
        id: entry["access_key_id"].as_str().unwrap().to_owned(),
        secret: entry["secret_access_key"].as_str().unwrap().to_owned(),
    }
}

#[test]
fn rotate_asks_the_mfa_code_once_and_leaves_only_the_new_key() {
    let (sb, old) = alice_sandbox();
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    sb.moto.take_sts_calls();
    let mut term = Terminal::spawn(&sb, "$HATS keys rotate alice; echo exit=$?");
    term.wait_for("MFA code for arn:aws:iam::123456789012:mfa/alice: ");
    term.type_line("123456");
    term.wait_for("exit=");
    let screen = term.screen();
    assert!(screen.contains("exit=0"), "{screen}");
    assert_eq!(screen.matches("MFA code for").count(), 1, "{screen}");
    let new = held(&sb, "alice");
    assert_ne!(new.id, old.id);
    assert_eq!(
        sb.moto.access_key_ids("alice"),
        [new.id.as_str()],
        "the old key is gone from IAM"
    );
    assert_eq!(sb.moto.caller_of(&new), user_arn("alice"), "the new key works");
    assert_ne!(
        sb.moto.caller_of(&old),
        user_arn("alice"),
        "the old one no longer names alice"
    );
    let calls = sb.moto.take_sts_calls();
    let actions: Vec<&str> = calls.iter().map(StsCall::action).collect();
    assert_eq!(
        actions,
        [
            "GetCallerIdentity",
            "GetSessionToken",
            "ListAccessKeys",
            "CreateAccessKey",
            "GetCallerIdentity",
            "DeleteAccessKey",
            // The test's own checks.
            "ListAccessKeys",
            "GetCallerIdentity",
            "GetCallerIdentity",
        ]
    );
    let session = signer(&calls[2]);
    assert_ne!(session, old.id, "IAM calls are signed by the MFA session");
    assert!(
        calls[2..6]
            .iter()
            .filter(|c| c.action() != "GetCallerIdentity")
            .all(|c| signer(c) == session)
    );
    assert_eq!(signer(&calls[4]), new.id, "the new key proved itself");
    // hats now signs with the new key (the MFA session made with the old one forgotten first).
    sb.hats(&["forget", "alice"]).ok();
    sb.moto.take_sts_calls();
    assert!(arn_through(&sb, "prod", &[]).contains("assumed-role/Admin/"));
    assert_eq!(signer(&sb.moto.take_sts_calls()[0]), new.id);
}

#[test]
fn rotate_refuses_a_third_key_and_names_the_one_to_delete() {
    let (sb, old) = alice_sandbox();
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    let other = sb.moto.new_access_key("alice");
    let err = sb
        .hats(&["keys", "rotate", "alice", "--mfa-code", "123456"])
        .fails();
    assert!(
        err.contains("already has two access keys")
            && err.contains(&format!("{} (in the keyring)", old.id))
            && err.contains(&format!("delete {} first", other.id)),
        "{err}"
    );
    let mut ids = vec![old.id.clone(), other.id];
    ids.sort();
    assert_eq!(sb.moto.access_key_ids("alice"), ids, "nothing created");
    assert_eq!(held(&sb, "alice"), old);
}

#[test]
fn a_failed_delete_of_the_old_key_leaves_the_new_one_working_and_names_both() {
    let (mut sb, old) = alice_sandbox();
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    let iam = FaultyEndpoint::start(sb.moto.port, "Action=DeleteAccessKey", Fault::ServerError);
    sb.set_env("AWS_ENDPOINT_URL", &iam.endpoint());
    let err = sb
        .hats(&["keys", "rotate", "alice", "--mfa-code", "123456"])
        .fails();
    let new = held(&sb, "alice");
    assert_ne!(new.id, old.id, "the new key is stored");
    assert!(
        err.contains(&format!("the keyring holds the new key {}, which works", new.id))
            && err.contains(&format!("deleting the old key {} failed", old.id))
            && err.contains(&format!("--access-key-id {}", old.id)),
        "{err}"
    );
    let mut both = vec![old.id.clone(), new.id.clone()];
    both.sort();
    assert_eq!(sb.moto.access_key_ids("alice"), both);
    assert_eq!(sb.moto.caller_of(&new), user_arn("alice"));
    // The next rotation names the key left behind.
    iam.set(Fault::Pass);
    let again = sb
        .hats(&["keys", "rotate", "alice", "--mfa-code", "123456"])
        .fails();
    assert!(again.contains(&format!("delete {} first", old.id)), "{again}");
}

#[test]
fn a_keyring_that_refuses_the_write_keeps_the_old_key_and_iam_no_extra_one() {
    let sb = Sandbox::with_refusable_keyring();
    sb.aws_config(KEYS_CONFIG);
    let old = sb.moto.iam_user_with_key("alice");
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    // The MFA session is cached first: with writes refused, only the new key's write fails.
    sb.hats(&["env", "alice", "--mfa-code", "123456"]).ok();
    let keyring = sb.keyring.as_ref().unwrap();
    keyring.refuse_writes(true);
    let err = sb.hats(&["keys", "rotate", "alice"]).fails();
    assert!(
        err.contains("the keyring did not keep the new key")
            && err.contains(&format!("the keyring still holds {}, which works", old.id))
            && err.contains("deleted it from IAM again"),
        "{err}"
    );
    assert_eq!(held(&sb, "alice"), old);
    assert_eq!(sb.moto.access_key_ids("alice"), [old.id.as_str()]);
    keyring.refuse_writes(false);
    sb.hats(&["forget", "alice"]).ok();
    sb.moto.take_sts_calls();
    assert!(arn_through(&sb, "prod", &[]).contains("assumed-role/Admin/"));
    assert_eq!(
        signer(&sb.moto.take_sts_calls()[0]),
        old.id,
        "the old key still signs"
    );
}

/// How STS answers a key it does not take.
#[derive(Clone, Copy)]
enum Refusal {
    /// 403 `InvalidClientTokenId`: the key is not known (yet).
    Unknown,
    /// 500 `InternalFailure`.
    Broken,
}

/// A proxy in front of moto that answers `GetCallerIdentity` signed by any key
/// but `trusted` with `refusal` the first `times` times (`usize::MAX`: always),
/// as STS does while IAM has not spread a new key, or while it fails.
fn distrusting_proxy(upstream: u16, trusted: String, refusal: Refusal, times: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let Ok(Some((head, body))) = read_message(&mut client) else {
                continue;
            };
            let text = String::from_utf8_lossy(&body);
            let untrusted = text.contains("Action=GetCallerIdentity") && !head.contains(&trusted);
            if untrusted && refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < times {
                let (status, code) = match refusal {
                    Refusal::Unknown => ("403 Forbidden", "InvalidClientTokenId"),
                    Refusal::Broken => ("500 Internal Server Error", "InternalFailure"),
                };
                let body = format!(
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                     <Code>{code}</Code><Message>refused by the test</Message></Error><RequestId>1</RequestId>\
                     </ErrorResponse>"
                );
                let _ = write!(
                    client,
                    "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
                continue;
            }
            let _ = forward(client, upstream, &head, &body);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_new_key_not_yet_known_to_sts_is_tried_again_until_it_works() {
    let (mut sb, old) = alice_sandbox();
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    sb.set_env(
        "AWS_ENDPOINT_URL",
        &distrusting_proxy(sb.moto.port, old.id.clone(), Refusal::Unknown, 2),
    );
    sb.hats(&["keys", "rotate", "alice", "--mfa-code", "123456"]).ok();
    let new = held(&sb, "alice");
    assert_ne!(new.id, old.id);
    assert_eq!(sb.moto.access_key_ids("alice"), [new.id.as_str()]);
}

#[test]
fn a_new_key_that_never_works_is_deleted_again_and_the_old_one_kept() {
    let (mut sb, old) = alice_sandbox();
    with_key_in_env(&sb, &old, &["keys", "add", "alice", "--env"]).ok();
    let proxy = distrusting_proxy(sb.moto.port, old.id.clone(), Refusal::Broken, usize::MAX);
    sb.set_env("AWS_ENDPOINT_URL", &proxy);
    let err = sb
        .hats(&["keys", "rotate", "alice", "--mfa-code", "123456"])
        .fails();
    assert!(
        err.contains("did not work")
            && err.contains("deleted it from IAM again")
            && err.contains(&format!("the keyring still holds {}, which works", old.id)),
        "{err}"
    );
    assert_eq!(held(&sb, "alice"), old);
    assert_eq!(sb.moto.access_key_ids("alice"), [old.id.as_str()]);
}
