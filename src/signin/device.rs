//! The device-authorization flow: show the URL and the user code, poll
//! `CreateToken` at the service's interval (5 s more after each `SlowDown`),
//! and stop when the code expires.

use super::{Granted, Report, SignInError, Step, open_browser, refused};
use crate::aws::{Grant, Oidc, OidcError, Registration};
use crate::config::SsoSession;
use std::time::Duration;

/// Runs the device flow with `registration`; `print_only` leaves the browser closed.
pub(super) async fn run(
    oidc: &Oidc,
    session: &SsoSession,
    report: &mut dyn Report,
    registration: Registration,
    print_only: bool,
) -> Result<Granted, SignInError> {
    let device = oidc
        .start_device_authorization(&registration, &session.start_url)
        .await?;
    let url = device
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| device.verification_uri.clone());
    let opened = !print_only && open_browser(&url);
    report.step(
        session,
        Step::DeviceCode {
            url,
            user_code: device.user_code.clone(),
            opened,
        },
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(device.expires_in.max(1).unsigned_abs());
    let mut interval = device.interval.max(1).unsigned_abs();
    loop {
        let next = tokio::time::Instant::now() + Duration::from_secs(interval);
        if next > deadline {
            return Err(SignInError::Expired(session.key().to_owned()));
        }
        tokio::time::sleep_until(next).await;
        match oidc
            .create_token(&registration, Grant::DeviceCode(&device.device_code))
            .await
        {
            Ok(grant) => return Ok((registration, grant)),
            Err(OidcError::Pending) => {}
            Err(OidcError::SlowDown) => interval += 5,
            Err(e) => return Err(refused(session, e)),
        }
    }
}
