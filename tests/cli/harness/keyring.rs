//! A private D-Bus session bus per test with gnome-keyring's Secret Service
//! on it, its login keyring unlocked with a known password.

use super::*;

/// A private D-Bus session with an unlocked gnome-keyring Secret Service.
pub struct Keyring {
    dbus: Child,
    daemon: Child,
    /// The daemon's unique name on the bus: calls to it never start another
    /// gnome-keyring through D-Bus activation, as calls to the service's name do.
    daemon_name: String,
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
    let mut command = Command::new(require("gnome-keyring-daemon", "gnome-keyring"));
    // A crash leaves its core in `dir` (the kernel's `core_pattern` is a plain
    // file name on these machines), for the backtrace a failing test prints.
    command.current_dir(dir);
    // SAFETY: setrlimit(2) between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &raw const unlimited);
            Ok(())
        });
    }
    let mut daemon = command
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

/// The head of a D-Bus configuration file.
const BUS_DOCTYPE: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">"#;

/// A session bus configuration like the system's (everything allowed), plus
/// one file of refusals (`refusals.conf` beside it) that
/// [`Keyring::refuse_writes`] fills and the bus reloads: a real keyring daemon
/// whose writes the real bus refuses.
fn refusable_bus_config(dir: &Path) -> PathBuf {
    let config = dir.join("bus.conf");
    let text = format!(
        r#"{BUS_DOCTYPE}
<busconfig>
  <type>session</type>
  <listen>unix:path={bus}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <include ignore_missing="yes">{refusals}</include>
</busconfig>
"#,
        bus = dir.join("bus").display(),
        refusals = dir.join("refusals.conf").display()
    );
    std::fs::write(&config, text).unwrap();
    config
}

impl Keyring {
    pub fn start(dir: &Path, home: &Path) -> Self {
        Self::start_with(dir, home, None)
    }

    /// Like [`Keyring::start`], on a bus whose refusals a test can change.
    pub fn start_refusable(dir: &Path, home: &Path) -> Self {
        let config = refusable_bus_config(dir);
        Self::start_with(dir, home, Some(&config))
    }

    /// Makes the bus refuse (or, `false`, allow again) every new item in the
    /// keyring (`Collection.CreateItem`, how a secret is written), as a
    /// confined desktop's policy would; reads and deletes still pass.
    pub fn refuse_writes(&self, refuse: bool) {
        let rule = if refuse {
            r#"<policy context="default"><deny send_interface="org.freedesktop.Secret.Collection" send_member="CreateItem"/></policy>"#
        } else {
            ""
        };
        std::fs::write(
            self.dir.join("refusals.conf"),
            format!("{BUS_DOCTYPE}\n<busconfig>{rule}</busconfig>\n"),
        )
        .unwrap();
        let out = dbus_send(
            &self.address,
            &[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ReloadConfig",
            ],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn start_with(dir: &Path, home: &Path, config: Option<&Path>) -> Self {
        let dbus_daemon = require("dbus-daemon", "dbus");
        require("dbus-send", "dbus");
        let runtime_dir = dir.join("run");
        std::fs::create_dir_all(&runtime_dir).unwrap();
        std::fs::set_permissions(&runtime_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let address = format!("unix:path={}", dir.join("bus").display());
        let bus = config.map_or_else(
            || "--session".to_owned(),
            |c| format!("--config-file={}", c.display()),
        );
        let dbus = Command::new(dbus_daemon)
            .args([
                bus.as_str(),
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
        let mut keyring = Self {
            dbus,
            daemon,
            daemon_name: String::new(),
            address,
            runtime_dir,
            dir: dir.to_owned(),
            home: home.to_owned(),
        };
        keyring.wait_until_ready();
        keyring
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        while !self.service_ready() {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "gnome-keyring did not register on D-Bus in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let owner = dbus_send(
            &self.address,
            &[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetNameOwner",
                "string:org.freedesktop.secrets",
            ],
        );
        let owner = String::from_utf8_lossy(&owner.stdout);
        self.daemon_name = owner
            .split('"')
            .nth(1)
            .expect("the Secret Service's owner")
            .to_owned();
    }

    /// Locks the login collection, as the screen locker or `seahorse` does.
    pub fn lock(&self) {
        let out = dbus_send(
            &self.address,
            &[
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ],
        );
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

    /// Starts gnome-keyring again if it died on its own since it was started,
    /// and says so on stderr. gnome-keyring 42 (Debian 12) now and then aborts
    /// on a failed GLib assertion (SIGTRAP) when one of its clients is killed
    /// in the middle of a call: tests that kill hats on purpose call this after
    /// each kill, so the next run meets a keyring as a user's session would
    /// restart it, not the daemon's own crash.
    pub fn revive(&mut self) {
        // The daemon has handled the killed client's disconnect (and died of
        // it, or not) once it answers a call made after the kill.
        if !self.answers_a_ping() {
            let started = Instant::now();
            while matches!(self.daemon.try_wait(), Ok(None)) && started.elapsed() < START_TIMEOUT {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        if let Ok(Some(status)) = self.daemon.try_wait() {
            eprintln!(
                "gnome-keyring-daemon died when its client was killed ({status}); started again{}",
                self.crash_backtrace()
            );
            self.restart();
        }
    }

    /// For a failing test: whether gnome-keyring is still running (a daemon that
    /// died under the test explains a keyring error) and what it printed.
    fn report_daemon(&mut self) {
        let state = match self.daemon.try_wait() {
            Ok(None) => "still running".to_owned(),
            Ok(Some(status)) => format!("died under the test: {status}"),
            Err(e) => format!("in an unknown state: {e}"),
        };
        let log = std::fs::read_to_string(self.dir.join("gnome-keyring.log")).unwrap_or_default();
        eprintln!(
            "gnome-keyring-daemon {state}; its stderr (GLib's messages, also sent to syslog):\n{log}{}",
            self.crash_backtrace()
        );
    }

    /// The backtrace of every thread of the daemon that crashed, read by gdb
    /// from its core file; empty when it left none. Each core is read once and
    /// removed (it holds the test keyring's memory, ~30 MB).
    fn crash_backtrace(&self) -> String {
        let Some(core) = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .find(|path| {
                path.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("core"))
            })
        else {
            return String::new();
        };
        let gdb = require("gdb", "gdb");
        let daemon = require("gnome-keyring-daemon", "gnome-keyring");
        let out = Command::new(gdb)
            .args(["-batch", "-q", "-iex", "set debuginfod enabled off"])
            .args(["-ex", "set print thread-events off", "-ex", "thread apply all bt"])
            .arg(daemon)
            .arg(&core)
            .output()
            .expect("run gdb");
        let _ = std::fs::remove_file(&core);
        format!(
            "\ngdb's backtrace of {}:\n{}{}",
            core.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    fn answers_a_ping(&self) -> bool {
        let dest = format!("--dest={}", self.daemon_name);
        dbus_send(
            &self.address,
            &[
                &dest,
                "/org/freedesktop/secrets",
                "org.freedesktop.DBus.Peer.Ping",
            ],
        )
        .status
        .success()
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
    let out = dbus_send(
        address,
        &[
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ],
    );
    String::from_utf8_lossy(&out.stdout).contains("boolean true")
}

/// `dbus-send --print-reply` on the session bus at `address`.
fn dbus_send(address: &str, args: &[&str]) -> std::process::Output {
    Command::new("dbus-send")
        .args(["--session", "--print-reply"])
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .output()
        .expect("run dbus-send")
}

impl Drop for Keyring {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.report_daemon();
        }
        for child in [&mut self.daemon, &mut self.dbus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
