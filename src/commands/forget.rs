//! `hats forget`: removes cached sessions from the keyring and the index.

use crate::context::Context;
use crate::error::Error;
use crate::session::keys_to_forget;

/// Forgets the sessions of `target`, or every session with `all`.
pub async fn forget(ctx: &Context, target: Option<&str>, all: bool) -> Result<(), Error> {
    let target = match target {
        Some(name) if !all => Some(ctx.target(name)?),
        _ => None,
    };
    let keys = keys_to_forget(&ctx.index().read(), target);
    let Some(cache) = ctx.open_cache().await? else {
        eprintln!("hats: caching is off (HATS_KEYRING=none); nothing to forget");
        return Ok(());
    };
    let removed = cache.remove(keys).await?;
    let what = target.map_or_else(|| "all targets".to_owned(), |t| format!("\"{}\"", t.name));
    eprintln!(
        "hats: forgot {removed} cached session{} for {what}",
        if removed == 1 { "" } else { "s" }
    );
    Ok(())
}
