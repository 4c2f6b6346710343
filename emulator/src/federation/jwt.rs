//! JSON Web Tokens in compact JWS form (RFC 7515, 7519), and JSON Web Key
//! Sets (RFC 7517): what an OIDC identity provider issues and publishes.
//! The emulator signs RS256 (its RSA key) and ES384 (its P-384 key);
//! tokens verify with RS256, RS384, RS512 (RSA keys) and ES384 (P-384
//! keys). Only the signature and the token's shape are checked here; what
//! the claims must say (issuer, audience, times) is STS's.

use super::ec::{EcKey, EcPublic};
use super::keys::{RsaPublic, Sha, SigningKey};
use base64::Engine as _;
use serde_json::{Map, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON objects.
    Malformed(&'static str),
    /// An algorithm not verified here (`none` among them).
    Algorithm(String),
    /// No key verifies the signature.
    Signature,
}

/// A token read but not yet verified.
#[derive(Debug, Clone)]
pub struct Token {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) . BASE64URL(payload)`: what was signed.
    signing_input: String,
    signature: Vec<u8>,
}

/// The algorithms tokens are verified with.
pub const VERIFIED_ALGORITHMS: &[&str] = &["RS256", "RS384", "RS512", "ES384"];

/// Signs `claims` RS256 with `key`, its `kid` in the header.
pub fn sign(key: &SigningKey, claims: &Map<String, Value>) -> String {
    compact("RS256", &key.kid, claims, |input| key.sign(input))
}

/// Signs `claims` ES384 with `key`, its `kid` in the header.
pub fn sign_es384(key: &EcKey, claims: &Map<String, Value>) -> String {
    compact("ES384", &key.kid, claims, |input| key.sign(input))
}

fn compact(alg: &str, kid: &str, claims: &Map<String, Value>, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let header = serde_json::json!({"alg": alg, "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(Value::Object(claims.clone()).to_string())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature))
}

fn object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = B64
        .decode(part.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed("a part is not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed("a part is not a JSON object")),
    }
}

impl Token {
    /// Reads a compact JWS.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        let mut parts = text.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three dot-separated parts"));
        };
        let signature = B64
            .decode(signature.trim_end_matches('='))
            .map_err(|_| TokenError::Malformed("the signature is not base64url"))?;
        Ok(Token {
            header: object(header)?,
            claims: object(payload)?,
            signing_input: format!("{header}.{payload}"),
            signature,
        })
    }

    /// A string claim.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A NumericDate claim (`exp`, `nbf`, `iat`), in whole seconds: "Timestamps
    /// in the token must be formatted as either an integer or a long integer"
    /// (STS API Reference, AssumeRoleWithWebIdentity), so `1.5` is none.
    pub fn time(&self, name: &str) -> Option<i64> {
        self.claims.get(name)?.as_i64()
    }

    /// The audiences: `aud` as a string or an array of strings.
    pub fn audiences(&self) -> Vec<&str> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Checks the signature against `keys` (the one its `kid` names, else
    /// each) with the header's algorithm, one of [`VERIFIED_ALGORITHMS`].
    pub fn verify(&self, keys: &[Jwk]) -> Result<(), TokenError> {
        let alg = self.header.get("alg").and_then(Value::as_str).unwrap_or_default();
        let input = self.signing_input.as_bytes();
        let check = |key: &PublicKey| match (alg, key) {
            ("RS256", PublicKey::Rsa(k)) => k.verifies_with(Sha::Sha256, input, &self.signature),
            ("RS384", PublicKey::Rsa(k)) => k.verifies_with(Sha::Sha384, input, &self.signature),
            ("RS512", PublicKey::Rsa(k)) => k.verifies_with(Sha::Sha512, input, &self.signature),
            ("ES384", PublicKey::P384(k)) => k.verifies(input, &self.signature),
            _ => false,
        };
        if !VERIFIED_ALGORITHMS.contains(&alg) {
            return Err(TokenError::Algorithm(alg.to_string()));
        }
        let kid = self.header.get("kid").and_then(Value::as_str);
        let verifies = keys
            .iter()
            .filter(|k| kid.is_none() || k.kid.is_none() || k.kid.as_deref() == kid)
            .any(|k| check(&k.key));
        if verifies {
            Ok(())
        } else {
            Err(TokenError::Signature)
        }
    }
}

/// A public key of a key set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa(RsaPublic),
    P384(EcPublic),
}

/// One key of a key set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    pub kid: Option<String>,
    pub key: PublicKey,
}

/// A base64url member of a key (`n`, `x`, …), as bytes.
fn member(key: &Value, kind: &str, name: &str) -> Result<Vec<u8>, String> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("an {kind} key needs \"{name}\""))?;
    B64.decode(text.trim_end_matches('='))
        .map_err(|_| format!("\"{name}\" is not base64url"))
}

/// An RSA key's number, without leading zeros.
fn number(key: &Value, name: &str) -> Result<Vec<u8>, String> {
    let bytes = member(key, "RSA", name)?;
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    Ok(bytes[start..].to_vec())
}

/// A P-384 coordinate: 48 bytes.
fn coordinate(key: &Value, name: &str) -> Result<Vec<u8>, String> {
    let bytes = member(key, "EC", name)?;
    if bytes.len() != 48 {
        return Err(format!("\"{name}\" of a P-384 key is 48 bytes"));
    }
    Ok(bytes)
}

/// Reads a JWKS (`{"keys": [...]}`): its RSA and P-384 keys; other key
/// types and curves are skipped. An error for anything that is not a key
/// set with at least one of those.
pub fn parse_jwks(text: &[u8]) -> Result<Vec<Jwk>, String> {
    let value: Value = serde_json::from_slice(text).map_err(|e| format!("not JSON: {e}"))?;
    let keys = value
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("a JWKS is an object with a \"keys\" array")?;
    let mut out = Vec::new();
    for key in keys {
        let kty = key.get("kty").and_then(Value::as_str);
        let crv = key.get("crv").and_then(Value::as_str);
        let public = match (kty, crv) {
            (Some("RSA"), _) => PublicKey::Rsa(RsaPublic {
                modulus: number(key, "n")?,
                exponent: number(key, "e")?,
            }),
            (Some("EC"), Some("P-384")) => PublicKey::P384(EcPublic {
                x: coordinate(key, "x")?,
                y: coordinate(key, "y")?,
            }),
            _ => continue,
        };
        out.push(Jwk {
            kid: key.get("kid").and_then(Value::as_str).map(str::to_string),
            key: public,
        });
    }
    if out.is_empty() {
        return Err("the JWKS has no RSA or P-384 key".into());
    }
    Ok(out)
}

/// The key set publishing the emulator's keys.
pub fn jwks_of(rsa: &SigningKey, ec: &EcKey) -> Value {
    serde_json::json!({"keys": [rsa.public().jwk(&rsa.kid), ec.public().jwk(&ec.kid)]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());
    static OTHER: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());
    static EC: LazyLock<EcKey> = LazyLock::new(|| EcKey::generate().unwrap());
    static OTHER_EC: LazyLock<EcKey> = LazyLock::new(|| EcKey::generate().unwrap());

    fn claims() -> Map<String, Value> {
        serde_json::json!({"iss": "https://issuer.example", "sub": "s", "aud": ["a", "b"], "exp": 10})
            .as_object()
            .unwrap()
            .clone()
    }

    fn keys_of(key: &SigningKey) -> Vec<Jwk> {
        parse_jwks(jwks_of(key, &EC).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn es384_tokens_verify_with_the_published_p384_key_only() {
        let text = sign_es384(&EC, &claims());
        let token = Token::parse(&text).unwrap();
        assert_eq!(token.header["alg"], "ES384");
        assert_eq!(token.verify(&keys_of(&KEY)), Ok(()));
        let others = parse_jwks(jwks_of(&KEY, &OTHER_EC).to_string().as_bytes()).unwrap();
        assert_eq!(token.verify(&others), Err(TokenError::Signature));
        // The same signature under an RSA algorithm does not verify.
        let parts: Vec<&str> = text.split('.').collect();
        let header = B64.encode(format!(r#"{{"alg":"RS256","kid":"{}"}}"#, EC.kid));
        let confused = Token::parse(&format!("{header}.{}.{}", parts[1], parts[2])).unwrap();
        assert_eq!(confused.verify(&keys_of(&KEY)), Err(TokenError::Signature));
    }

    #[test]
    fn rs384_and_rs512_tokens_verify_and_other_algorithms_are_refused() {
        for (alg, sha) in [("RS384", Sha::Sha384), ("RS512", Sha::Sha512)] {
            let text = compact(alg, &KEY.kid, &claims(), |input| KEY.sign_with(sha, input));
            let token = Token::parse(&text).unwrap();
            assert_eq!(token.verify(&keys_of(&KEY)), Ok(()), "{alg}");
            assert_eq!(
                token.verify(&keys_of(&OTHER)),
                Err(TokenError::Signature),
                "{alg}"
            );
        }
        for alg in ["HS256", "ES256", "PS256", "none"] {
            let text = compact(alg, &KEY.kid, &claims(), |input| KEY.sign(input));
            assert_eq!(
                Token::parse(&text).unwrap().verify(&keys_of(&KEY)),
                Err(TokenError::Algorithm(alg.into()))
            );
        }
    }

    #[test]
    fn a_signed_token_verifies_with_its_published_key_only() {
        let token = Token::parse(&sign(&KEY, &claims())).unwrap();
        assert_eq!(token.claim("sub"), Some("s"));
        assert_eq!(token.audiences(), ["a", "b"]);
        assert_eq!(token.time("exp"), Some(10));
        let mut fractional = claims();
        fractional.insert("exp".into(), serde_json::json!(10.5));
        assert_eq!(Token::parse(&sign(&KEY, &fractional)).unwrap().time("exp"), None);
        assert_eq!(token.verify(&keys_of(&KEY)), Ok(()));
        assert_eq!(token.verify(&keys_of(&OTHER)), Err(TokenError::Signature));
    }

    #[test]
    fn a_tampered_payload_or_another_algorithm_is_refused() {
        let text = sign(&KEY, &claims());
        let parts: Vec<&str> = text.split('.').collect();
        let mut forged = claims();
        forged.insert("sub".into(), "admin".into());
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(Value::Object(forged).to_string()),
            parts[2]
        );
        let token = Token::parse(&tampered).unwrap();
        assert_eq!(token.verify(&keys_of(&KEY)), Err(TokenError::Signature));
        let none = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), parts[1]);
        let token = Token::parse(&none).unwrap();
        assert_eq!(
            token.verify(&keys_of(&KEY)),
            Err(TokenError::Algorithm("none".into()))
        );
    }

    #[test]
    fn malformed_tokens_and_key_sets_are_errors() {
        for bad in ["", "a.b", "a.b.c.d", "!!.e30.", "e30.bm90IGpzb24.AA"] {
            assert!(Token::parse(bad).is_err(), "{bad}");
        }
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(br#"{"keys": [{"kty": "EC"}]}"#).is_err());
        assert!(
            parse_jwks(br#"{"keys": [{"kty": "EC", "crv": "P-384", "x": "AQAB", "y": "AQAB"}]}"#).is_err()
        );
        assert!(parse_jwks(br#"{"keys": [{"kty": "RSA", "n": "AQAB"}]}"#).is_err());
    }
}
