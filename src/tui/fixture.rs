//! Rows and a fixed clock for the switcher's unit and snapshot tests.

use super::state::{App, Detail, Entry};
use jiff::Timestamp;
use std::sync::Arc;

/// 2026-11-22 12:00:00 UTC.
pub fn now() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

pub fn entry(name: &str, account: &str, role: &str) -> Entry {
    Entry {
        name: name.into(),
        account: crate::domain::AccountId::parse(account).ok(),
        account_name: None,
        ou: None,
        role: role.into(),
        is_role: true,
        detail: Some(Box::new(Detail {
            role_arn: Some(format!("arn:aws:iam::{account}:role/{role}")),
            chain: format!("alice -> {name}"),
            keys: None,
            mfa_serial: Some("arn:aws:iam::111111111111:mfa/alice".into()),
            mode: "mfa-session",
            duration: "1h".into(),
            source_identity: None,
            console: None,
        })),
        region: Some("eu-west-1".into()),
        region_choice: None,
        partition: crate::domain::Partition::Aws,
        preset: None,
        scoped_expires: None,
        production: false,
        tags: Arc::new([]),
        expires: None,
        assumed_arn: None,
        refreshing: None,
        favourite: false,
        recent: None,
        served: Vec::new(),
    }
}

/// Five targets: one production with 42 minutes left, one expiring in 4 minutes.
pub fn app() -> App {
    let mut prod = entry("prod-admin", "222222222222", "Admin");
    prod.production = true;
    prod.account_name = Some("production".into());
    prod.expires = Some(now() + jiff::SignedDuration::from_secs(42 * 60 + 7));
    prod.assumed_arn = Some("arn:aws:sts::222222222222:assumed-role/Admin/alice".into());
    let mut staging = entry("staging-dev", "333333333333", "Developer");
    staging.expires = Some(now() + jiff::SignedDuration::from_secs(4 * 60 + 30));
    let mut data = entry("data/Analyst", "444444444444", "Analyst");
    data.tags = Arc::new(["team=core".into()]);
    let entries = vec![
        prod,
        staging,
        data,
        entry("sandbox/ReadOnly", "555555555555", "ReadOnly"),
        entry("audit-via-prod", "666666666666", "Auditor"),
    ];
    let mut app = App::new(entries);
    app.sources = "alice".into();
    app.mfa_sessions = vec![(
        "arn:aws:iam::111111111111:mfa/alice".into(),
        Some(now() + jiff::SignedDuration::from_secs(11 * 3600 + 42 * 60 + 7)),
    )];
    app.tz = jiff::tz::TimeZone::UTC.into();
    app
}

/// The fixture with long names, roles and source list, two MFA devices and a
/// served, scoped-down row: what has to fit at every terminal size.
pub fn long_app() -> App {
    let mut app = app();
    app.sources = "alice, bob-the-builder, ci-deployer (static keys), sso:engineering-portal".into();
    app.mfa_sessions.push((
        "arn:aws:iam::999999999999:mfa/bob-the-builder".into(),
        Some(now() + jiff::SignedDuration::from_secs(3 * 3600 + 15 * 60)),
    ));
    let long = &mut app.entries[2];
    long.name = "platform-engineering-shared-services-production/AdministratorAccessForBreakGlass".into();
    long.role = "AdministratorAccessForBreakGlass".into();
    long.account_name = Some("platform-engineering-shared-services-production".into());
    long.preset = Some("read-only".into());
    long.served = vec![super::state::ServedCommand {
        target: long.name.clone(),
        command: "terraform".into(),
        expires: now() + jiff::SignedDuration::from_secs(50 * 60),
    }];
    app.entries[3].favourite = true;
    app
}
