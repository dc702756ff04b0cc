//! The switcher's filter end to end: a key never acts on a target the user
//! did not pick. `Tab` leaves the filter box keeping the filter, `Esc` clears
//! it first (the cursor stays on its target) and quits only when nothing is
//! left to clear, also when coming back from a subshell.

use crate::harness::{Sandbox, parse_exports};
use crate::pty::Terminal;

/// The standard sandbox with `/bin/sh` as the subshell with a known prompt.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

/// The target named in the exports `eval "$(hats)"` would run.
fn exported_target(sb: &Sandbox) -> String {
    let text = std::fs::read_to_string(sb.home.join("exports.sh")).unwrap();
    parse_exports(&text)
        .remove("HATS_TARGET")
        .unwrap_or_else(|| panic!("no HATS_TARGET in the exports:\n{text}"))
}

#[test]
fn tab_leaves_the_filter_box_so_e_exports_the_filtered_match() {
    let sb = sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role");
    term.wait_for("/plain-role▏");
    term.wait_highlighted("plain-role");
    term.keys("\t");
    // The box has no cursor any more; the filter and the match stay.
    term.wait_for("/plain-role ");
    term.wait_highlighted("plain-role");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(exported_target(&sb), "plain-role");
}

#[test]
fn esc_clears_the_filter_keeping_the_cursor_on_the_match_then_a_second_esc_quits() {
    let sb = sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    let first_row = term.highlighted();
    assert!(!first_row.contains("plain-role"), "{first_row}");
    term.keys("/plain-role");
    term.wait_highlighted("plain-role");
    term.keys("\x1b");
    term.wait_for("targets (7)");
    term.wait_highlighted("plain-role");
    assert!(term.running(), "the first Esc only cleared the filter");
    term.keys("e");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(exported_target(&sb), "plain-role", "not the first row");
}

#[test]
fn after_a_subshell_esc_clears_the_kept_filter_instead_of_quitting() {
    let sb = sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/plain-role\r");
    term.wait_for("sub$ ");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    assert!(term.screen().contains("/plain-role "), "the filter is kept");
    term.keys("\x1b");
    term.wait_for("targets (7)");
    assert!(term.running(), "Esc cleared the filter; it did not quit");
    term.wait_highlighted("plain-role");
    term.keys("\x1b");
    assert_eq!(term.wait_exit(), 0, "nothing left to clear: Esc quits");
    let exports = std::fs::read_to_string(sb.home.join("exports.sh")).unwrap();
    assert!(exports.is_empty(), "quitting prints nothing: {exports}");
}

#[test]
fn ctrl_w_and_ctrl_u_edit_the_filter_box_as_in_a_shell() {
    let sb = sandbox();
    let mut term = Terminal::spawn_sized(&sb, r#""$HATS" > exports.sh"#, 100, 30);
    term.wait_for("targets (7)");
    term.keys("/prod xyz");
    term.wait_for("/prod xyz▏");
    term.keys("\x17");
    term.wait_for("/prod ▏");
    term.keys("\x08\x08");
    term.wait_for("/pro▏");
    term.keys("\x15");
    term.wait_for(" /▏");
    term.keys("plain-role\te");
    assert_eq!(term.wait_exit(), 0);
    assert_eq!(exported_target(&sb), "plain-role");
}
