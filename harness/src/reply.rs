//! A reply as a test sees it: status, body, and the XML fields in it.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// One HTTP reply from the emulator.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The body as text (XML for IAM/STS/S3, JSON for admin endpoints);
    /// bytes that are not UTF-8 are replaced (see [`Reply::bytes`]).
    pub body: String,
    /// The body exactly as received (S3 object data).
    pub bytes: Vec<u8>,
    /// Response headers, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The text of the first element named `name` (namespace prefix
    /// ignored), entities resolved; `None` when there is no such element.
    /// For an element with children it is all the text inside it.
    pub fn text(&self, name: &str) -> Option<String> {
        elements(&self.body)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }

    /// The texts of every element named `name`, in document order.
    pub fn texts(&self, name: &str) -> Vec<String> {
        elements(&self.body)
            .into_iter()
            .filter(|(n, _)| n == name)
            .map(|(_, t)| t)
            .collect()
    }

    /// `<Error><Code>` of a Query-protocol error reply.
    pub fn error_code(&self) -> Option<String> {
        self.error_field("Code")
    }

    /// `<Error><Message>` of a Query-protocol error reply.
    pub fn error_message(&self) -> Option<String> {
        self.error_field("Message")
    }

    fn error_field(&self, field: &str) -> Option<String> {
        if !self.body.contains("<Error>") {
            return None;
        }
        self.text(field)
    }

    /// A response header (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a response header (any case), in arrival order: a
    /// header S3 sends once must appear once.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body parsed as JSON (admin endpoints); panics when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("reply is not JSON ({e}): {}", self.body))
    }

    /// Whether the status is 2xx.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Panics (showing the body) unless the status is 2xx; returns the reply.
    #[track_caller]
    #[must_use]
    pub fn expect_ok(self) -> Self {
        assert!(
            self.is_ok(),
            "expected a 2xx reply, got {}: {}",
            self.status,
            self.body
        );
        self
    }

    /// Panics (showing the body) unless the reply is an error with this
    /// status and code; returns the reply.
    #[track_caller]
    #[must_use]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        assert_eq!(
            (self.status, self.error_code().as_deref()),
            (status, Some(code)),
            "unexpected reply: {}",
            self.body
        );
        self
    }

    /// Asserts the reply is the error `code` with HTTP `status` and exactly
    /// `message`, showing the body when it is not.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, message: &str) {
        assert_eq!(
            (
                self.status,
                self.error_code().as_deref(),
                self.error_message().as_deref()
            ),
            (status, Some(code), Some(message)),
            "{}",
            self.body
        );
    }

    /// `Credentials` of an AssumeRole / GetSessionToken reply, or the
    /// `AccessKey` of a CreateAccessKey reply.
    pub fn credentials(&self) -> Option<crate::Credentials> {
        Some(crate::Credentials {
            access_key_id: self.text("AccessKeyId")?,
            secret_access_key: self.text("SecretAccessKey")?,
            session_token: self.text("SessionToken"),
        })
    }
}

/// Every element of `xml` in document order with its local name and full
/// text content. Malformed XML yields what was read before the fault.
fn elements(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out: Vec<(String, String)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let append = |out: &mut Vec<(String, String)>, open: &[usize], text: &str| {
        for &i in open {
            out[i].1.push_str(text);
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                open.push(out.len());
                out.push((name, String::new()));
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push((name, String::new()));
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_or_else(|_| String::from_utf8_lossy(&t).into_owned(), Cow::into_owned);
                append(&mut out, &open, &text);
            }
            Ok(Event::CData(t)) => {
                append(&mut out, &open, &String::from_utf8_lossy(&t));
            }
            Ok(Event::GeneralRef(r)) => {
                let text = if let Ok(Some(c)) = r.resolve_char_ref() {
                    c.to_string()
                } else {
                    match String::from_utf8_lossy(&r).as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => format!("&{other};"),
                    }
                };
                append(&mut out, &open, &text);
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// Percent-decodes `text` (IAM returns policy documents URL-encoded).
pub fn url_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            body: body.into(),
            bytes: body.as_bytes().to_vec(),
            headers: Vec::new(),
        }
    }

    #[test]
    fn texts_and_entities() {
        let r = reply(
            r#"<ListUsersResponse xmlns="x"><ListUsersResult><Users><member><UserName>a&amp;b</UserName></member><member><UserName>c&#34;</UserName></member></Users><IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>"#,
        );
        assert_eq!(r.texts("UserName"), ["a&b", "c\""]);
        assert_eq!(r.texts("member"), ["a&b", "c\""]);
        assert_eq!(r.text("IsTruncated").as_deref(), Some("false"));
        assert_eq!(r.text("Marker"), None);
        assert_eq!(r.error_code(), None);
    }

    #[test]
    fn error_fields() {
        let r = reply(
            "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>gone &lt;x&gt;</Message></Error><RequestId>r</RequestId></ErrorResponse>",
        );
        assert_eq!(r.error_code().as_deref(), Some("NoSuchEntity"));
        assert_eq!(r.error_message().as_deref(), Some("gone <x>"));
    }

    #[test]
    fn decodes_documents() {
        assert_eq!(url_decode("%7B%22a%22%3A%201%7D"), r#"{"a": 1}"#);
    }
}
