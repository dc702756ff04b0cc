//! The MFA prompt on a real pseudo-terminal: asked on the terminal, never on stdout.

use crate::harness::Sandbox;
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
