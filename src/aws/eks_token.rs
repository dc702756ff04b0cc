//! Amazon EKS bearer tokens: `k8s-aws-v1.` plus the unpadded base64url of a
//! presigned STS `GetCallerIdentity` URL. The cluster's authenticator calls
//! that URL and learns who signed it; `x-k8s-aws-id` (the cluster's name) is a
//! signed header, so a token made for one cluster is refused by another.
//!
//! Signing is the `aws-sigv4` crate's query-string presign; nothing here calls
//! AWS. The token is a secret for its lifetime: callers print it to kubectl only.

use crate::domain::Credentials;
use base64::Engine as _;
use std::time::{Duration, SystemTime};

/// The token's prefix, as `aws eks get-token` and aws-iam-authenticator write it.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The signed header that names the cluster.
pub const CLUSTER_HEADER: &str = "x-k8s-aws-id";
/// How long the presigned URL says it is valid (`X-Amz-Expires`), as the AWS CLI
/// writes it; the authenticator itself accepts a token for 15 minutes after signing.
const URL_EXPIRES: Duration = Duration::from_secs(60);

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EksTokenError {
    /// The STS endpoint (`AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`) is not a usable URL.
    #[error(
        "cannot sign an EKS token for the STS endpoint \"{endpoint}\": {reason}; check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL"
    )]
    Signing {
        /// The endpoint the URL was built for.
        endpoint: String,
        /// What the signer said.
        reason: String,
    },
}

/// The STS endpoint a token for `region` names: the configured override, else
/// the regional endpoint (the hosts the EKS authenticator accepts).
pub fn sts_endpoint(region: &str) -> String {
    super::endpoint_override().map_or_else(
        || crate::domain::Partition::of_region(region).endpoint("sts", region),
        |url| url.trim_end_matches('/').to_owned(),
    )
}

/// A token for `cluster`, signed at `now` with `credentials` for `region`'s STS at `endpoint`.
pub fn token(
    credentials: &Credentials,
    cluster: &str,
    region: &str,
    endpoint: &str,
    now: SystemTime,
) -> Result<String, EksTokenError> {
    let url = presigned_url(credentials, cluster, region, endpoint, now)?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

/// The presigned `GetCallerIdentity` URL inside a token.
fn presigned_url(
    credentials: &Credentials,
    cluster: &str,
    region: &str,
    endpoint: &str,
    now: SystemTime,
) -> Result<String, EksTokenError> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
    let failed = |reason: String| EksTokenError::Signing {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let base = format!("{endpoint}/?Action=GetCallerIdentity&Version=2011-06-15");
    let identity = super::sdk_credentials(credentials).into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(URL_EXPIRES);
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| failed(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_HEADER, cluster)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| failed(e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| failed(e.to_string()))?
        .into_parts();
    let mut url = base;
    for (name, value) in instructions.params() {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.push_str(&super::percent_encode(value));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLEKEY".into(),
            secret_access_key: "secret/with+chars".into(),
            session_token: Some("token/with+chars=".into()),
            expiration: None,
        }
    }

    fn decoded(token: &str) -> String {
        let body = token.strip_prefix(TOKEN_PREFIX).expect("prefix");
        assert!(!body.contains('='), "no padding");
        String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(body)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_token_is_a_presigned_get_caller_identity_with_the_cluster_header_signed() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let token = token(
            &credentials(),
            "prod-eks",
            "eu-west-1",
            "https://sts.eu-west-1.amazonaws.com",
            at,
        )
        .unwrap();
        let url = decoded(&token);
        assert!(
            url.starts_with(
                "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
            ),
            "{url}"
        );
        for part in [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=ASIAEXAMPLEKEY%2F20270115%2Feu-west-1%2Fsts%2Faws4_request",
            "X-Amz-Date=20270115T080000Z",
            "X-Amz-Expires=60",
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
            "X-Amz-Security-Token=token%2Fwith%2Bchars%3D",
            "X-Amz-Signature=",
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
        assert!(!url.contains("secret"), "the secret key is never in the URL");
    }

    #[test]
    fn another_cluster_or_instant_gives_another_signature() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let endpoint = "https://sts.us-east-1.amazonaws.com";
        let a = token(&credentials(), "a", "us-east-1", endpoint, at).unwrap();
        let b = token(&credentials(), "b", "us-east-1", endpoint, at).unwrap();
        let later = token(
            &credentials(),
            "a",
            "us-east-1",
            endpoint,
            at + Duration::from_secs(1),
        )
        .unwrap();
        assert_ne!(a, b);
        assert_ne!(a, later);
        assert_eq!(a, token(&credentials(), "a", "us-east-1", endpoint, at).unwrap());
    }
}
