//! A real browser: Debian's chromium, headless, started by `hats login` against the
//! federation stand-in, whose sign-in page sets a cookie named after the account.
//! `chrome-profile` gives each target a cookie store of its own and reuses it; a
//! shared browser is signed out before another account signs in (and without
//! that, the stand-in refuses the sign-in as the console does).

use crate::console::Bed;
use crate::harness::require;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long one headless page load may take on a busy 2-core machine (a bound, not a measurement).
const PAGE_TIMEOUT: Duration = Duration::from_secs(120);

/// A script that runs chromium headless on the arguments hats gives it, loads
/// the page, writes the DOM and, once chromium has exited (its cookies saved),
/// a `done-N` file holding its exit status.
fn headless_chromium(home: &Path) -> PathBuf {
    let chromium = require("chromium", "chromium");
    let script = format!(
        r#"#!/bin/sh
n=$(date +%s%N)
# The flags this machine needs (no sandbox as root, no network beyond loopback).
{} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --no-proxy-server --password-store=basic --dump-dom "$@" > "$HOME/dom-$n.html" 2> "$HOME/chromium-$n.err"
echo $? > "$HOME/done-$n.tmp" && mv "$HOME/done-$n.tmp" "$HOME/done-$n"
"#,
        chromium.display()
    );
    let path = home.join("bin/headless-chromium");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path
}

fn done_files(home: &Path) -> usize {
    std::fs::read_dir(home)
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("done-") && !name.ends_with(".tmp")
        })
        .count()
}

/// `hats login ARGS` and wait for chromium to have loaded the page and exited.
fn open(bed: &Bed, args: &[&str]) {
    let before = done_files(&bed.sb.home);
    let mut all = vec!["login"];
    all.extend_from_slice(args);
    bed.sb.hats(&all).ok();
    let started = Instant::now();
    while done_files(&bed.sb.home) == before {
        assert!(
            started.elapsed() < PAGE_TIMEOUT,
            "chromium did not finish within {PAGE_TIMEOUT:?}; its stderr is in {}",
            bed.sb.home.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The (host, name) of every cookie in the profile at `user_data_dir`.
fn cookies(user_data_dir: &Path) -> Vec<(String, String)> {
    let db = ["Default/Cookies", "Default/Network/Cookies"]
        .iter()
        .map(|p| user_data_dir.join(p))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no cookie store in {}", user_data_dir.display()));
    let out = std::process::Command::new(require("python3", "python3"))
        .args([
            "-c",
            "import json, sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
             print(json.dumps(db.execute('select host_key, name from cookies order by name').fetchall()))",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn signin_cookies(user_data_dir: &Path) -> Vec<String> {
    cookies(user_data_dir)
        .into_iter()
        .filter(|(_, name)| name.starts_with("signin-"))
        .map(|(_, name)| name)
        .collect()
}

#[test]
fn chrome_profiles_keep_each_targets_cookies_apart_and_reuse_them() {
    let bed = Bed::new("");
    let browser = headless_chromium(&bed.sb.home);
    bed.sb.hats_config(&format!(
        "[defaults.console]\nlauncher = \"chrome-profile\"\nbrowser = \"{}\"\n",
        browser.display()
    ));
    open(&bed, &["com"]);
    open(&bed, &["com-dev"]);
    let profiles = bed.sb.home.join(".local/share/hats/browser-profiles");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&profiles)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 2, "one profile per target: {dirs:?}");
    let com = dirs
        .iter()
        .find(|d| d.to_string_lossy().contains("/com-"))
        .unwrap()
        .clone();
    let dev = dirs
        .iter()
        .find(|d| d.to_string_lossy().contains("/com-dev-"))
        .unwrap()
        .clone();
    assert_eq!(signin_cookies(&com), ["signin-222222222222"]);
    assert_eq!(signin_cookies(&dev), ["signin-333333333333"]);

    // A third open of the first target uses its profile again: the browser
    // arrives with the cookie the first open got.
    open(&bed, &["com"]);
    let logins = bed.fed.requests("login");
    assert_eq!(logins.len(), 3, "{logins:?}");
    assert!(logins.iter().all(|l| l["status"] == 200), "{logins:?}");
    assert!(
        logins[0]["user_agent"]
            .as_str()
            .unwrap()
            .contains("HeadlessChrome"),
        "{logins:?}"
    );
    assert_eq!(logins[0]["cookies"], serde_json::json!([]));
    assert_eq!(
        logins[1]["cookies"],
        serde_json::json!([]),
        "the second target's profile is fresh"
    );
    assert_eq!(
        logins[2]["cookies"],
        serde_json::json!(["signin-222222222222"]),
        "reused"
    );
    let after: Vec<PathBuf> = std::fs::read_dir(&profiles)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(after.len(), 2, "no new profile: {after:?}");
}

#[test]
fn a_shared_chromium_is_signed_out_before_another_account_signs_in() {
    for (sign_out, works) in [("auto", true), ("never", false)] {
        let mut bed = Bed::new(&format!("[defaults.console]\nsign_out = \"{sign_out}\"\n"));
        let browser = headless_chromium(&bed.sb.home);
        let shared = bed.sb.home.join("shared-profile");
        bed.sb.set_env(
            "BROWSER",
            &format!("{} --user-data-dir={} %s", browser.display(), shared.display()),
        );
        open(&bed, &["com"]);
        open(&bed, &["com-dev"]);
        let logins = bed.fed.requests("login");
        assert_eq!(logins.len(), 2, "{sign_out}: {logins:?}");
        assert_eq!(logins[0]["status"], 200, "{sign_out}: {logins:?}");
        if works {
            let logout = bed.fed.requests("logout");
            assert_eq!(logout.len(), 1, "{logout:?}");
            assert_eq!(logout[0]["cleared"], serde_json::json!(["signin-222222222222"]));
            assert_eq!(logins[1]["status"], 200, "{logins:?}");
            assert_eq!(signin_cookies(&shared), ["signin-333333333333"]);
        } else {
            assert!(bed.fed.requests("logout").is_empty());
            assert_eq!(
                logins[1]["status"], 400,
                "the console refuses a second account: {logins:?}"
            );
            assert_eq!(logins[1]["conflict"], serde_json::json!(["signin-222222222222"]));
        }
    }
}
