//! Private files and directories: 0700 directories, 0600 files, written atomically.
//!
//! Only non-secret data (the session index, locks) is ever written through here.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and parents) readable by the owner only.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens (creating if needed) a file readable by the owner only.
pub fn open_rw(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Replaces `path` with `bytes` so readers see the old or the new file, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_temp(path, bytes)?.replace()
}

/// A complete new version of a file, written beside it, not yet in its place.
#[must_use = "the new version takes effect only when `replace` is called"]
pub struct Written {
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl Written {
    /// Renames the new version over the file: readers see the old or the new one.
    pub fn replace(self) -> io::Result<()> {
        fs::rename(&self.tmp, &self.path)
    }
}

/// Writes `bytes` to a private temporary file beside `path` and syncs it.
pub fn write_temp(path: &Path, bytes: &[u8]) -> io::Result<Written> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut file = open_rw(&tmp)?;
    file.set_len(0)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(Written {
        tmp,
        path: path.to_owned(),
    })
}
