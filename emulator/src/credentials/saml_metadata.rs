//! SAML 2.0 metadata documents, as CreateSAMLProvider and
//! UpdateSAMLProvider take them: well-formed XML whose root is an
//! `EntityDescriptor` (or an `EntitiesDescriptor` holding one) with an
//! `IDPSSODescriptor`; its `entityID`, its `validUntil`, and the X.509
//! certificates its `KeyDescriptor`s name for signing (each must parse).
//! Anything else is refused, as IAM refuses it, with "Could not parse
//! metadata".

use base64::Engine;
use quick_xml::events::{BytesStart, Event};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What IAM keeps of a metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub entity_id: Option<String>,
    pub valid_until: Option<OffsetDateTime>,
    /// Base64 DER, whitespace removed, in document order.
    pub signing_certificates: Vec<String>,
}

/// IAM's answer to metadata it cannot read.
pub const UNREADABLE: &str = "Could not parse metadata";

/// Reads a metadata document; `Err` when IAM would refuse it.
pub fn parse(document: &str) -> Result<Metadata, &'static str> {
    let mut reader = quick_xml::Reader::from_str(document);
    let mut depth_names: Vec<String> = Vec::new();
    let mut metadata = Metadata {
        entity_id: None,
        valid_until: None,
        signing_certificates: Vec::new(),
    };
    let mut saw_entity = false;
    let mut saw_idp = false;
    let mut root_seen = false;
    // Inside a KeyDescriptor for signing, and inside its X509Certificate.
    let mut signing_key: Option<usize> = None;
    let mut certificate: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|_| UNREADABLE)?;
        match event {
            Event::Start(e) => {
                let name = local_name(&e);
                if depth_names.is_empty() {
                    if root_seen || !matches!(name.as_str(), "EntityDescriptor" | "EntitiesDescriptor") {
                        return Err(UNREADABLE);
                    }
                    root_seen = true;
                }
                open(&e, &name, &mut metadata, &mut saw_entity, &mut saw_idp)?;
                if name == "KeyDescriptor" && is_signing(&e) {
                    signing_key = Some(depth_names.len());
                }
                if name == "X509Certificate" && signing_key.is_some() {
                    certificate = Some(String::new());
                }
                depth_names.push(name);
            }
            Event::Empty(e) => {
                let name = local_name(&e);
                if depth_names.is_empty() {
                    return Err(UNREADABLE);
                }
                open(&e, &name, &mut metadata, &mut saw_entity, &mut saw_idp)?;
            }
            Event::Text(t) => {
                if let Some(cert) = certificate.as_mut() {
                    let text = t.decode().map_err(|_| UNREADABLE)?;
                    cert.push_str(&text);
                } else if depth_names.is_empty() && !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(UNREADABLE);
                }
            }
            Event::End(_) => {
                let name = depth_names.pop().ok_or(UNREADABLE)?;
                if name == "X509Certificate" {
                    if let Some(cert) = certificate.take() {
                        metadata.signing_certificates.push(check_certificate(&cert)?);
                    }
                }
                if name == "KeyDescriptor" && signing_key == Some(depth_names.len()) {
                    signing_key = None;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !depth_names.is_empty() || !saw_entity || !saw_idp {
        return Err(UNREADABLE);
    }
    Ok(metadata)
}

fn local_name(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name.as_bytes())
            .then(|| a.unescape_value().ok().map(std::borrow::Cow::into_owned))
            .flatten()
    })
}

/// A `KeyDescriptor` without `use`, or `use="signing"`.
fn is_signing(e: &BytesStart) -> bool {
    attribute(e, "use").is_none_or(|u| u == "signing")
}

/// Notes what an opening element tells: the first entity's id and
/// validity, and whether an identity provider is described.
fn open(
    e: &BytesStart,
    name: &str,
    metadata: &mut Metadata,
    saw_entity: &mut bool,
    saw_idp: &mut bool,
) -> Result<(), &'static str> {
    match name {
        "EntityDescriptor" if !*saw_entity => {
            *saw_entity = true;
            metadata.entity_id = attribute(e, "entityID");
            if let Some(until) = attribute(e, "validUntil") {
                metadata.valid_until = Some(OffsetDateTime::parse(&until, &Rfc3339).map_err(|_| UNREADABLE)?);
            }
        }
        "IDPSSODescriptor" => *saw_idp = true,
        _ => {}
    }
    Ok(())
}

/// The certificate's base64 with whitespace removed, once it decodes and
/// parses as X.509.
fn check_certificate(text: &str) -> Result<String, &'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| UNREADABLE)?;
    x509_parser::parse_x509_certificate(&der).map_err(|_| UNREADABLE)?;
    Ok(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate as metadata carries it: the PEM's base64, no armour.
    fn certificate() -> String {
        include_str!("../../tests/data/cert.pem")
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn metadata(descriptor: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml" validUntil="2049-01-01T00:00:00Z">
  {descriptor}
</md:EntityDescriptor>"#
        )
    }

    fn idp(keys: &str) -> String {
        format!(
            r#"<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>"#
        )
    }

    fn key(usage: &str, cert: &str) -> String {
        format!(
            r#"<md:KeyDescriptor {usage}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
{cert}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
        )
    }

    #[test]
    fn an_identity_providers_metadata_is_read() {
        let doc = metadata(&idp(&format!(
            "{}{}",
            key(r#"use="signing""#, &certificate()),
            key(r#"use="encryption""#, &certificate())
        )));
        let read = parse(&doc).unwrap();
        assert_eq!(read.entity_id.as_deref(), Some("https://idp.example.com/saml"));
        assert_eq!(read.valid_until.unwrap().year(), 2049);
        assert_eq!(
            read.signing_certificates.len(),
            1,
            "the encryption key is not for signing"
        );
        let compact: String = certificate().chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(read.signing_certificates[0], compact);
    }

    #[test]
    fn a_key_without_use_signs() {
        let read = parse(&metadata(&idp(&key("", &certificate())))).unwrap();
        assert_eq!(read.signing_certificates.len(), 1);
    }

    #[test]
    fn what_is_not_an_identity_providers_metadata_is_refused() {
        for bad in [
            "not xml".to_string(),
            "<a><b></a>".to_string(),
            metadata(""),
            "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">".to_string(),
            "<Other><IDPSSODescriptor/></Other>".to_string(),
            metadata(&idp(&key("", "bm90IGEgY2VydGlmaWNhdGU="))),
            metadata(&idp(&key("", "%%%"))),
            metadata(&idp("")).replace("2049-01-01T00:00:00Z", "soon"),
        ] {
            assert_eq!(parse(&bad), Err(UNREADABLE), "{bad}");
        }
    }
}
