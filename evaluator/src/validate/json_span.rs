//! A small JSON reader that remembers where every value is.
//!
//! Access Analyzer's findings point into the policy text: "locations":
//! [{"path": […], "span": {"start": {"line", "column", "offset"}, "end": …}}]
//! (Access Analyzer API reference, `Location`, `Span`, `Position`). Its own
//! replies (see `awslabs/terraform-iam-policy-validator`, example report 3)
//! count lines from 1, columns and offsets from 0, and end a span just past
//! the value, quotes included; this reader does the same, counting
//! characters. The grammar is RFC 8259 as `serde_json` reads it (which the
//! evaluator's [`crate::parse`] uses), so both accept the same texts:
//! no trailing commas, no comments, no control characters in strings, no
//! lone surrogates, at most 128 levels of nesting. Keys are kept in order,
//! duplicates included.

use std::fmt;

/// Nesting deeper than this is refused, as `serde_json` refuses it.
const MAX_DEPTH: usize = 128;

/// A place in the text: line from 1, column and offset (characters) from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// From the first character of a value to just past its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A JSON value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Json,
    pub span: Span,
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// The JSON value itself; numbers keep their text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The first member called `key` (element names are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// The JSON type's name as Access Analyzer writes it.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Json::Null => "Null",
            Json::Bool(_) => "Boolean",
            Json::Number(_) => "Number",
            Json::String(_) => "String",
            Json::Array(_) => "Array",
            Json::Object(_) => "Object",
        }
    }
}

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Pos,
    pub message: &'static str,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.at.line, self.at.column
        )
    }
}

/// Reads one JSON value (and nothing after it but white space).
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        index: 0,
        pos: Pos {
            line: 1,
            column: 0,
            offset: 0,
        },
    };
    reader.skip_space();
    let node = reader.value(0)?;
    reader.skip_space();
    if reader.peek().is_some() {
        return Err(reader.error("trailing characters after the JSON value"));
    }
    Ok(node)
}

struct Reader {
    chars: Vec<char>,
    index: usize,
    pos: Pos,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.index).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.index += 1;
        self.pos.offset += 1;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 0;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: &'static str) -> SyntaxError {
        SyntaxError {
            at: self.pos,
            message,
        }
    }

    fn expect(&mut self, wanted: char, message: &'static str) -> Result<(), SyntaxError> {
        if self.peek() == Some(wanted) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Json::String(self.string()?),
            Some('-' | '0'..='9') => Json::Number(self.number()?),
            Some('t') => self.word("true", Json::Bool(true))?,
            Some('f') => self.word("false", Json::Bool(false))?,
            Some('n') => self.word("null", Json::Null)?,
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("unexpected end of the document")),
        };
        Ok(Node {
            value,
            span: Span { start, end: self.pos },
        })
    }

    fn word(&mut self, word: &str, value: Json) -> Result<Json, SyntaxError> {
        for wanted in word.chars() {
            self.expect(wanted, "expected a value")?;
        }
        Ok(value)
    }

    fn nested(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            Err(self.error("nesting is too deep"))
        } else {
            Ok(depth + 1)
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        let depth = self.nested(depth)?;
        self.bump();
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth)?);
            self.skip_space();
            match self.bump() {
                Some(',') => {}
                Some(']') => return Ok(Json::Array(items)),
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        let depth = self.nested(depth)?;
        self.bump();
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some('"') {
                return Err(self.error("expected a key in double quotes"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            self.skip_space();
            self.expect(':', "expected ':'")?;
            self.skip_space();
            let value = self.value(depth)?;
            members.push(Member { key, key_span, value });
            self.skip_space();
            match self.bump() {
                Some(',') => {}
                Some('}') => return Ok(Json::Object(members)),
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some('"') => {
                    self.bump();
                    return Ok(out);
                }
                Some('\\') => {
                    self.bump();
                    out.push(self.escape()?);
                }
                Some(c) if u32::from(c) < 0x20 => {
                    return Err(self.error("control character in a string"));
                }
                Some(c) => {
                    self.bump();
                    out.push(c);
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.bump() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => return self.unicode_escape(),
            _ => return Err(self.error("invalid escape")),
        };
        Ok(c)
    }

    /// `\uXXXX`, with a surrogate pair read as one character.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.expect('\\', "lone surrogate in a \\u escape")?;
                self.expect('u', "lone surrogate in a \\u escape")?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in a \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in a \\u escape")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`; a number too large
    /// for a double is refused, as `serde_json` refuses it.
    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.index;
        if self.peek() == Some('-') {
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                self.bump();
            }
            Some('1'..='9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        let mut real = false;
        if self.peek() == Some('.') {
            real = true;
            self.bump();
            self.required_digits()?;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            real = true;
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            self.required_digits()?;
        }
        let text: String = self.chars[start..self.index].iter().collect();
        if real && !text.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(self.error("number out of range"));
        }
        Ok(text)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some('0'..='9')) {
            self.bump();
        }
    }

    fn required_digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some('0'..='9')) {
            return Err(self.error("invalid number"));
        }
        self.digits();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_lines_from_one_and_columns_from_zero() {
        let text = "{\n    \"Action\": \"s3:ListBuckets\"\n}";
        let node = parse(text).unwrap();
        let action = &node.get("Action").unwrap().value;
        assert_eq!(
            action.span,
            Span {
                start: Pos {
                    line: 2,
                    column: 14,
                    offset: 16
                },
                end: Pos {
                    line: 2,
                    column: 30,
                    offset: 32
                },
            }
        );
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        let cases = [
            "{}",
            "[1, 2.5e3, -0, true, false, null, \"a\\u00e9\\ud83d\\ude00\"]",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"a\u{1}\"",
            "1e400",
            "{\"a\" 1}",
            "nul",
            "{} x",
            "",
            "\u{feff}{}",
        ];
        for text in cases {
            assert_eq!(
                parse(text).is_ok(),
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text:?}"
            );
        }
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert!(parse(&deep).is_err() && serde_json::from_str::<serde_json::Value>(&deep).is_err());
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let node = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let keys: Vec<_> = node.as_object().unwrap().iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["a", "a"]);
    }
}
