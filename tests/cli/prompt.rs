//! The MFA prompt on a real pseudo-terminal: asked on the terminal, never on stdout.

use crate::harness::{Fault, FaultyEndpoint, Sandbox};
use crate::pty::Terminal;

#[test]
fn the_prompt_names_the_device_on_the_terminal_and_stdout_stays_pure_json() {
    let sb = Sandbox::standard(true);
    let mut term = Terminal::spawn(&sb, r#""$HATS" credential-process prod > out.json"#);
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice: ");
    term.type_line("123456");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    let out = std::fs::read_to_string(sb.home.join("out.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out).expect("stdout is exactly the JSON document");
    assert_eq!(doc["Version"], 1);
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("123456"));
}

#[test]
fn a_mistyped_code_is_asked_again_without_calling_sts() {
    let sb = Sandbox::standard(true);
    let mut term = Terminal::spawn(&sb, r#""$HATS" env prod > out.sh"#);
    term.wait_for("mfa/alice: ");
    term.type_line("12 34");
    term.wait_for("is not 6 digits");
    assert!(sb.moto.take_actions().is_empty());
    term.type_line("654321");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("654321"));
}

#[test]
fn a_code_aws_refuses_is_asked_again_and_a_given_code_is_not() {
    // The endpoint refuses the code 000000 as AWS refuses a wrong one; moto checks none.
    let mut sb = Sandbox::standard(true);
    let endpoint = FaultyEndpoint::start(sb.moto.port, "TokenCode=000000", Fault::AccessDenied);
    sb.set_env("AWS_ENDPOINT_URL", &endpoint.endpoint());
    let mut term = Terminal::spawn(&sb, r#""$HATS" env prod > out.sh"#);
    term.wait_for("mfa/alice: ");
    term.type_line("000000");
    term.wait_for(
        "hats: AWS refused that code for arn:aws:iam::111111111111:mfa/alice (wrong, or already used)",
    );
    term.type_line("123456");
    assert_eq!(term.wait_exit(), 0, "{}", term.screen());
    let codes: Vec<String> = endpoint
        .take()
        .iter()
        .filter(|r| r.action() == "GetSessionToken")
        .map(|r| r.params["TokenCode"].clone())
        .collect();
    assert_eq!(
        codes,
        ["000000", "123456"],
        "each code sent once, the refused one never again"
    );
    let exports = std::fs::read_to_string(sb.home.join("out.sh")).unwrap();
    assert!(exports.contains("HATS_TARGET='prod'"), "{exports}");

    // A code given on the command line cannot be asked again: one clear error.
    crate::harness::forget_all(&sb);
    let err = sb.hats(&["env", "prod", "--mfa-code", "000000"]).fails();
    assert!(
        err.contains("AccessDenied from STS for GetSessionToken: the MFA code was wrong or already used"),
        "{err}"
    );
    assert!(!err.contains("trust policy"), "{err}");
    assert_eq!(endpoint.take().len(), 1, "sent once");
}
