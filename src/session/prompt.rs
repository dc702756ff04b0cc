//! Where MFA codes come from when hats must ask: the terminal (`/dev/tty`)
//! (an `mfa_process` command is run by `mfa_process.rs`). The TUI brings its own prompter.
//!
//! Prompts never go to stdout, which may be a pipe read by `eval` or an AWS SDK.

use crate::domain::{InvalidValue, MfaCode, MfaSerial};
use std::future::Future;
use std::io::{BufRead, BufReader, Write};

/// Why no MFA code could be had.
#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    /// There is no terminal to ask on.
    #[error(
        "an MFA code for \"{serial}\" is needed but there is no terminal to ask on; \
         pass --mfa-code CODE or set mfa_process in the profile"
    )]
    NoTerminal {
        /// The device.
        serial: String,
    },
    /// The user entered nothing (end of input) or three bad codes.
    #[error("no valid MFA code for \"{serial}\" was entered")]
    NoCode {
        /// The device.
        serial: String,
    },
    /// The user closed the prompt.
    #[error("MFA code entry for \"{serial}\" was cancelled")]
    Cancelled {
        /// The device.
        serial: String,
    },
    /// A code was given but is not six digits.
    #[error("{0}")]
    Invalid(#[from] InvalidValue),
    /// A setting about how codes are had is unusable.
    #[error("{detail}")]
    Setting {
        /// What is wrong and how to fix it.
        detail: String,
    },
    /// `mfa_process` failed, hung, or printed something that is not a code.
    #[error("mfa_process \"{command}\" {detail}")]
    Process {
        /// The command as configured.
        command: String,
        /// What went wrong.
        detail: String,
    },
}

/// Asks a person for the current code of an MFA device.
pub trait MfaPrompter: Sync {
    /// Returns a validated code for `device`.
    fn ask(&self, device: &MfaSerial) -> impl Future<Output = Result<MfaCode, MfaError>> + Send;

    /// Whether the engine may ask again, in the same run, when AWS refuses a
    /// code this prompter gave (the switcher shows a refusal its own way).
    fn asks_again(&self) -> bool {
        false
    }

    /// Tells the person AWS refused their code for `device`, before asking again.
    fn refused(&self, _device: &MfaSerial) {}
}

/// Prompts on the controlling terminal.
#[derive(Debug, Default, Clone, Copy)]
pub struct TerminalPrompter;

impl MfaPrompter for TerminalPrompter {
    async fn ask(&self, device: &MfaSerial) -> Result<MfaCode, MfaError> {
        let device = device.clone();
        tokio::task::spawn_blocking(move || prompt_on_terminal(&device))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    fn asks_again(&self) -> bool {
        true
    }

    fn refused(&self, device: &MfaSerial) {
        if let Ok((_, mut output)) = open_terminal() {
            let _ = writeln!(
                output,
                "hats: AWS refused that code for {device} (wrong, or already used); enter the next code"
            );
        }
    }
}

fn prompt_on_terminal(device: &MfaSerial) -> Result<MfaCode, MfaError> {
    let serial = device.to_string();
    let Ok((input, mut output)) = open_terminal() else {
        return Err(MfaError::NoTerminal { serial });
    };
    let mut input = BufReader::new(input);
    for _attempt in 0..3 {
        write!(output, "MFA code for {serial}: ")
            .and_then(|()| output.flush())
            .map_err(|_| MfaError::NoTerminal {
                serial: serial.clone(),
            })?;
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        match MfaCode::parse(&line) {
            Ok(code) => return Ok(code),
            Err(e) => {
                let _ = writeln!(output, "hats: {e}");
            }
        }
    }
    Err(MfaError::NoCode { serial })
}

/// The controlling terminal: (input, output). Fails when there is none.
#[cfg(unix)]
pub fn open_terminal() -> std::io::Result<(std::fs::File, std::fs::File)> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    Ok((tty.try_clone()?, tty))
}

/// The console: (input, output). Fails when there is none.
#[cfg(windows)]
pub fn open_terminal() -> std::io::Result<(std::fs::File, std::fs::File)> {
    let input = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("CONIN$")?;
    let output = std::fs::OpenOptions::new().write(true).open("CONOUT$")?;
    Ok((input, output))
}
