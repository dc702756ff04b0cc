//! What rows and the header say stays true: the index read again replaces
//! every row's countdown (not one in refresh), a hand-out that finds a sign-in
//! gone marks it signed out, a forget finds its row by name, a refused code
//! leads the MFA prompt, and skipped configuration is announced.

use super::{key, resolved};
use crate::tui::fixture::{app, now};
use crate::tui::state::{Overlay, Purpose, SsoSignIn};
use crate::tui::update::{Effect, Failure, Msg, Sessions, skipped, update};
use crossterm::event::KeyCode;
use jiff::SignedDuration;

#[test]
fn the_index_read_again_is_what_every_row_counts_down() {
    let mut app = app();
    assert!(app.entries[0].expires.is_some() && app.entries[1].expires.is_some());
    // Row 1 is being refreshed: its request reports its own result.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('r'));
    let later = now() + SignedDuration::from_secs(3000);
    let read = Sessions {
        rows: vec![(
            3,
            later,
            Some("arn:aws:sts::555555555555:assumed-role/ReadOnly/x".into()),
        )],
        mfa_sessions: vec![("arn:aws:iam::111111111111:mfa/alice".into(), None)],
    };
    update(&mut app, Msg::Sessions(read), now());
    assert_eq!(app.entries[0].expires, None, "forgotten elsewhere: no countdown");
    assert_eq!(app.entries[0].assumed_arn, None);
    assert!(
        app.entries[1].expires.is_some(),
        "the row in refresh is left alone"
    );
    assert_eq!(app.entries[3].expires, Some(later), "made elsewhere: counts down");
    assert_eq!(app.mfa_sessions[0].1, None);
}

#[test]
fn without_a_cache_the_index_is_not_shown() {
    let mut app = app();
    app.caching = false;
    update(&mut app, Msg::Sessions(Sessions::default()), now());
    assert!(app.entries[0].expires.is_some(), "untouched");
}

#[test]
fn a_hand_out_that_finds_the_sign_in_gone_marks_it_signed_out_in_the_header() {
    let mut app = app();
    app.sso_signins = vec![SsoSignIn {
        session: "corp".into(),
        known: true,
        expires: Some(now() + SignedDuration::from_secs(8 * 3600)),
        renewable: true,
    }];
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Resolve { generation, .. }) = effects.last() else {
        panic!("{effects:?}")
    };
    let needed = Msg::SignInNeeded {
        generation: *generation,
        target: 1,
        purpose: Purpose::Shell,
        session: "corp".into(),
    };
    update(&mut app, needed, now());
    let corp = &app.sso_signins[0];
    assert_eq!((corp.expires, corp.renewable), (None, false));
    // Also when the request was cancelled meanwhile: the header is about the sign-in.
    app.sso_signins[0].expires = Some(now() + SignedDuration::from_secs(60));
    let stale = Msg::SignInNeeded {
        generation: 999,
        target: 1,
        purpose: Purpose::Shell,
        session: "corp".into(),
    };
    assert!(update(&mut app, stale, now()).is_empty());
    assert_eq!(app.sso_signins[0].expires, None);
}

#[test]
fn a_forget_clears_its_target_row_found_by_name() {
    let mut app = app();
    // A sync moved prod-admin from row 0 (where the forget started) to row 1.
    app.entries.swap(0, 1);
    let forgotten = Msg::Forgotten {
        target: 0,
        name: "prod-admin".into(),
        outcome: Ok(()),
    };
    update(&mut app, forgotten, now());
    assert_eq!(app.entries[1].name, "prod-admin");
    assert_eq!(app.entries[1].expires, None);
    assert!(app.entries[0].expires.is_some(), "staging-dev keeps its session");
}

#[test]
fn a_code_refused_by_sts_leads_the_mfa_prompt_with_the_code() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Resolve { generation, .. }) = effects.last().cloned() else {
        panic!()
    };
    let asked = Msg::MfaAsked {
        id: 1,
        serial: "alice".into(),
        generation: Some(generation),
    };
    update(&mut app, asked, now());
    super::typed(&mut app, "000000");
    key(&mut app, KeyCode::Enter);
    let Msg::Resolved {
        target,
        purpose,
        preset,
        mfa_sessions,
        ..
    } = resolved(generation, 1, Purpose::Shell, false)
    else {
        unreachable!()
    };
    let refused = Msg::Resolved {
        generation,
        target,
        purpose,
        outcome: Err(Failure {
            text: "AccessDenied from STS for AssumeRole".into(),
            denied: true,
        }),
        preset,
        mfa_sessions,
    };
    update(&mut app, refused, now());
    let Overlay::Mfa(modal) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let error = modal.error.as_deref().unwrap();
    assert!(error.starts_with("the code was wrong or already used"), "{error}");
    assert!(error.ends_with("AccessDenied from STS for AssumeRole"), "{error}");
}

#[test]
fn skipped_configuration_is_announced_with_every_reason() {
    let mut app = app();
    skipped::<String>(&mut app, &[]);
    assert_eq!(app.status, None);
    let broken = [
        (
            "semi;x".to_owned(),
            "a profile name with `;` cannot be read".to_owned(),
        ),
        ("other".to_owned(), "source_profile loops".to_owned()),
    ];
    skipped(&mut app, &broken);
    assert_eq!(app.skipped, 2);
    let status = app.status.clone().unwrap();
    assert!(status.error);
    assert!(
        status.text.starts_with("2 entries of the configuration skipped"),
        "{}",
        status.text
    );
    assert!(
        status.text.contains("\"semi;x\": a profile name")
            && status.text.contains("\"other\": source_profile loops")
    );
}
