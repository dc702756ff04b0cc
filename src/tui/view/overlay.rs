//! Modal overlays: help, MFA prompt, forget confirmation, production guard,
//! pickers, the sign-in and a whole message. One function per box; each
//! says how big it must be.

use super::help::{HELP_WIDTH, help_box};
use super::{Theme, fit};
use crate::tui::regions::{Choice, choices};
use crate::tui::state::{App, Guard, MfaModal, Overlay, RegionPicker};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// A box to draw: title, lines, width and height (borders included).
pub(super) struct Boxed {
    pub(super) title: &'static str,
    pub(super) lines: Vec<Line<'static>>,
    pub(super) width: u16,
    pub(super) height: u16,
}

/// Draws the open overlay, if any, over the screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, now: Timestamp, theme: Theme) {
    let area = frame.area();
    if let Overlay::Output(pane) = &app.overlay {
        super::run::draw_output(frame, app, pane, theme);
        return;
    }
    let Some(boxed) = boxed(app, area, now, theme) else {
        return;
    };
    let cell = centered(area, boxed.width, boxed.height);
    frame.render_widget(Clear, cell);
    frame.render_widget(
        Paragraph::new(boxed.lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {} ", boxed.title))),
        cell,
    );
}

/// The open overlay's box.
fn boxed(app: &App, area: Rect, now: Timestamp, theme: Theme) -> Option<Boxed> {
    let boxed = match &app.overlay {
        Overlay::None | Overlay::Output(_) => return None,
        Overlay::Run(prompt) => super::run::prompt_box(prompt, area, theme),
        Overlay::Help(first) => {
            let (title, lines, height) = help_box(app, *first, area);
            Boxed {
                title,
                lines,
                width: HELP_WIDTH,
                height,
            }
        }
        Overlay::Mfa(m) => mfa_box(m, area, now, theme),
        Overlay::ConfirmForget(t) => Boxed {
            title: "forget",
            lines: vec![Line::raw(format!(
                "Forget the cached session of {}? (y/n)",
                app.entries[*t].name
            ))],
            width: 60,
            height: 3,
        },
        Overlay::Region(picker) => {
            // The header and the key hints stay visible around it.
            let (lines, height) = region_lines(app, picker, area.height.saturating_sub(2));
            Boxed {
                title: "region (for this switcher)",
                lines,
                width: 50,
                height,
            }
        }
        Overlay::Preset(target, line) => preset_box(app, *target, *line),
        Overlay::Guard(g) => guard_box(app, g, theme),
        Overlay::SignIn(m) => {
            let width = 80.min(area.width);
            let (lines, height) = sign_in_lines(app, m, now, usize::from(width.saturating_sub(2)));
            Boxed {
                title: "Identity Center sign-in",
                lines,
                width,
                height,
            }
        }
        Overlay::Message(text) => message_box(text, area),
    };
    Some(boxed)
}

/// The MFA prompt, tall enough for the whole of its error.
fn mfa_box(m: &MfaModal, area: Rect, now: Timestamp, theme: Theme) -> Boxed {
    let width = 70.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let field = format!("[{:_<6}]", "●".repeat(m.input.len()));
    let mut lines = vec![
        Line::raw(format!("MFA code for {}", m.serial)),
        Line::raw(format!("target: {}", m.target)),
        Line::raw(""),
        Line::styled(field, Style::new().add_modifier(Modifier::BOLD)),
    ];
    let mut rows: usize = lines[..2]
        .iter()
        .map(|l| fit::rows(&l.to_string(), inner))
        .sum::<usize>()
        + 2;
    if m.waiting {
        lines.push(Line::raw(format!("{} calling STS…", spinner(now))));
        rows += 1;
    }
    if let Some(error) = &m.error {
        rows += fit::rows(error, inner);
        lines.push(Line::styled(error.clone(), theme.error()));
    }
    Boxed {
        title: "MFA",
        lines,
        width,
        height: u16::try_from(rows + 2).unwrap_or(u16::MAX),
    }
}

fn preset_box(app: &App, target: usize, line: usize) -> Boxed {
    let names = std::iter::once(format!("(none: {} unscoped)", app.entries[target].name))
        .chain(app.presets.iter().cloned());
    let lines = names
        .enumerate()
        .map(|(i, label)| picker_line(&label, i == line))
        .collect();
    Boxed {
        title: "scope down",
        lines,
        width: 50,
        height: u16::try_from(app.presets.len() + 3).unwrap_or(20),
    }
}

fn guard_box(app: &App, g: &Guard, theme: Theme) -> Boxed {
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
    Boxed {
        title: "production",
        lines,
        width: 64,
        height: 7,
    }
}

/// A whole message, wrapped, as tall as it needs (up to the screen).
fn message_box(text: &str, area: Rect) -> Boxed {
    let width = 80.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let lines = vec![
        Line::raw(text.to_owned()),
        Line::raw(""),
        Line::raw("Enter or Esc closes"),
    ];
    let rows = fit::rows(text, inner) + 2;
    Boxed {
        title: "message",
        lines,
        width,
        height: u16::try_from(rows + 2).unwrap_or(u16::MAX),
    }
}

/// The spinner's frame at `now` (four a second).
fn spinner(now: Timestamp) -> &'static str {
    let frame_no = usize::try_from(now.subsec_millisecond() / 250).unwrap_or(0) % SPINNER.len();
    SPINNER[frame_no]
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
    lines.push(Line::raw(""));
    lines.push(Line::raw(format!(
        "{} waiting for approval…  (Esc cancels)",
        spinner(now)
    )));
    rows += 2;
    (lines, u16::try_from(rows + 2).unwrap_or(u16::MAX))
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
