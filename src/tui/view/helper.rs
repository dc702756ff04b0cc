//! The helper-command panel over the list: what a command hats runs for a
//! value writes on stderr (see `update::helper`). Pure.

use super::Theme;
use crate::tui::state::{App, HelperOutput};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// Draws the panel when a command runs (or failed) and no modal is open.
pub fn draw(frame: &mut Frame<'_>, app: &App, now: Timestamp, theme: Theme) {
    let Some(helper) = &app.helper else {
        return;
    };
    let area = frame.area();
    let width = 84.min(area.width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let (lines, rows) = lines(helper, now, theme, inner);
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height);
    let [row] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(row);
    let title = if helper.failed {
        " helper command failed "
    } else {
        " helper command "
    };
    frame.render_widget(Clear, cell);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        cell,
    );
}

/// The panel's lines and how many rows they take `inner` columns wide.
fn lines(helper: &HelperOutput, now: Timestamp, theme: Theme, inner: usize) -> (Vec<Line<'static>>, usize) {
    let rows = |text: &str| text.chars().count().div_ceil(inner).max(1);
    let head = if helper.failed {
        format!("{} failed; it wrote:", helper.label)
    } else {
        let frame_no = usize::try_from(now.subsec_millisecond() / 250).unwrap_or(0) % SPINNER.len();
        format!("{} running {}…", SPINNER[frame_no], helper.label)
    };
    let mut count = rows(&head);
    let mut lines = vec![if helper.failed {
        Line::styled(head, theme.error())
    } else {
        Line::raw(head)
    }];
    for line in &helper.lines {
        count += rows(line);
        lines.push(Line::styled(line.clone(), theme.dim()));
    }
    if helper.failed {
        lines.push(Line::raw("any key: close"));
        count += 1;
    }
    (lines, count)
}
