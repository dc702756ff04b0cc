//! IAM Identity Center OIDC (service `sso-oidc`): client registration, the
//! device authorization, and `CreateToken` for the device code, the PKCE
//! authorization code and the refresh token.
//!
//! `CreateToken` is sent once, never retried: device codes, authorization codes
//! and refresh tokens are each good once, so a retry of a request that reached
//! the service would only turn success into `InvalidGrantException`.

use super::AwsError;
use super::error::{Call, classify};
use super::sso::configured_endpoint;
use crate::domain::Partition;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_ssooidc::config::Region;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use std::time::Instant;

/// A registered OIDC client (hats itself, as the service knows it).
#[derive(Clone)]
pub struct Registration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`: a secret, kept in the keyring.
    pub client_secret: SecretString,
    /// When the registration ends (`clientSecretExpiresAt`).
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What `StartDeviceAuthorization` answers: what the user sees and what hats polls with.
pub struct DeviceAuthorization {
    /// `deviceCode`: a secret, polled with.
    pub device_code: SecretString,
    /// `userCode`: shown to the user to compare with the page.
    pub user_code: String,
    /// `verificationUri`.
    pub verification_uri: String,
    /// `verificationUriComplete` (with the code filled in).
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires.
    pub expires_in: i64,
    /// Seconds to wait between polls.
    pub interval: i64,
}

/// Which grant `CreateToken` is asked for.
pub enum Grant<'a> {
    /// The device flow.
    DeviceCode(&'a SecretString),
    /// The authorization-code flow with PKCE.
    AuthorizationCode {
        /// The code from the redirect.
        code: &'a SecretString,
        /// The redirect URI the code was sent to.
        redirect_uri: &'a str,
        /// The PKCE verifier.
        verifier: &'a SecretString,
    },
    /// A silent refresh.
    RefreshToken(&'a SecretString),
}

/// The tokens `CreateToken` issued.
pub struct TokenGrant {
    /// `accessToken`.
    pub access_token: SecretString,
    /// Seconds it is valid.
    pub expires_in: i64,
    /// `refreshToken`, for clients registered with scopes.
    pub refresh_token: Option<SecretString>,
}

/// Why `CreateToken` gave no token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The user has not approved yet: poll again after the interval.
    #[error("the sign-in is not approved yet")]
    Pending,
    /// Polled too often: add 5 s to the interval.
    #[error("polled too often")]
    SlowDown,
    /// The device code or refresh token expired.
    #[error("the sign-in code expired before it was approved")]
    Expired,
    /// The user denied the request.
    #[error("the sign-in was denied in the browser")]
    Denied,
    /// The code, verifier or refresh token was refused.
    #[error("the sign-in grant was refused ({0})")]
    InvalidGrant(String),
    /// Anything else.
    #[error("{0}")]
    Aws(#[from] AwsError),
}

/// An OIDC client for one region.
pub struct Oidc {
    client: aws_sdk_ssooidc::Client,
    endpoint: String,
}

impl Oidc {
    /// A client for `region`'s OIDC service (or `AWS_ENDPOINT_URL_SSO_OIDC`).
    pub fn new(region: &str) -> Self {
        let mut config = aws_sdk_ssooidc::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .timeout_config(super::timeouts::sdk_timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(1));
        let endpoint = match configured_endpoint("AWS_ENDPOINT_URL_SSO_OIDC") {
            Some(url) => {
                config = config.endpoint_url(&url);
                url
            }
            None => Partition::of_region(region).endpoint("oidc", region),
        };
        Self {
            client: aws_sdk_ssooidc::Client::from_conf(config.build()),
            endpoint,
        }
    }

    /// The service's base URL (the PKCE `/authorize` page lives under it).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn call(&self, action: &'static str, started: Instant) -> Call<'_> {
        Call {
            service: "Identity Center OIDC",
            action,
            role: None,
            endpoint: &self.endpoint,
            one_time_code: false,
            waited: started.elapsed(),
        }
    }

    fn malformed(&self, action: &'static str, what: &str) -> AwsError {
        AwsError::Malformed {
            service: "Identity Center OIDC",
            endpoint: self.endpoint.clone(),
            action,
            what: what.into(),
            then: String::new(),
        }
    }

    /// `RegisterClient` as a public client, with `scopes` (a refresh token needs some)
    /// and, for the PKCE flow, the loopback `redirect_uri` and `issuer_url`.
    pub async fn register(
        &self,
        scopes: &[String],
        pkce: Option<(&str, &str)>,
    ) -> Result<Registration, AwsError> {
        let started = Instant::now();
        let mut request = self
            .client
            .register_client()
            .client_name(format!("hats-{}", std::process::id()))
            .client_type("public")
            .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()));
        if let Some((redirect_uri, issuer_url)) = pkce {
            request = request
                .grant_types("authorization_code")
                .grant_types("refresh_token")
                .redirect_uris(redirect_uri)
                .issuer_url(issuer_url);
        }
        let output = request
            .send()
            .await
            .map_err(|e| classify(e, self.call("RegisterClient", started)))?;
        let (Some(id), Some(secret)) = (output.client_id(), output.client_secret()) else {
            return Err(self.malformed("RegisterClient", "no client id or secret in it"));
        };
        Ok(Registration {
            client_id: id.to_owned(),
            client_secret: secret.to_owned().into(),
            expires_at: Timestamp::from_second(output.client_secret_expires_at())
                .map_err(|_| self.malformed("RegisterClient", "an expiry that is not a time"))?,
        })
    }

    /// `StartDeviceAuthorization` for `start_url`.
    pub async fn start_device_authorization(
        &self,
        client: &Registration,
        start_url: &str,
    ) -> Result<DeviceAuthorization, AwsError> {
        let started = Instant::now();
        let output = self
            .client
            .start_device_authorization()
            .client_id(&client.client_id)
            .client_secret(client.client_secret.expose_secret())
            .start_url(start_url)
            .send()
            .await
            .map_err(|e| classify(e, self.call("StartDeviceAuthorization", started)))?;
        let (Some(device_code), Some(user_code), Some(uri)) = (
            output.device_code(),
            output.user_code(),
            output.verification_uri(),
        ) else {
            return Err(self.malformed(
                "StartDeviceAuthorization",
                "no device code, user code or URL in it",
            ));
        };
        Ok(DeviceAuthorization {
            device_code: device_code.to_owned().into(),
            user_code: user_code.to_owned(),
            verification_uri: uri.to_owned(),
            verification_uri_complete: output.verification_uri_complete().map(str::to_owned),
            expires_in: i64::from(output.expires_in()),
            interval: i64::from(output.interval()).max(1),
        })
    }

    /// `CreateToken` with `grant`.
    pub async fn create_token(
        &self,
        client: &Registration,
        grant: Grant<'_>,
    ) -> Result<TokenGrant, OidcError> {
        let started = Instant::now();
        let request = self
            .client
            .create_token()
            .client_id(&client.client_id)
            .client_secret(client.client_secret.expose_secret());
        let request = match grant {
            Grant::DeviceCode(code) => request
                .grant_type("urn:ietf:params:oauth:grant-type:device_code")
                .device_code(code.expose_secret()),
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                verifier,
            } => request
                .grant_type("authorization_code")
                .code(code.expose_secret())
                .redirect_uri(redirect_uri)
                .code_verifier(verifier.expose_secret()),
            Grant::RefreshToken(token) => request
                .grant_type("refresh_token")
                .refresh_token(token.expose_secret()),
        };
        let output = request.send().await.map_err(|e| {
            if let Some(service) = e.as_service_error() {
                if service.is_authorization_pending_exception() {
                    return OidcError::Pending;
                }
                if service.is_slow_down_exception() {
                    return OidcError::SlowDown;
                }
                if service.is_expired_token_exception() {
                    return OidcError::Expired;
                }
                if service.is_access_denied_exception() {
                    return OidcError::Denied;
                }
                if service.is_invalid_grant_exception() || service.is_invalid_client_exception() {
                    let what = if service.is_invalid_client_exception() {
                        "the client registration was refused"
                    } else {
                        "the code or token was refused"
                    };
                    return OidcError::InvalidGrant(what.into());
                }
            }
            OidcError::Aws(classify(e, self.call("CreateToken", started)))
        })?;
        let access_token = output
            .access_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.malformed("CreateToken", "no access token in it"))?;
        Ok(TokenGrant {
            access_token: access_token.to_owned().into(),
            expires_in: i64::from(output.expires_in()),
            refresh_token: output
                .refresh_token()
                .filter(|t| !t.is_empty())
                .map(|t| t.to_owned().into()),
        })
    }
}
