//! `hats forget`: removes cached sessions from the keyring and the index.

use crate::context::Context;
use crate::error::Error;
use crate::session::target_key_prefixes;

/// Forgets the sessions of `target`, or every session with `all`.
pub async fn forget(ctx: &Context, target: Option<&str>, all: bool) -> Result<(), Error> {
    let prefixes = match target {
        Some(name) if !all => target_key_prefixes(ctx.target(name)?),
        _ => Vec::new(),
    };
    let matches = |key: &str| {
        all || prefixes
            .iter()
            .any(|p| key == p || (p.ends_with('/') && key.starts_with(p.as_str())))
    };
    let keys: Vec<String> = ctx
        .index()
        .read()
        .sessions
        .into_keys()
        .filter(|k| matches(k))
        .collect();
    let Some(cache) = ctx.open_cache().await? else {
        eprintln!("hats: caching is off (HATS_KEYRING=none); nothing to forget");
        return Ok(());
    };
    let removed = cache.remove(keys).await?;
    let what = target.map_or_else(|| "all targets".to_owned(), |t| format!("\"{t}\""));
    eprintln!(
        "hats: forgot {removed} cached session{} for {what}",
        if removed == 1 { "" } else { "s" }
    );
    Ok(())
}
