//! What the switcher tells, in a real pseudo-terminal: entries it skipped and
//! why, the whole of a message the status line cuts (`m`), what Enter does
//! under `hats use`, and one expiry time when the local zone is UTC.

use crate::harness::Sandbox;
use crate::pty::Terminal;

#[test]
fn skipped_profiles_are_announced_and_m_shows_every_reason() {
    let sb = Sandbox::standard(false);
    sb.aws_config(&format!(
        "{}\n[profile two words]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = plain\n",
        crate::harness::AWS_CONFIG
    ));
    // Narrow: the reason does not fit on the status line.
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 80, 24);
    term.wait_for("1 entry of the configuration skipped");
    let status = term.screen().lines().nth(22).unwrap_or_default().to_owned();
    assert!(
        status.starts_with("1 entry of the configuration skipped"),
        "{}",
        term.screen()
    );
    assert!(status.trim_end().ends_with("(m: all)"), "{}", term.screen());
    term.keys("m");
    term.wait_for("Enter or Esc closes");
    let whole = term.screen().replace(['│', '\n'], "");
    assert!(
        whole.contains("\"profile two words\"") && whole.contains("needs quotes"),
        "{}",
        term.screen()
    );
    term.keys("\r");
    // The count stays in the list's title after the status line moves on.
    term.wait_for("targets (7; 1 skipped, see hats ls)");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

#[test]
fn under_hats_use_the_hints_say_enter_uses_the_target_here() {
    let mut sb = Sandbox::standard(false);
    // What the shell function sets around its call.
    sb.set_env("HATS_FUNCTION", "sh");
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" use > exports.sh"#, 100, 30);
    term.wait_for("Enter use here");
    term.keys("?");
    term.wait_for("use the target in this shell (hats use)");
    term.keys("x/plain-role\r");
    assert_eq!(term.wait_exit(), 0);
    let exports = std::fs::read_to_string(sb.home.join("exports.sh")).unwrap();
    assert!(exports.contains("HATS_TARGET='plain-role'"), "{exports}");
}

#[test]
fn under_tz_utc_the_detail_pane_shows_the_expiry_once() {
    let sb = Sandbox::standard(true);
    sb.hats(&["env", "plain-role"]).ok();
    let mut term = Terminal::spawn_sized(&sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\t");
    // The detail pane describes plain-role (its chain), expiry included.
    term.wait_for("plain -> plain-role");
    let line = term.line_with("expires  ");
    assert_eq!(line.matches("UTC").count(), 1, "{line}");
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}
