//! How the console opens for a target: `[defaults.console]` (every target) and
//! `[[console]]` entries (targets matching their patterns) in hats' config.
//!
//! Shapes and per-target resolution only: turning a choice into URLs and
//! browser commands is `console/`'s business, starting them `browser/`'s.

use super::ConfigError;
use serde::Deserialize;
use std::fmt;

/// How the console is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LauncherKind {
    /// The system browser: `$BROWSER`, else the platform's opener.
    #[default]
    Default,
    /// A Firefox container named after the target, through a container add-on's protocol.
    FirefoxContainer,
    /// A Chromium-family browser with a profile of the target's own.
    ChromeProfile,
    /// A command template, run without a shell.
    Command,
}

impl LauncherKind {
    /// Every launcher, in the order help lists them.
    pub const ALL: [LauncherKind; 4] = [
        LauncherKind::Default,
        LauncherKind::FirefoxContainer,
        LauncherKind::ChromeProfile,
        LauncherKind::Command,
    ];

    /// The name used in the config and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LauncherKind::Default => "default",
            LauncherKind::FirefoxContainer => "firefox-container",
            LauncherKind::ChromeProfile => "chrome-profile",
            LauncherKind::Command => "command",
        }
    }

    /// Whether the launcher keeps each target's cookies apart from the others'.
    pub fn isolates(self) -> bool {
        matches!(self, LauncherKind::FirefoxContainer | LauncherKind::ChromeProfile)
    }
}

impl fmt::Display for LauncherKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for LauncherKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|l| l.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|l| l.name()).collect();
            format!(
                "unknown launcher \"{}\"; use one of {}",
                super::printable(s),
                names.join(", ")
            )
        })
    }
}

/// Which Firefox add-on opens the container URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerAddon {
    /// "Open external links in a container": `ext+container:`.
    #[default]
    OpenUrlInContainer,
    /// Granted's add-on: `ext+granted-containers:`.
    Granted,
}

/// A Firefox container colour (the names Firefox accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum ContainerColor {
    Blue,
    Turquoise,
    Green,
    Yellow,
    Orange,
    Red,
    Pink,
    Purple,
}

impl ContainerColor {
    /// Every colour.
    pub const ALL: [ContainerColor; 8] = [
        ContainerColor::Blue,
        ContainerColor::Turquoise,
        ContainerColor::Green,
        ContainerColor::Yellow,
        ContainerColor::Orange,
        ContainerColor::Red,
        ContainerColor::Pink,
        ContainerColor::Purple,
    ];

    /// The name Firefox uses.
    pub fn name(self) -> &'static str {
        match self {
            ContainerColor::Blue => "blue",
            ContainerColor::Turquoise => "turquoise",
            ContainerColor::Green => "green",
            ContainerColor::Yellow => "yellow",
            ContainerColor::Orange => "orange",
            ContainerColor::Red => "red",
            ContainerColor::Pink => "pink",
            ContainerColor::Purple => "purple",
        }
    }

    /// The colour called `name` (as a tag value may say it), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A Firefox container icon (the names Firefox accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum ContainerIcon {
    Fingerprint,
    Briefcase,
    Dollar,
    Cart,
    Circle,
    Gift,
    Vacation,
    Food,
    Fruit,
    Pet,
    Tree,
    Chill,
}

impl ContainerIcon {
    /// The name Firefox uses.
    pub fn name(self) -> &'static str {
        match self {
            ContainerIcon::Fingerprint => "fingerprint",
            ContainerIcon::Briefcase => "briefcase",
            ContainerIcon::Dollar => "dollar",
            ContainerIcon::Cart => "cart",
            ContainerIcon::Circle => "circle",
            ContainerIcon::Gift => "gift",
            ContainerIcon::Vacation => "vacation",
            ContainerIcon::Food => "food",
            ContainerIcon::Fruit => "fruit",
            ContainerIcon::Pet => "pet",
            ContainerIcon::Tree => "tree",
            ContainerIcon::Chill => "chill",
        }
    }
}

/// When to sign the browser out before signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignOut {
    /// When hats opened another target in the same browser and that session has not expired.
    #[default]
    Auto,
    /// Every time the launcher does not isolate targets.
    Always,
    Never,
}

/// `[defaults.console]` or one `[[console]]` entry; unset keys fall back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleEntry {
    /// Target-name patterns (`*` is a wildcard) an entry applies to; `[[console]]` only.
    #[serde(default)]
    pub targets: Vec<String>,
    pub launcher: Option<LauncherKind>,
    /// The browser program for `firefox-container` and `chrome-profile`.
    pub browser: Option<String>,
    /// The `command` launcher's template (`{url}`, `{target}`, `{container}`, `{color}`).
    pub command: Option<Vec<String>>,
    /// The container's name (default: the target's name).
    pub container: Option<String>,
    /// The add-on that opens container URLs.
    pub addon: Option<ContainerAddon>,
    /// The container's colour.
    pub color: Option<ContainerColor>,
    /// The container's icon.
    pub icon: Option<ContainerIcon>,
    /// The account tag whose value picks the container colour (default `console-color`).
    pub color_tag: Option<String>,
    /// An existing browser profile (`--profile-directory`) instead of one of hats' own.
    pub profile: Option<String>,
    /// The console's multi-session is turned on in the browser the launcher opens.
    pub multi_session: Option<bool>,
    /// When to sign out first.
    pub sign_out: Option<SignOut>,
}

impl ConsoleEntry {
    /// `self` with every key `over` sets replaced by `over`'s value.
    fn overlay(&mut self, over: &ConsoleEntry) {
        fn take<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        take(&mut self.launcher, &over.launcher);
        take(&mut self.browser, &over.browser);
        take(&mut self.command, &over.command);
        take(&mut self.container, &over.container);
        take(&mut self.addon, &over.addon);
        take(&mut self.color, &over.color);
        take(&mut self.icon, &over.icon);
        take(&mut self.color_tag, &over.color_tag);
        take(&mut self.profile, &over.profile);
        take(&mut self.multi_session, &over.multi_session);
        take(&mut self.sign_out, &over.sign_out);
    }
}

/// The console settings: defaults, then entries by pattern.
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    defaults: ConsoleEntry,
    rules: Vec<ConsoleEntry>,
}

impl ConsoleConfig {
    /// Checks `[defaults.console]` and the `[[console]]` entries.
    pub fn new(defaults: &ConsoleEntry, rules: &[ConsoleEntry]) -> Result<Self, ConfigError> {
        let fail = |place: String, message: &str| ConfigError::Entry {
            place,
            message: message.to_owned(),
        };
        if !defaults.targets.is_empty() {
            return Err(fail(
                "[defaults.console] in hats config".into(),
                "targets belongs in a [[console]] entry; [defaults.console] applies to every target",
            ));
        }
        for (i, rule) in rules.iter().enumerate() {
            let place = format!("[[console]] entry {} in hats config", i + 1);
            if rule.targets.iter().all(|t| t.trim().is_empty()) {
                return Err(fail(
                    place,
                    "names no targets; add targets = [\"NAME\", \"prod-*\"]",
                ));
            }
        }
        for (place, entry) in std::iter::once(("[defaults.console]".to_owned(), defaults)).chain(
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("[[console]] entry {}", i + 1), r)),
        ) {
            check_command(entry).map_err(|message| fail(format!("{place} in hats config"), message))?;
        }
        Ok(Self {
            defaults: defaults.clone(),
            rules: rules.to_vec(),
        })
    }

    /// What applies to the target `name` (or its `alias`): the defaults, then
    /// every matching `[[console]]` entry in file order, later ones winning.
    pub fn for_target(&self, name: &str, alias: Option<&str>) -> ConsoleEntry {
        let mut merged = self.defaults.clone();
        let matches = |pattern: &String| {
            super::settings::wildcard_match(pattern, name)
                || alias.is_some_and(|a| super::settings::wildcard_match(pattern, a))
        };
        for rule in self.rules.iter().filter(|r| r.targets.iter().any(matches)) {
            merged.overlay(rule);
        }
        merged.targets = Vec::new();
        merged
    }
}

fn check_command(entry: &ConsoleEntry) -> Result<(), &'static str> {
    match &entry.command {
        Some(words) if words.first().is_none_or(|w| w.trim().is_empty()) => {
            Err("command must start with a program: command = [\"my-browser\", \"--new-window\", \"{url}\"]")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConsoleConfig, String> {
        let file = super::super::HatsFile::parse(text)?;
        ConsoleConfig::new(&file.defaults.console, &file.console).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_apply_everywhere_and_matching_entries_override_in_file_order() {
        let config = parse(
            r#"
            [defaults]
            console.launcher = "chrome-profile"
            console.multi_session = true
            [[console]]
            targets = ["prod*"]
            launcher = "firefox-container"
            color = "purple"
            [[console]]
            targets = ["prod-db/*"]
            color = "orange"
            "#,
        )
        .unwrap();
        let dev = config.for_target("dev/Admin", None);
        assert_eq!(dev.launcher, Some(LauncherKind::ChromeProfile));
        assert_eq!(dev.multi_session, Some(true));
        assert_eq!(dev.color, None);
        let prod = config.for_target("prod-db/Admin", None);
        assert_eq!(prod.launcher, Some(LauncherKind::FirefoxContainer));
        assert_eq!(prod.color, Some(ContainerColor::Orange));
        assert_eq!(prod.multi_session, Some(true));
        let by_alias = config.for_target("222222222222/Admin", Some("prod-web/Admin"));
        assert_eq!(by_alias.color, Some(ContainerColor::Purple));
    }

    #[test]
    fn mistakes_are_named_with_where_they_are() {
        let err = parse("[defaults.console]\ntargets = [\"x\"]\n").unwrap_err();
        assert!(err.contains("targets belongs in a [[console]] entry"), "{err}");
        let err = parse("[[console]]\nlauncher = \"command\"\n").unwrap_err();
        assert!(
            err.contains("[[console]] entry 1 in hats config: names no targets"),
            "{err}"
        );
        let err = parse("[[console]]\ntargets = [\"x\"]\ncommand = []\n").unwrap_err();
        assert!(err.contains("command must start with a program"), "{err}");
        let err = parse("[defaults.console]\ncolor = \"mauve\"\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("mauve"), "{err}");
        let err = parse("[defaults.console]\nlauncher = \"safari-tab\"\n").unwrap_err();
        assert!(err.contains("safari-tab"), "{err}");
    }

    #[test]
    fn launcher_names_round_trip_and_an_unknown_one_lists_the_choices() {
        for launcher in LauncherKind::ALL {
            assert_eq!(launcher.name().parse::<LauncherKind>(), Ok(launcher));
        }
        assert_eq!(
            "edge".parse::<LauncherKind>(),
            Err(
                "unknown launcher \"edge\"; use one of default, firefox-container, chrome-profile, command"
                    .into()
            )
        );
    }

    #[test]
    fn tag_colours_are_read_loosely() {
        assert_eq!(
            ContainerColor::from_name(" Purple "),
            Some(ContainerColor::Purple)
        );
        assert_eq!(ContainerColor::from_name("mauve"), None);
    }
}
