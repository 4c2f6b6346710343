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

/// `len` lower-case letters and digits, as the ids of AWS Organizations
/// have them (`o-…`, `r-…`, `ou-…-…`, `p-…`).
pub fn lower_alnum(len: usize) -> String {
    random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
}

/// Twelve random digits: a new account id.
pub fn account_id() -> String {
    random_string(b"0123456789", 12)
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
///
/// Request ids need to be unique, not unpredictable: they come from a
/// per-thread generator seeded once from the operating system, instead of
/// a system call on every request (secrets and keys still use the OS).
pub fn request_id() -> String {
    let hi = fast_random();
    let lo = fast_random();
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&hi.to_le_bytes());
    b[8..].copy_from_slice(&lo.to_le_bytes());
    let mut h = [0u8; 32];
    // 32 bytes always hold the hex of 16.
    let _ = hex::encode_to_slice(b, &mut h);
    let h = std::str::from_utf8(&h).unwrap_or_default();
    let mut id = String::with_capacity(36);
    for part in [
        &h[0..8],
        "-",
        &h[8..12],
        "-4",
        &h[13..16],
        "-a",
        &h[17..20],
        "-",
        &h[20..32],
    ] {
        id.push_str(part);
    }
    id
}

/// An S3 object version id: 32 URL-safe characters that look random to
/// a client but hold the version's position among its key's versions
/// (`seq`, masked by the random tail), so a listing can resume after a
/// version that was deleted meanwhile and ids are told apart from junk.
pub fn object_version_id(seq: u64) -> String {
    let mut tail = [0u8; 16];
    tail[..8].copy_from_slice(&fast_random().to_le_bytes());
    tail[8..].copy_from_slice(&fast_random().to_le_bytes());
    object_version_id_with(seq, tail)
}

/// [`object_version_id`] with a given tail (a deterministic id).
pub fn object_version_id_with(seq: u64, tail: [u8; 16]) -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 24];
    for (i, b) in seq.to_be_bytes().into_iter().enumerate() {
        bytes[i] = b ^ tail[i];
    }
    bytes[8..].copy_from_slice(&tail);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The position an [`object_version_id`] holds; `None` for a string that
/// is not one.
pub fn object_version_seq(id: &str) -> Option<u64> {
    use base64::Engine as _;
    if id.len() != 32 {
        return None;
    }
    let bytes: [u8; 24] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .ok()?
        .try_into()
        .ok()?;
    let mut seq = [0u8; 8];
    for (i, b) in seq.iter_mut().enumerate() {
        *b = bytes[i] ^ bytes[8 + i];
    }
    Some(u64::from_be_bytes(seq))
}

thread_local! {
    static FAST_RANDOM: std::cell::Cell<u64> = std::cell::Cell::new(u64::from_le_bytes(random_bytes::<8>()));
}

/// splitmix64 over a per-thread state seeded from the OS: unique-looking
/// values without a system call (not for secrets).
fn fast_random() -> u64 {
    FAST_RANDOM.with(|state| {
        let next = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        state.set(next);
        let mut z = next;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// Now, as an ISO-8601 timestamp with seconds (`2024-05-01T12:00:00Z`).
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// A timestamp as IAM writes it.
pub fn iso8601(at: OffsetDateTime) -> String {
    // Most calls format the current second again (every request's
    // `aws:CurrentTime`): the last one is kept per thread.
    LAST_ISO8601.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((when, text)) = last.as_ref() {
            // Equal instants with other offsets are written differently.
            if *when == at && when.offset() == at.offset() {
                return text.clone();
            }
        }
        let text = at.format(&Rfc3339).unwrap_or_default();
        *last = Some((at, text.clone()));
        text
    })
}

thread_local! {
    static LAST_ISO8601: std::cell::RefCell<Option<(OffsetDateTime, String)>> =
        const { std::cell::RefCell::new(None) };
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

    #[test]
    fn object_version_ids_hold_their_position() {
        for seq in [0, 1, 2, 255, 1 << 40, u64::MAX] {
            let id = object_version_id(seq);
            assert_eq!(id.len(), 32, "{id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{id}"
            );
            assert_eq!(object_version_seq(&id), Some(seq));
        }
        assert_ne!(object_version_id(7), object_version_id(7));
        for junk in [
            "",
            "null",
            "abc",
            &"a".repeat(31),
            &"*".repeat(32),
            &"a".repeat(33),
        ] {
            assert_eq!(object_version_seq(junk), None, "{junk}");
        }
    }
}
