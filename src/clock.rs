//! The one place hats reads clocks, so tests can fix time.
//!
//! Two clocks: the wall clock (`now`), which the user or NTP may step at any
//! moment, and on Linux the boot clock (`boot`), which counts real seconds since
//! boot and is never stepped. Expiry decisions use the wall clock against the
//! expiration STS returned, and, within one boot, the boot clock to notice a wall
//! clock that went back (see SECURITY.md, "Clock jumps"). Nothing here fakes
//! time outside unit tests: end-to-end tests move the wall clock with libfaketime.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Where "now" comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant, for tests.
    Fixed(Timestamp),
}

/// A reading of the boot clock: which boot, and whole seconds since it began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootStamp {
    /// The kernel's random id of this boot.
    pub id: String,
    /// Seconds since boot, suspend included (`CLOCK_BOOTTIME`).
    pub secs: i64,
}

impl Clock {
    /// The current instant.
    #[allow(clippy::disallowed_methods)] // The one place that reads the wall clock.
    pub fn now(self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }

    /// The boot clock, where the platform has one (Linux); `None` for a fixed clock.
    pub fn boot(self) -> Option<BootStamp> {
        match self {
            Clock::System => system_boot(),
            Clock::Fixed(_) => None,
        }
    }
}

#[cfg(target_os = "linux")]
fn system_boot() -> Option<BootStamp> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_BOOTTIME needs nothing else.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &raw mut ts) } != 0 {
        return None;
    }
    Some(BootStamp {
        id: id.trim().to_owned(),
        secs: ts.tv_sec,
    })
}

#[cfg(not(target_os = "linux"))]
fn system_boot() -> Option<BootStamp> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boot_clock_moves_forward_within_one_boot() {
        let (a, b) = (Clock::System.boot(), Clock::System.boot());
        if !cfg!(target_os = "linux") {
            assert!(a.is_none());
            return;
        }
        let (a, b) = (
            a.expect("Linux has a boot clock"),
            b.expect("Linux has a boot clock"),
        );
        assert_eq!(a.id, b.id);
        assert!(b.secs >= a.secs);
        assert!(Clock::Fixed(Timestamp::UNIX_EPOCH).boot().is_none());
    }
}
