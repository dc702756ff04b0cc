//! What a run from the switcher looks like: each row's status and duration,
//! the header's totals, the `x` box (command line, then the production
//! count) and the output pane of one row.

use super::overlay::Boxed;
use super::{Theme, fit};
use crate::tui::state::{App, OutputPane, Phase, RunPrompt, RunRow, phase_text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use std::time::Duration;

/// Production targets the guard lists by name; the rest are counted.
const LISTED: usize = 5;

/// A row's status in the run (`ok 1.2s`), or nothing when it is not part of it.
pub(super) fn status_cell(app: &App, name: &str, theme: Theme) -> Span<'static> {
    let Some(row) = app.run.as_ref().and_then(|r| r.row(name)) else {
        return Span::raw("");
    };
    let mut text = phase_text(&row.phase);
    if let Some(duration) = row.duration {
        text.push(' ');
        text.push_str(&seconds(duration));
    }
    let style = match &row.phase {
        Phase::Queued => theme.dim(),
        Phase::Running => theme.fg(Color::Yellow),
        Phase::Ended(status) if crate::fanout::ended_well(status) => theme.fg(Color::Green),
        Phase::Ended(_) => theme.error(),
    };
    Span::styled(text, style)
}

/// `0.4s`, `12.3s`, `2m05s`.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

/// The header's totals: `  run: 12/30 done · 2 failed · 4 running`.
pub(super) fn header_span(app: &App, theme: Theme) -> Option<Span<'static>> {
    let run = app.run.as_ref()?;
    let (done, failed, running) = run.totals();
    let text = format!(
        "  run: {done}/{} done · {failed} failed · {running} running",
        run.rows.len()
    );
    let style = if failed > 0 { theme.error() } else { Style::new() };
    Some(Span::styled(text, style))
}

/// The `x` box: the command line, or the production guard once it is typed.
pub(super) fn prompt_box(p: &RunPrompt, area: Rect, theme: Theme) -> Boxed {
    let width = 76.min(area.width);
    let count = p.targets.len();
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::raw(format!(
        "Run on {count} target{}{}:",
        plural(count),
        match p.production.len() {
            0 => String::new(),
            n => format!(" ({n} production)"),
        }
    ))];
    if p.argv.is_none() {
        lines.push(Line::raw("command (no shell: write sh -c '…' for one)"));
        lines.push(Line::styled(format!("> {}▏", p.input), bold));
    } else {
        let n = p.production.len();
        lines.push(Line::raw(format!("> {}", p.input)));
        lines.push(Line::styled(
            format!("the selection holds {n} production target{}:", plural(n)),
            theme.production(),
        ));
        for name in p.production.iter().take(LISTED) {
            lines.push(Line::styled(format!("  {name}"), theme.production()));
        }
        if n > LISTED {
            lines.push(Line::raw(format!("  … and {} more", n - LISTED)));
        }
        lines.push(Line::raw(format!(
            "type {n} to run on {n} production target{}:",
            plural(n)
        )));
        lines.push(Line::styled(format!("> {}▏", p.count), bold));
    }
    if let Some(error) = &p.error {
        lines.push(Line::styled(error.clone(), theme.error()));
    }
    let inner = usize::from(width.saturating_sub(2));
    let rows: usize = lines.iter().map(|l| fit::rows(&l.to_string(), inner)).sum();
    Boxed {
        title: "run a command",
        lines,
        width,
        height: u16::try_from(rows + 2).unwrap_or(u16::MAX),
    }
}

/// The output pane: the row's stdout then its stderr, scrolled, over the whole screen.
pub(super) fn draw_output(frame: &mut Frame<'_>, app: &App, pane: &OutputPane, theme: Theme) {
    let area = frame.area();
    // The key hints stay visible below it.
    let cell = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let row = app.run.as_ref().and_then(|r| r.row(&pane.name));
    let lines = row.map(|r| output_lines(r, theme)).unwrap_or_default();
    let visible = usize::from(cell.height.saturating_sub(2));
    let scroll = pane.scroll.min(lines.len().saturating_sub(visible));
    let status = row.map_or_else(String::new, |r| {
        let mut s = phase_text(&r.phase);
        if let Some(d) = r.duration {
            s = format!("{s} {}", seconds(d));
        }
        s
    });
    let title = format!(" output: {} · {status} ", pane.name);
    let shown: Vec<Line<'static>> = lines.into_iter().skip(scroll).take(visible).collect();
    frame.render_widget(Clear, cell);
    frame.render_widget(Paragraph::new(shown).block(Block::bordered().title(title)), cell);
}

/// The lines of the pane: each stream under its name, with what was dropped.
fn output_lines(row: &RunRow, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Phase::Ended(crate::fanout::Status::NoCredentials(why) | crate::fanout::Status::Failed(why)) =
        &row.phase
    {
        lines.push(Line::styled(why.clone(), theme.error()));
    }
    for (label, captured) in [("stdout", &row.stdout), ("stderr", &row.stderr)] {
        lines.push(Line::styled(format!("── {label} ──"), theme.dim()));
        if captured.dropped > 0 {
            lines.push(Line::styled(
                format!(
                    "({} earlier lines dropped: the last 1 MiB is kept)",
                    captured.dropped
                ),
                theme.dim(),
            ));
        }
        lines.extend(captured.lines.iter().map(|l| Line::raw(l.clone())));
    }
    lines
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
