//! `hats sso status` (`hats sso list`): every sso-session, signed in or not,
//! how long the sign-in has left, where it is kept, and whether the AWS CLI
//! shares it. Reads the keyring and the AWS CLI's cache; no network call, no
//! switcher.

use crate::config::SsoSession;
use crate::context::Context;
use crate::domain::format_remaining;
use crate::error::Error;
use crate::session::{Cache, SsoToken, kept_token, read_cli_cache_async};
use jiff::Timestamp;
use secrecy::ExposeSecret;
use serde::Serialize;
use std::io::Write;

/// A token with less than this left is not used (as the engine decides).
const USABLE_SECS: i64 = 60;

/// One sso-session's sign-in, as printed.
#[derive(Serialize)]
struct Status {
    session: String,
    start_url: String,
    region: String,
    /// A token a hand-out would use now, or renew without asking.
    signed_in: bool,
    /// When the token hats would use expires.
    expires_at: Option<Timestamp>,
    seconds_left: Option<i64>,
    /// Whether it can be renewed without signing in again (refresh token).
    refreshable: bool,
    /// Where a token of this sign-in is kept: "keyring", "aws-cli".
    kept_in: Vec<&'static str>,
    /// Whether the AWS CLI's cache holds this same sign-in, so the AWS CLI and
    /// the SDKs use it too.
    shared_with_aws_cli: bool,
    /// Why the AWS CLI's cache file could not be read, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// Prints every sso-session's sign-in as a table, or a JSON array.
pub async fn sso_status(ctx: &Context, json: bool) -> Result<(), Error> {
    let sessions = super::sso::sessions(ctx);
    if sessions.is_empty() && !json {
        eprintln!(
            "hats: no IAM Identity Center sign-in is configured; add an [sso-session NAME] with \
             sso_start_url and sso_region to ~/.aws/config"
        );
    }
    let cache = ctx.open_cache().await?;
    let now = ctx.clock.now();
    let mut found = Vec::with_capacity(sessions.len());
    for session in &sessions {
        found.push(status(cache.as_ref(), session, now).await?);
    }
    for status in &found {
        if let Some(problem) = &status.problem {
            eprintln!("hats: {}: {problem}", status.session);
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &found)
            .map_err(std::io::Error::from)
            .map_err(Error::Output)?;
        out.write_all(b"\n").map_err(Error::Output)?;
    } else if !found.is_empty() {
        out.write_all(table(&found).as_bytes()).map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)?;
    Ok(())
}

/// `session`'s sign-in from the keyring and the AWS CLI's cache, as the engine
/// would choose between them: hats' own while it is usable, else the CLI's.
async fn status(cache: Option<&Cache>, session: &SsoSession, now: Timestamp) -> Result<Status, Error> {
    let ours = kept_token(cache, session).await?;
    let theirs = read_cli_cache_async(session).await;
    let usable = |t: &SsoToken| t.left(now) > USABLE_SECS || t.refreshable(now);
    let chosen = match (&ours, &theirs.token) {
        (Some(o), _) if usable(o) => Some(o),
        (_, Some(t)) => Some(t),
        (o, None) => o.as_ref(),
    };
    let mut kept_in = Vec::new();
    if ours.is_some() {
        kept_in.push("keyring");
    }
    if theirs.token.is_some() {
        kept_in.push("aws-cli");
    }
    let shared = match (chosen, &theirs.token) {
        (Some(c), Some(t)) => {
            c.access_token.expose_secret() == t.access_token.expose_secret() && t.left(now) > USABLE_SECS
        }
        _ => false,
    };
    Ok(Status {
        session: session.key().to_owned(),
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        signed_in: chosen.is_some_and(usable),
        expires_at: chosen.map(|t| t.expires_at),
        seconds_left: chosen.map(|t| t.left(now).max(0)),
        refreshable: chosen.is_some_and(|t| t.refreshable(now)),
        kept_in,
        shared_with_aws_cli: shared,
        problem: theirs.problem,
    })
}

fn table(found: &[Status]) -> String {
    let header = ["SESSION", "START URL", "SIGNED IN", "LEFT", "KEPT IN", "AWS CLI"];
    let cells: Vec<[String; 6]> = found
        .iter()
        .map(|s| {
            let signed_in = match (s.signed_in, s.seconds_left) {
                (true, Some(left)) if left > USABLE_SECS => "yes",
                (true, _) => "renewable",
                (false, Some(_)) => "expired",
                (false, None) => "no",
            };
            [
                s.session.clone(),
                s.start_url.clone(),
                signed_in.to_owned(),
                s.seconds_left.map_or_else(|| "-".to_owned(), format_remaining),
                if s.kept_in.is_empty() {
                    "-".to_owned()
                } else {
                    s.kept_in.join(", ")
                },
                if s.shared_with_aws_cli { "shared" } else { "-" }.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |row: &[&str]| {
        let joined: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(joined.join("  ").trim_end());
        text.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    text
}
