//! How long hats waits for AWS: one place for every SDK client's timeouts.
//!
//! An endpoint that accepts the connection and never answers must fail a call
//! within 15 s, retries included, so a hung proxy or a black-holed VPC endpoint
//! is reported while the user is still looking. Real STS and Organizations
//! answer in well under a second; the bounds leave room for a slow network.
//! Debug builds let the end-to-end tests scale every wait here down
//! (`crate::test_hooks::scaled`), so they measure the bound without waiting it out.

use crate::test_hooks::scaled;
use aws_config::timeout::TimeoutConfig;
use std::time::Duration;

/// Establishing the TCP (and TLS) connection.
const CONNECT: Duration = Duration::from_secs(5);
/// From sending one attempt to its answer. Shorter than [`OPERATION`], so an
/// attempt that hit a silent endpoint can still be retried once when retries are allowed.
const READ: Duration = Duration::from_secs(8);
/// The whole call, every retry and backoff included: the promise "within 15 s" with margin.
pub const OPERATION: Duration = Duration::from_secs(12);

/// The timeouts of every STS and Organizations client.
pub fn sdk_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(scaled(CONNECT))
        .read_timeout(scaled(READ))
        .operation_timeout(scaled(OPERATION))
        .build()
}

/// A retry pause, scaled with the timeouts so retries still fit in the bound.
pub fn backoff(pause: Duration) -> Duration {
    scaled(pause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_endpoint_is_given_up_on_within_fifteen_seconds() {
        let config = sdk_timeouts();
        assert!(
            config
                .operation_timeout()
                .is_some_and(|t| t < Duration::from_secs(15))
        );
        assert!(config.read_timeout().is_some_and(|t| t <= OPERATION));
        assert!(config.connect_timeout().is_some_and(|t| t <= OPERATION));
    }
}
