//! Fuzzy filtering with nucleo: scores every row against the typed pattern;
//! the view asks a [`Highlighter`] which characters of a name matched.
//!
//! A keystroke must stay well under a frame with 15,000 rows, so each row's
//! searchable text is built once per set of rows, typing more characters only
//! re-scores the rows that matched before, and match positions are found only
//! for the rows on screen.

use super::state::Entry;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// From how many rows scoring is spread over threads.
const PARALLEL_FROM: usize = 4000;

/// One visible row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Index into the entries.
    pub index: usize,
}

/// The filter text and its current matches, best first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// What the user typed.
    pub text: String,
    /// Rows that match, best first (all rows, in order, when the text is empty).
    pub matches: Vec<Match>,
    /// The text `matches` were computed for.
    matched_text: String,
    /// Each row's searchable text, in row order; empty until first needed.
    haystacks: Vec<Utf32String>,
}

impl Filter {
    /// Recomputes the matches for the current text.
    pub fn apply(&mut self, entries: &[Entry]) {
        let narrowing = self.narrows() && self.haystacks.len() == entries.len();
        self.matched_text.clone_from(&self.text);
        if self.text.is_empty() {
            // Favourites first, then recently used targets, then grouped by account.
            let mut order: Vec<usize> = (0..entries.len()).collect();
            order.sort_by(|&a, &b| {
                let key = |i: usize| {
                    let e = &entries[i];
                    (!e.favourite, e.recent.unwrap_or(usize::MAX), &e.account)
                };
                key(a).cmp(&key(b)).then(a.cmp(&b))
            });
            self.matches = order.into_iter().map(|index| Match { index }).collect();
            return;
        }
        if self.haystacks.len() != entries.len() {
            self.haystacks = entries.iter().map(|e| Utf32String::from(haystack(e))).collect();
        }
        let candidates: Vec<usize> = if narrowing {
            self.matches.iter().map(|m| m.index).collect()
        } else {
            (0..entries.len()).collect()
        };
        let pattern = Pattern::parse(&self.text, CaseMatching::Smart, Normalization::Smart);
        let haystacks = &self.haystacks;
        let score_all = |chunk: &[usize]| {
            let mut matcher = Matcher::new(Config::DEFAULT);
            chunk
                .iter()
                .filter_map(|&index| Some((pattern.score(haystacks[index].slice(..), &mut matcher)?, index)))
                .collect::<Vec<(u32, usize)>>()
        };
        // Large lists are scored on every core: a keystroke must not wait a frame.
        let threads = std::thread::available_parallelism().map_or(1, usize::from).min(8);
        let mut scored: Vec<(u32, usize)> = if candidates.len() < PARALLEL_FROM || threads < 2 {
            score_all(&candidates)
        } else {
            let chunk = candidates.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = candidates
                    .chunks(chunk)
                    .map(|part| scope.spawn(|| score_all(part)))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect()
            })
        };
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.matches = scored.into_iter().map(|(_, index)| Match { index }).collect();
    }

    /// Finds match positions in names for the current text; `None` when it is empty.
    pub fn highlighter(&self) -> Option<Highlighter> {
        (!self.text.is_empty()).then(|| Highlighter {
            matcher: Matcher::new(Config::DEFAULT),
            pattern: Pattern::parse(&self.text, CaseMatching::Smart, Normalization::Smart),
            buf: Vec::new(),
        })
    }

    /// Forgets the searchable text of the rows: call when the rows are replaced.
    pub fn rows_changed(&mut self) {
        self.haystacks.clear();
    }

    /// Whether every row matching the text also matched the previous text, so
    /// only previous matches need scoring: the text only grew, and has no `!`
    /// (a longer negated term excludes less).
    fn narrows(&self) -> bool {
        !self.matched_text.is_empty() && self.text.starts_with(&self.matched_text) && !self.text.contains('!')
    }
}

/// Match positions for the rows being drawn (one matcher per frame).
pub struct Highlighter {
    matcher: Matcher,
    pattern: Pattern,
    buf: Vec<char>,
}

impl Highlighter {
    /// The character positions of `name` that the filter text matched, sorted.
    pub fn name_hits(&mut self, name: &str) -> Vec<u32> {
        let mut hits = Vec::new();
        self.pattern
            .indices(Utf32Str::new(name, &mut self.buf), &mut self.matcher, &mut hits);
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

/// Everything a filter may match: name, account alias and id, role, tags.
fn haystack(entry: &Entry) -> String {
    let mut text = entry.name.clone();
    // Organization targets already carry account and role in their name.
    let extras = [
        Some(&entry.account),
        Some(&entry.role),
        entry.account_name.as_ref(),
        entry.ou.as_ref(),
    ];
    for extra in extras.into_iter().flatten().chain(entry.tags.iter()) {
        if !entry.name.contains(extra.as_str()) {
            text.push(' ');
            text.push_str(extra);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(filter: &Filter, entries: &[Entry]) -> Vec<String> {
        filter
            .matches
            .iter()
            .map(|m| entries[m.index].name.clone())
            .collect()
    }

    #[test]
    fn typing_on_narrows_to_what_a_fresh_search_finds() {
        let entries = super::super::fixture::app().entries;
        for (first, then) in [("a", "ad"), ("s", "st"), ("d", "d !pro"), ("!s", "!st")] {
            let mut typed = Filter {
                text: first.into(),
                ..Filter::default()
            };
            typed.apply(&entries);
            typed.text = then.into();
            typed.apply(&entries);
            let mut fresh = Filter {
                text: then.into(),
                ..Filter::default()
            };
            fresh.apply(&entries);
            assert_eq!(
                names(&typed, &entries),
                names(&fresh, &entries),
                "{first} -> {then}"
            );
            assert_eq!(typed.matches, fresh.matches);
        }
    }

    #[test]
    fn replaced_rows_are_searched_afresh() {
        let mut entries = super::super::fixture::app().entries;
        let mut filter = Filter {
            text: "prod".into(),
            ..Filter::default()
        };
        filter.apply(&entries);
        entries[0].name = "renamed".into();
        entries[0].account_name = None;
        filter.rows_changed();
        filter.apply(&entries);
        assert!(!names(&filter, &entries).contains(&"renamed".to_owned()));
    }
}
