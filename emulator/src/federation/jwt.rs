//! JSON Web Tokens in compact JWS form (RFC 7515, 7519) signed RS256, and
//! JSON Web Key Sets (RFC 7517): what an OIDC identity provider issues
//! and publishes. Only the signature and the token's shape are checked
//! here; what the claims must say (issuer, audience, times) is STS's.

use super::keys::{RsaPublic, SigningKey};
use base64::Engine as _;
use serde_json::{Map, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON objects.
    Malformed(&'static str),
    /// An algorithm other than RS256 (`none` among them).
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

/// Signs `claims` RS256 with `key`, its `kid` in the header.
pub fn sign(key: &SigningKey, claims: &Map<String, Value>) -> String {
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key.kid});
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(Value::Object(claims.clone()).to_string())
    );
    let signature = key.sign(input.as_bytes());
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

    /// A NumericDate claim (`exp`, `nbf`, `iat`), in seconds.
    pub fn time(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        #[allow(clippy::cast_possible_truncation)]
        value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
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
    /// each): RS256 only, as AWS STS supports for OIDC tokens.
    pub fn verify(&self, keys: &[Jwk]) -> Result<(), TokenError> {
        let alg = self.header.get("alg").and_then(Value::as_str).unwrap_or_default();
        if alg != "RS256" {
            return Err(TokenError::Algorithm(alg.to_string()));
        }
        let kid = self.header.get("kid").and_then(Value::as_str);
        let verifies = keys
            .iter()
            .filter(|k| kid.is_none() || k.kid.is_none() || k.kid.as_deref() == kid)
            .any(|k| k.key.verifies(self.signing_input.as_bytes(), &self.signature));
        if verifies {
            Ok(())
        } else {
            Err(TokenError::Signature)
        }
    }
}

/// One RSA key of a key set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    pub kid: Option<String>,
    pub key: RsaPublic,
}

/// Reads a JWKS (`{"keys": [...]}`): its RSA keys; other key types are
/// skipped. An error for anything that is not a key set with at least
/// one RSA key.
pub fn parse_jwks(text: &[u8]) -> Result<Vec<Jwk>, String> {
    let value: Value = serde_json::from_slice(text).map_err(|e| format!("not JSON: {e}"))?;
    let keys = value
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("a JWKS is an object with a \"keys\" array")?;
    let mut out = Vec::new();
    for key in keys {
        if key.get("kty").and_then(Value::as_str) != Some("RSA") {
            continue;
        }
        let number = |name: &str| -> Result<Vec<u8>, String> {
            let text = key
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("an RSA key needs \"{name}\""))?;
            let bytes = B64
                .decode(text.trim_end_matches('='))
                .map_err(|_| format!("\"{name}\" is not base64url"))?;
            let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            Ok(bytes[start..].to_vec())
        };
        out.push(Jwk {
            kid: key.get("kid").and_then(Value::as_str).map(str::to_string),
            key: RsaPublic {
                modulus: number("n")?,
                exponent: number("e")?,
            },
        });
    }
    if out.is_empty() {
        return Err("the JWKS has no RSA key".into());
    }
    Ok(out)
}

/// The key set publishing `key`.
pub fn jwks_of(key: &SigningKey) -> Value {
    serde_json::json!({"keys": [key.public().jwk(&key.kid)]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());
    static OTHER: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());

    fn claims() -> Map<String, Value> {
        serde_json::json!({"iss": "https://issuer.example", "sub": "s", "aud": ["a", "b"], "exp": 10})
            .as_object()
            .unwrap()
            .clone()
    }

    fn keys_of(key: &SigningKey) -> Vec<Jwk> {
        parse_jwks(jwks_of(key).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_signed_token_verifies_with_its_published_key_only() {
        let token = Token::parse(&sign(&KEY, &claims())).unwrap();
        assert_eq!(token.claim("sub"), Some("s"));
        assert_eq!(token.audiences(), ["a", "b"]);
        assert_eq!(token.time("exp"), Some(10));
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
        assert!(parse_jwks(br#"{"keys": [{"kty": "RSA", "n": "AQAB"}]}"#).is_err());
    }
}
