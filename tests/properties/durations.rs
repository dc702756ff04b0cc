//! Durations: what `--duration`, `role_duration` and friends accept.

use hats::domain::{SessionDuration, format_remaining};
use proptest::prelude::*;

const DAY: u64 = 86_400;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn display_reads_back_to_the_same_duration(secs in any::<u32>()) {
        let d = SessionDuration::from_secs(secs);
        prop_assert_eq!(SessionDuration::parse(&d.to_string()), Ok(d));
    }

    #[test]
    fn units_in_order_add_up_or_are_refused_past_u32(
        d in prop::option::of(0u64..60_000),
        h in prop::option::of(0u64..2_000_000),
        m in prop::option::of(0u64..100_000_000),
        s in prop::option::of(0u64..5_000_000_000),
        pad in "[ \t]{0,2}",
    ) {
        prop_assume!(d.is_some() || h.is_some() || m.is_some() || s.is_some());
        let text: String = [(d, 'd'), (h, 'h'), (m, 'm'), (s, 's')]
            .iter()
            .filter_map(|(n, unit)| n.map(|n| format!("{n}{unit}")))
            .collect();
        let total = d.unwrap_or(0) * DAY + h.unwrap_or(0) * 3600 + m.unwrap_or(0) * 60 + s.unwrap_or(0);
        let parsed = SessionDuration::parse(&format!("{pad}{text}{pad}"));
        match u32::try_from(total) {
            Ok(total) => prop_assert_eq!(parsed.map(SessionDuration::as_secs), Ok(total), "{}", text),
            Err(_) => prop_assert!(parsed.is_err(), "{} is past u32 seconds", text),
        }
    }

    #[test]
    fn more_of_a_unit_is_never_shorter(a in 0u32..1_000_000, b in 0u32..1_000_000, unit in "[dhms]") {
        let parse = |n: u32| SessionDuration::parse(&format!("{n}{unit}"));
        if let (Ok(x), Ok(y)) = (parse(a), parse(b)) {
            prop_assert_eq!(a.cmp(&b), x.cmp(&y));
        }
    }

    #[test]
    fn a_unit_twice_or_a_smaller_unit_first_is_refused(
        first in 0usize..4, second in 0usize..4, x in 1u32..100, y in 1u32..100,
    ) {
        // Units from largest to smallest: d, h, m, s. Only strictly decreasing is allowed.
        prop_assume!(second <= first);
        let units = ['d', 'h', 'm', 's'];
        let text = format!("{x}{}{y}{}", units[first], units[second]);
        prop_assert!(SessionDuration::parse(&text).is_err(), "{}", text);
    }

    #[test]
    fn refusals_quote_what_was_written(raw in "\\PC{0,12}") {
        if let Err(e) = SessionDuration::parse(&raw) {
            prop_assert!(e.to_string().contains(&format!("\"{raw}\"")), "{}", e);
        }
    }

    #[test]
    fn a_range_check_passes_exactly_inside_its_limits(secs in any::<u32>(), lo in 0u32..50_000, span in 0u32..200_000) {
        let (min, max) = (SessionDuration::from_secs(lo), SessionDuration::from_secs(lo + span));
        let checked = SessionDuration::from_secs(secs).check_range(min, max, "a test session");
        prop_assert_eq!(checked.is_ok(), (lo..=lo + span).contains(&secs));
        if let Err(e) = checked {
            let message = e.to_string();
            prop_assert!(message.contains(&min.to_string()) && message.contains(&max.to_string()), "{}", message);
        }
    }

    #[test]
    fn time_left_reads_back_rounded_down_to_the_shown_unit(secs in -1_000i64..=i64::from(u32::MAX)) {
        let shown = format_remaining(secs);
        if secs <= 0 {
            prop_assert_eq!(shown, "expired");
        } else {
            let back = i64::from(SessionDuration::parse(&shown).expect("time left parses").as_secs());
            let unit = if secs < 60 { 1 } else { 60 };
            prop_assert!(back <= secs && secs - back < unit, "{} shown as {}", secs, shown);
        }
    }

    #[test]
    fn any_text_is_parsed_or_refused_the_same_way_by_flag_and_file(raw in "\\PC{0,16}|[0-9dhms ]{0,12}") {
        // The fuzz target's body: no panic, and --duration and hats config agree.
        let _ = hats::fuzzing::duration(raw.as_bytes());
    }
}

#[test]
fn the_limits_are_the_documented_ones() {
    assert_eq!(SessionDuration::MIN.to_string(), "15m");
    assert_eq!(SessionDuration::ONE_HOUR.to_string(), "1h");
    assert_eq!(SessionDuration::MAX_ROLE.to_string(), "12h");
    assert_eq!(SessionDuration::MAX_MFA_SESSION.to_string(), "36h");
    assert_eq!(
        SessionDuration::parse("4294967295s").map(SessionDuration::as_secs),
        Ok(u32::MAX)
    );
    assert!(SessionDuration::parse("4294967296").is_err());
    assert!(SessionDuration::parse("49711d").is_err());
}
