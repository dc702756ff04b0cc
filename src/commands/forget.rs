//! `hats forget`: removes cached role and MFA sessions from every keyring and
//! the index, and says how many of each kind. Identity Center sign-ins stay:
//! signing out is `hats sso logout`'s (it also tells the portal).

use crate::context::Context;
use crate::error::Error;
use crate::session::{
    Forgotten, ForgottenEverywhere, ItemKind, KeyringChoice, forget_in_every_store, forgets,
};

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
    let Some(ForgottenEverywhere {
        forgotten,
        fallback_notice,
    }) = forget_in_every_store(choice, ctx.index(), belongs).await?
    else {
        return Ok(None);
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
