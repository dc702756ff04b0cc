//! Plain text tables for the terminal: a header and rows, each column as wide
//! as its widest cell, two spaces between columns, no trailing spaces. Pure.

use std::fmt::Write as _;

/// `header` and `rows` as aligned lines, each ending in a newline.
pub fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header.map(str::to_owned)).chain(rows.iter().cloned()) {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_as_wide_as_their_widest_cell() {
        let rows = [
            ["a".to_owned(), "wide cell".to_owned()],
            ["ünï".to_owned(), "x".to_owned()],
        ];
        assert_eq!(
            super::aligned(["H1", "H2"], &rows),
            "H1   H2\na    wide cell\nünï  x\n"
        );
    }
}
