//! The small differences between Unix and Windows in running programs, each
//! behind one function: which shell `hats shell` (and the switcher) starts,
//! where a program is found on `PATH`, and how hats gives way to a command it
//! hands credentials to.
//!
//! Unix replaces hats with the command (`execve`), so the command's exit status
//! is hats' and the terminal's signals reach it directly. Windows has no
//! `execve`: hats starts the command, leaves Ctrl-C and Ctrl-Break to it (both
//! share the console, so the command gets them either way), waits, and exits
//! with its exit code. Nothing here knows about credentials.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};

/// The interactive shell to start: `$SHELL` when it names a program that can
/// run; else `/bin/sh` on Unix, and on Windows PowerShell (`pwsh`, then
/// `powershell`) or `%COMSPEC%`. The note is for the user when `$SHELL` was
/// set but could not be used.
pub fn interactive_shell() -> (OsString, Option<String>) {
    let wanted = std::env::var_os("SHELL").filter(|s| !s.is_empty());
    if let Some(wanted) = &wanted
        && find_program(wanted).is_ok()
    {
        return (wanted.clone(), None);
    }
    let fallback = fallback_shell();
    let note = wanted.map(|wanted| {
        format!(
            "$SHELL \"{}\" is not a program that can run; using {}",
            wanted.to_string_lossy().escape_debug(),
            fallback.to_string_lossy()
        )
    });
    (fallback, note)
}

#[cfg(unix)]
fn fallback_shell() -> OsString {
    "/bin/sh".into()
}

#[cfg(windows)]
fn fallback_shell() -> OsString {
    ["pwsh", "powershell"]
        .into_iter()
        .find_map(|name| find_program(OsStr::new(name)).ok())
        .map(PathBuf::into_os_string)
        .or_else(|| std::env::var_os("COMSPEC").filter(|c| !c.is_empty()))
        .unwrap_or_else(|| "cmd.exe".into())
}

/// Where the system would find `program`: itself when it names a path (holds a
/// separator), else the first match on `PATH`. The error is the one starting it
/// would give (not found, or not permitted).
pub fn find_program(program: &OsStr) -> io::Result<PathBuf> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 || as_path.is_absolute() {
        return candidates(as_path)
            .into_iter()
            .find(|c| runnable(c))
            .ok_or_else(|| missing_or_denied(as_path));
    }
    let path = std::env::var_os("PATH").unwrap_or_else(default_path);
    std::env::split_paths(&path)
        .flat_map(|dir| candidates(&dir.join(as_path)))
        .find(|candidate| runnable(candidate))
        .ok_or_else(|| io::ErrorKind::NotFound.into())
}

/// What to start for `program` as typed: itself on Unix (`execvp` searches
/// `PATH`); on Windows the file [`find_program`] found, since starting a bare
/// name finds `.exe` files only and `aws` may be `aws.cmd`.
pub fn program_to_run(program: &OsStr) -> OsString {
    #[cfg(windows)]
    if let Ok(found) = find_program(program) {
        return found.into_os_string();
    }
    program.to_owned()
}

fn missing_or_denied(path: &Path) -> io::Error {
    if path.exists() {
        io::ErrorKind::PermissionDenied.into()
    } else {
        io::ErrorKind::NotFound.into()
    }
}

#[cfg(unix)]
fn default_path() -> OsString {
    "/usr/bin:/bin".into()
}

#[cfg(windows)]
fn default_path() -> OsString {
    OsString::new()
}

/// The files `path` may mean: itself on Unix; on Windows also with each
/// `PATHEXT` extension when it has none.
#[cfg(unix)]
fn candidates(path: &Path) -> Vec<PathBuf> {
    vec![path.to_path_buf()]
}

#[cfg(windows)]
fn candidates(path: &Path) -> Vec<PathBuf> {
    if path.extension().is_some() {
        return vec![path.to_path_buf()];
    }
    let exts = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE;.BAT;.CMD".into());
    exts.split(';')
        .filter(|e| !e.is_empty())
        .map(|ext| {
            let mut name = path.as_os_str().to_owned();
            name.push(ext.to_ascii_lowercase());
            PathBuf::from(name)
        })
        .collect()
}

#[cfg(unix)]
fn runnable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(windows)]
fn runnable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Gives way to `command`, whose program [`find_program`] found; `started`
/// runs just before it starts. Returns only when it could not be started: on
/// Unix it replaces hats, on Windows hats exits with its exit code once it ends.
pub fn hand_over(mut command: std::process::Command, started: impl FnOnce()) -> io::Error {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        started();
        command.exec()
    }
    #[cfg(windows)]
    {
        let mut running = match command.spawn() {
            Ok(running) => running,
            Err(e) => return e,
        };
        started();
        leave_interrupts_to_the_child();
        match running.wait() {
            // `exit` flushes stdout; the code passes whole (Windows codes are 32-bit).
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(e) => e,
        }
    }
}

/// From now on Ctrl-C and Ctrl-Break do not end hats: the child, on the same
/// console, gets them and decides; hats ends when it does.
#[cfg(windows)]
fn leave_interrupts_to_the_child() {
    use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler};
    unsafe extern "system" fn ignore(event: u32) -> windows_sys::core::BOOL {
        i32::from(event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT)
    }
    // SAFETY: registers a handler that touches no state; it stays for the process' life.
    unsafe { SetConsoleCtrlHandler(Some(ignore), 1) };
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_on_path_or_as_a_path() {
        assert!(find_program(OsStr::new("sh")).is_ok_and(|p| p.is_absolute()));
        assert_eq!(
            find_program(OsStr::new("hats-no-such-program"))
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        assert_eq!(
            find_program(plain.as_os_str()).unwrap_err().kind(),
            io::ErrorKind::PermissionDenied,
            "a file that is not executable"
        );
    }
}
