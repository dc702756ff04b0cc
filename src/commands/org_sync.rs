//! `hats org sync`: refreshes the organization inventory, with progress on stderr.

use crate::aws::Progress;
use crate::cli::OrgSessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::session::TerminalPrompter;

/// Discovers the organization now and reports what was found.
pub async fn org_sync(ctx: &Context, args: &OrgSessionArgs) -> Result<(), Error> {
    // Nothing to sync is not a failed sync: say what is missing and how to add it.
    if ctx.file_organization.is_none() {
        return Err(no_organization(&ctx.paths.config_file));
    }
    let cache = if args.no_cache {
        None
    } else {
        ctx.open_cache().await?
    };
    let bar = super::progress::stderr_bar();
    let report = |p: Progress| match p {
        Progress::Units(n) => bar.set_message(format!("organizational units {n}")),
        Progress::Accounts(n) => bar.set_message(format!("accounts {n}")),
        Progress::Tags(done, total) => {
            bar.set_message("tags");
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let result = crate::org::sync(
        ctx,
        cache.as_ref(),
        &TerminalPrompter,
        args.mfa_code.clone(),
        &report,
    )
    .await;
    bar.finish_and_clear();
    let inventory = result.map_err(|e| {
        Error::SyncFailed(format!(
            "organization sync failed, the previous inventory is kept: {e}"
        ))
    })?;
    let active = inventory.accounts.iter().filter(|a| a.is_active()).count();
    eprintln!(
        "hats: organization synced: {} accounts ({} active, {} inactive)",
        inventory.accounts.len(),
        active,
        inventory.accounts.len() - active
    );
    Ok(())
}

/// No `[organization]` in hats' config: the error shows where and what to add.
fn no_organization(config_file: &std::path::Path) -> Error {
    Error::NotConfigured(format!(
        "no organization is configured; add an [organization] section to hats config \"{}\", for example:\n\
         \n  [organization]\n  source = \"mgmt\"      # target or profile allowed to call the Organizations API\n  \
         roles = [\"ReadOnly\"]  # roles offered in every account\n\n\
         then run `hats org sync` again (README: \"Accounts from AWS Organizations\")",
        config_file.display()
    ))
}
