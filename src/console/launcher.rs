//! A target's launcher: the command that opens a console URL in the browser,
//! container or profile the target's choice names. Looks for installed
//! browsers; starts nothing (`browser::run` does).

use super::browsers;
use super::container::{Container, container_for, container_url};
use crate::browser::{BrowserCommand, platform_opener};
use crate::config::{ConsoleEntry, ContainerAddon, LauncherKind};
use crate::inventory::Target;
use std::path::PathBuf;

/// How one target's console opens.
#[derive(Debug, Clone)]
pub enum Launcher {
    /// `$BROWSER`, else the platform's opener.
    Default,
    /// A Firefox container, through an add-on's protocol.
    FirefoxContainer {
        /// The Firefox program.
        firefox: String,
        /// Which add-on's protocol.
        addon: ContainerAddon,
        container: Container,
    },
    /// A Chromium-family browser with a profile of the target's own.
    ChromeProfile {
        /// The browser program.
        program: String,
        /// Which profile.
        profile: ChromeProfile,
    },
    /// The user's template, placeholders filled in.
    Command {
        /// The template's words.
        template: Vec<String>,
        /// The target's name, for `{target}`.
        target: String,
        /// The container it would have, for `{container}` and `{color}`.
        container: Container,
    },
}

/// A Chromium profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChromeProfile {
    /// hats' own directory for the target (`--user-data-dir`), made on first use.
    Own(PathBuf),
    /// A profile of the user's own browser (`--profile-directory`).
    Named(String),
}

impl Launcher {
    /// The launcher `kind` for `target` with its `choice`; the error is a sentence.
    pub fn new(
        kind: LauncherKind,
        choice: &ConsoleEntry,
        target: &Target,
        production: bool,
        data_dir: &std::path::Path,
    ) -> Result<Self, String> {
        let container = || container_for(target, choice, production);
        Ok(match kind {
            LauncherKind::Default => Launcher::Default,
            LauncherKind::FirefoxContainer => Launcher::FirefoxContainer {
                firefox: browsers::firefox(choice.browser.as_deref()),
                addon: choice.addon.unwrap_or_default(),
                container: container(),
            },
            LauncherKind::ChromeProfile => Launcher::ChromeProfile {
                program: browsers::chromium(choice.browser.as_deref())?,
                profile: choice.profile.clone().map_or_else(
                    || ChromeProfile::Own(browsers::profile_dir(data_dir, &target.name)),
                    ChromeProfile::Named,
                ),
            },
            LauncherKind::Command => Launcher::Command {
                template: choice.command.clone().ok_or(
                    "the command launcher needs a template: command = [\"my-browser\", \"--new-window\", \"{url}\"] \
                     under [defaults.console] or in a [[console]] entry",
                )?,
                target: target.name.clone(),
                container: container(),
            },
        })
    }

    /// Which kind it is.
    pub fn kind(&self) -> LauncherKind {
        match self {
            Launcher::Default => LauncherKind::Default,
            Launcher::FirefoxContainer { .. } => LauncherKind::FirefoxContainer,
            Launcher::ChromeProfile { .. } => LauncherKind::ChromeProfile,
            Launcher::Command { .. } => LauncherKind::Command,
        }
    }

    /// The command that opens `url`; for the default launcher, the first one
    /// hats would try (each `$BROWSER` entry, then the platform's opener, are
    /// tried in turn when it runs).
    pub fn command(&self, url: &str) -> BrowserCommand {
        match self {
            Launcher::Default => crate::browser::candidates(url)
                .into_iter()
                .find_map(Result::ok)
                .unwrap_or_else(|| platform_opener(url)),
            Launcher::FirefoxContainer {
                firefox,
                addon,
                container,
            } => BrowserCommand::new(firefox.clone(), vec![container_url(*addon, container, url)]),
            Launcher::ChromeProfile { program, profile } => {
                let mut args = match profile {
                    ChromeProfile::Own(dir) => vec![
                        format!("--user-data-dir={}", dir.display()),
                        "--no-first-run".to_owned(),
                        "--no-default-browser-check".to_owned(),
                    ],
                    ChromeProfile::Named(name) => vec![format!("--profile-directory={name}")],
                };
                args.push(url.to_owned());
                BrowserCommand::new(program.clone(), args)
            }
            Launcher::Command {
                template,
                target,
                container,
            } => fill_template(template, url, target, container),
        }
    }

    /// Makes what the launcher needs before its first run (hats' own profile directory).
    pub fn prepare(&self) -> std::io::Result<()> {
        match self {
            Launcher::ChromeProfile {
                profile: ChromeProfile::Own(dir),
                ..
            } => {
                if let Some(parent) = dir.parent() {
                    crate::fs_private::create_dir(parent)?;
                }
                crate::fs_private::create_dir(dir)
            }
            _ => Ok(()),
        }
    }

    /// One line for people: the launcher and its container or profile.
    pub fn describe(&self) -> String {
        let printable = |text: &str| crate::config::printable(text).into_owned();
        match self {
            Launcher::Default => "default (the system browser)".to_owned(),
            Launcher::FirefoxContainer { container, .. } => format!(
                "firefox-container: container \"{}\", {}",
                printable(&container.name),
                container.color.name()
            ),
            Launcher::ChromeProfile {
                profile: ChromeProfile::Own(dir),
                ..
            } => format!(
                "chrome-profile: own profile {}",
                printable(&dir.display().to_string())
            ),
            Launcher::ChromeProfile {
                profile: ChromeProfile::Named(name),
                ..
            } => format!("chrome-profile: profile \"{}\"", printable(name)),
            Launcher::Command { template, .. } => {
                format!(
                    "command: {}",
                    printable(template.first().map_or("", String::as_str))
                )
            }
        }
    }
}

/// The template with `{url}`, `{target}`, `{container}` and `{color}` filled
/// in, each word staying one argument; the URL goes last when no word has `{url}`.
fn fill_template(template: &[String], url: &str, target: &str, container: &Container) -> BrowserCommand {
    let mut placed = false;
    let mut words: Vec<String> = template
        .iter()
        .map(|word| {
            placed |= word.contains("{url}");
            word.replace("{target}", target)
                .replace("{container}", &container.name)
                .replace("{color}", container.color.name())
                .replace("{url}", url)
        })
        .collect();
    if !placed {
        words.push(url.to_owned());
    }
    let program = if words.is_empty() {
        String::new()
    } else {
        words.remove(0)
    };
    BrowserCommand::new(program, words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ContainerColor;
    use crate::console::fixture;
    use std::path::Path;

    const URL: &str = "https://signin.test/federation?Action=login&SigninToken=t";

    fn launcher(kind: LauncherKind, choice: &ConsoleEntry, name: &str) -> Launcher {
        let target = fixture::role(name, "arn:aws:iam::222222222222:role/Admin");
        Launcher::new(kind, choice, &target, false, Path::new("/data")).unwrap()
    }

    #[test]
    fn a_template_fills_each_word_alone_and_appends_the_url_when_it_has_no_place() {
        let choice = ConsoleEntry {
            command: Some(vec![
                "my-browser".into(),
                "--window={target}".into(),
                "--color={color}".into(),
            ]),
            color: Some(ContainerColor::Blue),
            ..ConsoleEntry::default()
        };
        let command = launcher(LauncherKind::Command, &choice, "a b;$(x)").command(URL);
        assert_eq!(command.program, "my-browser");
        assert_eq!(command.args, ["--window=a b;$(x)", "--color=blue", URL]);
        let placed = ConsoleEntry {
            command: Some(vec!["b".into(), "{url}".into(), "--x".into()]),
            ..ConsoleEntry::default()
        };
        assert_eq!(
            launcher(LauncherKind::Command, &placed, "t").command(URL).args,
            [URL, "--x"]
        );
    }

    #[test]
    fn the_command_launcher_without_a_template_says_how_to_write_one() {
        let target = fixture::role("t", "arn:aws:iam::222222222222:role/Admin");
        let err = Launcher::new(
            LauncherKind::Command,
            &ConsoleEntry::default(),
            &target,
            false,
            Path::new("/d"),
        )
        .unwrap_err();
        assert!(err.contains("command = [\"my-browser\""), "{err}");
    }

    #[test]
    fn chrome_gets_its_own_profile_or_the_named_one() {
        let own = ConsoleEntry {
            browser: Some("/opt/chromium".into()),
            ..ConsoleEntry::default()
        };
        let l = launcher(LauncherKind::ChromeProfile, &own, "prod/Admin");
        let command = l.command(URL);
        assert_eq!(command.program, "/opt/chromium");
        let dir = browsers::profile_dir(Path::new("/data"), "prod/Admin");
        assert_eq!(
            command.args,
            [
                format!("--user-data-dir={}", dir.display()),
                "--no-first-run".into(),
                "--no-default-browser-check".into(),
                URL.to_owned()
            ]
        );
        let named = ConsoleEntry {
            profile: Some("Profile 3".into()),
            ..own
        };
        let command = launcher(LauncherKind::ChromeProfile, &named, "prod/Admin").command(URL);
        assert_eq!(command.args, ["--profile-directory=Profile 3", URL]);
    }

    #[test]
    fn firefox_gets_the_container_url_as_its_one_argument() {
        let choice = ConsoleEntry {
            browser: Some("firefox-esr".into()),
            addon: Some(ContainerAddon::Granted),
            ..ConsoleEntry::default()
        };
        let command = launcher(LauncherKind::FirefoxContainer, &choice, "dev").command(URL);
        assert_eq!(command.program, "firefox-esr");
        assert_eq!(command.args.len(), 1);
        assert!(command.args[0].starts_with("ext+granted-containers:name=dev&url=https%3A%2F%2Fsignin.test"));
    }
}
