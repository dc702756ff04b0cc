//! The browser programs the launchers start (Firefox; the Chromium family:
//! Chrome, Chromium, Brave, Edge, Vivaldi) and the profile directory hats
//! keeps for a target. Platform differences stay in the `cfg` lists below.

use std::path::{Path, PathBuf};

/// The Firefox to start: the configured one, else the platform's usual one.
pub fn firefox(configured: Option<&str>) -> String {
    configured.map_or_else(|| FIREFOX.to_owned(), str::to_owned)
}

/// The Chromium-family browser to start: the configured one, else the first
/// installed of the usual ones; the error names what was looked for.
pub fn chromium(configured: Option<&str>) -> Result<String, String> {
    if let Some(program) = configured {
        return Ok(program.to_owned());
    }
    CHROMIUM
        .iter()
        .find(|candidate| installed(candidate))
        .map(|found| (*found).to_owned())
        .ok_or_else(|| {
            format!(
                "no Chromium-family browser found (looked for {}); set browser = \"/path/to/chrome\" \
                 under [defaults.console] in hats' config",
                CHROMIUM.join(", ")
            )
        })
}

/// Whether `program` (a path, or a name looked up on `PATH`) is a file.
fn installed(program: &str) -> bool {
    let path = Path::new(program);
    if path.is_absolute() {
        return path.is_file();
    }
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file() || (cfg!(windows) && candidate.with_extension("exe").is_file())
        })
    })
}

/// The directory of `target`'s own browser profile under hats' data
/// directory: a readable part of the name plus a hash of all of it, so
/// no name can point outside (`..`, `/`) or share another target's profile.
pub fn profile_dir(data_dir: &Path, target: &str) -> PathBuf {
    use sha2::Digest as _;
    let readable: String = target
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    let digest = sha2::Sha256::digest(target.as_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    data_dir
        .join("browser-profiles")
        .join(format!("{readable}-{hash}"))
}

#[cfg(target_os = "macos")]
const FIREFOX: &str = "/Applications/Firefox.app/Contents/MacOS/firefox";
#[cfg(windows)]
const FIREFOX: &str = r"C:\Program Files\Mozilla Firefox\firefox.exe";
#[cfg(not(any(target_os = "macos", windows)))]
const FIREFOX: &str = "firefox";

#[cfg(target_os = "macos")]
const CHROMIUM: &[&str] = &[
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Vivaldi.app/Contents/MacOS/Vivaldi",
];
#[cfg(windows)]
const CHROMIUM: &[&str] = &[
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe",
    "chrome.exe",
    "msedge.exe",
];
#[cfg(not(any(target_os = "macos", windows)))]
const CHROMIUM: &[&str] = &[
    "google-chrome",
    "google-chrome-stable",
    "chromium",
    "chromium-browser",
    "brave-browser",
    "microsoft-edge",
    "vivaldi",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_directories_stay_under_hats_data_and_apart() {
        let data = Path::new("/data/hats");
        let names = [
            "prod/Admin",
            "prod_Admin",
            "../../etc",
            "a/../../b",
            "",
            "évil\n\u{202e}x",
            "/abs",
        ];
        let dirs: Vec<PathBuf> = names.iter().map(|n| profile_dir(data, n)).collect();
        for (name, dir) in names.iter().zip(&dirs) {
            assert_eq!(
                dir.parent(),
                Some(data.join("browser-profiles").as_path()),
                "{name:?}"
            );
            let leaf = dir.file_name().unwrap().to_str().unwrap();
            assert!(
                leaf.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{leaf}"
            );
        }
        let mut unique = dirs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), dirs.len(), "one directory per name: {dirs:?}");
        assert_eq!(profile_dir(data, "prod/Admin"), dirs[0], "stable across runs");
    }

    #[test]
    fn a_configured_browser_is_used_as_it_is() {
        assert_eq!(chromium(Some("/opt/brave")).unwrap(), "/opt/brave");
        assert_eq!(firefox(Some("firefox-esr")), "firefox-esr");
    }
}
