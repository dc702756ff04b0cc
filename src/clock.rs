//! The one place hats reads the wall clock, so tests can fix time.

use jiff::Timestamp;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant, for tests.
    Fixed(Timestamp),
}

impl Clock {
    /// The current instant.
    pub fn now(self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }
}
