//! Regexes compiled once, on first use.
//!
//! Facts and the chart profiles match many constant patterns; each lives in
//! a `static` cell beside the function that reads it, and this is the one
//! place that compiles it.

use std::sync::OnceLock;

use regex::Regex;

/// The regex kept in `cell`, compiled from `pattern` the first time it is
/// asked for. `None` when the pattern does not compile: the patterns are
/// constants, so their own tests show it, and a caller reads `None` as
/// "nothing matches" rather than failing an analysis.
pub fn cached(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_once_and_reads_an_invalid_pattern_as_none() {
        static GOOD: OnceLock<Option<Regex>> = OnceLock::new();
        static BAD: OnceLock<Option<Regex>> = OnceLock::new();
        let first = cached(&GOOD, "^a+$").expect("a valid pattern compiles");
        let second = cached(&GOOD, "ignored once compiled").expect("kept");
        assert!(std::ptr::eq(first, second));
        assert!(second.is_match("aaa"));
        assert!(cached(&BAD, "(").is_none());
    }
}
