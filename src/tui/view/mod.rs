//! Draws the switcher. Layout:
//!
//! ```text
//! ┌ header: sources · MFA sessions · SSO sign-ins · nested notice ──┐
//! │ list (name, account, role, countdown) │ detail of selected row  │   ≥ 120 columns
//! │───────────────────────────────────────┴─────────────────────────│
//! │ list                                                            │   narrower:
//! │ detail                                                          │   stacked
//! ├ status line ────────────────────────────────────────────────────┤
//! └ key hints ──────────────────────────────────────────────────────┘
//! ```
//! Pure: reads `App` and `now`, never changes them.

mod detail;
mod fit;
mod help;
mod helper;
mod list;
mod overlay;
mod run;

use super::state::{App, Overlay};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Colours, or none at all under `NO_COLOR`.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colours unless `no_color`.
    pub fn new(no_color: bool) -> Self {
        Self { color: !no_color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// The style of a countdown with `left` seconds.
    fn countdown(self, left: i64) -> Style {
        match left {
            l if l <= 0 => self.fg(Color::DarkGray),
            l if l < 5 * 60 => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            l if l < 15 * 60 => self.fg(Color::Yellow),
            _ => self.fg(Color::Green),
        }
    }

    fn production(self) -> Style {
        self.fg(Color::LightRed)
    }

    fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
}

/// `58:12` under an hour, `3h41m` above, `expired` after.
pub fn countdown(left: i64) -> String {
    match left {
        l if l <= 0 => "expired".to_owned(),
        l if l < 3600 => format!("{:02}:{:02}", l / 60, l % 60),
        l => format!("{}h{:02}m", l / 3600, l % 3600 / 60),
    }
}

/// Where each region of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Header line.
    pub header: Rect,
    /// The list, with its top border.
    pub list: Rect,
    /// The detail pane, absent when there is no room.
    pub detail: Option<Rect>,
    /// Status line.
    pub status: Rect,
    /// Key hints.
    pub footer: Rect,
}

/// Lays the screen out: side by side from 120 columns, stacked below that.
/// On a terminal too short for everything the key hints stay longest (they
/// say where help is), then the status line, then the header.
pub fn areas(area: Rect) -> Areas {
    let height = area.height;
    let footer_rows = height.min(1);
    let status_rows = u16::from(height >= 3);
    let header_rows = u16::from(height >= 5);
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(header_rows),
        Constraint::Length(height - footer_rows - status_rows - header_rows),
        Constraint::Length(status_rows),
        Constraint::Length(footer_rows),
    ])
    .areas(area);
    let (list, detail) = if body.width >= 120 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(body);
        (left, Some(right))
    } else {
        // Tall terminals get room for the identity, scope and session lines below the expiry.
        let detail_height = match body.height {
            24.. => 11,
            16..=23 => 8,
            _ => 0,
        };
        let [top, bottom] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(detail_height)]).areas(body);
        (top, (detail_height > 0).then_some(bottom))
    };
    Areas {
        header,
        list,
        detail,
        status,
        footer,
    }
}

pub use help::help_scroll_max;

/// The row index (into the visible matches) drawn at screen line `y`, if any.
pub fn row_at(app: &App, y: u16) -> Option<usize> {
    let list = areas(app.size).list;
    let first = list.y + 1;
    let visible = usize::from(list.height.saturating_sub(1));
    if y < first || y >= list.y + list.height || visible == 0 {
        return None;
    }
    let index = list_offset(app.selected, visible) + usize::from(y - first);
    (index < app.filter.matches.len()).then_some(index)
}

/// The first row shown when `visible` rows fit: scrolled just enough to keep
/// the selection on screen.
pub fn list_offset(selected: usize, visible: usize) -> usize {
    (selected + 1).saturating_sub(visible)
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, now: Timestamp, theme: Theme) {
    let Areas {
        header,
        list: list_area,
        detail: detail_area,
        status,
        footer,
    } = areas(frame.area());
    frame.render_widget(header_line(app, now, theme, header.width), header);
    list::draw(frame, list_area, app, now, theme);
    if let Some(area) = detail_area {
        detail::draw(frame, area, app, now, theme);
    }
    if let Some(s) = &app.status {
        let style = if s.error { theme.error() } else { Style::new() };
        let text = status_text(&s.text, usize::from(status.width));
        frame.render_widget(Paragraph::new(Span::styled(text, style)), status);
    }
    frame.render_widget(
        Paragraph::new(footer_line(app, footer.width)).style(theme.dim()),
        footer,
    );
    if app.overlay == Overlay::None {
        helper::draw(frame, app, now, theme);
    }
    overlay::draw(frame, app, now, theme);
}

/// The status line's text in `width` columns: a longer one is cut, and says
/// that `m` shows all of it.
fn status_text(text: &str, width: usize) -> String {
    const MORE: &str = " (m: all)";
    if fit::width(text) <= width || width < 2 * MORE.len() {
        return fit::ellipsize(text, width);
    }
    format!("{}{MORE}", fit::ellipsize(text, width - MORE.len()))
}

/// The header: `hats`, source profiles, each MFA device's countdown, each
/// Identity Center sign-in's time left, and the nested-shell notice. When the line is too narrow the countdowns win: the
/// source list is shortened (with `…`) or left out, then the countdowns drop
/// their wording.
fn header_line(app: &App, now: Timestamp, theme: Theme, width: u16) -> Paragraph<'static> {
    let width = usize::from(width);
    let mut mfa = mfa_spans(app, now, theme, false);
    mfa.extend(sso_spans(app, now, theme, false));
    let notice = app.nested_in.as_ref().map(|outer| {
        Span::styled(
            format!("  (inside the hats shell for {outer})"),
            theme.production(),
        )
    });
    // Sessions are not kept: say why no row counts down.
    let no_cache = (!app.caching).then(|| Span::styled("  no cache (HATS_KEYRING=none)", theme.dim()));
    let title = Span::styled("hats", Style::new().add_modifier(Modifier::BOLD));
    let run = run::header_span(app, theme);
    let fixed = |mfa: &[Span<'_>]| {
        title.width()
            + run.as_ref().map_or(0, Span::width)
            + mfa.iter().map(Span::width).sum::<usize>()
            + notice.as_ref().map_or(0, Span::width)
            + no_cache.as_ref().map_or(0, Span::width)
    };
    if fixed(&mfa) > width {
        mfa = mfa_spans(app, now, theme, true);
        mfa.extend(sso_spans(app, now, theme, true));
    }
    let mut spans = vec![title.clone()];
    spans.extend(run.clone());
    let label = "  source: ";
    let room = width.saturating_sub(fixed(&mfa) + label.len());
    // Three characters and the ellipsis at least, or the list says nothing.
    if !app.sources.is_empty() && room >= 4.min(fit::width(&app.sources)) {
        spans.push(Span::raw(format!(
            "{label}{}",
            fit::ellipsize(&app.sources, room)
        )));
    }
    spans.extend(mfa);
    spans.extend(no_cache);
    spans.extend(notice);
    Paragraph::new(Line::from(spans))
}

/// `  MFA alice: 11:42:07 left` per device; `compact`: `  alice 11:42:07`.
fn mfa_spans(app: &App, now: Timestamp, theme: Theme, compact: bool) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (serial, expires) in &app.mfa_sessions {
        let device = serial.rsplit_once(":mfa/").map_or(serial.as_str(), |(_, n)| n);
        let left = expires
            .map(|t| t.as_second() - now.as_second())
            .filter(|l| *l > 0);
        spans.push(Span::raw(if compact {
            format!("  {device} ")
        } else {
            format!("  MFA {device}: ")
        }));
        match left {
            Some(l) if compact => spans.push(Span::styled(clock_left(l), theme.countdown(l))),
            Some(l) => spans.push(Span::styled(
                format!("{} left", clock_left(l)),
                theme.countdown(l),
            )),
            None => spans.push(Span::styled("none", theme.dim())),
        }
    }
    spans
}

/// `  SSO corp: 7:42:10 left` (or `signed out`) per Identity Center sign-in;
/// `compact`: `  corp 7:42:10`. `…` until the keyring has been read.
fn sso_spans(app: &App, now: Timestamp, theme: Theme, compact: bool) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for signin in &app.sso_signins {
        spans.push(Span::raw(if compact {
            format!("  {} ", signin.session)
        } else {
            format!("  SSO {}: ", signin.session)
        }));
        let left = signin
            .expires
            .map(|t| t.as_second() - now.as_second())
            .filter(|l| *l > 0);
        let hours = |l: i64| format!("{}:{:02}:{:02}", l / 3600, l % 3600 / 60, l % 60);
        spans.push(match left {
            _ if !signin.known => Span::styled("…", theme.dim()),
            Some(l) if compact => Span::styled(hours(l), theme.countdown(l)),
            Some(l) => Span::styled(format!("{} left", hours(l)), theme.countdown(l)),
            None if signin.renewable => Span::styled("renews on use", theme.dim()),
            None => Span::styled("signed out", theme.dim()),
        });
    }
    spans
}

/// `11:42:07`.
fn clock_left(left: i64) -> String {
    format!("{:02}:{:02}:{:02}", left / 3600, left % 3600 / 60, left % 60)
}

/// The key hints, each with its rank: 0 stays at any width, higher ranks
/// are left out first when the line is too narrow.
fn hints(app: &App) -> Vec<(&'static str, u8)> {
    let hints = overlay_hints(app).unwrap_or_else(|| list_hints(app));
    if !app.use_mode {
        return hints.to_vec();
    }
    // Under `hats use`, Enter hands the target to the calling shell.
    hints
        .iter()
        .map(|&(text, rank)| match text {
            "Enter shell" => ("Enter use here", rank),
            "Enter: shell" => ("Enter: use here", rank),
            other => (other, rank),
        })
        .collect()
}

/// The hints of the open box, if one is open.
fn overlay_hints(app: &App) -> Option<&'static [(&'static str, u8)]> {
    if app.overlay == Overlay::None && app.helper.as_ref().is_some_and(|h| h.failed) {
        return Some(&[("any key: close", 0)]);
    }
    let hints: &'static [(&'static str, u8)] = match &app.overlay {
        Overlay::None => return None,
        Overlay::Help(_) => &[("↑↓: scroll", 1), ("any other key: close help", 0)],
        Overlay::Message(_) => &[("Enter/Esc: close", 0)],
        Overlay::Mfa(_) => &[("digits: code", 1), ("Enter: submit", 0), ("Esc: cancel", 0)],
        Overlay::ConfirmForget(_) => &[("y: forget", 0), ("n/Esc: keep", 0)],
        Overlay::SignIn(_) => &[("approve in a browser", 1), ("Esc: cancel the sign-in", 0)],
        Overlay::Guard(_) => &[
            ("type the alias or yes", 1),
            ("Enter: confirm", 0),
            ("Esc: cancel", 0),
        ],
        Overlay::Region(..) => &[
            ("type: filter", 1),
            ("↑↓: region", 2),
            ("Enter: use it", 0),
            ("Esc: cancel", 0),
        ],
        Overlay::Preset(..) => &[
            ("↑↓: scope-down preset", 1),
            ("Enter: use it", 0),
            ("Esc: cancel", 0),
        ],
        Overlay::Run(p) if p.argv.is_some() => &[
            ("type the count of production targets", 1),
            ("Enter: run", 0),
            ("Esc: cancel", 0),
        ],
        Overlay::Run(_) => &[("type a command", 1), ("Enter: run", 0), ("Esc: cancel", 0)],
        Overlay::Output(_) => &[("↑↓ PgUp PgDn: scroll", 1), ("Esc: close", 0)],
    };
    Some(hints)
}

/// The hints of the list and the filter box.
fn list_hints(app: &App) -> &'static [(&'static str, u8)] {
    if app.filtering {
        return &[
            ("type to filter", 3),
            ("↑↓: move", 2),
            ("Tab: keys act on the list", 0),
            ("Enter: shell", 1),
            ("Esc: clear", 0),
        ];
    }
    if app.handout.is_some() {
        return &[("Esc cancel", 0), ("↑↓ move", 2), ("? help", 0), ("q quit", 1)];
    }
    if !app.filter.text.is_empty() {
        return &[
            ("Enter shell", 1),
            ("e env", 2),
            ("c copy", 4),
            ("r refresh", 3),
            ("d forget", 4),
            ("Space mark", 3),
            ("x run", 3),
            ("/ edit filter", 2),
            ("Esc clear filter", 0),
            ("? help", 0),
            ("q quit", 1),
        ];
    }
    &[
        ("Enter shell", 1),
        ("/ filter", 1),
        ("r refresh", 3),
        ("R all", 4),
        ("e env", 2),
        ("c copy", 4),
        ("d forget", 4),
        ("Space mark", 3),
        ("x run", 3),
        ("? help", 0),
        ("q quit", 0),
    ]
}

/// The hints that fit in `width` columns.
fn footer_line(app: &App, width: u16) -> String {
    fit::by_rank(&hints(app), "  ", usize::from(width)).join("  ")
}
