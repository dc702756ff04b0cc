//! `hats serve`: the renewing endpoint on its own, used by the real AWS CLI and
//! boto3 (unmodified) through the two variables hats prints, as a container would.

use crate::harness::{HATS, Sandbox};
use crate::serve::{KillGroupOnDrop, next, stdout_lines, venv_bin, wait_bounded};
use std::process::Stdio;

/// A running `hats serve` and what it printed.
pub(crate) struct Served {
    hats: std::process::Child,
    cleanup: KillGroupOnDrop,
    pub(crate) url: String,
    pub(crate) token: String,
    docker: String,
}

pub(crate) fn serve(sb: &Sandbox, args: &[&str]) -> Served {
    let mut hats = sb
        .command(HATS)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let cleanup = KillGroupOnDrop(Some(hats.id()));
    let lines = stdout_lines(&mut hats);
    let value = |line: String, name: &str| {
        line.strip_prefix(&format!("export {name}="))
            .unwrap_or_else(|| panic!("not an export of {name}: {line}"))
            .to_owned()
    };
    let url = value(next(&lines, "URL"), "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let token = value(next(&lines, "token"), "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    let docker = next(&lines, "docker line");
    Served {
        hats,
        cleanup,
        url,
        token,
        docker,
    }
}

impl Served {
    /// Stops hats with `signal`; returns its exit code and stderr.
    pub(crate) fn stop(mut self, signal: i32) -> (Option<i32>, String) {
        // SAFETY: kill(2) on the hats this test started.
        unsafe { libc::kill(libc::pid_t::try_from(self.hats.id()).unwrap(), signal) };
        let status = wait_bounded(&mut self.hats);
        self.cleanup.0 = None;
        let mut err = String::new();
        std::io::Read::read_to_string(&mut self.hats.stderr.take().unwrap(), &mut err).unwrap();
        (status.code(), err)
    }
}

/// A process in `sb` that sees only the two container variables (no keys, no profile).
fn container_client(sb: &Sandbox, served: &Served, program: &str) -> std::process::Command {
    let mut cmd = sb.command(program);
    cmd.env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &served.url)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", &served.token)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    cmd
}

fn output(cmd: &mut std::process::Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// boto3 prints the access key it got, renewed keys included.
const BOTO3_KEYS: &str = "import boto3, os, sys\n\
    for _ in range(int(sys.argv[1])):\n\
    \x20   s = boto3.Session()\n\
    \x20   print(s.get_credentials().get_frozen_credentials().access_key, flush=True)\n\
    \x20   sys.stdin.readline()\n";

fn served_until(signal: i32) {
    let sb = Sandbox::standard(true);
    let served = serve(&sb, &["plain-role"]);
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "loopback by default: {}",
        served.url
    );
    assert_eq!(served.token.len(), 64, "a 256-bit token in hex");
    assert!(
        served.docker.starts_with("docker run --rm --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI -e AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        "{}",
        served.docker
    );
    assert!(
        !served.docker.contains(&served.token),
        "the token is passed by name"
    );
    let (ok, out, err) = output(container_client(&sb, &served, &venv_bin("aws")).args([
        "sts",
        "get-caller-identity",
        "--query",
        "Arn",
        "--output",
        "text",
    ]));
    assert!(
        ok && out.contains("assumed-role/ReadOnly/ci-runner"),
        "{out}{err}"
    );
    // The switcher's registry shows it served, to "containers".
    let registry = std::fs::read_dir(sb.home.join(".cache/hats/served"))
        .unwrap()
        .count();
    assert_eq!(registry, 1);
    let (code, err) = served.stop(signal);
    assert_eq!(code, Some(0), "a clean exit: {err}");
    let left = std::fs::read_dir(sb.home.join(".cache/hats/served"))
        .unwrap()
        .count();
    assert_eq!(left, 0, "the registration is removed on exit");
    assert!(err.contains("hats: serving \"plain-role\""), "{err}");
}

#[test]
fn hats_serve_answers_the_aws_cli_with_the_role_and_exits_cleanly_on_sigterm() {
    served_until(libc::SIGTERM);
}

#[test]
fn hats_serve_exits_cleanly_on_sigint() {
    served_until(libc::SIGINT);
}

#[test]
fn hats_serve_renews_for_boto3_without_prompting_and_shows_as_served() {
    let sb = Sandbox::standard(true);
    let served = serve(&sb, &["plain-role", "--duration", "15m"]);
    let record = std::fs::read_dir(sb.home.join(".cache/hats/served"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(
        record.contains("\"target\":\"plain-role\"") && record.contains("\"command\":\"containers\""),
        "{record}"
    );
    assert!(!record.contains(&served.token), "no token in the registry");
    let mut client = container_client(&sb, &served, &venv_bin("python"))
        .args(["-c", BOTO3_KEYS, "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = stdout_lines(&mut client);
    let first = next(&lines, "first key");
    // Renewed behind the client's back, as after expiry: no prompt, no terminal.
    sb.hats(&["forget", "plain-role"]).ok();
    std::io::Write::write_all(client.stdin.as_mut().unwrap(), b"\n").unwrap();
    let second = next(&lines, "second key");
    assert!(
        first.starts_with("ASIA") && second.starts_with("ASIA"),
        "{first} {second}"
    );
    assert_ne!(first, second, "the served session was renewed");
    std::io::Write::write_all(client.stdin.as_mut().unwrap(), b"\n").unwrap();
    assert!(client.wait().unwrap().success());
    assert_eq!(sb.moto.take_actions(), ["AssumeRole", "AssumeRole"]);
    let (code, _) = served.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
}

/// An IPv4 address of this machine's that is not loopback.
fn non_loopback_ipv4() -> std::net::Ipv4Addr {
    let mut found = None;
    // SAFETY: getifaddrs fills a list we only read, then free with freeifaddrs.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        assert_eq!(libc::getifaddrs(&raw mut list), 0, "getifaddrs failed");
        let mut at = list;
        while !at.is_null() {
            let addr = (*at).ifa_addr;
            if !addr.is_null() && i32::from((*addr).sa_family) == libc::AF_INET {
                let v4 = &*addr.cast::<libc::sockaddr_in>();
                let ip = std::net::Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
                if !ip.is_loopback() {
                    found = Some(ip);
                }
            }
            at = (*at).ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found.expect(
        "this machine has no non-loopback IPv4 address; the test needs one (bring a network interface up)",
    )
}

/// What a plain HTTP GET of the endpoint with `token` answers (status code).
fn status_with(sb: &Sandbox, url: &str, token: Option<&str>) -> String {
    let script = "import sys, urllib.request, urllib.error\n\
        h = {'Authorization': sys.argv[2]} if len(sys.argv) > 2 else {}\n\
        try:\n\
        \x20   print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers=h)).status)\n\
        except urllib.error.HTTPError as e:\n\
        \x20   print(e.code)\n";
    let mut cmd = sb.command(venv_bin("python"));
    cmd.args(["-c", script, url]).args(token);
    output(&mut cmd).1.trim().to_owned()
}

const BOTO3_ARN: &str = "import boto3\nprint(boto3.client('sts').get_caller_identity()['Arn'])\n";

#[test]
fn a_non_loopback_listen_address_is_served_but_the_sdks_refuse_it_over_plain_http() {
    let sb = Sandbox::standard(true);
    let ip = non_loopback_ipv4();
    let served = serve(&sb, &["plain-role", "--listen", &format!("{ip}:0")]);
    assert!(served.url.starts_with(&format!("http://{ip}:")), "{}", served.url);
    // The endpoint answers there, and still wants the token.
    assert_eq!(status_with(&sb, &served.url, None), "401");
    assert_eq!(status_with(&sb, &served.url, Some("wrong")), "403");
    assert_eq!(status_with(&sb, &served.url, Some(&served.token)), "200");
    // botocore's allow-list: loopback IPs, 169.254.170.2/.23, fd00:ec2::23, localhost.
    let (ok, out, err) = output(container_client(&sb, &served, &venv_bin("python")).args(["-c", BOTO3_ARN]));
    assert!(!ok, "boto3 took a non-loopback plain-HTTP URL: {out}");
    assert!(err.contains(&format!("Unsupported host '{ip}'")), "{err}");
    let (code, err) = served.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
    assert!(err.contains("is not a loopback address"), "hats warns: {err}");
}

#[test]
fn another_loopback_address_such_as_127_0_0_2_is_accepted_by_boto3() {
    let sb = Sandbox::standard(true);
    let served = serve(&sb, &["plain-role", "--listen", "127.0.0.2:0"]);
    assert!(served.url.starts_with("http://127.0.0.2:"), "{}", served.url);
    let (ok, out, err) = output(container_client(&sb, &served, &venv_bin("python")).args(["-c", BOTO3_ARN]));
    assert!(
        ok && out.contains("assumed-role/ReadOnly/ci-runner"),
        "{out}{err}"
    );
    let (code, err) = served.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
    assert!(!err.contains("is not a loopback address"), "{err}");
}

#[test]
fn a_bad_or_busy_listen_address_is_one_clear_line() {
    let sb = Sandbox::standard(true);
    let err = sb.hats(&["serve", "plain-role", "--listen", "localhost"]).fails();
    assert!(
        err.contains("\"localhost\" is not an address and port; write ADDR:PORT"),
        "{err}"
    );
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let err = sb
        .hats(&["serve", "plain-role", "--listen", &format!("127.0.0.1:{port}")])
        .fails();
    assert!(
        err.contains(&format!("cannot listen on \"127.0.0.1:{port}\"")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn a_taken_port_fails_before_any_mfa_code_or_sts_call() {
    let sb = Sandbox::standard(false);
    let script = sb.write("mfa.sh", "echo run >> \"$HOME/mfa-runs\"\necho 123456\n");
    sb.aws_config(&format!(
        "{}\n[profile guarded]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = sh {}\n",
        crate::harness::AWS_CONFIG,
        script.display()
    ));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let err = sb.hats(&["serve", "guarded", "--listen", &address]).fails();
    assert!(err.contains(&format!("cannot listen on \"{address}\"")), "{err}");
    assert!(
        !sb.home.join("mfa-runs").exists(),
        "mfa_process ran before the port was found taken"
    );
    assert!(sb.moto.take_actions().is_empty(), "STS was called first");
    // The same target serves once the port is free (the command itself works).
    drop(taken);
    let served = serve(&sb, &["guarded", "--listen", &address]);
    assert!(served.url.contains(&address), "{}", served.url);
    assert_eq!(
        std::fs::read_to_string(sb.home.join("mfa-runs"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    let (code, _) = served.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
}

#[test]
fn an_unspecified_listen_address_is_warned_about_and_the_bound_address_named() {
    let sb = Sandbox::standard(true);
    for (listen, bound) in [("0.0.0.0:0", "0.0.0.0:"), ("[::]:0", "[::]:")] {
        let served = serve(&sb, &["plain-role", "--listen", listen]);
        let loopback = if listen.starts_with('[') {
            "http://[::1]:"
        } else {
            "http://127.0.0.1:"
        };
        assert!(served.url.starts_with(loopback), "{}", served.url);
        let port = served
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches("/credentials")
            .to_owned();
        let (code, err) = served.stop(libc::SIGTERM);
        assert_eq!(code, Some(0));
        assert!(err.contains(&format!("on {bound}{port} until Ctrl-C")), "{err}");
        assert!(
            err.contains("is every address of this machine: anyone who can reach port"),
            "no warning for {listen}: {err}"
        );
    }
}
