//! Plain-text tables for the terminal: columns padded to their widest cell, the first
//! (a name) aligned left and the others (numbers) right.

/// `rows[0]` is the header; every row has the same number of cells.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |cell| cell.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_names_left_and_numbers_right() {
        let rows = vec![
            vec!["variant".to_string(), "p50 ms".to_string()],
            vec!["sync".to_string(), "88.7".to_string()],
        ];
        assert_eq!(render(&rows), "variant  p50 ms\nsync       88.7\n");
    }
}
