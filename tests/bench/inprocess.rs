//! In-process benchmarks (Criterion) of the paths that decide how fast the
//! switcher feels with a large organization: 5,000 accounts x 3 roles.
//!
//! - loading every target (AWS files, hats config, organization inventory),
//! - building the switcher's first state from them, and drawing its first frame,
//! - building the rows' search text (the runner does it once the first frame is out),
//! - the first fuzzy-filter keystroke, and one more, over the 15,000 rows,
//! - one frame of the filtered list.
//!
//! Run with `cargo bench --bench inprocess` (tests/bench/run.sh runs it too).
//! These report; nothing here asserts a time.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hats::context::Context;
use hats::tui::update::{Msg, update};
use hats::tui::view::{Theme, draw};
use ratatui::{Terminal, backend::TestBackend};
use std::path::Path;

const ACCOUNTS: usize = 5000;

// The same allocator as the `hats` binary, so allocation costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes a HOME with an organization of `ACCOUNTS` accounts and points hats at it.
fn organization_home(home: &Path) {
    let write = |path: &str, text: &str| {
        let path = home.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(".aws/config", "[profile org]\nregion = us-east-1\n");
    write(
        ".aws/credentials",
        "[org]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = bench\n",
    );
    write(
        ".config/hats/config.toml",
        "[organization]\nsource = \"org\"\nroles = [\"Admin\", \"Developer\", \"ReadOnly\"]\nttl = \"30d\"\n",
    );
    let ous = ["Production", "Workloads", "Sandbox", "Security", "Data"];
    let accounts: Vec<serde_json::Value> = (0..ACCOUNTS)
        .map(|i| {
            let ou = ous[i % ous.len()];
            serde_json::json!({
                "id": format!("{}", 100_000_000_000u64 + i as u64),
                "name": format!("team-{i:04}-{}", ou.to_lowercase()),
                "state": "ACTIVE",
                "ou_path": [ou, format!("unit-{}", i % 37)],
                "tags": {"team": format!("t{}", i % 101), "env": ou.to_lowercase()},
            })
        })
        .collect();
    let inventory = serde_json::json!({"fetched_at": "2026-11-22T12:00:00Z", "accounts": accounts});
    write(".cache/hats/organization.json", &inventory.to_string());
    // SAFETY: set once, before any thread of this benchmark starts.
    unsafe {
        for (key, dir) in [
            ("HOME", ""),
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_CACHE_HOME", ".cache"),
            ("XDG_DATA_HOME", ".local/share"),
            ("AWS_CONFIG_FILE", ".aws/config"),
            ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
        ] {
            std::env::set_var(key, home.join(dir));
        }
        std::env::remove_var("HATS_CONFIG");
        std::env::remove_var("AWS_PROFILE");
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn benches(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    organization_home(home.path());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let load = || runtime.block_on(Context::load(false)).unwrap();
    let ctx = load();
    let now = ctx.clock.now();
    assert_eq!(
        ctx.targets.targets.len(),
        ACCOUNTS * 3,
        "the bench organization did not load"
    );

    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
    let theme = Theme::new(false);
    c.bench_function("load 15,000 targets", |b| b.iter(load));
    c.bench_function("first frame (load, state, draw)", |b| {
        b.iter(|| {
            let ctx = load();
            let mut app = hats::tui::initial_app(&ctx, now);
            hats::tui::describe_selected(&mut app, &ctx);
            terminal.draw(|f| draw(f, &app, now, theme)).unwrap();
        });
    });

    let mut app = hats::tui::initial_app(&ctx, now);
    c.bench_function("build the search text (once, after the first frame)", |b| {
        b.iter_batched_ref(
            || app.clone(),
            |app| app.filter.prepare(&app.entries),
            BatchSize::LargeInput,
        );
    });
    app.filter.prepare(&app.entries);
    update(&mut app, key('/'), now);
    c.bench_function("first filter keystroke over 15,000 targets", |b| {
        b.iter_batched_ref(
            || app.clone(),
            |app| update(app, key('t'), now),
            BatchSize::LargeInput,
        );
    });
    for msg in [key('t'), key('e'), key('a'), key('m'), key('1')] {
        update(&mut app, msg, now);
    }
    c.bench_function("filter keystroke over 15,000 targets", |b| {
        b.iter_batched_ref(
            || app.clone(),
            |app| update(app, key('2'), now),
            BatchSize::LargeInput,
        );
    });
    c.bench_function("draw one frame of the filtered list", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, &app, now, theme)).unwrap();
        });
    });
}

criterion_group!(inprocess, benches);
criterion_main!(inprocess);
