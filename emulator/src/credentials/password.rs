//! Console passwords: whether one satisfies the account's password policy
//! (or AWS's default policy when the account has none), and how it is
//! kept (a salted SHA-256; the password itself is never stored).

use crate::state::credentials::PasswordPolicy;
use sha2::{Digest, Sha256};

/// The characters IAM counts as symbols ("Non-alphanumeric characters").
pub const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// AWS's default policy, in force while the account sets none: "Minimum
/// password length of 8 characters and a maximum length of 128
/// characters; minimum of three of the following mix of character types:
/// uppercase, lowercase, numbers, and non-alphanumeric character."
fn meets_default(password: &str) -> bool {
    let kinds = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| SYMBOLS.contains(c)),
    ];
    password.chars().count() >= 8 && kinds.iter().filter(|k| **k).count() >= 3
}

/// Whether `password` may be set under `policy` (`None`: AWS's default).
pub fn meets(policy: Option<&PasswordPolicy>, password: &str) -> bool {
    let Some(p) = policy else {
        return meets_default(password);
    };
    let length = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
    length >= p.minimum_length
        && (!p.require_uppercase || password.chars().any(|c| c.is_ascii_uppercase()))
        && (!p.require_lowercase || password.chars().any(|c| c.is_ascii_lowercase()))
        && (!p.require_numbers || password.chars().any(|c| c.is_ascii_digit()))
        && (!p.require_symbols || password.chars().any(|c| SYMBOLS.contains(c)))
}

/// A password IAM accepts at all (1–128 characters of tab, line feed,
/// carriage return and U+0020–U+00FF, the model's pattern).
pub fn is_valid_text(password: &str) -> bool {
    let count = password.chars().count();
    (1..=128).contains(&count)
        && password
            .chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
}

/// A fresh salt, as hex.
pub fn new_salt() -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source failed");
    hex::encode(salt)
}

/// The hash kept for `password` with `salt`.
pub fn hash(salt: &str, password: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy {
            minimum_length: 12,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            allow_users_to_change: true,
            max_age_days: None,
            reuse_prevention: None,
            hard_expiry: false,
        }
    }

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_kinds() {
        assert!(meets(None, "Abcdefg1"));
        assert!(meets(None, "abcdefg1!"));
        assert!(!meets(None, "Abcdef1"), "seven characters");
        assert!(!meets(None, "abcdefgh1"), "two kinds");
    }

    #[test]
    fn each_requirement_of_a_policy_is_checked() {
        let p = policy();
        assert!(meets(Some(&p), "Abcdefghij1!"));
        assert!(!meets(Some(&p), "Abcdefghi1!"), "too short");
        assert!(!meets(Some(&p), "abcdefghij1!"), "no upper case");
        assert!(!meets(Some(&p), "ABCDEFGHIJ1!"), "no lower case");
        assert!(!meets(Some(&p), "Abcdefghijk!"), "no number");
        assert!(!meets(Some(&p), "Abcdefghijk1"), "no symbol");
        let lax = PasswordPolicy {
            minimum_length: 6,
            require_symbols: false,
            require_numbers: false,
            require_uppercase: false,
            require_lowercase: false,
            ..p
        };
        assert!(meets(Some(&lax), "aaaaaa"));
    }

    #[test]
    fn hashes_depend_on_salt_and_password() {
        assert_eq!(hash("s", "p"), hash("s", "p"));
        assert_ne!(hash("s", "p"), hash("t", "p"));
        assert_ne!(hash("s", "p"), hash("s", "q"));
        assert!(is_valid_text("pässword"));
        assert!(!is_valid_text(""));
        assert!(!is_valid_text("€uro"));
    }
}
