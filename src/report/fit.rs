//! Fitting a table to the terminal's width: long cells are cut in the
//! middle (`…`), so both ends of a path stay readable, and when cutting is
//! not enough the least useful columns are left out, in an order each table
//! chooses. A table with no width to fit is left whole (files and pipes get
//! every column, deterministically).

use unicode_width::UnicodeWidthStr;

/// How one column may give way.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The narrowest the column may be cut to (`None`: never cut).
    pub min: Option<usize>,
    /// When columns must go, lower ranks go first (`None`: never left out).
    pub drop_rank: Option<u8>,
    /// Among cut columns, lower ranks are cut first.
    pub cut_rank: u8,
}

impl Column {
    /// A column kept whole.
    pub const FIXED: Column = Column {
        min: None,
        drop_rank: None,
        cut_rank: 0,
    };

    /// A column that can be cut down to `min`, `rank` deciding which is cut first.
    pub const fn cut(min: usize, rank: u8) -> Column {
        Column {
            min: Some(min),
            drop_rank: None,
            cut_rank: rank,
        }
    }

    /// The same column, also left out when needed (lower `rank` first).
    pub const fn or_drop(mut self, rank: u8) -> Column {
        self.drop_rank = Some(rank);
        self
    }
}

/// A table made to fit: the columns kept (indices into the original), and
/// every cell already cut to its column's width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    /// Indices of the kept columns, in their original order.
    pub kept: Vec<usize>,
    /// The header of the kept columns.
    pub header: Vec<String>,
    /// The rows, with only the kept columns.
    pub rows: Vec<Vec<String>>,
}

impl Fitted {
    /// Names of the columns left out, in their original order.
    pub fn left_out<'a>(&self, header: &'a [String]) -> Vec<&'a str> {
        (0..header.len())
            .filter(|i| !self.kept.contains(i))
            .map(|i| header[i].as_str())
            .collect()
    }
}

/// The width a table of columns this wide takes with comfy-table's
/// `UTF8_FULL_CONDENSED` style: a border each side, a separator between
/// columns, one space of padding on each side of every cell.
pub fn table_width(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + 3 * widths.len() + 1
}

/// The displayed width of a cell: its widest line.
pub fn text_width(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// `text` cut in the middle to at most `width` columns, with `…` where the
/// middle was.
pub fn cut_middle(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let keep = width - 1; // the ellipsis takes one column
    let (head_w, tail_w) = (keep - keep / 2, keep / 2);
    let mut head = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > head_w {
            break;
        }
        used += w;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > tail_w {
            break;
        }
        used += w;
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// `text` broken at spaces into lines of at most `width` columns (a word
/// longer than a line is cut in the middle).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let word = cut_middle(word, width);
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    lines
}

/// The folder every path of `paths` lies below (whole `/`-separated
/// components, ending in `/`), when they share one and there are two or
/// more: the table shows the paths without it.
pub fn common_folder<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut paths = paths.into_iter();
    let first = paths.next()?;
    // Only folders: a lone path's last component is the target itself.
    let mut common: Vec<&str> = first.split('/').collect();
    common.pop();
    let mut count = 1;
    for p in paths {
        count += 1;
        let parts: Vec<&str> = p.split('/').collect();
        let shared = common
            .iter()
            .zip(&parts[..parts.len().saturating_sub(1)])
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(shared);
    }
    (count > 1 && !common.is_empty()).then(|| common.join("/") + "/")
}

/// Fits `header` and `rows` (one cell per column of `columns`) into `width`
/// columns of terminal: cuts what may be cut, down to each minimum (the
/// lowest cut rank first), then leaves out columns by drop rank until the
/// rest fits, giving any room left back to the cut columns. Whatever cannot
/// go is kept, so a very narrow terminal may still wrap.
pub fn fit(header: &[String], rows: &[Vec<String>], columns: &[Column], width: usize) -> Fitted {
    let n = columns.len();
    let natural: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| text_width(s)))
                .chain(std::iter::once(text_width(&header[c])))
                .max()
                .unwrap_or(0)
        })
        .collect();
    // The narrowest each column can be: its minimum, never below its
    // header (a header is not cut) nor above its natural width.
    let least: Vec<usize> = (0..n)
        .map(|c| match columns[c].min {
            Some(min) => min.max(text_width(&header[c])).min(natural[c]),
            None => natural[c],
        })
        .collect();
    let mut kept: Vec<usize> = (0..n).collect();
    let mut drops: Vec<usize> = (0..n).filter(|c| columns[*c].drop_rank.is_some()).collect();
    drops.sort_by_key(|c| (columns[*c].drop_rank, *c));
    let mut drops = drops.into_iter();
    let least_width =
        |kept: &[usize]| table_width(&kept.iter().map(|c| least[*c]).collect::<Vec<_>>());
    while least_width(&kept) > width {
        match drops.next() {
            Some(c) => kept.retain(|k| *k != c),
            None => break,
        }
    }
    // Start every kept column at its least width, then give the room left
    // to the cut columns in cut order, each up to its natural width.
    let mut widths: Vec<usize> = kept.iter().map(|c| least[*c]).collect();
    let mut room = width.saturating_sub(table_width(&widths));
    let mut order: Vec<usize> = (0..kept.len()).collect();
    // The column cut first is the last to get its room back.
    order.sort_by_key(|i| std::cmp::Reverse((columns[kept[*i]].cut_rank, kept[*i])));
    for i in order {
        let grow = (natural[kept[i]] - widths[i]).min(room);
        widths[i] += grow;
        room -= grow;
    }
    let cut = |cells: &[String]| -> Vec<String> {
        kept.iter()
            .zip(&widths)
            .map(|(c, w)| cut_middle(cells.get(*c).map_or("", String::as_str), *w))
            .collect()
    };
    Fitted {
        header: cut(header),
        rows: rows.iter().map(|r| cut(r)).collect(),
        kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cuts_in_the_middle_keeping_both_ends() {
        assert_eq!(cut_middle("bundles/etcd/0.9.4", 10), "bundl….9.4");
        assert_eq!(cut_middle("short", 10), "short");
        assert_eq!(cut_middle("abcdef", 1), "…");
        assert_eq!(text_width(&cut_middle("ääääääääää", 5)), 5);
    }

    #[test]
    fn wraps_at_spaces_and_finds_the_common_folder() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert!(
            wrap("one-very-long-word and", 8)
                .iter()
                .all(|l| l.width() <= 8)
        );
        assert_eq!(
            common_folder(["../c/bundles/a-1", "../c/bundles/b/2", "../c/bundles/a-2"]),
            Some("../c/bundles/".into())
        );
        assert_eq!(common_folder(["a/x", "b/y"]), None);
        assert_eq!(common_folder(["a/x"]), None);
        // Components, not characters: `a/bc` and `a/bd` share `a/` only.
        assert_eq!(common_folder(["a/bc/1", "a/bd/2"]), Some("a/".into()));
    }

    #[test]
    fn cuts_first_then_drops_by_rank() {
        let header = strings(&["path", "name", "a", "b"]);
        let rows = vec![strings(&[
            "some/very/long/path/to/a/bundle",
            "package",
            "aaaa",
            "bbbb",
        ])];
        let columns = [
            Column::cut(6, 0),
            Column::FIXED,
            Column::FIXED.or_drop(1),
            Column::FIXED.or_drop(0),
        ];
        let whole = fit(&header, &rows, &columns, 200);
        assert_eq!(whole.kept, vec![0, 1, 2, 3]);
        assert_eq!(whole.rows[0][0], rows[0][0]);
        // Room for all four with the path cut.
        let cut = fit(&header, &rows, &columns, 40);
        assert_eq!(cut.kept, vec![0, 1, 2, 3]);
        assert_eq!(table_width(&[text_width(&cut.rows[0][0]), 7, 4, 4]), 40);
        assert!(cut.rows[0][0].contains('…'));
        // Too narrow: `b` goes first, then `a`.
        let narrow = fit(&header, &rows, &columns, 28);
        assert_eq!(narrow.kept, vec![0, 1, 2]);
        assert_eq!(narrow.left_out(&header), vec!["b"]);
        let tiny = fit(&header, &rows, &columns, 10);
        assert_eq!(tiny.kept, vec![0, 1]);
    }
}
