//! Each parsed command runs itself: `main` loads the context once and calls
//! [`Command::run`]. What a command does lives in its own file; this one only
//! hands each command's arguments to it.

use super::{
    LoginOptions, completions, credential_process, eks_kubeconfig, eks_token, env, exec, forget, history,
    init, keys_add, keys_import, keys_ls, keys_remove, keys_rotate, login, ls, note_unsynced, org_sync,
    profiles_print, profiles_sync, prompt, saml_sync, serve, shell, sso_login, sso_logout, sso_status,
    sso_sync, use_target, use_unset, whoami,
};
use crate::cli::{Command, EksCommand, KeysCommand, OrgCommand, ProfilesCommand, SamlCommand, SsoCommand};
use crate::context::Context;
use crate::error::Error;
use std::process::ExitCode;

impl Command {
    /// Runs a command that reads no configuration (`completions`, `init`,
    /// `prompt`, `use --unset`); `None` for every other command.
    pub fn run_without_context(&self) -> Option<Result<(), Error>> {
        Some(match self {
            Self::Completions { shell } => completions(*shell),
            Self::Init { shell, hook } => init(*shell, *hook),
            Self::Prompt => prompt(),
            Self::Use { unset: true, .. } => use_unset(),
            _ => return None,
        })
    }

    /// Runs the command with the loaded context; a command that starts a
    /// program ends with that program's exit code.
    pub async fn run(self, ctx: &Context) -> Result<ExitCode, Error> {
        match self {
            Self::Exec {
                target,
                session,
                serve,
                command,
            } => return exec(ctx, &target, &session, serve, &command).await,
            Self::Shell {
                target,
                session,
                serve,
            } => return shell(ctx, &target, &session, serve).await,
            Self::Serve {
                target,
                listen,
                session,
            } => return serve(ctx, &target, listen, &session).await,
            Self::Ls { json } => {
                ls(ctx, json)?;
                note_unsynced(ctx);
            }
            Self::History { json, since, run } => history(ctx, json, since, run.as_deref())?,
            Self::Run(args) => return super::run(ctx, &args).await,
            Self::Eks { command } => command.run(ctx).await?,
            Self::Env {
                target,
                format,
                session,
            } => env(ctx, &target, format, &session).await?,
            Self::CredentialProcess { target, session } => credential_process(ctx, &target, &session).await?,
            Self::Whoami {
                target,
                session,
                json,
            } => whoami(ctx, target.as_deref(), &session, json).await?,
            Self::Forget { target, all } => forget(ctx, target.as_deref(), all).await?,
            Self::Login {
                target,
                print,
                launcher,
                service,
                destination,
                sign_out,
                session,
            } => {
                let options = LoginOptions::new(print, launcher, &service, &destination, sign_out);
                login(ctx, &target, &options, &session).await?;
            }
            Self::Keys { command } => command.run(ctx).await?,
            Self::Org {
                command: OrgCommand::Sync { session },
            } => org_sync(ctx, &session).await?,
            Self::Saml {
                command: SamlCommand::Sync { source },
            } => saml_sync(ctx, source.as_deref()).await?,
            Self::Sso { command } => command.run(ctx).await?,
            Self::Profiles { command } => command.run(ctx)?,
            Self::Use {
                target: Some(target),
                session,
                ..
            } => use_target(ctx, &target, &session).await?,
            Self::Completions { .. } | Self::Init { .. } | Self::Prompt | Self::Use { .. } => {
                unreachable!("run before the context loads, or the switcher")
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

impl SsoCommand {
    /// Runs `hats sso ...`.
    pub async fn run(self, ctx: &Context) -> Result<(), Error> {
        match self {
            Self::Login {
                session,
                profile,
                no_browser,
                use_device_code,
            } => {
                let options = crate::signin::Options {
                    no_browser,
                    use_device_code,
                };
                sso_login(ctx, session.as_deref(), profile.as_deref(), options).await
            }
            Self::Logout { session } => sso_logout(ctx, session.as_deref()).await,
            Self::Status { json } => sso_status(ctx, json).await,
            Self::Sync { session } => sso_sync(ctx, session.as_deref()).await,
        }
    }
}

impl KeysCommand {
    /// Runs `hats keys ...`.
    pub async fn run(self, ctx: &Context) -> Result<(), Error> {
        match self {
            Self::Add { profile, env } => keys_add(ctx, &profile, env).await,
            Self::Import { profile, all } => keys_import(ctx, profile.as_deref(), all).await,
            Self::Ls { json } => keys_ls(ctx, json).await,
            Self::Rotate { profile, mfa_code } => keys_rotate(ctx, &profile, mfa_code).await,
            Self::Remove { profile, yes } => keys_remove(ctx, &profile, yes).await,
        }
    }
}

impl EksCommand {
    /// Runs `hats eks ...`.
    pub async fn run(self, ctx: &Context) -> Result<(), Error> {
        match self {
            Self::Token {
                cluster,
                target,
                session,
            } => eks_token(ctx, &target, &cluster, &session).await,
            Self::Kubeconfig {
                cluster,
                server,
                ca_file,
                target,
            } => eks_kubeconfig(ctx, &target, &cluster, &server, ca_file.as_deref()),
        }
    }
}

impl ProfilesCommand {
    /// Runs `hats profiles ...`.
    pub fn run(self, ctx: &Context) -> Result<(), Error> {
        match self {
            Self::Sync { prefix, dry_run } => profiles_sync(ctx, &prefix, dry_run),
            Self::Print { prefix } => profiles_print(ctx, &prefix),
        }
    }
}
