//! `hats keys` and its subcommands, parsed by clap.

use crate::domain::MfaCode;
use clap::Subcommand;

/// `hats keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store a profile's access key in the keyring: asked on the terminal, checked with GetCallerIdentity.
    Add {
        /// The profile whose key it is (it may not exist in ~/.aws yet).
        profile: String,
        /// Read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment (scripted migration).
        #[arg(long)]
        env: bool,
    },
    /// Move keys from ~/.aws/credentials (and ~/.aws/config) into the keyring, then remove their lines.
    Import {
        /// The profile whose keys to move.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        profile: Option<String>,
        /// Move the keys of every profile that has some in plaintext.
        #[arg(long)]
        all: bool,
    },
    /// List the keys in the keyring: profile, key id (masked), IAM user, age.
    Ls {
        /// Print a JSON array for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Replace a profile's key: create one, prove it works, store it, then delete the old one.
    Rotate {
        /// The profile whose key to rotate.
        profile: String,
        /// MFA code (6 digits) for the session that signs the IAM calls, instead of a prompt.
        #[arg(long, value_name = "CODE", value_parser = super::parse_code)]
        mfa_code: Option<MfaCode>,
    },
    /// Remove a profile's key from the keyring (not from IAM), after a confirmation on the terminal.
    Remove {
        /// The profile whose key to remove.
        profile: String,
        /// Remove without asking.
        #[arg(long)]
        yes: bool,
    },
}
