//! The detail pane: everything known about the selected target and its session.

use super::{Theme, countdown};
use crate::tui::state::App;
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
    let field = |label: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<9}"), theme.dim()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![Line::styled(
        e.name.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    // Made by the runner for the selected row before drawing; absent only in tests that leave it out.
    if let Some(d) = e.detail.as_deref() {
        lines.push(field(
            "role",
            d.role_arn
                .clone()
                .unwrap_or_else(|| "(MFA session of the user)".into()),
        ));
        lines.push(field("chain", d.chain.clone()));
        if let Some(keys) = &d.keys {
            lines.push(field("keys", keys.clone()));
        }
        lines.push(field(
            "mfa",
            d.mfa_serial
                .as_ref()
                .map_or_else(|| format!("none ({})", d.mode), |s| format!("{s} ({})", d.mode)),
        ));
    }
    lines.push(field(
        "region",
        match (&e.region_choice, &e.region) {
            (Some(picked), _) => format!("{picked} (picked with w)"),
            (None, Some(configured)) => configured.clone(),
            (None, None) => "-".into(),
        },
    ));
    if let Some(d) = e.detail.as_deref() {
        lines.push(field("duration", d.duration.clone()));
    }
    if let Some(preset) = &e.preset {
        // Right under the role: what the next hand-out will be matters most.
        let state = e.scoped_expires.map_or_else(
            || "no scoped session yet".to_owned(),
            |t| format!("scoped session {}", countdown(t.as_second() - now.as_second())),
        );
        let line = Line::from(vec![
            Span::styled(format!("{:<9}", "scope"), theme.dim()),
            Span::styled(format!("preset {preset} (p); {state}"), theme.production()),
        ]);
        lines.insert(2, line);
    }
    if let Some(last) = e.served.iter().map(|s| s.expires).max() {
        // Live sessions in other terminals: what is using these credentials now.
        let commands: Vec<&str> = e.served.iter().map(|s| s.command.as_str()).collect();
        let left = last.as_second() - now.as_second();
        let line = Line::from(vec![
            Span::styled(format!("{:<9}", "served"), theme.dim()),
            Span::raw(format!("to {} (renewing) ", commands.join(", "))),
            Span::styled(countdown(left), theme.countdown(left)),
        ]);
        lines.insert(2, line);
    }
    let push_identity = |lines: &mut Vec<Line<'_>>| {
        if let Some(identity) = e.detail.as_ref().and_then(|d| d.source_identity.as_ref()) {
            lines.push(field("identity", identity.clone()));
        }
    };
    match e.expires {
        Some(t) => {
            let left = t.as_second() - now.as_second();
            let local = t
                .to_zoned(jiff::tz::TimeZone::system())
                .strftime("%H:%M:%S %Z")
                .to_string();
            lines.push(Line::from(vec![
                Span::styled(format!("{:<9}", "expires"), theme.dim()),
                Span::raw(format!("{local} / {} UTC ", t.strftime("%H:%M:%S"))),
                Span::styled(countdown(left), theme.countdown(left)),
            ]));
            push_identity(&mut lines);
            if let Some(arn) = &e.assumed_arn {
                lines.push(field("session", arn.clone()));
            }
        }
        None => {
            lines.push(field("expires", "no cached session".into()));
            push_identity(&mut lines);
        }
    }
    if let Some(ou) = &e.ou {
        lines.push(field("ou", ou.clone()));
    }
    if !e.tags.is_empty() {
        lines.push(field("tags", e.tags.join(" ")));
    }
    if e.production {
        lines.push(Line::styled(
            "production: credentials need confirmation",
            theme.production(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), area);
}
