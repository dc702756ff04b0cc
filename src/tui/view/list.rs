//! The target list: one row per target with a live countdown; scrolls with the selection.

use super::{Theme, countdown, list_offset};
use crate::tui::state::App;
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState,
};

/// Draws the list into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, now: Timestamp, theme: Theme) {
    let wide = area.width >= 60;
    let with_region = area.width >= 100;
    let title = if app.filtering || !app.filter.text.is_empty() {
        format!(" /{}{} ", app.filter.text, if app.filtering { "▏" } else { "" })
    } else {
        format!(" targets ({}) ", app.entries.len())
    };
    // Only the rows on screen are built: lists run to thousands of targets.
    let visible = usize::from(area.height.saturating_sub(1));
    let offset = list_offset(app.selected, visible);
    let on_screen = app.filter.matches.iter().skip(offset).take(visible);
    let mut highlighter = app.filter.highlighter();
    let rows = on_screen.map(|m| {
        let e = &app.entries[m.index];
        let hits = highlighter
            .as_mut()
            .map(|h| h.name_hits(&e.name))
            .unwrap_or_default();
        let mut name = highlighted(&e.name, &hits);
        if let Some(preset) = &e.preset {
            name.push_span(Span::styled(format!(" [{preset}]"), theme.production()));
        }
        if !e.served.is_empty() {
            let count = if e.served.len() > 1 {
                format!(" ×{}", e.served.len())
            } else {
                String::new()
            };
            name.push_span(Span::styled(
                format!(" ⟳ served{count}"),
                theme.countdown(i64::MAX),
            ));
        }
        // A row scoped down with `p` counts down its scoped session; a served
        // one shows the newest of its own and its served sessions.
        let expires = if e.preset.is_some() {
            e.scoped_expires
        } else {
            e.expires.max(e.served.iter().map(|s| s.expires).max())
        };
        let session = match (e.refreshing, expires) {
            (Some(_), _) => Span::styled("…", theme.dim()),
            (None, Some(t)) => {
                let left = t.as_second() - now.as_second();
                Span::styled(countdown(left), theme.countdown(left))
            }
            (None, None) => Span::raw(""),
        };
        // `!` production, `*` favourite, as the help's legend says.
        let marker = Line::from(vec![
            if e.production {
                Span::styled("!", theme.production())
            } else {
                Span::raw(" ")
            },
            Span::raw(if e.favourite { "*" } else { " " }),
        ]);
        let mut cells = vec![Cell::from(marker), Cell::from(name)];
        if wide {
            let account = e
                .account_name
                .as_ref()
                .map_or_else(|| e.account.clone(), |n| format!("{n} {}", e.account));
            cells.push(Cell::from(account));
            cells.push(Cell::from(e.role.clone()));
            if with_region {
                let region = e
                    .region_choice
                    .as_ref()
                    .or(e.region.as_ref())
                    .map_or("", String::as_str);
                cells.push(Cell::from(region.to_owned()));
            }
        }
        cells.push(Cell::from(session));
        let row = Row::new(cells);
        if e.production {
            row.style(theme.production())
        } else {
            row
        }
    });
    let widths: Vec<Constraint> = if wide {
        let mut widths = vec![
            Constraint::Length(2),
            Constraint::Fill(3),
            Constraint::Fill(3),
            Constraint::Fill(2),
        ];
        if with_region {
            widths.push(Constraint::Length(15));
        }
        widths.push(Constraint::Length(8));
        widths
    } else {
        vec![Constraint::Length(2), Constraint::Fill(1), Constraint::Length(8)]
    };
    let table = Table::new(rows, widths)
        .block(Block::new().borders(Borders::TOP | Borders::RIGHT).title(title))
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
