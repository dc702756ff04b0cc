use super::*;

#[test]
fn every_snippet_defines_the_function_and_calls_hats_by_its_quoted_path() {
    for shell in [
        InitShell::Bash,
        InitShell::Zsh,
        InitShell::Fish,
        InitShell::Powershell,
    ] {
        let text = snippet(shell, "/opt/it's/hats", false);
        assert!(text.contains("use"), "{shell:?}");
        assert!(text.contains(FUNCTION_MARKER), "{shell:?}");
        assert!(
            !text.contains("_hats_hook()") && !text.contains("function _hats_hook"),
            "{shell:?}"
        );
        let quoted = match shell {
            InitShell::Bash | InitShell::Zsh => r"'/opt/it'\''s/hats'",
            InitShell::Fish => r"'/opt/it\'s/hats'",
            InitShell::Powershell => "'/opt/it''s/hats'",
        };
        assert!(text.contains(quoted), "{shell:?}: {text}");
    }
}

#[test]
fn the_powershell_snippet_evals_the_output_of_use_and_wraps_the_prompt_for_the_hook() {
    // pwsh is not a Debian package, so this text is checked here, not run.
    let text = snippet(InitShell::Powershell, "/usr/bin/hats", true);
    assert!(text.contains("function hats {"), "{text}");
    assert!(text.contains("$env:HATS_FUNCTION = 'powershell'"), "{text}");
    assert!(text.contains("$out = & '/usr/bin/hats' @args"), "{text}");
    assert!(text.contains("if ($LASTEXITCODE -ne 0) { return }"), "{text}");
    assert!(text.contains("Invoke-Expression ($out -join \"`n\")"), "{text}");
    assert!(text.contains("Remove-Item Env:HATS_FUNCTION"), "{text}");
    assert!(text.contains("function global:prompt {"), "{text}");
    assert!(text.contains("& '/usr/bin/hats' use --hook 2>$null"), "{text}");
    assert!(text.contains("& $global:_hats_prompt"), "{text}");
    let braces = text.matches('{').count() as i64 - text.matches('}').count() as i64;
    assert_eq!(braces, 0, "unbalanced braces:\n{text}");
}

#[test]
fn the_hook_is_installed_once_per_shell() {
    let bash = snippet(InitShell::Bash, "/h", true);
    assert!(bash.contains(r#"*";_hats_hook;"*) ;;"#), "{bash}");
    assert!(snippet(InitShell::Zsh, "/h", true).contains("add-zsh-hook precmd _hats_hook"));
    assert!(snippet(InitShell::Fish, "/h", true).contains("--on-event fish_prompt"));
}

#[test]
fn unset_removes_every_variable_use_sets_and_restores_the_saved_region() {
    let plain = unset_lines(Format::Sh, None);
    assert_eq!(
        plain,
        USE_VARS
            .iter()
            .map(|k| format!("unset {k}\n"))
            .collect::<String>()
    );
    assert!(!plain.contains("REGION"), "{plain}");
    assert!(unset_lines(Format::Fish, None).contains("if set -q HATS_TARGET; set -e HATS_TARGET; end;\n"));
    assert!(
        unset_lines(Format::Powershell, None)
            .contains("Remove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n")
    );
    let saved = SavedRegion {
        region: Some("sa-east-1".into()),
        default_region: None,
    };
    let sh = unset_lines(Format::Sh, Some(&saved));
    assert!(
        sh.ends_with("export AWS_REGION='sa-east-1'\nunset AWS_DEFAULT_REGION\nunset HATS_SAVED_REGION\n"),
        "{sh}"
    );
    let fish = unset_lines(Format::Fish, Some(&saved));
    assert!(fish.contains("set -gx AWS_REGION 'sa-east-1';\n"), "{fish}");
    let ps = unset_lines(Format::Powershell, Some(&saved));
    assert!(ps.contains("$Env:AWS_REGION = 'sa-east-1'\n"), "{ps}");
}

#[test]
fn a_hook_failure_is_two_plain_shell_variables_quoted_for_each_dialect() {
    let sh = hook_failure_lines(Format::Sh, "can't renew", "2026-01-01T00:00:00Z");
    assert_eq!(
        sh,
        "_hats_hook_note='can'\\''t renew'\n_hats_hook_failed='2026-01-01T00:00:00Z'\n"
    );
    let fish = hook_failure_lines(Format::Fish, "can't", "x");
    assert_eq!(
        fish,
        "set -g _hats_hook_note 'can\\'t';\nset -g _hats_hook_failed 'x';\n"
    );
    let ps = hook_failure_lines(Format::Powershell, "can't", "x");
    assert_eq!(
        ps,
        "$global:_hats_hook_note = 'can''t'\n$global:_hats_hook_failed = 'x'\n"
    );
}

#[test]
fn only_the_functions_own_values_select_a_dialect() {
    assert_eq!(function_dialect("sh"), Some(Format::Sh));
    assert_eq!(function_dialect("fish"), Some(Format::Fish));
    assert_eq!(function_dialect("powershell"), Some(Format::Powershell));
    assert_eq!(function_dialect(""), None);
    assert_eq!(function_dialect("1"), None);
}

#[test]
fn the_powershell_snippet_doubles_typographic_single_quotes_in_hats_path() {
    // PowerShell ends a '…' string at ’ as at ': a path holding one must not
    // close the quotes around hats' path in the function Invoke-Expression loads.
    let text = snippet(
        InitShell::Powershell,
        "/opt/x\u{2019}+$(New-Item pwned)+\u{2019}/hats",
        true,
    );
    assert!(
        text.contains("& '/opt/x\u{2019}\u{2019}+$(New-Item pwned)+\u{2019}\u{2019}/hats' @args"),
        "{text}"
    );
    let note = hook_failure_lines(Format::Powershell, "it\u{2018}s", "x");
    assert!(
        note.starts_with("$global:_hats_hook_note = 'it\u{2018}\u{2018}s'\n"),
        "{note}"
    );
}
