//! Verification of SAML responses: the emulator's own, and responses
//! signed by xmlsec1 (an independent XML-DSig implementation) with a test
//! key, kept in `emulator/tests/data/saml/` with the script that made them.

use super::*;
use std::sync::LazyLock;
use time::macros::datetime;

static KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());
static OTHER: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());

fn issued() -> String {
    let attributes = vec![
        (
            ROLE_ATTRIBUTE.to_string(),
            vec!["arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:saml-provider/idp".to_string()],
        ),
        (SESSION_NAME_ATTRIBUTE.to_string(), vec!["alice".to_string()]),
        ("dept".to_string(), vec!["a & b".to_string(), "<c>".to_string()]),
    ];
    build_response(
        &Issue {
            issuer: "https://idp.example/",
            subject: "alice@example.com",
            subject_format: None,
            attributes: &attributes,
            issued: datetime!(2030-01-01 00:00 UTC),
            expires: datetime!(2030-01-01 01:00 UTC),
            session_ends: Some(datetime!(2030-01-01 08:00 UTC)),
        },
        &KEY,
    )
}

#[test]
fn the_emulators_response_verifies_with_its_key_and_reads_back() {
    let assertion = read_response(&issued(), &[KEY.public()]).unwrap();
    assert_eq!(assertion.issuer, "https://idp.example/");
    assert_eq!(assertion.subject, "alice@example.com");
    assert_eq!(assertion.recipients, [AWS_SIGNIN]);
    assert_eq!(assertion.audiences, [AWS_SIGNIN]);
    assert_eq!(assertion.not_on_or_after, Some(datetime!(2030-01-01 01:00 UTC)));
    assert_eq!(
        assertion.session_not_on_or_after,
        Some(datetime!(2030-01-01 08:00 UTC))
    );
    assert_eq!(assertion.values("dept"), ["a & b", "<c>"]);
    assert_eq!(assertion.values(SESSION_NAME_ATTRIBUTE), ["alice"]);
}

#[test]
fn another_key_does_not_verify_it() {
    assert_eq!(
        read_response(&issued(), &[OTHER.public()]),
        Err(ResponseError::Signature(SignatureError::Value))
    );
}

#[test]
fn a_changed_assertion_fails_its_digest() {
    let tampered = issued().replace("alice@example.com", "admin@example.com");
    assert_eq!(
        read_response(&tampered, &[KEY.public()]),
        Err(ResponseError::Signature(SignatureError::Digest))
    );
    let later = issued().replace("2030-01-01T01:00:00Z", "2031-01-01T01:00:00Z");
    assert_eq!(
        read_response(&later, &[KEY.public()]),
        Err(ResponseError::Signature(SignatureError::Digest))
    );
}

#[test]
fn an_unsigned_response_is_refused() {
    let xml = issued();
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &xml[..start], &xml[end..]);
    assert_eq!(
        read_response(&unsigned, &[KEY.public()]),
        Err(ResponseError::Unsigned)
    );
}

#[test]
fn a_wrapped_assertion_is_refused() {
    // Signature wrapping: the signed assertion is kept (so its signature
    // still verifies) and a forged one put where a careless reader looks.
    let xml = issued();
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed = &xml[start..end];
    let forged = signed
        .replace("alice@example.com", "admin@example.com")
        .replace("ID=\"_", "ID=\"_evil");
    let beside = format!("{}{forged}{}", &xml[..start], &xml[start..]);
    assert!(matches!(
        read_response(&beside, &[KEY.public()]),
        Err(ResponseError::Malformed(_))
    ));
    // The signed assertion moved into an extension, the forged one in its place.
    let hidden = format!(
        "{}<samlp:Extensions>{signed}</samlp:Extensions>{forged}{}",
        &xml[..start],
        &xml[end..]
    );
    assert!(read_response(&hidden, &[KEY.public()]).is_err());
    // The forged assertion carries the signature of the real one.
    let sig_start = signed.find("<ds:Signature").unwrap();
    let sig_end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let stolen = forged.replacen(
        "</saml:Issuer>",
        &format!("</saml:Issuer>{}", &signed[sig_start..sig_end]),
        1,
    );
    let stolen = format!("{}{stolen}{}", &xml[..start], &xml[end..]);
    assert!(read_response(&stolen, &[KEY.public()]).is_err());
}

#[test]
fn malformed_documents_are_refused() {
    for bad in [
        "",
        "not xml",
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">",
        "<x/>",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
        "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>",
        // An entity no DTD declares is not expanded either.
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&xxe;</samlp:Response>",
    ] {
        assert!(
            matches!(
                read_response(bad, &[KEY.public()]),
                Err(ResponseError::Malformed(_))
            ),
            "{bad}"
        );
    }
}

/// A signed-looking assertion whose content nests thousands deep: refused
/// as malformed before canonicalization walks it (which recursed once per
/// level and overflowed the serving thread's stack).
#[test]
fn deeply_nested_documents_are_refused_before_canonicalization() {
    let depth = 10_000;
    let xml = format!(
        "<samlp:Response xmlns:samlp=\"{PROTOCOL}\"><s:Assertion xmlns:s=\"{ASSERTION}\" ID=\"x\">\
         <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>{}{}</s:Assertion></samlp:Response>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    match read_response(&xml, &[KEY.public()]) {
        Err(ResponseError::Malformed(why)) => assert!(why.contains("nest deeper"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Nesting within the limit still parses.
    let fine = format!("<a>{}{}</a>", "<b>".repeat(60), "</b>".repeat(60));
    assert!(Document::parse(&fine).is_ok());
}

/// The test identity provider's public key, from its certificate.
fn idp_key() -> RsaPublic {
    let pem = include_str!("../../../tests/data/saml/idp-cert.pem");
    match crate::credentials::certificate::parse_certificate(pem)
        .unwrap()
        .public_key
    {
        crate::credentials::certificate::KeyMaterial::Rsa { modulus, exponent } => {
            RsaPublic { modulus, exponent }
        }
        other => panic!("not RSA: {other:?}"),
    }
}

const SIGNED_ASSERTION: &str = include_str!("../../../tests/data/saml/signed-assertion.xml");
const SIGNED_RESPONSE: &str = include_str!("../../../tests/data/saml/signed-response.xml");

#[test]
fn responses_signed_by_xmlsec1_verify_with_the_certificates_key() {
    for xml in [SIGNED_ASSERTION, SIGNED_RESPONSE] {
        let assertion = read_response(xml, &[idp_key()]).unwrap();
        assert_eq!(assertion.subject, "carol@example.test");
        assert_eq!(assertion.issuer, "https://idp.example.test/saml");
        assert_eq!(
            assertion.values("urn:oid:1.3.6.1.4.1.5923.1.1.1.1"),
            ["staff & faculty"]
        );
        assert_eq!(assertion.not_on_or_after, Some(datetime!(2099-01-01 00:00 UTC)));
        assert_eq!(
            read_response(xml, &[KEY.public()]),
            Err(ResponseError::Signature(SignatureError::Value))
        );
    }
}

#[test]
fn xmlsec1_signed_responses_detect_tampering_anywhere_they_cover() {
    let assertion = SIGNED_ASSERTION.replace("carol</saml:AttributeValue>", "root</saml:AttributeValue>");
    assert_eq!(
        read_response(&assertion, &[idp_key()]),
        Err(ResponseError::Signature(SignatureError::Digest))
    );
    let response = SIGNED_RESPONSE.replace("staff &amp; faculty", "admins");
    assert_eq!(
        read_response(&response, &[idp_key()]),
        Err(ResponseError::Signature(SignatureError::Digest))
    );
    // The comment is not covered (exclusive canonicalization drops it).
    let comment = SIGNED_ASSERTION.replace("a comment the signature", "another comment");
    assert!(read_response(&comment, &[idp_key()]).is_ok());
}
