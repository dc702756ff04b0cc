//! `hats sso login`: sign in to an IAM Identity Center session (the flows live
//! in `signin/`), keep the token, and discover the session's accounts; and how
//! every `hats sso` command finds the session it is asked about.

use crate::config::SsoSession;
use crate::context::Context;
use crate::error::Error;
use crate::session::keep_sso_token;
use crate::signin::{Lines, Options, sign_in};

/// Signs in to `name` (an sso-session, or a profile that uses one; the only
/// sso-session when `None`) or to `profile`'s, keeps the token and discovers
/// the session's accounts. Ctrl-C cancels the sign-in or stops the discovery
/// (the sign-in is kept then), and exits 130.
pub async fn sso_login(
    ctx: &Context,
    name: Option<&str>,
    profile: Option<&str>,
    options: Options,
) -> Result<(), Error> {
    let session = match profile {
        Some(profile) => of_profile(ctx, profile)?,
        None => pick(ctx, name)?,
    };
    // Opened first: the client registration of the last sign-in is reused from it.
    let cache = ctx.open_cache().await?;
    let token = sign_in(
        &session,
        options,
        ctx.clock.now(),
        cache.as_ref(),
        &mut Lines::stderr(),
    )
    .await?;
    keep_sso_token(cache.as_ref(), &ctx.settings, &session, &token).await?;
    let kept = match (&cache, ctx.settings.sso_share_with_aws_cli) {
        (Some(c), false) => format!("the {} keyring", c.store_name()),
        (Some(c), true) => format!("the {} keyring and the AWS CLI's cache", c.store_name()),
        (None, true) => "the AWS CLI's cache".to_owned(),
        (None, false) => "nowhere (HATS_KEYRING=none): it lasts for no later command".to_owned(),
    };
    let key = session.key();
    eprintln!(
        "hats: signed in to \"{key}\" until {} (kept in {kept})",
        token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    );
    // Signing in is when a user expects to see their accounts: discover them now.
    // A failed or stopped discovery does not undo the sign-in; `hats sso sync` retries it.
    tokio::select! {
        synced = super::sso_sync::discover(ctx, cache.as_ref(), &session) => {
            if let Err(e) = synced {
                eprintln!("hats: {e}");
            }
        }
        _ = tokio::signal::ctrl_c() => {
            return Err(Error::Interrupted(format!(
                "discovery of \"{key}\" stopped; the sign-in is kept (\"hats sso sync {key}\" discovers later)"
            )));
        }
    }
    Ok(())
}

/// The sso-session profile `name` signs in through.
fn of_profile(ctx: &Context, name: &str) -> Result<SsoSession, Error> {
    let target = ctx.target(name)?;
    target.sso_session().cloned().ok_or_else(|| {
        Error::Usage(format!(
            "profile \"{}\" does not sign in through IAM Identity Center (it has no sso_session or \
             sso_start_url, and no source that has)",
            target.name
        ))
    })
}

/// Every sso-session: those the AWS config defines, then any other the targets use.
pub(super) fn sessions(ctx: &Context) -> Vec<SsoSession> {
    let mut found: Vec<SsoSession> = ctx.sso_sessions.iter().map(|(s, _)| (**s).clone()).collect();
    for target in &ctx.targets.targets {
        if let Some(session) = target.sso_session()
            && !found.iter().any(|s| s.key() == session.key())
        {
            found.push(session.clone());
        }
    }
    found
}

pub(super) fn pick(ctx: &Context, name: Option<&str>) -> Result<SsoSession, Error> {
    let all = sessions(ctx);
    let names = || {
        all.iter()
            .map(|s| format!("\"{}\"", s.key()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => all
            .iter()
            .find(|s| s.key() == name)
            .cloned()
            .or_else(|| {
                // A profile's name stands for its sso-session (a legacy profile's start URL is
                // no name anyone types).
                ctx.targets.find(name).and_then(|t| t.sso_session()).cloned()
            })
            .ok_or_else(|| {
                Error::NotConfigured(format!(
                    "no sso-session or Identity Center profile \"{}\"; sso-sessions: {}",
                    crate::config::printable(name),
                    if all.is_empty() {
                        "none".to_owned()
                    } else {
                        names()
                    }
                ))
            }),
        None => match all.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(Error::NotConfigured(
                "no IAM Identity Center sign-in is configured; add an [sso-session NAME] with sso_start_url \
                 and sso_region to ~/.aws/config"
                    .into(),
            )),
            _ => Err(Error::Usage(format!(
                "several sso-sessions: {}; name one (hats sso login NAME)",
                names()
            ))),
        },
    }
}
