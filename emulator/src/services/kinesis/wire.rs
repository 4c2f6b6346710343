//! The wire: Kinesis's JSON error replies (`{"__type", "message"}`, the
//! code also in `x-amzn-ErrorType`), the Kinesis names of errors shared
//! with other services (authentication, authorization), the errors
//! Kinesis words its own way, and the refusal of CBOR, in CBOR so that a
//! CBOR client can read why.

use crate::error::{codes, lower_first, AwsError, Json};
use crate::http::{HttpRequest, HttpResponse};
use serde_json::json;

pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

const CBOR_CONTENT_TYPE: &str = "application/x-amz-cbor-1.1";

/// Whether the request body is CBOR.
pub fn is_cbor(req: &HttpRequest) -> bool {
    req.header("content-type")
        .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with(CBOR_CONTENT_TYPE))
}

/// The answer to a CBOR request: how to turn CBOR off.
pub fn cbor_refused() -> AwsError {
    AwsError::new(
        Json::UnsupportedMediaTypeException,
        "iam-emulator speaks Kinesis in JSON (application/x-amz-json-1.1), not CBOR. \
         Turn CBOR off in your SDK: set the environment variable AWS_CBOR_DISABLE=1, \
         or the Java system property -Daws.cborEnabled=false.",
    )
}

/// An error as Kinesis words it: errors shared with other services (from
/// authentication and authorization) get their JSON-protocol names.
fn wire_error(err: &AwsError) -> AwsError {
    codes::renamed(err, codes::JSON_RENAMES)
}

/// A Kinesis error reply: `{"__type": CODE, "message": …}`.
pub fn error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let err = wire_error(err);
    let body = json!({"__type": err.code, "message": err.message});
    HttpResponse::new(err.status, JSON_CONTENT_TYPE, body.to_string())
        .with_header("x-amzn-requestid", request_id)
        .with_header("x-amzn-errortype", &err.code)
}

/// The same error in CBOR, so that a CBOR client can read its message.
pub fn cbor_error_response(err: &AwsError, request_id: &str) -> HttpResponse {
    let mut body = vec![0xa2]; // a map of two pairs
    for text in ["__type", &err.code, "message", &err.message] {
        cbor_text(&mut body, text);
    }
    HttpResponse::new(err.status, CBOR_CONTENT_TYPE, body)
        .with_header("x-amzn-requestid", request_id)
        .with_header("x-amzn-errortype", &err.code)
}

/// A CBOR text string (major type 3) with its length.
fn cbor_text(out: &mut Vec<u8>, text: &str) {
    let len = text.len();
    match (u8::try_from(len), u16::try_from(len)) {
        (Ok(n), _) if n < 24 => out.push(0x60 | n),
        (Ok(n), _) => out.extend([0x78, n]),
        (_, Ok(n)) => {
            out.push(0x79);
            out.extend(n.to_be_bytes());
        }
        _ => {
            out.push(0x7a);
            out.extend(u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
        }
    }
    out.extend(text.as_bytes());
}

// ---- errors Kinesis words its own way ----

pub fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(Json::ValidationException, message)
}

/// `1 validation error detected: Value 'V' at 'field' failed to satisfy constraint: RULE`.
pub fn constraint(value: &str, field: &str, rule: &str) -> AwsError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: {rule}",
        lower_first(field)
    ))
}

pub fn invalid_argument(message: impl Into<String>) -> AwsError {
    AwsError::new(Json::InvalidArgumentException, message)
}

pub fn serialization(message: impl Into<String>) -> AwsError {
    AwsError::new(Json::SerializationException, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_text_lengths() {
        let mut out = Vec::new();
        cbor_text(&mut out, "abc");
        assert_eq!(out, [0x63, b'a', b'b', b'c']);
        let long = "x".repeat(300);
        out.clear();
        cbor_text(&mut out, &long);
        assert_eq!(&out[..3], &[0x79, 0x01, 0x2c]);
        assert_eq!(out.len(), 303);
    }

    #[test]
    fn shared_errors_get_kinesis_names() {
        let denied = wire_error(&AwsError::access_denied("no"));
        assert_eq!(
            (denied.status, denied.code.as_str()),
            (400, "AccessDeniedException")
        );
        let missing = wire_error(&AwsError::missing_parameter("ShardId"));
        assert_eq!(missing.code, "ValidationException");
        assert!(missing.message.contains("'shardId'"));
    }
}
