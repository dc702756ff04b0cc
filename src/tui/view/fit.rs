//! Making text fit a width: cut with an ellipsis (`…`) so a cut is visible,
//! and keep the most important parts of a line when not everything fits.
//!
//! Widths are terminal columns (a wide character takes two), measured the way
//! ratatui draws them.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The ellipsis that marks a cut.
const ELLIPSIS: &str = "…";

/// Columns `text` takes on screen.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `text`, cut to `max` columns with a trailing `…` when it is longer.
pub fn ellipsize(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let line = fit_line(Line::raw(text), max);
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// `line`, cut to `max` columns with a trailing `…` when it is wider; styles kept.
pub fn fit_line(line: Line<'_>, max: usize) -> Line<'static> {
    if line.width() <= max {
        return owned(line);
    }
    if max == 0 {
        return Line::default();
    }
    let room = max - 1;
    let mut used = 0;
    let mut spans: Vec<Span<'static>> = Vec::new();
    for grapheme in line.styled_graphemes(Style::default()) {
        let w = width(grapheme.symbol);
        if used + w > room {
            break;
        }
        used += w;
        match spans.last_mut() {
            Some(last) if last.style == grapheme.style => last.content.to_mut().push_str(grapheme.symbol),
            _ => spans.push(Span::styled(grapheme.symbol.to_owned(), grapheme.style)),
        }
    }
    spans.push(Span::raw(ELLIPSIS));
    Line::from(spans).style(line.style)
}

fn owned(line: Line<'_>) -> Line<'static> {
    let spans: Vec<Span<'static>> = line
        .spans
        .into_iter()
        .map(|s| Span::styled(s.content.into_owned(), s.style))
        .collect();
    Line::from(spans).style(line.style)
}

/// Which of `items` to show in `max` columns, joined by `gap`: the items keep
/// their order, and those with the highest `rank` (0 = most important) are left
/// out first until the rest fits.
pub fn by_rank<'a>(items: &[(&'a str, u8)], gap: &str, max: usize) -> Vec<&'a str> {
    let mut shown: Vec<(&'a str, u8)> = items.to_vec();
    let total = |shown: &[(&str, u8)]| {
        shown.iter().map(|(t, _)| width(t)).sum::<usize>() + width(gap) * shown.len().saturating_sub(1)
    };
    while total(&shown) > max && shown.len() > 1 {
        let worst = shown
            .iter()
            .enumerate()
            .max_by_key(|(i, (_, rank))| (*rank, *i))
            .map_or(0, |(i, _)| i);
        shown.remove(worst);
    }
    shown.into_iter().map(|(t, _)| t).collect()
}

/// How many rows `text` takes wrapped at word boundaries into `max` columns
/// (a word longer than a row is split), as a wrapping paragraph draws it.
pub fn rows(text: &str, max: usize) -> usize {
    let max = max.max(1);
    let mut rows = 1;
    let mut used = 0;
    for word in text.split(' ') {
        let w = width(word);
        let gap = usize::from(used > 0);
        if used + gap + w <= max {
            used += gap + w;
            continue;
        }
        if used > 0 {
            rows += 1;
        }
        // A word wider than a row fills whole rows, and the rest starts the next.
        rows += w.saturating_sub(1) / max;
        used = w - w.saturating_sub(1) / max * max;
    }
    rows
}

/// Splits `available` columns among columns that want `wants` columns each:
/// every column gets what it wants when that fits; otherwise columns that want
/// less than their share (by `weights`) get it and the rest share what is
/// left by weight. Room to spare is shared by weight as well.
pub fn share(wants: &[usize], weights: &[usize], available: usize) -> Vec<usize> {
    let mut given = vec![0; wants.len()];
    let mut open: Vec<usize> = (0..wants.len()).collect();
    let mut left = available;
    while !open.is_empty() {
        let weight: usize = open.iter().map(|&i| weights[i].max(1)).sum();
        let fair = |i: usize| left * weights[i].max(1) / weight;
        let (content, starved): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| wants[i] <= fair(i));
        if content.is_empty() {
            for &i in &starved {
                given[i] = fair(i);
            }
            let rest = left - starved.iter().map(|&i| given[i]).sum::<usize>();
            given[starved[0]] += rest;
            return given;
        }
        for &i in &content {
            given[i] = wants[i];
            left -= wants[i];
        }
        open = starved;
    }
    // Room to spare is shared by weight too, so columns keep their proportions.
    let weight: usize = weights.iter().map(|w| (*w).max(1)).sum();
    let mut spread = 0;
    for (g, w) in given.iter_mut().zip(weights) {
        let extra = left * (*w).max(1) / weight.max(1);
        *g += extra;
        spread += extra;
    }
    if let Some(first) = given.first_mut() {
        *first += left - spread;
    }
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis_that_counts_in_the_width() {
        assert_eq!(ellipsize("platform-admin", 20), "platform-admin");
        assert_eq!(ellipsize("platform-admin", 14), "platform-admin");
        assert_eq!(ellipsize("platform-admin", 9), "platform…");
        assert_eq!(ellipsize("platform-admin", 1), "…");
        assert_eq!(ellipsize("platform-admin", 0), "");
        // A wide character takes two columns and is never split.
        assert_eq!(ellipsize("開発環境-admin", 6), "開発…");
        assert_eq!(width(&ellipsize("開発環境-admin", 6)), 5);
    }

    #[test]
    fn a_cut_line_keeps_its_styles() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![Span::styled("ab", bold), Span::raw("cdef")]);
        let cut = fit_line(line, 4);
        assert_eq!(cut.width(), 4);
        assert_eq!(cut.spans[0], Span::styled("ab", bold));
        assert_eq!(cut.spans[1], Span::raw("c"));
        assert_eq!(cut.spans[2], Span::raw("…"));
    }

    #[test]
    fn columns_get_what_they_want_or_share_by_weight() {
        // Room for all: what is left over is shared by weight.
        assert_eq!(share(&[10, 5, 5], &[3, 3, 2], 30), [15, 8, 7]);
        // A short column keeps its width; the long ones share the rest by weight.
        assert_eq!(share(&[80, 12, 40], &[3, 3, 2], 60), [29, 12, 19]);
        // Nothing fits: shared by weight, every column counted.
        assert_eq!(share(&[80, 80, 80], &[3, 3, 2], 40), [15, 15, 10]);
        assert_eq!(share(&[80, 80, 80], &[3, 3, 2], 40).iter().sum::<usize>(), 40);
        assert_eq!(share(&[5, 5], &[1, 1], 0), [0, 0]);
    }

    #[test]
    fn wrapped_rows_count_whole_words() {
        assert_eq!(rows("", 10), 1);
        assert_eq!(rows("short", 10), 1);
        assert_eq!(rows("two words", 9), 1);
        assert_eq!(rows("two words", 8), 2);
        // A word does not fit after "aaaa": it moves to the next row whole.
        assert_eq!(rows("aaaa bbbbbbbb", 10), 2);
        assert_eq!(rows("abcdefghijklmnopqrstuvwxy", 10), 3);
        assert_eq!(rows("a abcdefghijklmnopqrst", 10), 3);
    }

    #[test]
    fn items_ranked_least_important_are_left_out_first() {
        let items = [("Enter shell", 0), ("/ filter", 1), ("R all", 3), ("? help", 0)];
        assert_eq!(
            by_rank(&items, "  ", 80),
            ["Enter shell", "/ filter", "R all", "? help"]
        );
        assert_eq!(by_rank(&items, "  ", 30), ["Enter shell", "/ filter", "? help"]);
        assert_eq!(by_rank(&items, "  ", 19), ["Enter shell", "? help"]);
        assert_eq!(by_rank(&items, "  ", 3), ["Enter shell"]);
    }
}
