//! Property tests of hats' parsers, run by `cargo test` on stable: the same
//! functions the fuzz targets drive (`fuzz/`), checked against generated
//! inputs whose right answer is known: durations, AWS files, hats config and
//! target-name resolution. Case counts keep the whole suite to seconds.
//!
//! These tests read and write no files of their own and call no network.

mod aws_files;
mod durations;
mod hats_config;
mod names;

use hats::config::{self, AwsFile, AwsFileKind, ConfigError, HatsFile};
use hats::inventory::{self, TargetSet};

/// Parses the two AWS files as hats does at start-up.
pub fn parse_aws(config: &str, credentials: &str) -> Result<aws_config::profile::ProfileSet, ConfigError> {
    config::parse_profiles(
        AwsFile {
            kind: AwsFileKind::Config,
            path: "/home/prop/.aws/config",
            bytes: config.as_bytes(),
        },
        AwsFile {
            kind: AwsFileKind::Credentials,
            path: "/home/prop/.aws/credentials",
            bytes: credentials.as_bytes(),
        },
    )
}

/// Every target of the two AWS files and a hats config, as `Context::load` builds them.
pub fn targets(config: &str, credentials: &str, hats: &str) -> TargetSet {
    let profiles = parse_aws(config, credentials).expect("generated AWS files parse");
    let file = HatsFile::parse(hats).expect("generated hats config parses");
    inventory::build_targets(&profiles, &file, inventory::Discovered::default())
}

/// A name the AWS SDK accepts for a profile (its identifier alphabet), without
/// `/` so no profile can share a name with an account's `NAME/ROLE` target.
pub const PROFILE_NAME: &str = "[A-Za-z0-9_.%@:+-]{1,16}";
