//! Reads a web identity (OIDC) token at call time: from its file, or from the
//! stdout of `web_identity_token_process` (run without a shell, bounded in time
//! like `mfa_process`).
//!
//! The token is a secret: it is held in a `SecretString` and no message, note or
//! file ever quotes it. This module knows nothing of STS.

use super::SessionError;
use super::helper_command::run_bounded;
use super::mfa_process::timeout_from_env;
use crate::config::TokenSource;
use secrecy::SecretString;
use std::io::Read;
use std::path::PathBuf;

/// STS takes web identity tokens of at most this many characters.
pub const MAX_TOKEN_BYTES: u64 = 20_000;

/// The token `source` gives now.
pub async fn read_token(source: &TokenSource) -> Result<SecretString, SessionError> {
    let fail = |detail: String| SessionError::WebIdentityToken(format!("{} {detail}", quoted(source)));
    let bytes = match source {
        TokenSource::File(path) => {
            let path = expand_home(path);
            tokio::task::spawn_blocking(move || read_bounded(&path))
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
                .map_err(|e| {
                    fail(format!(
                        "cannot be read: {e}; check the path, or that the identity provider has written the token"
                    ))
                })?
        }
        TokenSource::Process(words) => run_process(source, words).await?,
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| fail("gave bytes that are not UTF-8 text, not a token".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(fail(
            "gave an empty token; check that the identity provider is signed in".into(),
        ));
    }
    if u64::try_from(token.len()).unwrap_or(u64::MAX) > MAX_TOKEN_BYTES {
        return Err(fail(format!(
            "gave more than {MAX_TOKEN_BYTES} bytes, more than STS accepts as a token"
        )));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fail(
            "gave text with spaces or control characters inside, which is not a token (an OIDC token is one word)"
                .into(),
        ));
    }
    Ok(SecretString::from(token.to_owned()))
}

/// `web_identity_token_file "PATH"` or `web_identity_token_process "COMMAND"`.
fn quoted(source: &TokenSource) -> String {
    format!(
        "{} \"{}\"",
        source.key(),
        crate::domain::clean_text(&source.value())
    )
}

/// Reads at most one byte more than a token may have, so a wrong path (a log,
/// a device) costs nothing.
fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_TOKEN_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `~/` at the start of the path means the home directory, as in the AWS CLI.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if !home.is_empty() => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

async fn run_process(source: &TokenSource, words: &[String]) -> Result<Vec<u8>, SessionError> {
    let fail = |detail: String| SessionError::WebIdentityToken(format!("{} {detail}", quoted(source)));
    let limit = timeout_from_env()?;
    let (program, args) = words
        .split_first()
        .ok_or_else(|| fail("names no program".into()))?;
    let mut command = tokio::process::Command::new(program);
    command.args(args);
    let waiting = format!("{} to print the token", quoted(source));
    let (status, out) = run_bounded(command, &waiting, limit)
        .await
        .map_err(|e| fail(e.explain("a token", limit)))?;
    if !status.success() {
        return Err(fail(format!("failed ({status})")));
    }
    Ok(out)
}
