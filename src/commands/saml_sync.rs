//! `hats saml sync`: runs the assertion command of one `[saml.NAME]` source (or
//! every one) now and says which roles the assertion grants. The roles are
//! recorded (no secrets) so `hats ls` and the switcher list them without a run.

use crate::config::{HatsFile, SamlSource, saml_command};
use crate::context::Context;
use crate::error::Error;
use crate::session::saml_assertion::assertion_for;
use std::io::Write;

/// Discovers the roles of `only` (every source when `None`).
pub async fn saml_sync(ctx: &Context, only: Option<&str>) -> Result<(), Error> {
    let file = HatsFile::load(&ctx.paths.config_file)?;
    if file.saml.is_empty() {
        return Err(Error::NotConfigured(format!(
            "no SAML source is configured; add one to hats config \"{}\", for example:\n\n  \
             [saml.corp]\n  assertion_process = \"corp-idp saml --aws\"   # prints the base64 SAMLResponse\n\n\
             then run `hats saml sync` again (README: \"SAML sources\")",
            ctx.paths.config_file.display()
        )));
    }
    if let Some(name) = only.filter(|n| !file.saml.contains_key(*n)) {
        let known: Vec<&str> = file.saml.keys().map(String::as_str).collect();
        return Err(Error::NotConfigured(format!(
            "no SAML source \"{}\" in hats config; the sources are: {}",
            crate::domain::clean_text(name),
            known.join(", ")
        )));
    }
    let chosen: Vec<_> = file
        .saml
        .iter()
        .filter(|(n, _)| only.is_none_or(|o| o == n.as_str()))
        .collect();
    let mut failed = Vec::new();
    for (name, entry) in &chosen {
        let outcome = sync_one(ctx, name, entry).await;
        // One source: its error is the command's. Several: each is reported
        // and the others still run.
        match outcome {
            Err(e) if chosen.len() == 1 => return Err(e),
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "hats: [saml.{name}]: {e}");
                failed.push(name.as_str());
            }
            Ok(()) => {}
        }
    }
    if !failed.is_empty() {
        return Err(Error::SyncFailed(format!(
            "{} of {} SAML sources failed: {}",
            failed.len(),
            chosen.len(),
            failed.join(", ")
        )));
    }
    Ok(())
}

/// Runs source `name`'s assertion command and reports the roles it grants.
async fn sync_one(ctx: &Context, name: &str, entry: &crate::config::SamlEntry) -> Result<(), Error> {
    let source = SamlSource {
        name: name.to_owned(),
        command: saml_command(name, entry)?,
        principal_arn: String::new(),
        max_duration: None,
        cache_dir: ctx.paths.cache_dir.clone(),
    };
    let assertion = assertion_for(&source, ctx.clock.now(), &ctx.paths.cache_dir, true)
        .await
        .map_err(|e| Error::SyncFailed(format!("SAML sync failed, the previous role list is kept: {e}")))?;
    let facts = &assertion.facts;
    let _ = writeln!(
        std::io::stderr(),
        "hats: [saml.{name}] grants {} role{}{}",
        facts.roles.len(),
        if facts.roles.len() == 1 { "" } else { "s" },
        facts
            .session_duration
            .map(|s| format!(
                " (sessions up to {})",
                crate::domain::SessionDuration::from_secs(s)
            ))
            .unwrap_or_default()
    );
    for role in &facts.roles {
        let _ = writeln!(std::io::stderr(), "  {}", role.role_arn);
    }
    Ok(())
}
