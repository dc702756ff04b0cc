//! Builds the switcher's rows and header from the context and the session
//! index: a file read, no keyring, no network, so the first frame is instant.

use super::state::{App, Entry};
use crate::config::{RoleSpec, Source, Spec, Target};
use crate::context::Context;
use crate::session::{Index, IndexedNames, plan_role, source_identity, target_mode};
use jiff::Timestamp;

/// The initial state for `ctx` at `now`.
pub fn initial_app(ctx: &Context, now: Timestamp) -> App {
    let index = ctx.index().read();
    let prefs = super::prefs::load(&super::prefs::path(&ctx.paths.data_dir));
    let indexed = IndexedNames::of(&index);
    let entries = ctx
        .targets
        .targets
        .iter()
        .map(|t| {
            let mut e = entry(ctx, &index, &indexed, t, now);
            e.favourite = prefs.favourites.contains(&e.name);
            e.recent = prefs.recent.iter().position(|n| *n == e.name);
            e.region_choice = prefs.regions.get(&e.name).cloned();
            e
        })
        .collect();
    let mut app = App::new(entries);
    app.mfa_sessions = mfa_sessions(ctx, &index, now);
    let sources: std::collections::BTreeSet<String> = ctx
        .targets
        .targets
        .iter()
        .map(Target::source_description)
        .collect();
    let sources: Vec<String> = sources.into_iter().collect();
    app.sources = sources.join(", ");
    app.nested_in = std::env::var("HATS_TARGET").ok().filter(|t| !t.is_empty());
    app.organization = ctx.file_organization.is_some();
    app.presets = ctx.presets.names();
    app
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

fn entry(ctx: &Context, index: &Index, indexed: &IndexedNames<'_>, target: &Target, now: Timestamp) -> Entry {
    let session = indexed
        .target_key(target, &ctx.settings)
        .and_then(|k| index.sessions.get(&k))
        .filter(|e| e.expires > now);
    let mode = target_mode(target, &ctx.settings);
    let (role_arn, duration) = match &target.spec {
        Spec::Role(spec) => (
            Some(spec.role_arn.to_string()),
            plan_role(spec, None, &ctx.settings).map_or_else(|_| "-".to_owned(), |p| p.duration.to_string()),
        ),
        Spec::UserSession { duration, .. } => (
            None,
            duration.unwrap_or(ctx.settings.mfa_session_duration).to_string(),
        ),
    };
    Entry {
        name: target.name.clone(),
        alias: target.alias.clone(),
        account: target
            .account_id
            .as_ref()
            .map_or_else(|| "-".to_owned(), |id| id.as_str().to_owned()),
        account_name: target.account_name.clone(),
        ou: target.ou_path.clone().filter(|p| !p.is_empty()),
        role: target.role_name().unwrap_or("-").to_owned(),
        role_arn,
        chain: chain(target),
        mfa_serial: target.mfa_device().map(|m| m.serial.to_string()),
        mode,
        region: target.region.clone(),
        region_choice: None,
        source_identity: match &target.spec {
            Spec::Role(spec) => source_identity(spec, &ctx.settings).map(|s| s.to_string()),
            Spec::UserSession { .. } => None,
        },
        preset: None,
        scoped_expires: None,
        duration,
        production: target.production || ctx.settings.is_production_name(&target.name),
        tags: target
            .tags
            .iter()
            .map(|(k, v)| [k.as_str(), "=", v].concat())
            .collect(),
        expires: session.map(|e| e.expires),
        assumed_arn: session.and_then(|e| e.arn.clone()),
        refreshing: None,
        favourite: false,
        recent: None,
        served: Vec::new(),
    }
}

/// `base -> jump -> target`: where the credentials come from.
fn chain(target: &Target) -> String {
    fn walk(spec: &RoleSpec, out: &mut Vec<String>) {
        match &spec.source {
            Source::Role(inner) => {
                walk(inner, out);
                out.push(
                    inner
                        .profile
                        .clone()
                        .unwrap_or_else(|| inner.role_arn.to_string()),
                );
            }
            other => out.push(other.describe()),
        }
    }
    let mut parts = Vec::new();
    if let Spec::Role(spec) = &target.spec {
        walk(spec, &mut parts);
    }
    parts.push(target.name.clone());
    parts.join(" -> ")
}
