//! Masterminds/semver v3 as Sprig's `semver`/`semverCompare` and Helm's
//! `kubeVersion` check use it: its loose version parser, its constraint
//! grammar (`||` groups of comma- or space-separated comparisons, hyphen
//! ranges, `x`/`*` wildcards, `~`, `^`) and its operators' exact rules —
//! a partial version is "dirty" (`>1` means 2.0.0 or later, not 1.2.3), and a
//! pre-release version satisfies a group only when some comparison of the
//! group names a pre-release (`>=1.20-0`), even `*`.

use std::cmp::Ordering;

/// A parsed version (metadata kept for printing, never compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
}

impl Version {
    /// Masterminds' `NewVersion`: `v` optional, minor and patch optional,
    /// leading zeros allowed in the core; a numeric pre-release segment may
    /// not start with 0.
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (rest, metadata) = match s.split_once('+') {
            Some((r, m)) => (r, m),
            None => (s, ""),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, p),
            None => (rest, ""),
        };
        let ident_ok = |x: &str| {
            x.split('.').all(|seg| {
                !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
        };
        if (!pre.is_empty() && !ident_ok(pre)) || (s.contains('+') && !ident_ok(metadata)) {
            return None;
        }
        if rest.contains('-') && pre.is_empty() {
            return None;
        }
        let bad_zero = |seg: &str| {
            seg.len() > 1 && seg.starts_with('0') && seg.bytes().all(|b| b.is_ascii_digit())
        };
        if pre.split('.').any(bad_zero) {
            return None;
        }
        let mut nums = core.split('.');
        let num = |x: Option<&str>| -> Option<Option<u64>> {
            match x {
                None => Some(None),
                Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                    t.parse().ok().map(Some)
                }
                Some(_) => None,
            }
        };
        let major = num(nums.next())??;
        let minor = num(nums.next())?.unwrap_or(0);
        let patch = num(nums.next())?.unwrap_or(0);
        if nums.next().is_some() {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre: pre.to_owned(),
            metadata: metadata.to_owned(),
        })
    }

    /// Masterminds' `Compare`: core numbers, then pre-release (none sorts
    /// after any).
    pub(crate) fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| compare_pre(&self.pre, &o.pre))
    }

    /// `String()`: the canonical form (`v` and missing parts filled in).
    pub(crate) fn canonical(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.metadata.is_empty() {
            s.push('+');
            s.push_str(&self.metadata);
        }
        s
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (x, y): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..x.len().max(y.len()) {
        let o = match (x.get(i), y.get(i)) {
            (Some(p), Some(q)) => match (p.parse::<u64>(), q.parse::<u64>()) {
                (Ok(m), Ok(n)) => m.cmp(&n),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                _ => p.cmp(q),
            },
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// One comparison of a constraint.
#[derive(Debug)]
struct Constraint {
    op: &'static str,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

const OPS: [&str; 12] = [
    "!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^", "",
];

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// One `op version` token (wildcards allowed in the core).
fn parse_constraint(tok: &str) -> Option<Constraint> {
    let op = OPS
        .iter()
        .find(|o| tok.starts_with(**o))
        .copied()
        .unwrap_or("");
    let ver = tok[op.len()..].trim_start();
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    // The core ends where the pre-release or metadata starts.
    let core_end = ver.find(['-', '+']).unwrap_or(ver.len());
    let (core, tail) = ver.split_at(core_end);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !(is_x(p) || p.bytes().all(|b| b.is_ascii_digit())))
    {
        return None;
    }
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let text = if is_x(parts[0]) {
        dirty = true;
        format!("0.0.0{tail}")
    } else if parts.len() < 2 || is_x(parts[1]) {
        dirty = true;
        minor_dirty = true;
        format!("{}.0.0{tail}", parts[0])
    } else if parts.len() < 3 || is_x(parts[2]) {
        dirty = true;
        patch_dirty = true;
        format!("{}.{}.0{tail}", parts[0], parts[1])
    } else {
        ver.to_owned()
    };
    Some(Constraint {
        op,
        con: Version::parse(&text)?,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// Splits an `&&` group into its comparisons: separated by commas or
/// spaces, an operator may stand apart from its version (`>= 1.2`).
fn tokens(group: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = group
        .split([',', ' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.chars().all(|c| "<>=!~^".contains(c)) {
            out.push(format!("{w}{}", words.get(i + 1)?));
            i += 2;
        } else {
            out.push(w.to_owned());
            i += 1;
        }
    }
    Some(out)
}

/// Masterminds' `rewriteRange`: `A - B` becomes `>= A, <= B`.
fn rewrite_ranges(group: &str) -> String {
    let words: Vec<&str> = group.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if i + 2 < words.len() && words[i + 1] == "-" {
            let plain = |w: &str| {
                w.starts_with(|c: char| c.is_ascii_digit() || c == 'v' || is_x(&c.to_string()))
            };
            if plain(words[i]) && plain(words[i + 2]) {
                out.push(format!(">= {}, <= {}", words[i], words[i + 2]));
                i += 3;
                continue;
            }
        }
        out.push(words[i].to_owned());
        i += 1;
    }
    out.join(" ")
}

/// Whether `version` satisfies `constraint` (Sprig's `semverCompare`).
pub(crate) fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let v =
        Version::parse(version).ok_or_else(|| format!("Invalid Semantic Version: {version}"))?;
    let bad = || format!("improper constraint: {constraint}");
    let mut groups = Vec::new();
    for raw in constraint.split("||") {
        // `validConstraintRegex`: a group holds at least one comparison,
        // and a comma stands only between two (`>=1,` and a blank group
        // are improper; the message names the group).
        if raw.split(',').any(|p| p.trim().is_empty()) {
            return Err(format!("improper constraint: {raw}"));
        }
        let group = rewrite_ranges(raw);
        let toks = tokens(&group).ok_or_else(bad)?;
        let cs: Vec<Constraint> = toks
            .iter()
            .map(|t| parse_constraint(t))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        groups.push(cs);
    }
    Ok(groups.iter().any(|cs| {
        let include_pre = cs.iter().any(|c| !c.con.pre.is_empty());
        cs.iter().all(|c| check(&v, c, include_pre))
    }))
}

fn check(v: &Version, c: &Constraint, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let ord = v.compare(&c.con);
    match c.op {
        "" | "=" => {
            if c.dirty {
                tilde(v, c)
            } else {
                ord == Ordering::Equal
            }
        }
        "!=" => not_equal(v, c, ord),
        ">" => {
            if !c.dirty {
                ord == Ordering::Greater
            } else if v.major != c.con.major {
                v.major > c.con.major
            } else if c.minor_dirty {
                false
            } else if c.patch_dirty {
                v.minor > c.con.minor
            } else {
                ord == Ordering::Greater
            }
        }
        "<" => ord == Ordering::Less,
        ">=" | "=>" => ord != Ordering::Less,
        "<=" | "=<" => {
            if !c.dirty {
                return ord != Ordering::Greater;
            }
            !(v.major > c.con.major
                || (v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty))
        }
        "~" | "~>" => tilde(v, c),
        "^" => caret(v, c),
        _ => false,
    }
}

fn not_equal(v: &Version, c: &Constraint, ord: Ordering) -> bool {
    if c.dirty {
        if c.con.major != v.major {
            return true;
        }
        if c.con.minor != v.minor && !c.minor_dirty {
            return true;
        } else if c.minor_dirty {
            return false;
        } else if c.con.patch != v.patch && !c.patch_dirty {
            return true;
        } else if c.patch_dirty {
            if !v.pre.is_empty() || !c.con.pre.is_empty() {
                return compare_pre(&v.pre, &c.con.pre) != Ordering::Equal;
            }
            return false;
        }
    }
    ord != Ordering::Equal
}

fn tilde(v: &Version, c: &Constraint) -> bool {
    if v.compare(&c.con) == Ordering::Less {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty
    {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

fn caret(v: &Version, c: &Constraint) -> bool {
    if v.compare(&c.con) == Ordering::Less {
        return false;
    }
    if c.con.major > 0 || c.minor_dirty {
        return v.major == c.con.major;
    }
    if v.major > 0 {
        return false;
    }
    if c.con.minor > 0 || c.patch_dirty {
        return v.minor == c.con.minor;
    }
    if v.minor > 0 {
        return false;
    }
    c.con.patch == v.patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_as_masterminds() {
        for (c, v, want) in [
            (">=1.21-0", "v1.35.0", true),
            ("<1.19-0", "v1.35.0", false),
            ("^1.16-0", "1.35.0", true),
            (">= 1.13.0 < 1.14.0", "1.13.5", true),
            ("~1.2", "1.2.9", true),
            ("~1.2", "1.3.0", false),
            ("1.2.x", "1.2.4", true),
            ("<2.0.0", "2.0.0-rc1", false),
            (">=1.4.0-0", "1.20.0-gke.1", true),
            ("=1.0.0 || >=2", "2.5.0", true),
            // A partial version is dirty: `>1` is 2.0.0 and up.
            (">1 <2", "1.2.3", false),
            (">1.2", "1.2.5", false),
            (">1.2", "1.3.0", true),
            ("<=1.31", "1.31.9", true),
            ("1 - 2", "1.2.3", true),
            ("1 - 2", "3.0.0", false),
            // A pre-release only matches where its group names one.
            ("*", "1.31.0-gke.100", false),
            (">=1.20-0 <1.40", "1.31.0-gke.100", true),
            ("^0.1.2", "0.1.9", true),
            ("^0.1.2", "0.2.0", false),
            ("!=1.2.3", "1.2.3", false),
        ] {
            assert_eq!(matches(c, v), Ok(want), "{c} {v}");
        }
        assert!(matches("bad", "1.2.3").is_err());
        assert!(matches(">=1", "bad").is_err());
    }

    #[test]
    fn versions_parse_loosely() {
        let v = Version::parse("v1.2.3-alpha.1+b").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.canonical(), "1.2.3-alpha.1+b");
        assert_eq!(Version::parse("01.2").unwrap().canonical(), "1.2.0");
        assert!(Version::parse("1.2.3.4").is_none());
        assert!(Version::parse("1.2.3-01").is_none());
    }
}
