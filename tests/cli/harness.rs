//! Test bed: a real moto server, a real Secret Service (gnome-keyring on a
//! private D-Bus), a sandboxed HOME, and the real `hats` binary.
//!
//! Every dependency is required: a missing one fails the test with the command
//! that installs it. Timeouts are generous upper bounds, not measurements.

mod iam;
mod keyring;
mod moto;
mod private;
mod proxies;
mod stored;

pub use iam::*;
pub use keyring::*;
pub use moto::*;
pub use private::PrivateKeyrings;
pub use proxies::*;

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
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        // Not inherited by the hats processes the test starts (SOCK_CLOEXEC is Linux-only).
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
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

/// `hats forget --all` in `sb`, asserted to succeed.
pub fn forget_all(sb: &Sandbox) -> Run {
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

/// The AWS CLI (v1, from PyPI) that tests/run.sh installs into .venv-test.
pub fn aws_cli() -> PathBuf {
    let aws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/bin/aws");
    assert!(
        aws.is_file(),
        "the AWS CLI is missing at {}: run `bash tests/run.sh` (or .venv-test/bin/pip install awscli)",
        aws.display()
    );
    aws
}

/// `hats exec TARGET -- aws sts get-caller-identity`: the ARN the child sees.
pub fn caller_arn(sb: &Sandbox, target: &str) -> String {
    caller_arn_with(sb, target, &[])
}

/// [`caller_arn`] with `options` for `hats exec` (`--mfa-code`, `--no-cache`).
pub fn caller_arn_with(sb: &Sandbox, target: &str, options: &[&str]) -> String {
    let aws = aws_cli();
    let mut args = vec!["exec", target];
    args.extend_from_slice(options);
    let query = ["sts", "get-caller-identity", "--query", "Arn", "--output", "text"];
    args.extend(["--", aws.to_str().unwrap()].iter().chain(&query));
    sb.hats(&args).ok().trim().to_owned()
}

/// The real wall clock: what other processes (moto, the AWS CLI, hats itself)
/// compare expiries with, so a test cannot use hats' `Clock`.
#[allow(clippy::disallowed_methods)]
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// A throwaway HOME with AWS files, hats config, moto and a keyring; every
/// process it starts has kernel keyrings of its own ([`PrivateKeyrings`]).
pub struct Sandbox {
    pub home: PathBuf,
    pub moto: Moto,
    pub keyring: Option<Keyring>,
    private: PrivateKeyrings,
    extra_env: Vec<(String, String)>,
    /// Declared last, so dropped last: a failing test's keyring reports the
    /// daemon's log and core from this directory before it is removed.
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// moto plus a real Secret Service.
    pub fn new() -> Self {
        let mut sandbox = Self::without_keyring();
        sandbox.keyring = Some(Keyring::start(sandbox.dir.path(), &sandbox.home));
        sandbox
    }

    /// moto plus a real Secret Service on a bus that can be made to refuse
    /// keyring writes ([`Keyring::refuse_writes`]).
    pub fn with_refusable_keyring() -> Self {
        let mut sandbox = Self::without_keyring();
        sandbox.keyring = Some(Keyring::start_refusable(sandbox.dir.path(), &sandbox.home));
        sandbox
    }

    /// moto only; `HATS_KEYRING=none` unless a test sets otherwise.
    pub fn without_keyring() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        let name = dir.path().file_name().unwrap().to_string_lossy().into_owned();
        Self {
            home,
            moto: Moto::start(),
            keyring: None,
            private: PrivateKeyrings::create(&name),
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
            None => {
                // Where no bus listens: a test that asks for the Secret Service
                // never reaches the session bus of the person running it.
                let dir = self.dir.path().display();
                env.push((
                    "DBUS_SESSION_BUS_ADDRESS".into(),
                    format!("unix:path={dir}/no-bus"),
                ));
                env.push(("HATS_KEYRING".into(), "none".into()));
            }
        }
        for (k, v) in &self.extra_env {
            env.retain(|(name, _)| name != k);
            env.push((k.clone(), v.clone()));
        }
        env
    }

    /// `program` in the sandbox, detached from any terminal (so prompts cannot
    /// hang), in the sandbox's own kernel keyrings, with SIGINT and SIGQUIT at
    /// their defaults as in a terminal's shell, however the tests were started
    /// (a script's background job starts with both ignored, and a process
    /// started with a signal ignored keeps ignoring it).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env())
            .current_dir(&self.home)
            .stdin(Stdio::null());
        // SAFETY: setsid and signal are async-signal-safe and touch no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGQUIT, libc::SIG_DFL);
                Ok(())
            });
        }
        self.private.enter(&mut cmd);
        cmd
    }

    /// `hats ARGS`, waited for.
    pub fn hats(&self, args: &[&str]) -> Run {
        Run(self.command(HATS).args(args).output().expect("run hats"))
    }
}

/// Waits for a stand-in server started as `child` to write its port to
/// `port_file`; fails with the server's stderr (in `stderr`) if it exits first.
pub fn port_from_file(child: &mut Child, port_file: &Path, stderr: &Path, what: &str) -> u16 {
    let started = Instant::now();
    loop {
        if let Some(port) = std::fs::read_to_string(port_file)
            .ok()
            .and_then(|t| t.trim().parse::<u16>().ok())
        {
            return port;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let err = std::fs::read_to_string(stderr).unwrap_or_default();
            panic!("the {what} exited early with {status}: {err}");
        }
        assert!(
            started.elapsed() < START_TIMEOUT,
            "the {what} did not start within {START_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
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

/// `aws sts get-caller-identity` with `AWS_PROFILE=profile` (a profile
/// `hats profiles sync` wrote, say): the ARN, after asserting the CLI succeeded.
pub fn profile_arn(sb: &Sandbox, profile: &str) -> String {
    let out = sb
        .command(aws_cli())
        .args(["sts", "get-caller-identity", "--query", "Arn", "--output", "text"])
        .env("AWS_PROFILE", profile)
        .output()
        .expect("run the AWS CLI");
    assert!(
        out.status.success(),
        "aws: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
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
        let mut cmd = self.faked_clock(offset);
        // Only the wall clock jumps: tokio's timers and the boot clock keep real time.
        cmd.args(args).env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        Run(cmd.output().expect("run hats"))
    }

    /// `hats ARGS` with the wall clock moved by `offset` and the boot clock
    /// moved far ahead (libfaketime sets it to the faked wall time, decades
    /// since boot): a run long after the last, by the boot clock.
    pub fn hats_with_boot_clock_moved(&self, offset: &str, args: &[&str]) -> Run {
        let mut cmd = self.faked_clock(offset);
        cmd.args(args);
        Run(cmd.output().expect("run hats"))
    }

    fn faked_clock(&self, offset: &str) -> Command {
        let mut cmd = self.command(HATS);
        cmd.env("LD_PRELOAD", faketime_library())
            .env("FAKETIME", offset)
            .env("FAKETIME_NO_CACHE", "1");
        cmd
    }

    /// The `sessions` object of hats' index file (`Null` when it is missing or unreadable).
    pub fn index_entries(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.home.join(".cache/hats/sessions.json")).unwrap_or_default();
        serde_json::from_str::<serde_json::Value>(&text)
            .map_or(serde_json::Value::Null, |v| v["sessions"].clone())
    }
}
