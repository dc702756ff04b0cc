//! `hats init` and `hats use` in real bash, zsh and fish, through a pseudo-terminal:
//! the message without the function, switching the shell, the prompt line,
//! `--unset`, and the prompt hook renewing a session (and failing quietly when
//! only an MFA code could renew it).

use crate::harness::{HATS, HATS_CONFIG, Sandbox, require};
use crate::pty::Terminal;

/// The standard fixture, `hats` on `PATH`, and a 20-minute refresh window so a
/// 15-minute session is due for renewal at once.
pub(crate) fn sandbox(shell_path: &str) -> Sandbox {
    let mut sb = Sandbox::standard(false);
    sb.hats_config(&format!("{HATS_CONFIG}\n[defaults]\nrefresh_window = \"20m\"\n"));
    let bin = sb.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(HATS, bin.join("hats")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    sb.set_env("PATH", &path);
    sb.set_env("SHELL", shell_path);
    sb
}

/// How each shell starts, loads the function with the hook (and the prompt
/// line from the README), and spells two commands.
pub(crate) struct Shell {
    pub(crate) name: &'static str,
    pub(crate) start: &'static str,
    pub(crate) load: &'static str,
    /// Prints `NAME=$HATS_TARGET/$AWS_CREDENTIAL_EXPIRATION/$AWS_ACCESS_KEY_ID`.
    pub(crate) show: &'static str,
}

pub(crate) const BASH: Shell = Shell {
    name: "bash",
    start: "exec bash --norc --noprofile",
    load: r#"PS1='${HATS_TARGET:+[$(hats prompt)] }ready> '; eval "$(hats init bash --hook)""#,
    show: r#"echo "NAME=$HATS_TARGET/$AWS_CREDENTIAL_EXPIRATION/$AWS_ACCESS_KEY_ID""#,
};

pub(crate) const ZSH: Shell = Shell {
    name: "zsh",
    start: "exec zsh -f",
    load: r#"setopt PROMPT_SUBST; PROMPT='${HATS_TARGET:+[$(hats prompt)] }ready> '; eval "$(hats init zsh --hook)""#,
    show: r#"echo "NAME=$HATS_TARGET/$AWS_CREDENTIAL_EXPIRATION/$AWS_ACCESS_KEY_ID""#,
};

pub(crate) const FISH: Shell = Shell {
    name: "fish",
    start: "exec fish --no-config",
    load: "function fish_prompt; set -q HATS_TARGET; and printf '[%s] ' (hats prompt); echo -n 'ready> '; end; \
           hats init fish --hook | source",
    show: r#"echo "NAME=$HATS_TARGET/$AWS_CREDENTIAL_EXPIRATION/$AWS_ACCESS_KEY_ID""#,
};

pub(crate) fn start(sb: &Sandbox, shell: &Shell) -> Terminal {
    require(shell.name, shell.name);
    let mut term = Terminal::spawn_sized(sb, shell.start, 200, 60);
    settle(&mut term, "started");
    term
}

/// Waits until the shell has read everything typed so far.
pub(crate) fn settle(term: &mut Terminal, word: &str) {
    term.type_line(&format!("printf '%s-%s\\n' {word} done"));
    term.wait_for(&format!("{word}-done"));
}

/// Runs `show` with `name` and returns (target, expiration, key id).
fn show(term: &mut Terminal, shell: &Shell, name: &str) -> (String, String, String) {
    term.type_line(&shell.show.replace("NAME", name));
    shown(term, name)
}

/// The values of the `name=` line `show` printed.
fn shown(term: &Terminal, name: &str) -> (String, String, String) {
    // The echoed command line holds `$HATS_TARGET`; the output line does not.
    let started = std::time::Instant::now();
    loop {
        let line = term
            .screen()
            .lines()
            .find(|l| l.starts_with(&format!("{name}=")))
            .map(str::to_owned);
        if let Some(line) = line {
            let value = line.trim_end().split_once('=').unwrap().1.to_owned();
            let mut parts = value.splitn(3, '/');
            let mut next = || parts.next().unwrap_or_default().to_owned();
            return (next(), next(), next());
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "no {name}= line:\n{}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn switches_the_shell_in(shell: &Shell, shell_path: &str) {
    let sb = sandbox(shell_path);
    let mut term = start(&sb, shell);
    // Without the function: the way to add it, and no exports.
    term.type_line("hats use plain-role");
    term.wait_for("it is not loaded in this shell");
    let rc = match shell.name {
        "fish" => "hats init fish | source` to ~/.config/fish/config.fish",
        "zsh" => "eval \"$(hats init zsh)\"` to ~/.zshrc",
        _ => "eval \"$(hats init bash)\"` to ~/.bashrc",
    };
    assert!(term.screen().replace('\n', "").contains(rc), "{}", term.screen());
    assert!(
        !term.screen().contains("AWS_SECRET_ACCESS_KEY"),
        "{}",
        term.screen()
    );
    let (target, _, _) = show(&mut term, shell, "none");
    assert_eq!(target, "");

    // A clean screen: from here on, any line starting `hats:` came from the function or hook.
    term.type_line(r"printf '\033[2J\033[H'");
    term.type_line(shell.load);
    settle(&mut term, "loaded");
    // A 15-minute session: inside the 20-minute window, so the next prompt's hook renews it.
    term.type_line(&format!(
        "hats use plain-role --duration 15m; {}",
        shell.show.replace("NAME", "first")
    ));
    let (target, first_expiry, first_key) = shown(&term, "first");
    assert_eq!(target, "plain-role", "{}", term.screen());
    assert!(!first_key.is_empty(), "{}", term.screen());
    let (target, second_expiry, second_key) = show(&mut term, shell, "second");
    assert_eq!(target, "plain-role");
    assert!(
        second_expiry > first_expiry,
        "the hook did not renew: {first_expiry} then {second_expiry}"
    );
    assert_ne!(second_key, first_key);
    // Renewed for an hour: later prompts leave it alone, silently.
    let (_, third_expiry, _) = show(&mut term, shell, "third");
    assert_eq!(third_expiry, second_expiry);
    // The prompt line shows the target and the time left.
    term.wait_for("[plain-role ");
    assert!(!term.screen().contains("hats:"), "{}", term.screen());

    term.type_line("hats use --unset");
    let (target, expiry, key) = show(&mut term, shell, "gone");
    assert_eq!((target.as_str(), expiry.as_str(), key.as_str()), ("", "", ""));

    // prod needs an MFA code to renew and nothing is cached (no keyring): the
    // hook must neither ask nor drop the session, and says so at the next `hats use`.
    term.type_line("hats use prod --mfa-code 123456 --duration 15m");
    let (target, expiry, _) = show(&mut term, shell, "prod");
    assert_eq!(target, "prod");
    let (_, later, _) = show(&mut term, shell, "again");
    assert_eq!(later, expiry);
    assert!(!term.screen().contains("MFA code for"), "{}", term.screen());
    term.type_line("hats use plain-role");
    term.wait_for("hats: could not renew \"prod\"");
    let (target, _, _) = show(&mut term, shell, "after");
    assert_eq!(target, "plain-role");
    let history = sb.hats(&["history", "--json"]).ok();
    // use + one renewal + use + use: never one per prompt.
    assert_eq!(history.matches("\"use\"").count(), 4, "{history}");
}

#[test]
fn bash_switches_the_current_shell_and_its_hook_renews() {
    switches_the_shell_in(&BASH, "/bin/bash");
}

#[test]
fn zsh_switches_the_current_shell_and_its_hook_renews() {
    switches_the_shell_in(&ZSH, "/usr/bin/zsh");
}

#[test]
fn fish_switches_the_current_shell_and_its_hook_renews() {
    switches_the_shell_in(&FISH, "/usr/bin/fish");
}

#[test]
fn use_without_the_function_prints_no_exports_and_fails() {
    let sb = Sandbox::standard(false);
    let run = sb.hats(&["use", "plain-role"]);
    let err = run.fails();
    assert!(err.contains("needs hats' shell function"), "{err}");
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    // The switcher is not opened either.
    let err = sb.hats(&["use"]).fails();
    assert!(err.contains("it is not loaded in this shell"), "{err}");
}

#[test]
fn prompt_prints_the_target_and_time_left_from_the_environment_only() {
    let mut sb = Sandbox::standard(false);
    // Any use of the keyring would fail on this value.
    sb.set_env("HATS_KEYRING", "no-such-store");
    sb.set_env("AWS_CONFIG_FILE", "/nonexistent/dir/config");
    assert_eq!(sb.hats(&["prompt"]).ok(), "");
    let later = crate::harness::now() + jiff::SignedDuration::from_secs(42 * 60 + 30);
    sb.set_env("HATS_TARGET", "prod/Admin");
    sb.set_env("AWS_CREDENTIAL_EXPIRATION", &later.to_string());
    assert_eq!(sb.hats(&["prompt"]).ok(), "prod/Admin 42m\n");
    sb.set_env("AWS_CREDENTIAL_EXPIRATION", "2001-01-01T00:00:00Z");
    assert_eq!(sb.hats(&["prompt"]).ok(), "prod/Admin expired\n");
}

#[test]
fn use_without_a_target_picks_in_the_switcher_and_enter_applies_it_to_this_shell() {
    let sb = sandbox("/bin/bash");
    let mut term = start(&sb, &BASH);
    term.type_line(BASH.load);
    settle(&mut term, "loaded");
    term.type_line("hats use");
    term.wait_for("q quit");
    term.keys("/plain-role");
    term.wait_for("/plain-role");
    term.keys("\r");
    // Keys typed while the switcher still owns the terminal would go to it: wait for the prompt.
    term.wait_for("[plain-role ");
    let (target, _, key) = show(&mut term, &BASH, "picked");
    assert_eq!(target, "plain-role", "{}", term.screen());
    assert!(!key.is_empty());
    // Applied to this shell, not to a subshell the switcher started.
    term.type_line(r#"echo "sub=[${HATS_SHELL-}]""#);
    term.wait_for("sub=[]");
}

/// `hats use --hook` as the prompt hook runs it: from the function (`sh`
/// dialect), with `target` exported until `expires`.
fn hook(sb: &Sandbox, target: &str, expires: jiff::Timestamp) -> crate::harness::Run {
    crate::harness::Run(
        sb.command(HATS)
            .args(["use", "--hook"])
            .env("HATS_FUNCTION", "sh")
            .env("HATS_TARGET", target)
            .env("AWS_CREDENTIAL_EXPIRATION", expires.to_string())
            .output()
            .expect("run hats use --hook"),
    )
}

/// Five minutes from now: inside the default 10-minute refresh window.
fn due() -> jiff::Timestamp {
    crate::harness::now() + jiff::SignedDuration::from_mins(5)
}

/// A script that appends a line to `~/NAME-runs` each time it runs, then prints `output`.
fn recording_script(sb: &Sandbox, name: &str, output: &str) -> std::path::PathBuf {
    sb.write(
        &format!("{name}.sh"),
        &format!("echo run >> \"$HOME/{name}-runs\"\nprintf '%s\\n' '{output}'\n"),
    )
}

fn runs_of(sb: &Sandbox, name: &str) -> usize {
    std::fs::read_to_string(sb.home.join(format!("{name}-runs"))).map_or(0, |t| t.lines().count())
}

/// The hook's answer when it could not renew: the two notes, no exports.
fn assert_quiet_failure(run: &crate::harness::Run, target: &str) {
    let out = run.ok();
    assert!(!out.contains("AWS_ACCESS_KEY_ID"), "{out}");
    assert!(
        out.contains(&format!("_hats_hook_note='could not renew \"{target}\"")),
        "{out}"
    );
    assert!(
        run.stderr().is_empty(),
        "the hook prints nothing itself: {}",
        run.stderr()
    );
}

#[test]
fn the_hook_never_runs_mfa_process_and_renews_only_from_a_cached_mfa_session() {
    let sb = Sandbox::standard(true);
    let script = recording_script(&sb, "mfa", "123456");
    sb.aws_config(&format!(
        "{}\n[profile guarded]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = sh {}\n",
        crate::harness::AWS_CONFIG,
        script.display()
    ));
    // Nothing cached: renewing needs a code, and the hook runs nothing to get one.
    let refused = hook(&sb, "guarded", due());
    assert_quiet_failure(&refused, "guarded");
    assert!(
        refused.stdout().contains("never asks or runs a command"),
        "{}",
        refused.stdout()
    );
    assert_eq!(runs_of(&sb, "mfa"), 0, "the hook ran mfa_process");
    assert!(sb.moto.take_actions().is_empty(), "no call without a code");

    // A command the user runs may run it; the MFA session it makes is cached.
    sb.hats(&["env", "guarded", "--duration", "15m"]).ok();
    assert_eq!(runs_of(&sb, "mfa"), 1);
    sb.moto.take_actions();
    // Inside the window again: the hook renews the role from the cached MFA session.
    sb.hats_config(&format!(
        "{}\n[defaults]\nrefresh_window = \"20m\"\n",
        crate::harness::HATS_CONFIG
    ));
    let renewed = hook(&sb, "guarded", due());
    let exports = crate::harness::parse_exports(&renewed.ok());
    assert!(
        exports["AWS_ACCESS_KEY_ID"].starts_with("ASIA"),
        "{}",
        renewed.stderr()
    );
    assert_eq!(exports["HATS_TARGET"], "guarded");
    assert_eq!(runs_of(&sb, "mfa"), 1, "the hook ran mfa_process");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
}

#[test]
fn the_hook_never_runs_a_web_identity_token_process_or_a_saml_assertion_process() {
    let sb = Sandbox::without_keyring();
    let token = recording_script(&sb, "token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.sig");
    sb.aws_config(&format!(
        "[profile oidc]\nrole_arn = arn:aws:iam::123456789012:role/Web\nweb_identity_token_process = sh {}\n\
         region = us-east-1\n",
        token.display()
    ));
    let until = crate::saml_idp::in_an_hour();
    let idp = crate::saml_idp::Idp {
        roles: &["arn:aws:iam::123456789012:role/Admin"],
        session_duration: None,
        not_on_or_after: &until,
    };
    let assertion = recording_script(&sb, "idp", &idp.base64());
    sb.hats_config(&format!(
        "[saml.corp]\nassertion_process = \"sh {}\"\nregion = \"eu-west-1\"\n",
        assertion.display()
    ));
    sb.hats(&["saml", "sync", "corp"]).ok();
    assert_eq!(runs_of(&sb, "idp"), 1);
    // Each command works when the user runs it...
    sb.hats(&["env", "oidc"]).ok();
    sb.hats(&["env", "123456789012/Admin"]).ok();
    assert_eq!((runs_of(&sb, "token"), runs_of(&sb, "idp")), (1, 2));
    sb.moto.take_actions();
    // ...and never from the prompt hook (no keyring: nothing is cached).
    assert_quiet_failure(&hook(&sb, "oidc", due()), "oidc");
    assert_quiet_failure(&hook(&sb, "123456789012/Admin", due()), "123456789012/Admin");
    assert_eq!(
        (runs_of(&sb, "token"), runs_of(&sb, "idp")),
        (1, 2),
        "the hook ran a command"
    );
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn the_hook_never_runs_a_source_profiles_credential_process() {
    let sb = Sandbox::without_keyring();
    let process = recording_script(
        &sb,
        "creds",
        r#"{"Version": 1, "AccessKeyId": "AKIAPROCESSEXAMPLE", "SecretAccessKey": "process-secret"}"#,
    );
    sb.aws_config(&format!(
        "[profile keys-from-a-program]\ncredential_process = sh {}\n\n\
         [profile built]\nrole_arn = arn:aws:iam::123456789012:role/Builder\n\
         source_profile = keys-from-a-program\nregion = us-east-1\n",
        process.display()
    ));
    // A command the user runs may run it...
    sb.hats(&["env", "built"]).ok();
    assert_eq!(runs_of(&sb, "creds"), 1);
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    // ...the prompt hook never does (no keyring: nothing is cached to renew from).
    let refused = hook(&sb, "built", due());
    assert_quiet_failure(&refused, "built");
    assert!(
        refused.stdout().contains("credential_process of profile"),
        "{}",
        refused.stdout()
    );
    assert_eq!(runs_of(&sb, "creds"), 1, "the hook ran credential_process");
    assert!(sb.moto.take_actions().is_empty());
}
