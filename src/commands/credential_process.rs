//! `hats credential-process`: the JSON document and nothing else on stdout.

use super::{Asker, obtain_with};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::domain::{MfaCode, MfaSerial};
use crate::error::Error;
use crate::output::credential_process_json;
use crate::session::{MfaError, MfaPrompter, TerminalPrompter};
use std::io::Write;

/// Prints the `credential_process` document for the target.
pub async fn credential_process(ctx: &Context, target: &str, args: &SessionArgs) -> Result<(), Error> {
    let prompter = UnderAnotherProgram { target };
    let (target, session, receipt) = obtain_with(ctx, target, args, &prompter, Asker::Command).await?;
    let mut out = std::io::stdout().lock();
    out.write_all(credential_process_json(&session).as_bytes())
        .map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    receipt.record(ctx, target, crate::history::Handout::CredentialProcess);
    Ok(())
}

/// The terminal prompt, with advice for the usual case of no terminal: the
/// AWS CLI or an SDK runs `credential-process` and can pass no `--mfa-code`.
struct UnderAnotherProgram<'a> {
    target: &'a str,
}

impl MfaPrompter for UnderAnotherProgram<'_> {
    async fn ask(&self, device: &MfaSerial) -> Result<MfaCode, MfaError> {
        match TerminalPrompter.ask(device).await {
            Err(MfaError::NoTerminal { serial }) => Err(MfaError::Setting {
                detail: format!(
                    "an MFA code for \"{serial}\" is needed and there is no terminal to ask on (the program \
                     running credential-process cannot pass one); run `hats env {}` in a terminal once, \
                     which keeps the MFA session in the keyring for the next calls, or set mfa_process \
                     in the profile",
                    self.target
                ),
            }),
            other => other,
        }
    }

    fn asks_again(&self) -> bool {
        TerminalPrompter.asks_again()
    }

    fn refused(&self, device: &MfaSerial) {
        TerminalPrompter.refused(device);
    }
}
