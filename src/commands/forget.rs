//! `hats forget`: removes cached sessions from every keyring and the index.

use crate::context::Context;
use crate::error::Error;
use crate::keyring::open_every;
use crate::session::{KeyringChoice, Opening, SessionError, forget_everywhere, forgets};

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
    let opened = Opening::start(choice)
        .finish()
        .await
        .map_err(SessionError::Store)?;
    let fallback_notice = opened.fallback_notice;
    let forgotten = match opened.store {
        None => crate::session::Forgotten::default(),
        Some(chosen) => {
            let every = open_every().await;
            tokio::task::spawn_blocking(move || {
                forget_everywhere(&chosen, &every, &index, &forgets(target.as_ref()))
            })
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?
        }
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
