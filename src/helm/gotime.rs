//! Go's `time.Time` for Sprig's date functions: civil-date arithmetic, the
//! layout formatter and parser (`Time.Format`, `time.ParseInLocation`
//! with the reference time `Mon Jan 2 15:04:05 MST 2006`), and the
//! template value a time is.
//!
//! Owned rather than taken from `chrono`: the output is compared byte for
//! byte with `helm template`, and Go's layouts are their own language
//! (`_2`, `002`, `.999` trimming, `Z07:00`, a fraction accepted after
//! seconds the layout does not have), with Go's exact parse-error texts
//! (`parsing time "x" as "2006": cannot parse "x" as "2006"`), which
//! `mustToDate` returns. Helm's local zone is taken to be UTC (what
//! `helm template` uses in a container, and what keeps output
//! deterministic); named zones for `dateInZone` are read from the
//! system's zoneinfo files, as Go's `time.LoadLocation` does, and an
//! unknown zone is UTC, as Sprig falls back.

use std::sync::Arc;

use crate::gotemplate::{ElemZero, Entries, GoKind, GoType, Map, Value, go_quote};

/// `time.Time`: a struct that prints through its `String()` method.
pub(crate) static TIME: GoType = GoType {
    name: "time.Time",
    kind: GoKind::Struct,
    elem_zero: ElemZero::Nil,
    stringer: Some("String"),
    addr_stringer: None,
    fields: &[],
};

/// One instant with the zone it is shown in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GoTime {
    /// Seconds since the Unix epoch (UTC).
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nsec: u32,
    /// The zone's offset east of UTC, in seconds.
    pub offset: i32,
    /// The zone's abbreviation (`UTC`, `JST`); empty for a fixed offset
    /// that has none (printed as `+0200`).
    pub zone: String,
}

/// Seconds from 0001-01-01 (Go's zero time) to the Unix epoch.
const ZERO_UNIX: i64 = -62_135_596_800;

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
/// `days_from_civil`); month and day may be out of range (Go's `Date`
/// normalizes them the same way).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Normalize the month into 1..=12 first, carrying into the year.
    let m0 = month - 1;
    let year = year + m0.div_euclid(12);
    let month = m0.rem_euclid(12) + 1;
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month 1..=12, day 1..=31)` of a day count.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The fields of a time as seen in its zone.
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    weekday: usize,
    hour: i64,
    min: i64,
    sec: i64,
}

impl GoTime {
    /// `time.Unix(secs, 0)` in Helm's local zone (UTC).
    pub(crate) fn from_unix(unix: i64) -> GoTime {
        GoTime {
            unix,
            nsec: 0,
            offset: 0,
            zone: "UTC".into(),
        }
    }

    /// Go's zero `time.Time` (what `toDate` gives for text it cannot parse).
    pub(crate) fn zero() -> GoTime {
        GoTime::from_unix(ZERO_UNIX)
    }

    fn civil(&self) -> Civil {
        let local = self.unix.saturating_add(i64::from(self.offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            yday: days - days_from_civil(year, 1, 1) + 1,
            weekday: usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0),
            hour: secs / 3600,
            min: secs % 3600 / 60,
            sec: secs % 60,
        }
    }

    /// The same instant shown in another zone.
    pub(crate) fn in_zone(&self, zone: &Zone) -> GoTime {
        let (offset, name) = zone.lookup(self.unix);
        GoTime {
            offset,
            zone: name,
            ..self.clone()
        }
    }

    /// `t.Add(d)` for a duration in nanoseconds.
    pub(crate) fn add_nanos(&self, d: i64) -> GoTime {
        let total = i128::from(self.nsec) + i128::from(d);
        let secs = total.div_euclid(1_000_000_000);
        let nsec = total.rem_euclid(1_000_000_000);
        GoTime {
            unix: self
                .unix
                .saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)),
            nsec: u32::try_from(nsec).unwrap_or(0),
            ..self.clone()
        }
    }

    /// `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    pub(crate) fn string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// RFC 3339 with nanoseconds, what TOML and JSON write for a time.
    pub(crate) fn rfc3339_nano(&self) -> String {
        self.format("2006-01-02T15:04:05.999999999Z07:00")
    }

    /// `Time.Format(layout)`.
    pub(crate) fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::with_capacity(layout.len() + 10);
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, std, suffix) = next_chunk(rest);
            out.push_str(prefix);
            let Some(std) = std else { break };
            rest = suffix;
            self.format_one(&c, std, &mut out);
        }
        out
    }

    fn format_one(&self, c: &Civil, std: Std, out: &mut String) {
        match std {
            Std::Year => push_int(out, c.year.rem_euclid(100), 2),
            Std::LongYear => push_int(out, c.year, 4),
            Std::Month => out.push_str(&LONG_MONTHS[month_index(c.month)][..3]),
            Std::LongMonth => out.push_str(LONG_MONTHS[month_index(c.month)]),
            Std::NumMonth => push_int(out, c.month, 0),
            Std::ZeroMonth => push_int(out, c.month, 2),
            Std::WeekDay => out.push_str(&LONG_DAYS[c.weekday][..3]),
            Std::LongWeekDay => out.push_str(LONG_DAYS[c.weekday]),
            Std::Day => push_int(out, c.day, 0),
            Std::UnderDay => {
                if c.day < 10 {
                    out.push(' ');
                }
                push_int(out, c.day, 0);
            }
            Std::ZeroDay => push_int(out, c.day, 2),
            Std::UnderYearDay => {
                if c.yday < 100 {
                    out.push(' ');
                    if c.yday < 10 {
                        out.push(' ');
                    }
                }
                push_int(out, c.yday, 0);
            }
            Std::ZeroYearDay => push_int(out, c.yday, 3),
            Std::Hour => push_int(out, c.hour, 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let hr = match c.hour % 12 {
                    0 => 12,
                    h => h,
                };
                push_int(out, hr, if std == Std::Hour12 { 0 } else { 2 });
            }
            Std::Minute => push_int(out, c.min, 0),
            Std::ZeroMinute => push_int(out, c.min, 2),
            Std::Second => push_int(out, c.sec, 0),
            Std::ZeroSecond => push_int(out, c.sec, 2),
            Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::Tz(tz) => {
                if tz.iso && self.offset == 0 {
                    out.push('Z');
                    return;
                }
                let mut zone = self.offset / 60;
                let mut abs = self.offset;
                if zone < 0 {
                    out.push('-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    out.push('+');
                }
                push_int(out, i64::from(zone / 60), 2);
                if tz.width == TzWidth::Hour {
                    return;
                }
                if tz.colon {
                    out.push(':');
                }
                push_int(out, i64::from(zone % 60), 2);
                if tz.width == TzWidth::Seconds {
                    if tz.colon {
                        out.push(':');
                    }
                    push_int(out, i64::from(abs % 60), 2);
                }
            }
            Std::ZoneName => {
                if self.zone.is_empty() {
                    let mut zone = self.offset / 60;
                    if zone < 0 {
                        out.push('-');
                        zone = -zone;
                    } else {
                        out.push('+');
                    }
                    push_int(out, i64::from(zone / 60), 2);
                    push_int(out, i64::from(zone % 60), 2);
                } else {
                    out.push_str(&self.zone);
                }
            }
            Std::Frac { sep, digits, trim } => {
                let all = format!("{:09}", self.nsec);
                let mut n = digits.min(9);
                let bytes = all.as_bytes();
                if trim {
                    while n > 0 && bytes[n - 1] == b'0' {
                        n -= 1;
                    }
                    if n == 0 {
                        return;
                    }
                }
                out.push(sep);
                out.push_str(&all[..n]);
            }
        }
    }
}

fn month_index(month: i64) -> usize {
    usize::try_from(month - 1).unwrap_or(0).min(11)
}

/// Go's `appendInt`: a sign, then at least `width` digits.
fn push_int(out: &mut String, x: i64, width: usize) {
    if x < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", x.unsigned_abs()));
}

/// The shape of a numeric zone element.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TzWidth {
    /// `-07`
    Hour,
    /// `-0700`, `-07:00`
    Minutes,
    /// `-070000`, `-07:00:00`
    Seconds,
}

/// A numeric zone element: `Z…` forms (`iso`) write `Z` for UTC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Tz {
    iso: bool,
    colon: bool,
    width: TzWidth,
}

/// One element of a layout (Go's `std*` codes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz(Tz),
    ZoneName,
    /// `.000` (fixed digits) or `.999` (trailing zeros trimmed).
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

fn starts_lower(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// Go's `nextStdChunk`: the literal text before the first layout
/// element, the element, and the layout after it.
fn next_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let found = |len: usize, std: Std| Some((&layout[..i], Some(std), &layout[i + len..]));
        let r = match b[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    found(7, Std::LongMonth)
                } else if !starts_lower(&layout[i + 3..]) {
                    found(3, Std::Month)
                } else {
                    None
                }
            }
            b'M' if at(i, "Mon") => {
                if at(i, "Monday") {
                    found(6, Std::LongWeekDay)
                } else if !starts_lower(&layout[i + 3..]) {
                    found(3, Std::WeekDay)
                } else {
                    None
                }
            }
            b'M' if at(i, "MST") => found(3, Std::ZoneName),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')];
                found(2, std)
            }
            b'0' if at(i, "002") => found(3, Std::ZeroYearDay),
            b'1' if at(i, "15") => found(2, Std::Hour),
            b'1' => found(1, Std::NumMonth),
            b'2' if at(i, "2006") => found(4, Std::LongYear),
            b'2' => found(1, Std::Day),
            b'_' if at(i, "_2") => {
                if at(i + 1, "2006") {
                    // `_2006` is a literal `_` and the year.
                    Some((&layout[..=i], Some(Std::LongYear), &layout[i + 5..]))
                } else {
                    found(2, Std::UnderDay)
                }
            }
            b'_' if at(i, "__2") => found(3, Std::UnderYearDay),
            b'3' => found(1, Std::Hour12),
            b'4' => found(1, Std::Minute),
            b'5' => found(1, Std::Second),
            b'P' if at(i, "PM") => found(2, Std::PM),
            b'p' if at(i, "pm") => found(2, Std::Pm),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let tz = |colon, width| Std::Tz(Tz { iso, colon, width });
                if at(i + 1, "070000") {
                    found(7, tz(false, TzWidth::Seconds))
                } else if at(i + 1, "07:00:00") {
                    found(9, tz(true, TzWidth::Seconds))
                } else if at(i + 1, "0700") {
                    found(5, tz(false, TzWidth::Minutes))
                } else if at(i + 1, "07:00") {
                    found(6, tz(true, TzWidth::Minutes))
                } else if at(i + 1, "07") {
                    found(3, tz(false, TzWidth::Hour))
                } else {
                    None
                }
            }
            c @ (b'.' | b',') if i + 1 < b.len() && matches!(b[i + 1], b'0' | b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                // Only a fraction when the run of digits ends here.
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    let std = Std::Frac {
                        sep: char::from(c),
                        digits: j - (i + 1),
                        trim: ch == b'9',
                    };
                    Some((&layout[..i], Some(std), &layout[j..]))
                }
            }
            _ => None,
        };
        if let Some(r) = r {
            return r;
        }
    }
    (layout, None, "")
}

/// A time zone: a fixed offset, or transitions read from a zoneinfo file.
pub(crate) enum Zone {
    Fixed(i32, String),
    Table(tzif::Table),
}

impl Zone {
    /// UTC, which Helm's local zone is taken to be.
    pub(crate) fn utc() -> Zone {
        Zone::Fixed(0, "UTC".into())
    }

    /// `time.LoadLocation(name)`, or UTC when it fails (as Sprig's
    /// `dateInZone` falls back).
    pub(crate) fn load(name: &str) -> Zone {
        if matches!(name, "" | "UTC" | "Local") {
            return Zone::utc();
        }
        tzif::load(name).map_or_else(Zone::utc, Zone::Table)
    }

    /// The offset and abbreviation in force at `unix`.
    fn lookup(&self, unix: i64) -> (i32, String) {
        match self {
            Zone::Fixed(o, n) => (*o, n.clone()),
            Zone::Table(t) => t.lookup(unix),
        }
    }
}

/// Reading TZif zoneinfo files, as Go's `time.LoadLocation` does.
mod tzif {
    /// Where Go looks for zoneinfo on Unix.
    const DIRS: [&str; 4] = [
        "/usr/share/zoneinfo/",
        "/usr/share/lib/zoneinfo/",
        "/usr/lib/locale/TZ/",
        "/etc/zoneinfo/",
    ];

    /// A zone's transitions and local-time types.
    pub(crate) struct Table {
        transitions: Vec<(i64, usize)>,
        types: Vec<(i32, bool, String)>,
        /// The POSIX TZ rule for times after the last transition.
        extend: String,
    }

    pub(crate) fn load(name: &str) -> Option<Table> {
        // Go refuses names that could leave the zoneinfo tree.
        if name.starts_with('/') || name.contains("..") || name.contains('\\') {
            return None;
        }
        DIRS.iter()
            .find_map(|d| std::fs::read(format!("{d}{name}")).ok())
            .and_then(|b| parse(&b))
    }

    fn be32(b: &[u8], at: usize) -> Option<i64> {
        let s = b.get(at..at + 4)?;
        Some(i64::from(i32::from_be_bytes([s[0], s[1], s[2], s[3]])))
    }

    fn be64(b: &[u8], at: usize) -> Option<i64> {
        let s = b.get(at..at + 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(i64::from_be_bytes(a))
    }

    fn parse(b: &[u8]) -> Option<Table> {
        if b.get(..4)? != b"TZif" {
            return None;
        }
        let version = *b.get(4)?;
        let counts = |at: usize| -> Option<[usize; 6]> {
            let mut c = [0usize; 6];
            for (i, x) in c.iter_mut().enumerate() {
                *x = usize::try_from(be32(b, at + 20 + 4 * i)?).ok()?;
            }
            Some(c)
        };
        let [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(0)?;
        let mut at = 44;
        let mut wide = false;
        if version >= b'2' {
            // Skip the 32-bit block for the 64-bit one after it.
            at += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isutc;
            if b.get(at..at + 4)? != b"TZif" {
                return None;
            }
            wide = true;
        }
        let header = if wide { at } else { 0 };
        let [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(header)?;
        at = header + 44;
        let tsize = if wide { 8 } else { 4 };
        let mut times = Vec::with_capacity(timecnt);
        for i in 0..timecnt {
            times.push(if wide {
                be64(b, at + i * 8)?
            } else {
                be32(b, at + i * 4)?
            });
        }
        at += timecnt * tsize;
        let idx: Vec<usize> = b
            .get(at..at + timecnt)?
            .iter()
            .map(|&x| usize::from(x))
            .collect();
        at += timecnt;
        let mut raw_types = Vec::with_capacity(typecnt);
        for i in 0..typecnt {
            let off = i32::try_from(be32(b, at + i * 6)?).ok()?;
            raw_types.push((
                off,
                *b.get(at + i * 6 + 4)? != 0,
                usize::from(*b.get(at + i * 6 + 5)?),
            ));
        }
        at += typecnt * 6;
        let chars = b.get(at..at + charcnt)?;
        at += charcnt + leap * (tsize + 4) + isstd + isutc;
        let types = raw_types
            .into_iter()
            .map(|(off, dst, ai)| {
                let name = chars.get(ai..).unwrap_or_default();
                let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
                (off, dst, String::from_utf8_lossy(&name[..end]).into_owned())
            })
            .collect::<Vec<_>>();
        if types.is_empty() || idx.iter().any(|&i| i >= types.len()) {
            return None;
        }
        let extend = if wide {
            let footer = b.get(at..).unwrap_or_default();
            let text = String::from_utf8_lossy(footer);
            text.trim_matches('\n')
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        } else {
            String::new()
        };
        Some(Table {
            transitions: times.into_iter().zip(idx).collect(),
            types,
            extend,
        })
    }

    impl Table {
        pub(crate) fn lookup(&self, unix: i64) -> (i32, String) {
            let first = || {
                // Go: before the first transition, the first standard type.
                let t = self.types.iter().find(|t| !t.1).unwrap_or(&self.types[0]);
                (t.0, t.2.clone())
            };
            if self.transitions.is_empty() || unix < self.transitions[0].0 {
                if self.transitions.is_empty()
                    && let Some(r) = super::posix::lookup(&self.extend, unix)
                {
                    return r;
                }
                return first();
            }
            let pos = self.transitions.partition_point(|t| t.0 <= unix);
            let (_, ti) = self.transitions[pos - 1];
            if pos == self.transitions.len()
                && !self.extend.is_empty()
                && let Some(r) = super::posix::lookup(&self.extend, unix)
            {
                return r;
            }
            let t = &self.types[ti];
            (t.0, t.2.clone())
        }
    }
}

/// POSIX TZ rules (`EST5EDT,M3.2.0,M11.1.0`), the footer of a TZif file
/// that covers times after its last transition.
mod posix {
    /// A name: letters, or `<…>` quoted.
    fn name(s: &str) -> Option<(String, &str)> {
        if let Some(r) = s.strip_prefix('<') {
            let end = r.find('>')?;
            return Some((r[..end].to_string(), &r[end + 1..]));
        }
        let n = s.bytes().take_while(u8::is_ascii_alphabetic).count();
        (n >= 3).then(|| (s[..n].to_string(), &s[n..]))
    }

    /// `[+-]hh[:mm[:ss]]` as seconds.
    fn offset(s: &str) -> Option<(i64, &str)> {
        let (neg, mut s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let mut total = 0;
        for (i, mult) in [3600, 60, 1].into_iter().enumerate() {
            if i > 0 {
                match s.strip_prefix(':') {
                    Some(r) => s = r,
                    None => break,
                }
            }
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            total += s[..n].parse::<i64>().ok()? * mult;
            s = &s[n..];
        }
        Some((if neg { -total } else { total }, s))
    }

    /// A rule `Mm.w.d[/time]`: the seconds into the year (local, from
    /// Jan 1 00:00) when it takes effect.
    fn rule(s: &str, year: i64) -> Option<(i64, &str)> {
        let r = s.strip_prefix('M')?;
        let mut parts = r.splitn(3, '.');
        let m: i64 = parts.next()?.parse().ok()?;
        let w: i64 = parts.next()?.parse().ok()?;
        let rest = parts.next()?;
        let dn = rest.bytes().take_while(u8::is_ascii_digit).count();
        let d: i64 = rest[..dn].parse().ok()?;
        let mut rest = &rest[dn..];
        let mut time = 7200;
        if let Some(r) = rest.strip_prefix('/') {
            let (t, r) = offset(r)?;
            time = t;
            rest = r;
        }
        let first = super::days_from_civil(year, m, 1);
        let wd_first = (first + 4).rem_euclid(7);
        let mut day = 1 + (d - wd_first).rem_euclid(7) + (w - 1) * 7;
        if day > super::days_in(m, year) {
            day -= 7 * ((day - super::days_in(m, year) + 6) / 7);
        }
        let secs =
            (super::days_from_civil(year, m, day) - super::days_from_civil(year, 1, 1)) * 86_400;
        Some((secs + time, rest))
    }

    /// The offset and name a TZ rule gives at `unix`; `None` for a rule
    /// this reader does not understand (Julian-day forms).
    pub(super) fn lookup(tz: &str, unix: i64) -> Option<(i32, String)> {
        let (std_name, r) = name(tz)?;
        let (std_off, r) = offset(r)?;
        let std = (i32::try_from(-std_off).ok()?, std_name);
        if r.is_empty() {
            return Some(std);
        }
        let (dst_name, mut r) = name(r)?;
        let mut dst_off = std_off - 3600;
        if !r.starts_with(',') {
            let (o, rest) = offset(r)?;
            dst_off = o;
            r = rest;
        }
        let r = r.strip_prefix(',')?;
        let dst = (i32::try_from(-dst_off).ok()?, dst_name);
        let local = unix - std_off;
        let year = super::civil_from_days(local.div_euclid(86_400)).0;
        let year_start = super::days_from_civil(year, 1, 1) * 86_400;
        let (start, r) = rule(r, year)?;
        let (end, _) = rule(r.strip_prefix(',')?, year)?;
        // Start is in standard time, end in daylight time (both local).
        let s = year_start + start + std_off;
        let e = year_start + end + dst_off;
        let in_dst = if s < e {
            unix >= s && unix < e
        } else {
            !(unix >= e && unix < s)
        };
        Some(if in_dst { dst } else { std })
    }
}

/// Why a layout does not parse, with Go's `time.ParseError` text.
fn parse_error(layout: &str, value: &str, elem: &str, value_elem: &str, msg: &str) -> String {
    if msg.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(value),
            go_quote(layout),
            go_quote(value_elem),
            go_quote(elem)
        )
    } else {
        format!("parsing time {}{msg}", go_quote(value))
    }
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// Go's `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let n = s.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Case-insensitive prefix match against names (Go's `lookup`).
fn lookup_name<'a>(names: &[&str], s: &'a str) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, n)| {
        let head = s.get(..n.len())?;
        head.eq_ignore_ascii_case(n).then(|| (i, &s[n.len()..]))
    })
}

/// Go's `skip`: the layout's literal text must be at the head of the
/// value, a space matching any run of spaces.
fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Result<&'a str, ()> {
    while let Some(p0) = prefix.bytes().next() {
        if p0 == b' ' {
            if value.bytes().next().is_some_and(|b| b != b' ') {
                return Err(());
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        if value.bytes().next() != Some(p0) {
            return Err(());
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

/// The fraction at the head of `value` (`.123`), `n` bytes with its
/// separator, as nanoseconds.
fn nanos(value: &str, n: usize) -> Option<u32> {
    let b = value.as_bytes();
    if !matches!(b.first(), Some(b'.' | b',')) {
        return None;
    }
    let n = n.min(10);
    let digits = value.get(1..n)?;
    let mut ns: u32 = digits.parse().ok()?;
    for _ in 0..(10 - n) {
        ns *= 10;
    }
    Some(ns)
}

/// Length of a zone abbreviation at the head of `value` (Go's
/// `parseTimeZone`, without its `GMT+h` arithmetic beyond the sign).
fn zone_name_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if value.starts_with("GMT") {
        let r = &b[3..];
        if let Some(&s) = r.first()
            && (s == b'+' || s == b'-')
        {
            let n = r[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n > 0 {
                return Some(4 + n);
            }
        }
        return Some(3);
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        return (n > 0).then_some(1 + n);
    }
    let n = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match n {
        3 => Some(3),
        4 if b[3] == b'T' || value.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// `time.ParseInLocation(layout, value, time.Local)` with Local = UTC:
/// the time, or Go's parse error text.
pub(crate) fn parse(layout: &str, value_in: &str) -> Result<GoTime, String> {
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0u32);
    let (mut pm, mut am) = (false, false);
    let mut utc = false;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name = String::new();
    let mut layout_rest = layout;
    let mut value = value_in;
    loop {
        let (prefix, std, suffix) = next_chunk(layout_rest);
        let elem = &layout_rest[prefix.len()..layout_rest.len() - suffix.len()];
        value =
            skip(value, prefix).map_err(|()| parse_error(layout, value_in, prefix, value, ""))?;
        let Some(std) = std else {
            if !value.is_empty() {
                return Err(parse_error(
                    layout,
                    value_in,
                    "",
                    value,
                    &format!(": extra text: {}", go_quote(value)),
                ));
            }
            break;
        };
        layout_rest = suffix;
        let hold = value;
        let mut range_err = "";
        let ok: Option<()> = (|| {
            match std {
                Std::Year => {
                    let p = value.get(..2)?;
                    let y: i64 = p
                        .parse()
                        .ok()
                        .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))?;
                    year = if y >= 69 { y + 1900 } else { y + 2000 };
                    value = &value[2..];
                }
                Std::LongYear => {
                    let p = value.get(..4)?;
                    if !p.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    year = p.parse().ok()?;
                    value = &value[4..];
                }
                Std::Month | Std::LongMonth => {
                    let names: Vec<&str> = if std == Std::Month {
                        LONG_MONTHS.iter().map(|m| &m[..3]).collect()
                    } else {
                        LONG_MONTHS.to_vec()
                    };
                    let (i, r) = lookup_name(&names, value)?;
                    month = i64::try_from(i).ok()? + 1;
                    value = r;
                }
                Std::NumMonth | Std::ZeroMonth => {
                    let (m, r) = getnum(value, std == Std::ZeroMonth)?;
                    month = m;
                    value = r;
                    if !(1..=12).contains(&m) {
                        range_err = "month";
                    }
                }
                Std::WeekDay | Std::LongWeekDay => {
                    let names: Vec<&str> = if std == Std::WeekDay {
                        LONG_DAYS.iter().map(|d| &d[..3]).collect()
                    } else {
                        LONG_DAYS.to_vec()
                    };
                    value = lookup_name(&names, value)?.1;
                }
                Std::Day | Std::UnderDay | Std::ZeroDay => {
                    if std == Std::UnderDay {
                        value = value.strip_prefix(' ').unwrap_or(value);
                    }
                    let (d, r) = getnum(value, std == Std::ZeroDay)?;
                    day = d;
                    value = r;
                }
                Std::UnderYearDay | Std::ZeroYearDay => {
                    if std == Std::UnderYearDay {
                        for _ in 0..2 {
                            value = value.strip_prefix(' ').unwrap_or(value);
                        }
                    }
                    let (d, r) = getnum3(value, std == Std::ZeroYearDay)?;
                    yday = d;
                    value = r;
                }
                Std::Hour => {
                    let (h, r) = getnum(value, false)?;
                    hour = h;
                    value = r;
                    if h >= 24 {
                        range_err = "hour";
                    }
                }
                Std::Hour12 | Std::ZeroHour12 => {
                    let (h, r) = getnum(value, std == Std::ZeroHour12)?;
                    hour = h;
                    value = r;
                    if h > 12 {
                        range_err = "hour";
                    }
                }
                Std::Minute | Std::ZeroMinute => {
                    let (m, r) = getnum(value, std == Std::ZeroMinute)?;
                    min = m;
                    value = r;
                    if m >= 60 {
                        range_err = "minute";
                    }
                }
                Std::Second | Std::ZeroSecond => {
                    let (s, r) = getnum(value, std == Std::ZeroSecond)?;
                    sec = s;
                    value = r;
                    if s >= 60 {
                        range_err = "second";
                        return Some(());
                    }
                    // A fraction in the value that the layout does not
                    // have right after the seconds is read anyway.
                    let b = value.as_bytes();
                    if b.len() >= 2 && matches!(b[0], b'.' | b',') && b[1].is_ascii_digit() {
                        if let (_, Some(Std::Frac { .. }), _) = next_chunk(layout_rest) {
                            return Some(());
                        }
                        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        nsec = nanos(value, n)?;
                        value = &value[n..];
                    }
                }
                Std::PM | Std::Pm => {
                    let p = value.get(..2)?;
                    let (up, down) = if std == Std::PM {
                        ("PM", "AM")
                    } else {
                        ("pm", "am")
                    };
                    if p == up {
                        pm = true;
                    } else if p == down {
                        am = true;
                    } else {
                        return None;
                    }
                    value = &value[2..];
                }
                Std::Tz(tz) => {
                    if tz.iso
                        && let Some(r) = value.strip_prefix('Z')
                    {
                        value = r;
                        utc = true;
                        return Some(());
                    }
                    let b = value.as_bytes();
                    let (sign, hh, mm, ss, len) = match (tz.colon, tz.width) {
                        (true, TzWidth::Minutes) => {
                            if b.len() < 6 || b[3] != b':' {
                                return None;
                            }
                            (b[0], &value[1..3], &value[4..6], "00", 6)
                        }
                        (_, TzWidth::Hour) => {
                            if b.len() < 3 {
                                return None;
                            }
                            (b[0], value.get(1..3)?, "00", "00", 3)
                        }
                        (true, TzWidth::Seconds) => {
                            if b.len() < 9 || b[3] != b':' || b[6] != b':' {
                                return None;
                            }
                            (b[0], &value[1..3], &value[4..6], &value[7..9], 9)
                        }
                        (false, TzWidth::Seconds) => {
                            if b.len() < 7 {
                                return None;
                            }
                            (
                                b[0],
                                value.get(1..3)?,
                                value.get(3..5)?,
                                value.get(5..7)?,
                                7,
                            )
                        }
                        (false, TzWidth::Minutes) => {
                            if b.len() < 5 {
                                return None;
                            }
                            (b[0], value.get(1..3)?, value.get(3..5)?, "00", 5)
                        }
                    };
                    let h = getnum(hh, true)?.0;
                    let m = getnum(mm, true)?.0;
                    let s = getnum(ss, true)?.0;
                    if h > 24 {
                        range_err = "time zone offset hour";
                    }
                    if m > 60 {
                        range_err = "time zone offset minute";
                    }
                    if s > 60 {
                        range_err = "time zone offset second";
                    }
                    let off = (h * 60 + m) * 60 + s;
                    zone_offset = Some(match sign {
                        b'+' => off,
                        b'-' => -off,
                        _ => return None,
                    });
                    value = value.get(len..)?;
                }
                Std::ZoneName => {
                    if let Some(r) = value.strip_prefix("UTC") {
                        utc = true;
                        value = r;
                        return Some(());
                    }
                    let n = zone_name_len(value)?;
                    zone_name = value[..n].to_string();
                    value = &value[n..];
                }
                Std::Frac { digits, trim, .. } => {
                    if trim {
                        let b = value.as_bytes();
                        if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                            return Some(());
                        }
                        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        nsec = nanos(value, n)?;
                        value = &value[n..];
                    } else {
                        let n = 1 + digits;
                        if value.len() < n {
                            return None;
                        }
                        nsec = nanos(value, n)?;
                        value = value.get(n..)?;
                    }
                }
            }
            Some(())
        })();
        if !range_err.is_empty() {
            return Err(parse_error(
                layout,
                value_in,
                elem,
                value,
                &format!(": {range_err} out of range"),
            ));
        }
        if ok.is_none() {
            return Err(parse_error(layout, value_in, elem, hold, ""));
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let (mut m, mut d) = (0, 0);
        let leap = is_leap(year);
        if yday < 1 || yday > 365 + i64::from(leap) {
            return Err(parse_error(
                layout,
                value_in,
                "",
                value,
                ": day-of-year out of range",
            ));
        }
        if m == 0 {
            let mut left = yday;
            m = 1;
            while left > days_in(m, year) {
                left -= days_in(m, year);
                m += 1;
            }
            d = left;
        }
        if month >= 0 && month != m || day >= 0 && day != d {
            return Err(parse_error(
                layout,
                value_in,
                "",
                value,
                ": day-of-year does not match month",
            ));
        }
        month = m;
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(parse_error(
            layout,
            value_in,
            "",
            value,
            ": day out of range",
        ));
    }
    let wall = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec;
    if utc {
        return Ok(GoTime {
            nsec,
            ..GoTime::from_unix(wall)
        });
    }
    if let Some(off) = zone_offset {
        let unix = wall - off;
        // The local zone (UTC) is used when its offset is the one given.
        if off == 0 && (zone_name.is_empty() || zone_name == "UTC") {
            return Ok(GoTime {
                nsec,
                ..GoTime::from_unix(unix)
            });
        }
        return Ok(GoTime {
            unix,
            nsec,
            offset: i32::try_from(off).unwrap_or(0),
            zone: zone_name,
        });
    }
    if !zone_name.is_empty() {
        // An abbreviation the local zone (UTC) does not know: a zone of
        // that name with offset 0, or GMT's offset in hours.
        let mut off = 0i64;
        if let Some(h) = zone_name.strip_prefix("GMT") {
            off = h.parse::<i64>().unwrap_or(0) * 3600;
        }
        return Ok(GoTime {
            unix: wall - off,
            nsec,
            offset: i32::try_from(off).unwrap_or(0),
            zone: zone_name,
        });
    }
    Ok(GoTime {
        nsec,
        ..GoTime::from_unix(wall)
    })
}

/// A time as a template value: a `time.Time` that prints through
/// `String()`, marshals as RFC 3339, and answers its niladic methods
/// (`.Unix`, `.Year`, …) as fields.
pub(crate) fn to_value(t: &GoTime) -> Value {
    let c = t.civil();
    let mut e = Entries::new();
    let mut put = |k: &str, v: Value| {
        e.insert(Arc::from(k), v);
    };
    put("String", Value::str(&t.string()));
    put("Unix", Value::int64(t.unix));
    put(
        "UnixMilli",
        Value::int64(
            t.unix
                .saturating_mul(1000)
                .saturating_add(i64::from(t.nsec / 1_000_000)),
        ),
    );
    put(
        "UnixNano",
        Value::int64(
            t.unix
                .saturating_mul(1_000_000_000)
                .saturating_add(i64::from(t.nsec)),
        ),
    );
    put("Year", Value::int(c.year));
    put("Month", Value::str(LONG_MONTHS[month_index(c.month)]));
    put("Day", Value::int(c.day));
    put("YearDay", Value::int(c.yday));
    put("Weekday", Value::str(LONG_DAYS[c.weekday]));
    put("Hour", Value::int(c.hour));
    put("Minute", Value::int(c.min));
    put("Second", Value::int(c.sec));
    put("Nanosecond", Value::int(i64::from(t.nsec)));
    put("IsZero", Value::Bool(t.unix == ZERO_UNIX && t.nsec == 0));
    put(NSEC, Value::int(i64::from(t.nsec)));
    put(OFFSET, Value::int(i64::from(t.offset)));
    put(ZONE, Value::str(&t.zone));
    Value::Map(Map::typed(&TIME, e))
}

/// Hidden entries (no template can name a field starting with `@`).
const NSEC: &str = "@nsec";
const OFFSET: &str = "@offset";
const ZONE: &str = "@zone";

/// Whether a map is a `time.Time`.
pub(crate) fn is_time(m: &Map) -> bool {
    m.go_type().is_some_and(|t| std::ptr::eq(t, &TIME))
}

/// The time a template value holds, if it is a `time.Time`.
pub(crate) fn from_value(v: &Value) -> Option<GoTime> {
    let Value::Map(m) = v else { return None };
    if !is_time(m) {
        return None;
    }
    let int = |k: &str| m.get(k).and_then(|v| v.as_int()).unwrap_or(0);
    Some(GoTime {
        unix: int("Unix"),
        nsec: u32::try_from(int(NSEC)).unwrap_or(0),
        offset: i32::try_from(int(OFFSET)).unwrap_or(0),
        zone: m
            .get(ZONE)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    })
}

/// RFC 3339 text of a `time.Time` map (for TOML and JSON).
pub(crate) fn rfc3339_nano(m: &Map) -> Option<String> {
    is_time(m)
        .then(|| from_value(&Value::Map(m.clone())))
        .flatten()
        .map(|t| t.rfc3339_nano())
}

/// A time as BurntSushi/toml encodes it: a local date-time, date or time
/// (the zones `fromToml` gives them) without a zone, as TOML wrote them;
/// any other time RFC 3339.
pub(crate) fn toml_text(m: &Map) -> Option<String> {
    let t = is_time(m)
        .then(|| from_value(&Value::Map(m.clone())))
        .flatten()?;
    Some(match t.zone.as_str() {
        "datetime-local" => t.format("2006-01-02T15:04:05.999999999"),
        "date-local" => t.format("2006-01-02"),
        "time-local" => t.format("15:04:05.999999999"),
        _ => t.rfc3339_nano(),
    })
}

/// A TOML date-time as BurntSushi decodes it: an offset date-time in
/// that zone (UTC for `Z` and `+00:00`, Helm's local zone), a local
/// date-time, date or time in the fixed zones it names `datetime-local`,
/// `date-local` and `time-local`.
pub(crate) fn from_toml_datetime(d: &toml::value::Datetime) -> Option<GoTime> {
    let (year, month, day) = d.date.map_or((0, 1, 1), |d| {
        (i64::from(d.year), i64::from(d.month), i64::from(d.day))
    });
    let (hour, min, sec, nsec) = d.time.map_or((0, 0, 0, 0), |t| {
        (
            i64::from(t.hour),
            i64::from(t.minute),
            i64::from(t.second.unwrap_or(0)),
            t.nanosecond.unwrap_or(0),
        )
    });
    let wall = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec;
    let (offset, zone) = match (d.offset, d.date, d.time) {
        (Some(toml::value::Offset::Z), _, _) => (0, "UTC".to_string()),
        (Some(toml::value::Offset::Custom { minutes }), _, _) => {
            let off = i32::from(minutes) * 60;
            (
                off,
                if off == 0 {
                    "UTC".into()
                } else {
                    String::new()
                },
            )
        }
        (None, Some(_), Some(_)) => (0, "datetime-local".into()),
        (None, Some(_), None) => (0, "date-local".into()),
        (None, None, _) => (0, "time-local".into()),
    };
    Some(GoTime {
        unix: wall - i64::from(offset),
        nsec,
        offset,
        zone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_go() {
        let t = GoTime::from_unix(1_700_000_000);
        assert_eq!(
            t.format("2006-01-02 15:04:05 MST -0700 Z07:00 Mon Jan _2 3PM .000"),
            "2023-11-14 22:13:20 UTC +0000 Z Tue Nov 14 10PM .000"
        );
        assert_eq!(t.string(), "2023-11-14 22:13:20 +0000 UTC");
        assert_eq!(GoTime::zero().string(), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            GoTime::from_unix(0).format("Monday January 2 2006 __2 002"),
            "Thursday January 1 1970   1 001"
        );
        let half = GoTime::from_unix(0).add_nanos(1_500_000_000);
        assert_eq!(half.format("05.999|05.000000|05,9"), "01.5|01.500000|01,5");
    }

    #[test]
    fn parses_as_go() {
        let t = parse("2006-01-02", "2024-02-29").unwrap();
        assert_eq!(t.string(), "2024-02-29 00:00:00 +0000 UTC");
        let t = parse("2006-01-02T15:04:05Z07:00", "2024-02-29T13:45:00+02:00").unwrap();
        assert_eq!(t.string(), "2024-02-29 13:45:00 +0200 +0200");
        assert_eq!(t.unix, 1_709_207_100);
        let t = parse("2006-01-02 15:04:05", "2024-01-01 10:00:00.25").unwrap();
        assert_eq!(t.nsec, 250_000_000);
        assert_eq!(
            parse("2006-01-02", "bad").unwrap_err(),
            r#"parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006""#
        );
        assert_eq!(
            parse("2006-01-02", "2023-02-29").unwrap_err(),
            r#"parsing time "2023-02-29": day out of range"#
        );
        assert_eq!(
            parse("2006-01-02", "2023-13-01").unwrap_err(),
            r#"parsing time "2023-13-01": month out of range"#
        );
        assert_eq!(
            parse("2006", "2023x").unwrap_err(),
            r#"parsing time "2023x": extra text: "x""#
        );
    }
}
