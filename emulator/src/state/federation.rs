//! What STS federation keeps beside the accounts: the emulator's signing
//! keys, RSA and P-384 (made on first use, so start-up never pays for
//! them), and the JSON
//! Web Key Sets users register per OIDC issuer
//! (`PUT /_emulator/oidc/jwks?issuer=URL`). Both persist with
//! `--state-dir`; reset forgets the key sets and keeps the key, which is
//! the emulator's identity rather than test data.

use super::tracked::Tracked;
use crate::federation::ec::EcKey;
use crate::federation::jwt::{parse_jwks, Jwk, PublicKey};
use crate::federation::keys::SigningKey;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The record key of the emulator's RSA signing key.
pub const EMULATOR_KEY: &str = "emulator";
/// The record key of the emulator's P-384 signing key (ES384).
pub const EMULATOR_EC_KEY: &str = "emulator-p384";

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
    /// By name ([`EMULATOR_KEY`], [`EMULATOR_EC_KEY`]).
    pub keys: Tracked<String, StoredKey>,
    /// By issuer URL.
    pub jwks: Tracked<String, StoredJwks>,
    /// The emulator's RSA key, read once.
    parsed: Option<SigningKey>,
    /// The emulator's P-384 key, read once.
    parsed_ec: Option<EcKey>,
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

    /// The emulator's P-384 key, made now when there is none yet (fast,
    /// unlike the RSA key).
    pub fn ec_key_or_make(&mut self) -> Result<&EcKey, String> {
        if self.parsed_ec.is_none() {
            let key = EcKey::generate()?;
            let pkcs8 = base64::engine::general_purpose::STANDARD.encode(key.to_der()?);
            self.keys.insert(EMULATOR_EC_KEY.to_string(), StoredKey { pkcs8 });
            self.parsed_ec = Some(key);
        }
        self.parsed_ec.as_ref().ok_or_else(|| "no P-384 key".to_string())
    }

    /// The public halves of the emulator's keys made so far, as a key set
    /// holds them.
    pub fn own_keys(&self) -> Vec<Jwk> {
        let rsa = self.parsed.iter().map(|k| Jwk {
            kid: Some(k.kid.clone()),
            key: PublicKey::Rsa(k.public()),
        });
        let ec = self.parsed_ec.iter().map(|k| Jwk {
            kid: Some(k.kid.clone()),
            key: PublicKey::P384(k.public()),
        });
        rsa.chain(ec).collect()
    }

    /// Puts a stored key back (loading a state folder).
    pub fn load_key(&mut self, name: &str, stored: StoredKey) -> Result<(), String> {
        let der = base64::engine::general_purpose::STANDARD
            .decode(&stored.pkcs8)
            .map_err(|e| format!("stored key {name}: {e}"))?;
        match name {
            EMULATOR_KEY => self.parsed = Some(SigningKey::from_der(&der)?),
            EMULATOR_EC_KEY => self.parsed_ec = Some(EcKey::from_der(&der)?),
            _ => {}
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
