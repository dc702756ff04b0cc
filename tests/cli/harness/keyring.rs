//! A private D-Bus session bus per test with gnome-keyring's Secret Service
//! on it, its login keyring unlocked with a known password.

use super::*;

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
        let out = Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ReloadConfig",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .unwrap();
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
