//! The detail pane: everything known about the selected target and its session.
//!
//! ```text
//! name
//! role / served / scope / chain / mfa      what the target is    (target_lines)
//! region / duration
//! expires / identity / session             its cached session    (session_lines)
//! console / ou / tags / production         where it sits         (place_lines)
//! ```

use super::{Theme, countdown};
use crate::tui::state::{App, Entry};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

/// Draws the pane into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, now: Timestamp, theme: Theme) {
    let block = Block::new().borders(Borders::TOP).title(" detail ");
    let Some(index) = app.selected_entry() else {
        frame.render_widget(Paragraph::new("no target matches").block(block), area);
        return;
    };
    let e = &app.entries[index];
    let mut lines = vec![Line::styled(
        e.name.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    lines.extend(target_lines(e, now, theme));
    lines.extend(session_lines(e, || app.tz(), now, theme));
    lines.extend(place_lines(e, theme));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), area);
}

/// `label` in the pane's label column, then `value`.
fn field(label: &str, value: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), theme.dim()),
        Span::raw(value),
    ])
}

/// What the target is: role, what uses it now, its scope, chain, MFA device, region, duration.
fn target_lines(e: &Entry, now: Timestamp, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Made by the runner for the selected row before drawing; absent only in tests that leave it out.
    let detail = e.detail.as_deref();
    if let Some(d) = detail {
        let role = d
            .role_arn
            .clone()
            .unwrap_or_else(|| "(MFA session of the user)".into());
        lines.push(field("role", role, theme));
    }
    if let Some(last) = e.served.iter().map(|s| s.expires).max() {
        // Live sessions in other terminals: what is using these credentials now.
        let commands: Vec<&str> = e.served.iter().map(|s| s.command.as_str()).collect();
        let left = last.as_second() - now.as_second();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<9}", "served"), theme.dim()),
            Span::raw(format!("to {} (renewing) ", commands.join(", "))),
            Span::styled(countdown(left), theme.countdown(left)),
        ]));
    }
    if let Some(preset) = &e.preset {
        // Right under the role: what the next hand-out will be matters most.
        let state = e.scoped_expires.map_or_else(
            || "no scoped session yet".to_owned(),
            |t| format!("scoped session {}", countdown(t.as_second() - now.as_second())),
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{:<9}", "scope"), theme.dim()),
            Span::styled(format!("preset {preset} (p); {state}"), theme.production()),
        ]));
    }
    if let Some(d) = detail {
        lines.push(field("chain", d.chain.clone(), theme));
        if let Some(keys) = &d.keys {
            lines.push(field("keys", keys.clone(), theme));
        }
        let mfa = d
            .mfa_serial
            .as_ref()
            .map_or_else(|| format!("none ({})", d.mode), |s| format!("{s} ({})", d.mode));
        lines.push(field("mfa", mfa, theme));
    }
    let region = match (&e.region_choice, &e.region) {
        (Some(picked), _) => format!("{picked} (picked with w, for this switcher)"),
        (None, Some(configured)) => configured.to_string(),
        (None, None) => "-".into(),
    };
    lines.push(field("region", region, theme));
    if let Some(d) = detail {
        lines.push(field("duration", d.duration.clone(), theme));
    }
    lines
}

/// The cached session: when it expires (local time and UTC), the source
/// identity it carries, the assumed-role ARN. The local time zone is only
/// looked up when there is an expiry to show: finding its name reads the
/// zone database, which the first frame need not wait for.
fn session_lines<'a>(
    e: &Entry,
    tz: impl FnOnce() -> &'a jiff::tz::TimeZone,
    now: Timestamp,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let identity = e.detail.as_ref().and_then(|d| d.source_identity.clone());
    let Some(t) = e.expires else {
        lines.push(field("expires", "no cached session".into(), theme));
        lines.extend(identity.map(|i| field("identity", i, theme)));
        return lines;
    };
    let left = t.as_second() - now.as_second();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9}", "expires"), theme.dim()),
        Span::raw(format!("{} ", expiry_time(t, tz()))),
        Span::styled(countdown(left), theme.countdown(left)),
    ]));
    lines.extend(identity.map(|i| field("identity", i, theme)));
    if let Some(arn) = &e.assumed_arn {
        lines.push(field("session", arn.clone(), theme));
    }
    lines
}

/// `14:03:10 CET / 13:03:10 UTC`; one time when the local zone is UTC at `t`.
fn expiry_time(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let utc = t.strftime("%H:%M:%S UTC").to_string();
    let local = t.to_zoned(tz.clone());
    if local.offset() == jiff::tz::Offset::UTC {
        return utc;
    }
    format!("{} / {utc}", local.strftime("%H:%M:%S %Z"))
}

/// Where the target sits: OU, tags, the production mark.
fn place_lines(e: &Entry, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(console) = e.detail.as_ref().and_then(|d| d.console.as_ref()) {
        lines.push(field("console", console.clone(), theme));
    }
    if let Some(ou) = &e.ou {
        lines.push(field("ou", ou.to_string(), theme));
    }
    if !e.tags.is_empty() {
        lines.push(field("tags", e.tags.join(" "), theme));
    }
    if e.production {
        lines.push(Line::styled(
            "production: credentials need confirmation",
            theme.production(),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::expiry_time;
    use jiff::tz::TimeZone;

    #[test]
    fn the_expiry_is_shown_once_when_local_time_is_utc_and_twice_otherwise() {
        let t: jiff::Timestamp = "2026-11-22T12:34:56Z".parse().unwrap();
        assert_eq!(expiry_time(t, &TimeZone::UTC), "12:34:56 UTC");
        assert_eq!(
            expiry_time(t, &TimeZone::fixed(jiff::tz::offset(0))),
            "12:34:56 UTC"
        );
        let east = expiry_time(t, &TimeZone::fixed(jiff::tz::offset(1)));
        assert!(
            east.starts_with("13:34:56 ") && east.ends_with(" / 12:34:56 UTC"),
            "{east}"
        );
    }
}
