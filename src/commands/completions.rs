//! `hats completions`: shell completion scripts generated from the CLI definition.

use crate::cli::Cli;
use clap::CommandFactory;

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) {
    clap_complete::generate(shell, &mut Cli::command(), "hats", &mut std::io::stdout());
}
