//! What a sandbox's keyrings hold: the keys of hats' entries, read from the
//! stores themselves (the Secret Service with `secret-tool`, the kernel
//! keyrings with `keyctl`), never from hats' own index, which a cache hit
//! rebuilds and which a bug could leave out of step with the keyring.

use super::*;

/// The key in a keyutils description `keyring:<key>@hats`.
fn keyutils_key(description: &str) -> Option<String> {
    description
        .strip_prefix("keyring:")?
        .strip_suffix("@hats")
        .map(str::to_owned)
}

impl Sandbox {
    /// The keys of hats' entries in the sandbox's Secret Service (if it has one).
    pub fn secret_service_keys(&self) -> Vec<String> {
        if self.keyring.is_none() {
            return Vec::new();
        }
        let secret_tool = require("secret-tool", "libsecret-tools");
        let mut search = self.command(secret_tool);
        search.args(["search", "--all", "service", "hats"]);
        let out = search.output().expect("run secret-tool");
        // secret-tool prints each item's label and secret on stdout and its
        // attributes on stderr: only the key attribute is read, so no secret
        // reaches a message.
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "secret-tool search failed: {}",
            said.lines()
                .filter(|l| !l.starts_with("attribute."))
                .collect::<Vec<_>>()
                .join(" ")
        );
        said.lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(str::to_owned)
            .collect()
    }

    /// The keys of hats' entries in the sandbox's kernel keyrings: its session
    /// keyring and its persistent keyring (where the keyutils store links them).
    pub fn keyutils_keys(&self) -> Vec<String> {
        let keyctl = require("keyctl", "keyutils");
        let out = self
            .command("sh")
            .args([
                "-c",
                r#""$0" get_persistent @s >/dev/null && "$0" show @s"#,
                keyctl.to_str().unwrap(),
            ])
            .output()
            .expect("run keyctl");
        assert!(
            out.status.success(),
            "keyctl show: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(" user: "))
            .filter_map(|(_, description)| keyutils_key(description.trim()))
            .collect()
    }

    /// Every key hats stored anywhere in the sandbox.
    pub fn stored_keys(&self) -> Vec<String> {
        let mut keys = self.secret_service_keys();
        keys.extend(self.keyutils_keys());
        keys
    }

    /// Asserts that nothing at all is cached: an empty index and no entry in any keyring.
    pub fn assert_nothing_cached(&self) {
        let index = self.index_entries();
        assert!(
            index.is_null() || index.as_object().is_some_and(serde_json::Map::is_empty),
            "nothing may be in the index: {index}"
        );
        assert_eq!(
            self.stored_keys(),
            Vec::<String>::new(),
            "nothing may be in a keyring"
        );
    }
}
