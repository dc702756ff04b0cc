//! `hats ls` as a table: its columns and what may appear in a cell.

use crate::harness::Sandbox;

/// The table's cells, split where two or more spaces separate columns.
fn table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.starts_with('('))
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

fn row<'t>(rows: &'t [Vec<String>], name: &str) -> &'t [String] {
    rows.iter()
        .find(|r| r[0] == name)
        .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))
}

#[test]
fn ls_shows_the_account_name_next_to_the_account_id() {
    let sb = Sandbox::standard(false);
    let rows = table(&sb.hats(&["ls"]).ok());
    assert_eq!(
        rows[0],
        [
            "TARGET",
            "ACCOUNT",
            "ACCOUNT NAME",
            "ROLE",
            "SOURCE",
            "MFA",
            "MODE",
            "SESSION"
        ]
    );
    assert_eq!(
        row(&rows, "data/Analyst")[..4],
        ["data/Analyst", "555555555555", "data", "Analyst"]
    );
    assert_eq!(row(&rows, "prod")[..4], ["prod", "222222222222", "-", "Admin"]);
}
