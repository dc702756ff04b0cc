//! hats' own config decides which roles are assumed and which commands run:
//! it is read only when nobody but its user (or root) can change it or put
//! another file in its place, and a `HATS_CONFIG` that names nothing is an error.
//! The tests run as root and hand the file or its directory to another uid.

use crate::harness::Sandbox;
use std::os::unix::fs::PermissionsExt;

/// A uid that is not ours (nobody's).
const OTHER_UID: u32 = 65534;

fn chown(path: &std::path::Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), None).unwrap_or_else(|e| {
        panic!(
            "cannot give {} to uid {uid} ({e}): this test hands files to another user, which needs root",
            path.display()
        )
    });
}

fn chmod(path: &std::path::Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_hats_config_of_another_user_is_refused_with_the_fix() {
    let sb = Sandbox::standard(false);
    let path = sb.home.join(".config/hats/config.toml");
    chown(&path, OTHER_UID);
    let err = sb.hats(&["ls"]).fails();
    assert!(
        err.contains(&format!("it belongs to another user (uid {OTHER_UID})"))
            && err.contains("sudo chown 0"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    chown(&path, 0);
    sb.hats(&["ls"]).ok();
}

#[test]
fn a_hats_config_in_a_directory_others_can_change_is_refused() {
    let sb = Sandbox::standard(false);
    let dir = sb.home.join(".config/hats");
    chmod(&dir, 0o777);
    let err = sb.hats(&["ls"]).fails();
    assert!(
        err.contains("is writable by other users (mode 777)") && err.contains("chmod go-w"),
        "{err}"
    );
    // The sticky bit (as on /tmp) keeps others from replacing a file they do not own.
    chmod(&dir, 0o1777);
    sb.hats(&["ls"]).ok();
    chmod(&dir, 0o755);
    chown(&dir, OTHER_UID);
    let err = sb.hats(&["ls"]).fails();
    assert!(
        err.contains(&format!(
            "its directory belongs to another user (uid {OTHER_UID})"
        )),
        "{err}"
    );
    chown(&dir, 0);
    sb.hats(&["ls"]).ok();
}

#[test]
fn a_hats_config_variable_naming_no_file_is_an_error() {
    let mut sb = Sandbox::standard(false);
    let missing = sb.home.join("typo/config.toml");
    sb.set_env("HATS_CONFIG", &missing.display().to_string());
    let err = sb.hats(&["ls"]).fails();
    assert_eq!(
        err.trim(),
        format!(
            "hats: HATS_CONFIG names \"{}\", which does not exist; create it, fix the path, or unset \
             HATS_CONFIG to use the default config",
            missing.display()
        )
    );
    // The default place may hold no config at all.
    let sb = Sandbox::standard(false);
    std::fs::remove_file(sb.home.join(".config/hats/config.toml")).unwrap();
    sb.hats(&["ls"]).ok();
}
