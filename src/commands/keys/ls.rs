//! `hats keys ls`: each keyring profile's key (masked but for its last four
//! characters), its IAM user and its age as IAM reports it; never a secret.
//!
//! The age comes from `ListAccessKeys`, signed with the profile's cached MFA
//! session when there is one (policies that demand MFA for IAM let it list),
//! else with the key itself; `ls` never asks for a code.

use super::{iam_user, identify, key_store, region_of};
use crate::aws::{Iam, KeyListing};
use crate::cli::SessionArgs;
use crate::commands::{Asker, obtain_with};
use crate::context::Context;
use crate::domain::Credentials;
use crate::error::Error;
use crate::session::{KeyStore, StoredKey, TerminalPrompter};
use jiff::Timestamp;
use serde::Serialize;
use std::io::Write;

/// Keys older than this are due for rotation.
const ROTATE_AFTER_DAYS: i64 = 90;

/// One listed key.
#[derive(Debug, Serialize)]
struct Listed {
    profile: String,
    /// Masked but for the last four characters.
    access_key_id: String,
    user_arn: Option<String>,
    created: Option<Timestamp>,
    age_days: Option<i64>,
    status: Option<String>,
    /// Why something is unknown or wrong, if it is.
    problem: Option<String>,
}

/// Lists the keys of every keyring profile, as a table or JSON.
pub async fn keys_ls(ctx: &Context, as_json: bool) -> Result<(), Error> {
    let mut listed = Vec::new();
    if !ctx.targets.keyring_profiles.is_empty() {
        let store = key_store(ctx).await?;
        for profile in ctx.targets.keyring_profiles.iter() {
            listed.push(describe(ctx, &store, profile).await);
        }
    }
    let mut out = std::io::stdout().lock();
    if as_json {
        serde_json::to_writer_pretty(&mut out, &listed)
            .map_err(std::io::Error::from)
            .map_err(Error::Output)?;
        out.write_all(b"\n").map_err(Error::Output)?;
    } else {
        out.write_all(table(&listed).as_bytes()).map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)?;
    for item in &listed {
        if item.age_days.is_some_and(|d| d > ROTATE_AFTER_DAYS) {
            eprintln!(
                "hats: the key of \"{}\" is {} days old, past {ROTATE_AFTER_DAYS}: hats keys rotate {}",
                item.profile,
                item.age_days.unwrap_or_default(),
                item.profile
            );
        }
    }
    if listed.is_empty() {
        eprintln!("hats: no profile keeps its key in the keyring; add one with `hats keys add PROFILE`");
    }
    if let Some(warning) = super::plaintext_warning(&ctx.targets) {
        eprintln!("hats: {warning}");
    }
    Ok(())
}

/// What hats can tell of one profile's key without asking anything.
async fn describe(ctx: &Context, store: &KeyStore, profile: &str) -> Listed {
    let mut listed = Listed {
        profile: profile.to_owned(),
        access_key_id: "-".into(),
        user_arn: None,
        created: None,
        age_days: None,
        status: None,
        problem: None,
    };
    let stored = match store.require(profile).await {
        Ok(stored) => stored,
        Err(e) => {
            listed.problem = Some(e.to_string());
            return listed;
        }
    };
    listed.access_key_id = stored.key.id.masked();
    let region = region_of(ctx, profile);
    let arn = match identify(&stored.key, &region).await {
        Ok(identity) => identity.arn,
        Err(e) => {
            listed.user_arn = Some(stored.user_arn.clone());
            listed.problem = Some(format!("the key does not work: {e}"));
            return listed;
        }
    };
    listed.user_arn = Some(arn.clone());
    match age(ctx, profile, &stored, &arn).await {
        Ok(Some(found)) => {
            listed.age_days = found
                .created
                .map(|t| (ctx.clock.now().as_second() - t.as_second()) / 86_400);
            listed.created = found.created;
            listed.status = Some(found.status);
        }
        Ok(None) => listed.problem = Some("IAM does not list this key for its user".into()),
        Err(e) => listed.problem = Some(format!("age unknown: {e}")),
    }
    listed
}

/// IAM's listing of the stored key, signed by a cached MFA session or the key.
async fn age(
    ctx: &Context,
    profile: &str,
    stored: &StoredKey,
    arn: &str,
) -> Result<Option<KeyListing>, Error> {
    let (partition, user) = iam_user(arn)
        .ok_or_else(|| Error::Usage(format!("\"{arn}\" is not an IAM user, whose keys IAM could list")))?;
    let signing = cached_session(ctx, profile)
        .await
        .unwrap_or_else(|| stored.key.credentials());
    let keys = Iam::new(&signing, partition).list_access_keys(user).await?;
    Ok(keys.into_iter().find(|k| k.id == stored.key.id.as_str()))
}

/// The profile's cached MFA session, if it has a device and a session is
/// cached: a quiet hand-out, which never asks.
async fn cached_session(ctx: &Context, profile: &str) -> Option<Credentials> {
    let target = ctx.targets.find(profile)?;
    target.mfa_device()?;
    let args = SessionArgs::default();
    let (_, session, _) = obtain_with(ctx, profile, &args, &TerminalPrompter, Asker::Hook)
        .await
        .ok()?;
    Some(session.credentials)
}

fn table(listed: &[Listed]) -> String {
    let rows: Vec<[String; 4]> = listed
        .iter()
        .map(|l| {
            let age = match (l.age_days, &l.status, &l.problem) {
                (_, _, Some(problem)) => problem.clone(),
                (Some(days), Some(status), None) if status != "Active" => format!("{days}d ({status})"),
                (Some(days), _, None) if days > ROTATE_AFTER_DAYS => format!("{days}d, rotate it"),
                (Some(days), _, None) => format!("{days}d"),
                (None, _, None) => "-".into(),
            };
            [
                crate::config::printable(&l.profile).into_owned(),
                l.access_key_id.clone(),
                l.user_arn.clone().unwrap_or_else(|| "-".into()),
                age,
            ]
        })
        .collect();
    let headers = ["PROFILE", "ACCESS KEY", "USER", "AGE"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        text.push('\n');
        text
    };
    let mut text = line(headers);
    for row in &rows {
        text.push_str(&line([&row[0], &row[1], &row[2], &row[3]]));
    }
    text
}
