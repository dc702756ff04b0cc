//! The command line: every subcommand and flag, parsed by clap.

use crate::context::Wanted;
use crate::domain::{MfaCode, SessionDuration};
use crate::output::Format;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

mod run_args;
mod session_args;
pub use run_args::{DEFAULT_JOBS, RunArgs};
pub use session_args::{OrgSessionArgs, SessionArgs};

/// What `hats env` prints without `--format`: the platform's usual shell.
const DEFAULT_FORMAT: &str = if cfg!(windows) { "powershell" } else { "sh" };

/// Switch between AWS accounts and IAM roles: MFA asked once, sessions cached in the OS keyring.
#[derive(Debug, Parser)]
#[command(name = "hats", version, about)]
#[command(
    after_help = "Targets come from ~/.aws/config (profiles with role_arn, mfa_serial with keys, or \
    IAM Identity Center: sso_session/sso_start_url with sso_account_id and sso_role_name) \
    and from hats' config.toml ([[account]] entries, named NAME/ROLE).\n\
    Environment: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HATS_CONFIG, \
    HATS_KEYRING=secret-service|keyutils|none, AWS_ENDPOINT_URL."
)]
pub struct Cli {
    /// Explain what hats does (cache hits, STS calls, limits applied) on stderr. Never prints secrets.
    // Listed after each command's own options, just before --help.
    #[arg(short, long, global = true, display_order = 900)]
    pub verbose: bool,
    /// What to do; without a command, the interactive switcher opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every target with its account (id and name), role, source, MFA device, mode and cached session.
    #[command(visible_alias = "list")]
    Ls {
        /// Print a JSON array for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Run a command with the target's credentials in its environment.
    Exec {
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
        /// Stay the command's parent and serve it credentials that renew themselves
        /// (AWS_CONTAINER_CREDENTIALS_FULL_URI) instead of static keys.
        #[arg(long)]
        serve: bool,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Run a command across many targets (and regions) at once: MFA once, production guarded.
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Start $SHELL (or /bin/sh) with the target's credentials.
    Shell {
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
        /// Serve renewing credentials to the shell instead of static keys (see exec --serve).
        #[arg(long)]
        serve: bool,
    },
    /// Serve the target's renewing credentials to containers until stopped (no command is run).
    Serve {
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Address and port to listen on; loopback with a free port unless named.
        #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen)]
        listen: Option<std::net::SocketAddr>,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Amazon EKS: kubectl tokens from the target's cached session.
    Eks {
        /// What to do.
        #[command(subcommand)]
        command: EksCommand,
    },
    /// Print exports to eval: eval "$(hats env TARGET)".
    Env {
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Output dialect: sh (bash, zsh), fish, powershell, json, dotenv.
        // The values are named in the help line itself: listed by clap with their
        // own help, they would switch this one command's help to another layout.
        #[arg(long, short, value_enum, default_value = DEFAULT_FORMAT, hide_possible_values = true)]
        format: Format,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Print the credential_process document; use as `credential_process = hats credential-process TARGET`.
    CredentialProcess {
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Show the account, ARN and user id of a target's credentials (or of the current environment).
    Whoami {
        /// Target name; without it, the credentials AWS tools would use here.
        #[arg(add = crate::commands::target_completer())]
        target: Option<String>,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Open the AWS console signed in as the target, with its launcher (browser, container, profile).
    Login {
        /// Target name (see `hats ls`); must be a role.
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Print the URL instead of opening a browser (with --launcher: the command that would run).
        #[arg(long)]
        print: bool,
        /// How to open it: default, firefox-container, chrome-profile, command (default: from hats' config).
        #[arg(long, value_name = "LAUNCHER", value_parser = parse_launcher)]
        launcher: Option<crate::config::LauncherKind>,
        /// Console page to land on by short name: s3, ec2, iam, lambda, logs, ...
        #[arg(long, value_name = "NAME", conflicts_with = "destination")]
        service: Option<String>,
        /// Console page to land on: a path (/s3/buckets?region=eu-west-1) or a console URL.
        #[arg(long, value_name = "PATH_OR_URL")]
        destination: Option<String>,
        /// Sign the browser out of the console first, whatever the configuration says.
        #[arg(long)]
        sign_out: bool,
        /// Options for getting the session (--region picks the console region).
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Show the local history of hand-outs (no secrets are ever recorded).
    History {
        /// Print a JSON array for scripts.
        #[arg(long)]
        json: bool,
        /// Only hand-outs this recent: 7d, 12h, 90m.
        #[arg(long, value_name = "AGE", value_parser = parse_duration)]
        since: Option<SessionDuration>,
        /// Every hand-out of one `hats run` (the table shows a run as one row with its id).
        #[arg(long, value_name = "ID")]
        run: Option<String>,
    },
    /// Remove cached role and MFA sessions from the keyring (sign-ins stay: hats sso logout).
    Forget {
        /// Target whose sessions to remove.
        #[arg(required_unless_present = "all", conflicts_with = "all", add = crate::commands::target_completer())]
        target: Option<String>,
        /// Remove every cached role and MFA session.
        #[arg(long)]
        all: bool,
    },
    /// IAM users' long-term access keys in the OS keyring instead of ~/.aws/credentials.
    Keys {
        /// What to do.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// AWS Organizations: discover accounts and offer roles in them.
    Org {
        /// What to do.
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// SAML sources ([saml.NAME] in hats' config): discover the roles an assertion grants.
    Saml {
        /// What to do.
        #[command(subcommand)]
        command: SamlCommand,
    },
    /// IAM Identity Center: sign in, see every sign-in, discover its accounts, or sign out.
    Sso {
        /// What to do.
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// AWS profiles for every target in ~/.aws/config, for tools that read only AWS_PROFILE.
    Profiles {
        /// What to do.
        #[command(subcommand)]
        command: ProfilesCommand,
    },
    /// Print the shell function for your rc file, so `hats use` can switch the current shell.
    #[command(
        after_help = "Install: add `eval \"$(hats init bash)\"` to ~/.bashrc (zsh: ~/.zshrc); \
        fish: `hats init fish | source` in ~/.config/fish/config.fish"
    )]
    Init {
        #[arg(value_enum)]
        shell: crate::output::InitShell,
        /// Also renew the exported session before each prompt once it nears its end (never asks for MFA).
        #[arg(long)]
        hook: bool,
    },
    /// Switch the current shell to a target; needs the function from `hats init`.
    Use {
        /// Target name; without it, pick one in the switcher (Enter or e).
        #[arg(add = crate::commands::target_completer())]
        target: Option<String>,
        /// Remove the credentials and HATS_* variables `hats use` set.
        #[arg(long, conflicts_with = "target")]
        unset: bool,
        /// Run by the prompt hook: renew the exported session if it is due.
        #[arg(long, hide = true, conflicts_with_all = ["target", "unset"])]
        hook: bool,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Print the exported target and its time left, for a prompt (reads only the environment).
    Prompt,
    /// Print the shell completion script (target names complete too).
    #[command(
        after_help = "Install: hats completions bash > ~/.local/share/bash-completion/completions/hats"
    )]
    Completions { shell: clap_complete::Shell },
}

/// `hats profiles` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Write a [profile PREFIX+TARGET] for every target into hats' block of the AWS config.
    Sync {
        /// Start of every profile name; `/` in target names becomes `.`.
        #[arg(long, default_value = crate::config::profile_block::DEFAULT_PREFIX)]
        prefix: String,
        /// Print the change as a diff and leave the file alone.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the block `sync` would write.
    Print {
        /// Start of every profile name; `/` in target names becomes `.`.
        #[arg(long, default_value = crate::config::profile_block::DEFAULT_PREFIX)]
        prefix: String,
    },
}

/// `hats eks` subcommands.
#[derive(Debug, Subcommand)]
pub enum EksCommand {
    /// Print a client.authentication.k8s.io/v1beta1 ExecCredential (kubectl's exec plugin).
    Token {
        /// The EKS cluster's name (signed into the token).
        #[arg(long, value_name = "NAME")]
        cluster: String,
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
        /// Options for getting the session.
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Add a user, cluster and context that call `hats eks token` to KUBECONFIG or ~/.kube/config.
    Kubeconfig {
        /// The EKS cluster's name.
        #[arg(long, value_name = "NAME")]
        cluster: String,
        /// The API server's URL (https://...).
        #[arg(long, value_name = "URL")]
        server: String,
        /// The cluster's CA certificate (PEM); its content goes into the kubeconfig.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// Target name (see `hats ls`).
        #[arg(add = crate::commands::target_completer())]
        target: String,
    },
}

/// `hats sso` subcommands.
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign in (browser with PKCE, or a device code) and keep the token in the keyring.
    Login {
        /// The sso-session's name, or a profile that signs in through one; the only one when omitted.
        session: Option<String>,
        /// The profile whose sso-session to sign in to.
        #[arg(long, value_name = "NAME", conflicts_with = "session", add = crate::commands::target_completer())]
        profile: Option<String>,
        /// Print the URL instead of opening a browser (uses the device code flow).
        #[arg(long)]
        no_browser: bool,
        /// Use the device code flow even when a browser could be opened.
        #[arg(long)]
        use_device_code: bool,
    },
    /// Sign out: remove the token, its AWS CLI copy and its role sessions, then tell the portal.
    Logout {
        /// The sso-session's name, or a profile that signs in through one; the only one when omitted.
        session: Option<String>,
    },
    /// Every sso-session: signed in or not, time left, whether the AWS CLI shares the sign-in.
    #[command(visible_alias = "list")]
    Status {
        /// Print a JSON array for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Discover every account and role assigned to you now (also runs after login and when stale).
    Sync {
        /// The sso-session's name, or a profile that signs in through one; the only one when omitted.
        session: Option<String>,
    },
}

/// `hats saml` subcommands.
#[derive(Debug, Subcommand)]
pub enum SamlCommand {
    /// Run a source's assertion_process now and list the roles its assertion grants.
    Sync {
        /// The [saml.NAME] source; every source when omitted.
        source: Option<String>,
    },
}

/// `hats org` subcommands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Refresh the cached list of accounts, OUs and tags now.
    Sync {
        /// Options for the source's session.
        #[command(flatten)]
        session: OrgSessionArgs,
    },
}

/// Examples under `hats run --help`.
const RUN_EXAMPLES: &str = "Examples:
  hats run --ou Workloads/Prod --role ReadOnly -- aws s3 ls
  hats run 'team-*/ReadOnly' --json -- aws sts get-caller-identity | jq -r .stdout
  hats run --all --region eu-west-1 --region us-east-1 -- aws ec2 describe-vpcs
Each command gets the target's credentials in its environment (as `hats exec`) plus
HATS_TARGET, HATS_ACCOUNT_ID, HATS_ACCOUNT_NAME, HATS_ROLE_ARN and AWS_REGION.
Exit status: 0 when every command succeeded, 1 when any failed, 130 after Ctrl-C.";

/// The commands [`Cli::names_a_hand_out`] recognizes before parsing.
const HAND_OUTS: [&str; 7] = [
    "env",
    "exec",
    "credential-process",
    "shell",
    "login",
    "serve",
    "run",
];

impl Cli {
    /// Whether the raw arguments name a command that hands out a target's
    /// session through the cache, so the keyring can start opening before
    /// clap parses them. A guess, checked after parsing against
    /// [`Command::opens_keyring`]: a wrong "yes" costs one unused connection
    /// to the bus, a wrong "no" only the head start.
    pub fn names_a_hand_out(args: &[OsString]) -> bool {
        let command = args
            .iter()
            .skip(1)
            .find(|a| !a.as_encoded_bytes().starts_with(b"-"));
        // `--help` prints and exits.
        let opted_out = args.iter().any(|a| ["--help", "-h"].iter().any(|o| a == o));
        command.is_some_and(|c| HAND_OUTS.iter().any(|h| c == h)) && !opted_out
    }
}

impl Command {
    /// Whether the command hands out a target's session through the cache, so
    /// the keyring can be opening while the configuration loads.
    pub fn opens_keyring(&self) -> bool {
        match self {
            // `--no-cache` opens it too: a cached MFA session is still reused.
            Self::Exec { .. }
            | Self::Shell { .. }
            | Self::Env { .. }
            | Self::CredentialProcess { .. }
            | Self::Login { .. }
            | Self::Serve { .. }
            | Self::Run(_)
            | Self::Eks {
                command: EksCommand::Token { .. },
            }
            | Self::Use { target: Some(_), .. } => true,
            Self::Whoami { target, .. } => target.is_some(),
            _ => false,
        }
    }

    /// The targets this command looks at (so start-up can skip loading the
    /// others: an organization's inventory holds thousands).
    pub fn wanted(&self) -> Wanted<'_> {
        match self {
            Self::Exec { target, .. }
            | Self::Shell { target, .. }
            | Self::Env { target, .. }
            | Self::CredentialProcess { target, .. }
            | Self::Login { target, .. }
            | Self::Serve { target, .. }
            | Self::Eks {
                command: EksCommand::Token { target, .. } | EksCommand::Kubeconfig { target, .. },
            } => Wanted::Target(target),
            Self::Whoami { target, .. } | Self::Forget { target, .. } => {
                target.as_deref().map_or(Wanted::Everything, Wanted::Target)
            }
            Self::Use {
                target: Some(target), ..
            } => Wanted::Target(target),
            Self::History { .. } | Self::Completions { .. } | Self::Init { .. } | Self::Prompt => {
                Wanted::NoTargets
            }
            Self::Use { unset: true, .. } | Self::Use { hook: true, .. } => Wanted::NoTargets,
            Self::Ls { .. }
            | Self::Run(_)
            | Self::Keys { .. }
            | Self::Org { .. }
            | Self::Sso { .. }
            | Self::Saml { .. }
            | Self::Profiles { .. }
            | Self::Use { .. } => Wanted::Everything,
        }
    }
}

fn parse_code(raw: &str) -> Result<MfaCode, String> {
    MfaCode::parse(raw).map_err(|e| e.to_string())
}

fn parse_listen(raw: &str) -> Result<std::net::SocketAddr, String> {
    raw.parse().map_err(|_| {
        format!("\"{raw}\" is not an address and port; write ADDR:PORT, e.g. 127.0.0.1:9911 or [::1]:9911")
    })
}

fn parse_region(raw: &str) -> Result<String, String> {
    crate::config::check_region(raw).map(|()| raw.to_owned())
}

fn parse_launcher(s: &str) -> Result<crate::config::LauncherKind, String> {
    s.parse()
}

fn parse_duration(raw: &str) -> Result<SessionDuration, String> {
    SessionDuration::parse(raw).map_err(|e| e.to_string())
}

mod keys;
#[cfg(test)]
mod tests;

pub use keys::KeysCommand;
