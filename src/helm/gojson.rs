//! `encoding/json`'s syntax errors, in Go's words.
//!
//! `fromJson`, `fromJsonArray` and `mustFromJson` return (or fail with)
//! the text of Go's error, which charts can print; serde_json finds the
//! same invalid documents but words them its own way (`expected value at
//! line 1 column 1`). This is Go's scanner (`checkValid`) as a recursive
//! descent: the first byte it refuses, with the context Go names
//! (`invalid character 'a' looking for beginning of value`), or
//! `unexpected end of JSON input`.

/// Go's `SyntaxError` text for `text`, or `None` when it is valid JSON.
pub(crate) fn syntax_error(text: &str) -> Option<String> {
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let r = s.value().and_then(|()| {
        s.ws();
        match s.peek() {
            None => Ok(()),
            Some(c) => Err(invalid(c, "after top-level value")),
        }
    });
    r.err()
}

const EOF: &str = "unexpected end of JSON input";

/// Go's `quoteChar`: the byte as a rune, quoted with single quotes.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        c => {
            let q = crate::gotemplate::go_quote(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

type R = Result<(), String>;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The next byte, or Go's end-of-input error.
    fn need(&self) -> Result<u8, String> {
        self.peek().ok_or_else(|| EOF.to_string())
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> R {
        self.ws();
        let c = self.need()?;
        match c {
            b'{' => self.nested(Self::object),
            b'[' => self.nested(Self::array),
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            c => Err(invalid(c, "looking for beginning of value")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> R) -> R {
        self.depth += 1;
        if self.depth > 10_000 {
            return Err("exceeded max depth".into());
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn object(&mut self) -> R {
        self.i += 1;
        self.ws();
        if self.need()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            let c = self.need()?;
            if c != b'"' {
                return Err(invalid(c, "looking for beginning of object key string"));
            }
            self.string()?;
            self.ws();
            let c = self.need()?;
            if c != b':' {
                return Err(invalid(c, "after object key"));
            }
            self.i += 1;
            self.value()?;
            self.ws();
            match self.need()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                c => return Err(invalid(c, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> R {
        self.i += 1;
        self.ws();
        if self.need()? == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.ws();
            match self.need()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                c => return Err(invalid(c, "after array element")),
            }
        }
    }

    fn string(&mut self) -> R {
        self.i += 1;
        loop {
            let c = self.need()?;
            self.i += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.need()?;
                    self.i += 1;
                    match e {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.need()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(invalid(h, "in \\u hexadecimal character escape"));
                                }
                                self.i += 1;
                            }
                        }
                        e => return Err(invalid(e, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> R {
        if self.peek() == Some(b'-') {
            self.i += 1;
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let c = self.need()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> R {
        self.i += 1;
        for want in word.bytes().skip(1) {
            let c = self.need()?;
            if c != want {
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(want)),
                ));
            }
            self.i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    #[test]
    fn errors_as_encoding_json() {
        for (text, want) in [
            (
                "a: 1",
                "invalid character 'a' looking for beginning of value",
            ),
            ("- 1\n- x", "invalid character ' ' in numeric literal"),
            ("", "unexpected end of JSON input"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            (
                "{1}",
                "invalid character '1' looking for beginning of object key string",
            ),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            ("tru", "unexpected end of JSON input"),
            (
                "nul!",
                "invalid character '!' in literal null (expecting 'l')",
            ),
            ("\"\\q\"", "invalid character 'q' in string escape code"),
            ("{} x", "invalid character 'x' after top-level value"),
            ("01", "invalid character '1' after top-level value"),
        ] {
            assert_eq!(syntax_error(text).as_deref(), Some(want), "{text:?}");
        }
        assert_eq!(
            syntax_error(" {\"a\": [1, -2.5e3, \"\\u00e9\", null]} "),
            None
        );
    }
}
