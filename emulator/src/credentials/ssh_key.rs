//! SSH public keys as UploadSSHPublicKey takes them: OpenSSH's one-line
//! `ssh-rsa AAAA… comment`, or PEM (`BEGIN PUBLIC KEY`, X.509
//! SubjectPublicKeyInfo, or `BEGIN RSA PUBLIC KEY`, PKCS#1). IAM keeps RSA
//! keys of at least 2048 bits, shows each in both encodings
//! (GetSSHPublicKey's `Encoding`), and names it by the MD5 fingerprint of
//! its OpenSSH blob, `xx:xx:…` as `ssh-keygen -E md5 -l` prints it.

use base64::Engine as _;
use md5::{Digest, Md5};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// AWS: "The minimum bit-length of the public key is 2048 bits."
pub const MIN_BITS: usize = 2048;

/// An RSA public key as IAM keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshKey {
    /// `ssh-rsa BASE64` (no comment).
    pub openssh: String,
    /// `-----BEGIN PUBLIC KEY-----…`.
    pub pem: String,
    /// MD5 of the OpenSSH blob, as `aa:bb:…`.
    pub fingerprint: String,
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not a key in a format IAM reads (`UnrecognizedPublicKeyEncoding`).
    Unrecognized,
    /// A key, but malformed, not RSA, or too short (`InvalidPublicKey`).
    Invalid(String),
}

/// Reads an uploaded key.
pub fn parse(body: &str) -> Result<SshKey, Problem> {
    let body = body.trim();
    let (modulus, exponent) = if body.starts_with("-----BEGIN") {
        from_pem(body)?
    } else if let Some(rest) = body.strip_prefix("ssh-rsa ") {
        from_openssh(rest)?
    } else if body.starts_with("ssh-") || body.starts_with("ecdsa-") {
        return Err(Problem::Invalid("only ssh-rsa keys are supported".into()));
    } else {
        return Err(Problem::Unrecognized);
    };
    let modulus = strip_zeros(&modulus);
    let exponent = strip_zeros(&exponent);
    let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
    if bits < MIN_BITS {
        return Err(Problem::Invalid(format!(
            "the key has {bits} bits; at least {MIN_BITS} are required"
        )));
    }
    let blob = openssh_blob(&modulus, &exponent);
    let b64 = base64::engine::general_purpose::STANDARD;
    let fingerprint = Md5::digest(&blob)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    Ok(SshKey {
        openssh: format!("ssh-rsa {}", b64.encode(&blob)),
        pem: pem("PUBLIC KEY", &spki_der(&modulus, &exponent)),
        fingerprint,
    })
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// `ssh-rsa` blob: string "ssh-rsa", mpint e, mpint n (RFC 4253 §6.6).
fn from_openssh(rest: &str) -> Result<(Vec<u8>, Vec<u8>), Problem> {
    let encoded = rest.split_whitespace().next().unwrap_or_default();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| Problem::Invalid("the key is not Base64".into()))?;
    let mut fields = Vec::new();
    let mut at = 0;
    while at < blob.len() {
        let len_bytes: [u8; 4] = blob
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| Problem::Invalid("truncated key".into()))?;
        let len = u32::from_be_bytes(len_bytes) as usize;
        let field = blob
            .get(at + 4..at + 4 + len)
            .ok_or_else(|| Problem::Invalid("truncated key".into()))?;
        fields.push(field.to_vec());
        at += 4 + len;
    }
    match fields.as_slice() {
        [kind, e, n] if kind == b"ssh-rsa" => Ok((n.clone(), e.clone())),
        _ => Err(Problem::Invalid("not an ssh-rsa key".into())),
    }
}

fn from_pem(body: &str) -> Result<(Vec<u8>, Vec<u8>), Problem> {
    let (_, block) = x509_parser::pem::parse_x509_pem(body.as_bytes()).map_err(|_| Problem::Unrecognized)?;
    match block.label.as_str() {
        "PUBLIC KEY" => {
            let (_, spki) = SubjectPublicKeyInfo::from_der(&block.contents)
                .map_err(|_| Problem::Invalid("not a SubjectPublicKeyInfo".into()))?;
            match spki.parsed() {
                Ok(PublicKey::RSA(rsa)) => Ok((rsa.modulus.to_vec(), rsa.exponent.to_vec())),
                _ => Err(Problem::Invalid("not an RSA key".into())),
            }
        }
        "RSA PUBLIC KEY" => {
            let (_, obj) = x509_parser::der_parser::parse_der(&block.contents)
                .map_err(|_| Problem::Invalid("not DER".into()))?;
            let items = obj
                .as_sequence()
                .map_err(|_| Problem::Invalid("not PKCS#1".into()))?;
            match items.as_slice() {
                [n, e] => Ok((
                    n.as_slice()
                        .map_err(|_| Problem::Invalid("bad modulus".into()))?
                        .to_vec(),
                    e.as_slice()
                        .map_err(|_| Problem::Invalid("bad exponent".into()))?
                        .to_vec(),
                )),
                _ => Err(Problem::Invalid("not PKCS#1".into())),
            }
        }
        _ => Err(Problem::Unrecognized),
    }
}

fn ssh_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// An mpint: big-endian, with a leading zero when the top bit is set.
fn positive(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(bytes);
    v
}

fn openssh_blob(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    ssh_field(&mut blob, b"ssh-rsa");
    ssh_field(&mut blob, &positive(exponent));
    ssh_field(&mut blob, &positive(modulus));
    blob
}

/// DER: tag, length, content.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// SubjectPublicKeyInfo { rsaEncryption, RSAPublicKey { n, e } } (RFC 3279 §2.3.1).
fn spki_der(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    const RSA_ENCRYPTION: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let rsa = der(
        0x30,
        &[der(0x02, &positive(modulus)), der(0x02, &positive(exponent))].concat(),
    );
    let bits = der(0x03, &[&[0u8][..], &rsa].concat());
    der(0x30, &[der(0x30, RSA_ENCRYPTION), bits].concat())
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENSSH: &str = include_str!("../../tests/data/ssh_rsa.pub");
    const PEM: &str = include_str!("../../tests/data/ssh_rsa.pem.pub");
    const ED25519: &str = include_str!("../../tests/data/ssh_ed.pub");

    #[test]
    fn the_fingerprint_is_ssh_keygens_md5() {
        // `ssh-keygen -l -E md5 -f ssh_rsa.pub`
        let key = parse(OPENSSH).unwrap();
        assert_eq!(key.fingerprint, "cb:58:24:ea:8c:af:80:6b:d3:71:ad:42:69:a4:b0:9f");
        assert!(OPENSSH.starts_with(&key.openssh));
    }

    #[test]
    fn both_encodings_are_one_key() {
        let from_ssh = parse(OPENSSH).unwrap();
        let from_pem = parse(PEM).unwrap();
        assert_eq!(from_ssh, from_pem);
        assert_eq!(
            from_pem.pem.trim(),
            PEM.trim(),
            "the PEM form is ssh-keygen's PKCS8 export"
        );
    }

    #[test]
    fn other_keys_and_junk_are_refused() {
        assert!(matches!(parse(ED25519), Err(Problem::Invalid(_))));
        assert_eq!(parse("hello"), Err(Problem::Unrecognized));
        assert!(matches!(parse("ssh-rsa !!!"), Err(Problem::Invalid(_))));
        assert!(matches!(
            parse("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7"),
            Err(Problem::Invalid(_))
        ));
    }
}
