//! Where hats keeps its config, cache and data, from the platform's conventions.

use std::path::PathBuf;

/// The directories and files hats uses.
#[derive(Debug, Clone)]
pub struct Paths {
    /// hats' `config.toml` (may not exist).
    pub config_file: PathBuf,
    /// Non-secret cache: the session index and lock files.
    pub cache_dir: PathBuf,
    /// Non-secret data kept across runs: the switcher's favourites and recent targets.
    pub data_dir: PathBuf,
}

impl Paths {
    /// Platform paths (`$XDG_CONFIG_HOME/hats/config.toml` on Linux); `HATS_CONFIG` overrides the config file.
    pub fn from_env() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "hats");
        let (config_dir, cache_dir, data_dir) = match &dirs {
            Some(d) => (
                d.config_dir().to_path_buf(),
                d.cache_dir().to_path_buf(),
                d.data_dir().to_path_buf(),
            ),
            // No home directory at all: keep working from the current directory.
            None => (
                PathBuf::from(".hats"),
                PathBuf::from(".hats/cache"),
                PathBuf::from(".hats/data"),
            ),
        };
        let config_file = std::env::var_os("HATS_CONFIG")
            .filter(|v| !v.is_empty())
            .map_or_else(|| config_dir.join("config.toml"), PathBuf::from);
        Self {
            config_file,
            cache_dir,
            data_dir,
        }
    }
}
