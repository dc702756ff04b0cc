//! The production guard of `hats run`: when the selection holds production
//! targets, a person at the terminal lists them and types their count; without
//! a terminal the run is refused unless `--yes` says so up front.

use crate::error::Error;
use crate::fanout::Job;
use std::io::{BufRead, BufReader, Write};

/// Production targets listed before the count is asked; the rest are counted.
const LISTED: usize = 20;

/// Confirms running on the production targets among `jobs` (Ok when there are none).
pub fn confirm(jobs: &[Job<'_>], yes: bool) -> Result<(), Error> {
    let mut production: Vec<&str> = jobs
        .iter()
        .filter(|j| j.production)
        .map(|j| j.target.name.as_str())
        .collect();
    production.dedup();
    if production.is_empty() || yes {
        return Ok(());
    }
    let count = production.len();
    let Ok((input, mut output)) = crate::session::prompt::open_terminal() else {
        return Err(Error::NotConfirmed(format!(
            "the selection holds {count} production target{} ({}); there is no terminal to confirm on, \
             so nothing ran: pass --yes to run on them",
            plural(count),
            names(&production, 3)
        )));
    };
    let question = question(&production);
    output
        .write_all(question.as_bytes())
        .map_err(Error::doing("ask on the terminal"))?;
    output.flush().map_err(Error::doing("ask on the terminal"))?;
    let mut answer = String::new();
    BufReader::new(input)
        .read_line(&mut answer)
        .map_err(Error::doing("read the answer from the terminal"))?;
    if answer.trim() == count.to_string() {
        return Ok(());
    }
    Err(Error::NotConfirmed(format!(
        "not confirmed (typed \"{}\", not {count}); nothing ran",
        crate::domain::clean_text(answer.trim())
    )))
}

/// The list and the question, for the terminal.
fn question(production: &[&str]) -> String {
    let count = production.len();
    let mut text = format!(
        "hats: the selection holds {count} production target{}:\n",
        plural(count)
    );
    for name in production.iter().take(LISTED) {
        text.push_str("  ");
        text.push_str(&crate::domain::clean_text(name));
        text.push('\n');
    }
    if count > LISTED {
        text.push_str(&format!("  … and {} more\n", count - LISTED));
    }
    text.push_str(&format!(
        "type {count} to run on {count} production target{}: ",
        plural(count)
    ));
    text
}

fn names(production: &[&str], shown: usize) -> String {
    let mut listed: Vec<String> = production
        .iter()
        .take(shown)
        .map(|n| format!("\"{}\"", crate::domain::clean_text(n)))
        .collect();
    if production.len() > shown {
        listed.push(format!("{} more", production.len() - shown));
    }
    listed.join(", ")
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_lists_names_and_asks_for_the_count() {
        let many: Vec<String> = (0..25).map(|i| format!("prod-{i:02}/Admin")).collect();
        let names_: Vec<&str> = many.iter().map(String::as_str).collect();
        let text = question(&names_);
        assert!(text.starts_with("hats: the selection holds 25 production targets:\n  prod-00/Admin\n"));
        assert!(text.contains("  prod-19/Admin\n  … and 5 more\n"), "{text}");
        assert!(!text.contains("prod-20/Admin"));
        assert!(text.ends_with("type 25 to run on 25 production targets: "));
        assert_eq!(names(&names_[..2], 3), "\"prod-00/Admin\", \"prod-01/Admin\"");
        assert_eq!(names(&names_, 1), "\"prod-00/Admin\", 24 more");
    }
}
