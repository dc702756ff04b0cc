//! AWS console sign-in through the federation endpoint: exchange role
//! credentials for a sign-in token, then build the login URL.
//!
//! The endpoint is configurable so a local stand-in can be used in tests.

use super::AwsError;
use crate::domain::Credentials;
use std::time::Duration;

/// The public federation endpoint.
pub const DEFAULT_FEDERATION_ENDPOINT: &str = "https://signin.aws.amazon.com/federation";

/// Builds a console sign-in URL that lands on `service` in `region`.
///
/// `SessionDuration` is not sent: AWS refuses it for credentials from
/// `AssumeRole`, and the console session then lasts as long as the role session.
pub fn signin_url(
    credentials: &Credentials,
    endpoint: &str,
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
        .filter(|_| status == 200)
        .ok_or_else(|| AwsError::Service {
            service: "console sign-in",
            action: "getSigninToken",
            code: format!("HTTP {status}"),
            detail: "the federation endpoint gave no SigninToken; console sign-in needs role credentials (not an MFA user session)".into(),
        })?;
    let destination = format!("https://console.aws.amazon.com/{service}/home?region={region}");
    Ok(format!(
        "{endpoint}?Action=login&Issuer=hats&Destination={}&SigninToken={}",
        encode(&destination),
        encode(&token)
    ))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(text: &str) -> String {
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
