//! Replacing a user's own file in place (the AWS config by `hats profiles
//! sync`, the credentials file by `hats keys import`): a sibling temporary
//! file with the old file's mode, flushed to disk, renamed over the file only
//! if nobody changed it since hats read it, the directory flushed after.
//!
//! Nothing is written anywhere else: no backup, no temporary file outside the
//! file's own directory, none left behind. What the file holds is the user's
//! business; hats' own files go through `fs_private`.

use std::io::Write;
use std::path::Path;

/// Writes a sibling temporary file with the old file's mode (0600 for a new
/// file), flushes it to disk and renames it over `path` if `path` still holds
/// `old` (`Ok(false)`, nothing changed, when it does not): a reader sees the
/// old file or the new one, never half of it, and a write by another program
/// between hats' read and its rename is not lost.
pub fn replace_if_unchanged(path: &Path, old: &[u8], bytes: &[u8]) -> std::io::Result<bool> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "config".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.hats-{}.tmp", std::process::id()));
    let replaced = write_new(path, &temp, bytes).and_then(|()| {
        test_hook_append(path);
        let now = match std::fs::read(path) {
            Ok(now) => now,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        if now != old {
            return Ok(false);
        }
        std::fs::rename(&temp, path).map(|()| true)
    });
    if !matches!(replaced, Ok(true)) {
        let _ = std::fs::remove_file(&temp);
    }
    if matches!(replaced, Ok(true)) {
        sync_dir(dir);
    }
    replaced
}

/// Creates `temp` with `path`'s mode (0600 when `path` is new) holding `bytes`, on disk.
fn write_new(path: &Path, temp: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o7777);
        options.mode(mode);
        let mut file = options.open(temp)?;
        // The umask may have narrowed the mode given to open.
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        let mut file = options.open(temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

/// Debug builds only, for the test that another program's write between the
/// read and the rename is kept: `HATS_TEST_APPEND_BEFORE_REPLACE=TEXT` appends
/// TEXT to the file once, at that moment.
fn test_hook_append(path: &Path) {
    #[cfg(debug_assertions)]
    {
        static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if let Some(text) = std::env::var_os("HATS_TEST_APPEND_BEFORE_REPLACE")
            && !DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            // A failure shows in the test: the text it looks for is missing.
            let _ = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(text.as_encoded_bytes()));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = path;
}

/// Flushes a directory's entries (the rename) to disk, where the platform can.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
