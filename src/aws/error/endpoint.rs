//! Whether a call's endpoint can be one: a URL with a host. Checked before the
//! SDK is blamed, since it fails a request to such an endpoint in many ways.

use super::{AwsError, Call};

/// The error for a call whose endpoint is not a URL, if it is not.
pub(super) fn bad_endpoint(call: Call<'_>) -> Option<AwsError> {
    let reason = check_endpoint_url(call.endpoint).err()?;
    Some(AwsError::BadEndpoint {
        service: call.service,
        endpoint: Call::quote(call.endpoint),
        reason,
        then: if call.one_time_code {
            ", and the MFA code was not used".into()
        } else {
            String::new()
        },
    })
}

/// Whether `url` can be an endpoint: `http://` or `https://`, then a host.
pub(super) fn check_endpoint_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("it does not start with https:// or http://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err("it names no host");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it holds spaces or control characters");
    }
    Ok(())
}
