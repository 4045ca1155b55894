//! Ports of the Go helpers Sprig's functions are built on, where their
//! exact output matters: goutils' `WrapCustom`, `AbbreviateFull` and
//! `SwapCase`, `time.Duration`'s `String` and `ParseDuration`, and
//! `encoding/base32`. Each follows the Go source step by step (byte
//! offsets where Go slices bytes), so corner cases (a width under 1, a
//! word longer than the width, an offset past the end) come out as Helm's.

/// goutils `WrapCustom(str, wrapLength, newLineStr, wrapLongWords)`:
/// Sprig's `wrap` (`"\n"`, long words kept whole) and `wrapWith` (long
/// words cut).
pub(crate) fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = usize::try_from(width.max(1)).unwrap_or(usize::MAX);
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width.max(1) * newline.len());
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|&c| c == b' ') {
            Some(i) => {
                out.extend_from_slice(&b[offset..offset + i]);
                out.extend_from_slice(newline.as_bytes());
                offset += i + 1;
            }
            None if wrap_long => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(newline.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(i) => {
                        out.extend_from_slice(&b[offset..end + i]);
                        out.extend_from_slice(newline.as_bytes());
                        offset = end + i + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// goutils `AbbreviateFull(str, offset, maxWidth)`; `None` is its error
/// (a width under 4, or under 7 with an offset).
pub(crate) fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if len <= max_width {
        return Some(s.to_owned());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    let cut = |from: i64, to: i64| -> String {
        let (from, to) = (
            usize::try_from(from.max(0)).unwrap_or(0),
            usize::try_from(to.max(0)).unwrap_or(0),
        );
        String::from_utf8_lossy(s.as_bytes().get(from..to).unwrap_or(&[])).into_owned()
    };
    if offset <= 4 {
        return Some(format!("{}...", cut(0, max_width - 3)));
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = cut(offset, len);
        let inner = abbreviate_full(&rest, 0, max_width - 3)?;
        return Some(format!("...{inner}"));
    }
    Some(format!("...{}", cut(len - (max_width - 3), len)))
}

/// Sprig's `abbrevboth left right s`.
pub(crate) fn abbrev_both(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_owned();
    }
    // On error Sprig returns the (already emptied) result.
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// goutils `SwapCase`, with Go's `unicode` case predicates and mappings.
pub(crate) fn swap_case(s: &str) -> String {
    use super::xstrings::{is_lower, is_title, is_upper, lower, title, upper};
    // goutils' word-based `SwapCase`: upper and title case lowered, a
    // lower-case letter title-cased at the start or after white space and
    // upper-cased elsewhere.
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                whitespace = false;
                lower(c)
            } else if is_lower(c) {
                let out = if whitespace { title(c) } else { upper(c) };
                whitespace = false;
                out
            } else {
                whitespace = c.is_whitespace();
                c
            }
        })
        .collect()
}

/// `unicode.IsSpace` of a byte read as a rune (`rune(str[i])`): ASCII
/// white space, and the Latin-1 NEL and no-break space.
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// goutils `DeleteWhiteSpace` (Sprig's `nospace`): it walks the string byte
/// by byte and keeps each non-space byte as the rune of that value, so a
/// non-ASCII letter comes out as its UTF-8 bytes read as Latin-1 (`ü` is
/// `Ã¼`), as Helm prints it; a string with no space to delete is returned
/// as it is (goutils' shortcut, so `é` alone stays `é`).
pub(crate) fn delete_white_space(s: &str) -> String {
    if !s.bytes().any(is_space_byte) {
        return s.to_owned();
    }
    s.bytes()
        .filter(|&b| !is_space_byte(b))
        .map(char::from)
        .collect()
}

/// goutils `Initials` (Sprig's `initials`): the first byte after each run
/// of white space, as a rune of that byte's value (byte-wise like
/// [`delete_white_space`]: `über` gives `Ã`).
pub(crate) fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for b in s.bytes() {
        if is_space_byte(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    out
}

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// `time.Duration(nanos).String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn duration_string(nanos: i64) -> String {
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < NANOS_PER_SECOND {
        let (prec, unit) = match u {
            0 => return "0s".to_owned(),
            1..=999 => (0, "ns"),
            1_000..=999_999 => (3, "µs"),
            _ => (6, "ms"),
        };
        out.push_str(&fixed_frac(u, prec));
        out.push_str(unit);
    } else {
        let secs = u / NANOS_PER_SECOND;
        let frac = fixed_frac(u % NANOS_PER_SECOND, 9);
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            out.push_str(&format!("{h}h{m}m"));
        } else if m > 0 {
            out.push_str(&format!("{m}m"));
        }
        // `frac` is "0" or "0.xyz" for the sub-second part.
        out.push_str(&s.to_string());
        out.push_str(frac.strip_prefix('0').unwrap_or(""));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / 10^prec` with the fraction's trailing zeros (and a bare point)
/// left out, as Go's `fmtFrac` + `fmtInt`.
fn fixed_frac(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (int, frac) = (v / p, v % p);
    if frac == 0 {
        return int.to_string();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units
/// `ns us µs μs ms s m h`, or a bare `0`. `None` is Go's error.
pub(crate) fn parse_duration(text: &str) -> Option<i64> {
    let mut s = text;
    let mut neg = false;
    if let Some(r) = s.strip_prefix('-') {
        neg = true;
        s = r;
    } else if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, rest) = s.split_at(int_len);
        let (frac_part, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r.split_at(n)
            }
            None => ("", rest),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let (unit, rest) = rest.split_at(unit_len);
        let scale: u64 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => NANOS_PER_SECOND,
            "m" => 60 * NANOS_PER_SECOND,
            "h" => 3600 * NANOS_PER_SECOND,
            _ => return None,
        };
        let int: u64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut v = int.checked_mul(scale)?;
        if !frac_part.is_empty() {
            // Go keeps the fraction's digits exactly and scales them.
            let mut f = 0f64;
            let mut place = 1f64;
            for d in frac_part.bytes().take(18) {
                place /= 10.0;
                f += f64::from(d - b'0') * place;
            }
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let add = (f * scale as f64) as u64;
            v = v.checked_add(add)?;
        }
        total = total.checked_add(v)?;
        s = rest;
    }
    let total = i64::try_from(total).ok()?;
    Some(if neg { -total } else { total })
}

/// Sprig's `durationRound`: the largest whole unit of the duration
/// (`2h`, `3d`, `1mo`, `5y`; a month is 30 days, a year 365), by
/// magnitude (Sprig drops the sign).
pub(crate) fn duration_round(nanos: i64) -> String {
    let u = nanos.unsigned_abs();
    let hour = 3600 * NANOS_PER_SECOND;
    let units = [
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60 * NANOS_PER_SECOND, "m"),
        (NANOS_PER_SECOND, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".to_owned()
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `base32.StdEncoding.EncodeToString`.
pub(crate) fn b32encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(char::from(B32[((n >> (35 - 5 * i)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString`; the error is Go's text.
pub(crate) fn b32decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'\n' && c != b'\r').collect();
    let bad = |i: usize| format!("illegal base32 data at input byte {i}");
    if !bytes.len().is_multiple_of(8) {
        // Go stops at the first byte outside the alphabet, else at the
        // start of the short final block.
        return Err(bad(go_short_block_pos(&bytes)));
    }
    let mut out = Vec::with_capacity(bytes.len() / 8 * 5);
    for (bi, block) in bytes.chunks(8).enumerate() {
        let pad = block.iter().rev().take_while(|&&c| c == b'=').count();
        let data_len = 8 - pad;
        let n_out = match data_len {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(bad(bi * 8 + data_len)),
        };
        if pad > 0 && bi * 8 + 8 != bytes.len() {
            return Err(bad(bi * 8 + data_len));
        }
        let mut n: u64 = 0;
        for (i, &c) in block[..data_len].iter().enumerate() {
            let v = B32
                .iter()
                .position(|&x| x == c)
                .ok_or_else(|| bad(bi * 8 + i))?;
            n |= (v as u64) << (35 - 5 * i);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[3..3 + n_out]);
    }
    Ok(out)
}

/// Where Go's decoder stops on input whose length is not a multiple of
/// 8: at the first non-alphabet byte, else where the short block starts.
fn go_short_block_pos(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|c| !B32.contains(c))
        .unwrap_or(bytes.len() / 8 * 8)
}

/// The parts of a URL Sprig's `urlParse` returns, as Go's `url.Parse`
/// splits them (path and fragment unescaped).
#[derive(Debug, Default)]
pub(crate) struct Url {
    pub scheme: String,
    pub userinfo: String,
    pub host: String,
    pub path: String,
    pub query: String,
    pub opaque: String,
    pub fragment: String,
}

impl Url {
    /// `URL.Hostname()`: the host without its port (and IPv6 brackets).
    pub(crate) fn hostname(&self) -> String {
        let h = self.host.as_str();
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest).to_owned();
        }
        match h.rfind(':') {
            Some(i) if h[i + 1..].bytes().all(|b| b.is_ascii_digit()) => h[..i].to_owned(),
            _ => h.to_owned(),
        }
    }
}

/// `%XX` decoding; `None` on a malformed escape (Go's error).
fn unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `url.Parse`, for the parts Sprig reads: `scheme:` (lowered),
/// `//userinfo@host` when the rest starts with `//`, an opaque rest when a
/// scheme is not followed by `/`, `?query`, `#fragment`.
pub(crate) fn parse_url(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f).ok_or_else(|| format!("parse {raw:?}: invalid URL escape"))?;
    }
    // Go refuses an ASCII control byte before the fragment.
    if rest.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(format!(
            "parse {rest:?}: net/url: invalid control character in URL"
        ));
    }
    let mut rest = rest;
    if let Some(i) = rest.find(':') {
        let scheme = &rest[..i];
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            u.scheme = scheme.to_ascii_lowercase();
            rest = &rest[i + 1..];
        } else if i == 0 {
            return Err(format!("parse {raw:?}: missing protocol scheme"));
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.query = q.to_owned();
        rest = r;
    }
    if !u.scheme.is_empty() && !rest.starts_with('/') {
        u.opaque = rest.to_owned();
        return Ok(u);
    }
    if let Some(auth_rest) = rest.strip_prefix("//") {
        let (auth, path) = match auth_rest.find('/') {
            Some(i) => (&auth_rest[..i], &auth_rest[i..]),
            None => (auth_rest, ""),
        };
        let host = match auth.rfind('@') {
            Some(i) => {
                u.userinfo = auth[..i].to_owned();
                &auth[i + 1..]
            }
            None => auth,
        };
        if host.contains(' ') {
            return Err(format!(
                "parse {raw:?}: invalid character \" \" in host name"
            ));
        }
        u.host = host.to_owned();
        rest = path;
    }
    u.path = unescape(rest).ok_or_else(|| format!("parse {raw:?}: invalid URL escape"))?;
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_matches_goutils() {
        assert_eq!(
            wrap_custom("hello world foo", 5, "\n", false),
            "hello\nworld\nfoo"
        );
        assert_eq!(wrap_custom("abcdefgh ij", 3, "\n", false), "abcdefgh\nij");
        assert_eq!(wrap_custom("abcdefgh ij", 3, "#", true), "abc#def#gh#ij");
        assert_eq!(wrap_custom("ab", 0, "\n", false), "ab");
    }

    #[test]
    fn abbreviations() {
        assert_eq!(abbrev_both(5, 10, "1234567890abcdefghij"), "...6789...");
        assert_eq!(abbrev_both(0, 3, "hello world"), "hello world");
        assert_eq!(
            abbreviate_full("hello world", 0, 5).as_deref(),
            Some("he...")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration_string(90 * 1_000_000_000), "1m30s");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(-1_500_000_000), "-1.5s");
        assert_eq!(parse_duration("2h10m5s"), Some(7_805_000_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("3d"), None);
        assert_eq!(duration_round(7_805_000_000_000), "2h");
        assert_eq!(duration_round(0), "0s");
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(b32encode(b"hello"), "NBSWY3DP");
        assert_eq!(b32encode(b"a"), "ME======");
        assert_eq!(b32decode("NBSWY3DP").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(
            b32decode("NBSWY3D"),
            Err("illegal base32 data at input byte 0".to_owned())
        );
    }
}

/// The parts of `net/url`'s escaping that `URL.String` uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

/// `net/url`'s `shouldEscape`: unreserved characters stay; the reserved
/// ones per part of the URL; everything else (space, non-ASCII) is `%XX`.
fn should_escape(c: u8, mode: Encode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Encode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Encode::Path => c == b'?',
                Encode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Encode::Fragment => false,
                // Host: the sub-delimiters above; `/`, `?`, `@` escaped.
                Encode::Host => true,
            };
        }
        _ => {}
    }
    !(mode == Encode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

/// `net/url`'s `escape` (never in query-component mode here).
fn escape(s: &str, mode: Encode) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// `url.URL.String()` of a URL built from its parts, what Sprig's
/// `urlJoin` returns: the path, host, user and fragment escaped as Go
/// escapes them (`/p%20q`), the query raw, `//` only with a host or user
/// (or a path under a scheme), an opaque part instead of the hierarchy.
/// `userinfo` is read as Go parses `proto://USERINFO@host`: `user:pass`,
/// each `%XX`-decoded.
pub(crate) fn url_string(u: &Url) -> String {
    let mut buf = String::new();
    if !u.scheme.is_empty() {
        buf.push_str(&u.scheme);
        buf.push(':');
    }
    if u.opaque.is_empty() {
        let user = (!u.userinfo.is_empty()).then(|| {
            let (name, pass) = match u.userinfo.split_once(':') {
                Some((n, p)) => (n, Some(p)),
                None => (u.userinfo.as_str(), None),
            };
            let mut s = escape(&unescape(name).unwrap_or_default(), Encode::UserPassword);
            if let Some(p) = pass {
                s.push(':');
                s.push_str(&escape(
                    &unescape(p).unwrap_or_default(),
                    Encode::UserPassword,
                ));
            }
            s
        });
        if !u.scheme.is_empty() || !u.host.is_empty() || user.is_some() {
            if !u.host.is_empty() || !u.path.is_empty() || user.is_some() {
                buf.push_str("//");
            }
            if let Some(user) = &user {
                buf.push_str(user);
                buf.push('@');
            }
            buf.push_str(&escape(&u.host, Encode::Host));
        }
        let path = if u.path == "*" {
            "*".to_owned()
        } else {
            escape(&u.path, Encode::Path)
        };
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            buf.push('/');
        }
        if buf.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
            // RFC 3986 §4.2: a first segment with a colon would read as a
            // scheme.
            buf.push_str("./");
        }
        buf.push_str(&path);
    } else {
        buf.push_str(&u.opaque);
    }
    if !u.query.is_empty() {
        buf.push('?');
        buf.push_str(&u.query);
    }
    if !u.fragment.is_empty() {
        buf.push('#');
        buf.push_str(&escape(&u.fragment, Encode::Fragment));
    }
    buf
}
