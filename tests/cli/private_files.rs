//! Everything hats creates is private, whichever command runs first on a fresh
//! HOME: directories 0700, files 0600. And without a usable home directory,
//! hats refuses instead of keeping its files somewhere else.

use crate::harness::{HATS, Sandbox, require};
use crate::pty::Terminal;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh, empty HOME under the sandbox (with the XDG directories in it), where
/// hats reads the sandbox's AWS files and hats config but writes only its own.
fn fresh_home(sb: &Sandbox, name: &str) -> PathBuf {
    let home = sb.dir.path().join("fresh").join(name);
    std::fs::create_dir_all(&home).unwrap();
    home
}

fn in_home(command: &mut Command, home: &Path, sb: &Sandbox) {
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("HATS_CONFIG", sb.home.join(".config/hats/config.toml"));
}

/// Every path under `home` whose mode is not 0700 (directories) or 0600 (files).
fn loose_modes(home: &Path) -> Vec<String> {
    let mut loose = Vec::new();
    let mut pending = vec![home.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            let wanted = if meta.is_dir() { 0o700 } else { 0o600 };
            if mode != wanted {
                loose.push(format!("{:o} {}", mode, entry.path().display()));
            }
            if meta.is_dir() {
                pending.push(entry.path());
            }
        }
    }
    loose
}

/// Files (not directories) under `home`, as paths relative to it.
fn files(home: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![home.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.path().is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path().strip_prefix(home).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_command_run_first_on_a_fresh_home_creates_only_private_files() {
    let mut sb = Sandbox::standard(true);
    sb.moto.python(
        "import boto3,sys\n\
         o=boto3.client('organizations',endpoint_url=sys.argv[1],region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='x')\n\
         o.create_organization(FeatureSet='ALL')\n\
         o.create_account(Email='a@example.com',AccountName='team-a')",
    );
    sb.hats_config(&format!(
        "{}\n[organization]\nsource = \"base\"\nroles = [\"ReadOnly\"]\n",
        crate::harness::HATS_CONFIG
    ));
    let fed = crate::federation::Federation::start(&sb.moto);
    fed.attach(&mut sb);
    let runs: &[(&str, &[&str])] = &[
        ("ls", &["ls"]),
        ("env", &["env", "prod", "--mfa-code", "123456"]),
        ("exec", &["exec", "plain-role", "--", "true"]),
        ("serve", &["exec", "plain-role", "--serve", "--", "true"]),
        ("credential-process", &["credential-process", "plain-role"]),
        ("whoami", &["whoami", "plain-role"]),
        ("login", &["login", "plain-role", "--print"]),
        ("history", &["history"]),
        ("forget", &["forget", "plain-role"]),
        ("forget-all", &["forget", "--all"]),
        ("org-sync", &["org", "sync", "--mfa-code", "123456"]),
        ("completions", &["completions", "bash"]),
    ];
    let mut seen = Vec::new();
    for (name, args) in runs {
        let home = fresh_home(&sb, name);
        let mut command = sb.command(HATS);
        command.args(*args);
        in_home(&mut command, &home, &sb);
        // Each either works or fails with its own error: what matters here is what it left.
        let _ = command.output().unwrap();
        assert_eq!(
            loose_modes(&home),
            Vec::<String>::new(),
            "`hats {}`",
            args.join(" ")
        );
        seen.extend(files(&home));
    }
    // `shell` with a shell that ends at once.
    let home = fresh_home(&sb, "shell");
    let mut command = sb.command(HATS);
    command.args(["shell", "plain-role"]).env("SHELL", "/bin/true");
    in_home(&mut command, &home, &sb);
    command.output().unwrap();
    assert_eq!(loose_modes(&home), Vec::<String>::new(), "`hats shell`");
    seen.extend(files(&home));
    // The switcher, which keeps favourites in the data directory.
    let home = fresh_home(&sb, "switcher");
    let vars = format!(
        "HOME='{0}' XDG_CONFIG_HOME='{0}/.config' XDG_CACHE_HOME='{0}/.cache' XDG_DATA_HOME='{0}/.local/share' \
         HATS_CONFIG='{1}'",
        home.display(),
        sb.home.join(".config/hats/config.toml").display()
    );
    let mut term = Terminal::spawn_sized(&sb, &format!("{vars} exec \"$HATS\""), 100, 30);
    term.wait_for("targets (7)");
    term.keys("f");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(loose_modes(&home), Vec::<String>::new(), "the switcher");
    seen.extend(files(&home));
    // The runs above did write the files this test is about.
    for expected in [
        ".cache/hats/sessions.json",
        ".local/share/hats/history.jsonl",
        ".cache/hats/organization.json",
    ] {
        assert!(
            seen.iter().any(|f| f == expected),
            "{expected} not among {seen:?}"
        );
    }
    assert!(
        seen.iter().any(|f| f.starts_with(".cache/hats/locks/")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|f| f.starts_with(".local/share/hats/") && !f.ends_with("history.jsonl")),
        "switcher preferences: {seen:?}"
    );
}

#[test]
fn the_keyring_fallback_notice_as_first_output_leaves_a_private_cache_directory() {
    let sb = Sandbox::standard(false);
    let home = fresh_home(&sb, "fallback");
    // No Secret Service (the sandbox's bus address leads nowhere): hats falls
    // back to keyutils and says so once, marking the cache directory.
    let mut command = sb.command(HATS);
    command.args(["forget", "plain-role"]).env("HATS_KEYRING", "");
    in_home(&mut command, &home, &sb);
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("keyutils"), "the fallback notice: {stderr}");
    assert!(
        files(&home).iter().any(|f| f.starts_with(".cache/hats/noticed-")),
        "{:?}",
        files(&home)
    );
    assert_eq!(loose_modes(&home), Vec::<String>::new());
}

#[test]
fn without_a_usable_home_directory_hats_refuses_and_creates_nothing() {
    // SAFETY: geteuid cannot fail.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test runs hats as a user the system does not know (setpriv), which needs root"
    );
    let sb = Sandbox::standard(false);
    let work = sb.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let setpriv = require("setpriv", "util-linux");
    let no_xdg = ["XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"];
    // A user the system does not know, with HOME unset: no home at all.
    let mut unknown = sb.command(setpriv);
    unknown
        .args(["--reuid=54321", "--regid=54321", "--clear-groups", HATS, "ls"])
        .env_remove("HOME");
    // HOME relative to the working directory, or missing altogether.
    let mut relative = sb.command(HATS);
    relative.arg("ls").env("HOME", "home-here");
    let mut missing = sb.command(HATS);
    missing.arg("ls").env("HOME", sb.dir.path().join("no-such-home"));
    let cases = [
        (
            unknown,
            "hats: no home directory: HOME is not set and the user database names none for this user; set HOME to your home directory".to_owned(),
        ),
        (
            relative,
            "hats: the home directory \"home-here\" is not an absolute path; set HOME to your home directory".to_owned(),
        ),
        (
            missing,
            format!(
                "hats: the home directory \"{}\" does not exist; set HOME to your home directory, or \
                 XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_DATA_HOME to directories of yours",
                sb.dir.path().join("no-such-home").display()
            ),
        ),
    ];
    // World-writable, so the unknown user can run there.
    std::fs::set_permissions(&work, std::fs::Permissions::from_mode(0o777)).unwrap();
    for (mut command, expected) in cases {
        for name in no_xdg {
            command.env_remove(name);
        }
        let out = command.current_dir(&work).output().unwrap();
        assert!(!out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), expected);
        assert_eq!(
            std::fs::read_dir(&work).unwrap().count(),
            0,
            "nothing created under the working directory"
        );
    }
    assert!(
        !sb.dir.path().join("no-such-home").exists(),
        "no home was made up"
    );
}
