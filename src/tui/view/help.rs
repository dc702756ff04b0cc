//! The key help (`?`): one line per key, scrolled on a short terminal, cut
//! (never wrapped) on a narrow one. Under `hats use`, `Enter` and `e` say
//! what they do there.

use super::fit;
use crate::tui::state::App;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The help box's width, borders included: every help line fits inside.
pub(super) const HELP_WIDTH: u16 = 66;

/// The last first line the help can scroll to on a terminal `height` rows tall.
pub fn help_scroll_max(height: u16) -> usize {
    help_lines(false).len().saturating_sub(help_fits(height))
}

/// How many help lines fit: the box's borders, the header and the key hints stay.
fn help_fits(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

/// The help box from line `first`: title, lines and height.
pub(super) fn help_box(app: &App, first: usize, area: Rect) -> (&'static str, Vec<Line<'static>>, u16) {
    let all = help_lines(app.use_mode);
    let fits = help_fits(area.height);
    let first = first.min(all.len().saturating_sub(fits));
    let title = if all.len() > fits {
        "keys (↑↓ scroll)"
    } else {
        "keys"
    };
    // Cut, not wrapped, on a narrow terminal: a wrapped line would push the legend out.
    let inner = usize::from(HELP_WIDTH.min(area.width).saturating_sub(2));
    let lines: Vec<Line<'static>> = all
        .into_iter()
        .skip(first)
        .take(fits)
        .map(|line| fit::fit_line(line, inner))
        .collect();
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    (title, lines, height)
}

/// Every line of the help; `use_mode`: under `hats use`.
pub(super) fn help_lines(use_mode: bool) -> Vec<Line<'static>> {
    let (enter, e) = if use_mode {
        (
            "Enter       use the target in this shell (hats use), then quit",
            "e           the same as Enter under hats use",
        )
    } else {
        (
            "Enter       credentials + subshell (MFA/SSO sign-in if needed)",
            "e           quit and print exports: eval \"$(hats)\"",
        )
    };
    [
        enter,
        "/           filter as you type; Ctrl-W word, Ctrl-U line",
        "Tab         leave the filter box: keys act on the filtered list",
        "Esc         clear marks, a pending hand-out, the filter, or quit",
        "↑↓ j k      move        PgUp PgDn  page",
        "Home End g G  first / last",
        "r / R       refresh this session / all expiring within 15 min",
        e,
        "c           copy exports to the clipboard (OSC 52)",
        "o           open the AWS console signed in as the target",
        "w           pick the region for this switcher's hand-outs",
        "p           scope the selected target's sessions down (preset)",
        "d           forget the selected cached session",
        "f           pin / unpin a favourite (favourites, recent first)",
        "S           sync the organization's accounts now",
        "Space / *   mark this row / every row the filter shows",
        "x           run a command on the marked rows (or this row)",
        "Enter       on a row that ran: its output (Esc closes)",
        "m           show the whole status message",
        "?           this help",
        "q Ctrl-C    quit",
        "",
        "! production (asks for confirmation)   * favourite   ◰ console",
        "● marked (x runs on it)",
    ]
    .into_iter()
    .map(Line::raw)
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_help_line_fits_the_box_without_wrapping() {
        for use_mode in [false, true] {
            for line in super::help_lines(use_mode) {
                assert!(line.width() <= usize::from(super::HELP_WIDTH - 2), "{line}");
            }
        }
    }
}
