//! Percent-encoding as AWS uses it: RFC 3986's unreserved characters
//! (`A-Z a-z 0-9 - _ . ~`) stay as they are, every other byte is `%XX`
//! (AWS General Reference, "Create a canonical request": "URI-encode each
//! parameter name and value … Do not URI-encode any of the unreserved
//! characters that RFC 3986 defines"). SigV4's canonical forms, the query
//! strings the emulator writes and `otpauth://` URIs all use it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters.
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`UNRESERVED`], keeping `/` too (an S3 object key in a path).
pub const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// `text` with every byte but the unreserved characters as `%XX`.
pub fn uri_encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}
