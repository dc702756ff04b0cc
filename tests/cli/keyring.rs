//! The Secret Service store: a locked keyring, a bus that never answers, and
//! a bus that belongs to another user.

use crate::harness::{Sandbox, parse_exports, require};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_locked_keyring_is_an_error_and_keeps_the_cached_session() {
    let mut sb = Sandbox::standard(true);
    sb.set_env("HATS_KEYRING", "secret-service");
    let first = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);

    sb.keyring.as_ref().unwrap().lock();
    let err = sb.hats(&["env", "plain-role"]).fails();
    assert!(
        one_line(&err).contains("the secret-service keyring is locked (")
            && err.contains("unlock it or set HATS_KEYRING=keyutils or HATS_KEYRING=none"),
        "{err}"
    );
    assert!(sb.moto.take_actions().is_empty(), "no new session while locked");

    // Unlocked again: the same session is still there.
    sb.keyring.as_mut().unwrap().restart();
    let again = sb.hats(&["env", "plain-role"]);
    assert_eq!(parse_exports(&again.ok()), first);
    assert!(sb.moto.take_actions().is_empty(), "{}", again.stderr());
}

/// A socket `name` in the sandbox as its session bus, with the Secret Service
/// chosen: the test decides whether and how the listener answers.
fn listening_bus(sb: &mut Sandbox, name: &str) -> (UnixListener, std::path::PathBuf) {
    let path = sb.dir.path().join(name);
    let listener = UnixListener::bind(&path).unwrap();
    sb.set_env("HATS_KEYRING", "secret-service");
    sb.set_env(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}", path.display()),
    );
    (listener, path)
}

#[test]
fn a_session_bus_that_never_answers_fails_with_a_message_naming_it() {
    let mut sb = Sandbox::standard(false);
    // Bound but never accepted: the kernel completes the connection, nobody answers.
    let (_listener, path) = listening_bus(&mut sb, "silent-bus");
    let (run, took) = crate::faults::timed(&sb, &["env", "plain-role"]);
    let err = one_line(&run.fails());
    assert!(
        err.contains(&format!(
            "the session bus at \"{}\" did not answer within 5 s",
            path.display()
        )) && err.contains("set HATS_KEYRING="),
        "{err}"
    );
    // Measured: it did wait the 5 s it says, and not much longer.
    let said = Duration::from_secs(5);
    assert!(took >= said && took < said + crate::faults::MARGIN, "{took:?}");
    assert!(sb.moto.take_actions().is_empty());
}

/// The keyring's bus round trips overlap the reading of the configuration: a
/// hand-out connects to the session bus while its AWS config (a FIFO nobody
/// has written yet) is still being read.
#[test]
fn a_hand_out_starts_opening_the_keyring_before_its_configuration_is_read() {
    let mut sb = Sandbox::standard(false);
    let (listener, _) = listening_bus(&mut sb, "watched-bus");
    let fifo = sb.dir.path().join("aws-config.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    sb.set_env("AWS_CONFIG_FILE", &fifo.display().to_string());
    let hats = sb
        .command(crate::harness::HATS)
        .args(["env", "plain-role"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // A deadline only so that a failure ends: a connection that comes at all,
    // while the FIFO is unwritten, is what counts.
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let connected = loop {
        match listener.accept() {
            Ok(_) => break true,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break false,
        }
    };
    // Unblocks hats either way: its configuration arrives.
    std::fs::write(&fifo, crate::harness::AWS_CONFIG).unwrap();
    let done = hats.wait_with_output().unwrap();
    assert!(
        connected,
        "hats did not connect to the session bus before its configuration was read"
    );
    // The bus never answers, so the hand-out ends as a silent bus does.
    let err = one_line(&String::from_utf8_lossy(&done.stderr));
    assert!(
        !done.status.success() && err.contains("did not answer within 5 s"),
        "{err}"
    );
}

/// A command that fails at once (an unknown target) while the keyring it
/// started opening is still talking to the bus waits for that opening (up to
/// 300 ms) before it exits, even one whose thread had not begun when the
/// command failed: no Secret Service sees a client vanish mid-call.
#[test]
fn a_command_that_fails_while_the_keyring_opens_waits_for_the_bus_call_before_exiting() {
    let mut sb = Sandbox::standard(false);
    let (listener, _) = listening_bus(&mut sb, "slow-bus");
    let mut hats = sb
        .command(crate::harness::HATS)
        .args(["env", "no-such-target"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A hats that exits before it even connects did not wait for its opening either.
    listener.set_nonblocking(true).unwrap();
    let connection = loop {
        match listener.accept() {
            Ok((connection, _)) => break connection,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(status) = hats.try_wait().unwrap() {
                    panic!("hats exited ({status}) before it connected to the bus");
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let accepted = Instant::now();
    // An exit seen this early happened this early: a slow test thread only sees it later.
    while accepted.elapsed() < Duration::from_millis(250) {
        let exited = hats.try_wait().unwrap();
        assert!(
            exited.is_none(),
            "hats exited {:?} after connecting, its bus call unanswered",
            accepted.elapsed()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(connection);
    let done = hats.wait_with_output().unwrap();
    assert!(
        accepted.elapsed() < crate::faults::MARGIN,
        "{:?}",
        accepted.elapsed()
    );
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(err.contains("unknown target \"no-such-target\""), "{err}");
}

/// A listener run as `nobody` that records how many bytes each connection sent.
struct ForeignListener {
    child: Child,
    log: std::path::PathBuf,
}

const RECORDER: &str = r#"
import os, socket, sys
address, log = sys.argv[1], sys.argv[2]
if address.startswith("@"):
    address = "\0" + address[1:]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(address)
server.listen(8)
open(log + ".ready", "w").close()
while True:
    conn, _ = server.accept()
    conn.settimeout(3)
    received = b""
    try:
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                break
            received += chunk
    except socket.timeout:
        pass
    with open(log, "a") as f:
        f.write("connection %d\n" % len(received))
    conn.close()
"#;

impl ForeignListener {
    /// Listens at `address` (a path, or `@name` for an abstract socket) as `nobody`.
    fn start(dir: &std::path::Path, address: &str, name: &str) -> Self {
        let setpriv = require("setpriv", "util-linux");
        let log = dir.join(format!("{name}.log"));
        let mut child = Command::new(setpriv)
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            // Debian's own python: the developer's (pyenv under /root) is out of nobody's reach.
            .args([
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                "/usr/bin/python3",
                "-c",
                RECORDER,
            ])
            .arg(address)
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(format!("{name}.err"))).unwrap())
            .spawn()
            .expect("start a listener as nobody");
        let started = Instant::now();
        while !dir.join(format!("{name}.log.ready")).exists() {
            let exited = child.try_wait().unwrap();
            assert!(
                exited.is_none() && started.elapsed() < Duration::from_secs(60),
                "the listener did not start ({exited:?}): {}",
                std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, log }
    }

    /// One line per connection that ended: `connection <bytes received>`.
    fn connections(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for ForeignListener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn another_users_session_bus_is_refused_and_sent_nothing() {
    // SAFETY: geteuid cannot fail.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test starts a listener as another user, which needs root"
    );
    let mut sb = Sandbox::standard(false);
    // A directory `nobody` may create its socket in.
    let shared = sb.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(sb.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let path = shared.join("bus");
    let abstract_name = format!("hats-test-{}", std::process::id());
    let by_path = ForeignListener::start(&shared, path.to_str().unwrap(), "path");
    let by_name = ForeignListener::start(&shared, &format!("@{abstract_name}"), "abstract");
    sb.set_env("HATS_KEYRING", "secret-service");
    for (address, shown, listener) in [
        (
            format!("unix:path={}", path.display()),
            path.display().to_string(),
            &by_path,
        ),
        (
            format!("unix:abstract={abstract_name}"),
            abstract_name.clone(),
            &by_name,
        ),
    ] {
        sb.set_env("DBUS_SESSION_BUS_ADDRESS", &address);
        let err = one_line(&sb.hats(&["env", "plain-role"]).fails());
        assert!(
            err.contains(&format!(
                "the session bus at \"{shown}\" is run by uid 65534, not by you (uid 0)"
            )) && err.contains("set HATS_KEYRING=keyutils or HATS_KEYRING=none"),
            "{err}"
        );
        // The refused connection ends (the recorder logs it once hats hung up).
        let started = Instant::now();
        while listener.connections().is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "hats never connected to {shown}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            listener.connections(),
            ["connection 0"],
            "nothing is sent to {shown}"
        );
    }
    assert!(sb.moto.take_actions().is_empty());
}

/// libdbus walks an address list on its own: when the address hats checked
/// fails to connect by the time libdbus comes (a bus restarting, a socket
/// replaced), it moves on to the next one, which nobody checked. So a list is
/// refused before any connection, even when its first address is the user's own.
#[test]
fn a_bus_address_list_is_refused_before_anything_connects() {
    // SAFETY: geteuid cannot fail.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "this test starts a listener as another user, which needs root"
    );
    let mut sb = Sandbox::standard(false);
    let shared = sb.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(sb.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let foreign_path = shared.join("foreign-bus");
    let foreign = ForeignListener::start(&shared, foreign_path.to_str().unwrap(), "foreign");
    // Ours, so it passes the owner check; it never answers.
    let ours = sb.dir.path().join("our-bus");
    let listener = UnixListener::bind(&ours).unwrap();
    listener.set_nonblocking(true).unwrap();
    sb.set_env("HATS_KEYRING", "secret-service");
    sb.set_env(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!(
            "unix:path={};unix:path={}",
            ours.display(),
            foreign_path.display()
        ),
    );
    let err = one_line(&sb.hats(&["env", "plain-role"]).fails());
    assert!(
        err.contains("lists 2 addresses; hats connects only to a single address it has checked")
            && err.contains("set HATS_KEYRING=keyutils or HATS_KEYRING=none"),
        "{err}"
    );
    assert!(listener.accept().is_err(), "our own address was connected to");
    assert!(
        foreign.connections().is_empty(),
        "the unchecked address was connected to: {:?}",
        foreign.connections()
    );
    assert!(sb.moto.take_actions().is_empty());
}
