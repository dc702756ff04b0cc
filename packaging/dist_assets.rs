//! Writes what a release archive ships beside the binary, from the binary's own
//! clap definitions: man pages (`man/hats.1` and one page per subcommand) and a
//! completion script per shell (`completions/`), which call `hats` back from `PATH`.
//!
//! `cargo run --example dist-assets -- OUT_DIR`

use clap::CommandFactory;
use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Each shell's script, named where that shell (and Homebrew) looks for it.
const SCRIPTS: [(Shell, &str); 5] = [
    (Shell::Bash, "hats.bash"),
    (Shell::Zsh, "_hats"),
    (Shell::Fish, "hats.fish"),
    (Shell::PowerShell, "hats.ps1"),
    (Shell::Elvish, "hats.elv"),
];

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: dist-assets OUT_DIR");
        return ExitCode::from(2);
    };
    match write_all(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dist-assets: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let man = out.join("man");
    std::fs::create_dir_all(&man)?;
    clap_mangen::generate_to(hats::cli::Cli::command(), &man)?;
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions)?;
    for (shell, name) in SCRIPTS {
        std::fs::write(
            completions.join(name),
            hats::commands::registration(shell, "hats")?,
        )?;
    }
    println!(
        "dist-assets: wrote {} and {}",
        man.display(),
        completions.display()
    );
    Ok(())
}
