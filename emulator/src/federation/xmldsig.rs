//! XML Signature (XML-DSig 1.0) as SAML identity providers use it: one
//! enveloped signature over the element whose `ID` its `Reference`
//! names, with the transforms enveloped-signature and exclusive
//! canonicalization, SHA-256 (or SHA-1) digests and RSA-SHA256
//! signatures.
//!
//! Verification answers *which element* the signature covers, so the
//! caller uses that element and no other (signature wrapping: a second,
//! unsigned assertion beside a signed one must not be read). The key is
//! one the caller trusts (the SAML provider's certificates, or the
//! emulator's own key); a key inside `KeyInfo` is never trusted for
//! itself.

use super::c14n::Document;
use super::keys::{RsaPublic, SigningKey};
use base64::Engine as _;
use sha2::Digest as _;

pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The signature's structure is not one this reads.
    Malformed(String),
    /// An algorithm other than those above.
    Algorithm(String),
    /// The signed content changed since it was signed.
    Digest,
    /// No trusted key verifies the signature value.
    Value,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Malformed(why) => write!(f, "malformed signature: {why}"),
            SignatureError::Algorithm(a) => write!(f, "unsupported algorithm {a}"),
            SignatureError::Digest => f.write_str("the digest does not match the signed element"),
            SignatureError::Value => f.write_str("no trusted key verifies the signature"),
        }
    }
}

/// The `<ds:Signature>` element signing element `element` (whose `ID` is
/// `id`) of `doc` with `key`, to be inserted as a child of that element
/// without white space around it.
pub fn signature_for(doc: &Document, element: usize, id: &str, key: &SigningKey) -> String {
    let digest = B64.encode(sha2::Sha256::digest(doc.canonicalize(element, None, &[])));
    let signed_info = format!(
        "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
         <ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/><ds:Reference URI=\"#{id}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{ENVELOPED}\"/><ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>\
         </ds:SignedInfo>"
    );
    // SignedInfo uses only the `ds` prefix, so its exclusive canonical
    // form is the same alone as inside the document.
    let alone = format!("<ds:Signature xmlns:ds=\"{DSIG}\">{signed_info}</ds:Signature>");
    let canonical = Document::parse(&alone)
        .ok()
        .and_then(|d| {
            d.child(d.root, DSIG, "SignedInfo")
                .map(|i| d.canonicalize(i, None, &[]))
        })
        .unwrap_or_default();
    let value = B64.encode(key.sign(canonical.as_bytes()));
    let public = key.public();
    format!(
        "<ds:Signature xmlns:ds=\"{DSIG}\">{signed_info}<ds:SignatureValue>{value}</ds:SignatureValue>\
         <ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{}</ds:Modulus><ds:Exponent>{}</ds:Exponent>\
         </ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo></ds:Signature>",
        B64.encode(&public.modulus),
        B64.encode(&public.exponent)
    )
}

fn malformed(why: &str) -> SignatureError {
    SignatureError::Malformed(why.to_string())
}

/// The algorithm URI of `parent`'s child `name`.
fn algorithm<'d>(doc: &'d Document, parent: usize, name: &str) -> Result<&'d str, SignatureError> {
    let child = doc
        .child(parent, DSIG, name)
        .ok_or_else(|| SignatureError::Malformed(format!("no {name}")))?;
    doc.attribute(child, "Algorithm")
        .ok_or_else(|| SignatureError::Malformed(format!("{name} has no Algorithm")))
}

/// The `PrefixList` of an `InclusiveNamespaces` child of `at`.
fn inclusive_prefixes(doc: &Document, at: usize) -> Vec<String> {
    doc.child(at, EXC_C14N, "InclusiveNamespaces")
        .and_then(|i| doc.attribute(i, "PrefixList"))
        .map(|list| {
            list.split_whitespace()
                .map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_string()
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn base64_text(doc: &Document, at: usize) -> Result<Vec<u8>, SignatureError> {
    let text: String = doc.text(at).split_whitespace().collect();
    B64.decode(text).map_err(|_| malformed("a value is not base64"))
}

/// Verifies the `<ds:Signature>` element `signature` of `doc` with one of
/// `keys`; the index of the element it signs (its parent) when valid.
pub fn verify(doc: &Document, signature: usize, keys: &[RsaPublic]) -> Result<usize, SignatureError> {
    let signed = doc
        .element(signature)
        .parent
        .ok_or_else(|| malformed("a signature must be enveloped in what it signs"))?;
    let signed_info = doc
        .child(signature, DSIG, "SignedInfo")
        .ok_or_else(|| malformed("no SignedInfo"))?;
    let c14n = algorithm(doc, signed_info, "CanonicalizationMethod")?;
    if c14n != EXC_C14N && c14n != EXC_C14N_COMMENTS {
        return Err(SignatureError::Algorithm(c14n.to_string()));
    }
    let method = algorithm(doc, signed_info, "SignatureMethod")?;
    if method != RSA_SHA256 {
        return Err(SignatureError::Algorithm(method.to_string()));
    }
    let references: Vec<usize> = doc
        .child_elements(signed_info)
        .filter(|c| doc.is(*c, DSIG, "Reference"))
        .collect();
    let [reference] = references[..] else {
        return Err(malformed("exactly one Reference is read"));
    };
    // The reference names the enveloping element by its ID, and that ID
    // is no other element's.
    let uri = doc.attribute(reference, "URI").unwrap_or_default();
    let id = uri
        .strip_prefix('#')
        .ok_or_else(|| malformed("the Reference URI is not #ID"))?;
    if doc.attribute(signed, "ID") != Some(id) {
        return Err(malformed("the signature does not sign the element that holds it"));
    }
    let same_id = (0..doc.nodes.len())
        .filter(|i| matches!(doc.nodes[*i], super::c14n::Node::Element(_)))
        .filter(|i| doc.attribute(*i, "ID") == Some(id))
        .count();
    if same_id != 1 {
        return Err(malformed("more than one element has the signed ID"));
    }
    let mut inclusive = Vec::new();
    if let Some(transforms) = doc.child(reference, DSIG, "Transforms") {
        for transform in doc.child_elements(transforms) {
            match doc.attribute(transform, "Algorithm").unwrap_or_default() {
                ENVELOPED => {}
                EXC_C14N | EXC_C14N_COMMENTS => inclusive = inclusive_prefixes(doc, transform),
                other => return Err(SignatureError::Algorithm(other.to_string())),
            }
        }
    }
    let canonical = doc.canonicalize(signed, Some(signature), &inclusive);
    let digest: Vec<u8> = match algorithm(doc, reference, "DigestMethod")? {
        SHA256 => sha2::Sha256::digest(canonical.as_bytes()).to_vec(),
        SHA1 => {
            use sha1::Digest as _;
            sha1::Sha1::digest(canonical.as_bytes()).to_vec()
        }
        other => return Err(SignatureError::Algorithm(other.to_string())),
    };
    let expected = doc
        .child(reference, DSIG, "DigestValue")
        .ok_or_else(|| malformed("no DigestValue"))?;
    if base64_text(doc, expected)? != digest {
        return Err(SignatureError::Digest);
    }
    let c14n_at = doc
        .child(signed_info, DSIG, "CanonicalizationMethod")
        .unwrap_or(signed_info);
    let canonical_info = doc.canonicalize(signed_info, None, &inclusive_prefixes(doc, c14n_at));
    let value_at = doc
        .child(signature, DSIG, "SignatureValue")
        .ok_or_else(|| malformed("no SignatureValue"))?;
    let value = base64_text(doc, value_at)?;
    if keys.iter().any(|k| k.verifies(canonical_info.as_bytes(), &value)) {
        Ok(signed)
    } else {
        Err(SignatureError::Value)
    }
}
