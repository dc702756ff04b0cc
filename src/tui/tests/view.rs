//! Snapshots of the whole screen with a fixed clock, at 80×24 and a wide size.

mod run;

use crate::tui::fixture::{app, long_app, now};
use crate::tui::state::{App, Guard, MfaModal, Overlay, Purpose, RegionPicker};
use crate::tui::view::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app, now(), Theme::new(false))).unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..height {
        for x in 0..width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn list_at_80_by_24() {
    insta::assert_snapshot!(render(&app(), 80, 24));
}

#[test]
fn list_and_detail_side_by_side_when_wide() {
    let mut app = app();
    app.selected = 0;
    insta::assert_snapshot!(render(&app, 140, 30));
}

/// Finding the zone's name reads the zone database: not before the first
/// frame of a switcher whose selected row has no session.
#[test]
fn the_local_time_zone_is_looked_up_only_to_show_an_expiry() {
    let mut app = app();
    app.tz = std::sync::OnceLock::new();
    app.selected = 2;
    assert_eq!(app.entries[2].expires, None, "data/Analyst has no session");
    render(&app, 140, 30);
    assert!(app.tz.get().is_none(), "looked up for a row without an expiry");
    app.selected = 0;
    render(&app, 140, 30);
    assert!(app.tz.get().is_some(), "not looked up for a row with an expiry");
}

#[test]
fn narrow_terminals_drop_columns() {
    insta::assert_snapshot!(render(&app(), 50, 12));
}

#[test]
fn filter_with_highlighted_matches() {
    let mut app = app();
    app.filtering = true;
    app.filter.text = "sbx".into();
    app.filter.apply(&app.entries);
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn mfa_modal_over_the_list() {
    let mut app = app();
    app.overlay = Overlay::Mfa(MfaModal {
        serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        target: "staging-dev".into(),
        input: "123".into(),
        ask: Some(1),
        retry: None,
        error: Some("AccessDenied: the code was wrong or already used".into()),
        waiting: false,
        generation: Some(1),
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn production_guard() {
    let mut app = app();
    app.overlay = Overlay::Guard(Guard {
        target: 0,
        purpose: Purpose::Shell,
        expected: "production".into(),
        input: "prod".into(),
        error: None,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn help_overlay() {
    let mut app = app();
    app.overlay = Overlay::Help(0);
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn countdowns_are_coloured_by_time_left() {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let app = app();
    terminal.draw(|f| draw(f, &app, now(), Theme::new(true))).unwrap();
    let plain = terminal.backend().buffer().clone();
    terminal
        .draw(|f| draw(f, &app, now(), Theme::new(false)))
        .unwrap();
    let coloured = terminal.backend().buffer();
    let find = |text: &str| {
        (0..24u16)
            .find_map(|y| {
                let row: String = (0..80u16)
                    .map(|x| coloured[(x, y)].symbol().to_string())
                    .collect();
                row.find(text)
                    .map(|x| (u16::try_from(row[..x].chars().count()).unwrap(), y))
            })
            .unwrap()
    };
    let (x, y) = find("04:30");
    assert_eq!(coloured[(x, y)].fg, ratatui::style::Color::Red, "under 5 minutes");
    let (x, y) = find("42:07");
    assert_eq!(
        coloured[(x, y)].fg,
        ratatui::style::Color::Green,
        "plenty of time left"
    );
    assert_eq!(
        plain[(x, y)].fg,
        ratatui::style::Color::Reset,
        "NO_COLOR draws no colours"
    );
    let (x, y) = find("prod-admin");
    assert_eq!(
        coloured[(x, y)].fg,
        ratatui::style::Color::LightRed,
        "production rows are drawn in the warning colour"
    );
}

#[test]
fn region_picker() {
    let mut app = app();
    app.overlay = Overlay::Region(RegionPicker {
        target: 1,
        query: String::new(),
        line: 2,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn region_picker_filtered_and_scrolled() {
    let mut app = app();
    app.overlay = Overlay::Region(RegionPicker {
        target: 1,
        query: "ap".into(),
        line: 14,
    });
    let screen = render(&app, 80, 24);
    assert!(screen.contains("/ap▏"), "{screen}");
    assert!(
        screen.contains("> ap-southeast-7"),
        "the highlighted line is in view:\n{screen}"
    );
    assert!(!screen.contains("us-east-1"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn served_rows_are_marked_with_their_commands_in_the_detail() {
    let mut app = app();
    let index = app.entries.iter().position(|e| e.name == "staging-dev").unwrap();
    app.entries[index].served = vec![crate::tui::state::ServedCommand {
        target: "staging-dev".into(),
        command: "terraform".into(),
        expires: now() + jiff::SignedDuration::from_secs(50 * 60),
    }];
    app.selected = app.filter.matches.iter().position(|m| m.index == index).unwrap();
    let screen = render(&app, 140, 30);
    assert!(screen.contains("staging-dev ⟳ served"), "{screen}");
    assert!(screen.contains("to terraform (renewing) 50:00"), "{screen}");
}

#[test]
fn favourites_are_marked_with_a_star_next_to_the_production_mark() {
    let mut app = app();
    app.entries[0].favourite = true;
    app.entries[3].favourite = true;
    let screen = render(&app, 80, 24);
    let line = |name: &str| screen.lines().find(|l| l.contains(name)).unwrap().to_owned();
    assert!(line("prod-admin").starts_with("!* prod-admin"), "{screen}");
    assert!(
        line("sandbox/ReadOnly").starts_with(" * sandbox/ReadOnly"),
        "{screen}"
    );
    assert!(line("staging-dev").starts_with("   staging-dev"), "{screen}");
}

/// Renders `app` and checks what must hold at every size: the MFA countdowns
/// are on the header line, the footer ends with the help and quit keys, and
/// every cut name or role ends in `…`.
fn render_checked(app: &App, width: u16, height: u16) -> String {
    let screen = render(app, width, height);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("11:42:07"),
        "countdown on the header:\n{screen}"
    );
    assert!(
        lines[0].contains("03:15:00"),
        "second device's countdown:\n{screen}"
    );
    let footer = lines[usize::from(height) - 1].trim_end();
    assert!(footer.ends_with("? help  q quit"), "footer whole:\n{screen}");
    screen
}

#[test]
fn long_names_at_80_by_24_keep_the_countdowns_and_cut_with_an_ellipsis() {
    let screen = render_checked(&long_app(), 80, 24);
    assert!(
        screen.lines().next().unwrap().contains("source: ali…  MFA"),
        "{screen}"
    );
    assert!(screen.contains("platform-engineering-sha…"), "{screen}");
    assert!(screen.contains("AdministratorAc…"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn long_names_at_60_by_15_keep_the_footer() {
    let screen = render_checked(&long_app(), 60, 15);
    insta::assert_snapshot!(screen);
}

#[test]
fn long_names_at_200_by_50_show_the_whole_header() {
    let screen = render_checked(&long_app(), 200, 50);
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("sso:engineering-portal  MFA"),
        "the whole source list:\n{screen}"
    );
    assert!(
        screen.contains("platform-en… [read-only] ⟳ served"),
        "the name is cut, its marks are kept:\n{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn help_on_a_short_terminal_scrolls_to_its_last_line() {
    let mut app = app();
    app.size = ratatui::layout::Rect::new(0, 0, 60, 15);
    app.overlay = Overlay::Help(0);
    let top = render(&app, 60, 15);
    assert!(top.contains("keys (↑↓ scroll)"), "{top}");
    assert!(top.contains("Enter       credentials"), "{top}");
    assert!(
        !top.contains("* favourite"),
        "the legend is below the fold:\n{top}"
    );
    for _ in 0..30 {
        crate::tui::update::update(
            &mut app,
            crate::tui::update::Msg::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down)),
            now(),
        );
    }
    let bottom = render(&app, 60, 15);
    assert!(bottom.contains("* favourite"), "scrolled to the end:\n{bottom}");
    assert!(bottom.contains("any other key: close help"), "{bottom}");
    insta::assert_snapshot!(bottom);
}

fn with_sso(mut app: App) -> App {
    use crate::tui::state::SsoSignIn;
    app.sso_signins = vec![
        SsoSignIn {
            session: "corp".into(),
            known: true,
            expires: Some(now() + jiff::SignedDuration::from_secs(7 * 3600 + 42 * 60 + 10)),
            renewable: true,
        },
        SsoSignIn {
            session: "lab".into(),
            known: true,
            expires: Some(now() - jiff::SignedDuration::from_secs(60)),
            renewable: false,
        },
    ];
    app
}

#[test]
fn header_shows_each_sso_sign_in_time_left_or_signed_out() {
    insta::assert_snapshot!(render(&with_sso(app()), 100, 24));
}

#[test]
fn header_sso_sign_ins_go_compact_when_narrow() {
    insta::assert_snapshot!(render(&with_sso(app()), 70, 12));
}

#[test]
fn sign_in_modal_with_a_device_code() {
    use crate::tui::state::SignInModal;
    let mut app = with_sso(app());
    app.overlay = Overlay::SignIn(SignInModal {
        session: "lab".into(),
        target: 1,
        purpose: Purpose::Shell,
        url: Some("https://device.sso.us-east-1.amazonaws.com/?user_code=WDKQ-ZBPL".into()),
        user_code: Some("WDKQ-ZBPL".into()),
        browser: false,
    });
    insta::assert_snapshot!(render(&app, 100, 24));
}

#[test]
fn sign_in_modal_while_the_browser_is_open() {
    use crate::tui::state::SignInModal;
    let mut app = with_sso(app());
    app.overlay = Overlay::SignIn(SignInModal {
        session: "lab".into(),
        target: 0,
        purpose: Purpose::Shell,
        url: Some(format!(
            "https://oidc.us-east-1.amazonaws.com/authorize?response_type=code&client_id={}&redirect_uri=http%3A%2F%2F127.0.0.1%3A41234%2Foauth%2Fcallback&state=abc",
            "c".repeat(120)
        )),
        user_code: None,
        browser: true,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn helper_command_panel_while_it_runs() {
    let mut app = app();
    app.helper = Some(crate::tui::state::HelperOutput {
        id: 1,
        label: "mfa_process \"ykman oath accounts code -s aws\" to print the code for \"arn:aws:iam::111111111111:mfa/alice\"".into(),
        lines: vec!["Touch your YubiKey...".into()],
        failed: false,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn helper_command_panel_after_it_failed() {
    let mut app = app();
    app.helper = Some(crate::tui::state::HelperOutput {
        id: 1,
        label: "[saml.corp] assertion_process \"corp-idp saml\"".into(),
        lines: vec!["corp-idp: session expired".into(), "run corp-idp login".into()],
        failed: true,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn header_sso_sign_ins_not_read_yet_or_renewing_on_use() {
    use crate::tui::state::SsoSignIn;
    let mut app = with_sso(app());
    app.sso_signins.push(SsoSignIn {
        session: "dev".into(),
        known: true,
        expires: Some(now() - jiff::SignedDuration::from_secs(5)),
        renewable: true,
    });
    app.sso_signins.push(SsoSignIn {
        session: "new".into(),
        known: false,
        expires: None,
        renewable: false,
    });
    let screen = render(&app, 160, 24);
    let header = screen.lines().next().unwrap();
    insta::assert_snapshot!(header.trim_end());
}

#[test]
fn every_size_down_to_one_cell_draws_and_keeps_the_help_key_from_six_columns() {
    let app = app();
    for width in 1..=40 {
        for height in 1..=8 {
            let screen = render(&app, width, height);
            let footer = screen.lines().last().unwrap_or_default();
            if width >= 6 {
                assert!(footer.contains("? help"), "{width}x{height}:\n{screen}");
            }
        }
    }
}

#[test]
fn a_status_message_wider_than_the_line_is_cut_and_m_shows_all_of_it() {
    use crate::tui::update::{Msg, update};
    let mut app = app();
    let text = format!(
        "cannot reach STS at \"https://sts.eu-west-1.amazonaws.com\" ({}); check the network, a proxy or AWS_ENDPOINT_URL, then try again",
        "connection refused ".repeat(4).trim_end()
    );
    update(
        &mut app,
        Msg::Notice {
            text: text.clone(),
            error: true,
        },
        now(),
    );
    let screen = render(&app, 80, 24);
    let status = screen.lines().nth(22).unwrap().trim_end();
    assert!(status.ends_with("… (m: all)"), "{screen}");
    assert_eq!(ratatui::text::Span::raw(status).width(), 80);
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyCode::Char('m').into()),
        now(),
    );
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("then try again"),
        "the end of the message:\n{screen}"
    );
    assert!(screen.contains("Enter or Esc closes"), "{screen}");
}

#[test]
fn under_hats_use_the_hints_and_help_say_enter_uses_the_target_here() {
    let mut app = app();
    app.use_mode = true;
    let screen = render(&app, 100, 24);
    assert!(
        screen.lines().last().unwrap().starts_with("Enter use here"),
        "{screen}"
    );
    app.overlay = Overlay::Help(0);
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("use the target in this shell (hats use)"),
        "{screen}"
    );
    assert!(!screen.contains("credentials + subshell"), "{screen}");
}

#[test]
fn the_mfa_modal_shows_all_of_a_refusal_leading_with_the_code() {
    let mut app = app();
    app.overlay = Overlay::Mfa(MfaModal {
        serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        target: "staging-dev".into(),
        input: String::new(),
        ask: None,
        retry: Some((1, Purpose::Shell)),
        error: Some(
            "the code was wrong or already used (each code works once: wait for the next one), or access was denied: \
             AccessDenied from STS for GetSessionToken: the role's trust policy may not allow your identity, your \
             identity may lack sts:AssumeRole, or the MFA code was wrong or already used (MultiFactorAuthentication failed)"
                .into(),
        ),
        waiting: false,
        generation: Some(1),
    });
    let screen = render(&app, 80, 24);
    let first = screen.find("the code was wrong").expect("the lead is shown");
    assert!(first < screen.find("AccessDenied").unwrap(), "{screen}");
    assert!(screen.contains("failed)"), "the whole error fits:\n{screen}");
}
