//! The call's JSON input, read as Organizations reads it: a member of the
//! wrong JSON type is a `SerializationException`; a value outside its
//! shape's constraints (botocore's patterns and lengths) an
//! `InvalidInputException` with the reason (`INVALID_PATTERN`,
//! `MAX_LENGTH_EXCEEDED`, …); the ids are checked against the patterns of
//! their shapes. Also: the opaque `NextToken`s of the List operations.

use super::wire::{invalid_input, invalid_input_because};
use crate::error::{AwsError, AwsResult, Json};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{Map, Value};

/// The call's JSON input; `null` members count as absent.
pub struct Input(Map<String, Value>);

fn serialization(message: impl Into<String>) -> AwsError {
    AwsError::new(Json::SerializationException, message)
}

impl Input {
    pub fn parse(body: &[u8]) -> AwsResult<Input> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input(Map::new()));
        }
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Ok(Input(map)),
            Ok(_) => Err(serialization("The request body must be a JSON object.")),
            Err(e) => Err(serialization(format!("The request body is not valid JSON: {e}"))),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn str(&self, name: &str) -> AwsResult<Option<&str>> {
        self.get(name).map(|v| as_str(v, name)).transpose()
    }

    pub fn required_str(&self, name: &str) -> AwsResult<&str> {
        self.str(name)?.ok_or_else(|| {
            invalid_input_because(
                "INPUT_REQUIRED",
                format!("You must include a value for the required parameter {name}."),
            )
        })
    }

    /// A string member of `min..=max` characters.
    pub fn text(&self, name: &str, min: usize, max: usize) -> AwsResult<Option<&str>> {
        let Some(text) = self.str(name)? else {
            return Ok(None);
        };
        let len = text.chars().count();
        if len < min {
            return Err(invalid_input("MIN_LENGTH_EXCEEDED"));
        }
        if len > max {
            return Err(invalid_input("MAX_LENGTH_EXCEEDED"));
        }
        Ok(Some(text))
    }

    /// A required string member of `min..=max` characters.
    pub fn required_text(&self, name: &str, min: usize, max: usize) -> AwsResult<&str> {
        self.required_str(name)?;
        self.text(name, min, max).map(Option::unwrap_or_default)
    }

    /// A required id, checked against its shape's pattern.
    pub fn id(&self, name: &str, shape: IdShape) -> AwsResult<&str> {
        let id = self.required_str(name)?;
        shape.check(id)?;
        Ok(id)
    }

    /// An optional id, checked against its shape's pattern.
    pub fn optional_id(&self, name: &str, shape: IdShape) -> AwsResult<Option<&str>> {
        let Some(id) = self.str(name)? else {
            return Ok(None);
        };
        shape.check(id)?;
        Ok(Some(id))
    }

    /// A list of strings.
    pub fn string_list(&self, name: &str) -> AwsResult<Option<Vec<String>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let list = value
            .as_array()
            .ok_or_else(|| serialization(format!("{name} must be an array")))?;
        list.iter()
            .map(|v| as_str(v, name).map(str::to_string))
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }

    /// `Tags`: a list of `{"Key", "Value"}`, at most 50, keys unique and not
    /// `aws:`-prefixed, as Organizations checks them.
    pub fn tags(&self, name: &str) -> AwsResult<Vec<(String, String)>> {
        let Some(value) = self.get(name) else {
            return Ok(Vec::new());
        };
        let list = value
            .as_array()
            .ok_or_else(|| serialization(format!("{name} must be an array")))?;
        let mut tags: Vec<(String, String)> = Vec::with_capacity(list.len());
        for item in list {
            let key = item.get("Key").and_then(Value::as_str);
            let value = item.get("Value").and_then(Value::as_str);
            let (Some(key), Some(value)) = (key, value) else {
                return Err(serialization("Each tag must have a string Key and Value"));
            };
            check_tag_key(key)?;
            if value.chars().count() > 256 {
                return Err(invalid_input("MAX_LENGTH_EXCEEDED"));
            }
            if tags.iter().any(|(k, _)| k == key) {
                return Err(invalid_input("DUPLICATE_TAG_KEY"));
            }
            tags.push((key.to_string(), value.to_string()));
        }
        if tags.len() > 50 {
            return Err(super::wire::constraint("MAX_TAG_LIMIT_EXCEEDED"));
        }
        Ok(tags)
    }

    /// The page a List operation returns: where to start and how many.
    pub fn page(&self) -> AwsResult<Page> {
        let size = match self.get("MaxResults") {
            None => DEFAULT_PAGE,
            Some(v) => {
                let n = v
                    .as_i64()
                    .ok_or_else(|| serialization("MaxResults must be an integer"))?;
                if n < 1 {
                    return Err(invalid_input("MIN_VALUE_EXCEEDED"));
                }
                if n > 20 {
                    return Err(invalid_input("MAX_VALUE_EXCEEDED"));
                }
                usize::try_from(n).unwrap_or(DEFAULT_PAGE)
            }
        };
        let start = match self.str("NextToken")? {
            None => 0,
            Some(token) => decode_token(token).ok_or_else(|| invalid_input("INVALID_NEXT_TOKEN"))?,
        };
        Ok(Page { start, size })
    }
}

/// Tag keys: 1 to 128 characters, not `aws:`.
pub fn check_tag_key(key: &str) -> AwsResult<()> {
    let len = key.chars().count();
    if len == 0 {
        return Err(invalid_input("MIN_LENGTH_EXCEEDED"));
    }
    if len > 128 {
        return Err(invalid_input("MAX_LENGTH_EXCEEDED"));
    }
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Err(invalid_input("INVALID_SYSTEM_TAGS_PARAMETER"));
    }
    Ok(())
}

fn as_str<'v>(value: &'v Value, name: &str) -> AwsResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| serialization(format!("{name} must be a string")))
}

/// The page size when `MaxResults` is not given.
const DEFAULT_PAGE: usize = 20;

/// A page of a list: the items from `start`, at most `size` of them.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub start: usize,
    pub size: usize,
}

impl Page {
    /// The page's items of `all`, and the NextToken when more follow.
    pub fn of<T>(self, all: Vec<T>) -> (Vec<T>, Option<String>) {
        let total = all.len();
        let end = self.start.saturating_add(self.size).min(total);
        let next = (end < total).then(|| encode_token(end));
        let items = all
            .into_iter()
            .skip(self.start)
            .take(end.saturating_sub(self.start))
            .collect();
        (items, next)
    }
}

fn encode_token(start: usize) -> String {
    BASE64.encode(format!("organizations-page:{start}"))
}

fn decode_token(token: &str) -> Option<usize> {
    let bytes = BASE64.decode(token.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("organizations-page:")?.parse().ok()
}

/// The id shapes of the model, each with its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// `^r-[0-9a-z]{4,32}$`
    Root,
    /// `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`
    Unit,
    /// `^\d{12}$`
    Account,
    /// `^p-[0-9a-zA-Z_]{8,128}$`
    Policy,
    /// A root, OU or account.
    Target,
    /// A root or OU.
    Parent,
    /// An OU or account.
    Child,
    /// `^h-[0-9a-z]{8,32}$`
    Handshake,
    /// `^car-[a-z0-9]{8,32}$`
    CreateAccountRequest,
    /// A root, OU, account, policy, resource policy or transfer.
    Taggable,
    /// `^rt-[0-9a-z]{8,32}$`
    Transfer,
}

fn lower_alnum(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

fn policy_suffix(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub fn is_root_id(id: &str) -> bool {
    id.strip_prefix("r-").is_some_and(|s| lower_alnum(s, 4, 32))
}

pub fn is_unit_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("ou-") else {
        return false;
    };
    let Some((root, suffix)) = rest.split_once('-') else {
        return false;
    };
    lower_alnum(root, 4, 32) && lower_alnum(suffix, 8, 32)
}

pub fn is_account_id(id: &str) -> bool {
    iam_evaluator::arn::is_account_id(id)
}

pub fn is_policy_id(id: &str) -> bool {
    id.strip_prefix("p-").is_some_and(|s| policy_suffix(s, 8, 128))
}

impl IdShape {
    pub fn matches(self, id: &str) -> bool {
        match self {
            IdShape::Root => is_root_id(id),
            IdShape::Unit => is_unit_id(id),
            IdShape::Account => is_account_id(id),
            IdShape::Policy => is_policy_id(id),
            IdShape::Target => is_root_id(id) || is_unit_id(id) || is_account_id(id),
            IdShape::Parent => is_root_id(id) || is_unit_id(id),
            IdShape::Child => is_unit_id(id) || is_account_id(id),
            IdShape::Handshake => id.strip_prefix("h-").is_some_and(|s| lower_alnum(s, 8, 32)),
            IdShape::CreateAccountRequest => id.strip_prefix("car-").is_some_and(|s| lower_alnum(s, 8, 32)),
            IdShape::Taggable => {
                IdShape::Target.matches(id)
                    || is_policy_id(id)
                    || id.strip_prefix("rp-").is_some_and(|s| policy_suffix(s, 4, 128))
                    || id.strip_prefix("rt-").is_some_and(|s| policy_suffix(s, 8, 32))
            }
            IdShape::Transfer => id.strip_prefix("rt-").is_some_and(|s| lower_alnum(s, 8, 32)),
        }
    }

    fn check(self, id: &str) -> AwsResult<()> {
        if self.matches(id) {
            return Ok(());
        }
        Err(invalid_input(match self {
            IdShape::Target => "INVALID_PATTERN_TARGET_ID",
            IdShape::Policy => "INVALID_SYNTAX_POLICY_ID",
            _ => "INVALID_PATTERN",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_their_patterns() {
        assert!(IdShape::Root.matches("r-ab12"));
        assert!(!IdShape::Root.matches("r-AB12"));
        assert!(IdShape::Unit.matches("ou-ab12-abcdefgh"));
        assert!(!IdShape::Unit.matches("ou-ab12-abc"));
        assert!(IdShape::Policy.matches("p-FullAWSAccess"));
        assert!(IdShape::Policy.matches("p-RCPFullAWSAccess"));
        assert!(!IdShape::Policy.matches("p-short"));
        assert!(IdShape::Target.matches("123456789012"));
        assert!(!IdShape::Parent.matches("123456789012"));
        assert!(IdShape::Child.matches("123456789012"));
        assert!(IdShape::Taggable.matches("p-abcdefgh"));
        assert!(IdShape::Handshake.matches("h-abcdefgh12"));
        assert!(IdShape::CreateAccountRequest.matches("car-abcdefgh12"));
    }

    #[test]
    fn pages_carry_on_where_they_stopped() {
        let input = Input::parse(br#"{"MaxResults": 2}"#).unwrap();
        let (first, next) = input.page().unwrap().of(vec![1, 2, 3]);
        assert_eq!(first, [1, 2]);
        let body = format!(r#"{{"MaxResults": 2, "NextToken": "{}"}}"#, next.unwrap());
        let (second, next) = Input::parse(body.as_bytes())
            .unwrap()
            .page()
            .unwrap()
            .of(vec![1, 2, 3]);
        assert_eq!((second, next), (vec![3], None));
        let bad = Input::parse(br#"{"NextToken": "nope"}"#).unwrap();
        assert_eq!(bad.page().unwrap_err().code, "InvalidInputException");
    }
}
