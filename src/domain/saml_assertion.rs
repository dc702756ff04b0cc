//! What a SAML assertion offers: the roles of its
//! `https://aws.amazon.com/SAML/Attributes/Role` attribute (each a role and
//! provider pair), its `SessionDuration`, and until when it may be used.
//!
//! Pure: the caller decodes nothing, reads no clock (`check_fresh` takes the
//! time) and keeps the assertion itself, a secret, in memory. The XML is
//! parsed with roxmltree, which refuses DTDs (no entity expansion); the
//! signature is AWS's to check, not ours.

use super::{AccountId, RoleArn};
use base64::Engine as _;
use jiff::Timestamp;

/// The attribute that lists the roles an assertion grants.
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
/// The attribute that caps the session length, in seconds.
pub const SESSION_DURATION_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
/// Larger than any real assertion (they are a few KiB); a bigger one is the wrong output.
pub const MAX_ASSERTION_BYTES: usize = 1024 * 1024;

/// One role an assertion grants, with the identity provider that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlRole {
    pub role_arn: RoleArn,
    /// The `saml-provider` ARN (`PrincipalArn` of `AssumeRoleWithSAML`).
    pub principal_arn: String,
}

impl SamlRole {
    /// The role's account.
    pub fn account(&self) -> &AccountId {
        self.role_arn.account()
    }
}

/// What hats reads from an assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionFacts {
    /// Every role pair, in the order the assertion lists them, without repeats.
    pub roles: Vec<SamlRole>,
    /// `SessionDuration` in seconds, when given.
    pub session_duration: Option<u32>,
    /// The earliest `NotOnOrAfter` of its conditions and subject confirmations.
    pub not_on_or_after: Option<Timestamp>,
}

/// Why an assertion cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// The text is not base64.
    #[error("is not base64 (a SAMLResponse is the base64 text of the XML); print only the SAMLResponse")]
    NotBase64,
    /// Far larger than any real assertion.
    #[error("is larger than {} KiB; print only the SAMLResponse", MAX_ASSERTION_BYTES / 1024)]
    TooLarge,
    /// The decoded bytes are not XML.
    #[error("is not XML once decoded ({0})")]
    NotXml(String),
    /// The assertion is encrypted for the service provider: its attributes,
    /// the roles among them, cannot be read without that provider's private key.
    #[error(
        "is encrypted (an EncryptedAssertion), so hats cannot read the roles it grants; ask your identity \
         provider's admin to send the AWS application's assertions unencrypted"
    )]
    Encrypted,
    /// No Role attribute: the identity provider grants no AWS role.
    #[error("has no {ROLE_ATTRIBUTE} attribute; ask your identity provider's admin to map AWS roles to you")]
    NoRoles,
    /// A Role value that is not `ROLE_ARN,PROVIDER_ARN`.
    #[error("has a Role value \"{0}\" that is not a role ARN and a saml-provider ARN separated by a comma")]
    MalformedPair(String),
    /// `SessionDuration` that is not a number of seconds.
    #[error("has a SessionDuration \"{0}\" that is not a whole number of seconds")]
    BadDuration(String),
    /// A `NotOnOrAfter` that is not a time.
    #[error("has a NotOnOrAfter \"{0}\" that is not a time")]
    BadTime(String),
    /// Its `NotOnOrAfter` has passed.
    #[error("expired at {0}; get a fresh assertion from the identity provider (sign in again)")]
    Expired(Timestamp),
}

/// Decodes and reads a base64 `SAMLResponse` (whitespace and line breaks allowed).
pub fn read_assertion(base64_text: &str) -> Result<AssertionFacts, AssertionError> {
    if base64_text.len() > MAX_ASSERTION_BYTES * 4 / 3 + 4 {
        return Err(AssertionError::TooLarge);
    }
    let compact: String = base64_text.split_ascii_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| AssertionError::NotBase64)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| AssertionError::NotXml("not UTF-8 text".into()))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 100_000,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| AssertionError::NotXml(super::clean_text(&e.to_string())))?;
    let mut roles = Vec::new();
    let mut found_role_attribute = false;
    let mut session_duration = None;
    for attribute in doc.descendants().filter(|n| n.has_tag_name_local("Attribute")) {
        let values = attribute
            .children()
            .filter(|n| n.has_tag_name_local("AttributeValue"))
            .map(|n| n.text().unwrap_or_default().trim());
        match attribute.attribute("Name") {
            Some(ROLE_ATTRIBUTE) => {
                found_role_attribute = true;
                for value in values {
                    let role = role_pair(value)?;
                    if !roles.contains(&role) {
                        roles.push(role);
                    }
                }
            }
            Some(SESSION_DURATION_ATTRIBUTE) => {
                if let Some(value) = values.into_iter().next() {
                    let seconds = value
                        .parse::<u32>()
                        .map_err(|_| AssertionError::BadDuration(super::clean_text(value)))?;
                    session_duration = Some(seconds);
                }
            }
            _ => {}
        }
    }
    if !found_role_attribute || roles.is_empty() {
        if doc
            .descendants()
            .any(|n| n.has_tag_name_local("EncryptedAssertion"))
        {
            return Err(AssertionError::Encrypted);
        }
        return Err(AssertionError::NoRoles);
    }
    let mut not_on_or_after: Option<Timestamp> = None;
    for raw in doc.descendants().filter_map(|n| n.attribute("NotOnOrAfter")) {
        let at = raw
            .trim()
            .parse::<Timestamp>()
            .map_err(|_| AssertionError::BadTime(super::clean_text(raw)))?;
        not_on_or_after = Some(not_on_or_after.map_or(at, |t| t.min(at)));
    }
    Ok(AssertionFacts {
        roles,
        session_duration,
        not_on_or_after,
    })
}

impl AssertionFacts {
    /// Refuses an assertion whose `NotOnOrAfter` is at or before `now`.
    pub fn check_fresh(&self, now: Timestamp) -> Result<(), AssertionError> {
        match self.not_on_or_after {
            Some(at) if at <= now => Err(AssertionError::Expired(at)),
            _ => Ok(()),
        }
    }
}

/// `ROLE_ARN,PROVIDER_ARN`, in either order (identity providers differ).
fn role_pair(value: &str) -> Result<SamlRole, AssertionError> {
    let malformed = || AssertionError::MalformedPair(super::clean_text(value));
    let (a, b) = value.split_once(',').ok_or_else(malformed)?;
    let (a, b) = (a.trim(), b.trim());
    let is_provider = |arn: &str| arn.starts_with("arn:") && arn.contains(":saml-provider/");
    let (role, provider) = if is_provider(b) { (a, b) } else { (b, a) };
    if !is_provider(provider) || provider.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(malformed());
    }
    let role_arn = RoleArn::parse(role).map_err(|_| malformed())?;
    Ok(SamlRole {
        role_arn,
        principal_arn: provider.to_owned(),
    })
}

/// Local-name matching: identity providers use `saml2:`, `saml:` or a default namespace.
trait LocalName {
    fn has_tag_name_local(&self, name: &str) -> bool;
}

impl LocalName for roxmltree::Node<'_, '_> {
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }
}

#[cfg(test)]
mod tests;
