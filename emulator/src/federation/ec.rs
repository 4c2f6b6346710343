//! The emulator's P-384 key, for JSON Web Tokens signed ES384 (ECDSA on
//! P-384 with SHA-384, RFC 7518 §3.4): what GetWebIdentityToken signs with
//! when asked for `SigningAlgorithm=ES384`. Made on first use, kept as
//! PKCS#8 DER in the state like the RSA key, published as a JSON Web Key.
//! Also the public half of any P-384 key in a registered key set, which
//! verifies ES384 tokens for AssumeRoleWithWebIdentity.

use base64::Engine as _;
use p384::ecdsa::signature::{Signer as _, Verifier as _};
use p384::ecdsa::{Signature, SigningKey, VerifyingKey};
use p384::elliptic_curve::Generate as _;
use p384::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use sha2::Digest as _;

/// A P-384 key pair with its key id.
#[derive(Clone)]
pub struct EcKey {
    private: SigningKey,
    /// `kid`: the first 16 hex digits of the SHA-256 of the public point.
    pub kid: String,
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl EcKey {
    /// A new random key (the operating system's random numbers).
    pub fn generate() -> Result<Self, String> {
        SigningKey::try_generate()
            .map(Self::from_private)
            .map_err(|e| format!("cannot make a P-384 key: {e}"))
    }

    fn from_private(private: SigningKey) -> Self {
        let point = private.verifying_key().to_sec1_point(false);
        let kid = hex::encode(&sha2::Sha256::digest(point.as_bytes())[..8]);
        EcKey { private, kid }
    }

    /// The key as stored: PKCS#8 DER.
    pub fn to_der(&self) -> Result<Vec<u8>, String> {
        self.private
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| format!("cannot encode the P-384 key: {e}"))
    }

    /// Reads a stored key.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        SigningKey::from_pkcs8_der(der)
            .map(Self::from_private)
            .map_err(|e| format!("cannot read the stored P-384 key: {e}"))
    }

    /// ECDSA with SHA-384 over `message`, as JWS writes it: `r ‖ s`, 48
    /// bytes each.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.private.sign(message);
        signature.to_bytes().to_vec()
    }

    /// The public half.
    pub fn public(&self) -> EcPublic {
        let point = self.private.verifying_key().to_sec1_point(false);
        // Uncompressed SEC1: 0x04, then x and y.
        let (x, y) = point.as_bytes()[1..].split_at(48);
        EcPublic {
            x: x.to_vec(),
            y: y.to_vec(),
        }
    }
}

/// A P-384 public key by its coordinates (big-endian, 48 bytes each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcPublic {
    pub x: Vec<u8>,
    pub y: Vec<u8>,
}

impl EcPublic {
    /// Whether `signature` (`r ‖ s`) is ECDSA with SHA-384 over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let mut point = Vec::with_capacity(97);
        point.push(4);
        point.extend_from_slice(&self.x);
        point.extend_from_slice(&self.y);
        let (Ok(key), Ok(signature)) = (
            VerifyingKey::from_sec1_bytes(&point),
            Signature::from_slice(signature),
        ) else {
            return false;
        };
        key.verify(message, &signature).is_ok()
    }

    /// As a JSON Web Key (RFC 7518 §6.2) for ES384.
    pub fn jwk(&self, kid: &str) -> serde_json::Value {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        serde_json::json!({
            "kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": kid,
            "x": b64.encode(&self.x), "y": b64.encode(&self.y),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_signs_what_its_public_half_verifies_and_survives_der() {
        let key = EcKey::generate().unwrap();
        let signature = key.sign(b"hello");
        assert_eq!(signature.len(), 96);
        assert!(key.public().verifies(b"hello", &signature));
        assert!(!key.public().verifies(b"hellO", &signature));
        assert!(!key.public().verifies(b"hello", &signature[..95]));
        let again = EcKey::from_der(&key.to_der().unwrap()).unwrap();
        assert_eq!(again.kid, key.kid);
        assert_eq!(again.public(), key.public());
        assert!(EcKey::from_der(b"not a key").is_err());
        let other = EcKey::generate().unwrap();
        assert!(!other.public().verifies(b"hello", &signature));
    }
}
