//! Fuzzy filtering with nucleo: scores every row against the typed pattern and
//! keeps the matched character positions of the name for highlighting.
//!
//! A keystroke must stay well under a frame with 15,000 rows, so each row's
//! searchable text is built once per set of rows, and typing more characters
//! only re-scores the rows that matched before.

use super::state::Entry;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// One visible row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index into the entries.
    pub index: usize,
    /// Character positions in the name that matched.
    pub name_hits: Vec<u32>,
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
            self.matches = order
                .into_iter()
                .map(|index| Match {
                    index,
                    name_hits: Vec::new(),
                })
                .collect();
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
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(&self.text, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, Match)> = candidates
            .into_iter()
            .filter_map(|index| {
                let score = pattern.score(self.haystacks[index].slice(..), &mut matcher)?;
                let mut name_hits = Vec::new();
                let name = &entries[index].name;
                pattern.indices(Utf32Str::new(name, &mut buf), &mut matcher, &mut name_hits);
                name_hits.sort_unstable();
                name_hits.dedup();
                Some((score, Match { index, name_hits }))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.index.cmp(&b.1.index)));
        self.matches = scored.into_iter().map(|(_, m)| m).collect();
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

/// Everything a filter may match: name, account alias and id, role, tags.
fn haystack(entry: &Entry) -> String {
    let mut text = format!("{} {} {}", entry.name, entry.account, entry.role);
    for extra in [&entry.account_name, &entry.ou].into_iter().flatten() {
        text.push(' ');
        text.push_str(extra);
    }
    for tag in &entry.tags {
        text.push(' ');
        text.push_str(tag);
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
        entries[0].chain = String::new();
        filter.rows_changed();
        filter.apply(&entries);
        assert!(!names(&filter, &entries).contains(&"renamed".to_owned()));
    }
}
