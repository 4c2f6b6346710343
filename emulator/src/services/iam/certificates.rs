//! X.509 certificates: the account's server certificates
//! (Upload/Get/List/Update/DeleteServerCertificate) and users' signing
//! certificates (Upload/List/Update/DeleteSigningCertificate). Bodies are
//! parsed ([`crate::credentials::certificate`]): a bad one is
//! `MalformedCertificate`, a private key that is not the certificate's is
//! `KeyPairMismatch`, and a server certificate's expiration is its
//! `notAfter`.

use super::users::{find, find_mut};
use super::{check_name, check_path, page_tail, paginate, read_tags, tags_xml, Call};
use crate::credentials::certificate::{self, Problem};
use crate::error::{AwsError, AwsResult, Query};
use crate::ids;
use crate::protocol::xml::Xml;
use crate::state::credentials::{ServerCertificate, SigningCertificate};
use crate::state::iam::key;
use crate::state::State;

/// AWS's quotas ("Server certificates stored in an AWS account: 20";
/// "Signing certificates assigned to an IAM user: 2").
pub const MAX_SERVER_CERTIFICATES: usize = 20;
pub const MAX_SIGNING_CERTIFICATES_PER_USER: usize = 2;

fn malformed(what: &str) -> impl Fn(Problem) -> AwsError + '_ {
    move |_| {
        AwsError::new(
            Query::MalformedCertificate,
            format!("Unable to parse {what}. Please ensure it is in PEM format."),
        )
    }
}

/// A PEM input of at most `max` characters.
fn read_pem<'c>(call: &'c Call, name: &str, max: usize) -> AwsResult<&'c str> {
    let value = call.params.required(name)?;
    if value.is_empty() || value.chars().count() > max {
        return Err(AwsError::validation(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length less than or equal to {max}",
            crate::error::lower_first(name)
        )));
    }
    Ok(value)
}

fn status_of(call: &Call) -> AwsResult<bool> {
    match call.params.required("Status")? {
        "Active" => Ok(true),
        "Inactive" => Ok(false),
        other => Err(AwsError::validation(format!(
            "1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
        ))),
    }
}

pub fn status_text(active: bool) -> &'static str {
    if active {
        "Active"
    } else {
        "Inactive"
    }
}

// ---- server certificates ----

fn no_such_server_certificate(name: &str) -> AwsError {
    AwsError::no_such_entity(format!(
        "The Server Certificate with name {name} cannot be found."
    ))
}

fn metadata_xml(x: &mut Xml, c: &ServerCertificate) {
    x.elem("Path", &c.path);
    x.elem("ServerCertificateName", &c.name);
    x.elem("ServerCertificateId", &c.id);
    x.elem("Arn", &c.arn);
    x.elem("UploadDate", &ids::iso8601(c.uploaded));
    x.elem("Expiration", &ids::iso8601(c.expiration));
}

pub fn upload_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("ServerCertificateName")?;
    check_name("ServerCertificateName", name, 128)?;
    let path = call.params.get("Path").unwrap_or("/");
    check_path(path)?;
    let body = read_pem(call, "CertificateBody", 16_384)?;
    let private_key = read_pem(call, "PrivateKey", 16_384)?;
    let chain = call
        .params
        .get("CertificateChain")
        .map(|_| read_pem(call, "CertificateChain", 2_097_152))
        .transpose()?;
    let tags = read_tags(call.params)?;
    let cert = certificate::parse_certificate(body).map_err(malformed("certificate"))?;
    let key_part = certificate::private_key_public_part(private_key).map_err(malformed("private key"))?;
    if !certificate::key_matches(&cert, key_part.as_ref()) {
        return Err(AwsError::new(
            Query::KeyPairMismatch,
            "Certificate and private key do not match.",
        ));
    }
    if let Some(chain) = chain {
        certificate::parse_chain(chain).map_err(malformed("certificate chain"))?;
    }
    let now = call.ctx.shared.now();
    let arn = call.arn("server-certificate", path, name);
    let certs = &mut state.account_mut(&call.account).credentials.server_certificates;
    if certs.contains_key(&key(name)) {
        return Err(AwsError::already_exists(format!(
            "The Server Certificate with name {name} already exists."
        )));
    }
    if certs.len() >= MAX_SERVER_CERTIFICATES {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for ServerCertificatesPerAccount: {MAX_SERVER_CERTIFICATES}"
        )));
    }
    let record = ServerCertificate {
        name: name.to_string(),
        id: ids::unique_id("ASCA"),
        path: path.to_string(),
        arn,
        body: body.to_string(),
        chain: chain.map(str::to_string),
        uploaded: now,
        expiration: cert.not_after,
        tags,
    };
    let mut x = Xml::default();
    x.with("ServerCertificateMetadata", |x| metadata_xml(x, &record));
    tags_xml(&mut x, &record.tags);
    certs.insert(key(name), record);
    Ok(x)
}

fn server_certificate<'s>(state: &'s State, call: &Call, name: &str) -> AwsResult<&'s ServerCertificate> {
    state
        .account(&call.account)
        .and_then(|a| a.credentials.server_certificates.get(&key(name)))
        .ok_or_else(|| no_such_server_certificate(name))
}

pub fn get_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("ServerCertificateName")?;
    let c = server_certificate(state, call, name)?;
    let mut x = Xml::default();
    x.with("ServerCertificate", |x| {
        x.with("ServerCertificateMetadata", |x| metadata_xml(x, c));
        x.elem("CertificateBody", &c.body);
        x.opt("CertificateChain", c.chain.as_deref());
        tags_xml(x, &c.tags);
    });
    Ok(x)
}

pub fn list_server_certificates(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let prefix = call.params.get("PathPrefix").unwrap_or("/");
    let certs: Vec<&ServerCertificate> = state
        .account(&call.account)
        .map(|a| {
            a.credentials
                .server_certificates
                .values()
                .filter(|c| c.path.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default();
    let page = paginate(call.params, certs)?;
    let mut x = Xml::default();
    x.with("ServerCertificateMetadataList", |x| {
        for c in &page.items {
            x.with("member", |x| metadata_xml(x, c));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn update_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("ServerCertificateName")?.to_string();
    let new_name = call.params.get("NewServerCertificateName").map(str::to_string);
    let new_path = call.params.get("NewPath").map(str::to_string);
    if let Some(n) = &new_name {
        check_name("NewServerCertificateName", n, 128)?;
    }
    if let Some(p) = &new_path {
        check_path(p)?;
    }
    server_certificate(state, call, &name)?;
    let certs = &mut state.account_mut(&call.account).credentials.server_certificates;
    if let Some(n) = &new_name {
        if key(n) != key(&name) && certs.contains_key(&key(n)) {
            return Err(AwsError::already_exists(format!(
                "The Server Certificate with name {n} already exists."
            )));
        }
    }
    let mut c = certs
        .remove(&key(&name))
        .ok_or_else(|| no_such_server_certificate(&name))?;
    if let Some(n) = new_name {
        c.name = n;
    }
    if let Some(p) = new_path {
        c.path = p;
    }
    c.arn = format!(
        "arn:aws:iam::{}:server-certificate{}{}",
        call.account, c.path, c.name
    );
    certs.insert(key(&c.name), c);
    Ok(Xml::default())
}

pub fn delete_server_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = call.params.required("ServerCertificateName")?;
    let certs = &mut state.account_mut(&call.account).credentials.server_certificates;
    certs
        .remove(&key(name))
        .ok_or_else(|| no_such_server_certificate(name))?;
    Ok(Xml::default())
}

// ---- signing certificates ----

/// The user a call names in `UserName`, else the calling user.
pub fn user_or_caller(call: &Call) -> AwsResult<String> {
    if let Some(name) = call.params.get("UserName") {
        return Ok(name.to_string());
    }
    call.caller
        .principal
        .user_name()
        .map(str::to_string)
        .ok_or_else(|| AwsError::validation("Must specify userName when calling with non-User credentials"))
}

/// A signing certificate's id: 32 characters of `[A-Z2-7]` (the model allows 24–128 of `[\w]`).
fn certificate_id() -> String {
    ids::unique_id("")
        .chars()
        .chain(ids::unique_id("").chars())
        .take(32)
        .collect()
}

fn no_such_certificate(id: &str) -> AwsError {
    AwsError::no_such_entity(format!("The Certificate with id {id} cannot be found."))
}

fn signing_xml(x: &mut Xml, user: &str, c: &SigningCertificate) {
    x.elem("UserName", user);
    x.elem("CertificateId", &c.id);
    x.elem("CertificateBody", &c.body);
    x.elem("Status", status_text(c.active));
    x.elem("UploadDate", &ids::iso8601(c.uploaded));
}

pub fn upload_signing_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let body = read_pem(call, "CertificateBody", 16_384)?;
    let cert = certificate::parse_certificate(body).map_err(malformed("certificate"))?;
    let now = call.ctx.shared.now();
    let user = find_mut(state, call, &name)?;
    let certs = &mut user.credentials.signing_certificates;
    let duplicate = certs
        .iter()
        .find(|c| certificate::parse_certificate(&c.body).is_ok_and(|old| old.der == cert.der));
    if let Some(old) = duplicate {
        return Err(AwsError::new(
            Query::DuplicateCertificate,
            format!("The Certificate with id {} already exists.", old.id),
        ));
    }
    if certs.len() >= MAX_SIGNING_CERTIFICATES_PER_USER {
        return Err(AwsError::limit_exceeded(format!(
            "Cannot exceed quota for CertificatesPerUser: {MAX_SIGNING_CERTIFICATES_PER_USER}"
        )));
    }
    let record = SigningCertificate {
        id: certificate_id(),
        body: body.to_string(),
        active: true,
        uploaded: now,
    };
    let mut x = Xml::default();
    x.with("Certificate", |x| signing_xml(x, &user.name, &record));
    certs.push(record);
    Ok(x)
}

pub fn list_signing_certificates(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let user = find(state, call, &name)?;
    let page = paginate(
        call.params,
        user.credentials.signing_certificates.iter().collect(),
    )?;
    let mut x = Xml::default();
    x.with("Certificates", |x| {
        for c in &page.items {
            x.with("member", |x| signing_xml(x, &user.name, c));
        }
    });
    page_tail(&mut x, page.next_marker.as_deref());
    Ok(x)
}

pub fn update_signing_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let id = call.params.required("CertificateId")?.to_string();
    let active = status_of(call)?;
    let user = find_mut(state, call, &name)?;
    let cert = user
        .credentials
        .signing_certificates
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| no_such_certificate(&id))?;
    cert.active = active;
    Ok(Xml::default())
}

pub fn delete_signing_certificate(state: &mut State, call: &Call) -> AwsResult<Xml> {
    let name = user_or_caller(call)?;
    let id = call.params.required("CertificateId")?.to_string();
    let user = find_mut(state, call, &name)?;
    let certs = &mut user.credentials.signing_certificates;
    let before = certs.len();
    certs.retain(|c| c.id != id);
    if certs.len() == before {
        return Err(no_such_certificate(&id));
    }
    Ok(Xml::default())
}

/// For status updates elsewhere (SSH keys, service credentials).
pub fn read_status(call: &Call) -> AwsResult<bool> {
    status_of(call)
}
