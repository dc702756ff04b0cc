//! SAML responses in the shapes real identity providers send them — prefixes
//! or default namespaces, typed values, signed responses or assertions — end
//! to end: discovered, assumed against moto, and handed to STS byte for byte,
//! so the signature AWS checks still verifies (xmlsec1 checks it here). An
//! encrypted assertion is refused with one clear line.

use crate::harness::{Sandbox, caller_arn};
use crate::saml::{sandbox, single_role};
use crate::saml_idp::{Grant, PROVIDER, Shape, Signer, encode, in_an_hour};
use base64::Engine as _;

const ROLE: &str = "arn:aws:iam::123456789012:role/Admin";

/// One Admin role for alice, valid for an hour, sessions of `seconds`.
fn grant(until: &str, seconds: u32) -> Grant<'_> {
    Grant {
        role: ROLE,
        session_name: "alice@corp.example",
        session_duration: seconds,
        not_on_or_after: until,
    }
}

/// A sandbox whose `[saml.corp]` command prints `xml` (base64).
fn sandbox_sending(xml: &str) -> Sandbox {
    let sb = sandbox(true, &single_role());
    sb.write("assertion.b64", &encode(xml));
    sb
}

fn signed_shape_is_assumed_and_reaches_sts_with_its_signature_intact(shape: Shape) {
    let until = in_an_hour();
    let grant = grant(&until, 1800);
    let sandbox_dir = tempfile::tempdir().unwrap();
    let signer = Signer::new(sandbox_dir.path());
    let signed = signer.sign(&grant.unsigned_xml(shape));
    assert!(
        signer.verifies(&signed),
        "{shape:?}: the IdP's own signature checks out"
    );
    let sb = sandbox_sending(&signed);

    let sync = sb.hats(&["saml", "sync", "corp"]);
    sync.ok();
    assert!(
        sync.stderr().contains("[saml.corp] grants 1 role"),
        "{shape:?}: {}",
        sync.stderr()
    );
    assert!(sb.hats(&["ls"]).ok().contains("123456789012/Admin"), "{shape:?}");
    let arn = caller_arn(&sb, "123456789012/Admin");
    assert_eq!(
        arn, "arn:aws:sts::123456789012:assumed-role/Admin/alice@corp.example",
        "{shape:?}: the session name is the assertion's"
    );
    let calls = sb.moto.take_sts_calls();
    let call = calls
        .iter()
        .find(|c| c.action() == "AssumeRoleWithSAML")
        .unwrap_or_else(|| panic!("{shape:?}: {calls:?}"));
    assert_eq!(call.param("PrincipalArn"), Some(PROVIDER));
    assert_eq!(call.param("RoleArn"), Some(ROLE));
    assert_eq!(call.param("DurationSeconds"), Some("1800"), "{shape:?}");
    let received = base64::engine::general_purpose::STANDARD
        .decode(call.param("SAMLAssertion").unwrap())
        .unwrap();
    let received = String::from_utf8(received).unwrap();
    assert_eq!(received, signed, "{shape:?}: sent as the IdP signed it");
    assert!(
        signer.verifies(&received),
        "{shape:?}: STS gets a valid signature"
    );
}

#[test]
fn an_okta_response_with_typed_values_and_a_signed_response_is_assumed_unchanged() {
    signed_shape_is_assumed_and_reaches_sts_with_its_signature_intact(Shape::Okta);
}

#[test]
fn an_adfs_response_in_default_namespaces_with_a_signed_assertion_is_assumed_unchanged() {
    signed_shape_is_assumed_and_reaches_sts_with_its_signature_intact(Shape::Adfs);
}

#[test]
fn an_entra_response_with_a_default_namespace_assertion_is_assumed_unchanged() {
    signed_shape_is_assumed_and_reaches_sts_with_its_signature_intact(Shape::Entra);
}

#[test]
fn an_encrypted_assertion_is_refused_with_one_clear_line_and_no_call() {
    let until = in_an_hour();
    let sb = sandbox_sending(&grant(&until, 3600).unsigned_xml(Shape::Encrypted));
    let err = sb.hats(&["saml", "sync", "corp"]).fails();
    // The identity provider's command says its own line first ("signing in to corp").
    let said: Vec<&str> = err.lines().filter(|l| l.starts_with("hats:")).collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(
        err.contains("is encrypted (an EncryptedAssertion), so hats cannot read the roles it grants")
            && err.contains("unencrypted"),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty());
}
