//! Firefox containers: which container a target opens in (name, colour, icon)
//! and the URL a container add-on turns into a tab in it. Pure.
//!
//! The URL is the add-ons' documented protocol: `ext+container:` ("Open
//! external links in a container") or `ext+granted-containers:` (Granted's),
//! then `name=…&url=…&color=…&icon=…`, every value percent-encoded so a
//! target name or a URL holding `&`, `=` or `#` stays one value. Both add-ons
//! read it with the browser's `URLSearchParams`.

use crate::config::{ConsoleEntry, ContainerAddon, ContainerColor, ContainerIcon};
use crate::inventory::Target;

/// The tag read for a container colour unless `color_tag` names another.
pub const COLOR_TAG: &str = "console-color";

/// A container a target opens in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// Its name: the target's unless configured.
    pub name: String,
    /// Its colour.
    pub color: ContainerColor,
    pub icon: ContainerIcon,
}

/// The container for `target`: the colour configured for it, else its
/// account's colour tag, else red for production, else a colour picked from
/// the name (never red, so only production looks like production).
pub fn container_for(target: &Target, choice: &ConsoleEntry, production: bool) -> Container {
    let tag = choice.color_tag.as_deref().unwrap_or(COLOR_TAG);
    let tagged = target.tags.get(tag).and_then(ContainerColor::from_name);
    let name = choice.container.clone().unwrap_or_else(|| target.name.clone());
    let color = choice.color.or(tagged).unwrap_or_else(|| {
        if production {
            ContainerColor::Red
        } else {
            stable_color(&name)
        }
    });
    Container {
        name,
        color,
        icon: choice.icon.unwrap_or(ContainerIcon::Fingerprint),
    }
}

/// A colour from `name` that stays the same across runs and machines.
fn stable_color(name: &str) -> ContainerColor {
    let calm: Vec<ContainerColor> = ContainerColor::ALL
        .into_iter()
        .filter(|c| *c != ContainerColor::Red)
        .collect();
    // FNV-1a: tiny and stable (std's hasher is seeded per process).
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let len = u64::try_from(calm.len()).unwrap_or(1);
    calm[usize::try_from(hash % len).unwrap_or(0)]
}

/// The URL that makes `addon` open `url` in `container`.
pub fn container_url(addon: ContainerAddon, container: &Container, url: &str) -> String {
    let scheme = match addon {
        ContainerAddon::OpenUrlInContainer => "ext+container",
        ContainerAddon::Granted => "ext+granted-containers",
    };
    let encode = crate::aws::percent_encode;
    format!(
        "{scheme}:name={}&url={}&color={}&icon={}",
        encode(&container.name),
        encode(url),
        container.color.name(),
        container.icon.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConsoleEntry;

    fn target(name: &str, tags: &[(&str, &str)]) -> Target {
        let mut target = crate::console::fixture::role(name, "arn:aws:iam::222222222222:role/Admin");
        target.tags = std::sync::Arc::new(tags.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect());
        target
    }

    #[test]
    fn production_is_red_and_nothing_else_is_red_unless_asked() {
        let choice = ConsoleEntry::default();
        assert_eq!(
            container_for(&target("prod/Admin", &[]), &choice, true).color,
            ContainerColor::Red
        );
        for i in 0..200 {
            let name = format!("dev-{i}/Admin");
            assert_ne!(
                container_for(&target(&name, &[]), &choice, false).color,
                ContainerColor::Red,
                "{name}"
            );
        }
        let a = container_for(&target("dev/Admin", &[]), &choice, false);
        assert_eq!(
            a,
            container_for(&target("dev/Admin", &[]), &choice, false),
            "stable"
        );
        assert_eq!(a.name, "dev/Admin");
        assert_eq!(a.icon, ContainerIcon::Fingerprint);
    }

    #[test]
    fn a_configured_colour_beats_the_tag_which_beats_production() {
        let tagged = target("prod/Admin", &[("console-color", "Purple")]);
        let plain = ConsoleEntry::default();
        assert_eq!(container_for(&tagged, &plain, true).color, ContainerColor::Purple);
        let configured = ConsoleEntry {
            color: Some(ContainerColor::Green),
            container: Some("Production".into()),
            ..ConsoleEntry::default()
        };
        let c = container_for(&tagged, &configured, true);
        assert_eq!((c.color, c.name.as_str()), (ContainerColor::Green, "Production"));
        let other_tag = ConsoleEntry {
            color_tag: Some("colour".into()),
            ..ConsoleEntry::default()
        };
        let team = target("dev/Admin", &[("colour", "orange"), ("console-color", "blue")]);
        assert_eq!(
            container_for(&team, &other_tag, false).color,
            ContainerColor::Orange
        );
        let nonsense = target("prod/Admin", &[("console-color", "mauve")]);
        assert_eq!(container_for(&nonsense, &plain, true).color, ContainerColor::Red);
    }

    #[test]
    fn the_url_keeps_names_and_urls_whole_whatever_they_hold() {
        let container = Container {
            name: "a&url=https://evil.test#x y".into(),
            color: ContainerColor::Red,
            icon: ContainerIcon::Briefcase,
        };
        let url = container_url(ContainerAddon::Granted, &container, "https://s/f?a=1&b=2#c");
        assert_eq!(
            url,
            "ext+granted-containers:name=a%26url%3Dhttps%3A%2F%2Fevil.test%23x%20y\
             &url=https%3A%2F%2Fs%2Ff%3Fa%3D1%26b%3D2%23c&color=red&icon=briefcase"
        );
    }
}
