//! `history.jsonl`: appended one line at a time (0600 in a 0700 directory) and
//! rotated at a bounded size, keeping one older file (`history.jsonl.1`).

use super::record::{Record, parse_lines};
use crate::fs_private::create_dir;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

/// The file's name in the data directory.
pub const HISTORY_FILE: &str = "history.jsonl";
/// At this size the file is moved to `history.jsonl.1` (replacing the older one).
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Appends `record` to the history in `dir`, rotating first when the file is full.
pub fn append(dir: &Path, record: &Record) -> io::Result<()> {
    append_bounded(dir, record, MAX_BYTES)
}

fn append_bounded(dir: &Path, record: &Record, max_bytes: u64) -> io::Result<()> {
    create_dir(dir)?;
    let path = dir.join(HISTORY_FILE);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() >= max_bytes) {
        std::fs::rename(&path, dir.join(format!("{HISTORY_FILE}.1")))?;
    }
    let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
    line.push('\n');
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    // One write of the whole line: concurrent hats processes append whole lines.
    options.open(&path)?.write_all(line.as_bytes())
}

/// Every record in `dir`, oldest first (the rotated file, then the current one).
pub fn read(dir: &Path) -> io::Result<Vec<Record>> {
    let mut records = Vec::new();
    for name in [format!("{HISTORY_FILE}.1"), HISTORY_FILE.to_owned()] {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => records.extend(parse_lines(&text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Handout;

    fn record(target: &str) -> Record {
        Record {
            time: "2025-01-01T00:00:00Z".parse().unwrap(),
            target: target.into(),
            role_arn: None,
            session_name: None,
            source_identity: None,
            preset: None,
            scoped: false,
            expires: "2025-01-01T12:00:00Z".parse().unwrap(),
            how: Handout::Env,
            run: None,
        }
    }

    #[test]
    fn rotates_keeping_one_older_file() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let line_len = serde_json::to_string(&record("t0")).unwrap().len() as u64 + 1;
        // Room for two lines per file.
        for i in 0..5 {
            append_bounded(&data, &record(&format!("t{i}")), 2 * line_len).unwrap();
        }
        let names: Vec<String> = read(&data).unwrap().into_iter().map(|r| r.target).collect();
        assert_eq!(
            names,
            ["t2", "t3", "t4"],
            "t0 and t1 went with the second rotation"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&data), 0o700);
            assert_eq!(mode(&data.join(HISTORY_FILE)), 0o600);
        }
    }

    #[test]
    fn a_missing_history_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty());
    }
}
