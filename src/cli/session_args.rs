//! How a command gets its session: the options every hand-out shares.

use super::{parse_code, parse_duration, parse_region};
use crate::domain::{MfaCode, SessionDuration};
use clap::Args;
use std::path::PathBuf;

/// How `org sync` gets the source's session: the source's own session, so neither
/// scope-down, duration nor region options apply.
#[derive(Debug, Clone, Default, Args)]
pub struct OrgSessionArgs {
    /// MFA code (6 digits), instead of mfa_process or a prompt.
    #[arg(long, value_name = "CODE", value_parser = parse_code)]
    pub mfa_code: Option<MfaCode>,
    /// Neither read nor write the session cache for this call.
    #[arg(long)]
    pub no_cache: bool,
}

/// How to get a session: shared by exec, shell, env, credential-process and whoami.
#[derive(Debug, Clone, Default, Args)]
pub struct SessionArgs {
    /// MFA code (6 digits), instead of mfa_process or a prompt.
    #[arg(long, value_name = "CODE", value_parser = parse_code)]
    pub mfa_code: Option<MfaCode>,
    /// Session length: 1h, 90m, 3600. More than 1h with MFA sends the code to AssumeRole directly.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<SessionDuration>,
    /// Region for the exports and the STS endpoint.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub region: Option<String>,
    /// A new session, neither read from the cache nor kept (a cached MFA session is still used).
    #[arg(long)]
    pub no_cache: bool,
    /// Scope the role session down with this inline policy (a JSON file).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Scope the role session down with this managed policy (repeatable, at most 10).
    #[arg(long = "policy-arn", value_name = "ARN")]
    pub policy_arns: Vec<String>,
    /// Scope the role session down with a preset from hats config ([preset.NAME]).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
}

impl SessionArgs {
    /// The scope-down these options ask for.
    pub fn scope_request(&self) -> crate::config::ScopeRequest<'_> {
        crate::config::ScopeRequest {
            policy_file: self.policy.as_deref(),
            policy_arns: &self.policy_arns,
            preset: self.preset.as_deref(),
        }
    }

    /// Whether any scope-down option is given.
    pub fn scoped(&self) -> bool {
        self.policy.is_some() || !self.policy_arns.is_empty() || self.preset.is_some()
    }
}
