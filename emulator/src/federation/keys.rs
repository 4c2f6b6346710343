//! The emulator's RSA signing key: made on first use (never at start-up,
//! whose time matters), kept as PKCS#8 DER in the state so it survives a
//! restart with `--state-dir`, and published as a JSON Web Key.

use base64::Engine as _;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use sha2::Digest as _;

/// The size of the key the emulator makes.
const BITS: usize = 2048;

/// An RSA key pair with its key id.
#[derive(Clone)]
pub struct SigningKey {
    private: PrivateKey,
    /// `kid`: the first 16 hex digits of the SHA-256 of the modulus.
    pub kid: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self, String> {
        let private =
            PrivateKey::new(&mut SystemRandom, BITS).map_err(|e| format!("cannot make an RSA key: {e}"))?;
        Ok(Self::from_private(private))
    }

    fn from_private(private: PrivateKey) -> Self {
        let kid = hex::encode(&sha2::Sha256::digest(private.n_bytes())[..8]);
        SigningKey { private, kid }
    }

    /// The key as stored: PKCS#8 DER.
    pub fn to_der(&self) -> Result<Vec<u8>, String> {
        self.private
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|e| format!("cannot encode the RSA key: {e}"))
    }

    /// Reads a stored key.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        PrivateKey::from_pkcs8_der(der)
            .map(Self::from_private)
            .map_err(|e| format!("cannot read the stored RSA key: {e}"))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        // Signing with a valid key cannot fail; an empty signature would
        // only fail verification.
        self.private
            .pkcs1v15_sign::<rsa::sha2::Sha256>(message)
            .unwrap_or_default()
    }

    /// RSASSA-PKCS1-v1_5 with `sha` (tests make RS384 and RS512 tokens).
    #[cfg(test)]
    pub fn sign_with(&self, sha: Sha, message: &[u8]) -> Vec<u8> {
        match sha {
            Sha::Sha256 => self.private.pkcs1v15_sign::<rsa::sha2::Sha256>(message),
            Sha::Sha384 => self.private.pkcs1v15_sign::<rsa::sha2::Sha384>(message),
            Sha::Sha512 => self.private.pkcs1v15_sign::<rsa::sha2::Sha512>(message),
        }
        .unwrap_or_default()
    }

    /// The public half.
    pub fn public(&self) -> RsaPublic {
        RsaPublic {
            modulus: self.private.n_bytes().to_vec(),
            exponent: self.private.e().to_be_bytes_trimmed_vartime().to_vec(),
        }
    }
}

/// The SHA-2 digest an RSA signature is made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sha {
    Sha256,
    Sha384,
    Sha512,
}

/// An RSA public key by its numbers (big-endian, no leading zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublic {
    pub modulus: Vec<u8>,
    pub exponent: Vec<u8>,
}

impl RsaPublic {
    /// Whether `signature` is RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verifies_with(Sha::Sha256, message, signature)
    }

    /// Whether `signature` is RSASSA-PKCS1-v1_5 with `sha` over `message`
    /// (RS256, RS384, RS512 of JSON Web Signatures).
    pub fn verifies_with(&self, sha: Sha, message: &[u8], signature: &[u8]) -> bool {
        let Ok(n) = BoxedUint::from_be_slice(&self.modulus, bits_of(&self.modulus)) else {
            return false;
        };
        let Ok(e) = BoxedUint::from_be_slice(&self.exponent, bits_of(&self.exponent)) else {
            return false;
        };
        let Ok(key) = PublicKey::new(n, e) else {
            return false;
        };
        match sha {
            Sha::Sha256 => key.pkcs1v15_verify::<rsa::sha2::Sha256>(message, signature),
            Sha::Sha384 => key.pkcs1v15_verify::<rsa::sha2::Sha384>(message, signature),
            Sha::Sha512 => key.pkcs1v15_verify::<rsa::sha2::Sha512>(message, signature),
        }
        .is_ok()
    }

    /// As a JSON Web Key (RFC 7517) for RS256.
    pub fn jwk(&self, kid: &str) -> serde_json::Value {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        serde_json::json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": b64.encode(&self.modulus), "e": b64.encode(&self.exponent),
        })
    }
}

/// The operating system's random numbers (`getrandom`), as the `rand_core`
/// generator `rsa` takes.
struct SystemRandom;

impl rsa::rand_core::TryRng for SystemRandom {
    type Error = RandomError;

    fn try_next_u32(&mut self) -> Result<u32, RandomError> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, RandomError> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(dst).map_err(|e| RandomError(e.to_string()))
    }
}

impl rsa::rand_core::TryCryptoRng for SystemRandom {}

/// The system had no random numbers to give.
#[derive(Debug)]
pub struct RandomError(String);

impl std::fmt::Display for RandomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no random numbers: {}", self.0)
    }
}

impl std::error::Error for RandomError {}

/// The precision (whole 64-bit limbs) a big-endian number needs.
fn bits_of(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len().div_ceil(8) * 64)
        .unwrap_or(u32::MAX)
        .max(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_signs_what_its_public_half_verifies_and_survives_der() {
        let key = SigningKey::generate().unwrap();
        let signature = key.sign(b"hello");
        assert!(key.public().verifies(b"hello", &signature));
        assert!(!key.public().verifies(b"hellO", &signature));
        let again = SigningKey::from_der(&key.to_der().unwrap()).unwrap();
        assert_eq!(again.kid, key.kid);
        assert!(again.public().verifies(b"hello", &signature));
        assert!(SigningKey::from_der(b"not a key").is_err());
    }
}
