//! The lexer: Go's `text/template/parse/lex.go`, item for item.
//!
//! Text between actions is one item; inside `{{ }}` the action's tokens.
//! Trim markers (`{{- ` and ` -}}`) trim the adjacent text's white space
//! here, as in Go: a comment action `{{- /* c */ -}}` trims on each side
//! only where it carries a marker.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Bool,
    Char,
    CharConstant,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

/// One token: its kind, byte offset in the source, and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub kind: Kind,
    pub pos: usize,
    pub val: String,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn keyword(word: &str) -> Option<Kind> {
    Some(match word {
        "." => Kind::Dot,
        "block" => Kind::Block,
        "break" => Kind::Break,
        "continue" => Kind::Continue,
        "define" => Kind::Define,
        "else" => Kind::Else,
        "end" => Kind::End,
        "if" => Kind::If,
        "range" => Kind::Range,
        "nil" => Kind::Nil,
        "template" => Kind::Template,
        "with" => Kind::With,
        _ => return None,
    })
}

/// Lexes a whole template into items; the last is `Eof` or `Error`.
pub(crate) fn lex(input: &str) -> Vec<Item> {
    let mut l = Lexer {
        input,
        start: 0,
        pos: 0,
        items: Vec::new(),
        paren_depth: 0,
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    items: Vec<Item>,
    paren_depth: usize,
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim(bool),
    Inside,
    Done,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit(&mut self, kind: Kind) {
        self.items.push(Item {
            kind,
            pos: self.start,
            val: self.input[self.start..self.pos].to_owned(),
        });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        self.items.push(Item {
            kind: Kind::Error,
            pos: self.start,
            val: msg,
        });
        State::Done
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim(trim) => self.lex_right_delim(trim),
                State::Inside => self.lex_inside(),
                State::Done => return,
            };
        }
    }

    /// Whether the input at `pos` is a right delimiter, possibly preceded
    /// by a trim marker; and whether it is.
    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest().as_bytes();
        if r.len() >= 2 && is_space(r[0]) && r[1] == b'-' && self.rest()[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (self.rest().starts_with(RIGHT), false)
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.rest().find(LEFT) {
            let delim_at = self.pos + x;
            let after = &self.input[delim_at + LEFT.len()..];
            let trim = has_left_trim(after);
            let mut end = delim_at;
            if trim {
                end = self.input[self.start..delim_at]
                    .trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8))
                    .len()
                    + self.start;
            }
            self.pos = end;
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.pos = delim_at;
            self.start = delim_at;
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.start = self.pos;
        self.items.push(Item {
            kind: Kind::Eof,
            pos: self.pos,
            val: String::new(),
        });
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.rest()[after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.start = self.pos;
            return State::Comment;
        }
        self.emit(Kind::LeftDelim);
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        State::Inside
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_left_space();
        }
        self.start = self.pos;
        State::Text
    }

    fn skip_left_space(&mut self) {
        let skipped = self.rest().len()
            - self
                .rest()
                .trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8))
                .len();
        self.pos += skipped;
    }

    fn lex_right_delim(&mut self, trim: bool) -> State {
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            self.skip_left_space();
            self.start = self.pos;
        }
        State::Text
    }

    fn lex_inside(&mut self) -> State {
        let (delim, trim) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim(trim);
            }
            return self.error("unclosed left paren".into());
        }
        let Some(c) = self.next() else {
            return self.error("unclosed action".into());
        };
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                // Spaces up to a trim marker's space, which belongs to it.
                self.pos -= 1;
                while let Some(c) = self.peek() {
                    if !(c.is_ascii() && is_space(c as u8)) {
                        break;
                    }
                    if self.at_right_delim().1 {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos == self.start {
                    // The space is the trim marker's: the delimiter is next.
                    return State::Inside;
                }
                self.emit(Kind::Space);
            }
            '=' => self.emit(Kind::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.emit(Kind::Declare);
            }
            '|' => self.emit(Kind::Pipe),
            '"' => return self.lex_quote(),
            '`' => return self.lex_raw_quote(),
            '$' => return self.lex_variable(),
            '\'' => return self.lex_char(),
            '.' => {
                if self.peek().is_none_or(|n| !n.is_ascii_digit()) {
                    return self.lex_field();
                }
                self.pos -= 1;
                return self.lex_number();
            }
            '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                return self.lex_number();
            }
            '(' => {
                self.emit(Kind::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                if self.paren_depth == 0 {
                    return self.error(format!("unexpected right paren {c:?}"));
                }
                self.paren_depth -= 1;
                self.emit(Kind::RightParen);
            }
            c if is_alnum(c) => {
                self.pos -= c.len_utf8();
                return self.lex_identifier();
            }
            c if (' '..='~').contains(&c) => {
                self.emit(Kind::Char);
            }
            c => {
                return self.error(format!("unrecognized character in action: {}", go_rune(c)));
            }
        }
        State::Inside
    }

    fn lex_identifier(&mut self) -> State {
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.error(format!("bad character {}", go_rune(c)));
        }
        let word = &self.input[self.start..self.pos];
        if let Some(k) = keyword(word) {
            self.emit(k);
        } else if word == "true" || word == "false" {
            self.emit(Kind::Bool);
        } else {
            self.emit(Kind::Identifier);
        }
        State::Inside
    }

    fn lex_field(&mut self) -> State {
        self.lex_field_or_variable(Kind::Field)
    }

    fn lex_variable(&mut self) -> State {
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> State {
        if self.at_terminator() {
            if kind == Kind::Variable {
                self.emit(Kind::Variable);
            } else {
                self.emit(Kind::Dot);
            }
            return State::Inside;
        }
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or(' ');
            return self.error(format!("bad character {}", go_rune(c)));
        }
        self.emit(kind);
        State::Inside
    }

    /// Whether the next character can end a word (space, end of action,
    /// punctuation that can follow an operand).
    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek() else {
            return true;
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) {
            return true;
        }
        self.rest().starts_with(RIGHT)
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    if self.next().is_some_and(|c| c != '\n') {
                        continue;
                    }
                    return self.error("unterminated character constant".into());
                }
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::CharConstant);
        State::Inside
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let bad = self.input[self.start..self.pos].to_owned();
            return self.error(format!("bad number syntax: {bad:?}"));
        }
        self.emit(Kind::Number);
        State::Inside
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek()
            && valid.contains(c)
        {
            self.pos += c.len_utf8();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 10 + 1 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 16 + 6 + 1 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    if self.next().is_some_and(|c| c != '\n') {
                        continue;
                    }
                    return self.error("unterminated quoted string".into());
                }
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::String);
        State::Inside
    }

    fn lex_raw_quote(&mut self) -> State {
        match self.rest().find('`') {
            Some(i) => {
                self.pos += i + 1;
                self.emit(Kind::RawString);
                State::Inside
            }
            None => self.error("unterminated raw quoted string".into()),
        }
    }
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
fn go_rune(c: char) -> String {
    format!("U+{:04X} '{c}'", c as u32)
}
