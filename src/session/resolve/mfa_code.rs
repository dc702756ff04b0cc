//! MFA codes in the engine: where a code comes from (`--mfa-code`,
//! `mfa_process`, the prompter), and asking the person again when AWS refuses
//! a code they typed.
//!
//! A refused code is never sent again (AWS takes each code once); only a new
//! code the person types is sent.

use super::Engine;
use crate::aws::{AssumeRoleInput, AwsError, Issued};
use crate::domain::{Credentials, MfaCode};
use crate::inventory::MfaDevice;
use crate::session::SessionError;
use crate::session::mfa_process::{run_mfa_process, timeout_from_env};
use crate::session::prompt::MfaPrompter;
use std::future::Future;

/// Codes a person may type for one request: a typo or a code typed just as
/// it changed deserves another try, not a new command; three wrong ones end it.
const TYPED_CODES: usize = 3;

/// An MFA code, and whether a person typed it just now (only such a code is
/// asked for again when refused: `--mfa-code` and `mfa_process` would only
/// give a code that fails the same way).
pub(super) struct Code {
    value: MfaCode,
    typed: bool,
}

impl<P: MfaPrompter> Engine<'_, P> {
    /// The MFA code: `--mfa-code` (once), else `mfa_process`, else the prompter.
    pub(super) async fn code(&self, mfa: &MfaDevice) -> Result<Code, SessionError> {
        let given = self
            .given_code
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(value) = given {
            return Ok(Code { value, typed: false });
        }
        self.may_run(|| match &mfa.process {
            Some(command) => format!(
                "an MFA code for \"{}\" from mfa_process \"{command}\"",
                mfa.serial
            ),
            None => format!("an MFA code for \"{}\"", mfa.serial),
        })?;
        if let Some(command) = &mfa.process {
            self.note(&format!("running mfa_process for {}", mfa.serial));
            let limit = timeout_from_env()?;
            let value = run_mfa_process(command, &mfa.serial, limit).await?;
            return Ok(Code { value, typed: false });
        }
        let value = self.prompter.ask(&mfa.serial).await?;
        Ok(Code { value, typed: true })
    }

    /// Runs `call` with `first`; when AWS refuses (AccessDenied) a code a
    /// person typed and the prompter can ask again, tells them and calls again
    /// with the next code they type, up to [`TYPED_CODES`] codes.
    pub(super) async fn with_code<T, F, Fut>(
        &self,
        mfa: &MfaDevice,
        first: Code,
        call: F,
    ) -> Result<T, SessionError>
    where
        F: Fn(MfaCode) -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let mut code = first;
        let mut typed = 1;
        loop {
            let may_ask_again = code.typed && typed < TYPED_CODES && self.prompter.asks_again();
            match call(code.value).await {
                Err(AwsError::AccessDenied { .. }) if may_ask_again => {
                    self.note(&format!(
                        "AWS refused the code for {}; asking for the next one",
                        mfa.serial
                    ));
                    self.prompter.refused(&mfa.serial);
                    code = self.code(mfa).await?;
                    typed += 1;
                }
                other => return Ok(other?),
            }
        }
    }

    /// `AssumeRole` signed by `signing`, sending `code` (for `mfa`) when the role is given one.
    pub(super) async fn assume_role_with(
        &self,
        signing: &Credentials,
        input: &AssumeRoleInput<'_>,
        code: Option<Code>,
        mfa: Option<&MfaDevice>,
    ) -> Result<Issued, SessionError> {
        let sts = self.sts(signing);
        match (code, mfa) {
            (Some(code), Some(mfa)) => {
                self.with_code(mfa, code, |code| {
                    let sts = &sts;
                    async move {
                        let input = AssumeRoleInput {
                            mfa: Some((&mfa.serial, &code)),
                            ..*input
                        };
                        sts.assume_role(&input).await
                    }
                })
                .await
            }
            _ => Ok(sts.assume_role(input).await?),
        }
    }
}
