//! A stand-in identity provider for SAML tests: builds base64 `SAMLResponse`s
//! the way IdPs shape them (a `samlp:Response` holding a `saml:Assertion` with
//! an `AttributeStatement`), unsigned: moto checks no signature, and neither does hats.

use base64::Engine as _;

pub const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/CorpIdP";

/// What goes into one assertion.
pub struct Idp<'a> {
    /// Role ARNs, each paired with [`PROVIDER`].
    pub roles: &'a [&'a str],
    /// `SessionDuration` in seconds, if any.
    pub session_duration: Option<u32>,
    /// `NotOnOrAfter` (RFC 3339).
    pub not_on_or_after: &'a str,
}

impl Idp<'_> {
    /// The XML of the response.
    pub fn xml(&self) -> String {
        let roles: String = self
            .roles
            .iter()
            .map(|role| format!("<saml:AttributeValue>{role},{PROVIDER}</saml:AttributeValue>"))
            .collect();
        let duration = self.session_duration.map_or(String::new(), |d| {
            format!(
                "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\">\
                 <saml:AttributeValue>{d}</saml:AttributeValue></saml:Attribute>"
            )
        });
        let until = self.not_on_or_after;
        format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
             xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\">\
             <saml:Assertion ID=\"_a1\" Version=\"2.0\">\
             <saml:Subject><saml:NameID>alice@corp.example</saml:NameID>\
             <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
             <saml:SubjectConfirmationData NotOnOrAfter=\"{until}\" Recipient=\"https://signin.aws.amazon.com/saml\"/>\
             </saml:SubjectConfirmation></saml:Subject>\
             <saml:Conditions NotOnOrAfter=\"{until}\"/>\
             <saml:AttributeStatement>\
             <saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\">\
             <saml:AttributeValue>alice@corp.example</saml:AttributeValue></saml:Attribute>\
             <saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\">{roles}</saml:Attribute>\
             {duration}</saml:AttributeStatement></saml:Assertion></samlp:Response>"
        )
    }

    /// The base64 `SAMLResponse`, as an IdP CLI prints it.
    pub fn base64(&self) -> String {
        encode(&self.xml())
    }
}

pub fn encode(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// An hour from now, so the assertion is valid while the test runs.
pub fn in_an_hour() -> String {
    (crate::harness::now() + jiff::SignedDuration::from_hours(1)).to_string()
}
