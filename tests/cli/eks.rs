//! `hats eks kubeconfig` and `hats eks token` with the real kubectl against a
//! local HTTPS stand-in API server (`tests/standin/kube_api.py`), whose recorded
//! bearer token is then checked the way EKS checks it (`tests/standin/eks_verify.py`).

use crate::harness::{Sandbox, require};
use crate::serve::venv_bin;
use std::path::PathBuf;
use std::process::Stdio;

fn standin(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/standin")
        .join(name)
}

/// The stand-in API server, killed on drop.
struct KubeApi {
    child: std::process::Child,
    port: u16,
    dir: PathBuf,
}

/// The keys of `target`'s cached session, from `hats env --format json`.
fn session_keys(sb: &Sandbox, target: &str) -> [(&'static str, String); 3] {
    let env: serde_json::Value =
        serde_json::from_str(&sb.hats(&["env", "--format", "json", target]).ok()).unwrap();
    let key = |name: &str| env[name].as_str().unwrap().to_owned();
    [
        ("KEY_ID", key("AWS_ACCESS_KEY_ID")),
        ("SECRET", key("AWS_SECRET_ACCESS_KEY")),
        ("SESSION_TOKEN", key("AWS_SESSION_TOKEN")),
    ]
}

impl KubeApi {
    /// The stand-in for `cluster`, accepting tokens signed with `target`'s session.
    fn start(sb: &Sandbox, cluster: &str, target: &str) -> Self {
        require("openssl", "openssl");
        let dir = sb.dir.path().join("kube-api");
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = std::process::Command::new(venv_bin("python"))
            .arg(standin("kube_api.py"))
            .args(["--dir", &dir.display().to_string(), "--cluster", cluster])
            .args(["--sts", &sb.moto.endpoint(), "--region", "us-east-1"])
            .envs(session_keys(sb, target))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no port from kube_api.py: {line:?}"));
        Self { child, port, dir }
    }

    /// Each request's bearer token and the stand-in's verdict (`ok` or why it refused).
    fn tokens(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.dir.join("tokens.txt"))
            .unwrap()
            .lines()
            .map(|l| {
                let (token, verdict) = l.split_once('\t').unwrap();
                (token.to_owned(), verdict.to_owned())
            })
            .collect()
    }

    fn server(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn ca_file(&self) -> String {
        self.dir.join("cert.pem").display().to_string()
    }
}

impl Drop for KubeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const OTHER_ENTRIES: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: kind\n  cluster:\n    server: https://127.0.0.1:1\n\
    users:\n- name: admin\n  user:\n    token: keep-me\ncontexts:\n- name: kind\n  context:\n    cluster: kind\n    user: admin\n\
    current-context: kind\n";

/// Whether `out` succeeded, and all it printed.
fn said(out: &std::process::Output) -> (bool, String) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Runs `eks_verify.py` on `token` for `cluster` with the session's keys from `hats env`.
fn verify(sb: &Sandbox, token: &str, cluster: &str) -> (bool, String) {
    let out = sb
        .command(venv_bin("python"))
        .arg(standin("eks_verify.py"))
        .args([
            "--cluster",
            cluster,
            "--sts",
            &sb.moto.endpoint(),
            "--region",
            "us-east-1",
        ])
        .env("TOKEN", token)
        .envs(session_keys(sb, "plain-role"))
        .output()
        .unwrap();
    said(&out)
}

/// `kubectl get --raw /api/hats-probe` against `api` with a fixed bearer `token`.
fn kubectl_with_token(sb: &Sandbox, kubectl: &std::path::Path, api: &KubeApi, token: &str) -> (bool, String) {
    let out = sb
        .command(kubectl)
        .args(["get", "--raw", "/api/hats-probe"])
        .args([
            "--server",
            &api.server(),
            "--certificate-authority",
            &api.ca_file(),
        ])
        .arg(format!("--token={token}"))
        .env("KUBECONFIG", sb.dir.path().join("no-kubeconfig"))
        .output()
        .unwrap();
    said(&out)
}

#[test]
fn kubectl_authenticates_with_a_hats_token_that_sts_attributes_to_the_target() {
    let kubectl = require("kubectl", "kubernetes-client");
    let mut sb = Sandbox::standard(true);
    sb.set_env("AWS_DEFAULT_REGION", "us-east-1");
    let kubeconfig = sb.write("kube/config", OTHER_ENTRIES);
    sb.set_env("KUBECONFIG", &kubeconfig.display().to_string());
    let api = KubeApi::start(&sb, "demo", "plain-role");
    sb.hats(&[
        "eks",
        "kubeconfig",
        "--cluster",
        "demo",
        "--server",
        &api.server(),
        "--ca-file",
        &api.ca_file(),
        "plain-role",
    ])
    .ok();
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(
        text.contains("keep-me") && text.contains("name: kind"),
        "other entries kept:\n{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kubeconfig).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let out = sb
        .command(&kubectl)
        .args(["get", "--raw", "/api/hats-probe"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && stdout.contains("\"authenticated\": true")
            && stdout.contains("assumed-role/ReadOnly/ci-runner"),
        "kubectl: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens = api.tokens();
    // kubectl may call more than once (discovery, retries) but reuses the credential.
    assert!(
        !tokens.is_empty() && tokens.iter().all(|t| t == &tokens[0]),
        "{tokens:?}"
    );
    let (token, verdict) = &tokens[0];
    assert!(token.starts_with("k8s-aws-v1."), "{token}");
    assert_eq!(verdict, "ok");

    let (ok, report) = verify(&sb, token, "demo");
    assert!(ok, "{report}");
    let report: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
    assert_eq!(
        report["arn"], "arn:aws:sts::222222222222:assumed-role/ReadOnly/ci-runner",
        "{report}"
    );
    assert!(
        report["signed_headers"]
            .as_array()
            .unwrap()
            .contains(&"x-k8s-aws-id".into()),
        "{report}"
    );
    // Signed for "demo": the header is part of the signature, so another cluster's check fails.
    let (ok, other) = verify(&sb, token, "other-cluster");
    assert!(!ok && other.contains("signature does not match"), "{other}");
}

/// `token` with one character of its URL's signature changed, re-encoded.
fn with_signature_changed(token: &str) -> String {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let url = String::from_utf8(engine.decode(&token["k8s-aws-v1.".len()..]).unwrap()).unwrap();
    let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if url.as_bytes()[at] == b'0' { "1" } else { "0" };
    let changed = format!("{}{flipped}{}", &url[..at], &url[at + 1..]);
    format!("k8s-aws-v1.{}", engine.encode(changed))
}

#[test]
fn the_kubernetes_api_stand_in_refuses_tokens_with_a_wrong_signature_or_cluster() {
    let kubectl = require("kubectl", "kubernetes-client");
    let sb = Sandbox::standard(true);
    let api = KubeApi::start(&sb, "demo", "plain-role");
    let token = |cluster: &str| -> String {
        let out = sb
            .hats(&["eks", "token", "--cluster", cluster, "plain-role"])
            .ok();
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        doc["status"]["token"].as_str().unwrap().to_owned()
    };
    let good = token("demo");
    let (ok, said) = kubectl_with_token(&sb, &kubectl, &api, &good);
    assert!(ok && said.contains("assumed-role/ReadOnly/ci-runner"), "{said}");
    for (bad, why) in [
        (with_signature_changed(&good), "the signature does not match"),
        (
            token("other-cluster"),
            "the signature does not match (cluster 'demo')",
        ),
        (
            "k8s-aws-v1.bm90IGEgdXJs".to_owned(),
            "the URL is not the STS endpoint",
        ),
    ] {
        let (ok, said) = kubectl_with_token(&sb, &kubectl, &api, &bad);
        // kubectl shows the message of the 401.
        assert!(!ok && said.contains(why), "{why}: {said}");
        let verdicts = api.tokens();
        let (seen, verdict) = verdicts.last().unwrap();
        assert_eq!(seen, &bad);
        assert!(verdict.contains(why), "{verdict}");
    }
}

#[test]
fn the_exec_credential_expires_within_15_minutes_and_never_after_the_session() {
    let sb = Sandbox::standard(true);
    let out = sb.hats(&["eks", "token", "--cluster", "demo", "plain-role"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["kind"], "ExecCredential");
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1beta1");
    let expires: jiff::Timestamp = doc["status"]["expirationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let left = expires.duration_since(crate::harness::now());
    assert!(
        left > jiff::SignedDuration::from_mins(10) && left <= jiff::SignedDuration::from_mins(15),
        "{left:?}"
    );
    // A session with 10 minutes left (15-minute session, clock 5 minutes on):
    // the token may not outlive it.
    let sb = Sandbox::standard(true);
    let env = sb
        .hats(&["env", "--format", "json", "plain-role", "--duration", "15m"])
        .ok();
    let env: serde_json::Value = serde_json::from_str(&env).unwrap();
    let session_end: jiff::Timestamp = env["AWS_CREDENTIAL_EXPIRATION"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let later = sb
        .hats_at("+5m", &["eks", "token", "--cluster", "demo", "plain-role"])
        .ok();
    assert_eq!(
        sb.moto.take_actions(),
        ["AssumeRole"],
        "the cached session signed it"
    );
    let doc: serde_json::Value = serde_json::from_str(&later).unwrap();
    let token_end: jiff::Timestamp = doc["status"]["expirationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        token_end.as_second(),
        session_end.as_second(),
        "ends with the session, not 14 minutes after the faked now"
    );
}

#[test]
fn bad_cluster_names_servers_and_ca_files_are_one_clear_line() {
    let sb = Sandbox::standard(true);
    for (args, expected) in [
        (
            vec!["token", "--cluster", "a b", "plain-role"],
            "\"a b\" is not an EKS cluster name",
        ),
        (
            vec![
                "kubeconfig",
                "--cluster",
                "demo",
                "--server",
                "http://x",
                "plain-role",
            ],
            "the API server \"http://x\" is not an https:// URL",
        ),
        (
            vec![
                "kubeconfig",
                "--cluster",
                "demo",
                "--server",
                "https://x",
                "--ca-file",
                "/nonexistent",
                "plain-role",
            ],
            "cannot read the CA file \"/nonexistent\"",
        ),
    ] {
        let err = sb.hats(&[&["eks"], args.as_slice()].concat()).fails();
        assert!(err.contains(expected), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let kube = sb.write("not-kube", "- a\n- list\n");
    let mut sb = sb;
    sb.set_env("KUBECONFIG", &kube.display().to_string());
    let err = sb
        .hats(&[
            "eks",
            "kubeconfig",
            "--cluster",
            "demo",
            "--server",
            "https://x",
            "plain-role",
        ])
        .fails();
    assert!(err.contains("cannot merge into the kubeconfig"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&kube).unwrap(),
        "- a\n- list\n",
        "left as it was"
    );
}

#[test]
fn a_linked_kubeconfig_stays_a_link_and_kubectls_lock_is_taken_in_turn() {
    let kubectl = require("kubectl", "kubernetes-client");
    let sb = Sandbox::standard(false);
    // A kubeconfig kept with the dotfiles, linked from the default place.
    let real = sb.write("dotfiles/kube-config", OTHER_ENTRIES);
    let link = sb.home.join(".kube/config");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("../dotfiles/kube-config", &link).unwrap();
    let add = || {
        sb.hats(&[
            "eks",
            "kubeconfig",
            "--cluster",
            "demo",
            "--server",
            "https://127.0.0.1:1",
            "plain-role",
        ])
    };
    // kubectl's own lock, as it leaves it while writing: kubectl itself waits for no one...
    let lock = sb.home.join(".kube/config.lock");
    std::fs::write(&lock, "").unwrap();
    let out = sb
        .command(&kubectl)
        .args(["config", "set-context", "other", "--cluster=kind"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "kubectl wrote despite its lock");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("config.lock"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ...and hats waits for it, then gives up without writing.
    let err = add().fails();
    assert!(
        err.contains(&format!("\"{}\" exists: kubectl", lock.display())),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), OTHER_ENTRIES);
    std::fs::remove_file(&lock).unwrap();

    add().ok();
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "~/.kube/config was replaced by a regular file"
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("keep-me") && text.contains("plain-role@demo"),
        "{text}"
    );
    assert!(!lock.exists(), "hats left its lock behind");
    // kubectl reads the merged file through the link.
    let out = sb
        .command(&kubectl)
        .args(["config", "current-context"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "plain-role@demo");
}
