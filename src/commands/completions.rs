//! `hats completions`: shell completion scripts generated from the CLI definition.

use crate::cli::Cli;
use crate::error::Error;
use clap::CommandFactory;
use std::io::Write;

/// Writes the completion script for `shell` to stdout.
///
/// # Errors
/// Writing failed (a closed pipe among others, which `main` treats as success).
pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    // Built in memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hats", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}
