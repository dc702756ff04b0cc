//! Shell completion in real bash, zsh, fish and elvish, driven through a
//! pseudo-terminal: the script `hats completions SHELL` prints is loaded the way
//! the README says, and Tab completes subcommands and target names from the
//! configuration, without the keyring and without the network.

use crate::harness::{HATS, Sandbox, require};
use crate::pty::Terminal;

/// A sandbox whose `PATH` starts with a directory holding `hats` (the shells
/// complete the command by that name and call it back through `PATH`).
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(false);
    let bin = sb.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(HATS, bin.join("hats")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    sb.set_env("PATH", &path);
    // Any attempt to open a keyring would fail on this value: completion must not try.
    sb.set_env("HATS_KEYRING", "no-such-store");
    sb
}

/// Starts `shell` in a terminal, loads the completion script and waits for the prompt.
fn shell_with_completion(sb: &Sandbox, shell: &str) -> Terminal {
    let (program, start, load) = match shell {
        "bash" => (
            "bash",
            "exec bash --norc --noprofile",
            "PS1='ready> '; source <(hats completions bash)",
        ),
        "zsh" => (
            "zsh",
            "exec zsh -f",
            "PS1='ready> '; autoload -U compinit && compinit -u; source <(hats completions zsh)",
        ),
        "fish" => (
            "fish",
            "exec fish --no-config",
            "function fish_prompt; echo -n 'ready> '; end; hats completions fish | source",
        ),
        "elvish" => (
            "elvish",
            "exec elvish -norc",
            "use str; set edit:prompt = { put 'ready> ' }; eval (hats completions elvish | slurp)",
        ),
        other => panic!("no such shell {other}"),
    };
    require(program, program);
    let mut term = Terminal::spawn(sb, start);
    term.type_line(load);
    settle(&mut term, "loaded");
    term
}

/// Waits until the shell has read everything typed so far: `printf` shows
/// `WORD-done` only when it runs (the typed line reads `WORD done`).
fn settle(term: &mut Terminal, word: &str) {
    term.type_line(&format!("printf '%s-%s\\n' {word} done"));
    term.wait_for(&format!("{word}-done"));
}

/// Types `words` in `shell`, presses Tab `tabs` times and waits until the screen shows `expected`.
fn tab(term: &mut Terminal, shell: &str, words: &str, tabs: usize, expected: &[&str]) {
    term.keys(words);
    term.keys(&"\t".repeat(tabs));
    for text in expected {
        term.wait_for(text);
    }
    // Clear the line for the next case: Ctrl-A Ctrl-K in bash, zsh and fish
    // (elvish binds neither; Ctrl-U there). Ctrl-U is also the terminal's own
    // kill character, consumed by the terminal whenever the shell has it in
    // canonical mode, and once on CI a completed line kept its text after it;
    // Ctrl-A and Ctrl-K reach the line editor either way. Ctrl-C would make the
    // terminal drop input typed after it.
    term.keys(if shell == "elvish" { "\x15" } else { "\x01\x0b" });
    settle(term, &words.replace(' ', "_"));
}

fn target_names_complete_in(shell: &str) {
    let sb = sandbox();
    let mut term = shell_with_completion(&sb, shell);
    // One match: completed in place.
    tab(&mut term, shell, "hats env pl", 1, &["hats env plain-role"]);
    tab(&mut term, shell, "hats shell stag", 1, &["hats shell staging"]);
    // Several matches: listed.
    tab(
        &mut term,
        shell,
        "hats exec data/A",
        2,
        &["data/Admin", "data/Analyst"],
    );
    // An account id completes the `ACCOUNT-ID/ROLE` aliases.
    // (fish's list elides the common start of long candidates).
    tab(
        &mut term,
        shell,
        "hats env 555555555555/A",
        2,
        &["5555/Admin", "5555/Analyst"],
    );
    // Subcommands complete as before.
    tab(
        &mut term,
        shell,
        "hats credential-p",
        1,
        &["hats credential-process"],
    );
    assert!(
        sb.moto.take_actions().is_empty(),
        "completion made a network call"
    );
}

#[test]
fn bash_completes_target_names() {
    target_names_complete_in("bash");
}

#[test]
fn zsh_completes_target_names() {
    target_names_complete_in("zsh");
}

#[test]
fn fish_completes_target_names() {
    target_names_complete_in("fish");
}

/// What elvish's completer for `hats` offers for `words`, sorted, joined by `|`.
fn elvish_candidates(term: &mut Terminal, words: &str, marker: &str) -> String {
    term.type_line(&format!(
        "echo '{marker}:'(str:join '|' [($edit:completion:arg-completer[hats] {words})])"
    ));
    let prefix = format!("{marker}:");
    let started = std::time::Instant::now();
    loop {
        if let Some(line) = term.screen().lines().find(|l| l.starts_with(&prefix)) {
            let mut candidates: Vec<&str> = line[prefix.len()..].trim_end().split('|').collect();
            candidates.sort_unstable();
            return candidates.join("|");
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no answer for {words}: {}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn elvish_loads_the_script_and_completes_target_names() {
    let sb = sandbox();
    let mut term = shell_with_completion(&sb, "elvish");
    assert_eq!(elvish_candidates(&mut term, "hats env pl", "one"), "plain-role");
    assert_eq!(
        elvish_candidates(&mut term, "hats exec data/A", "two"),
        "data/Admin|data/Analyst"
    );
    assert_eq!(
        elvish_candidates(&mut term, "hats credential-p", "sub"),
        "credential-process"
    );
    // And Tab in the line editor puts the one match in place.
    tab(&mut term, "elvish", "hats env pl", 1, &["hats env plain-role"]);
    assert!(
        sb.moto.take_actions().is_empty(),
        "completion made a network call"
    );
}

/// A profile name that is a command substitution, as an account someone else
/// named (or a hostile profile) can be.
const HOSTILE: &str = "evil$(touch${IFS}pwned)";

#[test]
fn bash_completes_a_hostile_name_escaped_so_enter_runs_nothing() {
    let mut sb = sandbox();
    // Enter runs `hats env`, which may use the (absent) cache; completion itself still opens none.
    sb.set_env("HATS_KEYRING", "none");
    sb.aws_config(&format!(
        "{}\n[profile {HOSTILE}]\nrole_arn = arn:aws:iam::222222222222:role/ReadOnly\nsource_profile = plain\n",
        crate::harness::AWS_CONFIG
    ));
    let mut term = shell_with_completion(&sb, "bash");
    term.keys("hats env ev\t");
    // Escaped or not, the completed word ends with the name's last `)`.
    let started = std::time::Instant::now();
    let completed = loop {
        let line = term.line_with("hats env ev");
        if line.trim_end().ends_with(')') {
            break line;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "not completed:\n{}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    term.keys("\r");
    settle(&mut term, "ran");
    assert!(
        !sb.home.join("pwned").exists(),
        "Enter on the completed line ran the name's command substitution: {completed}"
    );
    assert!(
        completed.contains(r"hats env evil\$\(touch\$\{IFS\}pwned\)"),
        "{completed}"
    );
    // hats got the name itself: the exports name it, quoted for sh.
    term.wait_for(&format!("export HATS_TARGET='{HOSTILE}'"));
    // An escaped name typed halfway completes too (the word is read back unquoted).
    term.type_line(r"printf '\033[2J\033[H'");
    term.keys(r"hats env evil\$\(to");
    term.keys("\t");
    term.wait_for(r"hats env evil\$\(touch\$\{IFS\}pwned\)");
    // Enter runs it too: hats gets the name, and nothing else runs. (Ctrl-U to
    // drop the line was once lost on CI, and `typed done` joined the line.)
    term.keys("\r");
    term.wait_for(&format!("export HATS_TARGET='{HOSTILE}'"));
    settle(&mut term, "typed");
    assert!(!sb.home.join("pwned").exists());
}
