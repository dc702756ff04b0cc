//! AWS console sign-in through the federation endpoint: exchange role
//! credentials for a sign-in token (`getSigninToken`), then build the URLs
//! that sign in with it (`login`) or sign out first (`logout`).
//!
//! The endpoint is configurable so a local stand-in can be used in tests; by
//! default it is the partition's (`domain::Partition`). Where the browser
//! lands is the caller's choice (`console::landing`).

use super::AwsError;
use crate::domain::Credentials;
use std::time::Duration;

/// Asks `endpoint` for a sign-in token for the role session `credentials`.
///
/// `SessionDuration` is not sent: AWS refuses it for credentials from
/// `AssumeRole`, and the console session then lasts as long as the role session.
pub fn signin_token(credentials: &Credentials, endpoint: &str) -> Result<String, AwsError> {
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
    serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["SigninToken"].as_str().map(str::to_owned))
        .filter(|t| status == 200 && !t.is_empty())
        .ok_or_else(|| refused(endpoint, status))
}

/// The URL that signs in with `token` and lands on `destination`, in the
/// parameter order of AWS's documented example (`Action`, `Issuer`,
/// `Destination`, `SigninToken`).
pub fn login_url(endpoint: &str, token: &str, destination: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer=hats&Destination={}&SigninToken={}",
        encode(destination),
        encode(token)
    )
}

/// A URL that signs the browser out of the console at `endpoint`'s sign-in
/// host and then goes on to `next` (a sign-in URL on the same host): one URL,
/// so the sign-in cannot overtake the sign-out as two tabs could.
pub fn signout_then(endpoint: &str, next: &str) -> String {
    format!(
        "{}/oauth?Action=logout&redirect_uri={}",
        origin(endpoint),
        encode(next)
    )
}

/// `scheme://host[:port]` of `url`.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
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
    use super::*;

    #[test]
    fn the_login_url_encodes_destination_and_token_whole() {
        assert_eq!(
            login_url(
                "https://signin.aws.amazon.com/federation",
                "tok+en/=",
                "https://console.aws.amazon.com/s3/buckets?region=eu-west-1#x"
            ),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=hats\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fbuckets%3Fregion%3Deu-west-1%23x\
             &SigninToken=tok%2Ben%2F%3D"
        );
    }

    #[test]
    fn signing_out_first_wraps_the_sign_in_url_on_the_same_host() {
        let next = "https://us-east-1.signin.aws.amazon.com/federation?Action=login&SigninToken=t";
        assert_eq!(
            signout_then("https://us-east-1.signin.aws.amazon.com/federation", next),
            format!(
                "https://us-east-1.signin.aws.amazon.com/oauth?Action=logout&redirect_uri={}",
                encode(next)
            )
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/federation"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin("https://signin.amazonaws.cn"),
            "https://signin.amazonaws.cn"
        );
    }

    #[test]
    fn encoding_keeps_unreserved_characters_only() {
        assert_eq!(
            super::encode("https://a/b?c=d e"),
            "https%3A%2F%2Fa%2Fb%3Fc%3Dd%20e"
        );
    }
}
