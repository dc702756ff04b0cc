//! Fuzzy filtering with nucleo: scores every row against the typed pattern and
//! keeps the matched character positions of the name for highlighting.

use super::state::Entry;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

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
}

impl Filter {
    /// Recomputes the matches for the current text.
    pub fn apply(&mut self, entries: &[Entry]) {
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
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(&self.text, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, Match)> = entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| {
                let haystack = haystack(entry);
                let score = pattern.score(Utf32Str::new(&haystack, &mut buf), &mut matcher)?;
                let mut name_hits = Vec::new();
                pattern.indices(Utf32Str::new(&entry.name, &mut buf), &mut matcher, &mut name_hits);
                name_hits.sort_unstable();
                name_hits.dedup();
                Some((score, Match { index, name_hits }))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.index.cmp(&b.1.index)));
        self.matches = scored.into_iter().map(|(_, m)| m).collect();
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
