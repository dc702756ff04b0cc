use super::*;

fn args(line: &str) -> Vec<OsString> {
    line.split_whitespace().map(OsString::from).collect()
}

#[test]
fn every_command_guessed_a_hand_out_before_parsing_opens_the_keyring_once_parsed() {
    for line in [
        "hats env dev",
        "hats -v exec dev -- true",
        "hats credential-process dev",
        "hats shell dev",
        "hats login dev",
        "hats serve dev",
        // A new session, but a cached MFA session below it is still used.
        "hats env dev --no-cache",
        "hats exec --no-cache dev -- true",
    ] {
        assert!(Cli::names_a_hand_out(&args(line)), "{line}");
        let parsed = Cli::try_parse_from(args(line)).unwrap();
        assert!(parsed.command.unwrap().opens_keyring(), "{line}");
    }
}

#[test]
fn commands_that_never_read_the_cache_are_not_guessed_hand_outs() {
    for line in [
        "hats",
        "hats ls",
        "hats prompt",
        "hats env --help",
        "hats exec -h",
        "hats forget dev",
    ] {
        assert!(!Cli::names_a_hand_out(&args(line)), "{line}");
    }
}
