//! The shape of one history line and the pure logic around it: parsing a file's
//! text (damaged lines are skipped, never fatal) and filtering by age.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How credentials left hats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handout {
    /// `hats exec`.
    Exec,
    /// `hats shell`.
    Shell,
    /// `hats env`.
    Env,
    /// `hats credential-process`.
    CredentialProcess,
    /// `hats exec/shell --serve`: served from the loopback endpoint.
    Serve,
    /// `hats eks token`: a kubectl token.
    Eks,
    /// `hats login`: a console sign-in.
    Console,
    /// The interactive switcher.
    Tui,
    /// `hats use` through the shell function (and its prompt hook's renewals).
    Use,
    /// `hats run` (or the switcher's `x`): one of many commands of a run.
    Run,
}

impl Handout {
    /// The name shown in `hats history`.
    pub fn as_str(self) -> &'static str {
        match self {
            Handout::Exec => "exec",
            Handout::Shell => "shell",
            Handout::Env => "env",
            Handout::CredentialProcess => "credential-process",
            Handout::Serve => "serve",
            Handout::Eks => "eks",
            Handout::Console => "console",
            Handout::Tui => "tui",
            Handout::Use => "use",
            Handout::Run => "run",
        }
    }
}

/// One hand-out. Every field is safe to keep on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When the credentials were handed out.
    pub time: Timestamp,
    /// The target's name.
    pub target: String,
    /// The role, for role targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// `RoleSessionName`, for role targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// `SourceIdentity`, when one was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// The scope-down preset, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Whether the session was scoped down by a policy (preset or flags).
    #[serde(default)]
    pub scoped: bool,
    /// When the credentials expire.
    pub expires: Timestamp,
    /// How they were handed out.
    pub how: Handout,
    /// The run this hand-out was part of (`hats run`): one id for all its commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// The records in `text` (one JSON object a line); damaged lines are skipped,
/// because a half-written line must never hide the rest of the history.
pub fn parse_lines(text: &str) -> Vec<Record> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The records no older than `age_secs` before `now`.
pub fn since(records: Vec<Record>, now: Timestamp, age_secs: i64) -> Vec<Record> {
    let from = now.as_second() - age_secs;
    records
        .into_iter()
        .filter(|r| r.time.as_second() >= from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: &str) -> Record {
        Record {
            time: time.parse().unwrap(),
            target: "prod".into(),
            role_arn: Some("arn:aws:iam::222222222222:role/Admin".into()),
            session_name: Some("alice".into()),
            source_identity: None,
            preset: Some("readonly".into()),
            scoped: true,
            expires: "2025-01-01T01:00:00Z".parse().unwrap(),
            how: Handout::CredentialProcess,
            run: None,
        }
    }

    #[test]
    fn lines_round_trip_and_damaged_ones_are_skipped() {
        let line = serde_json::to_string(&record("2025-01-01T00:00:00Z")).unwrap();
        assert!(line.contains("\"how\":\"credential-process\""), "{line}");
        assert!(
            !line.contains("source_identity"),
            "absent fields are left out: {line}"
        );
        let text = format!("{line}\n{{\"time\": 12\n\n{}\n", &line[..line.len() / 2]);
        assert_eq!(parse_lines(&text), [record("2025-01-01T00:00:00Z")]);
    }

    #[test]
    fn since_keeps_recent_records() {
        let now: Timestamp = "2025-01-08T00:00:00Z".parse().unwrap();
        let records = vec![record("2024-12-31T00:00:00Z"), record("2025-01-02T00:00:00Z")];
        let kept = since(records, now, 7 * 86400);
        assert_eq!(kept, [record("2025-01-02T00:00:00Z")]);
    }
}
