//! Glob matching as Helm does it: Go's `filepath.Match` for `.helmignore`,
//! and gobwas/glob with `/` as separator (so `**` and `{a,b}`) for `.Files.Glob`.

/// Whether a `.helmignore` rule (already stripped of `!` and a trailing `/`)
/// matches a chart-relative path, with Helm's three rule shapes: `/rooted`,
/// `with/slash` (whole path) and `name` (base name only).
pub(crate) fn helmignore_matches(rule: &str, path: &str) -> bool {
    if let Some(rooted) = rule.strip_prefix('/') {
        matches(rooted, path, false)
    } else if rule.contains('/') {
        matches(rule, path, false)
    } else {
        let base = path.rsplit('/').next().unwrap_or(path);
        matches(rule, base, false)
    }
}

/// Whether a `.Files.Glob` pattern matches a chart-relative path.
pub(crate) fn files_glob_matches(pattern: &str, path: &str) -> bool {
    expand_braces(pattern, 0)
        .iter()
        .any(|p| matches(p, path, true))
}

/// `{a,b}` alternatives expanded (bounded, so a hostile pattern stays small).
fn expand_braces(pattern: &str, depth: usize) -> Vec<String> {
    if depth > 8 {
        return vec![pattern.to_owned()];
    }
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_owned()];
    };
    let mut level = 0;
    let mut close = None;
    for (i, c) in pattern[open..].char_indices() {
        match c {
            '{' => level += 1,
            '}' => {
                level -= 1;
                if level == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_owned()];
    };
    let inner = &pattern[open + 1..close];
    let mut parts = Vec::new();
    let mut level = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => level += 1,
            '}' => level -= 1,
            ',' if level == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut out = Vec::new();
    for part in parts {
        let candidate = format!("{}{}{}", &pattern[..open], part, &pattern[close + 1..]);
        out.extend(expand_braces(&candidate, depth + 1));
        if out.len() > 256 {
            break;
        }
    }
    out
}

/// Glob match: `*` any run without `/`, `**` (when `double_star`) any run (a `/` after it still
/// needs a `/`),
/// `?` one character other than `/`, `[...]` a class (`^`/`!` negates), `\`
/// escapes.
pub(crate) fn matches(pattern: &str, text: &str, double_star: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative with memo-less backtracking bounded by a step budget.
    let mut steps = 0usize;
    match_from(&p, &t, double_star, &mut steps)
}

fn match_from(p: &[char], t: &[char], ds: bool, steps: &mut usize) -> bool {
    *steps += 1;
    if *steps > 200_000 {
        return false;
    }
    let Some(&c) = p.first() else {
        return t.is_empty();
    };
    match c {
        '*' => {
            let double = ds && p.get(1) == Some(&'*');
            let rest = if double { &p[2..] } else { &p[1..] };
            // gobwas/glob: `**` is any run of characters, but a `/` after it
            // is a literal, so `**/` needs a folder (unlike bash globstar):
            // `files/**/*.conf` does not match `files/a.conf`.
            for i in 0..=t.len() {
                if match_from(rest, &t[i..], ds, steps) {
                    return true;
                }
                if i < t.len() && t[i] == '/' && !double {
                    return false;
                }
            }
            false
        }
        '?' => !t.is_empty() && t[0] != '/' && match_from(&p[1..], &t[1..], ds, steps),
        '[' => {
            let Some(&ch) = t.first() else { return false };
            let mut i = 1;
            let negate = matches!(p.get(1), Some('^' | '!'));
            if negate {
                i += 1;
            }
            let mut found = false;
            let mut first = true;
            while i < p.len() && (p[i] != ']' || first) {
                first = false;
                let mut lo = p[i];
                if lo == '\\' && i + 1 < p.len() {
                    i += 1;
                    lo = p[i];
                }
                let mut hi = lo;
                if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                    hi = p[i + 2];
                    i += 2;
                }
                if lo <= ch && ch <= hi {
                    found = true;
                }
                i += 1;
            }
            if i >= p.len() {
                return false; // unterminated class: no match, as Go's ErrBadPattern
            }
            found != negate && ch != '/' && match_from(&p[i + 1..], &t[1..], ds, steps)
        }
        '\\' if p.len() > 1 => {
            !t.is_empty() && t[0] == p[1] && match_from(&p[2..], &t[1..], ds, steps)
        }
        _ => !t.is_empty() && t[0] == c && match_from(&p[1..], &t[1..], ds, steps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("*.yaml", "a.yaml", false, true),
            ("*.yaml", "d/a.yaml", false, false),
            ("files/*", "files/a", true, true),
            ("files/**", "files/a/b", true, true),
            ("files/**.json", "files/a/b.json", true, true),
            ("**/*.json", "a.json", true, false),
            ("**/*.json", "d/a.json", true, true),
            ("files/**/*.conf", "files/top.conf", true, false),
            ("files/**/*.conf", "files/sub/deep.conf", true, true),
            ("**.conf", "root.conf", true, true),
            ("dash/{a,b}.json", "dash/b.json", true, true),
            ("[ab]?", "bz", false, true),
            ("[!ab]?", "bz", false, false),
        ];
        for (p, t, ds, want) in cases {
            let got = if ds {
                files_glob_matches(p, t)
            } else {
                matches(p, t, false)
            };
            assert_eq!(got, want, "{p} vs {t}");
        }
        assert!(helmignore_matches("*.tmp", "x/y.tmp"));
        assert!(helmignore_matches("/ci", "ci"));
        assert!(!helmignore_matches("/ci", "x/ci"));
        assert!(helmignore_matches("templates/.?*", "templates/.hidden"));
    }
}
