//! Which commands may open a URL: the entries of `$BROWSER` in the forms other
//! tools read it, then the platform's opener. Pure: nothing runs here.
//!
//! `$BROWSER` is a list of commands separated by the platform's path-list
//! separator (`:`, or `;` on Windows). Each entry is a command with arguments
//! (split as a POSIX shell splits words, quotes allowed, nothing expanded);
//! `%s` in an argument stands for the URL and `%%` for a `%`; an entry without
//! `%s` gets the URL as its last argument.

use super::BrowserCommand;

/// The commands `$BROWSER` (its value is `value`) names for opening `url`, in
/// order; an entry that cannot be read is `Err((entry, why))`.
pub fn browser_entries(value: &str, url: &str) -> Vec<Result<BrowserCommand, (String, String)>> {
    value
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry_command(entry, url))
        .collect()
}

#[cfg(windows)]
const LIST_SEPARATOR: char = ';';
#[cfg(not(windows))]
const LIST_SEPARATOR: char = ':';

fn entry_command(entry: &str, url: &str) -> Result<BrowserCommand, (String, String)> {
    let words = shlex::split(entry).ok_or_else(|| (entry.to_owned(), "has an unmatched quote".to_owned()))?;
    let Some((program, rest)) = words.split_first().filter(|(program, _)| !program.is_empty()) else {
        return Err((entry.to_owned(), "names no program".to_owned()));
    };
    let mut placed = false;
    let mut args: Vec<String> = rest
        .iter()
        .map(|word| {
            let (text, has_url) = substitute(word, url);
            placed |= has_url;
            text
        })
        .collect();
    if !placed {
        args.push(url.to_owned());
    }
    Ok(BrowserCommand::new(program.clone(), args))
}

/// `word` with `%s` replaced by `url` and `%%` by `%`, and whether `%s` occurred.
fn substitute(word: &str, url: &str) -> (String, bool) {
    let mut out = String::with_capacity(word.len());
    let mut found = false;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => {
                out.push_str(url);
                found = true;
            }
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    (out, found)
}

/// The platform's own way to open a URL in the default browser.
pub fn platform_opener(url: &str) -> BrowserCommand {
    if cfg!(target_os = "macos") {
        BrowserCommand::new("open", vec![url.to_owned()])
    } else if cfg!(windows) {
        // The URL handler itself: `cmd /c start` would parse `&` in the URL.
        BrowserCommand::new(
            "rundll32.exe",
            vec!["url.dll,FileProtocolHandler".into(), url.to_owned()],
        )
    } else {
        BrowserCommand::new("xdg-open", vec![url.to_owned()])
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    const URL: &str = "https://example.test/a?b=1&c=%41";

    /// (program, arguments), or (entry, why it cannot be read).
    type Parsed = Result<(String, Vec<String>), (String, String)>;

    fn commands(value: &str) -> Vec<Parsed> {
        browser_entries(value, URL)
            .into_iter()
            .map(|c| c.map(|c| (c.program, c.args)))
            .collect()
    }

    #[test]
    fn a_plain_program_gets_the_url_as_its_argument() {
        assert_eq!(commands("firefox"), [Ok(("firefox".into(), vec![URL.into()]))]);
    }

    #[test]
    fn a_command_with_arguments_keeps_them_and_the_url_comes_last() {
        assert_eq!(
            commands("chromium --new-window --profile-directory='Profile 2'"),
            [Ok((
                "chromium".into(),
                vec![
                    "--new-window".into(),
                    "--profile-directory=Profile 2".into(),
                    URL.into()
                ]
            ))]
        );
    }

    #[test]
    fn percent_s_places_the_url_and_percent_percent_is_a_percent() {
        assert_eq!(
            commands("my-browser --app=%s --label=100%% -x%q"),
            [Ok((
                "my-browser".into(),
                vec![format!("--app={URL}"), "--label=100%".into(), "-x%q".into()]
            ))]
        );
    }

    #[test]
    fn entries_separated_by_colons_are_tried_in_order_and_empty_ones_skipped() {
        assert_eq!(
            commands("w3m -N:: lynx :firefox %s"),
            [
                Ok(("w3m".into(), vec!["-N".into(), URL.into()])),
                Ok(("lynx".into(), vec![URL.into()])),
                Ok(("firefox".into(), vec![URL.into()])),
            ]
        );
        assert!(commands("").is_empty());
        assert!(commands(" : ").is_empty());
    }

    #[test]
    fn nothing_in_an_entry_is_expanded_as_a_shell_would() {
        assert_eq!(
            commands("browser $(touch${IFS}pwned) `id` ;rm"),
            [Ok((
                "browser".into(),
                vec![
                    "$(touch${IFS}pwned)".into(),
                    "`id`".into(),
                    ";rm".into(),
                    URL.into()
                ]
            ))]
        );
    }

    #[test]
    fn an_unreadable_entry_is_named_and_the_rest_still_count() {
        assert_eq!(
            commands("open 'unclosed:firefox"),
            [
                Err(("open 'unclosed".into(), "has an unmatched quote".into())),
                Ok(("firefox".into(), vec![URL.into()])),
            ]
        );
        assert_eq!(commands("''"), [Err(("''".into(), "names no program".into()))]);
    }
}
