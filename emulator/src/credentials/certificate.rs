//! X.509 certificates and their private keys, in PEM, as IAM's server and
//! signing certificates take them: the certificate parsed by `x509-parser`
//! (a bad one is `MalformedCertificate`), its validity period read from
//! it, and a private key checked against the certificate's public key
//! (`KeyPairMismatch`). RSA (PKCS#1 and PKCS#8) and EC keys are read.

use time::OffsetDateTime;
use x509_parser::der_parser::ber::{BerObject, BerObjectContent};
use x509_parser::der_parser::parse_der;
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

/// What IAM needs of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// The subject as text (`CN=example.com, O=…`).
    pub subject: String,
    pub public_key: KeyMaterial,
    /// The certificate's DER, for duplicate detection.
    pub der: Vec<u8>,
}

/// A public key's identifying numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// Modulus and exponent, without leading zero bytes.
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// The EC point as encoded in the certificate.
    Ec(Vec<u8>),
    /// A key type IAM accepts but this check does not compare.
    Other,
}

/// Why a certificate or key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not PEM, not a certificate, or not X.509.
    Malformed(String),
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// The PEM blocks of `text`, in order.
fn pem_blocks(text: &str) -> Result<Vec<Pem>, Problem> {
    let blocks: Result<Vec<Pem>, _> = Pem::iter_from_buffer(text.trim().as_bytes()).collect();
    let blocks = blocks.map_err(|e| Problem::Malformed(format!("not PEM: {e}")))?;
    if blocks.is_empty() {
        return Err(Problem::Malformed("no PEM block".into()));
    }
    Ok(blocks)
}

fn time_of(t: x509_parser::time::ASN1Time) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The first certificate of a PEM text.
pub fn parse_certificate(text: &str) -> Result<Certificate, Problem> {
    let blocks = pem_blocks(text)?;
    let block = &blocks[0];
    if block.label != "CERTIFICATE" {
        return Err(Problem::Malformed(format!(
            "a {} is not a certificate",
            block.label
        )));
    }
    let cert = block
        .parse_x509()
        .map_err(|e| Problem::Malformed(format!("not X.509: {e}")))?;
    let public_key = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyMaterial::Rsa {
            modulus: strip_zeros(rsa.modulus),
            exponent: strip_zeros(rsa.exponent),
        },
        Ok(PublicKey::EC(point)) => KeyMaterial::Ec(point.data().to_vec()),
        _ => KeyMaterial::Other,
    };
    Ok(Certificate {
        not_before: time_of(cert.validity().not_before),
        not_after: time_of(cert.validity().not_after),
        subject: cert.subject().to_string(),
        public_key,
        der: block.contents.clone(),
    })
}

/// Every certificate of a chain (`CertificateChain`), each parsed.
pub fn parse_chain(text: &str) -> Result<Vec<Certificate>, Problem> {
    let blocks = pem_blocks(text)?;
    let mut out = Vec::new();
    for block in &blocks {
        if block.label != "CERTIFICATE" {
            return Err(Problem::Malformed(format!(
                "a {} is not a certificate",
                block.label
            )));
        }
        let cert = block
            .parse_x509()
            .map_err(|e| Problem::Malformed(format!("not X.509: {e}")))?;
        out.push(Certificate {
            not_before: time_of(cert.validity().not_before),
            not_after: time_of(cert.validity().not_after),
            subject: cert.subject().to_string(),
            public_key: KeyMaterial::Other,
            der: block.contents.clone(),
        });
    }
    Ok(out)
}

/// The public part of a PEM private key, when it can be read from it:
/// `Ok(Some(_))` for RSA and for EC keys that carry their public point,
/// `Ok(None)` for keys whose public part is not in the file.
pub fn private_key_public_part(text: &str) -> Result<Option<KeyMaterial>, Problem> {
    let blocks = pem_blocks(text)?;
    let block = &blocks[0];
    let der = block.contents.as_slice();
    match block.label.as_str() {
        "RSA PRIVATE KEY" => rsa_private(der).map(Some),
        "EC PRIVATE KEY" => ec_private(der),
        "PRIVATE KEY" => pkcs8(der),
        other => Err(Problem::Malformed(format!("a {other} is not a private key"))),
    }
}

fn sequence(der: &[u8]) -> Result<Vec<BerObject<'_>>, Problem> {
    let (_, obj) = parse_der(der).map_err(|e| Problem::Malformed(format!("not DER: {e}")))?;
    match obj.content {
        BerObjectContent::Sequence(items) => Ok(items),
        _ => Err(Problem::Malformed("not a DER sequence".into())),
    }
}

/// RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, … } (RFC 8017 A.1.2).
fn rsa_private(der: &[u8]) -> Result<KeyMaterial, Problem> {
    let items = sequence(der)?;
    let int = |i: usize| match items.get(i).map(|o| &o.content) {
        Some(BerObjectContent::Integer(bytes)) => Ok(strip_zeros(bytes)),
        _ => Err(Problem::Malformed("not an RSA private key".into())),
    };
    Ok(KeyMaterial::Rsa {
        modulus: int(1)?,
        exponent: int(2)?,
    })
}

/// ECPrivateKey ::= SEQUENCE { version, privateKey, [0] parameters, [1] publicKey } (RFC 5915).
fn ec_private(der: &[u8]) -> Result<Option<KeyMaterial>, Problem> {
    let items = sequence(der)?;
    if !matches!(
        items.get(1).map(|o| &o.content),
        Some(BerObjectContent::OctetString(_))
    ) {
        return Err(Problem::Malformed("not an EC private key".into()));
    }
    for item in &items[2..] {
        let inner = match &item.content {
            BerObjectContent::Tagged(_, tag, inner) if tag.0 == 1 => Some(inner.as_ref().clone()),
            BerObjectContent::Unknown(any) if any.header.tag().0 == 1 => {
                parse_der(any.data).ok().map(|(_, o)| o)
            }
            _ => None,
        };
        if let Some(BerObjectContent::BitString(_, bits)) = inner.map(|o| o.content) {
            return Ok(Some(KeyMaterial::Ec(bits.data.to_vec())));
        }
    }
    Ok(None)
}

/// PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING } (RFC 5208).
fn pkcs8(der: &[u8]) -> Result<Option<KeyMaterial>, Problem> {
    let items = sequence(der)?;
    let Some(BerObjectContent::OctetString(inner)) = items.get(2).map(|o| &o.content) else {
        return Err(Problem::Malformed("not a PKCS#8 private key".into()));
    };
    let algorithm = items
        .get(1)
        .and_then(|o| o.as_sequence().ok())
        .and_then(|s| s.first())
        .and_then(|o| o.as_oid().ok())
        .map(ToString::to_string)
        .unwrap_or_default();
    match algorithm.as_str() {
        "1.2.840.113549.1.1.1" => rsa_private(inner).map(Some),
        "1.2.840.10045.2.1" => ec_private(inner),
        _ => Ok(Some(KeyMaterial::Other)),
    }
}

/// Whether `key` (a private key's public part) belongs to `cert`. Keys
/// whose public part cannot be compared are taken to match.
pub fn key_matches(cert: &Certificate, key: Option<&KeyMaterial>) -> bool {
    match (key, &cert.public_key) {
        (None | Some(KeyMaterial::Other), _) | (_, KeyMaterial::Other) => true,
        (Some(k), c) => k == c,
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A self-signed RSA certificate (CN=example.com, ten years) and its
    /// key, another RSA key, and an EC (P-256) pair, made with `openssl`.
    pub const CERT: &str = include_str!("../../tests/data/cert.pem");
    pub const KEY: &str = include_str!("../../tests/data/key.pem");
    pub const OTHER_KEY: &str = include_str!("../../tests/data/other-key.pem");
    pub const EC_CERT: &str = include_str!("../../tests/data/ec-cert.pem");
    pub const EC_KEY: &str = include_str!("../../tests/data/ec-key.pem");

    #[test]
    fn a_certificate_is_read_with_its_dates() {
        let cert = parse_certificate(CERT).unwrap();
        assert!(cert.subject.contains("CN=example.com"));
        assert!(cert.not_after > cert.not_before);
        assert!(matches!(cert.public_key, KeyMaterial::Rsa { .. }));
    }

    #[test]
    fn malformed_text_is_refused() {
        for text in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            KEY,
        ] {
            assert!(parse_certificate(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn keys_match_only_their_certificate() {
        let cert = parse_certificate(CERT).unwrap();
        let own = private_key_public_part(KEY).unwrap();
        let other = private_key_public_part(OTHER_KEY).unwrap();
        assert!(key_matches(&cert, own.as_ref()));
        assert!(!key_matches(&cert, other.as_ref()));
        let ec = parse_certificate(EC_CERT).unwrap();
        let ec_key = private_key_public_part(EC_KEY).unwrap();
        assert!(matches!(ec_key, Some(KeyMaterial::Ec(_))));
        assert!(key_matches(&ec, ec_key.as_ref()));
        assert!(!key_matches(&cert, ec_key.as_ref()));
        assert!(private_key_public_part(CERT).is_err());
    }
}
