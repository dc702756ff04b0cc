//! `hats eks kubeconfig`: merges one cluster, one user (an exec plugin that
//! runs `hats eks token`) and one context into a kubeconfig file, leaving every
//! other entry as it was. The file holds no secret (the token is fetched per
//! kubectl call) but is kept 0600 like kubectl's own.

use serde_yaml_ng::{Mapping, Value};
use std::path::{Path, PathBuf};

mod lock;

/// What to add.
pub struct KubeEntry<'a> {
    /// The EKS cluster's name (signed into tokens as `x-k8s-aws-id`).
    pub cluster: &'a str,
    /// The API server's URL.
    pub server: &'a str,
    /// The CA certificate's PEM text, if given.
    pub ca_pem: Option<&'a str>,
    /// The hats target whose credentials sign the tokens.
    pub target: &'a str,
    /// hats' absolute path as invoked (links kept), for the exec plugin.
    pub hats: &'a str,
}

/// Why the kubeconfig could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// The existing file is not a kubeconfig hats can merge into.
    #[error("cannot merge into the kubeconfig \"{}\": {reason}; fix the file or point KUBECONFIG elsewhere", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// kubectl's lock file stayed while hats waited: kubectl (or another hats)
    /// is changing the file, or stopped while changing it.
    #[error(
        "\"{}\" exists: kubectl or another hats is changing the kubeconfig, or stopped while changing it \
         (hats waited {secs}s); if none is running, delete \"{}\" and run this again",
        lock.display(),
        lock.display()
    )]
    Locked {
        /// The lock file.
        lock: PathBuf,
        /// How long hats waited for it.
        secs: u64,
    },
    /// Reading or writing the file failed.
    #[error("cannot update the kubeconfig \"{}\": {source}; check the file and its directory", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

/// The file kubectl writes new entries to: the first of `KUBECONFIG`'s list, else `~/.kube/config`.
pub fn kubeconfig_path(home: &Path) -> PathBuf {
    std::env::var_os("KUBECONFIG")
        .and_then(|list| std::env::split_paths(&list).find(|p| !p.as_os_str().is_empty()))
        .unwrap_or_else(|| home.join(".kube").join("config"))
}

/// The names used for the user and the context: one per target and cluster.
pub fn context_name(entry: &KubeEntry<'_>) -> String {
    format!("{}@{}", entry.target, entry.cluster)
}

/// Merges `entry` into the file at `path` (created, with its directory, if
/// missing), replaced atomically and 0600; makes its context the current one.
/// kubectl's lock (`PATH.lock`) is held meanwhile, and a `path` that is a
/// symbolic link is written through: the link stays.
pub fn merge_into_file(path: &Path, entry: &KubeEntry<'_>) -> Result<(), KubeconfigError> {
    let _lock = lock::KubectlLock::take(path)?;
    let file = lock::follow_links(path);
    let io = |source| KubeconfigError::Io {
        path: file.clone(),
        source,
    };
    let existing = match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let merged = merge(existing.as_deref(), entry).map_err(|reason| KubeconfigError::Malformed {
        path: file.clone(),
        reason,
    })?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        crate::fs_private::create_dir(dir).map_err(io)?;
    }
    crate::fs_private::write_atomic(&file, merged.as_bytes()).map_err(io)
}

/// `existing` (a kubeconfig's text, if any) with `entry`'s cluster, user and
/// context added or replaced by name, and its context current.
pub fn merge(existing: Option<&str>, entry: &KubeEntry<'_>) -> Result<String, String> {
    let mut doc = match existing.filter(|t| !t.trim().is_empty()) {
        Some(text) => serde_yaml_ng::from_str::<Value>(text).map_err(|e| format!("not YAML ({e})"))?,
        None => Value::Mapping(Mapping::new()),
    };
    let map = doc
        .as_mapping_mut()
        .ok_or_else(|| "its top level is not a mapping".to_owned())?;
    for (key, value) in [("apiVersion", "v1"), ("kind", "Config")] {
        map.entry(key.into()).or_insert_with(|| value.into());
    }
    let name = context_name(entry);
    upsert(map, "clusters", "cluster", entry.cluster, cluster(entry))?;
    upsert(map, "users", "user", &name, user(entry))?;
    let mut context = Mapping::new();
    context.insert("cluster".into(), entry.cluster.into());
    context.insert("user".into(), name.as_str().into());
    upsert(map, "contexts", "context", &name, Value::Mapping(context))?;
    map.insert("current-context".into(), name.into());
    serde_yaml_ng::to_string(&doc).map_err(|e| e.to_string())
}

/// Replaces the element of list `list` named `name`, or appends one.
fn upsert(map: &mut Mapping, list: &str, field: &str, name: &str, body: Value) -> Result<(), String> {
    let items = map
        .entry(list.into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if items.is_null() {
        *items = Value::Sequence(Vec::new());
    }
    let items = items
        .as_sequence_mut()
        .ok_or_else(|| format!("\"{list}\" is not a list"))?;
    let mut named = Mapping::new();
    named.insert("name".into(), name.into());
    named.insert(field.into(), body);
    match items
        .iter_mut()
        .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
    {
        Some(item) => *item = Value::Mapping(named),
        None => items.push(Value::Mapping(named)),
    }
    Ok(())
}

fn cluster(entry: &KubeEntry<'_>) -> Value {
    use base64::Engine as _;
    let mut cluster = Mapping::new();
    cluster.insert("server".into(), entry.server.into());
    if let Some(pem) = entry.ca_pem {
        let data = base64::engine::general_purpose::STANDARD.encode(pem);
        cluster.insert("certificate-authority-data".into(), data.into());
    }
    Value::Mapping(cluster)
}

fn user(entry: &KubeEntry<'_>) -> Value {
    let args: Vec<Value> = ["eks", "token", "--cluster", entry.cluster, entry.target]
        .into_iter()
        .map(Value::from)
        .collect();
    let mut exec = Mapping::new();
    exec.insert("apiVersion".into(), "client.authentication.k8s.io/v1beta1".into());
    exec.insert("command".into(), entry.hats.into());
    exec.insert("args".into(), Value::Sequence(args));
    // hats may need to ask for an MFA code on the terminal.
    exec.insert("interactiveMode".into(), "IfAvailable".into());
    exec.insert("provideClusterInfo".into(), false.into());
    let mut user = Mapping::new();
    user.insert("exec".into(), Value::Mapping(exec));
    Value::Mapping(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OTHER: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: kind\n  cluster:\n    server: https://127.0.0.1:6443\n\
        users:\n- name: admin\n  user:\n    token: abc\ncontexts:\n- name: kind\n  context:\n    cluster: kind\n    user: admin\n\
        current-context: kind\npreferences: {}\n";

    fn entry(server: &str) -> KubeEntry<'_> {
        KubeEntry {
            cluster: "prod-eks",
            server,
            ca_pem: Some("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            target: "prod/Admin",
            hats: "/usr/local/bin/hats",
        }
    }

    #[test]
    fn merging_adds_three_entries_and_keeps_the_others() {
        let merged = merge(Some(OTHER), &entry("https://eks.example:443")).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&merged).unwrap();
        let names = |list: &str| -> Vec<String> {
            doc[list]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(names("clusters"), ["kind", "prod-eks"]);
        assert_eq!(names("users"), ["admin", "prod/Admin@prod-eks"]);
        assert_eq!(names("contexts"), ["kind", "prod/Admin@prod-eks"]);
        assert_eq!(doc["users"][0]["user"]["token"], "abc", "other users untouched");
        assert_eq!(doc["preferences"], Value::Mapping(Mapping::new()));
        assert_eq!(doc["current-context"], "prod/Admin@prod-eks");
        let exec = &doc["users"][1]["user"]["exec"];
        assert_eq!(exec["command"], "/usr/local/bin/hats");
        assert_eq!(exec["args"][3], "prod-eks");
        assert!(doc["clusters"][1]["cluster"]["certificate-authority-data"].is_string());
    }

    #[test]
    fn merging_again_replaces_by_name_instead_of_duplicating() {
        let once = merge(Some(OTHER), &entry("https://old:443")).unwrap();
        let twice = merge(Some(&once), &entry("https://new:443")).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&twice).unwrap();
        assert_eq!(doc["clusters"].as_sequence().unwrap().len(), 2);
        assert_eq!(doc["clusters"][1]["cluster"]["server"], "https://new:443");
    }

    #[test]
    fn a_file_that_is_not_a_kubeconfig_is_refused_not_overwritten() {
        assert!(merge(Some("- just\n- a list\n"), &entry("https://x")).is_err());
        assert!(merge(Some("clusters: 3\n"), &entry("https://x")).is_err());
        assert!(merge(Some("a: [unclosed\n"), &entry("https://x")).is_err());
    }
}
