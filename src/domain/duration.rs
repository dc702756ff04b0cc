//! Durations: parsing `1h`, `90m`, `1h30m`, `7d`, `3600`, range rules and display.

use super::InvalidValue;
use std::fmt;

/// A session length in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionDuration(u32);

impl SessionDuration {
    /// Fifteen minutes: the shortest session AWS issues.
    pub const MIN: Self = Self(15 * 60);
    /// One hour: the longest role session AWS allows from an MFA or chained session.
    pub const ONE_HOUR: Self = Self(3600);
    /// Twelve hours: the longest role session AWS allows.
    pub const MAX_ROLE: Self = Self(12 * 3600);
    /// Thirty-six hours: the longest `GetSessionToken` session for an IAM user.
    pub const MAX_MFA_SESSION: Self = Self(36 * 3600);

    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u32) -> Self {
        Self(secs)
    }

    /// Reads `3600`, `90m`, `1h`, `1h30m`, `2h15m10s`, `7d` (units d, h, m, s; no unit means seconds).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::Duration(raw.to_owned());
        let text = raw.trim();
        if text.is_empty() {
            return Err(invalid());
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().map(Self).map_err(|_| invalid());
        }
        let mut total: u64 = 0;
        let mut number = String::new();
        let mut last_unit = u64::MAX;
        for c in text.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                'd' => 86_400,
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return Err(invalid()),
            };
            // Units must be given once each, largest first, each with a number.
            if number.is_empty() || unit >= last_unit {
                return Err(invalid());
            }
            let value: u64 = number.parse().map_err(|_| invalid())?;
            total = total.saturating_add(value.saturating_mul(unit));
            number.clear();
            last_unit = unit;
        }
        if !number.is_empty() {
            return Err(invalid());
        }
        u32::try_from(total).map(Self).map_err(|_| invalid())
    }

    /// Seconds, as sent in `DurationSeconds`.
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// Checks that the duration lies in `min..=max`, naming `what` in the error.
    pub fn check_range(self, min: Self, max: Self, what: &'static str) -> Result<Self, InvalidValue> {
        if (min..=max).contains(&self) {
            Ok(self)
        } else {
            Err(InvalidValue::DurationRange {
                value: self.to_string(),
                min: min.to_string(),
                max: max.to_string(),
                what,
            })
        }
    }
}

impl fmt::Display for SessionDuration {
    /// Writes the shortest exact form: `1h`, `1h30m`, `90s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 % 3600 / 60, self.0 % 60);
        if self.0 == 0 {
            return f.write_str("0s");
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

/// Formats time left for a table cell: `3h41m`, `58m`, `45s`, or `expired`.
pub fn format_remaining(secs: i64) -> String {
    match secs {
        s if s <= 0 => "expired".to_owned(),
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_users_write() {
        let secs = |s| SessionDuration::parse(s).map(SessionDuration::as_secs);
        assert_eq!(secs("3600"), Ok(3600));
        assert_eq!(secs("1h"), Ok(3600));
        assert_eq!(secs("90m"), Ok(5400));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs(" 2h15m10s "), Ok(8110));
        assert_eq!(secs("7d"), Ok(7 * 86_400));
        assert_eq!(secs("1d12h"), Ok(36 * 3600));
        for bad in [
            "",
            "h",
            "1x",
            "1m1h",
            "1h1h",
            "1h1d",
            "1.5h",
            "-1h",
            "1h30",
            "99999999999",
        ] {
            assert!(SessionDuration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn displays_shortest_exact_form() {
        assert_eq!(SessionDuration::from_secs(5400).to_string(), "1h30m");
        assert_eq!(SessionDuration::from_secs(43200).to_string(), "12h");
        assert_eq!(SessionDuration::from_secs(61).to_string(), "1m1s");
    }

    #[test]
    fn range_check_names_the_limits() {
        let d = SessionDuration::parse("13h").unwrap();
        let err = d
            .check_range(SessionDuration::MIN, SessionDuration::MAX_ROLE, "a role session")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "duration 13h is outside 15m–12h for a role session"
        );
    }

    #[test]
    fn remaining_time_is_compact() {
        assert_eq!(format_remaining(-3), "expired");
        assert_eq!(format_remaining(42), "42s");
        assert_eq!(format_remaining(3492), "58m");
        assert_eq!(format_remaining(13260), "3h41m");
    }
}
