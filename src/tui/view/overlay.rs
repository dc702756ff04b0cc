//! Modal overlays: help, MFA prompt, forget confirmation, production guard.

use super::Theme;
use crate::tui::regions::{Choice, choices};
use crate::tui::state::{App, Overlay, RegionPicker};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// Draws the open overlay, if any, over the screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, now: Timestamp, theme: Theme) {
    let (title, lines, width, height): (&str, Vec<Line<'_>>, u16, u16) = match &app.overlay {
        Overlay::None => return,
        Overlay::Help(first) => {
            let all = help_lines();
            let fits = help_fits(frame.area().height);
            let first = (*first).min(all.len().saturating_sub(fits));
            let title = if all.len() > fits {
                "keys (↑↓ scroll)"
            } else {
                "keys"
            };
            // Cut, not wrapped, on a narrow terminal: a wrapped line would push the legend out.
            let inner = usize::from(HELP_WIDTH.min(frame.area().width).saturating_sub(2));
            let lines: Vec<Line<'_>> = all
                .into_iter()
                .skip(first)
                .take(fits)
                .map(|line| super::fit::fit_line(line, inner))
                .collect();
            let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
            (title, lines, HELP_WIDTH, height)
        }
        Overlay::Mfa(m) => {
            let field = format!("[{:_<6}]", "●".repeat(m.input.len()));
            let mut lines = vec![
                Line::raw(format!("MFA code for {}", m.serial)),
                Line::raw(format!("target: {}", m.target)),
                Line::raw(""),
                Line::styled(field, Style::new().add_modifier(Modifier::BOLD)),
            ];
            if m.waiting {
                let frame_no = usize::try_from(now.subsec_millisecond() / 250).unwrap_or(0) % SPINNER.len();
                lines.push(Line::raw(format!("{} calling STS…", SPINNER[frame_no])));
            }
            if let Some(error) = &m.error {
                lines.push(Line::styled(error.clone(), theme.error()));
            }
            ("MFA", lines, 70, 9)
        }
        Overlay::ConfirmForget(t) => (
            "forget",
            vec![Line::raw(format!(
                "Forget the cached session of {}? (y/n)",
                app.entries[*t].name
            ))],
            60,
            3,
        ),
        Overlay::Region(picker) => {
            // The header and the key hints stay visible around it.
            let (lines, height) = region_lines(app, picker, frame.area().height.saturating_sub(2));
            ("region", lines, 50, height)
        }
        Overlay::Preset(target, line) => {
            let names = std::iter::once(format!("(none: {} unscoped)", app.entries[*target].name))
                .chain(app.presets.iter().cloned());
            let lines = names
                .enumerate()
                .map(|(i, label)| picker_line(&label, i == *line))
                .collect();
            let height = u16::try_from(app.presets.len() + 3).unwrap_or(20);
            ("scope down", lines, 50, height)
        }
        Overlay::Guard(g) => {
            let mut lines = vec![
                Line::styled(
                    format!("{} is production.", app.entries[g.target].name),
                    theme.production(),
                ),
                Line::raw(format!("Type \"{}\" (or yes) to continue:", g.expected)),
                Line::styled(
                    format!("> {}", g.input),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
            ];
            if let Some(error) = &g.error {
                lines.push(Line::styled(error.clone(), theme.error()));
            }
            ("production", lines, 64, 7)
        }
        Overlay::SignIn(m) => {
            let width = 80.min(frame.area().width);
            let (lines, height) = sign_in_lines(app, m, now, usize::from(width.saturating_sub(2)));
            ("Identity Center sign-in", lines, width, height)
        }
    };
    let area = centered(frame.area(), width, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {title} "))),
        area,
    );
}

/// The sign-in modal's lines and its height (borders included) when `inner` columns wide.
fn sign_in_lines(
    app: &App,
    m: &crate::tui::state::SignInModal,
    now: Timestamp,
    inner: usize,
) -> (Vec<Line<'static>>, u16) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::raw(format!(
            "Sign in to \"{}\" for {}",
            m.session, app.entries[m.target].name
        )),
        Line::raw(""),
    ];
    // Each line wraps: count the rows it takes.
    let mut rows = 2;
    match &m.url {
        None => {
            lines.push(Line::raw("starting the sign-in…"));
            rows += 1;
        }
        Some(url) => {
            if let Some(code) = &m.user_code {
                lines.push(Line::styled(format!("code: {code}"), bold));
                lines.push(Line::raw("check that the page shows this code"));
                rows += 2;
            }
            lines.push(Line::raw(if m.browser {
                "opened in your browser; if it did not open, visit:"
            } else {
                "no browser was opened; visit:"
            }));
            lines.push(Line::raw(url.clone()));
            rows += 1 + url.chars().count().div_ceil(inner.max(1));
        }
    }
    let frame_no = usize::try_from(now.subsec_millisecond() / 250).unwrap_or(0) % SPINNER.len();
    lines.push(Line::raw(""));
    lines.push(Line::raw(format!(
        "{} waiting for approval…  (Esc cancels)",
        SPINNER[frame_no]
    )));
    rows += 2;
    (lines, u16::try_from(rows + 2).unwrap_or(u16::MAX))
}

/// The help box's width, borders included: every help line fits inside.
const HELP_WIDTH: u16 = 66;

/// The last first line the help can scroll to on a terminal `height` rows tall.
pub fn help_scroll_max(height: u16) -> usize {
    help_lines().len().saturating_sub(help_fits(height))
}

/// How many help lines fit: the box's borders, the header and the key hints stay.
fn help_fits(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

fn help_lines() -> Vec<Line<'static>> {
    [
        "Enter       credentials + subshell (MFA/SSO sign-in if needed)",
        "/           filter as you type; Ctrl-W word, Ctrl-U line",
        "Tab         leave the filter box: keys act on the filtered list",
        "Esc         clear the filter (cursor kept); with none: quit",
        "↑↓ j k      move        PgUp PgDn  page",
        "Home End g G  first / last",
        "r           refresh the selected session now",
        "R           refresh sessions expiring within 15 min",
        "e           quit and print exports: eval \"$(hats)\"",
        "c           copy exports to the clipboard (OSC 52)",
        "o           open the AWS console signed in as the target",
        "w           pick the region (type to narrow the list)",
        "p           scope the selected target's sessions down (preset)",
        "d           forget the selected cached session",
        "f           pin / unpin a favourite (favourites, recent first)",
        "S           sync the organization's accounts now",
        "?           this help",
        "q Ctrl-C    quit",
        "",
        "! production (asks for confirmation)   * favourite   ◰ console",
    ]
    .into_iter()
    .map(Line::raw)
    .collect()
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// One choice of a picker overlay; the one under the cursor is reversed.
fn picker_line(label: &str, selected: bool) -> Line<'static> {
    if selected {
        Line::styled(
            format!("> {label}"),
            Style::new().add_modifier(Modifier::REVERSED),
        )
    } else {
        Line::raw(format!("  {label}"))
    }
}

/// The region picker: the query, then as many choices as fit, scrolled to
/// keep the highlighted one in view. Returns the lines and the box height.
fn region_lines(app: &App, picker: &RegionPicker, room: u16) -> (Vec<Line<'static>>, u16) {
    let partition = app
        .entries
        .get(picker.target)
        .map(|e| e.partition)
        .unwrap_or_default();
    let all = choices(partition, &picker.query);
    // Border above and below, and the query line.
    let fits = usize::from(room.saturating_sub(3)).max(1);
    let shown = all.len().clamp(1, fits);
    let offset = super::list_offset(picker.line, shown);
    let mut lines = vec![Line::styled(
        format!("/{}▏", picker.query),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if all.is_empty() {
        lines.push(Line::raw(format!("  no region matches \"{}\"", picker.query)));
    }
    for (i, choice) in all.iter().enumerate().skip(offset).take(shown) {
        let label = match choice {
            Choice::Configured => format!(
                "(configured: {})",
                app.entries[picker.target].region.as_deref().unwrap_or("none")
            ),
            Choice::Region(code, name) => format!("{code:<15}{name}"),
        };
        lines.push(picker_line(&label, i == picker.line));
    }
    let height = u16::try_from(shown + 3).unwrap_or(u16::MAX);
    (lines, height)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_help_line_fits_the_box_without_wrapping() {
        for line in super::help_lines() {
            assert!(line.width() <= usize::from(super::HELP_WIDTH - 2), "{line}");
        }
    }
}
