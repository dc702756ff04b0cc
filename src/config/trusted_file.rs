//! Whether hats' own config file can be trusted: it decides which roles are
//! assumed and which commands run (`mfa_process`, `assertion_process`,
//! `web_identity_token_process`), so nobody but its user (or root) may be able
//! to change it or put another file in its place.
//!
//! Decides from file metadata only; reading the file is `hats_file`'s job.

use super::ConfigError;
use std::path::Path;

/// Refuses `path` when another user could change it: the file (if it exists)
/// is writable by group or others or belongs to another user, or its
/// directory is writable by group or others (without the sticky bit, which
/// keeps others from replacing files they do not own) or belongs to another user.
#[cfg(unix)]
pub fn refuse_if_others_can_change(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    // Another user's (root can change anything anyway), with what it is said of.
    let not_yours = |uid: u32, what: &'static str| {
        (uid != me && uid != 0).then(|| ConfigError::HatsNotYours {
            path: path.to_owned(),
            what,
            owner: uid,
            me,
        })
    };
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 {
        return Err(ConfigError::HatsWritableByOthers {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    if let Some(e) = not_yours(meta.uid(), "it belongs to") {
        return Err(e);
    }
    let dir = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let Some((dir, dir_meta)) = dir.and_then(|d| std::fs::metadata(&d).ok().map(|m| (d, m))) else {
        return Ok(());
    };
    let dir_mode = dir_meta.permissions().mode();
    if dir_mode & 0o022 != 0 && dir_mode & 0o1000 == 0 {
        return Err(ConfigError::HatsDirWritableByOthers {
            path: path.to_owned(),
            dir,
            mode: dir_mode & 0o777,
        });
    }
    not_yours(dir_meta.uid(), "its directory belongs to").map_or(Ok(()), Err)
}

/// Windows keeps files private through ACLs hats does not inspect.
#[cfg(not(unix))]
pub fn refuse_if_others_can_change(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}
