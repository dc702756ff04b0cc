//! Pure types and rules of hats: identifiers, MFA codes, durations, credentials.
//!
//! Everything here is plain data with validation; this module does no I/O,
//! reads no clock and depends on nothing else in the crate.

mod access_key;
mod account_id;
mod credential_source;
mod credentials;
mod duration;
mod mfa;
mod names;
mod org_account;
mod partition;
mod role_arn;
mod saml_assertion;
mod session_name;
mod session_policy;
mod session_tags;
mod source_identity;
mod tags;

pub use access_key::{AccessKey, AccessKeyId};
pub use account_id::AccountId;
pub use credential_source::CredentialSource;
pub use credentials::{Credentials, CredentialsView};
pub use duration::{SessionDuration, format_remaining};
pub use mfa::{MfaCode, MfaSerial};
pub use names::{
    discovered_label, is_invisible, is_plain_name, is_printable_ascii, latin_ascii, name_char, printable,
};
pub use org_account::{Inventory, OrgAccount, clean_text};
pub use partition::Partition;
pub use role_arn::{RoleArn, is_role_name};
pub use saml_assertion::{AssertionError, AssertionFacts, MAX_ASSERTION_BYTES, SamlRole, read_assertion};
pub use session_name::SessionName;
pub use session_policy::{MAX_POLICY_ARNS, MAX_POLICY_CHARS, SessionPolicy};
pub use session_tags::SessionTags;
pub use source_identity::SourceIdentity;
pub use tags::Tags;

/// A value the user wrote that does not follow AWS's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    /// An account id is not 12 digits.
    #[error("account id \"{0}\" is not 12 digits")]
    AccountId(String),
    /// A role ARN does not name an IAM role.
    #[error(
        "role_arn \"{0}\" is not an IAM role ARN; expected arn:aws:iam::123456789012:role/NAME \
         (or arn:aws-us-gov:..., arn:aws-cn:...)"
    )]
    RoleArn(String),
    /// An MFA code is not six digits.
    #[error("MFA code \"{0}\" is not 6 digits; type the code your MFA device shows now")]
    MfaCode(String),
    /// An MFA serial is empty or malformed.
    #[error(
        "mfa_serial \"{0}\" is not an MFA device; expected arn:aws:iam::123456789012:mfa/NAME \
         (or arn:aws-us-gov:..., arn:aws-cn:...) or a hardware serial"
    )]
    MfaSerial(String),
    /// A duration could not be read.
    #[error("duration \"{0}\" is not a duration; write it like 1h, 90m, 1h30m, 7d or 3600")]
    Duration(String),
    /// A duration is outside the range AWS accepts for this kind of session.
    #[error("duration {value} is outside {min}–{max} for {what}")]
    DurationRange {
        /// The duration as the user wrote it, formatted.
        value: String,
        /// Shortest allowed.
        min: String,
        /// Longest allowed.
        max: String,
        /// Which kind of session the limit applies to.
        what: &'static str,
    },
    /// A session name cannot be made acceptable to AWS.
    #[error("session name \"{0}\" is not accepted by AWS; use 2 to 64 letters, digits or _+=,.@-")]
    SessionName(String),
    /// A source identity breaks AWS's rules.
    #[error(
        "source_identity \"{0}\" is not accepted by AWS; use 2 to 64 letters, digits or _+=,.@- (not starting with aws:)"
    )]
    SourceIdentity(String),
    /// Session tags or transitive tag keys break AWS's rules.
    #[error("session tags: {0}")]
    SessionTags(String),
    /// A session policy or policy ARN breaks AWS's rules.
    #[error("{0}")]
    Policy(String),
    /// A long-term access key id or secret is not one (the message never holds a secret).
    #[error("{0}")]
    AccessKey(String),
}
