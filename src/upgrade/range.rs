//! OLM's version ranges (`olm.skipRange`), as `blang/semver`'s `ParseRange`
//! reads them: alternatives split by `||`, each a space-separated list of
//! comparisons that must all hold (`>=4.1.0 <4.2.0`). Operators: `>`, `>=`,
//! `<`, `<=`, `=`, `==`, `!=`, `!`, none (equal). Versions are full
//! `MAJOR.MINOR.PATCH` with optional pre-release, as blang requires; build
//! metadata does not take part in comparisons.

use semver::Version;
use std::cmp::Ordering;

/// A parsed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Alternatives; each is a conjunction of comparisons.
    any: Vec<Vec<(Op, Version)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Range {
    /// Parses `text`; the error says which part is wrong.
    pub fn parse(text: &str) -> Result<Range, String> {
        let mut any = Vec::new();
        for alternative in text.split("||") {
            let mut all = Vec::new();
            let mut parts = alternative.split_whitespace().peekable();
            while let Some(part) = parts.next() {
                // blang accepts an operator separated from its version.
                let part = if matches!(part, ">" | ">=" | "<" | "<=" | "=" | "==" | "!=" | "!") {
                    let version = parts
                        .next()
                        .ok_or_else(|| format!("`{part}` is not followed by a version"))?;
                    format!("{part}{version}")
                } else {
                    part.to_string()
                };
                let (op, rest) = [
                    (">=", Op::Ge),
                    ("<=", Op::Le),
                    ("!=", Op::Ne),
                    ("==", Op::Eq),
                    (">", Op::Gt),
                    ("<", Op::Lt),
                    ("=", Op::Eq),
                    ("!", Op::Ne),
                ]
                .iter()
                .find_map(|(p, op)| part.strip_prefix(p).map(|rest| (*op, rest)))
                .unwrap_or((Op::Eq, part.as_str()));
                let version = Version::parse(rest)
                    .map_err(|e| format!("`{rest}` is not a semantic version ({e})"))?;
                all.push((op, version));
            }
            if all.is_empty() {
                return Err(format!("`{text}` has an empty alternative"));
            }
            any.push(all);
        }
        Ok(Range { any })
    }

    /// Whether `v` is in the range.
    pub fn contains(&self, v: &Version) -> bool {
        self.any.iter().any(|all| {
            all.iter().all(|(op, bound)| {
                let o = v.cmp_precedence(bound);
                match op {
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Gt => o == Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                }
            })
        })
    }

    /// The highest version the range names as an upper bound that it
    /// includes or approaches (`<1.3.0` → 1.3.0), for checking what a
    /// range claims to cover; `None` when some alternative is unbounded.
    pub fn upper(&self) -> Option<&Version> {
        let mut best: Option<&Version> = None;
        for all in &self.any {
            let top = all
                .iter()
                .filter(|(op, _)| matches!(op, Op::Lt | Op::Le | Op::Eq))
                .map(|(_, v)| v)
                .min_by(|a, b| a.cmp_precedence(b))?;
            if best.is_none_or(|b| top.cmp_precedence(b) == Ordering::Greater) {
                best = Some(top);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn ranges_read_as_olm_reads_them() {
        let r = Range::parse(">=4.1.0 <4.2.0").unwrap();
        assert!(r.contains(&v("4.1.0")) && r.contains(&v("4.1.9")));
        assert!(!r.contains(&v("4.2.0")) && !r.contains(&v("4.0.9")));
        assert!(!r.contains(&v("4.2.0-rc.1")) || v("4.2.0-rc.1") < v("4.2.0"));
        let r = Range::parse("< 1.0.0 || >=2.0.0 !2.1.0").unwrap();
        assert!(r.contains(&v("0.9.0")) && r.contains(&v("2.2.0")));
        assert!(!r.contains(&v("2.1.0")) && !r.contains(&v("1.5.0")));
        assert_eq!(
            Range::parse(">=1.0.0 <1.3.0").unwrap().upper(),
            Some(&v("1.3.0"))
        );
        assert_eq!(Range::parse(">=1.0.0").unwrap().upper(), None);
        assert!(Range::parse(">=1.0 <2.0.0").is_err());
        assert!(Range::parse("").is_err());
        assert!(Range::parse(">= ").is_err());
    }
}
