//! `hats run --output-dir DIR`: each job's output in `DIR/TARGET[.REGION].out`
//! and `.err`, private files (the output of commands run with production
//! credentials may be sensitive). Names are made safe for any file system:
//! `/` becomes `.` (as in `hats profiles sync`), anything unusual `_`.

use crate::fanout::{Job, Stream};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The open files of the running jobs.
pub struct OutputFiles {
    dir: PathBuf,
    names: Vec<String>,
    open: HashMap<usize, (File, File)>,
    /// Files that could not be written, reported once each.
    failed: HashSet<usize>,
}

impl OutputFiles {
    /// Creates `dir` (private) and names each job's files; two jobs never share a name.
    pub fn create(dir: &Path, jobs: &[Job<'_>]) -> std::io::Result<Self> {
        crate::fs_private::create_dir(dir)?;
        let mut taken = HashSet::new();
        let names = jobs
            .iter()
            .map(|job| {
                let mut base = file_stem(&job.target.name);
                if job.region_in_label {
                    base = format!("{base}.{}", file_stem(&job.region));
                }
                let mut name = base.clone();
                let mut n = 2;
                while !taken.insert(name.clone()) {
                    name = format!("{base}~{n}");
                    n += 1;
                }
                name
            })
            .collect();
        Ok(Self {
            dir: dir.to_owned(),
            names,
            open: HashMap::new(),
            failed: HashSet::new(),
        })
    }

    /// Opens (truncating) the files of `job`.
    pub fn open(&mut self, index: usize, _job: &Job<'_>) {
        let create = |ext: &str| {
            let path = self.dir.join(format!("{}.{ext}", self.names[index]));
            let file = crate::fs_private::open_rw(&path)?;
            file.set_len(0)?;
            Ok::<File, std::io::Error>(file)
        };
        match create("out").and_then(|out| Ok((out, create("err")?))) {
            Ok(files) => {
                self.open.insert(index, files);
            }
            Err(e) => self.fail(index, &e),
        }
    }

    /// Appends one line to the job's `.out` or `.err`.
    pub fn write(&mut self, index: usize, stream: Stream, text: &[u8]) {
        let Some((out, err)) = self.open.get_mut(&index) else {
            return;
        };
        let file = if stream == Stream::Out { out } else { err };
        let written = file.write_all(text).and_then(|()| file.write_all(b"\n"));
        if let Err(e) = written {
            self.open.remove(&index);
            self.fail(index, &e);
        }
    }

    /// Closes the job's files.
    pub fn close(&mut self, index: usize) {
        self.open.remove(&index);
    }

    fn fail(&mut self, index: usize, e: &std::io::Error) {
        if self.failed.insert(index) {
            let _ = writeln!(
                std::io::stderr(),
                "hats: cannot write {}.out/.err in \"{}\": {e}",
                self.names[index],
                self.dir.display()
            );
        }
    }
}

/// A file name for `name`: `/` as `.`, anything but letters, digits, `.`, `-`,
/// `_`, `@`, `+` as `_`, never starting with `.`.
fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| match c {
            '/' => '.',
            c if c.is_ascii_alphanumeric() || "-_@+.".contains(c) => c,
            _ => '_',
        })
        .collect();
    if stem.starts_with('.') || stem.is_empty() {
        stem.insert(0, '_');
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn names_are_safe_file_names() {
        assert_eq!(file_stem("acct-001/ReadOnly"), "acct-001.ReadOnly");
        assert_eq!(file_stem("../../etc/passwd"), "_......etc.passwd");
        assert_eq!(file_stem("a b\x1b[31m"), "a_b__31m");
        assert_eq!(file_stem(""), "_");
    }
}
