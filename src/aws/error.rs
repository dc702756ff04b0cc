//! Turns SDK errors into messages a user can act on.

use crate::error_text::describe;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// Something went wrong talking to AWS.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// STS refused the request.
    #[error(
        "AccessDenied from STS for {action}{role}: the role's trust policy may not allow your identity, \
         your identity may lack sts:AssumeRole, or the MFA code was wrong or already used ({detail})"
    )]
    AccessDenied {
        /// The STS action.
        action: &'static str,
        /// ` of "ARN"` when a role was involved.
        role: String,
        /// What AWS said.
        detail: String,
    },
    /// The credentials that signed the request have expired.
    #[error(
        "the source credentials have expired ({detail}); renew them (for SSO: aws sso login) and try again"
    )]
    ExpiredSource {
        /// What AWS said.
        detail: String,
    },
    /// The credentials that signed the request are not valid.
    #[error("the source credentials were rejected ({detail}); check the access key in the source profile")]
    InvalidSource {
        /// What AWS said.
        detail: String,
    },
    /// The source credentials could not be loaded at all.
    #[error("cannot get credentials from {source_name}: {detail}")]
    SourceCredentials {
        /// Which profile or credential source.
        source_name: String,
        /// Why.
        detail: String,
    },
    /// The endpoint could not be reached or did not answer in time.
    #[error("cannot reach STS at \"{endpoint}\" ({detail}); check the network, a proxy or AWS_ENDPOINT_URL")]
    Unreachable {
        /// The endpoint hats tried.
        endpoint: String,
        /// What failed.
        detail: String,
    },
    /// Any other error AWS returned.
    #[error("STS {action} failed: {code}: {detail}")]
    Service {
        /// The STS action.
        action: &'static str,
        /// AWS's error code.
        code: String,
        /// AWS's message.
        detail: String,
    },
}

/// Classifies an SDK error from one STS `action`.
pub(super) fn classify<E>(
    err: SdkError<E, HttpResponse>,
    action: &'static str,
    role: Option<&str>,
    endpoint: &str,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (code, message) = match &err {
        SdkError::ServiceError(service) => (
            service.err().code().unwrap_or_default().to_owned(),
            service.err().message().unwrap_or_default().to_owned(),
        ),
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            return AwsError::Unreachable {
                endpoint: endpoint.to_owned(),
                detail: describe(&err),
            };
        }
        _ => (String::new(), describe(&err)),
    };
    from_code(&code, status, message, action, role)
}

/// Maps an STS error code (and HTTP status) to what the user should hear.
fn from_code(
    code: &str,
    status: Option<u16>,
    message: String,
    action: &'static str,
    role: Option<&str>,
) -> AwsError {
    let detail = if message.is_empty() {
        status.map_or_else(|| code.to_owned(), |s| format!("HTTP {s}"))
    } else {
        message
    };
    let denied = |detail| AwsError::AccessDenied {
        action,
        role: role.map(|r| format!(" of \"{r}\"")).unwrap_or_default(),
        detail,
    };
    match code {
        "AccessDenied" | "AccessDeniedException" => denied(detail),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => AwsError::ExpiredSource { detail },
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
            AwsError::InvalidSource { detail }
        }
        // Some servers send a bare 403 the SDK cannot parse: that is a refusal too.
        "" if status == Some(403) => denied(detail),
        _ => AwsError::Service {
            action,
            code: if code.is_empty() {
                "error".into()
            } else {
                code.to_owned()
            },
            detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_advice() {
        let msg = |code, status| {
            from_code(code, status, "aws said".into(), "AssumeRole", Some("arn:r")).to_string()
        };
        assert!(
            msg("AccessDenied", Some(403)).starts_with("AccessDenied from STS for AssumeRole of \"arn:r\"")
        );
        assert!(msg("", Some(403)).contains("trust policy"));
        assert_eq!(
            msg("ExpiredToken", Some(400)),
            "the source credentials have expired (aws said); renew them (for SSO: aws sso login) and try again"
        );
        assert!(
            msg("InvalidClientTokenId", Some(403)).contains("check the access key in the source profile")
        );
        assert_eq!(
            msg("Throttling", Some(400)),
            "STS AssumeRole failed: Throttling: aws said"
        );
        let bare = from_code("", Some(500), String::new(), "GetSessionToken", None).to_string();
        assert_eq!(bare, "STS GetSessionToken failed: error: HTTP 500");
    }
}
