//! AWS console sign-in through the federation endpoint: exchange role
//! credentials for a sign-in token, then build the login URL.
//!
//! The endpoint is configurable so a local stand-in can be used in tests; by
//! default it, and the console the URL lands on, are the partition's
//! (`domain::Partition`).

use super::AwsError;
use crate::domain::{Credentials, Partition};
use std::time::Duration;

/// Builds a console sign-in URL that lands on `service` in `region`, on the
/// console of `partition` (where the role lives).
///
/// `SessionDuration` is not sent: AWS refuses it for credentials from
/// `AssumeRole`, and the console session then lasts as long as the role session.
pub fn signin_url(
    credentials: &Credentials,
    endpoint: &str,
    partition: Partition,
    service: &str,
    region: &str,
) -> Result<String, AwsError> {
    let unreachable = |detail: String| AwsError::Unreachable {
        service: "the sign-in federation endpoint",
        endpoint: endpoint.to_owned(),
        detail,
        then: String::new(),
    };
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key(),
        "sessionToken": credentials.session_token().unwrap_or_default(),
    })
    .to_string();
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(15)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .get(endpoint)
        .query("Action", "getSigninToken")
        .query("Session", &session)
        .call()
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| unreachable(e.to_string()))?;
    let token = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["SigninToken"].as_str().map(str::to_owned))
        .filter(|t| status == 200 && !t.is_empty())
        .ok_or_else(|| refused(endpoint, status))?;
    Ok(login_url(
        endpoint,
        &token,
        &partition.console_url(service, region),
    ))
}

/// The URL that signs in with `token` and lands on `destination`.
fn login_url(endpoint: &str, token: &str, destination: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer=hats&Destination={}&SigninToken={}",
        encode(destination),
        encode(token)
    )
}

/// Why an answer without a sign-in token came, from its status alone (the
/// body is never shown: it may echo the session that was sent).
fn refused(endpoint: &str, status: u16) -> AwsError {
    let (what, advice) = match status {
        200 => (
            " but no SigninToken",
            "check that it is an AWS federation endpoint (HATS_FEDERATION_ENDPOINT, federation_endpoint in hats' config)",
        ),
        400 | 401 | 403 => (
            "",
            "it refused the role session's credentials: forget the target's session (hats forget TARGET) and try again",
        ),
        500..=599 => (
            "",
            "AWS or a proxy in between is having trouble: try again in a minute",
        ),
        _ => (
            "",
            "check that it is an AWS federation endpoint (HATS_FEDERATION_ENDPOINT, federation_endpoint in hats' config)",
        ),
    };
    AwsError::Federation {
        endpoint: endpoint.to_owned(),
        status,
        what,
        advice,
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoding_keeps_unreserved_characters_only() {
        assert_eq!(
            super::encode("https://a/b?c=d e"),
            "https%3A%2F%2Fa%2Fb%3Fc%3Dd%20e"
        );
    }
}
