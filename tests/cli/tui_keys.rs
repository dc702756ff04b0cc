//! The switcher's keys as the README promises them, end to end in a real
//! pseudo-terminal: `c` (the OSC 52 sequence decoded and evaluated), `d`, `R`,
//! `?`, the mouse, paging, the production guard and `NO_COLOR`.

use crate::harness::{AWS_CONFIG, Sandbox, parse_exports};
use crate::pty::Terminal;

/// The standard sandbox with a keyring, and `/bin/sh` as the subshell with a known prompt.
fn shell_sandbox() -> Sandbox {
    let mut sb = Sandbox::standard(true);
    sb.set_env("SHELL", "/bin/sh");
    sb.set_env("PS1", "sub$ ");
    sb
}

/// The switcher on a 100×30 terminal, its first frame drawn.
fn switcher(sb: &Sandbox) -> Terminal {
    let term = Terminal::spawn_sized(sb, r#"exec "$HATS""#, 100, 30);
    term.wait_for("targets (");
    term
}

/// Waits until the screen no longer shows `text`.
fn wait_gone(term: &Terminal, text: &str) {
    let started = std::time::Instant::now();
    while term.screen().contains(text) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{text:?} stays: {}",
            term.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn quit(term: &mut Terminal) {
    term.keys("q");
    assert_eq!(term.wait_exit(), 0);
}

/// `text` evaluated by a real sh, then `$name` printed.
fn evaluated(sb: &Sandbox, text: &str, name: &str) -> String {
    let out = sb
        .command("sh")
        .args(["-c", &format!("eval \"$1\" && printf %s \"${name}\""), "sh", text])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn c_copies_exports_with_osc_52_that_a_shell_evaluates_to_the_session() {
    let sb = shell_sandbox();
    let cached = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    sb.moto.take_actions();
    let mut term = switcher(&sb);
    term.keys("/plain-role\t");
    term.wait_highlighted("plain-role");
    term.keys("c");
    term.wait_for("copied exports for plain-role to the clipboard (OSC 52)");
    let copied = term.clipboard().expect("an OSC 52 sequence reached the terminal");
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        assert_eq!(evaluated(&sb, &copied, name), cached[name], "{name}");
    }
    assert_eq!(evaluated(&sb, &copied, "HATS_TARGET"), "plain-role");
    assert!(sb.moto.take_actions().is_empty(), "the cached session was copied");
    quit(&mut term);
}

#[test]
fn d_asks_first_and_forgets_the_selected_session_from_the_keyring() {
    let sb = shell_sandbox();
    sb.hats(&["env", "plain-role"]).ok();
    let before = sb.secret_service_keys();
    assert_eq!(before.len(), 1, "{before:?}");
    sb.moto.take_actions();
    let mut term = switcher(&sb);
    term.keys("/plain-role\t");
    term.wait_highlighted("plain-role");
    term.keys("d");
    term.wait_for("Forget the cached session of plain-role? (y/n)");
    term.keys("n");
    wait_gone(&term, "Forget the cached session");
    assert_eq!(sb.secret_service_keys(), before, "n keeps it");
    term.keys("d");
    term.wait_for("Forget the cached session of plain-role? (y/n)");
    term.keys("y");
    term.wait_for("forgot the cached session of plain-role");
    quit(&mut term);
    assert_eq!(sb.secret_service_keys(), Vec::<String>::new());
    sb.hats(&["env", "plain-role"]).ok();
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"], "a new session");
}

#[test]
fn capital_r_refreshes_only_the_sessions_expiring_within_15_minutes() {
    let sb = shell_sandbox();
    sb.aws_config(&format!(
        "{AWS_CONFIG}\n[profile long-role]\nrole_arn = arn:aws:iam::222222222222:role/Long\nsource_profile = plain\n"
    ));
    let short = parse_exports(&sb.hats(&["env", "plain-role", "--duration", "15m"]).ok());
    let long = parse_exports(&sb.hats(&["env", "long-role"]).ok());
    sb.moto.take_actions();
    let mut term = switcher(&sb);
    term.keys("R");
    term.wait_for("refreshed plain-role");
    let calls = sb.moto.take_sts_calls();
    let roles: Vec<_> = calls
        .iter()
        .map(|c| c.param("RoleArn").unwrap_or_default())
        .collect();
    assert_eq!(roles, ["arn:aws:iam::222222222222:role/ReadOnly"], "{calls:?}");
    quit(&mut term);
    let renewed = parse_exports(&sb.hats(&["env", "plain-role"]).ok());
    assert_ne!(renewed["AWS_ACCESS_KEY_ID"], short["AWS_ACCESS_KEY_ID"]);
    let kept = parse_exports(&sb.hats(&["env", "long-role"]).ok());
    assert_eq!(kept["AWS_ACCESS_KEY_ID"], long["AWS_ACCESS_KEY_ID"]);
    assert!(sb.moto.take_actions().is_empty());
}

#[test]
fn question_mark_opens_the_help_and_any_other_key_closes_it() {
    let sb = shell_sandbox();
    let mut term = switcher(&sb);
    term.keys("?");
    term.wait_for("copy exports to the clipboard (OSC 52)");
    assert!(term.screen().contains("forget the selected cached session"));
    term.keys("x");
    wait_gone(&term, "copy exports to the clipboard (OSC 52)");
    assert!(term.screen().contains("targets (7)"), "{}", term.screen());
    assert!(sb.moto.take_actions().is_empty());
    quit(&mut term);
}

/// An SGR mouse report (`ESC [ < B ; X ; Y M|m`), 1-based column and row.
fn mouse(button: u8, col: u16, row: u16, press: bool) -> String {
    format!("\x1b[<{button};{col};{row}{}", if press { 'M' } else { 'm' })
}

#[test]
fn the_mouse_is_reported_wheel_scrolls_a_click_selects_and_a_double_click_opens_a_shell() {
    let sb = shell_sandbox();
    let mut term = switcher(&sb);
    // The terminal is asked to report the mouse (SGR), or it never sends a click.
    let asked = term.raw_text();
    assert!(
        asked.contains("\x1b[?1000h") && asked.contains("\x1b[?1006h"),
        "mouse reporting not enabled"
    );
    let first = term.highlighted();
    term.keys(&mouse(65, 10, 5, true));
    let started = std::time::Instant::now();
    while term.highlighted() == first {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the wheel moved nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let row = term.row_of("plain-role ") + 1;
    term.keys(&(mouse(0, 10, row, true) + &mouse(0, 10, row, false)));
    term.wait_highlighted("plain-role");
    term.keys(&(mouse(0, 10, row, true) + &mouse(0, 10, row, false)));
    term.wait_for("sub$ ");
    term.type_line("echo \"in=$HATS_TARGET\"");
    term.wait_for("in=plain-role");
    term.type_line("exit");
    term.wait_for("back from the shell for plain-role");
    assert_eq!(sb.moto.take_actions(), ["AssumeRole"]);
    quit(&mut term);
    assert!(
        term.raw_text().rfind("\x1b[?1000l") > term.raw_text().rfind("\x1b[?1000h"),
        "mouse reporting is switched off on the way out"
    );
}

#[test]
fn page_down_page_up_end_and_home_move_by_a_screen_and_to_the_ends() {
    let sb = shell_sandbox();
    let profiles: String = (10..50)
        .map(|n| {
            format!("\n[profile role-{n}]\nrole_arn = arn:aws:iam::222222222222:role/R{n}\nsource_profile = plain\n")
        })
        .collect();
    sb.aws_config(&format!("{AWS_CONFIG}{profiles}"));
    let mut term = switcher(&sb);
    term.keys("/role-\t");
    term.wait_highlighted("role-10");
    let page = |term: &Terminal| -> u32 {
        term.highlighted()
            .split_whitespace()
            .next()
            .and_then(|name| name.strip_prefix("role-"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}", term.screen()))
    };
    term.keys("\x1b[6~");
    let started = std::time::Instant::now();
    while page(&term) == 10 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "PgDn moved nothing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let down = page(&term);
    // One screen of rows: more than a line, less than the whole list.
    assert!((15..40).contains(&down), "PgDn went to role-{down}");
    term.keys("\x1b[5~");
    term.wait_highlighted("role-10");
    term.keys("\x1b[F");
    term.wait_highlighted("role-49");
    term.keys("\x1b[H");
    term.wait_highlighted("role-10");
    quit(&mut term);
}

#[test]
fn a_production_target_asks_for_its_account_name_before_anything_is_handed_out() {
    let sb = shell_sandbox();
    let mut term = switcher(&sb);
    term.keys("/data/Admin\t");
    term.wait_highlighted("data/Admin");
    term.keys("\r");
    term.wait_for("data/Admin is production.");
    term.wait_for("Type \"data\" (or yes) to continue:");
    term.keys("prod\r");
    term.wait_for("type \"data\" or \"yes\"");
    assert!(
        !term.screen().contains("MFA code"),
        "a wrong name hands nothing out"
    );
    term.keys("\x1b");
    wait_gone(&term, "is production.");
    assert!(sb.moto.take_actions().is_empty());
    // `c` is guarded too, and the right name lets the hand-out go on.
    term.keys("c");
    term.wait_for("data/Admin is production.");
    term.keys("data\r");
    term.wait_for("MFA code for arn:aws:iam::111111111111:mfa/alice");
    term.keys("123456\r");
    term.wait_for("copied exports for data/Admin to the clipboard (OSC 52)");
    let copied = term.clipboard().expect("an OSC 52 sequence");
    assert_eq!(evaluated(&sb, &copied, "HATS_TARGET"), "data/Admin");
    assert_eq!(sb.moto.take_actions(), ["GetSessionToken", "AssumeRole"]);
    quit(&mut term);
}

#[test]
fn no_color_draws_the_switcher_without_a_single_colour() {
    let mut sb = shell_sandbox();
    // Without NO_COLOR the production row and the key hints are coloured...
    let mut term = switcher(&sb);
    term.wait_for("data/Admin");
    assert!(term.any_colour(), "colours are drawn by default");
    quit(&mut term);
    // ...and with it, no cell has a colour; the highlight stays (reverse video).
    // crossterm drops colours under NO_COLOR by itself: a hats that ignored it
    // would lose only its highlight (a background colour), which the wait for
    // the highlighted row catches.
    sb.set_env("NO_COLOR", "1");
    let mut term = switcher(&sb);
    term.wait_for("data/Admin");
    assert!(
        !term.any_colour(),
        "the first frame has a colour: {}",
        term.screen()
    );
    term.keys("/data/Admin\t");
    term.wait_highlighted("data/Admin");
    assert!(!term.any_colour(), "{}", term.screen());
    quit(&mut term);
}
