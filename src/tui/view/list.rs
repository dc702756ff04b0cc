//! The target list: one row per target with a live countdown; scrolls with the selection.

use super::{Theme, countdown, fit, list_offset};
use crate::tui::filter::Highlighter;
use crate::tui::state::{App, Entry};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState,
    Wrap,
};
use std::sync::Arc;

/// Columns of the list besides name, account and role: the marker (one
/// more column while rows are marked or a run is shown), the region (from
/// 100 columns), a run's status and the countdown.
const MARKER: u16 = 2;
const REGION: u16 = 15;
const SESSION: u16 = 8;
const RUN: u16 = 20;

/// One row's texts before they are cut to their columns.
struct Texts {
    name: Line<'static>,
    /// `[preset]` and `⟳ served`, kept whole when the name is cut.
    suffix: Vec<Span<'static>>,
    account: String,
    account_id: usize,
    role: Arc<str>,
}

/// Draws the list into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, now: Timestamp, theme: Theme) {
    let wide = area.width >= 60;
    let with_region = area.width >= 100;
    let block = Block::new()
        .borders(Borders::TOP | Borders::RIGHT)
        .title(title(app));
    if app.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(crate::inventory::NO_TARGETS_HINT)
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    // Only the rows on screen are built: lists run to thousands of targets.
    let visible = usize::from(area.height.saturating_sub(1));
    let offset = list_offset(app.selected, visible);
    let on_screen: Vec<usize> = app
        .filter
        .matches
        .iter()
        .skip(offset)
        .take(visible)
        .map(|m| m.index)
        .collect();
    let mut highlighter = app.filter.highlighter();
    let texts: Vec<Texts> = on_screen
        .iter()
        .map(|&i| {
            let e = &app.entries[i];
            texts(
                e,
                app.consoles_opened.contains(&e.name),
                highlighter.as_mut(),
                theme,
            )
        })
        .collect();
    let extra = Extra {
        marks: !app.marked.is_empty() || app.run.is_some(),
        run: app.run.is_some(),
    };
    let widths = column_widths(area.width, wide, with_region, extra, &texts);
    let columns = Columns {
        widths: &widths,
        wide,
        with_region,
    };
    let rows = on_screen.iter().zip(texts).map(|(&i, t)| {
        let e = &app.entries[i];
        let mut row = row(e, t, &columns, extra, now, theme);
        if extra.marks {
            row.marked = Some(app.marked.contains(&e.name));
        }
        if extra.run {
            row.run = Some(super::run::status_cell(app, &e.name, theme));
        }
        finish(e, row, theme)
    });
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .block(block)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let selected = (!app.filter.matches.is_empty()).then(|| app.selected.saturating_sub(offset));
    let mut state = TableState::new().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
    if app.filter.matches.len() > visible {
        let mut bar = ScrollbarState::new(app.filter.matches.len()).position(app.selected);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            area,
            &mut bar,
        );
    }
}

/// The list's title: the filter being typed, else the count of targets.
fn title(app: &App) -> String {
    if app.filtering || !app.filter.text.is_empty() {
        format!(" /{}{} ", app.filter.text, if app.filtering { "▏" } else { "" })
    } else if app.skipped > 0 {
        format!(
            " targets ({}; {} skipped, see hats ls) ",
            app.entries.len(),
            app.skipped
        )
    } else {
        format!(" targets ({}) ", app.entries.len())
    }
}

/// Which columns the list shows, and how wide each is.
struct Columns<'a> {
    widths: &'a [u16],
    wide: bool,
    with_region: bool,
}

/// The columns shown only while rows are marked or a run is shown.
#[derive(Debug, Clone, Copy)]
struct Extra {
    /// The marker has a third column: `●` on marked rows.
    marks: bool,
    /// A run's status column before the countdown.
    run: bool,
}

/// A row's cells before the marks and the run's status are known.
struct Cells {
    cells: Vec<Cell<'static>>,
    marked: Option<bool>,
    run: Option<Span<'static>>,
}

/// One target's row: marker, name, (account, role, region,) session.
fn row(e: &Entry, t: Texts, columns: &Columns<'_>, extra: Extra, now: Timestamp, theme: Theme) -> Cells {
    let widths = columns.widths;
    let mut cells = vec![Cell::from(""), Cell::from(name_cell(t.name, t.suffix, widths[1]))];
    if columns.wide {
        cells.push(Cell::from(account_cell(&t.account, t.account_id, widths[2])));
        cells.push(Cell::from(fit::ellipsize(&t.role, usize::from(widths[3]))));
        if columns.with_region {
            let region = e
                .region_choice
                .as_deref()
                .or(e.region.as_deref())
                .unwrap_or_default();
            cells.push(Cell::from(fit::ellipsize(region, usize::from(REGION))));
        }
    }
    if extra.run {
        cells.push(Cell::from(""));
    }
    cells.push(Cell::from(session(e, now, theme)));
    Cells {
        cells,
        marked: None,
        run: None,
    }
}

/// The row with its marker and run status in place, production rows coloured.
fn finish(e: &Entry, mut cells: Cells, theme: Theme) -> Row<'static> {
    let mut marker = marker(e, theme);
    if let Some(marked) = cells.marked {
        marker.spans.push(Span::raw(if marked { "●" } else { " " }));
    }
    cells.cells[0] = Cell::from(marker);
    if let Some(run) = cells.run {
        let at = cells.cells.len() - 2;
        cells.cells[at] = Cell::from(run);
    }
    let row = Row::new(cells.cells);
    if e.production {
        row.style(theme.production())
    } else {
        row
    }
}

/// A row's texts, with the filter's matches in the name highlighted.
fn texts(e: &Entry, console_opened: bool, highlighter: Option<&mut Highlighter>, theme: Theme) -> Texts {
    let hits = highlighter.map(|h| h.name_hits(&e.name)).unwrap_or_default();
    let mut suffix = Vec::new();
    if console_opened {
        suffix.push(Span::styled(" ◰ console", theme.dim()));
    }
    if let Some(preset) = &e.preset {
        suffix.push(Span::styled(format!(" [{preset}]"), theme.production()));
    }
    if !e.served.is_empty() {
        let count = if e.served.len() > 1 {
            format!(" ×{}", e.served.len())
        } else {
            String::new()
        };
        suffix.push(Span::styled(
            format!(" ⟳ served{count}"),
            theme.countdown(i64::MAX),
        ));
    }
    let account = e.account_text();
    let account = e
        .account_name
        .as_ref()
        .map_or_else(|| account.to_owned(), |n| format!("{n} {account}"));
    Texts {
        name: highlighted(&e.name, &hits),
        suffix,
        account_id: fit::width(e.account_text()),
        account,
        role: e.role.clone(),
    }
}

/// Widths of every column: name, account and role get what the rows on
/// screen need when it fits, else they share the room (3:3:2).
fn column_widths(width: u16, wide: bool, with_region: bool, extra: Extra, texts: &[Texts]) -> Vec<u16> {
    // The right border takes a column; one column between cells.
    let inner = usize::from(width.saturating_sub(1));
    let want = |f: &dyn Fn(&Texts) -> usize| texts.iter().map(f).max().unwrap_or(0);
    let name = want(&|t| t.name.width() + t.suffix.iter().map(Span::width).sum::<usize>());
    let to_u16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let marker = MARKER + u16::from(extra.marks);
    let run = if extra.run { RUN + 1 } else { 0 };
    if !wide {
        let room = inner.saturating_sub(usize::from(marker + SESSION + run) + 2);
        let mut widths = vec![marker, to_u16(room)];
        widths.extend(extra.run.then_some(RUN));
        widths.push(SESSION);
        return widths;
    }
    let fixed = marker + SESSION + run + if with_region { REGION + 1 } else { 0 };
    let room = inner.saturating_sub(usize::from(fixed) + 4);
    let wants = [
        name,
        want(&|t| fit::width(&t.account)),
        want(&|t| fit::width(&t.role)),
    ];
    let shared = fit::share(&wants, &[3, 3, 2], room);
    let mut widths = vec![marker];
    widths.extend(shared.into_iter().map(to_u16));
    if with_region {
        widths.push(REGION);
    }
    widths.extend(extra.run.then_some(RUN));
    widths.push(SESSION);
    widths
}

/// `!` production, `*` favourite, as the help's legend says.
fn marker(e: &Entry, theme: Theme) -> Line<'static> {
    Line::from(vec![
        if e.production {
            Span::styled("!", theme.production())
        } else {
            Span::raw(" ")
        },
        Span::raw(if e.favourite { "*" } else { " " }),
    ])
}

/// The name cut to `width` with `…`, keeping its suffix whole when the name
/// keeps eight columns or more.
fn name_cell(name: Line<'static>, suffix: Vec<Span<'static>>, width: u16) -> Line<'static> {
    let width = usize::from(width);
    let suffix_width: usize = suffix.iter().map(Span::width).sum();
    if name.width() + suffix_width <= width || width < suffix_width + 8 {
        let mut whole = name;
        whole.spans.extend(suffix);
        return fit::fit_line(whole, width);
    }
    let mut cut = fit::fit_line(name, width - suffix_width);
    cut.spans.extend(suffix);
    cut
}

/// `alias id`: when it is too wide the alias is cut first, so the account id
/// (the unambiguous part) stays readable.
fn account_cell(account: &str, id_width: usize, width: u16) -> String {
    let width = usize::from(width);
    let text_width = fit::width(account);
    if text_width <= width || text_width == id_width || width < id_width + 3 {
        return fit::ellipsize(account, width);
    }
    let alias = &account[..account.len() - id_width - 1];
    let id = &account[account.len() - id_width..];
    format!("{} {id}", fit::ellipsize(alias, width - id_width - 1))
}

/// The countdown of the row's session: a row scoped down with `p` counts down
/// its scoped session; a served one shows the newest of its own and its
/// served sessions.
fn session(e: &Entry, now: Timestamp, theme: Theme) -> Span<'static> {
    let expires = if e.preset.is_some() {
        e.scoped_expires
    } else {
        e.expires.max(e.served.iter().map(|s| s.expires).max())
    };
    match (e.refreshing, expires) {
        (Some(_), _) => Span::styled("…", theme.dim()),
        (None, Some(t)) => {
            let left = t.as_second() - now.as_second();
            Span::styled(countdown(left), theme.countdown(left))
        }
        (None, None) => Span::raw(""),
    }
}

/// The name with matched characters underlined and bold.
fn highlighted(name: &str, hits: &[u32]) -> Line<'static> {
    if hits.is_empty() {
        return Line::raw(name.to_owned());
    }
    let hit = Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let spans: Vec<Span<'static>> = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let matched = u32::try_from(i).is_ok_and(|i| hits.binary_search(&i).is_ok());
            if matched {
                Span::styled(c.to_string(), hit)
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}
