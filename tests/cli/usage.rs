//! What hats says when a command cannot do what was asked: the message names what
//! is missing and how to get it (issue 14's "messages that mislead").

use crate::harness::Sandbox;

#[test]
fn org_sync_without_an_organization_says_none_is_configured_and_shows_how() {
    let sb = Sandbox::standard(false);
    let err = sb.hats(&["org", "sync"]).fails();
    assert!(
        err.starts_with(
            "hats: no organization is configured; add an [organization] section to hats config \""
        ),
        "{err}"
    );
    assert!(err.contains(".config/hats/config.toml"), "{err}");
    assert!(
        err.contains("\n  [organization]\n  source = \"mgmt\""),
        "a snippet to copy: {err}"
    );
    assert!(!err.contains("sync failed"), "nothing was tried: {err}");
    assert!(sb.moto.take_actions().is_empty(), "no call was made");
}

#[test]
fn history_with_a_window_says_nothing_is_in_it_rather_than_nothing_recorded() {
    let sb = Sandbox::standard(false);
    sb.write(
        ".local/share/hats/history.jsonl",
        "{\"time\":\"2020-01-01T00:00:00Z\",\"target\":\"prod\",\"expires\":\"2020-01-01T01:00:00Z\",\"how\":\"env\"}\n",
    );
    let all = sb.hats(&["history"]).ok();
    assert!(all.contains("prod"), "{all}");
    let recent = sb.hats(&["history", "--since", "1s"]).ok();
    assert!(
        recent.contains("(no hand-outs in the last 1s; 1 older recorded: drop --since to see them)"),
        "{recent}"
    );
    assert!(!recent.contains("recorded yet"), "{recent}");

    let empty = Sandbox::standard(false);
    let none = empty.hats(&["history", "--since", "1s"]).ok();
    assert!(none.contains("(no hand-outs recorded yet)"), "{none}");
}
