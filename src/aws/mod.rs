//! Calls to AWS: STS (`AssumeRole`, `GetSessionToken`, `GetCallerIdentity`) and
//! the source credentials that sign them.
//!
//! This module knows the SDK; it knows nothing of caching, prompting or output.

mod error;
mod organizations;
mod source;
mod sts;

pub use error::AwsError;
pub use organizations::{Progress, discover};
pub use source::{ambient_credentials, source_credentials};
pub use sts::{AssumeRoleInput, CallerIdentity, Issued, Sts, endpoint_override};
