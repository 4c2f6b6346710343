//! What STS federation keeps beside the accounts: the emulator's signing
//! key (made on first use, so start-up never pays for it) and the JSON
//! Web Key Sets users register per OIDC issuer
//! (`PUT /_emulator/oidc/jwks?issuer=URL`). Both persist with
//! `--state-dir`; reset forgets the key sets and keeps the key, which is
//! the emulator's identity rather than test data.

use super::tracked::Tracked;
use crate::federation::jwt::{parse_jwks, Jwk};
use crate::federation::keys::SigningKey;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The record key of the emulator's signing key.
pub const EMULATOR_KEY: &str = "emulator";

/// A stored signing key: PKCS#8 DER in base64.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub pkcs8: String,
}

/// A registered key set, as given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredJwks {
    pub document: String,
}

/// The federation state.
#[derive(Debug, Default)]
pub struct Federation {
    /// By name ([`EMULATOR_KEY`]).
    pub keys: Tracked<String, StoredKey>,
    /// By issuer URL.
    pub jwks: Tracked<String, StoredJwks>,
    /// The emulator's key, read once.
    parsed: Option<SigningKey>,
}

impl Federation {
    /// The emulator's key, when one was made.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        self.parsed.as_ref()
    }

    /// Keeps `key` as the emulator's key (made on first use).
    pub fn set_signing_key(&mut self, key: SigningKey) -> Result<(), String> {
        let der = key.to_der()?;
        let pkcs8 = base64::engine::general_purpose::STANDARD.encode(der);
        self.keys.insert(EMULATOR_KEY.to_string(), StoredKey { pkcs8 });
        self.parsed = Some(key);
        Ok(())
    }

    /// The emulator's key, made now when there is none yet (a 2048-bit
    /// key takes a moment; admin endpoints make it outside the lock with
    /// [`SigningKey::generate`] and [`Federation::set_signing_key`]).
    pub fn signing_key_or_make(&mut self) -> Result<&SigningKey, String> {
        if self.parsed.is_none() {
            self.set_signing_key(SigningKey::generate()?)?;
        }
        self.parsed.as_ref().ok_or_else(|| "no signing key".to_string())
    }

    /// Puts a stored key back (loading a state folder).
    pub fn load_key(&mut self, name: &str, stored: StoredKey) -> Result<(), String> {
        let der = base64::engine::general_purpose::STANDARD
            .decode(&stored.pkcs8)
            .map_err(|e| format!("stored key {name}: {e}"))?;
        if name == EMULATOR_KEY {
            self.parsed = Some(SigningKey::from_der(&der)?);
        }
        self.keys.insert(name.to_string(), stored);
        Ok(())
    }

    /// The keys registered for `issuer`.
    pub fn registered_keys(&self, issuer: &str) -> Vec<Jwk> {
        let issuer = issuer.trim_end_matches('/');
        self.jwks
            .iter()
            .filter(|(i, _)| i.trim_end_matches('/') == issuer)
            .filter_map(|(_, s)| parse_jwks(s.document.as_bytes()).ok())
            .flatten()
            .collect()
    }

    /// Forgets the registered key sets (reset).
    pub fn clear(&mut self) {
        self.jwks.clear();
    }

    pub fn is_touched(&self) -> bool {
        self.keys.is_touched() || self.jwks.is_touched()
    }
}
