use super::*;

fn names(prefix: &str, targets: &[&str]) -> Vec<(String, String)> {
    entries(prefix, targets.iter().map(|t| (*t, None)))
        .into_iter()
        .map(|e| (e.target, e.name))
        .collect()
}

#[test]
fn names_are_the_prefix_and_the_target_with_slashes_as_dots() {
    assert_eq!(
        names("hats-", &["prod/Admin", "team-0001-sandbox/ReadOnly", "plain"]),
        [
            ("plain".into(), "hats-plain".into()),
            ("prod/Admin".into(), "hats-prod.Admin".into()),
            (
                "team-0001-sandbox/ReadOnly".into(),
                "hats-team-0001-sandbox.ReadOnly".into()
            ),
        ]
    );
    assert_eq!(names("aws.", &["a/b"]), [("a/b".into(), "aws.a.b".into())]);
}

#[test]
fn accented_letters_lose_their_accents_and_other_characters_become_dashes() {
    assert_eq!(
        names("hats-", &["My Team/Admin", "équipe:x"]),
        [
            ("My Team/Admin".into(), "hats-My-Team.Admin".into()),
            ("équipe:x".into(), "hats-equipe-x".into()),
        ]
    );
}

#[test]
fn two_targets_with_one_name_get_distinct_names_and_the_exact_one_keeps_it() {
    let got = names("hats-", &["a b/c", "a-b/c", "x/y", "x.y"]);
    let by_target: std::collections::HashMap<_, _> = got.iter().cloned().collect();
    assert_eq!(by_target["a-b/c"], "hats-a-b.c");
    assert!(by_target["a b/c"].starts_with("hats-a-b.c-"), "{got:?}");
    assert_eq!(by_target["a b/c"].len(), "hats-a-b.c-".len() + 8);
    // Both map exactly: the first by target name keeps the plain one.
    assert_eq!(by_target["x.y"], "hats-x.y");
    assert_ne!(by_target["x/y"], "hats-x.y");
    let unique: HashSet<_> = got.iter().map(|(_, n)| n).collect();
    assert_eq!(unique.len(), got.len());
}

#[test]
fn a_prefix_with_characters_a_name_cannot_hold_is_refused() {
    assert!(check_prefix("hats-").is_ok());
    assert!(check_prefix("").is_ok());
    let err = check_prefix("my prefix]").unwrap_err().to_string();
    assert!(err.contains("--prefix \"my prefix]\""), "{err}");
}

#[test]
fn the_block_names_hats_by_path_the_target_and_its_region_and_nothing_else() {
    let block = render(
        &[ProfileEntry {
            name: "hats-prod.Admin".into(),
            target: "prod/Admin".into(),
            region: Some("eu-west-1".into()),
        }],
        "/opt/my tools/hats",
    );
    assert_eq!(
        block,
        format!(
            "{BEGIN}\n\n[profile hats-prod.Admin]\ncredential_process = '/opt/my tools/hats' credential-process prod/Admin\n\
             region = eu-west-1\n\n{END}\n"
        )
    );
    let odd = render(
        &[ProfileEntry {
            name: "hats-it-s".into(),
            target: "it's $x".into(),
            region: None,
        }],
        "/bin/hats",
    );
    assert!(
        odd.contains(r"credential_process = /bin/hats credential-process 'it'\''s $x'"),
        "{odd}"
    );
    assert!(!odd.contains("region"), "{odd}");
}

#[test]
fn an_invalid_region_is_left_out() {
    let got = entries("hats-", [("t", Some("eu west"))].into_iter());
    assert_eq!(got[0].region, None);
}

const USER: &str = "# mine\n[default]\nregion = us-east-1 ; keep\n\n[profile prod]\nrole_arn = x\n";

#[test]
fn the_block_is_appended_after_a_blank_line_and_replaced_in_place() {
    let first = splice(split(USER).unwrap(), "B1\n");
    assert_eq!(first, format!("{USER}\nB1\n"));
    let block = format!("{BEGIN}\nold\n{END}\n");
    let text = format!("{USER}{block}# after\n[profile z]\n");
    let parts = split(&text).unwrap();
    assert_eq!(parts.block, Some(block.as_str()));
    assert_eq!(
        splice(parts, "NEW\n"),
        format!("{USER}NEW\n# after\n[profile z]\n")
    );
    // A file without a final newline gets one before the block, nothing else changes.
    assert_eq!(splice(split("[a]").unwrap(), "B\n"), "[a]\n\nB\n");
    assert_eq!(splice(split("").unwrap(), "B\n"), "B\n");
}

#[test]
fn half_or_doubled_markers_are_refused_with_their_line() {
    let open = format!("[a]\n{BEGIN}\n[profile hats-x]\n");
    assert_eq!(
        split(&open).unwrap_err(),
        markers(2, "hats' block begins here but never ends")
    );
    let close = format!("{END}\n");
    assert!(matches!(split(&close), Err(BlockError::Markers { line: 1, .. })));
    let twice = format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n");
    assert!(matches!(split(&twice), Err(BlockError::Markers { line: 3, .. })));
}

#[test]
fn hats_reads_the_file_without_its_block_and_with_the_same_line_numbers() {
    let text = format!("[a]\n{BEGIN}\n[profile hats-x]\nk = v\n{END}\n[b]\n");
    assert_eq!(without_block(&text), "[a]\n\n\n\n\n[b]\n");
    assert!(matches!(without_block(USER), Cow::Borrowed(_)));
}

#[test]
fn a_profile_outside_the_block_with_a_generated_name_is_named_with_its_line() {
    let text = format!("[profile keep]\n{BEGIN}\n[profile hats-a]\n{END}\n\n[profile  \"hats-a\" ]\n");
    let parts = split(&text).unwrap();
    let wanted: HashSet<&str> = ["hats-a"].into();
    assert_eq!(
        clash(parts, |n| wanted.contains(n)).unwrap_err(),
        BlockError::Clash {
            line: 6,
            name: "hats-a".into()
        }
    );
    let inside_only = format!("{BEGIN}\n[profile hats-a]\n{END}\n[profilehats-a]\n");
    assert!(clash(split(&inside_only).unwrap(), |n| wanted.contains(n)).is_ok());
    assert!(clash(split("[hats-a]\n").unwrap(), |n| wanted.contains(n)).is_err());
}

/// The line-by-line search `split` replaced, kept as the reference it must agree with.
fn split_by_lines(text: &str) -> Result<Option<(usize, usize)>, BlockError> {
    let mut begin: Option<(usize, usize)> = None;
    let mut found: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == BEGIN {
            if begin.is_some() || found.is_some() {
                return Err(markers(index + 1, "a second hats block begins here"));
            }
            begin = Some((offset, index + 1));
        } else if bare == END {
            let Some((start, _)) = begin.take() else {
                return Err(markers(index + 1, "the end of hats' block has no beginning"));
            };
            found = Some((start, offset + line.len()));
        }
        offset += line.len();
    }
    if let Some((_, line)) = begin {
        return Err(markers(line, "hats' block begins here but never ends"));
    }
    Ok(found)
}

#[test]
fn markers_are_found_only_as_whole_lines_exactly_as_a_line_by_line_reading_finds_them() {
    // Every sequence of up to four pieces: markers with and without their
    // newline, with carriage returns, inside other text, at the start and end.
    let pieces = [
        format!("{BEGIN}\n"),
        format!("{END}\n"),
        BEGIN.to_owned(),
        END.to_owned(),
        format!("{BEGIN}\r\r\n"),
        format!("{END}\r"),
        format!("x{BEGIN}\n"),
        format!("{END} x\n"),
        format!("{BEGIN}{END}\n"),
        "[profile a]\nk = v\n".to_owned(),
        "\n".to_owned(),
        "\r".to_owned(),
        "é".to_owned(),
    ];
    let mut texts = vec![String::new()];
    for _ in 0..4 {
        let longer: Vec<String> = texts
            .iter()
            .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
            .collect();
        texts.extend(longer);
    }
    texts.sort();
    texts.dedup();
    for text in &texts {
        let expected = split_by_lines(text);
        let got = split(text).map(|s| {
            s.block.map(|b| {
                let start = s.before.len();
                assert_eq!(&text[..start], s.before);
                assert_eq!(&text[start + b.len()..], s.after);
                (start, start + b.len())
            })
        });
        assert_eq!(got, expected, "{text:?}");
    }
}
