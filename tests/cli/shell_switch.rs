//! What `hats use` leaves in a real bash, zsh and fish: the exit status of every
//! switch (fish's `set -e` of an unset variable must not leak status 4), the
//! region of each target and the shell's own region put back by `--unset`; and
//! the path `hats init` and `profiles sync` write surviving a package upgrade.

use crate::harness::{HATS, Sandbox};
use crate::pty::Terminal;
use crate::shell_use::{BASH, FISH, Shell, ZSH, sandbox, settle, start};

/// The status of the line just run, printed as `TAG=N` (`$?`, fish's `$status`).
fn status(term: &mut Terminal, shell: &Shell, tag: &str) -> String {
    let var = if shell.name == "fish" { "$status" } else { "$?" };
    term.type_line(&format!("printf '{tag}=%s\\n' {var}"));
    value_of(term, &format!("{tag}="), |v| {
        v.chars().all(|c| c.is_ascii_digit())
    })
}

/// `R=… D=… S=…`: the region variables and the saved region, as a child sees them.
fn regions(term: &mut Terminal, tag: &str) -> String {
    term.type_line(&format!(
        "sh -c 'echo \"{tag} R=${{AWS_REGION-unset}} D=${{AWS_DEFAULT_REGION-unset}} S=${{HATS_SAVED_REGION-unset}}\"'"
    ));
    value_of(term, &format!("{tag} "), |v| !v.contains("${"))
}

/// The rest of the first screen line starting with `prefix` that `ok` accepts
/// (the typed command line also holds the prefix, with the unexpanded text).
fn value_of(term: &Terminal, prefix: &str, ok: impl Fn(&str) -> bool) -> String {
    let started = std::time::Instant::now();
    loop {
        let found = term
            .screen()
            .lines()
            .filter_map(|l| l.trim_end().strip_prefix(prefix).map(str::to_owned))
            .find(|v| !v.is_empty() && ok(v));
        if let Some(value) = found {
            return value;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "no {prefix} line:\n{}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `line`, then returns its exit status; the screen is cleared first so
/// earlier lines cannot answer.
fn run(term: &mut Terminal, shell: &Shell, line: &str, tag: &str) -> String {
    term.type_line(r"printf '\033[2J\033[H'");
    settle(term, &format!("{tag}-clear"));
    term.type_line(line);
    status(term, shell, tag)
}

fn set_region(shell: &Shell, value: Option<&str>) -> String {
    match (shell.name, value) {
        ("fish", Some(v)) => format!("set -gx AWS_REGION {v}"),
        ("fish", None) => "set -e AWS_REGION".into(),
        (_, Some(v)) => format!("export AWS_REGION={v}"),
        (_, None) => "unset AWS_REGION".into(),
    }
}

fn switches_with_status_zero_and_restores_the_region_in(shell: &Shell, shell_path: &str) {
    let sb = sandbox(shell_path);
    let mut term = start(&sb, shell);
    term.type_line(shell.load);
    settle(&mut term, "loaded");
    // The user's own region; AWS_PROFILE and AWS_DEFAULT_REGION are unset.
    term.type_line(&set_region(shell, Some("sa-east-1")));
    assert_eq!(
        run(&mut term, shell, "hats use prod --mfa-code 123456", "use1"),
        "0"
    );
    assert_eq!(
        regions(&mut term, "prod"),
        "R=eu-west-1 D=eu-west-1 S={\"AWS_REGION\":\"sa-east-1\"}"
    );
    // plain-role names no region: the one hats uses for it is the shell's own, never prod's.
    assert_eq!(run(&mut term, shell, "hats use plain-role", "use2"), "0");
    assert_eq!(
        regions(&mut term, "plain"),
        "R=sa-east-1 D=sa-east-1 S={\"AWS_REGION\":\"sa-east-1\"}"
    );
    assert_eq!(run(&mut term, shell, "hats use --unset", "unset1"), "0");
    assert_eq!(regions(&mut term, "back"), "R=sa-east-1 D=unset S=unset");

    // No region of the shell's own: the partition's default, then nothing again.
    term.type_line(&set_region(shell, None));
    assert_eq!(run(&mut term, shell, "hats use plain-role", "use3"), "0");
    assert_eq!(regions(&mut term, "default"), "R=us-east-1 D=us-east-1 S={}");
    assert_eq!(run(&mut term, shell, "hats use --unset", "unset2"), "0");
    assert_eq!(regions(&mut term, "none"), "R=unset D=unset S=unset");
    // Without a `hats use` before, `--unset` leaves the shell's region alone.
    term.type_line(&set_region(shell, Some("ca-central-1")));
    assert_eq!(run(&mut term, shell, "hats use --unset", "unset3"), "0");
    assert_eq!(regions(&mut term, "kept"), "R=ca-central-1 D=unset S=unset");

    // Exports evaluated without the function end with status 0 too.
    let env = if shell.name == "fish" {
        "hats env --format fish plain-role | source"
    } else {
        "eval \"$(hats env plain-role)\""
    };
    assert_eq!(run(&mut term, shell, env, "env"), "0");
    // A failed switch still fails.
    assert_ne!(run(&mut term, shell, "hats use no-such-target", "bad"), "0");
}

#[test]
fn bash_switches_with_status_zero_and_restores_the_region() {
    switches_with_status_zero_and_restores_the_region_in(&BASH, "/bin/bash");
}

#[test]
fn zsh_switches_with_status_zero_and_restores_the_region() {
    switches_with_status_zero_and_restores_the_region_in(&ZSH, "/usr/bin/zsh");
}

#[test]
fn fish_switches_with_status_zero_and_restores_the_region() {
    switches_with_status_zero_and_restores_the_region_in(&FISH, "/usr/bin/fish");
}

/// A package manager's layout: `bin/hats` links to a versioned file that an
/// upgrade replaces (`Cellar/hats/1.0/bin/hats` → `…/1.1/…`).
fn versioned_install(sb: &Sandbox) -> std::path::PathBuf {
    let cellar = sb.home.join("Cellar/hats/1.0/bin");
    std::fs::create_dir_all(&cellar).unwrap();
    std::fs::copy(HATS, cellar.join("hats")).unwrap();
    let bin = sb.home.join("pkg/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("../../Cellar/hats/1.0/bin/hats", bin.join("hats")).unwrap();
    bin
}

/// The upgrade: the old version's directory goes, the link moves to the new one.
const UPGRADE: &str = "mv \"$HOME/Cellar/hats/1.0\" \"$HOME/Cellar/hats/1.1\" && \
                       ln -sfn ../../Cellar/hats/1.1/bin/hats \"$HOME/pkg/bin/hats\"";

#[test]
fn init_and_profiles_name_hats_as_invoked_so_a_package_upgrade_keeps_them_working() {
    let mut sb = Sandbox::standard(false);
    let bin = versioned_install(&sb);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    sb.set_env("PATH", &path);
    let linked = bin.join("hats").display().to_string();
    // Found on PATH by name: the link's path is written, not the Cellar file's.
    let snippet = sb.command("hats").args(["init", "bash"]).output().unwrap();
    let snippet = String::from_utf8(snippet.stdout).unwrap();
    assert!(snippet.contains(&format!("'{linked}' use")), "{snippet}");
    assert!(!snippet.contains("Cellar"), "{snippet}");
    let synced = sb.command("hats").args(["profiles", "sync"]).output().unwrap();
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let config = std::fs::read_to_string(sb.home.join(".aws/config")).unwrap();
    assert!(
        config.contains(&format!(
            "credential_process = {linked} credential-process plain-role"
        )),
        "{config}"
    );
    // Called by its path (a relative one too) it names that path, made absolute.
    let by_path = sb
        .command("pkg/bin/hats")
        .args(["init", "bash"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&by_path.stdout).contains(&format!("'{linked}' use")));

    // The function loaded before the upgrade still works after it, in real bash.
    let script = format!(
        "eval \"$(hats init bash)\"\n{UPGRADE}\nhats use plain-role && echo \"switched=$HATS_TARGET\""
    );
    let out = sb
        .command("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("switched=plain-role"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And the AWS CLI still reaches hats through the synced profile.
    let arn = crate::harness::profile_arn(&sb, "hats-plain-role");
    assert!(arn.ends_with(":assumed-role/ReadOnly/ci-runner"), "{arn}");
}
