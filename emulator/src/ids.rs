//! Identifiers as AWS forms them: unique ids with their type prefix
//! (`AIDA` users, `AROA` roles, `ANPA` policies, `AGPA` groups, `AKIA`
//! long-term and `ASIA` temporary access keys), 40-character secrets,
//! request ids, and ISO-8601 timestamps.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Characters AWS uses in unique ids and access key ids.
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

fn random_string(alphabet: &[u8], len: usize) -> String {
    let bytes = random_bytes::<64>();
    bytes[..len]
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

/// A unique id such as `AIDA` + 17 characters (21 in all), as IAM returns.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", random_string(ID_ALPHABET, 21 - prefix.len()))
}

/// An access key id: `AKIA`/`ASIA` + 16 characters (20 in all).
pub fn access_key_id(prefix: &str) -> String {
    format!("{prefix}{}", random_string(ID_ALPHABET, 20 - prefix.len()))
}

/// A 40-character secret access key.
pub fn secret_access_key() -> String {
    random_string(SECRET_ALPHABET, 40)
}

/// A session token for temporary credentials.
pub fn session_token() -> String {
    let mut token = String::from("IQoJb3JpZ2luX2VjE");
    token.push_str(&random_string(SECRET_ALPHABET, 60));
    token
}

/// A request id in the UUID form AWS uses.
pub fn request_id() -> String {
    let b = random_bytes::<16>();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Now, as an ISO-8601 timestamp with seconds (`2024-05-01T12:00:00Z`).
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// A timestamp as IAM writes it.
pub fn iso8601(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_aws() {
        let id = unique_id("AIDA");
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AIDA"));
        let key = access_key_id("AKIA");
        assert_eq!(key.len(), 20);
        assert_eq!(secret_access_key().len(), 40);
        assert_eq!(request_id().len(), 36);
        assert!(iso8601(now()).ends_with('Z'));
    }
}
