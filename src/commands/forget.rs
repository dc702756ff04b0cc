//! `hats forget`: removes cached role and MFA sessions from every keyring and
//! the index, and says how many of each kind. Identity Center sign-ins stay:
//! signing out is `hats sso logout`'s (it also tells the portal).

use crate::context::Context;
use crate::error::Error;
use crate::keyring::open_every;
use crate::session::{Forgotten, ItemKind, KeyringChoice, Opening, SessionError, forget_everywhere, forgets};

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
    let Some(forgotten) = forget_where(ctx, move |key| forgets(target.as_ref())(key)).await? else {
        eprintln!("hats: caching is off (HATS_KEYRING=none); nothing to forget");
        return Ok(());
    };
    eprintln!(
        "hats: forgot {} for {what}{}",
        forgotten.removed_text(),
        kept(&forgotten)
    );
    Ok(())
}

/// Removes every key `belongs` accepts from the store `HATS_KEYRING` chooses,
/// every other store that opens, and the index; reports the stores that could
/// not be cleaned. `None` when caching is off (`HATS_KEYRING=none`).
pub(super) async fn forget_where(
    ctx: &Context,
    belongs: impl Fn(&str) -> bool + Send + 'static,
) -> Result<Option<Forgotten>, Error> {
    let choice = KeyringChoice::from_env().map_err(Error::Usage)?;
    if choice == KeyringChoice::None {
        return Ok(None);
    }
    let index = ctx.index();
    let opened = Opening::start(choice)
        .finish()
        .await
        .map_err(SessionError::Store)?;
    let fallback_notice = opened.fallback_notice;
    let forgotten = match opened.store {
        None => Forgotten::default(),
        Some(chosen) => {
            let every = open_every().await;
            tokio::task::spawn_blocking(move || forget_everywhere(&chosen, &every, &index, &belongs))
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
    Ok(Some(forgotten))
}

/// What was left on purpose, as the end of the report: "; kept 1 Identity
/// Center sign-in (hats sso logout signs out)".
fn kept(forgotten: &Forgotten) -> String {
    let signins = Forgotten::by_kind(&forgotten.kept)
        .into_iter()
        .find(|(kind, _)| *kind == ItemKind::SignIn);
    match signins {
        Some((kind, n)) => format!("; kept {} (\"hats sso logout\" signs out)", kind.count(n)),
        None => String::new(),
    }
}
