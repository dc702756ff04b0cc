//! Assertions built here the way identity providers write them.

use super::*;

fn role(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name},arn:aws:iam::{account}:saml-provider/Corp")
}

fn assertion(values: &[String], extra: &str) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<saml2:AttributeValue>{v}</saml2:AttributeValue>"))
        .collect();
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">
<saml2:Assertion><saml2:Subject><saml2:SubjectConfirmation>
<saml2:SubjectConfirmationData NotOnOrAfter="2030-01-01T10:05:00Z"/></saml2:SubjectConfirmation></saml2:Subject>
<saml2:Conditions NotBefore="2030-01-01T09:55:00Z" NotOnOrAfter="2030-01-01T10:10:00Z"/>
<saml2:AttributeStatement>
<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml2:AttributeValue>alice</saml2:AttributeValue></saml2:Attribute>
<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{values}</saml2:Attribute>{extra}
</saml2:AttributeStatement></saml2:Assertion></samlp:Response>"#
    );
    base64::engine::general_purpose::STANDARD.encode(xml)
}

#[test]
fn every_role_pair_is_read_in_order_without_repeats() {
    let reversed = "arn:aws:iam::222222222222:saml-provider/Corp,arn:aws:iam::222222222222:role/ReadOnly";
    let text = assertion(
        &[
            role("111111111111", "Admin"),
            reversed.to_owned(),
            role("111111111111", "Admin"),
        ],
        "<saml2:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\">\
         <saml2:AttributeValue>7200</saml2:AttributeValue></saml2:Attribute>",
    );
    let facts = read_assertion(&text).unwrap();
    let roles: Vec<(&str, &str)> = facts
        .roles
        .iter()
        .map(|r| (r.role_arn.as_str(), r.principal_arn.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            (
                "arn:aws:iam::111111111111:role/Admin",
                "arn:aws:iam::111111111111:saml-provider/Corp"
            ),
            (
                "arn:aws:iam::222222222222:role/ReadOnly",
                "arn:aws:iam::222222222222:saml-provider/Corp"
            ),
        ]
    );
    assert_eq!(facts.session_duration, Some(7200));
    assert_eq!(
        facts.not_on_or_after,
        Some("2030-01-01T10:05:00Z".parse().unwrap()),
        "the earliest NotOnOrAfter counts"
    );
}

#[test]
fn base64_wrapped_over_lines_is_read() {
    let text = assertion(&[role("111111111111", "Admin")], "");
    let wrapped: String = text
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert_eq!(read_assertion(&wrapped).unwrap().roles.len(), 1);
}

#[test]
fn an_expired_assertion_is_refused_by_the_time_given() {
    let facts = read_assertion(&assertion(&[role("111111111111", "Admin")], "")).unwrap();
    assert!(facts.check_fresh("2030-01-01T10:00:00Z".parse().unwrap()).is_ok());
    let err = facts
        .check_fresh("2030-01-01T10:05:00Z".parse().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("expired at 2030-01-01T10:05:00Z"), "{err}");
}

#[test]
fn each_bad_assertion_gets_its_own_error() {
    let b64 = |xml: &str| base64::engine::general_purpose::STANDARD.encode(xml);
    let cases: [(String, &str); 8] = [
        ("<not base64!>".into(), "is not base64"),
        (b64("this is not xml <"), "is not XML once decoded"),
        (
            b64("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"),
            "is not XML once decoded",
        ),
        (
            b64("<Response><Attribute Name=\"other\"/></Response>"),
            "has no https://aws.amazon.com/SAML/Attributes/Role attribute",
        ),
        (
            b64(
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
                 xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml2:EncryptedAssertion>\
                 <xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/>\
                 </saml2:EncryptedAssertion></samlp:Response>",
            ),
            "is encrypted (an EncryptedAssertion), so hats cannot read the roles it grants",
        ),
        (
            assertion(&["arn:aws:iam::111111111111:role/Admin".into()], ""),
            "has a Role value \"arn:aws:iam::111111111111:role/Admin\" that is not a role ARN and a saml-provider ARN",
        ),
        (
            assertion(
                &["arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P".into()],
                "",
            ),
            "has a Role value \"arn:aws:iam::1:role/A,arn:aws:iam::1:saml-provider/P\" that is not",
        ),
        (
            assertion(
                &[role("111111111111", "Admin")],
                "<saml2:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\">\
                 <saml2:AttributeValue>soon</saml2:AttributeValue></saml2:Attribute>",
            ),
            "has a SessionDuration \"soon\" that is not a whole number of seconds",
        ),
    ];
    for (text, expected) in cases {
        let err = read_assertion(&text).unwrap_err().to_string();
        assert!(err.starts_with(expected), "expected {expected:?}, got {err:?}");
    }
}

#[test]
fn control_characters_in_a_role_value_are_never_echoed_raw() {
    let text = assertion(&["arn:aws:iam::1:role/A\u{1b}[2J".into()], "");
    let err = read_assertion(&text).unwrap_err().to_string();
    assert!(!err.contains('\u{1b}'), "{err:?}");
}
