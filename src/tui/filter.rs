//! Fuzzy filtering with nucleo: scores every row against the typed pattern;
//! the view asks a [`Highlighter`] which characters of a name matched.
//!
//! Each word of the pattern must match within one field of a row (its name,
//! account id or alias, role, OU path, or one tag), and a row scores the sum
//! of its words' best fields. So `team12` does not match `team-7` merely
//! because its account id has a 1 and a 2, and short fields are cheap to score.
//!
//! A keystroke must stay well under a frame with 15,000 rows, so each row's
//! searchable text is built once per set of rows, typing more characters only
//! re-scores the rows that matched before, and match positions are found only
//! for the rows on screen.

use super::state::Entry;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::collections::HashMap;

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
    /// Every row's searchable fields; empty until first needed.
    haystacks: Haystacks,
}

/// The searchable fields of all rows. Each distinct field text is stored
/// once, back to back in one string, and scored once per keystroke: the three
/// roles of an account share its id, OU and tags, and thousands of accounts
/// share a tag like `env=production`.
#[derive(Debug, Clone, Default)]
struct Haystacks {
    /// Every distinct field, back to back.
    text: String,
    /// Where each distinct field ends in `text`, in bytes.
    field_ends: Vec<usize>,
    /// Each row's fields, as indexes into `field_ends`, row after row.
    row_fields: Vec<u32>,
    /// Where each row's fields end in `row_fields`.
    row_ends: Vec<usize>,
    /// `text` is all ASCII (checked once, not per field and keystroke).
    ascii: bool,
}

impl Haystacks {
    fn of(entries: &[Entry]) -> Self {
        let mut all = Self::default();
        all.row_ends.reserve_exact(entries.len());
        let mut ids: HashMap<&str, u32> = HashMap::new();
        // The previous row's fields: the next row is most often the same account's next role.
        let mut previous: Vec<(&str, u32)> = Vec::new();
        let mut current: Vec<(&str, u32)> = Vec::new();
        for entry in entries {
            let (name, extras) = fields(entry);
            // Names are distinct: no look-up.
            let id = all.push(name);
            all.row_fields.push(id);
            for field in extras {
                let id = match previous.iter().find(|(text, _)| *text == field) {
                    Some(&(_, id)) => id,
                    None => *ids.entry(field).or_insert_with(|| all.push(field)),
                };
                current.push((field, id));
                all.row_fields.push(id);
            }
            all.row_ends.push(all.row_fields.len());
            std::mem::swap(&mut previous, &mut current);
            current.clear();
        }
        all.ascii = all.text.is_ascii();
        all
    }

    /// Adds a distinct field; returns its index.
    fn push(&mut self, field: &str) -> u32 {
        self.text.push_str(field);
        self.field_ends.push(self.text.len());
        u32::try_from(self.field_ends.len() - 1).unwrap_or(u32::MAX)
    }

    fn len(&self) -> usize {
        self.row_ends.len()
    }

    /// Row `row`'s score for the scorer's pattern: every word matches some
    /// field (and no negated word matches any), summing each word's best field.
    fn score(&self, row: usize, scorer: &mut Scorer<'_>) -> Option<u32> {
        let first = row.checked_sub(1).map_or(0, |r| self.row_ends[r]);
        let fields = &self.row_fields[first..self.row_ends[row]];
        let mut total = 0;
        for atom in 0..scorer.pattern.atoms.len() {
            total += u32::from(self.best(fields, atom, scorer)?);
        }
        Some(total)
    }

    /// Word `atom`'s best score over `fields`; for a negated word, `Some(0)`
    /// when no field matches.
    fn best(&self, fields: &[u32], atom: usize, scorer: &mut Scorer<'_>) -> Option<u16> {
        let negative = scorer.pattern.atoms[atom].negative;
        let mut best = None;
        for &field in fields {
            match self.field_score(field as usize, atom, scorer) {
                // A negated word that matches a field rules the row out.
                None if negative => return None,
                score => best = best.max(score),
            }
        }
        best
    }

    /// Word `atom`'s score in one distinct field, remembered for the keystroke.
    fn field_score(&self, field: usize, atom: usize, scorer: &mut Scorer<'_>) -> Option<u16> {
        let known = &mut scorer.known[atom][field];
        if *known == UNSCORED {
            let start = field.checked_sub(1).map_or(0, |f| self.field_ends[f]);
            let text = &self.text[start..self.field_ends[field]];
            // ASCII text is matched in place; other text is decoded into `chars`.
            let haystack = if self.ascii {
                Utf32Str::Ascii(text.as_bytes())
            } else {
                Utf32Str::new(text, &mut scorer.chars)
            };
            *known = scorer.pattern.atoms[atom]
                .score(haystack, &mut scorer.matcher)
                .map_or(NO_MATCH, u32::from);
        }
        u16::try_from(*known).ok()
    }
}

/// Not scored yet this keystroke (scores are `u16`, so these never clash).
const UNSCORED: u32 = u32::MAX;
/// Scored, and the word does not match.
const NO_MATCH: u32 = u32::MAX - 1;

/// One thread's scoring of one pattern: its matcher and the field scores it has found.
struct Scorer<'p> {
    pattern: &'p Pattern,
    matcher: Matcher,
    chars: Vec<char>,
    /// Per word, per distinct field: its score, `NO_MATCH` or `UNSCORED`.
    known: Vec<Vec<u32>>,
}

impl<'p> Scorer<'p> {
    fn new(pattern: &'p Pattern, fields: usize) -> Self {
        Self {
            pattern,
            matcher: Matcher::new(Config::DEFAULT),
            chars: Vec::new(),
            known: vec![vec![UNSCORED; fields]; pattern.atoms.len()],
        }
    }
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
        self.prepare(entries);
        let candidates: Vec<usize> = if narrowing {
            self.matches.iter().map(|m| m.index).collect()
        } else {
            (0..entries.len()).collect()
        };
        let pattern = Pattern::parse(&self.text, CaseMatching::Smart, Normalization::Smart);
        let haystacks = &self.haystacks;
        let score_all = |chunk: &[usize]| {
            let mut scorer = Scorer::new(&pattern, haystacks.field_ends.len());
            chunk
                .iter()
                .filter_map(|&index| Some((haystacks.score(index, &mut scorer)?, index)))
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

    /// Builds the rows' searchable text if it is not built yet. The runner calls
    /// this once the first frame is out, so the first keystroke does not pay for it.
    pub fn prepare(&mut self, entries: &[Entry]) {
        if self.haystacks.len() != entries.len() {
            self.haystacks = Haystacks::of(entries);
        }
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
        self.haystacks = Haystacks::default();
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

/// Every field a filter may match: the name, then account id and alias, role, OU path, tags.
fn fields(entry: &Entry) -> (&str, impl Iterator<Item = &str>) {
    let extras = [
        Some(entry.account_text()),
        Some(&*entry.role),
        entry.account_name.as_deref(),
        entry.ou.as_deref(),
    ];
    // An organization target is named `ACCOUNT/ROLE`: the account alias needs
    // no field of its own (scoring thousands of them costs a fifth more). The
    // role keeps its field, so `^Admin` finds it; shared by every account, it
    // is scored once.
    let account = entry
        .name
        .split_once('/')
        .map_or(entry.name.as_str(), |(account, _)| account);
    let extras = extras
        .into_iter()
        .flatten()
        .chain(entry.tags.iter().map(String::as_str));
    (&entry.name, extras.filter(move |e| *e != account))
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

    fn matching(text: &str) -> Vec<String> {
        let entries = super::super::fixture::app().entries;
        let mut filter = Filter {
            text: text.into(),
            ..Filter::default()
        };
        filter.apply(&entries);
        names(&filter, &entries)
    }

    #[test]
    fn each_word_matches_within_one_field() {
        // Name and account id are separate fields: one word cannot span them, two words can.
        assert!(matching("staging3").is_empty());
        assert_eq!(matching("staging 3"), ["staging-dev"]);
        assert_eq!(matching("adm 2222"), ["prod-admin"]);
        // Anchors apply to each field, so `^` finds an account id's start.
        assert_eq!(matching("^444"), ["data/Analyst"]);
        assert_eq!(
            matching("^read"),
            ["sandbox/ReadOnly"],
            "a role named in the target's name too"
        );
        // A negated word rules a row out when any field matches it, here a tag.
        assert_eq!(
            matching("!core"),
            ["prod-admin", "staging-dev", "sandbox/ReadOnly", "audit-via-prod"]
        );
        assert_eq!(matching("core"), ["data/Analyst"]);
    }

    #[test]
    fn fields_that_are_not_ascii_are_matched_by_character() {
        let mut entries = super::super::fixture::app().entries;
        entries[2].account_name = Some("équipe-données".into());
        let mut filter = Filter {
            text: "equipe donn".into(),
            ..Filter::default()
        };
        filter.apply(&entries);
        assert_eq!(names(&filter, &entries), ["data/Analyst"]);
        filter.text = "^données".into();
        filter.apply(&entries);
        assert!(filter.matches.is_empty(), "anchored to the field's start");
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
