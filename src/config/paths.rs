//! Where hats keeps its config, cache and data, from the platform's conventions.
//!
//! Without a usable home directory hats refuses to start rather than keep its
//! files somewhere surprising (such as under the working directory, where the
//! next command run elsewhere would not find them, and others might read them).

use std::path::{Path, PathBuf};

/// The directories and files hats uses.
#[derive(Debug, Clone)]
pub struct Paths {
    /// hats' `config.toml` (may not exist).
    pub config_file: PathBuf,
    /// The profiles whose long-term keys are in the OS keyring (`hats keys`),
    /// in hats' config directory (not beside a `HATS_CONFIG` elsewhere).
    pub keyring_profiles: PathBuf,
    /// Non-secret cache: the session index and lock files.
    pub cache_dir: PathBuf,
    /// Non-secret data kept across runs: the switcher's favourites and recent targets.
    pub data_dir: PathBuf,
}

const NO_HOME: &str = "no home directory: HOME is not set and the user database names none for this user; \
                       set HOME to your home directory";

impl Paths {
    /// Platform paths (`$XDG_CONFIG_HOME/hats/config.toml` on Linux); `HATS_CONFIG`
    /// overrides the config file and must name one that exists. Errs (one line,
    /// saying what to set) without a usable home.
    pub fn from_env() -> Result<Self, String> {
        let base = directories::BaseDirs::new().ok_or(NO_HOME)?;
        let dirs = directories::ProjectDirs::from("", "", "hats").ok_or(NO_HOME)?;
        let home = base.home_dir();
        let (config_dir, cache_dir, data_dir) = (dirs.config_dir(), dirs.cache_dir(), dirs.data_dir());
        check_home(home, home.is_dir(), &[config_dir, cache_dir, data_dir])?;
        let named = std::env::var_os("HATS_CONFIG").filter(|v| !v.is_empty());
        let config_file = named
            .clone()
            .map_or_else(|| config_dir.join("config.toml"), PathBuf::from);
        // The default file may be missing (no config yet); a file named on purpose
        // that is missing is a typo or a moved file, and would silently change what hats offers.
        if named.is_some()
            && std::fs::metadata(&config_file).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return Err(format!(
                "HATS_CONFIG names \"{}\", which does not exist; create it, fix the path, or unset \
                 HATS_CONFIG to use the default config",
                config_file.display()
            ));
        }
        Ok(Self {
            config_file,
            keyring_profiles: config_dir.join("keyring-profiles.toml"),
            cache_dir: cache_dir.to_path_buf(),
            data_dir: data_dir.to_path_buf(),
        })
    }
}

/// Refuses directories that would be relative to the working directory (a
/// relative HOME) or inside a home directory that does not exist (hats would
/// otherwise create it). Directories set through `XDG_*` elsewhere are fine.
fn check_home(home: &Path, home_exists: bool, dirs: &[&Path]) -> Result<(), String> {
    if dirs.iter().any(|d| d.is_relative()) {
        return Err(format!(
            "the home directory \"{}\" is not an absolute path; set HOME to your home directory",
            home.display()
        ));
    }
    if !home_exists && dirs.iter().any(|d| d.starts_with(home)) {
        return Err(format!(
            "the home directory \"{}\" does not exist; set HOME to your home directory, or \
             XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_DATA_HOME to directories of yours",
            home.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_home_is_refused() {
        let dirs = [
            Path::new("x/.config/hats"),
            Path::new("x/.cache/hats"),
            Path::new("/d"),
        ];
        let err = check_home(Path::new("x"), true, &dirs).unwrap_err();
        assert_eq!(
            err,
            "the home directory \"x\" is not an absolute path; set HOME to your home directory"
        );
    }

    #[test]
    fn a_missing_home_is_refused_unless_nothing_lives_in_it() {
        let home = Path::new("/nonexistent");
        let inside = [
            Path::new("/nonexistent/.config/hats"),
            Path::new("/xdg/cache/hats"),
        ];
        let err = check_home(home, false, &inside).unwrap_err();
        assert!(
            err.starts_with("the home directory \"/nonexistent\" does not exist;"),
            "{err}"
        );
        let elsewhere = [Path::new("/xdg/config/hats"), Path::new("/xdg/cache/hats")];
        assert!(check_home(home, false, &elsewhere).is_ok());
        assert!(check_home(home, true, &inside).is_ok());
    }
}
