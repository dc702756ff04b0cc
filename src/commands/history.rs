//! `hats history`: the local record of hand-outs, as a table or JSON.
//!
//! Reads `history.jsonl` in the data directory only; the file never holds a secret.

use crate::context::Context;
use crate::domain::SessionDuration;
use crate::error::Error;
use crate::history::{Record, read, since};
use std::io::Write;

/// Prints hand-outs, oldest first, optionally only those within `age` or of
/// one run. The table folds each run into one row; `--run ID` unfolds it.
pub fn history(
    ctx: &Context,
    as_json: bool,
    age: Option<SessionDuration>,
    run: Option<&str>,
) -> Result<(), Error> {
    let mut records = read(&ctx.paths.data_dir).map_err(Error::doing("read the hand-out history"))?;
    let recorded = records.len();
    if let Some(age) = age {
        records = since(records, ctx.clock.now(), i64::from(age.as_secs()));
    }
    if let Some(run) = run {
        records.retain(|r| r.run.as_deref() == Some(run));
        if records.is_empty() {
            return Err(Error::Usage(format!(
                "no hand-outs of run \"{run}\" are recorded; `hats history` shows each run's id"
            )));
        }
    }
    let text = if as_json {
        let mut text = serde_json::to_string_pretty(&records).expect("plain data serializes");
        text.push('\n');
        text
    } else {
        let rows = if run.is_some() {
            records.iter().map(Row::One).collect()
        } else {
            fold_runs(&records)
        };
        let mut text = table(&rows);
        if records.is_empty() {
            text.push_str(&empty_note(recorded, age));
        }
        text
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    Ok(())
}

/// A table row: one hand-out, or every hand-out of one run.
enum Row<'r> {
    One(&'r Record),
    Run(Vec<&'r Record>),
}

/// Each run's records as one row, where its first record was.
fn fold_runs(records: &[Record]) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for record in records {
        match record.run.as_deref() {
            Some(id) => match at.get(id) {
                Some(&i) => {
                    if let Row::Run(members) = &mut rows[i] {
                        members.push(record);
                    }
                }
                None => {
                    at.insert(id, rows.len());
                    rows.push(Row::Run(vec![record]));
                }
            },
            None => rows.push(Row::One(record)),
        }
    }
    rows
}

fn cells_of(row: &Row<'_>) -> [String; 8] {
    let time = |r: &Record| r.time.strftime("%Y-%m-%d %H:%M:%S").to_string();
    match row {
        Row::One(r) => cells(r),
        Row::Run(members) => {
            let first = members[0];
            let mut targets: Vec<&str> = members.iter().map(|r| r.target.as_str()).collect();
            targets.sort_unstable();
            targets.dedup();
            let id = first.run.as_deref().unwrap_or_default();
            [
                time(first),
                "run".into(),
                format!(
                    "{} targets, {} commands: hats history --run {id}",
                    targets.len(),
                    members.len()
                ),
                "-".into(),
                first.session_name.clone().unwrap_or_else(|| "-".into()),
                first.source_identity.clone().unwrap_or_else(|| "-".into()),
                "-".into(),
                "-".into(),
            ]
        }
    }
}

fn cells(r: &Record) -> [String; 8] {
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
}

fn table(rows: &[Row<'_>]) -> String {
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
    let cells: Vec<[String; 8]> = rows.iter().map(cells_of).collect();
    crate::output::aligned(header, &cells)
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
