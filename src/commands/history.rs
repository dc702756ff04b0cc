//! `hats history`: the local record of hand-outs, as a table or JSON.
//!
//! Reads `history.jsonl` in the data directory only; the file never holds a secret.

use crate::context::Context;
use crate::domain::SessionDuration;
use crate::error::Error;
use crate::history::{Record, read, since};
use std::fmt::Write as _;
use std::io::Write;

/// Prints hand-outs, oldest first, optionally only those within `age`.
pub fn history(ctx: &Context, as_json: bool, age: Option<SessionDuration>) -> Result<(), Error> {
    let mut records = read(&ctx.paths.data_dir)?;
    let recorded = records.len();
    if let Some(age) = age {
        records = since(records, ctx.clock.now(), i64::from(age.as_secs()));
    }
    let text = if as_json {
        let mut text = serde_json::to_string_pretty(&records).expect("plain data serializes");
        text.push('\n');
        text
    } else {
        let mut text = table(&records);
        if records.is_empty() {
            text.push_str(&empty_note(recorded, age));
        }
        text
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn table(records: &[Record]) -> String {
    let header = [
        "TIME (UTC)",
        "HOW",
        "TARGET",
        "ROLE",
        "SESSION",
        "IDENTITY",
        "SCOPE",
        "EXPIRES",
    ];
    let cells: Vec<[String; 8]> = records
        .iter()
        .map(|r| {
            let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            let scope = match (&r.preset, r.scoped) {
                (Some(p), _) => p.clone(),
                (None, true) => "policy".into(),
                (None, false) => "-".into(),
            };
            [
                r.time.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                r.how.as_str().to_owned(),
                r.target.clone(),
                dash(&r.role_arn),
                dash(&r.session_name),
                dash(&r.source_identity),
                scope,
                r.expires.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header.map(str::to_owned)).chain(cells) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Why the table is empty: nothing recorded at all, or nothing in the window asked for.
fn empty_note(recorded: usize, age: Option<SessionDuration>) -> String {
    match age {
        Some(age) if recorded > 0 => {
            format!("(no hand-outs in the last {age}; {recorded} older recorded: drop --since to see them)\n")
        }
        _ => "(no hand-outs recorded yet)\n".to_owned(),
    }
}
