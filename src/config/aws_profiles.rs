//! Reads `~/.aws/config` and `~/.aws/credentials` with the AWS SDK's own loader.
//!
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` are honoured by that loader.

use super::ConfigError;
use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// Loads both AWS files; missing files give an empty set.
pub async fn load_profiles(fs: &Fs, env: &Env) -> Result<ProfileSet, ConfigError> {
    aws_config::profile::load(fs, env, &EnvConfigFiles::default(), None)
        .await
        .map_err(|e| ConfigError::AwsFile(one_line(&crate::error_text::describe(&e))))
}

/// The SDK's messages span lines; hats prints one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
