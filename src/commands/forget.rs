//! `hats forget`: removes cached sessions from every keyring and the index.

use crate::context::Context;
use crate::error::Error;
use crate::session::{ForgottenEverywhere, KeyringChoice, forget_in_every_store, forgets};

/// Forgets the sessions of `target`, or every session with `all`, in the store
/// `HATS_KEYRING` chooses and in every other store that opens.
pub async fn forget(ctx: &Context, target: Option<&str>, all: bool) -> Result<(), Error> {
    let target = match target {
        Some(name) if !all => Some(ctx.target(name)?.clone()),
        _ => None,
    };
    let what = target
        .as_ref()
        .map_or_else(|| "all targets".to_owned(), |t| format!("\"{}\"", t.name));
    let choice = KeyringChoice::from_env().map_err(Error::Usage)?;
    let belongs = move |key: &str| forgets(target.as_ref())(key);
    let Some(ForgottenEverywhere {
        forgotten,
        fallback_notice,
    }) = forget_in_every_store(choice, ctx.index(), belongs).await?
    else {
        eprintln!("hats: caching is off (HATS_KEYRING=none); nothing to forget");
        return Ok(());
    };
    // Said as every other command says it: the store `HATS_KEYRING` chose is not the usual one.
    if let Some(notice) = fallback_notice {
        ctx.notice_once("keyring-fallback", &notice);
    }
    for problem in &forgotten.problems {
        eprintln!("hats: {problem}");
    }
    let removed = forgotten.removed;
    eprintln!(
        "hats: forgot {removed} cached session{} for {what}",
        if removed == 1 { "" } else { "s" }
    );
    Ok(())
}
