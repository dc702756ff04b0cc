//! `hats forget`: removes cached sessions from every keyring and the index.

use crate::context::Context;
use crate::error::Error;
use crate::session::{KeyringChoice, SessionError, forget_everywhere, forgets, open};

/// Forgets the sessions of `target`, or every session with `all`, in the store
/// `HATS_KEYRING` chooses and in every other store that opens.
pub async fn forget(ctx: &Context, target: Option<&str>, all: bool) -> Result<(), Error> {
    let target = match target {
        Some(name) if !all => Some(ctx.target(name)?.clone()),
        _ => None,
    };
    let choice = KeyringChoice::from_env().map_err(Error::Usage)?;
    if choice == KeyringChoice::None {
        eprintln!("hats: caching is off (HATS_KEYRING=none); nothing to forget");
        return Ok(());
    }
    let index = ctx.index();
    let what = target
        .as_ref()
        .map_or_else(|| "all targets".to_owned(), |t| format!("\"{}\"", t.name));
    let (forgotten, fallback_notice) = tokio::task::spawn_blocking(move || {
        let opened = open(choice).map_err(SessionError::Store)?;
        let Some(chosen) = opened.store else {
            return Ok((crate::session::Forgotten::default(), opened.fallback_notice));
        };
        let forgotten = forget_everywhere(&chosen, &index, &forgets(target.as_ref()))?;
        Ok::<_, SessionError>((forgotten, opened.fallback_notice))
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
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
