//! Test-only hooks the end-to-end tests drive through the environment. Each is
//! compiled into debug builds only (the binary `cargo test` runs); a release
//! build contains none of them and ignores the variables.
//!
//! - `HATS_TEST_TIMEOUT_DIVISOR=N` divides every wait hats puts on AWS (the
//!   SDK's connect, read and whole-call timeouts and the retry backoffs) by `N`,
//!   so a test measures the promised bound ("a silent endpoint fails within
//!   15 s") scaled down, in a fraction of its time.
//! - `HATS_TEST_ABORT=POINT` ends the process at once (no destructor, no flush,
//!   as a `kill -9` would) when it reaches the named point, so a test can check
//!   what a hats killed exactly there leaves behind. The points: `keyring-write`
//!   (a session is in the keyring, the index does not list it yet) and
//!   `index-rename` (the new index is written to its temporary file, not yet
//!   renamed over the old one).
//!
//! Nothing here may change what hats does when the variables are unset.

use std::time::Duration;

/// The point in `write_atomic` between writing the temporary file and the rename.
pub const INDEX_RENAME: &str = "index-rename";
/// The point in `Cache::put` between the keyring write and the index update.
pub const KEYRING_WRITE: &str = "keyring-write";

/// `wait` divided by `HATS_TEST_TIMEOUT_DIVISOR` in debug builds; `wait` otherwise.
pub fn scaled(wait: Duration) -> Duration {
    wait / divisor()
}

#[cfg(debug_assertions)]
fn divisor() -> u32 {
    std::env::var("HATS_TEST_TIMEOUT_DIVISOR")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

#[cfg(not(debug_assertions))]
fn divisor() -> u32 {
    1
}

/// Ends the process on the spot when `HATS_TEST_ABORT` names `point` (debug builds only).
pub fn abort_point(point: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os("HATS_TEST_ABORT").is_some_and(|v| v == point) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_variables_nothing_changes() {
        // The unit tests never set them: the real waits stand.
        assert_eq!(scaled(Duration::from_secs(12)), Duration::from_secs(12));
        abort_point(KEYRING_WRITE);
    }
}
