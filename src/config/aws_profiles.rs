//! Reads `~/.aws/config` and `~/.aws/credentials` with the AWS SDK's own loader.
//!
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` are honoured by that loader.

use super::ConfigError;
use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// Loads both AWS files; missing files give an empty set.
pub async fn load_profiles(fs: &Fs, env: &Env) -> Result<ProfileSet, ConfigError> {
    for (variable, default) in [
        ("AWS_CONFIG_FILE", "config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ] {
        let path = env
            .get(variable)
            .map(std::path::PathBuf::from)
            .ok()
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".aws").join(default)));
        if let Some(path) = path {
            super::refuse_enormous(&path)?;
        }
    }
    aws_config::profile::load(fs, env, &EnvConfigFiles::default(), None)
        .await
        .map_err(|e| ConfigError::AwsFile(one_line(&crate::error_text::describe(&e))))
}

/// The SDK's messages span lines; hats prints one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
