//! Test bed: a real moto server, a real Secret Service (gnome-keyring on a
//! private D-Bus), a sandboxed HOME, and the real `hats` binary.
//!
//! Every dependency is required: a missing one fails the test with the command
//! that installs it. Timeouts are generous upper bounds, not measurements.

#![allow(dead_code)]

use base64::Engine as _;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to come up on a busy 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub const HATS: &str = env!("CARGO_BIN_EXE_hats");
const INSTALL: &str = "run `bash tests/run.sh`, which installs the test dependencies";

/// The port a starting server reports on stderr (` * Running on http://HOST:PORT`);
/// the rest of its stderr is drained so it never blocks on a full pipe.
fn listening_port(child: &mut Child, name: &str) -> u16 {
    let stderr = child.stderr.take().expect("stderr piped");
    let (send, ports) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut send = Some(send);
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let port = line
                .split_once(" * Running on http://")
                .and_then(|(_, rest)| rest.rsplit_once(':'))
                .and_then(|(_, port)| port.trim().parse::<u16>().ok());
            if let Some(port) = port
                && let Some(to) = send.take()
            {
                let _ = to.send(port);
            }
        }
    });
    match ports.recv_timeout(START_TIMEOUT) {
        Ok(port) => port,
        Err(_) => match child.try_wait().unwrap() {
            Some(status) => panic!("{name} exited early with {status}"),
            None => panic!("{name} did not listen within {START_TIMEOUT:?}"),
        },
    }
}

/// A loopback port nothing listens on: connections to it are refused at once.
/// The port stays bound (never listening) while this lives, so no other test's
/// server can be given it in the meantime.
pub struct ClosedPort {
    pub port: u16,
    _socket: std::os::fd::OwnedFd,
}

pub fn closed_port() -> ClosedPort {
    use std::os::fd::FromRawFd as _;
    // SAFETY: plain socket(2)/bind(2)/getsockname(2) on a socket this function
    // owns; the fd is checked before being wrapped, and the address structs are
    // sized as the calls are told.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let socket = std::os::fd::OwnedFd::from_raw_fd(fd);
        let mut address: libc::sockaddr_in = std::mem::zeroed();
        address.sin_family = libc::AF_INET as libc::sa_family_t;
        address.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let size = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let bound = libc::bind(fd, std::ptr::addr_of!(address).cast(), size);
        assert_eq!(bound, 0, "bind: {}", std::io::Error::last_os_error());
        let mut len = size;
        let named = libc::getsockname(fd, std::ptr::addr_of_mut!(address).cast(), &mut len);
        assert_eq!(named, 0, "getsockname: {}", std::io::Error::last_os_error());
        ClosedPort {
            port: u16::from_be(address.sin_port),
            _socket: socket,
        }
    }
}

/// Held by tests that keep sessions in the kernel keyutils keyring and by tests
/// that run `hats forget --all`: the kernel's persistent keyring is one per
/// user, shared by every test, and `forget --all` empties hats' entries in it.
pub fn kernel_keyring_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `hats forget --all` in `sb`, under [`kernel_keyring_lock`].
pub fn forget_all(sb: &Sandbox) -> Run {
    let _keyring = kernel_keyring_lock();
    let run = sb.hats(&["forget", "--all"]);
    run.ok();
    run
}

pub fn require(program: &str, package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| panic!("`{program}` is missing: apt-get install {package} (or {INSTALL})"))
}

/// A moto server on its own port, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
    /// Holds the request recording: moto writes it to a file, one per server.
    _recording_dir: tempfile::TempDir,
}

/// One STS request moto recorded.
#[derive(Debug, Clone)]
pub struct StsCall {
    pub params: HashMap<String, String>,
    pub authorization: String,
}

impl StsCall {
    pub fn action(&self) -> &str {
        self.params.get("Action").map_or("", String::as_str)
    }
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        let server = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/moto_server");
        assert!(
            server.is_file(),
            "moto_server not found at {}: {INSTALL} (or: python3 -m venv .venv-test && .venv-test/bin/pip install 'moto[server]')",
            server.display()
        );
        let recording_dir = tempfile::tempdir().unwrap();
        // Port 0: the kernel picks a free port and moto says which. Choosing one
        // here and passing it races other tests' servers for the same number.
        let mut child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("MOTO_RECORDER_FILEPATH", recording_dir.path().join("recording"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto_server");
        let port = listening_port(&mut child, "moto_server");
        let moto = Self {
            child,
            port,
            _recording_dir: recording_dir,
        };
        moto.http("POST", "/moto-api/recorder/reset-recording", "");
        moto.http("POST", "/moto-api/recorder/start-recording", "");
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A minimal HTTP/1.1 exchange with moto's own API.
    pub fn http(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{method} {path}: {head}"
        );
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_owned()
        }
    }

    /// Every request recorded since the last call, and clears the record.
    fn take_records(&self) -> Vec<serde_json::Value> {
        let text = self.http("GET", "/moto-api/recorder/download-recording", "");
        self.http("POST", "/moto-api/recorder/reset-recording", "");
        self.http("POST", "/moto-api/recorder/start-recording", "");
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// Organizations operations (from `X-Amz-Target`) since the last call, and clears the record.
    pub fn take_org_calls(&self) -> Vec<String> {
        self.take_records()
            .iter()
            .filter_map(|r| r["headers"]["X-Amz-Target"].as_str())
            .filter_map(|t| t.strip_prefix("AWSOrganizationsV20161128."))
            .map(str::to_owned)
            .collect()
    }

    /// Runs a Python script with boto3 against this server; `sys.argv[1]` is the endpoint.
    pub fn python(&self, script: &str) -> String {
        let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/python");
        let out = Command::new(python)
            .args(["-c", script, &self.endpoint()])
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "seeding failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// STS requests since the last call, and clears the record.
    pub fn take_sts_calls(&self) -> Vec<StsCall> {
        self.take_records()
            .into_iter()
            .filter_map(|record| {
                let raw = record["body"].as_str().unwrap_or_default();
                let body = if record["body_encoded"].as_bool() == Some(true) {
                    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw).unwrap()).unwrap()
                } else {
                    raw.to_owned()
                };
                let params: HashMap<String, String> = body
                    .split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (url_decode(k), url_decode(v)))
                    .collect();
                params.contains_key("Action").then(|| StsCall {
                    params,
                    authorization: record["headers"]["Authorization"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                })
            })
            .collect()
    }

    /// The actions of the STS requests since the last call.
    pub fn take_actions(&self) -> Vec<String> {
        self.take_sts_calls()
            .iter()
            .map(|c| c.action().to_owned())
            .collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A private D-Bus session with an unlocked gnome-keyring Secret Service.
pub struct Keyring {
    dbus: Child,
    daemon: Child,
    pub address: String,
    pub runtime_dir: PathBuf,
    dir: PathBuf,
    home: PathBuf,
}

/// gnome-keyring on the bus at `address`, its login keyring unlocked with a known password.
fn start_keyring_daemon(dir: &Path, address: &str, runtime_dir: &Path, home: &Path) -> Child {
    let daemon_log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("gnome-keyring.log"))
        .unwrap();
    let mut daemon = Command::new(require("gnome-keyring-daemon", "gnome-keyring"))
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(daemon_log)
        .spawn()
        .expect("start gnome-keyring-daemon");
    // The keyring's password, on stdin as gnome-keyring expects; closing stdin ends it.
    daemon.stdin.take().unwrap().write_all(b"test-password").unwrap();
    daemon
}

impl Keyring {
    pub fn start(dir: &Path, home: &Path) -> Self {
        let dbus_daemon = require("dbus-daemon", "dbus");
        require("dbus-send", "dbus");
        let runtime_dir = dir.join("run");
        std::fs::create_dir_all(&runtime_dir).unwrap();
        std::fs::set_permissions(&runtime_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let address = format!("unix:path={}", dir.join("bus").display());
        let dbus = Command::new(dbus_daemon)
            .args([
                "--session",
                "--nofork",
                "--nopidfile",
                &format!("--address={address}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let started = Instant::now();
        while !bus_answers(&address) {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "dbus-daemon did not answer in time"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let daemon = start_keyring_daemon(dir, &address, &runtime_dir, home);
        let keyring = Self {
            dbus,
            daemon,
            address,
            runtime_dir,
            dir: dir.to_owned(),
            home: home.to_owned(),
        };
        keyring.wait_until_ready();
        keyring
    }

    fn wait_until_ready(&self) {
        let started = Instant::now();
        while !self.service_ready() {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "gnome-keyring did not register on D-Bus in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Locks the login collection, as the screen locker or `seahorse` does.
    pub fn lock(&self) {
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.secrets",
                "--print-reply",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops gnome-keyring (its keyring stays on disk).
    pub fn stop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }

    /// Starts gnome-keyring again on the same files, unlocked with the same
    /// password: what a user unlocking the keyring amounts to.
    pub fn restart(&mut self) {
        self.stop();
        let started = Instant::now();
        while self.service_ready() {
            assert!(started.elapsed() < START_TIMEOUT, "gnome-keyring did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.daemon = start_keyring_daemon(&self.dir, &self.address, &self.runtime_dir, &self.home);
        self.wait_until_ready();
    }

    fn service_ready(&self) -> bool {
        name_has_owner(&self.address, "org.freedesktop.secrets")
    }
}

/// Whether the bus at `address` answers at all.
fn bus_answers(address: &str) -> bool {
    name_has_owner(address, "org.freedesktop.DBus")
}

fn name_has_owner(address: &str, name: &str) -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.DBus",
            "--print-reply",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
}

impl Drop for Keyring {
    fn drop(&mut self) {
        for child in [&mut self.daemon, &mut self.dbus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A throwaway HOME with AWS files, hats config, moto and a keyring.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub moto: Moto,
    pub keyring: Option<Keyring>,
    extra_env: Vec<(String, String)>,
}

impl Sandbox {
    /// moto plus a real Secret Service.
    pub fn new() -> Self {
        let mut sandbox = Self::without_keyring();
        sandbox.keyring = Some(Keyring::start(sandbox.dir.path(), &sandbox.home));
        sandbox
    }

    /// moto only; `HATS_KEYRING=none` unless a test sets otherwise.
    pub fn without_keyring() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        Self {
            home,
            moto: Moto::start(),
            keyring: None,
            dir,
            extra_env: Vec::new(),
        }
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.home.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn aws_config(&self, text: &str) {
        self.write(".aws/config", text);
    }

    pub fn credentials(&self, text: &str) {
        self.write(".aws/credentials", text);
    }

    pub fn hats_config(&self, text: &str) {
        self.write(".config/hats/config.toml", text);
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.extra_env.push((key.into(), value.into()));
    }

    /// The environment hats runs with: nothing from the developer's own setup.
    pub fn env(&self) -> Vec<(String, String)> {
        let home = self.home.display().to_string();
        let mut env = vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".into(), home.clone()),
            ("USER".into(), "tester".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("TZ".into(), "UTC".into()),
            ("XDG_CONFIG_HOME".into(), format!("{home}/.config")),
            ("XDG_CACHE_HOME".into(), format!("{home}/.cache")),
            ("XDG_DATA_HOME".into(), format!("{home}/.local/share")),
            ("AWS_CONFIG_FILE".into(), format!("{home}/.aws/config")),
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                format!("{home}/.aws/credentials"),
            ),
            ("AWS_ENDPOINT_URL".into(), self.moto.endpoint()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ];
        match &self.keyring {
            Some(k) => {
                env.push(("DBUS_SESSION_BUS_ADDRESS".into(), k.address.clone()));
                env.push(("XDG_RUNTIME_DIR".into(), k.runtime_dir.display().to_string()));
                env.push(("HATS_KEYRING".into(), "secret-service".into()));
            }
            None => env.push(("HATS_KEYRING".into(), "none".into())),
        }
        for (k, v) in &self.extra_env {
            env.retain(|(name, _)| name != k);
            env.push((k.clone(), v.clone()));
        }
        env
    }

    /// `program` in the sandbox, detached from any terminal (so prompts cannot hang).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env())
            .current_dir(&self.home)
            .stdin(Stdio::null());
        // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        cmd
    }

    /// `hats ARGS`, waited for.
    pub fn hats(&self, args: &[&str]) -> Run {
        Run(self.command(HATS).args(args).output().expect("run hats"))
    }
}

/// A finished run with helpers for assertions.
pub struct Run(pub Output);

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn code(&self) -> Option<i32> {
        self.0.status.code()
    }
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> String {
        assert!(
            self.0.status.success(),
            "hats failed ({:?}): {}",
            self.0.status,
            self.stderr()
        );
        self.stdout()
    }
    /// Asserts failure and returns stderr.
    pub fn fails(&self) -> String {
        assert!(
            !self.0.status.success(),
            "hats should have failed; stdout: {}",
            self.stdout()
        );
        self.stderr()
    }
}

/// Parses `export K='V'` lines (as `hats env` prints them) into a map.
pub fn parse_exports(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}

/// The standard fixture: an IAM user `base` with an MFA device, roles in two
/// accounts, a chained role, a role without MFA, and a hats account.
pub const AWS_CONFIG: &str = "\
[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile prod]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = base
region = eu-west-1

[profile staging]
role_arn = arn:aws:iam::333333333333:role/Developer
source_profile = base

[profile chained]
role_arn = arn:aws:iam::444444444444:role/Deep
source_profile = prod

[profile plain-role]
role_arn = arn:aws:iam::222222222222:role/ReadOnly
source_profile = plain
external_id = ext-42
role_session_name = ci-runner
";

pub const CREDENTIALS: &str = "\
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[plain]
aws_access_key_id = AKIAPLAINPLAINPLAIN1
aws_secret_access_key = plainsecretplainsecretplainsecretplains1
";

pub const HATS_CONFIG: &str = r#"
[[account]]
id = "555555555555"
name = "data"
source = "base"
roles = ["Analyst", "Admin"]
region = "ap-southeast-2"
production = true
tags = { team = "core" }
"#;

impl Sandbox {
    /// A sandbox with the standard fixture written.
    pub fn standard(with_keyring: bool) -> Self {
        let sandbox = if with_keyring {
            Self::new()
        } else {
            Self::without_keyring()
        };
        sandbox.aws_config(AWS_CONFIG);
        sandbox.credentials(CREDENTIALS);
        sandbox.hats_config(HATS_CONFIG);
        sandbox
    }
}

/// A proxy in front of moto that answers the first `throttle` Organizations
/// requests with `TooManyRequestsException`, as AWS does under load.
pub struct ThrottlingProxy {
    pub port: u16,
    pub throttled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ThrottlingProxy {
    pub fn start(upstream: u16, throttle: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let throttled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = throttled.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let count = count.clone();
                std::thread::spawn(move || {
                    let _ = relay(client, upstream, &count, throttle);
                });
            }
        });
        Self { port, throttled }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// One request per connection: throttle it or forward it with `Connection: close`.
/// Reads one HTTP message (head and a Content-Length body) from `stream`.
fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(Some((head, body)))
}

fn relay(
    mut client: TcpStream,
    upstream: u16,
    count: &std::sync::atomic::AtomicUsize,
    throttle: usize,
) -> std::io::Result<()> {
    let Some((head, body)) = read_message(&mut client)? else {
        return Ok(());
    };
    let is_org = head.contains("AWSOrganizationsV20161128.");
    if is_org && count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < throttle {
        let payload = r#"{"__type":"TooManyRequestsException","Message":"Rate exceeded"}"#;
        write!(
            client,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: TooManyRequestsException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        )?;
        return Ok(());
    }
    if is_org {
        count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream))?;
    let mut forwarded: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    upstream.write_all(forwarded.as_bytes())?;
    upstream.write_all(&body)?;
    // Read exactly one response: the server may keep the connection open.
    let Some((response_head, response_body)) = read_message(&mut upstream)? else {
        return Ok(());
    };
    client.write_all(response_head.as_bytes())?;
    client.write_all(&response_body)
}

/// What [`FaultyEndpoint`] does with a request it intercepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward to moto, as if nothing were wrong.
    Pass,
    /// HTTP 500 with AWS's `InternalFailure` XML.
    ServerError,
    /// HTTP 200 whose body is not XML at all.
    GarbageXml,
    /// HTTP 200 that promises more bytes than it sends, then closes the connection.
    Truncated,
    /// A complete HTTP 200 whose XML stops after the secret key (the SDK reads it leniently).
    CutXml,
    /// HTTP 502 with an HTML page, as a proxy sends.
    HtmlErrorPage,
    /// HTTP 200 with an empty body.
    EmptyOk,
    /// Reads the request and never answers (until the endpoint is dropped).
    Hang,
}

/// Text a malformed answer carries where a secret would be; must never reach output.
pub const LEAKED_SECRET: &str = "HalfASecretKeyThatMustNotBePrinted";

/// One request that reached a [`FaultyEndpoint`].
#[derive(Debug, Clone)]
pub struct Intercepted {
    /// Form fields of an STS request, or `Target` of a JSON one.
    pub params: HashMap<String, String>,
    /// Whether the fault (not moto) answered it.
    pub faulted: bool,
}

impl Intercepted {
    /// `Action` of an STS request, or the operation of an Organizations one.
    pub fn action(&self) -> &str {
        self.params.get("Action").map_or("", String::as_str)
    }
}

/// An HTTP endpoint on a real socket in front of moto that injects `Fault`s into
/// the requests whose head or body contains `matching` and forwards the others.
/// Counts every request that reached it, so tests can check what was retried.
pub struct FaultyEndpoint {
    pub port: u16,
    fault: std::sync::Arc<std::sync::Mutex<Fault>>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Intercepted>>>,
    /// Connections a `Hang` holds open; closed when the endpoint is dropped.
    held: std::sync::Arc<std::sync::Mutex<Vec<TcpStream>>>,
}

impl FaultyEndpoint {
    pub fn start(upstream: u16, matching: &'static str, fault: Fault) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let endpoint = Self {
            port,
            fault: std::sync::Arc::new(std::sync::Mutex::new(fault)),
            seen: std::sync::Arc::default(),
            held: std::sync::Arc::default(),
        };
        let (fault, seen, held) = (
            endpoint.fault.clone(),
            endpoint.seen.clone(),
            endpoint.held.clone(),
        );
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (fault, seen, held) = (fault.clone(), seen.clone(), held.clone());
                std::thread::spawn(move || {
                    let _ = serve_one(client, upstream, matching, &fault, &seen, &held);
                });
            }
        });
        endpoint
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Changes what happens to the next matching requests.
    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// Every request since the last call, and clears the record.
    pub fn take(&self) -> Vec<Intercepted> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }

    /// Waits until `n` requests have arrived (without clearing them).
    pub fn wait_for_requests(&self, n: usize) {
        let started = Instant::now();
        while self.seen.lock().unwrap().len() < n {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "only {} requests reached the endpoint",
                self.seen.lock().unwrap().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve_one(
    mut client: TcpStream,
    upstream: u16,
    matching: &str,
    fault: &std::sync::Mutex<Fault>,
    seen: &std::sync::Mutex<Vec<Intercepted>>,
    held: &std::sync::Mutex<Vec<TcpStream>>,
) -> std::io::Result<()> {
    let Some((head, body)) = read_message(&mut client)? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut params: HashMap<String, String> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (url_decode(k), url_decode(v)))
        .collect();
    if let Some(target) = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-amz-target:")
                .then(|| l[13..].trim())
        })
        .and_then(|t| t.rsplit('.').next())
    {
        params.insert("Action".into(), target.to_owned());
    }
    let fault = if head.contains(matching) || text.contains(matching) {
        *fault.lock().unwrap()
    } else {
        Fault::Pass
    };
    seen.lock().unwrap().push(Intercepted {
        params,
        faulted: fault != Fault::Pass,
    });
    let respond = |client: &mut TcpStream, status: &str, content_type: &str, body: &str| {
        write!(
            client,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let cut = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>ASIAFAULTYFAULTY</AccessKeyId><SecretAccessKey>{LEAKED_SECRET}"
    );
    match fault {
        Fault::Pass => return forward(client, upstream, &head, &body),
        Fault::ServerError => respond(
            &mut client,
            "500 Internal Server Error",
            "text/xml",
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>\
             <Message>We encountered an internal error. Please try again.</Message></Error></ErrorResponse>",
        )?,
        Fault::GarbageXml => respond(&mut client, "200 OK", "text/xml", "<<<%%% not xml at all &&&")?,
        Fault::Truncated => {
            write!(
                client,
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4000\r\n\r\n{cut}"
            )?;
            client.shutdown(std::net::Shutdown::Both)?;
        }
        Fault::CutXml => respond(&mut client, "200 OK", "text/xml", &cut)?,
        Fault::HtmlErrorPage => respond(
            &mut client,
            "502 Bad Gateway",
            "text/html",
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1></body>\n</html>\n",
        )?,
        Fault::EmptyOk => respond(&mut client, "200 OK", "text/xml", "")?,
        Fault::Hang => held.lock().unwrap().push(client),
    }
    Ok(())
}

/// Forwards one request to moto with `Connection: close` and relays its answer.
fn forward(mut client: TcpStream, upstream: u16, head: &str, body: &[u8]) -> std::io::Result<()> {
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream))?;
    let mut forwarded: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    forwarded.push_str("Connection: close\r\n\r\n");
    upstream.write_all(forwarded.as_bytes())?;
    upstream.write_all(body)?;
    let Some((response_head, response_body)) = read_message(&mut upstream)? else {
        return Ok(());
    };
    client.write_all(response_head.as_bytes())?;
    client.write_all(&response_body)
}

/// libfaketime, to run hats with its wall clock moved (the boot clock stays real).
pub fn faketime_library() -> PathBuf {
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("libfaketime is missing: apt-get install faketime (or {INSTALL})"))
}

impl Sandbox {
    /// `hats ARGS` with the wall clock moved by `offset` (libfaketime syntax: `+2h`, `-90m`).
    pub fn hats_at(&self, offset: &str, args: &[&str]) -> Run {
        let mut cmd = self.command(HATS);
        cmd.args(args)
            .env("LD_PRELOAD", faketime_library())
            .env("FAKETIME", offset)
            // Only the wall clock jumps: tokio's timers and the boot clock keep real time.
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .env("FAKETIME_NO_CACHE", "1");
        Run(cmd.output().expect("run hats"))
    }

    /// The `sessions` object of hats' index file (`Null` when it is missing or unreadable).
    pub fn index_entries(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.home.join(".cache/hats/sessions.json")).unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&text)
            .map_or(serde_json::Value::Null, |v| v["sessions"].clone())
    }
}
