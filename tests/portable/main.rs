//! End-to-end tests that run on every platform: the real `hats` binary
//! against a local moto server, with no Unix-only machinery (no PTY, no
//! D-Bus, no `setsid`). CI runs them on Linux, macOS and Windows.
//!
//! They run with `HATS_KEYRING=none` and a sandboxed home on Unix. On Windows
//! hats keeps its index and history under the user's known folders, which no
//! variable moves, and the native keyring tests write to the real keyring of
//! the user running them: those are `#[ignore]`d, and CI (a throwaway runner)
//! runs them with `--include-ignored`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const HATS: &str = env!("CARGO_BIN_EXE_hats");

/// A moto server on a port the kernel picks, killed on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start(recording: &Path) -> Self {
        let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test");
        let server = [venv.join("bin/moto_server"), venv.join("Scripts/moto_server.exe")]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "moto_server not found in {}: python3 -m venv .venv-test and install 'moto[server]' into it \
                     (tests/run.sh does this on Linux)",
                    venv.display()
                )
            });
        let mut child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_RECORDER_FILEPATH", recording)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        let stderr = child.stderr.take().unwrap();
        let (send, ports) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut send = Some(send);
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let port = line
                    .split_once(" * Running on http://")
                    .and_then(|(_, rest)| rest.rsplit_once(':'))
                    .and_then(|(_, port)| port.trim().parse::<u16>().ok());
                if let (Some(port), Some(to)) = (port, send.take()) {
                    let _ = to.send(port);
                }
            }
        });
        let port = ports
            .recv_timeout(Duration::from_secs(60))
            .expect("moto_server did not say its port within 60 s");
        Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The STS actions moto received, in order.
    fn actions(&self) -> Vec<String> {
        let recording = ureq::get(format!("{}/moto-api/recorder/download-recording", self.endpoint))
            .call()
            .expect("read moto's recording")
            .into_body()
            .read_to_string()
            .unwrap();
        recording
            .lines()
            .filter_map(|line| line.split_once("Action=").map(|(_, rest)| rest))
            .map(|rest| rest.split(['&', '"']).next().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway directory with AWS files, and moto.
struct Sandbox {
    dir: tempfile::TempDir,
    moto: Moto,
    keyring: &'static str,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.aws")).unwrap();
        std::fs::write(
            dir.path().join("home/.aws/config"),
            "[profile plain-role]\nrole_arn = arn:aws:iam::222222222222:role/ReadOnly\n\
             source_profile = plain\nregion = us-east-1\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("home/.aws/credentials"),
            "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\n\
             aws_secret_access_key = plainsecretplainsecretplainsecretplains1\n",
        )
        .unwrap();
        let moto = Moto::start(&dir.path().join("recording"));
        ureq::post(format!("{}/moto-api/recorder/start-recording", moto.endpoint))
            .send_empty()
            .expect("start moto's recorder");
        Self {
            dir,
            moto,
            keyring: "none",
        }
    }

    fn hats(&self, args: &[&str]) -> Output {
        let home = self.dir.path().join("home");
        let mut command = Command::new(HATS);
        command
            .args(args)
            .env("AWS_CONFIG_FILE", home.join(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
            .env("AWS_ENDPOINT_URL", &self.moto.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HATS_KEYRING", self.keyring)
            .env("HATS_CONFIG", home.join("hats-config.toml"))
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null());
        if cfg!(unix) {
            command
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env("XDG_CACHE_HOME", home.join(".cache"))
                .env("XDG_DATA_HOME", home.join(".local/share"));
        }
        command.output().expect("run hats")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.hats(args);
        assert!(
            out.status.success(),
            "hats {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

#[test]
#[cfg_attr(windows, ignore = "writes hats' files under your own profile; CI runs it")]
fn version_and_listing_work_here() {
    let sb = Sandbox::new();
    let version = sb.ok(&["--version"]);
    assert_eq!(version.trim(), format!("hats {}", env!("CARGO_PKG_VERSION")));
    let listing = sb.ok(&["ls"]);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("plain-role") && l.contains("222222222222")),
        "{listing}"
    );
    assert!(sb.moto.actions().is_empty(), "ls calls nothing");
}

#[test]
#[cfg_attr(windows, ignore = "writes hats' files under your own profile; CI runs it")]
fn env_prints_the_exports_in_this_platforms_shell_by_default() {
    let sb = Sandbox::new();
    let exports = sb.ok(&["env", "plain-role"]);
    let expected = if cfg!(windows) {
        "$Env:AWS_SESSION_TOKEN = '"
    } else {
        "export AWS_SESSION_TOKEN='"
    };
    assert!(exports.contains(expected), "{exports}");
    assert_eq!(sb.moto.actions(), ["AssumeRole"]);
}

#[test]
#[cfg_attr(windows, ignore = "writes hats' files under your own profile; CI runs it")]
fn exec_ends_with_the_commands_exit_code() {
    let sb = Sandbox::new();
    let command: &[&str] = if cfg!(windows) {
        &["cmd", "/c", "exit 7"]
    } else {
        &["sh", "-c", "exit 7"]
    };
    let mut args = vec!["exec", "plain-role", "--"];
    args.extend_from_slice(command);
    let out = sb.hats(&args);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The platform's own keyring (Keychain, Credential Manager) keeps a session
/// between runs: the second hand-out makes no STS call.
#[test]
#[cfg(any(target_os = "macos", windows))]
#[ignore = "writes to your own keyring; CI runs it"]
fn the_platform_keyring_serves_the_second_hand_out() {
    let mut sb = Sandbox::new();
    sb.keyring = "auto";
    let first = sb.ok(&["env", "plain-role", "--format", "json"]);
    let second = sb.ok(&["env", "plain-role", "--format", "json"]);
    assert_eq!(first, second);
    assert_eq!(sb.moto.actions(), ["AssumeRole"]);
    sb.ok(&["forget", "plain-role"]);
}
