//! The AWS Query protocol (IAM 2010-05-08, STS 2011-06-15): parameters
//! arrive form-encoded in a POST body or in the URL query; replies are
//! `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` and
//! errors `<ErrorResponse><Error><Type>…<Code>…<Message>…`.

use super::xml::Xml;
use crate::error::{AwsError, AwsResult};
use std::collections::BTreeMap;

/// The parameters of a Query request.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parses form-encoded pairs from the URL query and the body; the body wins.
    pub fn parse(query: Option<&str>, body: &[u8]) -> Params {
        let mut values = BTreeMap::new();
        for source in [query.unwrap_or_default().as_bytes(), body] {
            for (k, v) in form_urlencoded::parse(source) {
                values.insert(k.into_owned(), v.into_owned());
            }
        }
        Params { values }
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        Params {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A parameter that must be present and non-empty.
    pub fn required(&self, name: &str) -> AwsResult<&str> {
        match self.get(name) {
            Some(v) => Ok(v),
            None => Err(AwsError::missing_parameter(name)),
        }
    }

    pub fn action(&self) -> Option<&str> {
        self.get("Action")
    }

    /// A list parameter: `Name.member.1`, `Name.member.2`, …
    pub fn list(&self, name: &str) -> Vec<String> {
        self.indexed(&format!("{name}.member."))
    }

    /// Key/value pairs such as `Tags.member.N.Key` / `.Value`.
    pub fn pairs(&self, name: &str, key: &str, value: &str) -> Vec<(String, String)> {
        let prefix = format!("{name}.member.");
        let mut out = Vec::new();
        for n in 1.. {
            let Some(k) = self.get(&format!("{prefix}{n}.{key}")) else {
                break;
            };
            let v = self.get(&format!("{prefix}{n}.{value}")).unwrap_or_default();
            out.push((k.to_string(), v.to_string()));
        }
        out
    }

    /// A list of structures with one field: `Name.member.N.field`.
    pub fn pairs_list(&self, name: &str, field: &str) -> Vec<String> {
        let mut out = Vec::new();
        for n in 1.. {
            match self.get(&format!("{name}.member.{n}.{field}")) {
                Some(v) => out.push(v.to_string()),
                None => break,
            }
        }
        out
    }

    fn indexed(&self, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        for n in 1.. {
            match self.get(&format!("{prefix}{n}")) {
                Some(v) => out.push(v.to_string()),
                None => break,
            }
        }
        out
    }

    /// An integer parameter within bounds, or `ValidationError`.
    pub fn int(&self, name: &str, min: i64, max: i64) -> AwsResult<Option<i64>> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let value: i64 = text.parse().map_err(|_| {
            AwsError::validation(format!(
                "Invalid value {text:?} for parameter {name}: not an integer"
            ))
        })?;
        if value < min || value > max {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: \
                 Member must have value {}",
                crate::error::lower_first(name),
                if value < min {
                    format!("greater than or equal to {min}")
                } else {
                    format!("less than or equal to {max}")
                }
            )));
        }
        Ok(Some(value))
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// Writes a successful Query reply around `result`.
pub fn response(action: &str, namespace: &str, request_id: &str, result: impl FnOnce(&mut Xml)) -> String {
    // The result is written on its own (the closure may replace the
    // writer it is given), then framed.
    let mut inner = Xml::default();
    result(&mut inner);
    let inner = inner.finish();
    let mut xml = Xml::new();
    xml.open_ns_suffixed(action, "Response", namespace);
    // `<ActionResult>` is written only around a result that is not empty.
    if !inner.is_empty() {
        xml.open_suffixed(action, "Result");
        xml.out_raw(&inner);
        xml.close_suffixed(action, "Result");
    }
    xml.with("ResponseMetadata", |x| {
        x.elem("RequestId", request_id);
    });
    xml.close_suffixed(action, "Response");
    xml.finish()
}

/// Writes a Query error reply.
pub fn error(err: &AwsError, namespace: &str, request_id: &str) -> String {
    let mut xml = Xml::new();
    xml.open_ns("ErrorResponse", namespace);
    xml.with("Error", |x| {
        x.elem("Type", if err.sender { "Sender" } else { "Receiver" });
        x.elem("Code", &err.code);
        x.elem("Message", &err.message);
    });
    xml.elem("RequestId", request_id);
    xml.close("ErrorResponse");
    xml.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_pairs() {
        let p = Params::parse(
            Some("Action=TagUser"),
            b"Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&TagKeys.member.1=x&TagKeys.member.2=y",
        );
        assert_eq!(p.action(), Some("TagUser"));
        assert_eq!(
            p.pairs("Tags", "Key", "Value"),
            [("a".into(), "1".into()), ("b".into(), String::new())]
        );
        assert_eq!(p.list("TagKeys"), ["x", "y"]);
    }

    #[test]
    fn response_shape() {
        let xml = response(
            "GetUser",
            "https://iam.amazonaws.com/doc/2010-05-08/",
            "rid",
            |x| {
                x.elem("User", "u");
            },
        );
        assert!(xml.contains("<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetUserResult><User>u</User></GetUserResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetUserResponse>"), "{xml}");
        let empty = response("DeleteUser", "ns", "rid", |_| {});
        assert!(
            empty.contains("<DeleteUserResponse xmlns=\"ns\"><ResponseMetadata>"),
            "{empty}"
        );
    }

    #[test]
    fn error_shape() {
        let xml = error(&AwsError::no_such_entity("gone"), "ns", "rid");
        assert!(xml.contains("<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>gone</Message></Error><RequestId>rid</RequestId>"));
    }
}
