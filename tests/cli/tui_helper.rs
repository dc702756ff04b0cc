//! A helper command that writes on stderr while the switcher owns the screen
//! (`mfa_process` and a SAML `assertion_process`, in a real pseudo-terminal
//! against moto and a real keyring): its lines show in a panel, never drawn
//! over the switcher.

use crate::harness::{AWS_CONFIG, Sandbox};
use crate::pty::Terminal;

/// `yubi`: a role whose MFA code comes from a script that asks for a touch on
/// stderr and answers once the file `go` exists; in an account of its own (the
/// fixture's `data` account is production, and would ask for its name first).
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    let script = sb.home.join("touch-key.sh");
    let go = sb.home.join("go");
    std::fs::write(
        &script,
        format!(
            "echo 'touch your key now' >&2\nwhile [ ! -e '{}' ]; do sleep 0.05; done\necho 246810\n",
            go.display()
        ),
    )
    .unwrap();
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile yubi]\nrole_arn = arn:aws:iam::666666666666:role/Admin\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nmfa_process = sh {}\n",
        script.display()
    ));
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

#[test]
fn an_mfa_process_writing_on_stderr_shows_in_a_panel_without_tearing_the_screen() {
    let sb = sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS""#, 100, 30);
    term.wait_for("targets (");
    term.keys("/yubi\r");
    term.wait_for("touch your key now");
    term.wait_for("running mfa_process");
    let screen = term.screen();
    // Inside the panel's border, not written over the list at the cursor.
    assert!(
        term.line_with("touch your key now")
            .contains("│touch your key now"),
        "{screen}"
    );
    assert!(screen.starts_with("hats"), "the header is intact:\n{screen}");
    let row = term.line_with("666666666666");
    assert!(
        row.contains("yubi") && row.contains("Admin"),
        "the row is intact:\n{screen}"
    );
    assert!(screen.contains("q quit"), "the key hints are intact:\n{screen}");
    std::fs::write(sb.home.join("go"), "").unwrap();
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for yubi");
    let screen = term.screen();
    assert!(!screen.contains("touch your key"), "the panel closed:\n{screen}");
    let calls = sb.moto.take_sts_calls();
    assert_eq!(calls[0].param("TokenCode"), Some("246810"));
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn a_saml_assertion_process_says_it_is_running_and_shows_its_stderr_in_the_panel() {
    use crate::saml_idp::{Idp, in_an_hour};
    let until = in_an_hour();
    let idp = Idp {
        roles: &["arn:aws:iam::123456789012:role/Admin"],
        session_duration: Some(3600),
        not_on_or_after: &until,
    };
    let mut sb = Sandbox::new();
    let go = sb.home.join("go");
    let script = sb.write(
        "idp.sh",
        &format!(
            "echo 'signing in to corp, approve on your phone' >&2\nwhile [ ! -e '{}' ]; do sleep 0.05; done\ncat \"$HOME/assertion.b64\"\n",
            go.display()
        ),
    );
    sb.write("assertion.b64", &idp.base64());
    sb.hats_config(&format!(
        "[saml.corp]\nassertion_process = \"sh {}\"\nregion = \"eu-west-1\"\n",
        script.display()
    ));
    // Discovery runs the command once, outside the switcher.
    std::fs::write(&go, "").unwrap();
    sb.hats(&["saml", "sync", "corp"]).ok();
    std::fs::remove_file(&go).unwrap();
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS""#, 100, 30);
    term.wait_for("123456789012/Admin");
    term.keys("\r");
    term.wait_for("approve on your phone");
    term.wait_for("assertion_process");
    let screen = term.screen();
    assert!(screen.contains("running [saml.corp]"), "{screen}");
    assert!(
        term.line_with("approve on your phone")
            .contains("│signing in to corp"),
        "{screen}"
    );
    assert!(screen.starts_with("hats"), "the header is intact:\n{screen}");
    std::fs::write(&go, "").unwrap();
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for 123456789012/Admin");
    assert!(
        !term.screen().contains("approve on your phone"),
        "{}",
        term.screen()
    );
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}
