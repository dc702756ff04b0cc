//! `hats ls`: every target and its cached session, from config and the index only
//! (no keyring, no network).

use crate::context::Context;
use crate::domain::AccountId;
use crate::domain::format_remaining;
use crate::error::Error;
use crate::inventory::{Origin, Spec, Target};
use crate::session::{Index, IndexEntry, IndexedNames};
use jiff::Timestamp;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// Prints the target list as a table or a JSON array.
pub fn ls(ctx: &Context, as_json: bool) -> Result<(), Error> {
    for (name, problem) in &ctx.targets.broken {
        eprintln!("hats: skipping \"{name}\": {problem}");
    }
    if let Some(org) = &ctx.file_organization
        && crate::config::is_stale(ctx.inventory.as_ref(), org, ctx.clock.now())
    {
        let state = ctx.inventory.as_ref().map_or_else(
            || "has not been discovered yet".to_owned(),
            |inv| {
                format!(
                    "was discovered {}s ago",
                    ctx.clock.now().as_second() - inv.fetched_at.as_second()
                )
            },
        );
        eprintln!("hats: the organization {state}; run `hats org sync` to refresh it");
    }
    if let Some(warning) = super::plaintext_warning(&ctx.targets) {
        eprintln!("hats: {warning}");
    }
    let index = ctx.index().read();
    let now = ctx.clock.now();
    let indexed = IndexedNames::of(&index);
    let mut rows: Vec<Row<'_>> = ctx
        .targets
        .targets
        .iter()
        .map(|target| Row {
            target,
            session: live(&index, indexed.target_key(target, &ctx.settings), now),
            mfa_session: live(&index, indexed.target_mfa_key(target, &ctx.settings), now),
            mode: crate::session::target_mode(target, &ctx.settings),
        })
        .collect();
    if !as_json {
        // A person looks a name up: the table is in name order. The JSON array
        // keeps the configuration's order, which scripts may rely on.
        rows.sort_by_cached_key(|r| r.target.name.to_lowercase());
    }
    let stdout = std::io::stdout().lock();
    // Indented for a person at a terminal, compact for a program reading a
    // pipe: with an organization the array runs to megabytes, and indenting it
    // costs a third of the time.
    let for_person = stdout.is_terminal();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    if as_json {
        // Streamed, not built as one string first.
        let items = JsonItems {
            rows: &rows,
            settings: &ctx.settings,
            now,
        };
        if for_person {
            serde_json::to_writer_pretty(&mut out, &items)
        } else {
            serde_json::to_writer(&mut out, &items)
        }
        .map_err(std::io::Error::from)
        .map_err(Error::Output)?;
        out.write_all(b"\n").map_err(Error::Output)?;
    } else {
        out.write_all(table(&rows, now).as_bytes())
            .map_err(Error::Output)?;
    }
    out.flush().map_err(Error::Output)?;
    if rows.is_empty() && !as_json {
        // A hint for the person, not data: stdout stays the (empty) table.
        eprintln!("hats: {}", crate::inventory::NO_TARGETS_HINT);
    }
    Ok(())
}

struct Row<'a> {
    target: &'a Target,
    session: Option<&'a IndexEntry>,
    mfa_session: Option<&'a IndexEntry>,
    mode: &'static str,
}

fn live(index: &Index, key: Option<String>, now: Timestamp) -> Option<&IndexEntry> {
    index.sessions.get(&key?).filter(|e| e.expires > now)
}

fn remaining(entry: Option<&IndexEntry>, now: Timestamp) -> String {
    entry.map_or_else(
        || "-".to_owned(),
        |e| format_remaining(e.expires.as_second() - now.as_second()),
    )
}

fn table(rows: &[Row<'_>], now: Timestamp) -> String {
    let header = [
        "TARGET",
        "ACCOUNT",
        "ACCOUNT NAME",
        "ROLE",
        "SOURCE",
        "MFA",
        "MODE",
        "SESSION",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            let t = r.target;
            [
                t.name.clone(),
                t.account_id
                    .as_ref()
                    .map_or_else(|| "-".into(), ToString::to_string),
                // The account alias or organization account name, as the switcher shows it.
                t.account_name.as_deref().unwrap_or("-").to_owned(),
                t.role_name().unwrap_or("-").to_owned(),
                t.source_description(),
                t.mfa_device()
                    .map_or_else(|| "-".into(), |m| short_device(m.serial.as_str())),
                r.mode.to_owned(),
                remaining(r.session, now),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: &[&str]| {
        let mut text = String::new();
        for (i, (col, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                text.push_str(col);
            } else {
                let _ = write!(text, "{col:<w$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &cells {
        line(&row.each_ref().map(String::as_str));
    }
    out
}

/// `arn:aws:iam::111111111111:mfa/alice` → `alice`; hardware serials stay as they are.
fn short_device(serial: &str) -> String {
    serial
        .rsplit_once(":mfa/")
        .map_or(serial, |(_, name)| name)
        .to_owned()
}

/// One element of `hats ls --json`; field names and order are the stable contract.
#[derive(Serialize)]
struct JsonTarget<'a> {
    name: &'a str,
    alias: Option<&'a str>,
    origin: &'static str,
    ou_path: Option<&'a str>,
    account_id: Option<&'a str>,
    account_name: Option<&'a str>,
    role_name: Option<&'a str>,
    role_arn: Option<&'a str>,
    /// The AWS profile behind it, if one is (`hats ls`' SOURCE column is `source`).
    source_profile: Option<&'a str>,
    source: String,
    mfa_serial: Option<&'a str>,
    mode: &'static str,
    region: Option<&'a str>,
    production: bool,
    tags: &'a crate::domain::Tags,
    /// `SourceIdentity` sent when assuming the role (its own or the configured default).
    source_identity: Option<String>,
    session: Option<JsonSession<'a>>,
    mfa_session: Option<JsonSession<'a>>,
}

#[derive(Serialize)]
struct JsonSession<'a> {
    expires: String,
    remaining_seconds: i64,
    assumed_role_arn: Option<&'a str>,
}

/// The JSON array, each element built as it is written: with an organization
/// a vector of them all would be megabytes more to fault in.
struct JsonItems<'a> {
    rows: &'a [Row<'a>],
    settings: &'a crate::config::Settings,
    now: Timestamp,
}

impl Serialize for JsonItems<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.rows.iter().map(|r| json_item(r, self.settings, self.now)))
    }
}

fn json_item<'a>(r: &'a Row<'a>, settings: &crate::config::Settings, now: Timestamp) -> JsonTarget<'a> {
    let session = |e: Option<&IndexEntry>| {
        e.map(|e| JsonSession {
            expires: e.expires.to_string(),
            remaining_seconds: e.expires.as_second() - now.as_second(),
            assumed_role_arn: None,
        })
    };
    let t = r.target;
    JsonTarget {
        name: &t.name,
        alias: t.alias.as_deref(),
        origin: match t.origin {
            Origin::AwsProfile => "aws-config",
            Origin::HatsConfig => "hats-config",
            Origin::Organization => "organization",
            Origin::IdentityCenter => "identity-center",
            Origin::Saml => "saml",
        },
        ou_path: t.ou_path.as_deref(),
        account_id: t.account_id.as_ref().map(AccountId::as_str),
        account_name: t.account_name.as_deref(),
        role_name: t.role_name(),
        role_arn: match &t.spec {
            Spec::Role(chain) => Some(chain.role.role_arn.as_str()),
            Spec::UserSession { .. } | Spec::Sso(_) => None,
        },
        source_profile: t.source_profile(),
        source: t.source_description(),
        mfa_serial: t.mfa_device().map(|m| m.serial.as_str()),
        mode: r.mode,
        region: t.region.as_deref(),
        production: t.production,
        tags: &t.tags,
        source_identity: match &t.spec {
            Spec::Role(chain) => {
                crate::session::source_identity(&chain.role, settings).map(|s| s.to_string())
            }
            Spec::UserSession { .. } | Spec::Sso(_) => None,
        },
        session: session(r.session).map(|mut s| {
            s.assumed_role_arn = r.session.and_then(|e| e.arn.as_deref());
            s
        }),
        mfa_session: session(r.mfa_session),
    }
}
