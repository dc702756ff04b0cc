//! `--serve`: the real AWS CLI and boto3 inside a served child get credentials
//! from hats' loopback endpoint, renewed without restarting the child.

use crate::harness::{HATS, Sandbox};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;

pub(crate) fn venv_bin(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".venv-test/bin")
        .join(name);
    assert!(
        path.is_file(),
        "{} missing: run `bash tests/run.sh`, which installs it",
        path.display()
    );
    path.display().to_string()
}

/// `hats ARGS -- python -c SCRIPT` in the background, output piped.
fn spawn_python(sb: &Sandbox, args: &[&str], script: &str) -> std::process::Child {
    sb.command(HATS)
        .args(args)
        .args(["--", &venv_bin("python"), "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn served_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("AWS_DEFAULT_REGION", "us-east-1");
    sb
}

#[test]
fn the_aws_cli_gets_the_role_through_the_endpoint_not_static_keys() {
    let sb = served_sandbox();
    let script = r#"env | grep -c '^AWS_ACCESS_KEY_ID=' ; env | grep -c '^AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:'; "$0" sts get-caller-identity --query Arn --output text"#;
    let run = sb.hats(&[
        "exec",
        "plain-role",
        "--serve",
        "--",
        "sh",
        "-c",
        script,
        &venv_bin("aws"),
    ]);
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "0", "no static keys in the child");
    assert_eq!(lines[1], "1", "the endpoint URL is set");
    assert!(lines[2].contains("assumed-role/ReadOnly/ci-runner"), "{out}");
}

#[test]
fn the_endpoint_refuses_missing_or_wrong_tokens_and_keeps_the_exit_status() {
    let sb = served_sandbox();
    let script = "import os, urllib.request, urllib.error\n\
        url = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']\n\
        for headers in ({}, {'Authorization': 'wrong'}, {'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']}):\n\
        \x20   try:\n\
        \x20       print(urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status)\n\
        \x20   except urllib.error.HTTPError as e:\n\
        \x20       print(e.code)\n\
        raise SystemExit(9)\n";
    let run = sb.hats(&[
        "exec",
        "plain-role",
        "--serve",
        "--",
        &venv_bin("python"),
        "-c",
        script,
    ]);
    assert_eq!(run.code(), Some(9), "{}", run.stderr());
    assert_eq!(run.stdout().lines().collect::<Vec<_>>(), ["401", "403", "200"]);
}

#[test]
fn a_long_running_child_picks_up_renewed_keys_without_restarting() {
    let sb = served_sandbox();
    // boto3 refreshes credentials that expire within 15 minutes before each use.
    let script = "import boto3, os, time, sys\n\
        s = boto3.Session()\n\
        print('first', s.get_credentials().get_frozen_credentials().access_key, flush=True)\n\
        while not os.path.exists('go'):\n\
        \x20   time.sleep(0.05)\n\
        print('second', s.get_credentials().get_frozen_credentials().access_key, flush=True)\n";
    let mut child = spawn_python(
        &sb,
        &["exec", "plain-role", "--serve", "--duration", "15m"],
        script,
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("first ASIA"), "{first}");
    // The session is renewed behind the child's back (as after expiry).
    sb.hats(&["forget", "plain-role"]).ok();
    std::fs::write(sb.home.join("go"), "").unwrap();
    let second = lines.next().unwrap().unwrap();
    assert!(second.starts_with("second ASIA"), "{second}");
    assert_ne!(
        first["first ".len()..],
        second["second ".len()..],
        "new keys reached the running child"
    );
    assert!(child.wait().unwrap().success());
    let actions = sb.moto.take_actions();
    assert_eq!(
        actions,
        ["AssumeRole", "AssumeRole"],
        "one session, then one renewal"
    );
}

#[test]
fn when_the_mfa_session_is_gone_the_child_gets_an_error_and_hats_says_what_to_do() {
    let sb = served_sandbox();
    let script = "import os, urllib.request, urllib.error, time\n\
        while not os.path.exists('go'):\n\
        \x20   time.sleep(0.05)\n\
        req = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n\
        try:\n\
        \x20   urllib.request.urlopen(req)\n\
        except urllib.error.HTTPError as e:\n\
        \x20   print(e.code, e.read().decode())\n";
    let child = spawn_python(&sb, &["exec", "prod", "--serve", "--mfa-code", "123456"], script);
    // Wait until the first session exists, then remove every cached session, MFA included.
    let index = sb.home.join(".cache/hats/sessions.json");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&index)
        .unwrap_or_default()
        .contains("role/prod/")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no session was cached"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    crate::harness::forget_all(&sb);
    std::fs::write(sb.home.join("go"), "").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("503 ") && stdout.contains("no terminal to ask on"),
        "{stdout}"
    );
    assert!(
        stderr.contains("run `hats env prod` (or `hats`) to authenticate again"),
        "{stderr}"
    );
}

/// Upper bound for anything these tests wait for: generous, not a measurement.
const BOUNDED: std::time::Duration = std::time::Duration::from_secs(90);

/// Kills a serving hats and its child (one process group: the sandbox starts
/// hats in a session of its own) when a test ends, passed or failed.
/// Disarmed once hats (which waits for its child) has ended: its pid may be reused.
pub(crate) struct KillGroupOnDrop(pub(crate) Option<u32>);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // SAFETY: kill(2) on the process group of a hats this test started.
            unsafe { libc::kill(-libc::pid_t::try_from(pid).unwrap(), libc::SIGKILL) };
        }
    }
}

/// The lines of `child`'s stdout as they come.
pub(crate) fn stdout_lines(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    let (send, lines) = std::sync::mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    lines
}

pub(crate) fn next(lines: &std::sync::mpsc::Receiver<String>, what: &str) -> String {
    lines
        .recv_timeout(BOUNDED)
        .unwrap_or_else(|e| panic!("no {what} from the served child: {e}"))
}

/// Waits for `child` to end, failing the test if it does not within the bound.
pub(crate) fn wait_bounded(child: &mut std::process::Child) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < BOUNDED, "hats did not end");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The child opens `sys.argv[1]` idle connections, then makes a real request
/// and times it; reports how many idle ones hats had closed by then and whether
/// the rest are closed later (the head deadline); opens as many again and waits
/// for SIGTERM.
const IDLE_SCRIPT: &str = r#"
import os, signal, socket, sys, time, urllib.parse, urllib.request
n = int(sys.argv[1])
url = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']
where = urllib.parse.urlsplit(url)
def idle():
    return [socket.create_connection((where.hostname, where.port)) for _ in range(n)]
def closed(s):
    s.setblocking(False)
    try:
        return s.recv(1) == b''
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True
# os.write, not print: the signal may arrive while print('ready') is writing.
signal.signal(signal.SIGTERM, lambda *_: (os.write(1, b'terminated\n'), os._exit(7)))
first = idle()
request = urllib.request.Request(url, headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})
started = time.monotonic()
print('answer', urllib.request.urlopen(request, timeout=300).status, flush=True)
print('took', time.monotonic() - started, flush=True)
print('shed', sum(closed(s) for s in first), flush=True)
still_open = 0
for s in first:
    s.setblocking(True)
    s.settimeout(60)
    try:
        if s.recv(1) != b'':
            still_open += 1
    except socket.timeout:
        still_open += 1
    except ConnectionResetError:
        pass
print('left open', still_open, flush=True)
second = idle()
print('ready', flush=True)
while True:
    signal.pause()
"#;

fn idle_connections_delay_neither_requests_nor_sigterm(idle: usize) -> usize {
    let sb = served_sandbox();
    let mut hats = sb
        .command(HATS)
        .args(["exec", "plain-role", "--serve", "--"])
        .args([&venv_bin("python"), "-c", IDLE_SCRIPT, &idle.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut cleanup = KillGroupOnDrop(Some(hats.id()));
    let lines = stdout_lines(&mut hats);
    assert_eq!(next(&lines, "answer"), "answer 200");
    // Well under the idle connections' head deadline (5 s), which a hats
    // serving one connection at a time would make the request wait out.
    let took: f64 = next(&lines, "request time")["took ".len()..].parse().unwrap();
    assert!(took < 2.5, "the real request took {took} s");
    let shed: usize = next(&lines, "shed count")["shed ".len()..].parse().unwrap();
    assert_eq!(
        next(&lines, "deadline"),
        "left open 0",
        "the head deadline closes idle connections"
    );
    assert_eq!(next(&lines, "readiness"), "ready");
    // SIGTERM reaches the child while idle connections are open.
    // SAFETY: kill(2) on the hats this test started.
    unsafe { libc::kill(libc::pid_t::try_from(hats.id()).unwrap(), libc::SIGTERM) };
    let got = lines.recv_timeout(BOUNDED);
    let status = wait_bounded(&mut hats);
    cleanup.0 = None;
    let mut err = String::new();
    std::io::Read::read_to_string(&mut hats.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(got.as_deref(), Ok("terminated"), "{status:?}, stderr: {err}");
    assert_eq!(status.code(), Some(7), "the child's status");
    shed
}

#[test]
fn one_idle_connection_delays_neither_a_real_request_nor_sigterm() {
    assert_eq!(idle_connections_delay_neither_requests_nor_sigterm(1), 0);
}

#[test]
fn two_hundred_idle_connections_delay_neither_a_real_request_nor_sigterm() {
    let shed = idle_connections_delay_neither_requests_nor_sigterm(200);
    // At most 64 connections are open: by the time the real request (the 201st)
    // was accepted, the oldest idle ones had been shut to make room for newer ones.
    assert!(shed > 200 - 64, "only {shed} shed");
}

/// Every regular file under `dir` holding `needle`, except `skip`.
fn files_holding(dir: &std::path::Path, needle: &[u8], skip: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file()
                && path != skip
                && std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn the_served_token_is_in_no_file_log_or_verbose_output() {
    let sb = served_sandbox();
    let token_file = sb.dir.path().join("token-seen-by-the-child");
    let script = "import os, sys, time, urllib.request\n\
        open(sys.argv[1], 'w').write(os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN'])\n\
        r = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n\
        print('answer', urllib.request.urlopen(r).status, flush=True)\n\
        while not os.path.exists('go'):\n\
        \x20   time.sleep(0.05)\n";
    let mut hats = sb
        .command(HATS)
        .args(["-v", "exec", "plain-role", "--serve", "--"])
        .args([
            &venv_bin("python"),
            "-c",
            script,
            &token_file.display().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut cleanup = KillGroupOnDrop(Some(hats.id()));
    let lines = stdout_lines(&mut hats);
    assert_eq!(next(&lines, "answer"), "answer 200");
    let token = std::fs::read(&token_file).unwrap();
    assert_eq!(token.len(), 64, "a 256-bit token in hex");
    // While serving: the registry, index, history, keyring files and logs.
    let during = files_holding(sb.dir.path(), &token, &token_file);
    std::fs::write(sb.home.join("go"), "").unwrap();
    assert!(wait_bounded(&mut hats).success());
    cleanup.0 = None;
    let mut stderr = Vec::new();
    std::io::Read::read_to_end(&mut hats.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        String::from_utf8_lossy(&stderr).contains("hats: "),
        "verbose output was produced"
    );
    let history = sb.hats(&["-v", "history", "--json"]);
    let ls = sb.hats(&["-v", "ls", "--json"]);
    let holds = |bytes: &[u8]| bytes.windows(token.len()).any(|w| w == token.as_slice());
    assert_eq!(
        during,
        Vec::<PathBuf>::new(),
        "files holding the token while serving"
    );
    assert_eq!(
        files_holding(sb.dir.path(), &token, &token_file),
        Vec::<PathBuf>::new(),
        "files holding the token afterwards"
    );
    assert!(!holds(&stderr), "hats' verbose output holds the token");
    for run in [history, ls] {
        assert!(!holds(&run.0.stdout) && !holds(&run.0.stderr));
    }
}
