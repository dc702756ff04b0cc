//! The path hats writes where something will call it back later (`hats init`'s
//! shell function, `profiles sync`'s `credential_process`, `eks kubeconfig`'s
//! exec plugin, the completion scripts): the path the user invoked, never the
//! file it resolves to. Package managers point a stable link
//! (`/opt/homebrew/bin/hats`) at a versioned file
//! (`…/Cellar/hats/1.2.0/bin/hats`) that the next upgrade deletes.
//!
//! It only finds the path; callers decide how to quote it.

use crate::error::Error;
use std::path::{Path, PathBuf};

/// hats as it was called: `argv[0]` made absolute when it is a relative path
/// (the caller's working directory is not the one the path will be used from);
/// a bare name (found on `PATH`) stays bare.
pub fn as_called() -> PathBuf {
    let called = std::env::args_os()
        .next()
        .map_or_else(|| "hats".into(), PathBuf::from);
    if called.components().count() > 1 && called.is_relative() {
        return std::env::current_dir().map_or(called.clone(), |dir| dir.join(&called));
    }
    called
}

/// The absolute path of this hats as the user reached it: [`as_called`], with
/// a bare name looked up on `PATH`; symbolic links are kept, not resolved. The
/// running executable's own path when that is not this program (hats started
/// under another name, or `PATH` changed).
pub fn invoked() -> std::io::Result<PathBuf> {
    let running = std::env::current_exe()?;
    let called = as_called();
    let candidate = if called.is_absolute() {
        Some(called)
    } else {
        on_path(&called)
    };
    Ok(candidate.filter(|c| same_file(c, &running)).unwrap_or(running))
}

/// [`invoked`] as text for a file or script that names it (`purpose` says which, for the error).
pub fn invoked_text(purpose: &str) -> Result<String, Error> {
    let path =
        invoked().map_err(|e| Error::Usage(format!("cannot find hats' own path for {purpose}: {e}")))?;
    path.to_str().map(str::to_owned).ok_or_else(|| {
        Error::Usage(format!(
            "hats' path \"{}\" is not UTF-8, so {purpose} cannot name it; move hats elsewhere",
            path.display()
        ))
    })
}

/// The first file called `name` in a `PATH` directory, as a shell would run it.
fn on_path(name: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let cwd = std::env::current_dir().ok();
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| match (&cwd, dir.is_relative()) {
            (Some(cwd), true) => cwd.join(dir).join(name),
            _ => dir.join(name),
        })
        .find(|candidate| candidate.is_file())
}

/// Whether two paths reach the same file (through any links).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
