//! Builds the switcher's rows and header from the context and the session
//! index: a file read, no keyring, no network, so the first frame is instant.

use super::state::{App, Detail, Entry, SsoSignIn};
use crate::config::SsoSession;
use crate::context::Context;
use crate::domain::Tags;
use crate::inventory::{KeysAt, RoleSpec, Spec, Target};
use crate::session::{Index, IndexedNames, KeyringChoice, plan_role, source_identity, target_mode};
use foldhash::HashMap;
use jiff::Timestamp;
use std::sync::Arc;

/// The initial state for `ctx` at `now`.
pub fn initial_app(ctx: &Context, now: Timestamp) -> App {
    let index = cached_index(ctx);
    let rows = Rows {
        ctx,
        index: &index,
        indexed: IndexedNames::of(&index),
        prefs: super::prefs::load(&super::prefs::path(&ctx.paths.data_dir)),
        now,
    };
    let mut last_tags = None;
    // Thousands of rows, a few role names: each name made once.
    let mut roles: HashMap<&str, Arc<str>> = HashMap::default();
    // Pushed one by one: a row is ~300 bytes, and each step of an iterator chain would copy it again.
    let mut entries = Vec::with_capacity(ctx.targets.targets.len());
    for t in &ctx.targets.targets {
        let tags = tag_lines(t, &mut last_tags);
        let role = t.role_name().unwrap_or("-");
        let role = Arc::clone(roles.entry(role).or_insert_with(|| role.into()));
        entries.push(rows.entry(t, tags, role));
    }
    let mut app = App::new(entries);
    app.mfa_sessions = mfa_sessions(ctx, &index, now);
    // Read from the keyring once the first frame is out (`runner::sso`).
    app.sso_signins = sso_sessions_in_use(ctx)
        .iter()
        .map(|s| SsoSignIn {
            session: s.key().to_owned(),
            known: false,
            expires: None,
            renewable: false,
        })
        .collect();
    let mut sources = std::collections::BTreeSet::new();
    let mut previous: Option<&Target> = None;
    for target in &ctx.targets.targets {
        // An organization's roles share one source: described once, not once per role.
        if previous.is_none_or(|p| !same_source(p, target)) {
            sources.insert(source_label(ctx, target));
        }
        previous = Some(target);
    }
    app.sources = sources.into_iter().collect::<Vec<_>>().join(", ");
    app.nested_in = crate::output::inside_hats_shell();
    app.caching = caching();
    app.organization = ctx.file_organization.is_some();
    app.identity_center = !ctx.sso_sessions.is_empty();
    app.presets = ctx.presets.names();
    app
}

/// Whether sessions are cached: not with `HATS_KEYRING=none` (a bad value
/// fails at the first hand-out with its own message).
fn caching() -> bool {
    KeyringChoice::from_env() != Ok(KeyringChoice::None)
}

/// The session index, or an empty one when caching is off: sessions listed
/// there from earlier runs will not be used, so no countdown may suggest so.
pub fn cached_index(ctx: &Context) -> Index {
    if caching() {
        ctx.index().read()
    } else {
        Index::default()
    }
}

/// Whether two role targets are assumed with the same source's credentials.
fn same_source(a: &Target, b: &Target) -> bool {
    match (&a.spec, &b.spec) {
        (Spec::Role(a), Spec::Role(b)) => a.base == b.base && a.via == b.via,
        _ => false,
    }
}

/// MFA session expiry per device, as the header shows it.
pub fn mfa_sessions(ctx: &Context, index: &Index, now: Timestamp) -> Vec<(String, Option<Timestamp>)> {
    let indexed = IndexedNames::of(index);
    let mut devices: Vec<(String, Option<Timestamp>)> = Vec::new();
    for target in &ctx.targets.targets {
        let Some(device) = target.mfa_device() else {
            continue;
        };
        let serial = device.serial.to_string();
        let expires = indexed
            .target_mfa_key(target, &ctx.settings)
            .and_then(|k| index.sessions.get(&k))
            .map(|e| e.expires)
            .filter(|t| *t > now);
        match devices.iter_mut().find(|(s, _)| *s == serial) {
            Some((_, known)) => *known = (*known).max(expires),
            None => devices.push((serial, expires)),
        }
    }
    devices
}

/// The Identity Center sign-ins `ctx`'s targets use, as their own source or at
/// the start of a chain, once each, in the order first met.
pub fn sso_sessions_in_use(ctx: &Context) -> Vec<SsoSession> {
    let mut found: Vec<SsoSession> = Vec::new();
    for session in ctx.targets.targets.iter().filter_map(Target::sso_session) {
        if !found.iter().any(|f| f.key() == session.key()) {
            found.push(session.clone());
        }
    }
    found
}

/// The last tag map turned into lines, and those lines.
type LastTags = Option<(Arc<Tags>, Arc<[String]>)>;

/// The tags of `target` as `k=v` lines, shared with the previous row when it
/// is in the same account (an organization's roles share one tag map).
fn tag_lines(target: &Target, last: &mut LastTags) -> Arc<[String]> {
    if let Some((map, lines)) = last
        && Arc::ptr_eq(map, &target.tags)
    {
        return Arc::clone(lines);
    }
    let lines: Arc<[String]> = target.tags.iter().map(|(k, v)| [k, "=", v].concat()).collect();
    *last = Some((Arc::clone(&target.tags), Arc::clone(&lines)));
    lines
}

/// What every row is made from.
struct Rows<'a> {
    ctx: &'a Context,
    index: &'a Index,
    indexed: IndexedNames<'a>,
    prefs: super::prefs::Prefs,
    now: Timestamp,
}

impl Rows<'_> {
    /// The row of `target`.
    fn entry(&self, target: &Target, tags: Arc<[String]>, role: Arc<str>) -> Entry {
        let Self {
            ctx,
            index,
            indexed,
            prefs,
            now,
        } = self;
        let session = indexed
            .target_key(target, &ctx.settings)
            .and_then(|k| index.sessions.get(&k))
            .filter(|e| e.expires > *now);
        let name = &target.name;
        Entry {
            name: target.name.clone(),
            account: target.account_id,
            account_name: target.account_name.clone(),
            ou: target.ou_path.clone().filter(|p| !p.is_empty()),
            role,
            is_role: matches!(target.spec, Spec::Role(_)),
            detail: None,
            region: target.region.clone(),
            region_choice: prefs.regions.get(name).cloned(),
            partition: target.partition(),
            preset: None,
            scoped_expires: None,
            production: target.production || ctx.settings.is_production_name(&target.name),
            tags,
            expires: session.map(|e| e.expires),
            assumed_arn: session.and_then(|e| e.arn.clone()),
            refreshing: None,
            favourite: prefs.favourites.contains(name),
            recent: prefs.recent.iter().position(|n| n == name),
            served: Vec::new(),
        }
    }
}

/// Makes the selected row's [`Detail`] if it has none yet: call before drawing.
/// Rows are in the order of `ctx`'s targets.
pub fn describe_selected(app: &mut App, ctx: &Context) {
    if let Some(i) = app.selected_entry()
        && app.entries[i].detail.is_none()
        && let Some(target) = ctx.targets.targets.get(i)
    {
        app.entries[i].detail = Some(Box::new(detail(ctx, target)));
    }
}

/// What the detail pane shows about `target`.
/// The source of `target` for the header: where an IAM user's keys live is
/// said next to that user's profile (not beside a role chained behind it).
fn source_label(ctx: &Context, target: &Target) -> String {
    let mut source = target.source_description();
    match ctx.targets.keys_of(target) {
        Some((user, KeysAt::Keyring)) if user == source => source.push_str(" (keyring)"),
        Some((user, KeysAt::AwsFiles)) if user == source => source.push_str(" (plaintext keys)"),
        _ => {}
    }
    source
}

fn detail(ctx: &Context, target: &Target) -> Detail {
    let (role_arn, duration, source_identity) = match &target.spec {
        Spec::Role(chain) => (
            Some(chain.role.role_arn.to_string()),
            plan_role(chain, None, &ctx.settings).map_or_else(|_| "-".to_owned(), |p| p.duration.to_string()),
            source_identity(&chain.role, &ctx.settings).map(|s| s.to_string()),
        ),
        Spec::UserSession { duration, .. } => (
            None,
            duration.unwrap_or(ctx.settings.mfa_session_duration).to_string(),
            None,
        ),
        // The portal sets the length (the permission set's session duration), and
        // names the role in IAM itself (`AWSReservedSSO_...`): show what the user picked.
        Spec::Sso(sso) => (
            Some(format!(
                "{} in {} (Identity Center)",
                sso.role_name,
                sso.account_id.as_str()
            )),
            "-".to_owned(),
            None,
        ),
    };
    Detail {
        role_arn,
        keys: ctx.targets.keys_of(target).map(|(profile, at)| match at {
            KeysAt::Keyring => format!("{profile}: in the OS keyring"),
            KeysAt::AwsFiles => {
                format!("{profile}: plaintext in the AWS files (hats keys import {profile})")
            }
        }),
        chain: chain(target),
        mfa_serial: target.mfa_device().map(|m| m.serial.to_string()),
        mode: target_mode(target, &ctx.settings),
        duration,
        source_identity,
        console: crate::console::describe(ctx, target),
    }
}

/// `base -> jump -> target`: where the credentials come from.
fn chain(target: &Target) -> String {
    let mut parts = Vec::new();
    match &target.spec {
        Spec::Role(chain) => {
            parts.push(chain.base.describe());
            parts.extend(chain.via.iter().map(RoleSpec::label));
        }
        Spec::Sso(sso) => parts.push(format!("sso {}", sso.session.key())),
        Spec::UserSession { .. } => {}
    }
    parts.push(target.name.clone());
    parts.join(" -> ")
}
