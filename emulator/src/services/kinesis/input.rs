//! The call's JSON input, read as Kinesis reads it: members of the wrong
//! type are `SerializationException`s, values outside their constraints
//! `ValidationException`s in AWS's words; timestamps are epoch seconds
//! with milliseconds.

use super::wire::{constraint, serialization};
use crate::error::{AwsError, AwsResult};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

/// The call's JSON input; `null` members count as absent.
pub struct Input(Map<String, Value>);

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
        self.str(name)?.ok_or_else(|| AwsError::missing_parameter(name))
    }

    /// An integer member, checked against `min..=max` as AWS checks it.
    pub fn int(&self, name: &str, min: i64, max: i64) -> AwsResult<Option<i64>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let n = value
            .as_i64()
            .ok_or_else(|| serialization(format!("{name} must be an integer")))?;
        if n < min {
            return Err(constraint(
                &n.to_string(),
                name,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        if n > max {
            return Err(constraint(
                &n.to_string(),
                name,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        Ok(Some(n))
    }

    /// A page size: `min..=max` is valid, more than `cap` reads as `cap`.
    pub fn page_size(&self, name: &str, max: i64, cap: usize) -> AwsResult<usize> {
        Ok(self
            .int(name, 1, max)?
            .map_or(cap, |n| usize::try_from(n).unwrap_or(cap).min(cap)))
    }

    /// A timestamp: epoch seconds (as the SDKs send it) or ISO 8601.
    pub fn timestamp(&self, name: &str) -> AwsResult<Option<OffsetDateTime>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let bad = || serialization(format!("{name} must be a timestamp"));
        let parsed =
            match value {
                Value::Number(n) => n.as_f64().and_then(from_epoch_seconds),
                Value::String(s) => s.parse::<f64>().ok().and_then(from_epoch_seconds).or_else(|| {
                    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
                }),
                _ => None,
            };
        parsed.map(Some).ok_or_else(bad)
    }

    /// A JSON object of strings (a `TagMap`), in key order.
    pub fn string_map(&self, name: &str) -> AwsResult<Option<Vec<(String, String)>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let map = value
            .as_object()
            .ok_or_else(|| serialization(format!("{name} must be an object")))?;
        let mut pairs = map
            .iter()
            .map(|(k, v)| Ok((k.clone(), as_str(v, name)?.to_string())))
            .collect::<AwsResult<Vec<_>>>()?;
        pairs.sort();
        Ok(Some(pairs))
    }

    /// A JSON array of objects, each as an input of its own.
    pub fn objects(&self, name: &str) -> AwsResult<Option<Vec<Input>>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let list = value
            .as_array()
            .ok_or_else(|| serialization(format!("{name} must be an array")))?;
        list.iter()
            .map(|v| match v {
                Value::Object(map) => Ok(Input(map.clone())),
                _ => Err(serialization(format!("Each of {name} must be an object"))),
            })
            .collect::<AwsResult<Vec<_>>>()
            .map(Some)
    }

    /// A JSON array of strings.
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
}

fn as_str<'v>(value: &'v Value, name: &str) -> AwsResult<&'v str> {
    value
        .as_str()
        .ok_or_else(|| serialization(format!("{name} must be a string")))
}

#[allow(clippy::cast_possible_truncation)] // milliseconds since 1970 fit an i64
fn from_epoch_seconds(seconds: f64) -> Option<OffsetDateTime> {
    if !seconds.is_finite() {
        return None;
    }
    let millis = (seconds * 1000.0).round() as i64;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

/// A timestamp as Kinesis sends it: epoch seconds with milliseconds.
#[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit an f64 exactly
pub fn epoch_seconds(at: OffsetDateTime) -> Value {
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    json!(millis as f64 / 1000.0)
}

/// The emulator clock's now, with the millisecond precision of Kinesis timestamps.
pub fn now(clock: &crate::clock::Clock) -> OffsetDateTime {
    let now = clock.now_precise();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}
