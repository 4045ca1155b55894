//! Go's `regexp` syntax (RE2, Perl flags) on the regex crate, as Sprig's
//! `regex*` functions see it.
//!
//! The two engines agree on matching (leftmost-first, the same `(?flags)`,
//! `\p{..}`, POSIX classes) but not on the syntax: Go's `\w \d \s \b` are
//! ASCII-only, `\Q…\E` quotes, a `{` that does not start a repeat count
//! (`a{,2}`, `x{ 2 }`) is a literal, and inside a class `&&`, `~~` and `[`
//! are plain characters; Go rejects what the regex crate extends (`(?x)`,
//! backreference-looking `\1`, stacked repeats `a**`) with its own words.
//! [`compile`] walks the pattern as Go's parser does, reports Go's error
//! (`error parsing regexp: CODE: `FRAGMENT``) and otherwise hands the regex
//! crate an equivalent pattern.

/// Go's `\d`, `\s`, `\w` (ASCII) as class items, and their negations.
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    Some(match c {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        's' => ("\\t\\n\\x0C\\r ", false),
        'S' => ("\\t\\n\\x0C\\r ", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        _ => return None,
    })
}

fn go_err(code: &str, frag: &str) -> String {
    format!("error parsing regexp: {code}: `{frag}`")
}

/// A character as a regex-crate literal (escaped where it is special in
/// or out of a class).
fn lit(c: char, out: &mut String) {
    if c.is_ascii_punctuation() && "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii_punctuation() || c.is_alphanumeric() || c == ' ' {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// Go's `regexp.Compile`, on the regex crate. The error is Go's
/// (`error parsing regexp: missing closing ): `a(``).
pub(crate) fn compile(pattern: &str) -> Result<GoRegexp, String> {
    let (translated, names) = translate(pattern)?;
    let re = regex::RegexBuilder::new(&translated)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => go_err("expression too large", pattern),
            other => {
                let text = other.to_string();
                let last = text.lines().rev().find(|l| !l.trim().is_empty());
                format!(
                    "error parsing regexp: {}",
                    last.map_or("", |l| l.trim().trim_start_matches("error: "))
                )
            }
        })?;
    Ok(GoRegexp { re, names })
}

/// A compiled Go regexp: the regex crate's engine, and the group names as
/// Go's `SubexpNames` has them. Go takes names the regex crate refuses
/// (`(?P<1a>x)`, one name twice), so the groups are handed to it unnamed
/// and the names are kept here, for [`GoRegexp::expand`].
#[derive(Debug)]
pub(crate) struct GoRegexp {
    /// The engine.
    pub(crate) re: regex::Regex,
    /// Group `i`'s name (`""` when unnamed; index 0 the whole match).
    names: Vec<String>,
}

impl GoRegexp {
    /// Go's `Regexp.Expand`: `template` with `$name`/`${name}` replaced by
    /// the group's text (a name all digits without a leading zero is a
    /// number; otherwise the leftmost group of that name; unknown: empty),
    /// `$$` a `$`, and a `$` that starts no name kept as it is. A name is
    /// the longest run of Unicode letters, digits and `_`.
    pub(crate) fn expand(&self, caps: &regex::Captures<'_>, template: &str, dst: &mut String) {
        let mut rest = template;
        while let Some(at) = rest.find('$') {
            dst.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            if let Some(after) = rest.strip_prefix('$') {
                dst.push('$');
                rest = after;
                continue;
            }
            let Some((name, after)) = expand_name(rest) else {
                dst.push('$');
                continue;
            };
            rest = after;
            let group = match go_group_number(name) {
                Some(n) => Some(n),
                None => self.names.iter().position(|n| n == name),
            };
            if let Some(m) = group.and_then(|g| caps.get(g)) {
                dst.push_str(m.as_str());
            }
        }
        dst.push_str(rest);
    }
}

/// Go's `extract`: the name after a `$` (braced or not) and what follows.
fn expand_name(s: &str) -> Option<(&str, &str)> {
    use std::sync::OnceLock;
    // `unicode.IsLetter`, `unicode.IsDigit` or `_`.
    static NAME: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let (braced, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let len = NAME
        .get_or_init(|| regex::Regex::new(r"^[\p{L}\p{Nd}_]+").ok())
        .as_ref()?
        .find(body)?
        .end();
    let (name, rest) = body.split_at(len);
    if braced {
        return rest.strip_prefix('}').map(|r| (name, r));
    }
    Some((name, rest))
}

/// A name of `Expand` read as a group number: ASCII digits, no leading
/// zero, below 10^8 (Go's bound).
fn go_group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    name.parse().ok().filter(|&n| n < 100_000_000)
}

/// One escape after `\` at `chars[i]` (the char after the backslash):
/// the text of the escape and what it means.
enum Escape {
    /// A literal character.
    Char(char),
    /// `\d`-style class: items, negated.
    Perl(&'static str, bool),
    /// Copied as it is (`\pL`, `\p{Greek}`, `\A`, `\z`, `\b`, `\B`).
    Raw(String),
}

/// Go's parseEscape (plus the class escapes): `i` indexes the char after
/// the backslash; returns the escape and the index after it.
fn escape(chars: &[char], i: usize, in_class: bool) -> Result<(Escape, usize), String> {
    let Some(&c) = chars.get(i) else {
        return Err(go_err("trailing backslash at end of expression", ""));
    };
    let text = |end: usize| -> String { chars[i - 1..end.min(chars.len())].iter().collect() };
    let bad = |end: usize| Err(go_err("invalid escape sequence", &text(end)));
    if let Some((items, neg)) = perl_class(c) {
        return Ok((Escape::Perl(items, neg), i + 1));
    }
    match c {
        'p' | 'P' => {
            let end = match chars.get(i + 1) {
                None => return bad(i + 1),
                Some('{') => match chars[i + 1..].iter().position(|&x| x == '}') {
                    Some(p) => i + 1 + p + 1,
                    None => return bad(chars.len()),
                },
                Some(_) => i + 2,
            };
            Ok((Escape::Raw(text(end)), end))
        }
        'A' | 'z' | 'b' | 'B' if !in_class => Ok((
            Escape::Raw(match c {
                'b' => "(?-u:\\b)".into(),
                'B' => "(?-u:\\B)".into(),
                _ => text(i + 1),
            }),
            i + 1,
        )),
        '1'..='7' if !chars.get(i + 1).is_some_and(|d| ('0'..='7').contains(d)) => bad(i + 1),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            let mut j = i + 1;
            while j < i + 3 && chars.get(j).is_some_and(|d| ('0'..='7').contains(d)) {
                r = r * 8 + (chars[j] as u32 - '0' as u32);
                j += 1;
            }
            Ok((Escape::Char(char::from_u32(r).unwrap_or('\0')), j))
        }
        'x' => {
            if chars.get(i + 1) == Some(&'{') {
                let Some(p) = chars[i + 2..].iter().position(|&x| x == '}') else {
                    return bad(chars.len());
                };
                let hex: String = chars[i + 2..i + 2 + p].iter().collect();
                let v = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| !hex.is_empty());
                match v.and_then(char::from_u32) {
                    Some(ch) => Ok((Escape::Char(ch), i + 3 + p)),
                    None => bad(i + 3 + p),
                }
            } else {
                let hex: String = chars.get(i + 1..i + 3).unwrap_or_default().iter().collect();
                match u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 2)
                {
                    Some(v) => Ok((Escape::Char(char::from_u32(v).unwrap_or('\0')), i + 3)),
                    None => bad((i + 3).min(chars.len())),
                }
            }
        }
        'a' => Ok((Escape::Char('\x07'), i + 1)),
        'f' => Ok((Escape::Char('\x0C'), i + 1)),
        'n' => Ok((Escape::Char('\n'), i + 1)),
        'r' => Ok((Escape::Char('\r'), i + 1)),
        't' => Ok((Escape::Char('\t'), i + 1)),
        'v' => Ok((Escape::Char('\x0B'), i + 1)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((Escape::Char(c), i + 1)),
        _ => bad(i + 1),
    }
}

/// Go's parseRepeat: `{n}`, `{n,}`, `{n,m}` at `chars[i]` (the `{`) as
/// (end, min, max; `None` = no maximum); `None` when it is a literal brace.
/// A number of more than 8 digits is Go's `-1`, an invalid count
/// (`usize::MAX` here); a leading zero makes the brace a literal.
fn repeat_count(chars: &[char], i: usize) -> Option<(usize, usize, Option<usize>)> {
    let int = |mut j: usize| -> Option<(usize, usize)> {
        let start = j;
        while chars.get(j).is_some_and(char::is_ascii_digit) {
            j += 1;
        }
        if j == start || (j - start >= 2 && chars[start] == '0') {
            return None;
        }
        let s: String = chars[start..j].iter().collect();
        Some((
            if j - start > 8 {
                usize::MAX
            } else {
                s.parse().ok()?
            },
            j,
        ))
    };
    let (min, mut j) = int(i + 1)?;
    let max = if chars.get(j) == Some(&',') {
        if chars.get(j + 1) == Some(&'}') {
            j += 1;
            None
        } else {
            let (m, k) = int(j + 1)?;
            j = k;
            Some(m)
        }
    } else {
        Some(min)
    };
    (chars.get(j) == Some(&'}')).then_some((j + 1, min, max))
}

fn class_item(e: Escape, out: &mut String) {
    match e {
        Escape::Char(c) => lit(c, out),
        Escape::Perl(items, false) => out.push_str(items),
        Escape::Perl(items, true) => {
            out.push_str("[^");
            out.push_str(items);
            out.push(']');
        }
        Escape::Raw(r) => out.push_str(&r),
    }
}

/// Go's syntax checked and turned into the regex crate's.
fn translate(pattern: &str) -> Result<(String, Vec<String>), String> {
    let chars: Vec<char> = pattern.chars().collect();
    // Group names by number (Go's `SubexpNames`).
    let mut names = vec![String::new()];
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut depth = 0usize;
    // Whether the last item can be repeated; where the last repeat
    // operator started (Go refuses `a**`).
    let mut operand = false;
    let mut last_repeat: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut this_repeat = None;
        match c {
            '(' => {
                if chars.get(i + 1) == Some(&'?') {
                    let start = i;
                    let mut j = i + 2;
                    let named = (chars.get(j) == Some(&'P') && chars.get(j + 1) == Some(&'<'))
                        || chars.get(j) == Some(&'<');
                    if named {
                        // A named group: Go wants a word name before `>`.
                        let name_start = if chars[j] == 'P' { j + 2 } else { j + 1 };
                        let end = chars[name_start.min(chars.len())..]
                            .iter()
                            .position(|&x| x == '>');
                        let Some(p) = end else {
                            return Err(go_err(
                                "invalid named capture",
                                &chars[start..].iter().collect::<String>(),
                            ));
                        };
                        let name: String = chars[name_start..name_start + p].iter().collect();
                        // Go's `isValidCaptureName`: `[A-Za-z0-9_]+`.
                        if name.is_empty()
                            || !name.chars().all(|x| x == '_' || x.is_ascii_alphanumeric())
                        {
                            let frag: String = chars[start..name_start + p + 1].iter().collect();
                            return Err(go_err("invalid named capture", &frag));
                        }
                        // Unnamed for the regex crate (see `GoRegexp`).
                        out.push('(');
                        names.push(name);
                        depth += 1;
                        operand = false;
                        i = name_start + p + 1;
                        last_repeat = None;
                        continue;
                    }
                    let mut neg = false;
                    let mut saw = false;
                    loop {
                        let Some(&f) = chars.get(j) else {
                            let frag: String = chars[start..].iter().collect();
                            return Err(go_err("invalid or unsupported Perl syntax", &frag));
                        };
                        j += 1;
                        match f {
                            'i' | 'm' | 's' | 'U' => saw = true,
                            '-' if !neg => {
                                neg = true;
                                saw = false;
                            }
                            ':' | ')' if !neg || saw => {
                                out.extend(chars[start..j].iter());
                                if f == ':' {
                                    depth += 1;
                                    operand = false;
                                }
                                break;
                            }
                            _ => {
                                let frag: String = chars[start..j].iter().collect();
                                return Err(go_err("invalid or unsupported Perl syntax", &frag));
                            }
                        }
                    }
                    i = j;
                    last_repeat = None;
                    continue;
                }
                out.push('(');
                names.push(String::new());
                depth += 1;
                operand = false;
            }
            ')' => {
                if depth == 0 {
                    return Err(go_err("unexpected )", pattern));
                }
                depth -= 1;
                out.push(')');
                operand = true;
            }
            '|' => {
                out.push('|');
                operand = false;
            }
            '*' | '+' | '?' | '{' => {
                let (end, count) = if c == '{' {
                    match repeat_count(&chars, i) {
                        Some((end, min, max)) => (end, Some((min, max))),
                        None => {
                            // Not a repeat: a literal brace.
                            out.push_str("\\{");
                            operand = true;
                            last_repeat = None;
                            i += 1;
                            continue;
                        }
                    }
                } else {
                    (i + 1, None)
                };
                let mut after = end;
                if chars.get(after) == Some(&'?') {
                    after += 1;
                }
                if let Some(prev) = last_repeat {
                    let frag: String = chars[prev..after].iter().collect();
                    return Err(go_err("invalid nested repetition operator", &frag));
                }
                if !operand {
                    let frag: String = chars[i..after].iter().collect();
                    return Err(go_err("missing argument to repetition operator", &frag));
                }
                if let Some((min, max)) = count {
                    let bad = min > 1000 || max.is_some_and(|m| m > 1000 || m < min);
                    if bad {
                        let frag: String = chars[i..end].iter().collect();
                        return Err(go_err("invalid repeat count", &frag));
                    }
                }
                out.extend(chars[i..after].iter());
                this_repeat = Some(i);
                i = after;
                last_repeat = this_repeat;
                continue;
            }
            '}' => {
                out.push_str("\\}");
                operand = true;
            }
            '[' => {
                let start = i;
                let missing = || {
                    go_err(
                        "missing closing ]",
                        &chars[start..].iter().collect::<String>(),
                    )
                };
                let mut j = i + 1;
                out.push('[');
                if chars.get(j) == Some(&'^') {
                    out.push('^');
                    j += 1;
                }
                let mut first = true;
                loop {
                    let Some(&k) = chars.get(j) else {
                        return Err(missing());
                    };
                    if k == ']' && !first {
                        break;
                    }
                    first = false;
                    // POSIX class `[:alpha:]`.
                    let posix_end = (k == '[' && chars.get(j + 1) == Some(&':'))
                        .then(|| chars[j + 2..].windows(2).position(|w| w == [':', ']']))
                        .flatten();
                    if let Some(p) = posix_end {
                        let end = j + 2 + p + 2;
                        let name: String = chars[j..end].iter().collect();
                        const POSIX: [&str; 14] = [
                            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower",
                            "print", "punct", "space", "upper", "word", "xdigit",
                        ];
                        let bare = name.trim_start_matches("[:").trim_end_matches(":]");
                        let bare = bare.strip_prefix('^').unwrap_or(bare);
                        if !POSIX.contains(&bare) {
                            return Err(go_err("invalid character class range", &name));
                        }
                        out.push_str(&name);
                        j = end;
                        continue;
                    }
                    // One item: a character or escape, maybe a range.
                    let lo_from = j;
                    let lo = if k == '\\' {
                        let (e, next) = escape(&chars, j + 1, true)?;
                        j = next;
                        e
                    } else {
                        j += 1;
                        Escape::Char(k)
                    };
                    let Escape::Char(lo_c) = lo else {
                        class_item(lo, &mut out);
                        continue;
                    };
                    if chars.get(j) == Some(&'-') && chars.get(j + 1).is_some_and(|&x| x != ']') {
                        let hi_at = j + 1;
                        let (hi, next) = if chars[hi_at] == '\\' {
                            escape(&chars, hi_at + 1, true)?
                        } else {
                            (Escape::Char(chars[hi_at]), hi_at + 1)
                        };
                        let Escape::Char(hi_c) = hi else {
                            let frag: String = chars[hi_at..next].iter().collect();
                            return Err(go_err("invalid escape sequence", &frag));
                        };
                        if hi_c < lo_c {
                            let frag: String = chars[lo_from..next].iter().collect();
                            return Err(go_err("invalid character class range", &frag));
                        }
                        lit(lo_c, &mut out);
                        out.push('-');
                        lit(hi_c, &mut out);
                        j = next;
                    } else {
                        lit(lo_c, &mut out);
                    }
                }
                out.push(']');
                i = j + 1;
                operand = true;
                last_repeat = None;
                continue;
            }
            '\\' => {
                if chars.get(i + 1) == Some(&'Q') {
                    let rest = &chars[i + 2..];
                    let (body, next) = match rest.windows(2).position(|w| w == ['\\', 'E']) {
                        Some(p) => (&rest[..p], i + 2 + p + 2),
                        None => (rest, chars.len()),
                    };
                    for &b in body {
                        lit(b, &mut out);
                    }
                    operand = operand || !body.is_empty();
                    i = next;
                    last_repeat = None;
                    continue;
                }
                let (e, next) = escape(&chars, i + 1, false)?;
                match e {
                    Escape::Perl(items, neg) => {
                        out.push_str(if neg { "[^" } else { "[" });
                        out.push_str(items);
                        out.push(']');
                    }
                    other => class_item(other, &mut out),
                }
                operand = true;
                i = next;
                last_repeat = None;
                continue;
            }
            other => {
                match other {
                    '^' | '$' | '.' => out.push(other),
                    _ => lit(other, &mut out),
                }
                operand = true;
            }
        }
        last_repeat = this_repeat;
        i += 1;
    }
    if depth > 0 {
        return Err(go_err("missing closing )", pattern));
    }
    Ok((out, names))
}

#[cfg(test)]
mod tests {
    use super::compile;

    fn find(p: &str, s: &str) -> String {
        compile(p)
            .unwrap()
            .re
            .find(s)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn go_semantics() {
        assert_eq!(find(r"\w+", "héllo"), "h");
        assert_eq!(find(r"\d+", "٣4"), "4");
        assert_eq!(find(r"\s+", "a\u{a0}b"), "");
        assert_eq!(find(r"\bx", "éx"), "x");
        assert_eq!(find(r"\Qa.b\E", "xa.b"), "a.b");
        assert_eq!(find("a{,2}", "aaa{,2}"), "a{,2}");
        assert_eq!(find("x{ 2 }", "x{ 2 }"), "x{ 2 }");
        assert_eq!(find("[a&&b]", "&"), "&");
        assert_eq!(find("[a~~b]", "~"), "~");
        assert_eq!(find("[[:alpha:]]+", "ab1"), "ab");
        assert_eq!(find(r"[\w.-]+", "a-b.c d"), "a-b.c");
        assert_eq!(find(r"a{2}", "aaa"), "aa");
        assert_eq!(find(r"(?i)AB", "xab"), "ab");
        assert_eq!(find(r"(?P<n>a)(?<m>b)", "ab"), "ab");
        assert_eq!(find(r"\101", "A"), "A");
    }

    #[test]
    fn names_and_expand_as_go() {
        let replace = |p: &str, s: &str, t: &str| {
            let re = compile(p).unwrap();
            re.re
                .replace_all(s, |c: &regex::Captures<'_>| {
                    let mut out = String::new();
                    re.expand(c, t, &mut out);
                    out
                })
                .into_owned()
        };
        // Go takes a name starting with a digit, and one name twice.
        assert_eq!(replace("(?P<1a>x)", "axb", "[${1a}|$1a|$1]"), "a[x|x|x]b");
        assert_eq!(replace("(?P<a>x)(?P<a>y)", "xy", "[$a|$2]"), "[x|y]");
        assert_eq!(
            replace("(x)(y)", "xy", "[$01|$1é|${1 }|$é|$$|$!|${}|${2}z|$1z]"),
            "[||${1 }||$|$!|${}|yz|]"
        );
        assert!(compile("(?P<é>x)").is_err());
    }

    #[test]
    fn go_errors() {
        let e = |p: &str| compile(p).unwrap_err();
        assert_eq!(e("a("), "error parsing regexp: missing closing ): `a(`");
        assert_eq!(e("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(e("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            e("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            e("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            e(r"\y"),
            "error parsing regexp: invalid escape sequence: `\\y`"
        );
        assert_eq!(
            e(r"a\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
        assert_eq!(
            e("(?x)a"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            e("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            e("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
    }
}
