//! No network is told apart from a request that was sent but not answered:
//! only the second can have used up an MFA code.

use crate::harness::{Sandbox, closed_port};
use std::io::Read;
use std::net::TcpListener;

fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    lines[0]
}

#[test]
fn an_endpoint_that_cannot_be_reached_says_the_mfa_code_was_not_used() {
    let mut sb = Sandbox::standard(false);
    let port = closed_port();
    let closed = format!("http://127.0.0.1:{}", port.port);
    // RFC 6761: names under .invalid never resolve.
    let unresolvable = "http://sts.no-such-host.invalid:4566".to_owned();
    for endpoint in [closed, unresolvable] {
        sb.set_env("AWS_ENDPOINT_URL", &endpoint);
        let err = sb.hats(&["env", "base", "--mfa-code", "123456"]).fails();
        let line = one_line(&err);
        assert!(
            line.starts_with(&format!("hats: cannot reach STS at \"{endpoint}\" (")),
            "{err}"
        );
        assert!(
            line.ends_with("; nothing was sent, so the MFA code was not used"),
            "{err}"
        );
        assert!(!line.contains("not sent again"), "{err}");
    }
}

#[test]
fn a_request_sent_but_not_answered_says_the_code_is_used_up() {
    let mut sb = Sandbox::standard(false);
    // Reads the request, then hangs up without a word.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            drop(stream);
        }
    });
    sb.set_env("AWS_ENDPOINT_URL", &endpoint);
    let err = sb.hats(&["env", "base", "--mfa-code", "123456"]).fails();
    let line = one_line(&err);
    assert!(
        line.starts_with(&format!(
            "hats: STS at \"{endpoint}\" was sent GetSessionToken but the connection failed before an answer"
        )),
        "{err}"
    );
    assert!(
        line.ends_with(
            "the MFA code was not sent again (AWS accepts each code only once): try again with the next code"
        ),
        "{err}"
    );
}
