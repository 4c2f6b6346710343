//! Time-based one-time passwords (RFC 6238) as AWS's virtual MFA devices
//! use them: HMAC-SHA1, six digits, 30-second steps, a 40-byte random
//! seed shown as Base32. Codes are computed by `totp-rs`; what a code
//! may match (which steps, once only) is decided here.

use totp_rs::{Algorithm, Secret, Totp};

/// Seconds per time step.
pub const STEP_SECONDS: u64 = 30;

/// How many steps either side of the device's expected step a single code
/// may come from (network delay, a slow typist): RFC 6238 §5.2 recommends
/// one.
const CODE_SKEW_STEPS: i64 = 1;

/// How far a device's clock may have drifted, in steps either side, for
/// EnableMFADevice to find its two codes (about five minutes).
const ENABLE_WINDOW_STEPS: i64 = 10;

/// How far ResyncMFADevice looks for the two codes (a device left in a
/// drawer for long drifts further; about an hour either side).
const RESYNC_WINDOW_STEPS: i64 = 120;

/// A fresh random seed (AWS's seeds are 40 bytes: 64 Base32 characters).
pub fn new_seed() -> Vec<u8> {
    let mut seed = vec![0u8; 40];
    getrandom::fill(&mut seed).expect("the operating system's random source failed");
    seed
}

/// The seed as the `Base32StringSeed` AWS returns (RFC 4648, no padding).
pub fn base32(seed: &[u8]) -> String {
    Secret::from(seed.to_vec())
        .to_base32()
        .trim_end_matches('=')
        .to_string()
}

/// The `otpauth://` URI an authenticator app reads from the QR code:
/// `otpauth://totp/Amazon%20Web%20Services:LABEL?secret=…&issuer=Amazon%20Web%20Services`.
pub fn otpauth_uri(seed: &[u8], label: &str) -> String {
    const ISSUER: &str = "Amazon%20Web%20Services";
    let label = crate::protocol::percent::uri_encode(label);
    format!(
        "otpauth://totp/{ISSUER}:{label}?secret={}&issuer={ISSUER}",
        base32(seed)
    )
}

fn totp(seed: &[u8]) -> Totp {
    // A 40-byte seed passes totp-rs's checks; build_noncompliant also
    // takes the shorter seeds a damaged record might hold, without panicking.
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP_SECONDS)
        .with_skew(0)
        .with_secret(Secret::from(seed.to_vec()))
        .build_noncompliant()
}

/// The code of time step `step`.
pub fn code_at_step(seed: &[u8], step: u64) -> String {
    totp(seed).generate(step * STEP_SECONDS).to_string()
}

/// The step `unix_seconds` falls in.
pub fn step_of(unix_seconds: i64) -> u64 {
    u64::try_from(unix_seconds).unwrap_or(0) / STEP_SECONDS
}

/// Whether `code` looks like a code at all: six digits.
pub fn is_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The step, among `center - radius ..= center + radius`, whose code is
/// `code`, nearest `center` first.
fn find_step(seed: &[u8], code: &str, center: u64, radius: i64) -> Option<u64> {
    if !is_code(code) {
        return None;
    }
    let totp = totp(seed);
    (0..=radius)
        .flat_map(|d| if d == 0 { vec![0] } else { vec![-d, d] })
        .filter_map(|d| center.checked_add_signed(d))
        .find(|&step| totp.generate(step * STEP_SECONDS).to_string() == code)
}

/// The two codes of EnableMFADevice or ResyncMFADevice: `first` of some
/// step and `second` of the next, near now. Returns the second code's
/// step and the device's drift (steps ahead of now).
fn find_pair(seed: &[u8], first: &str, second: &str, now: u64, radius: i64) -> Option<(u64, i64)> {
    if !is_code(first) || !is_code(second) {
        return None;
    }
    let totp = totp(seed);
    let matches = |step: u64, code: &str| totp.generate(step * STEP_SECONDS).to_string() == code;
    // The second code is the device's "now" (the user read it last).
    (0..=radius)
        .flat_map(|d| if d == 0 { vec![0] } else { vec![-d, d] })
        .filter_map(|d| now.checked_add_signed(d).map(|s| (s, d)))
        .find(|&(step, _)| step > 0 && matches(step, second) && matches(step - 1, first))
}

/// EnableMFADevice's check: two consecutive codes from a device whose
/// clock is within a few minutes of ours.
pub fn verify_pair(seed: &[u8], first: &str, second: &str, now: u64) -> Option<(u64, i64)> {
    find_pair(seed, first, second, now, ENABLE_WINDOW_STEPS)
}

/// ResyncMFADevice's check: two consecutive codes, the device's clock
/// possibly far off.
pub fn resync_pair(seed: &[u8], first: &str, second: &str, now: u64) -> Option<(u64, i64)> {
    find_pair(seed, first, second, now, RESYNC_WINDOW_STEPS)
}

/// One code at sign-in or STS: of the step the device shows now (our step
/// plus its drift), give or take [`CODE_SKEW_STEPS`].
pub fn verify_code(seed: &[u8], code: &str, now: u64, drift_steps: i64) -> Option<u64> {
    let expected = now.checked_add_signed(drift_steps)?;
    find_step(seed, code, expected, CODE_SKEW_STEPS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890" at
    /// T = 59 s gives 94287082 (eight digits); six digits are its last six.
    #[test]
    fn codes_are_rfc_6238() {
        let seed = b"12345678901234567890";
        assert_eq!(code_at_step(seed, 59 / 30), "287082");
        assert_eq!(code_at_step(seed, 1_111_111_109 / 30), "081804");
        assert_eq!(code_at_step(seed, 2_000_000_000 / 30), "279037");
    }

    #[test]
    fn base32_is_rfc_4648_without_padding() {
        let seed = new_seed();
        let text = base32(&seed);
        assert_eq!(text.len(), 64);
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(
            Secret::try_from_base32(&text).unwrap().as_bytes(),
            seed.as_slice()
        );
    }

    #[test]
    fn a_pair_must_be_consecutive_and_near_now() {
        let seed = new_seed();
        let now = 60_000_000;
        let c = |s| code_at_step(&seed, s);
        assert_eq!(verify_pair(&seed, &c(now - 1), &c(now), now), Some((now, 0)));
        assert_eq!(
            verify_pair(&seed, &c(now + 2), &c(now + 3), now),
            Some((now + 3, 3))
        );
        assert_eq!(verify_pair(&seed, &c(now), &c(now - 1), now), None, "reversed");
        assert_eq!(
            verify_pair(&seed, &c(now - 2), &c(now), now),
            None,
            "not consecutive"
        );
        assert_eq!(
            verify_pair(&seed, &c(now - 60), &c(now - 59), now),
            None,
            "too old"
        );
        assert_eq!(
            resync_pair(&seed, &c(now - 60), &c(now - 59), now),
            Some((now - 59, -59))
        );
        assert_eq!(verify_pair(&seed, "abcdef", &c(now), now), None);
    }

    #[test]
    fn a_code_matches_the_device_step_give_or_take_one() {
        let seed = new_seed();
        let now = 60_000_000;
        let c = |s| code_at_step(&seed, s);
        assert_eq!(verify_code(&seed, &c(now), now, 0), Some(now));
        assert_eq!(verify_code(&seed, &c(now - 1), now, 0), Some(now - 1));
        assert_eq!(verify_code(&seed, &c(now + 1), now, 0), Some(now + 1));
        assert_eq!(verify_code(&seed, &c(now - 2), now, 0), None);
        assert_eq!(verify_code(&seed, &c(now + 5), now, 5), Some(now + 5));
        assert_eq!(verify_code(&seed, "12345", now, 0), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_seed() {
        let seed = new_seed();
        let uri = otpauth_uri(&seed, "alice@123456789012");
        assert!(uri.starts_with("otpauth://totp/Amazon%20Web%20Services:alice%40123456789012?secret="));
        assert!(uri.contains(&base32(&seed)));
    }
}
