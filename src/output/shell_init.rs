//! The rc-file snippets `hats init SHELL` prints: a `hats` function whose `use`
//! applies exports to the shell it runs in, and an optional prompt hook that
//! renews the exported session near its end.
//!
//! Pure text. The function tells the binary it is there (and which syntax to
//! print) through [`FUNCTION_MARKER`]; the binary refuses `hats use` without it.

use super::saved_region::{SAVED_REGION, SavedRegion};
use super::shell_format::{Format, fish_quote, ps_quote, set_line, sh_quote, unset_line};

/// Set by the shell function, for one `hats use` run only, to the dialect it evals.
pub const FUNCTION_MARKER: &str = "HATS_FUNCTION";

/// Shells `hats init` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitShell {
    /// bash (~/.bashrc).
    Bash,
    /// zsh (~/.zshrc).
    Zsh,
    /// fish (~/.config/fish/config.fish).
    Fish,
    /// PowerShell ($PROFILE).
    Powershell,
}

impl InitShell {
    /// The line that loads the snippet, for the rc file.
    pub const fn rc_line(self) -> (&'static str, &'static str) {
        match self {
            Self::Bash => ("~/.bashrc", "eval \"$(hats init bash)\""),
            Self::Zsh => ("~/.zshrc", "eval \"$(hats init zsh)\""),
            Self::Fish => ("~/.config/fish/config.fish", "hats init fish | source"),
            Self::Powershell => (
                "$PROFILE",
                "Invoke-Expression ((hats init powershell) -join \"`n\")",
            ),
        }
    }
}

/// The dialect the shell function asked for, from [`FUNCTION_MARKER`]'s value.
pub fn function_dialect(value: &str) -> Option<Format> {
    match value {
        "sh" => Some(Format::Sh),
        "fish" => Some(Format::Fish),
        "powershell" => Some(Format::Powershell),
        _ => None,
    }
}

/// The snippet for `shell`; `hats` is the absolute path hats was invoked by
/// (links kept), so the function and hook call this program whatever `PATH`
/// holds later, and still after a package upgrade moves the file behind the link.
pub fn snippet(shell: InitShell, hats: &str, hook: bool) -> String {
    let mut out = match shell {
        InitShell::Bash | InitShell::Zsh => posix_function(&sh_quote(hats)),
        InitShell::Fish => fish_function(&fish_quote(hats)),
        InitShell::Powershell => powershell_function(&ps_quote(hats)),
    };
    if hook {
        out.push_str(&match shell {
            InitShell::Bash => posix_hook(&sh_quote(hats), BASH_INSTALL),
            InitShell::Zsh => posix_hook(&sh_quote(hats), ZSH_INSTALL),
            InitShell::Fish => fish_hook(&fish_quote(hats)),
            InitShell::Powershell => powershell_hook(&ps_quote(hats)),
        });
    }
    out
}

/// bash and zsh: `hats use …` evals what the binary prints; a note the hook
/// left is shown first. Any other subcommand runs the binary as it is.
fn posix_function(hats: &str) -> String {
    format!(
        r#"# hats shell integration: `hats use TARGET`, `hats use` (pick in the switcher), `hats use --unset`
hats() {{
  if [ "${{1-}}" = use ]; then
    shift
    if [ -n "${{_hats_hook_note-}}" ]; then
      printf 'hats: %s\n' "$_hats_hook_note" >&2
      unset _hats_hook_note
    fi
    local _hats_out
    _hats_out="$({FUNCTION_MARKER}=sh {hats} use "$@")" || return
    unset _hats_hook_failed
    eval "$_hats_out"
  else
    {hats} "$@"
  fi
}}
"#
    )
}

const BASH_INSTALL: &str = r#"case ";${PROMPT_COMMAND-};" in
  *";_hats_hook;"*) ;;
  *) PROMPT_COMMAND="_hats_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac
"#;

const ZSH_INSTALL: &str = "autoload -Uz add-zsh-hook && add-zsh-hook precmd _hats_hook\n";

/// The prompt hook: asks hats only while a target is exported and the hook has
/// not already failed for this session; never reads the terminal.
fn posix_hook(hats: &str, install: &str) -> String {
    format!(
        r#"# Renews the exported session before each prompt once it is in hats' refresh window.
_hats_hook() {{
  local _hats_status=$? _hats_out
  if [ -n "${{HATS_TARGET-}}" ] && [ "${{_hats_hook_failed-}}" != "${{AWS_CREDENTIAL_EXPIRATION-}}" ]; then
    if _hats_out="$({FUNCTION_MARKER}=sh {hats} use --hook 2>/dev/null </dev/null)"; then
      eval "$_hats_out"
    fi
  fi
  return $_hats_status
}}
{install}"#
    )
}

fn fish_function(hats: &str) -> String {
    format!(
        r#"# hats shell integration: `hats use TARGET`, `hats use` (pick in the switcher), `hats use --unset`
function hats --wraps {hats} --description 'hats; `hats use` switches this shell'
    if test "$argv[1]" = use
        if set -q _hats_hook_note
            printf 'hats: %s\n' $_hats_hook_note >&2
            set -e _hats_hook_note
        end
        set -l _hats_out ({FUNCTION_MARKER}=fish {hats} $argv)
        or return
        if set -q _hats_hook_failed; set -e _hats_hook_failed; end
        string join \n -- $_hats_out | source
    else
        {hats} $argv
    end
end
"#
    )
}

fn fish_hook(hats: &str) -> String {
    format!(
        r#"# Renews the exported session before each prompt once it is in hats' refresh window.
function _hats_hook --on-event fish_prompt
    if set -q HATS_TARGET; and test "$_hats_hook_failed" != "$AWS_CREDENTIAL_EXPIRATION"
        set -l _hats_out ({FUNCTION_MARKER}=fish {hats} use --hook 2>/dev/null </dev/null)
        and string join \n -- $_hats_out | source
    end
end
"#
    )
}

fn powershell_function(hats: &str) -> String {
    format!(
        r#"# hats shell integration: `hats use TARGET`, `hats use` (pick in the switcher), `hats use --unset`
function hats {{
    if ($args.Count -gt 0 -and $args[0] -eq 'use') {{
        if ($global:_hats_hook_note) {{
            [Console]::Error.WriteLine("hats: $global:_hats_hook_note")
            Remove-Variable -Scope Global -Name _hats_hook_note
        }}
        $env:{FUNCTION_MARKER} = 'powershell'
        try {{ $out = & {hats} @args }} finally {{ Remove-Item Env:{FUNCTION_MARKER} -ErrorAction SilentlyContinue }}
        if ($LASTEXITCODE -ne 0) {{ return }}
        Remove-Variable -Scope Global -Name _hats_hook_failed -ErrorAction SilentlyContinue
        if ($out) {{ Invoke-Expression ($out -join "`n") }}
    }} else {{
        & {hats} @args
    }}
}}
"#
    )
}

fn powershell_hook(hats: &str) -> String {
    format!(
        r#"# Renews the exported session before each prompt once it is in hats' refresh window.
$global:_hats_prompt = $function:prompt
function global:prompt {{
    if ($env:HATS_TARGET -and $global:_hats_hook_failed -ne $env:AWS_CREDENTIAL_EXPIRATION) {{
        $env:{FUNCTION_MARKER} = 'powershell'
        try {{ $out = & {hats} use --hook 2>$null }} finally {{ Remove-Item Env:{FUNCTION_MARKER} -ErrorAction SilentlyContinue }}
        if ($LASTEXITCODE -eq 0 -and $out) {{ Invoke-Expression ($out -join "`n") }}
    }}
    & $global:_hats_prompt
}}
"#
    )
}

/// The credentials and markers `hats use` sets, which `hats use --unset`
/// clears (the region variables are put back as they were instead).
pub const USE_VARS: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "HATS_TARGET",
    "HATS_ACCOUNT_ID",
    "HATS_ROLE_ARN",
];

/// What `hats use --unset` prints: every variable of [`USE_VARS`] removed and,
/// when `hats use` saved the shell's own region settings, those restored.
/// Without saved settings the region is left alone: hats did not set it.
pub fn unset_lines(format: Format, saved: Option<&SavedRegion>) -> String {
    let mut out: String = USE_VARS.iter().map(|k| unset_line(format, k)).collect();
    if let Some(saved) = saved {
        for (name, value) in saved.restore() {
            out.push_str(&match value {
                Some(value) => set_line(format, name, value),
                None => unset_line(format, name),
            });
        }
        out.push_str(&unset_line(format, SAVED_REGION));
    }
    out
}

/// What the hook prints when it could not renew: two shell variables (not
/// exported) the function reads, so the next `hats use` tells why, and the hook
/// stops trying for this session.
pub fn hook_failure_lines(format: Format, note: &str, failed_for: &str) -> String {
    let pairs = [("_hats_hook_note", note), ("_hats_hook_failed", failed_for)];
    pairs
        .iter()
        .map(|(k, v)| match format {
            Format::Fish => format!("set -g {k} {};\n", fish_quote(v)),
            Format::Powershell => format!("$global:{k} = {}\n", ps_quote(v)),
            _ => format!("{k}={}\n", sh_quote(v)),
        })
        .collect()
}

#[cfg(test)]
mod tests;
