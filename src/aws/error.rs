//! Turns SDK errors into one line a user can act on.
//!
//! Messages never carry the SDK's debug text or a response body: a malformed
//! answer to `AssumeRole` may hold half a secret key. They say which service
//! failed, at which endpoint, and whether an MFA code was used up.

use crate::domain::clean_text;
use crate::error_text::describe;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use std::time::Duration;

/// Something went wrong talking to AWS.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// STS refused the request.
    #[error("AccessDenied from STS for {action}{role}: {hint} ({detail})")]
    AccessDenied {
        /// The STS action.
        action: &'static str,
        /// ` of "ARN"` when a role was involved.
        role: String,
        /// What may be wrong, for this action.
        hint: &'static str,
        /// What AWS said.
        detail: String,
    },
    /// STS refused the identity provider's proof (a web identity token): it
    /// expired, or the provider or its claims are not trusted.
    #[error(
        "STS refused the identity provider's token for {action}{role} ({code}: {detail}); \
         get a fresh token from the identity provider (sign in to it again) and retry, \
         or check the role's trust policy"
    )]
    ProviderToken {
        /// The STS action.
        action: &'static str,
        /// ` of "ARN"` when a role was involved.
        role: String,
        /// The error code.
        code: String,
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
    /// The endpoint could not be reached.
    #[error(
        "cannot reach {service} at \"{endpoint}\" ({detail}); check the network, a proxy or AWS_ENDPOINT_URL{then}"
    )]
    Unreachable {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint hats tried.
        endpoint: String,
        /// What failed.
        detail: String,
        /// What to do next (about the MFA code), or empty.
        then: String,
    },
    /// The request was sent but the connection failed before an answer came.
    #[error(
        "{service} at \"{endpoint}\" was sent {action} but the connection failed before an answer ({detail}); \
         check the network, a proxy or AWS_ENDPOINT_URL{then}"
    )]
    NoAnswer {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint hats tried.
        endpoint: String,
        action: &'static str,
        /// What failed.
        detail: String,
        /// What to do next (about the MFA code), or empty.
        then: String,
    },
    /// The endpoint hats was told to use is not a URL: nothing was sent.
    #[error(
        "the {service} endpoint \"{endpoint}\" is not a URL ({reason}), so nothing was sent{then}; \
         set AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) to one such as https://sts.eu-west-1.amazonaws.com \
         or http://127.0.0.1:5000, or unset it"
    )]
    BadEndpoint {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint as configured.
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
        /// What it means for an MFA code, or empty.
        then: String,
    },
    /// The endpoint took the request but did not answer in time.
    #[error(
        "{service} at \"{endpoint}\" did not answer {action} within {secs}s; check the network, a proxy or \
         AWS_ENDPOINT_URL{then}"
    )]
    TimedOut {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint hats tried.
        endpoint: String,
        action: &'static str,
        /// How long hats waited, retries included.
        secs: u64,
        /// What to do next.
        then: String,
    },
    /// The endpoint answered with a server error (HTTP 5xx), after the retries that were safe.
    #[error("{service} at \"{endpoint}\" failed {action} with HTTP {status}{detail}{then}")]
    ServerError {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint hats tried.
        endpoint: String,
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// ` (Code: message)`, or a note on what the body was.
        detail: String,
        /// What to do next.
        then: String,
    },
    /// The endpoint answered with something that is not a response of this service.
    #[error(
        "{service} at \"{endpoint}\" sent an answer to {action} that is not a valid {service} response ({what}); \
         AWS_ENDPOINT_URL, a proxy or a captive portal may be answering instead of AWS{then}"
    )]
    Malformed {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        /// The endpoint hats tried.
        endpoint: String,
        action: &'static str,
        /// What was wrong with it (never its content).
        what: String,
        /// What to do next.
        then: String,
    },
    /// The Identity Center portal refused the access token (expired, revoked or signed out).
    /// The engine turns it into "sign in again" with the sso-session's name.
    #[error("the Identity Center portal refused the sign-in token (expired, revoked or signed out)")]
    SsoSignedOut,
    /// The portal refused one role (HTTP 403): the signed-in user is not
    /// assigned that permission set in that account (any more).
    #[error(
        "Identity Center refused role \"{role}\" in account {account} ({detail}); check that your user \
         (or one of its groups) is still assigned the permission set \"{role}\" in account {account}, and \
         the profile's sso_account_id and sso_role_name"
    )]
    SsoRoleRefused {
        account: String,
        /// The permission set's name.
        role: String,
        /// What the portal said.
        detail: String,
    },
    /// The console sign-in federation endpoint gave no sign-in token.
    #[error(
        "the sign-in federation endpoint \"{endpoint}\" answered getSigninToken with HTTP {status}{what}; {advice}"
    )]
    Federation {
        /// The endpoint hats asked.
        endpoint: String,
        /// The HTTP status it answered.
        status: u16,
        /// What was missing, or empty.
        what: &'static str,
        /// What to do next.
        advice: &'static str,
    },
    /// Any other error AWS returned.
    #[error("{service} {action} failed: {code}: {detail}")]
    Service {
        /// `STS`, `Organizations`, ...
        service: &'static str,
        action: &'static str,
        /// AWS's error code.
        code: String,
        /// AWS's message.
        detail: String,
    },
}

/// One call, as error messages describe it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Call<'a> {
    /// `STS`, `Organizations`.
    pub service: &'static str,
    /// The operation.
    pub action: &'static str,
    /// The role, for `AssumeRole`.
    pub role: Option<&'a str>,
    /// Where the request went.
    pub endpoint: &'a str,
    /// The request carried a one-time MFA code (and so was sent only once).
    pub one_time_code: bool,
    /// How long the call took, retries included.
    pub waited: Duration,
}

impl Call<'_> {
    /// The advice that ends a failure: a code is never re-sent, so the next try needs a new one.
    pub(super) fn then(&self, otherwise: &str) -> String {
        if self.one_time_code {
            "; the MFA code was not sent again (AWS accepts each code only once): try again with the next code"
                .into()
        } else {
            otherwise.into()
        }
    }

    /// The advice when nothing reached the endpoint: a code sent with it is still unused.
    pub(super) fn unsent(&self) -> String {
        if self.one_time_code {
            "; nothing was sent, so the MFA code was not used".into()
        } else {
            String::new()
        }
    }

    /// A message from the far end, made safe for one line of a terminal.
    fn quote(text: &str) -> String {
        let mut text = clean_text(text);
        if text.chars().count() > 200 {
            text = text.chars().take(200).collect::<String>() + "…";
        }
        text
    }
}

/// Classifies an SDK error from `call`. An endpoint that is not a URL is
/// the cause whatever the SDK says (it fails such a request in many ways,
/// some with debug text), and then nothing was sent.
pub(super) fn classify<E>(err: SdkError<E, HttpResponse>, call: Call<'_>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    bad_endpoint(call).unwrap_or_else(|| classify_sent(err, call))
}

/// [`classify`] for a call to an endpoint that is a URL.
fn classify_sent<E>(err: SdkError<E, HttpResponse>, call: Call<'_>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let response = err.raw_response();
    let status = response.map(|r| r.status().as_u16());
    let content_type = response
        .and_then(|r| r.headers().get("content-type"))
        .map(|t| Call::quote(t).to_ascii_lowercase())
        .unwrap_or_default();
    let empty = response
        .and_then(|r| r.body().bytes())
        .is_some_and(<[u8]>::is_empty);
    let body = Body {
        content_type: &content_type,
        empty,
    };
    match &err {
        SdkError::TimeoutError(_) => timed_out(call),
        SdkError::DispatchFailure(failure) => match failure.as_connector_error() {
            Some(c) if c.is_timeout() => timed_out(call),
            // No connection (DNS, refused, TLS): nothing was sent, a code is unused.
            _ if never_connected(&err) => AwsError::Unreachable {
                service: call.service,
                endpoint: call.endpoint.to_owned(),
                detail: Call::quote(&describe(&err)),
                then: call.unsent(),
            },
            _ => AwsError::NoAnswer {
                service: call.service,
                endpoint: call.endpoint.to_owned(),
                action: call.action,
                detail: Call::quote(&describe(&err)),
                then: call.then(""),
            },
        },
        // The body could not be read (the connection closed early) or parsed.
        // Its text is never shown: it may hold part of a secret.
        SdkError::ResponseError(_) => match status {
            Some(s) if s >= 500 => server_error(call, s, String::new(), body),
            Some(s) => malformed(call, format!("HTTP {s}, an incomplete or unreadable body")),
            None => malformed(call, "an incomplete or unreadable body".into()),
        },
        SdkError::ServiceError(service_error) => refused(service_error.err(), status, body, call),
        _ => AwsError::Service {
            service: call.service,
            action: call.action,
            code: "error".into(),
            detail: Call::quote(&describe(&err)),
        },
    }
}

/// An error the service answered with: its code and message, and the status it came with.
fn refused(
    error: &impl ProvideErrorMetadata,
    status: Option<u16>,
    body: Body<'_>,
    call: Call<'_>,
) -> AwsError {
    let code = Call::quote(error.code().unwrap_or_default());
    let message = Call::quote(error.message().unwrap_or_default());
    match status {
        Some(s) if s >= 500 => {
            let detail = match (code.is_empty(), message.is_empty()) {
                (true, _) => String::new(),
                (false, true) => format!(" ({code})"),
                (false, false) => format!(" ({code}: {message})"),
            };
            server_error(call, s, detail, body)
        }
        // A success status with an error is not something AWS sends; nor is
        // an error without a code unless it is a bare refusal (see `from_code`).
        Some(s) if s < 400 || (code.is_empty() && s != 403) => {
            malformed(call, format!("HTTP {s}{}", body.kind()))
        }
        _ => from_code(&code, status, message, call),
    }
}

fn timed_out(call: Call<'_>) -> AwsError {
    AwsError::TimedOut {
        service: call.service,
        endpoint: call.endpoint.to_owned(),
        action: call.action,
        secs: call.waited.as_secs().max(1),
        then: call.then(""),
    }
}

fn malformed(call: Call<'_>, what: String) -> AwsError {
    AwsError::Malformed {
        service: call.service,
        endpoint: call.endpoint.to_owned(),
        action: call.action,
        what,
        then: call.then(""),
    }
}

/// Whether the connection was never made (name lookup, refused, TLS
/// handshake): then the request, and any MFA code in it, never left hats.
fn never_connected<E: std::error::Error + 'static>(err: &E) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(client) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            return client.is_connect();
        }
        next = e.source();
    }
    false
}

fn server_error(call: Call<'_>, status: u16, detail: String, body: Body<'_>) -> AwsError {
    let detail = if detail.is_empty() { body.kind() } else { detail };
    AwsError::ServerError {
        service: call.service,
        endpoint: call.endpoint.to_owned(),
        action: call.action,
        status,
        detail,
        then: call.then("; AWS or a proxy in between is having trouble: try again in a minute"),
    }
}

/// What is known of a response body without reading it out.
#[derive(Clone, Copy)]
struct Body<'a> {
    content_type: &'a str,
    empty: bool,
}

impl Body<'_> {
    /// What a body that is not the service's XML or JSON looked like, from its type and size only.
    fn kind(self) -> String {
        let t = self.content_type;
        if self.empty {
            ", an empty body".into()
        } else if t.contains("html") {
            ", an HTML page as proxies send".into()
        } else if t.is_empty() || t.contains("xml") || t.contains("json") {
            ", a body hats cannot read".into()
        } else {
            format!(", a {t} body")
        }
    }
}

/// Maps an error code (and HTTP status) to what the user should hear.
fn from_code(code: &str, status: Option<u16>, message: String, call: Call<'_>) -> AwsError {
    let detail = if message.is_empty() {
        status.map_or_else(|| code.to_owned(), |s| format!("HTTP {s}"))
    } else {
        message
    };
    let sts = call.service == "STS";
    let denied = |detail| AwsError::AccessDenied {
        action: call.action,
        role: call.role.map(|r| format!(" of \"{r}\"")).unwrap_or_default(),
        hint: denied_hint(call.action),
        detail,
    };
    // A federated call is signed by nothing: an expired token there is the
    // provider's token, and no source credentials are to blame.
    let federated = call.action == "AssumeRoleWithWebIdentity";
    match code {
        "ExpiredTokenException"
        | "ExpiredToken"
        | "InvalidIdentityToken"
        | "IDPRejectedClaim"
        | "IDPCommunicationError"
            if federated =>
        {
            AwsError::ProviderToken {
                action: call.action,
                role: call.role.map(|r| format!(" of \"{r}\"")).unwrap_or_default(),
                code: code.to_owned(),
                detail,
            }
        }
        "AccessDenied" | "AccessDeniedException" if sts => denied(detail),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => AwsError::ExpiredSource { detail },
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "UnrecognizedClientException" => {
            AwsError::InvalidSource { detail }
        }
        // Some servers send a bare 403 the SDK cannot parse: that is a refusal too.
        "" if sts && status == Some(403) => denied(detail),
        _ => AwsError::Service {
            service: call.service,
            action: call.action,
            code: if code.is_empty() {
                "error".into()
            } else {
                code.to_owned()
            },
            detail,
        },
    }
}

/// What an AccessDenied from STS may mean for `action`: a GetSessionToken
/// involves no role and no trust policy, only the user, its MFA device and code.
fn denied_hint(action: &str) -> &'static str {
    match action {
        "GetSessionToken" => {
            "the MFA code was wrong or already used, the MFA device (mfa_serial) is not this IAM user's, \
             or a policy denies the user sts:GetSessionToken"
        }
        _ => {
            "the role's trust policy may not allow your identity, your identity may lack sts:AssumeRole, \
             or the MFA code was wrong or already used"
        }
    }
}

mod endpoint;

use endpoint::bad_endpoint;

#[cfg(test)]
mod tests;
