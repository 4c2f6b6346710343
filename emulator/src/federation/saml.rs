//! SAML 2.0 responses as AWS sign-in takes them (`AssumeRoleWithSAML`):
//! the emulator's own, built and signed for tests ([`build_response`]),
//! and any identity provider's, read and verified ([`read_response`]):
//! one assertion, signed (itself, or the response holding it) by a
//! trusted key, its subject, conditions and attributes.

use super::c14n::Document;
use super::keys::{RsaPublic, SigningKey};
use super::xmldsig::{self, SignatureError, DSIG};
use std::fmt::Write as _;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// Where AWS sign-in receives SAML responses: their `Recipient` and audience.
pub const AWS_SIGNIN: &str = "https://signin.aws.amazon.com/saml";
/// The attribute naming the role and provider pairs a subject may use.
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const SESSION_NAME_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SOURCE_IDENTITY_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
pub const PRINCIPAL_TAG_PREFIX: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
pub const TRANSITIVE_TAGS_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";
const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

/// What the emulator puts in a response it issues.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// The `Issuer`: the provider's entity id.
    pub issuer: &'a str,
    pub subject: &'a str,
    /// The `NameID` `Format` (persistent when not given).
    pub subject_format: Option<&'a str>,
    /// Attribute names and their values, in order.
    pub attributes: &'a [(String, Vec<String>)],
    pub issued: OffsetDateTime,
    pub expires: OffsetDateTime,
    /// The `AuthnStatement`'s `SessionNotOnOrAfter`, when given.
    pub session_ends: Option<OffsetDateTime>,
}

/// A verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub issuer: String,
    pub subject: String,
    pub subject_format: Option<String>,
    /// `SubjectConfirmationData Recipient`s.
    pub recipients: Vec<String>,
    /// `AudienceRestriction` audiences.
    pub audiences: Vec<String>,
    pub not_before: Option<OffsetDateTime>,
    /// The earliest of the conditions' and the subject confirmations'.
    pub not_on_or_after: Option<OffsetDateTime>,
    /// The `AuthnStatement`'s `SessionNotOnOrAfter`: when the session the
    /// identity provider authenticated ends.
    pub session_not_on_or_after: Option<OffsetDateTime>,
    pub attributes: Vec<(String, Vec<String>)>,
}

impl Assertion {
    /// An attribute's values (empty when absent).
    pub fn values(&self, name: &str) -> &[String] {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

/// Why a response was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// Not base64, not XML, not a SAML response with one assertion.
    Malformed(String),
    /// Neither the assertion nor the response holding it is signed.
    Unsigned,
    /// A signature that does not verify, or signs something else.
    Signature(SignatureError),
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResponseError::Malformed(why) => write!(f, "malformed SAML response: {why}"),
            ResponseError::Unsigned => f.write_str("the assertion is not signed"),
            ResponseError::Signature(e) => e.fmt(f),
        }
    }
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

fn instant(t: OffsetDateTime) -> String {
    crate::ids::iso8601(t)
}

/// A SAML response holding one assertion signed with `key`, as XML.
pub fn build_response(issue: &Issue, key: &SigningKey) -> String {
    let response_id = format!("_{}", crate::ids::lower_alnum(32));
    let assertion_id = format!("_{}", crate::ids::lower_alnum(32));
    let issued = instant(issue.issued);
    let expires = instant(issue.expires);
    let issuer = escape(issue.issuer);
    let mut attributes = String::new();
    for (name, values) in issue.attributes {
        let _ = write!(attributes, "<saml:Attribute Name=\"{}\">", escape(name));
        for value in values {
            let _ = write!(
                attributes,
                "<saml:AttributeValue>{}</saml:AttributeValue>",
                escape(value)
            );
        }
        attributes.push_str("</saml:Attribute>");
    }
    let format = escape(issue.subject_format.unwrap_or(PERSISTENT));
    let subject = escape(issue.subject);
    let session_ends = issue
        .session_ends
        .map(|t| format!(" SessionNotOnOrAfter=\"{}\"", instant(t)))
        .unwrap_or_default();
    let head = format!(
        "<saml:Assertion xmlns:saml=\"{ASSERTION}\" ID=\"{assertion_id}\" Version=\"2.0\" IssueInstant=\"{issued}\">\
         <saml:Issuer>{issuer}</saml:Issuer>"
    );
    let body = format!(
        "<saml:Subject><saml:NameID Format=\"{format}\">{subject}</saml:NameID>\
         <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
         <saml:SubjectConfirmationData NotOnOrAfter=\"{expires}\" Recipient=\"{AWS_SIGNIN}\"/>\
         </saml:SubjectConfirmation></saml:Subject>\
         <saml:Conditions NotBefore=\"{issued}\" NotOnOrAfter=\"{expires}\"><saml:AudienceRestriction>\
         <saml:Audience>{AWS_SIGNIN}</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
         <saml:AuthnStatement AuthnInstant=\"{issued}\" SessionIndex=\"{assertion_id}\"{session_ends}><saml:AuthnContext>\
         <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\
         </saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>\
         <saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion>"
    );
    let unsigned = format!("{head}{body}");
    // The assertion is signed alone; the signature goes after its Issuer,
    // as the schema orders it.
    let signature = Document::parse(&unsigned)
        .map(|doc| xmldsig::signature_for(&doc, doc.root, &assertion_id, key))
        .unwrap_or_default();
    format!(
        "<samlp:Response xmlns:samlp=\"{PROTOCOL}\" ID=\"{response_id}\" Version=\"2.0\" \
         IssueInstant=\"{issued}\" Destination=\"{AWS_SIGNIN}\"><saml:Issuer xmlns:saml=\"{ASSERTION}\">{issuer}</saml:Issuer>\
         <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>\
         {head}{signature}{body}</samlp:Response>"
    )
}

fn malformed(why: &str) -> ResponseError {
    ResponseError::Malformed(why.to_string())
}

fn time_attribute(doc: &Document, at: usize, name: &str) -> Result<Option<OffsetDateTime>, ResponseError> {
    doc.attribute(at, name)
        .map(|v| {
            OffsetDateTime::parse(v.trim(), &Rfc3339)
                .map_err(|_| ResponseError::Malformed(format!("{name} is not a date and time")))
        })
        .transpose()
}

/// Reads and verifies a response (the XML, base64-decoded by the caller)
/// with `keys`: its one assertion, which must be the signed element or
/// the child of the signed response.
pub fn read_response(xml: &str, keys: &[RsaPublic]) -> Result<Assertion, ResponseError> {
    let doc = Document::parse(xml).map_err(ResponseError::Malformed)?;
    if !doc.is(doc.root, PROTOCOL, "Response") {
        return Err(malformed("the document is not a samlp:Response"));
    }
    if !doc.all(ASSERTION, "EncryptedAssertion").is_empty() {
        return Err(malformed("encrypted assertions are not supported"));
    }
    let assertions = doc.all(ASSERTION, "Assertion");
    let [assertion] = assertions[..] else {
        return Err(malformed("a response must hold exactly one assertion"));
    };
    if doc.element(assertion).parent != Some(doc.root) {
        return Err(malformed("the assertion must be a child of the response"));
    }
    // Only signatures of the assertion or of the response count.
    let signatures: Vec<usize> = [assertion, doc.root]
        .into_iter()
        .filter_map(|at| doc.child(at, DSIG, "Signature"))
        .collect();
    if signatures.is_empty() {
        return Err(ResponseError::Unsigned);
    }
    for signature in signatures {
        let signed = xmldsig::verify(&doc, signature, keys).map_err(ResponseError::Signature)?;
        if !doc.is_within(assertion, signed) {
            return Err(ResponseError::Signature(SignatureError::Malformed(
                "the signature does not cover the assertion".into(),
            )));
        }
    }
    read_assertion(&doc, assertion)
}

fn read_assertion(doc: &Document, assertion: usize) -> Result<Assertion, ResponseError> {
    let issuer = doc
        .child(assertion, ASSERTION, "Issuer")
        .map(|i| doc.text(i).trim().to_string())
        .ok_or_else(|| malformed("the assertion has no Issuer"))?;
    let subject = doc
        .child(assertion, ASSERTION, "Subject")
        .ok_or_else(|| malformed("the assertion has no Subject"))?;
    let name_id = doc
        .child(subject, ASSERTION, "NameID")
        .ok_or_else(|| malformed("the subject has no NameID"))?;
    let mut out = Assertion {
        issuer,
        subject: doc.text(name_id).trim().to_string(),
        subject_format: doc.attribute(name_id, "Format").map(str::to_string),
        recipients: Vec::new(),
        audiences: Vec::new(),
        not_before: None,
        not_on_or_after: None,
        session_not_on_or_after: None,
        attributes: Vec::new(),
    };
    let earliest = |t: Option<OffsetDateTime>, out: &mut Assertion| {
        if let Some(t) = t {
            out.not_on_or_after = Some(out.not_on_or_after.map_or(t, |e| e.min(t)));
        }
    };
    for confirmation in doc
        .child_elements(subject)
        .filter(|c| doc.is(*c, ASSERTION, "SubjectConfirmation"))
    {
        if let Some(data) = doc.child(confirmation, ASSERTION, "SubjectConfirmationData") {
            if let Some(recipient) = doc.attribute(data, "Recipient") {
                out.recipients.push(recipient.to_string());
            }
            earliest(time_attribute(doc, data, "NotOnOrAfter")?, &mut out);
        }
    }
    if let Some(conditions) = doc.child(assertion, ASSERTION, "Conditions") {
        out.not_before = time_attribute(doc, conditions, "NotBefore")?;
        earliest(time_attribute(doc, conditions, "NotOnOrAfter")?, &mut out);
        for restriction in doc
            .child_elements(conditions)
            .filter(|c| doc.is(*c, ASSERTION, "AudienceRestriction"))
        {
            for audience in doc.child_elements(restriction) {
                out.audiences.push(doc.text(audience).trim().to_string());
            }
        }
    }
    for statement in doc
        .child_elements(assertion)
        .filter(|c| doc.is(*c, ASSERTION, "AuthnStatement"))
    {
        if let Some(end) = time_attribute(doc, statement, "SessionNotOnOrAfter")? {
            let earliest = out.session_not_on_or_after.map_or(end, |e| e.min(end));
            out.session_not_on_or_after = Some(earliest);
        }
    }
    for statement in doc
        .child_elements(assertion)
        .filter(|c| doc.is(*c, ASSERTION, "AttributeStatement"))
    {
        for attribute in doc.child_elements(statement) {
            let Some(name) = doc.attribute(attribute, "Name") else {
                continue;
            };
            let values = doc
                .child_elements(attribute)
                .map(|v| doc.text(v).trim().to_string())
                .collect();
            out.attributes.push((name.to_string(), values));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
