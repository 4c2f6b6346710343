//! A small signed client: AWS Query requests signed by AWS's own
//! `aws-sigv4` crate (not by the emulator's verifier code), sent with a
//! blocking reqwest client.

use crate::reply::Reply;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{Duration, SystemTime};

/// RFC 3986 unreserved characters stay; everything else is `%XX` (as the
/// AWS SDKs encode Query parameters).
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Name/value pairs (headers, query parameters).
type Pairs = Vec<(String, String)>;

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// AWS credentials: an access key pair and, for temporary credentials, a
/// session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials (no session token).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// The same credentials with a session token.
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }
}

/// An HTTP request ready to send, exposed so a test can alter it after
/// signing (tamper with the signature, the body, a header …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Full URL, `http://127.0.0.1:PORT/…?…`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The value of a header (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces (or adds) a header.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }

    /// Removes a header.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

/// The Query API version of a service.
pub fn api_version(service: &str) -> &'static str {
    match service {
        "sts" => "2011-06-15",
        _ => "2010-05-08",
    }
}

/// `k=v&…`, RFC 3986-encoded.
pub fn encode_params(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY_ENCODE),
                utf8_percent_encode(v, QUERY_ENCODE)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The params with `Version` added when missing.
fn with_version<'a>(service: &str, params: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = params.to_vec();
    if !all.iter().any(|(k, _)| *k == "Version") {
        all.push(("Version", api_version(service)));
    }
    all
}

/// Sends `req` with `http`; transport failures panic (the emulator is in-process).
pub(crate) fn send(http: &reqwest::blocking::Client, req: &Request) -> Reply {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .unwrap_or_else(|e| panic!("bad method {:?}: {e}", req.method));
    let mut builder = http.request(method, &req.url).body(req.body.clone());
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder
        .send()
        .unwrap_or_else(|e| panic!("{} {} failed: {e}", req.method, req.url));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let bytes = response
        .bytes()
        .unwrap_or_else(|e| panic!("reading the reply to {} failed: {e}", req.url))
        .to_vec();
    Reply {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        headers,
    }
}

/// A client of one emulator acting with one set of credentials.
///
/// Every request is signed with SigV4 by the `aws-sigv4` crate, region
/// `us-east-1` unless [`Client::with_region`] says otherwise.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) http: reqwest::blocking::Client,
    pub(crate) endpoint: String,
    pub(crate) credentials: Credentials,
    pub(crate) region: String,
}

impl Client {
    pub(crate) fn new(http: reqwest::blocking::Client, endpoint: String, credentials: Credentials) -> Self {
        Client {
            http,
            endpoint,
            credentials,
            region: "us-east-1".into(),
        }
    }

    /// The same client signing for another region (`""` is allowed: IAM/STS
    /// clients may sign with an empty region).
    #[must_use]
    pub fn with_region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// The credentials this client signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A signed Query call: form POST to `/`, `Version` added when missing
    /// (`2010-05-08` for iam, `2011-06-15` for sts).
    pub fn query(&self, service: &str, params: &[(&str, &str)]) -> Reply {
        self.send(&self.sign_query(service, params))
    }

    /// A signed Query call as a GET with the parameters in the URL and the
    /// signature in the `Authorization` header.
    pub fn query_get(&self, service: &str, params: &[(&str, &str)]) -> Reply {
        let query = encode_params(&with_version(service, params));
        let url = format!("{}/?{query}", self.endpoint);
        let req = self.sign_at("GET", &url, Vec::new(), Vec::new(), service, SystemTime::now());
        self.send(&req)
    }

    /// A signed JSON-protocol call (Kinesis): POST `/` with
    /// `X-Amz-Target: TARGET` (`Kinesis_20131202.ListStreams`) and
    /// `Content-Type: application/x-amz-json-1.1`, the body as given.
    pub fn json(&self, service: &str, target: &str, body: &serde_json::Value) -> Reply {
        let url = format!("{}/", self.endpoint);
        let headers = vec![
            (
                "content-type".to_string(),
                "application/x-amz-json-1.1".to_string(),
            ),
            ("x-amz-target".to_string(), target.to_string()),
        ];
        let req = self.sign_at(
            "POST",
            &url,
            headers,
            body.to_string().into_bytes(),
            service,
            SystemTime::now(),
        );
        self.send(&req)
    }

    /// A Kinesis Data Streams call: [`Client::json`] with the target
    /// `Kinesis_20131202.OPERATION`.
    pub fn kinesis(&self, operation: &str, body: &serde_json::Value) -> Reply {
        self.json("kinesis", &format!("Kinesis_20131202.{operation}"), body)
    }

    /// [`Client::kinesis`] that must succeed (HTTP 200, else a panic naming
    /// the operation); the reply's JSON, `null` when the body is empty.
    #[track_caller]
    pub fn kinesis_ok(&self, operation: &str, body: &serde_json::Value) -> serde_json::Value {
        let reply = self.kinesis(operation, body);
        assert_eq!(reply.status, 200, "{operation}: {}", reply.body);
        if reply.body.is_empty() {
            serde_json::Value::Null
        } else {
            reply.json()
        }
    }

    /// A signed REST-JSON call (Access Analyzer): `METHOD PATH_AND_QUERY`
    /// with `Content-Type: application/json` and the body as given.
    pub fn rest_json(
        &self,
        service: &str,
        method: &str,
        path_and_query: &str,
        body: &serde_json::Value,
    ) -> Reply {
        let url = format!("{}{path_and_query}", self.endpoint);
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        let req = self.sign_at(
            method,
            &url,
            headers,
            body.to_string().into_bytes(),
            service,
            SystemTime::now(),
        );
        self.send(&req)
    }

    /// The form POST [`Client::query`] sends, signed now, not sent.
    pub fn sign_query(&self, service: &str, params: &[(&str, &str)]) -> Request {
        self.sign_query_at(service, params, SystemTime::now())
    }

    /// The form POST [`Client::query`] sends, signed as if at `time`.
    pub fn sign_query_at(&self, service: &str, params: &[(&str, &str)], time: SystemTime) -> Request {
        let body = encode_params(&with_version(service, params)).into_bytes();
        let url = format!("{}/", self.endpoint);
        let headers = vec![("content-type".to_string(), FORM_CONTENT_TYPE.to_string())];
        self.sign_at("POST", &url, headers, body, service, time)
    }

    /// A presigned GET URL for a Query call, valid for `expires_in` from now.
    pub fn presign(&self, service: &str, params: &[(&str, &str)], expires_in: Duration) -> String {
        self.presign_at(service, params, SystemTime::now(), expires_in)
    }

    /// A presigned GET URL signed as if at `time` (a past time makes an
    /// expired URL).
    pub fn presign_at(
        &self,
        service: &str,
        params: &[(&str, &str)],
        time: SystemTime,
        expires_in: Duration,
    ) -> String {
        let query = encode_params(&with_version(service, params));
        let url = format!("{}/?{query}", self.endpoint);
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires_in);
        // As the AWS SDKs presign: S3 with `UNSIGNED-PAYLOAD`, every other
        // service with the hash of the (empty) payload.
        let body = if service == "s3" {
            SignableBody::UnsignedPayload
        } else {
            SignableBody::Bytes(&[])
        };
        let (_, params) = self.instructions("GET", &url, &[], body, service, time, settings);
        let extra: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        format!("{url}&{}", encode_params(&extra))
    }

    /// Sends a request built (and perhaps altered) by the test.
    pub fn send(&self, req: &Request) -> Reply {
        send(&self.http, req)
    }

    /// An unsigned GET of a full URL (e.g. a presigned one).
    pub fn get_url(&self, url: &str) -> Reply {
        self.send(&Request {
            method: "GET".into(),
            url: url.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// Signs with the signature in headers: adds `Authorization`,
    /// `X-Amz-Date` and, with a session token, `X-Amz-Security-Token`.
    fn sign_at(
        &self,
        method: &str,
        url: &str,
        mut headers: Vec<(String, String)>,
        body: Vec<u8>,
        service: &str,
        time: SystemTime,
    ) -> Request {
        let (added, _) = self.instructions(
            method,
            url,
            &headers,
            SignableBody::Bytes(&body),
            service,
            time,
            SigningSettings::default(),
        );
        headers.extend(added);
        Request {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            body,
        }
    }

    /// Runs `aws-sigv4` with this client's credentials and region.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn instructions(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: SignableBody<'_>,
        service: &str,
        time: SystemTime,
        settings: SigningSettings,
    ) -> (Pairs, Pairs) {
        let target = SigningTarget {
            method,
            url,
            headers,
            body,
            service,
        };
        sign_instructions(&self.credentials, &self.region, target, time, settings)
    }

    // ---- conveniences: each panics (showing the reply) unless it succeeds ----

    /// CreateUser.
    pub fn create_user(&self, name: &str) -> Reply {
        self.query("iam", &[("Action", "CreateUser"), ("UserName", name)])
            .expect_ok()
    }

    /// CreateUser, then CreateAccessKey for the user; returns the new key.
    pub fn create_user_with_keys(&self, name: &str) -> Credentials {
        self.create_user(name);
        self.create_access_key(name)
    }

    /// CreateAccessKey for `user`; returns the new key.
    pub fn create_access_key(&self, user: &str) -> Credentials {
        let reply = self
            .query("iam", &[("Action", "CreateAccessKey"), ("UserName", user)])
            .expect_ok();
        reply
            .credentials()
            .unwrap_or_else(|| panic!("CreateAccessKey reply without a key: {}", reply.body))
    }

    /// PutUserPolicy.
    pub fn put_user_policy(&self, user: &str, policy_name: &str, document: &str) -> Reply {
        self.query(
            "iam",
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", user),
                ("PolicyName", policy_name),
                ("PolicyDocument", document),
            ],
        )
        .expect_ok()
    }

    /// CreatePolicy; returns the new policy's ARN.
    pub fn create_policy(&self, name: &str, document: &str) -> String {
        let reply = self
            .query(
                "iam",
                &[
                    ("Action", "CreatePolicy"),
                    ("PolicyName", name),
                    ("PolicyDocument", document),
                ],
            )
            .expect_ok();
        reply
            .text("Arn")
            .unwrap_or_else(|| panic!("CreatePolicy reply without an Arn: {}", reply.body))
    }

    /// AttachUserPolicy.
    pub fn attach_user_policy(&self, user: &str, policy_arn: &str) -> Reply {
        self.query(
            "iam",
            &[
                ("Action", "AttachUserPolicy"),
                ("UserName", user),
                ("PolicyArn", policy_arn),
            ],
        )
        .expect_ok()
    }

    /// CreateRole with a trust policy; returns the role's ARN.
    pub fn create_role(&self, name: &str, trust_policy: &str) -> String {
        let reply = self
            .query(
                "iam",
                &[
                    ("Action", "CreateRole"),
                    ("RoleName", name),
                    ("AssumeRolePolicyDocument", trust_policy),
                ],
            )
            .expect_ok();
        reply
            .text("Arn")
            .unwrap_or_else(|| panic!("CreateRole reply without an Arn: {}", reply.body))
    }

    /// STS AssumeRole; returns the session's credentials.
    pub fn assume_role(&self, role_arn: &str, session_name: &str) -> Credentials {
        let reply = self
            .query(
                "sts",
                &[
                    ("Action", "AssumeRole"),
                    ("RoleArn", role_arn),
                    ("RoleSessionName", session_name),
                ],
            )
            .expect_ok();
        reply
            .credentials()
            .unwrap_or_else(|| panic!("AssumeRole reply without credentials: {}", reply.body))
    }

    /// STS GetSessionToken; returns the session's credentials.
    pub fn get_session_token(&self) -> Credentials {
        let reply = self.query("sts", &[("Action", "GetSessionToken")]).expect_ok();
        reply
            .credentials()
            .unwrap_or_else(|| panic!("GetSessionToken reply without credentials: {}", reply.body))
    }

    /// STS GetCallerIdentity's `Arn`.
    pub fn caller_arn(&self) -> String {
        let reply = self.query("sts", &[("Action", "GetCallerIdentity")]).expect_ok();
        reply.text("Arn").unwrap_or_default()
    }
}

/// What is signed: method, URL, the headers to sign, the body and the service.
#[derive(Debug)]
pub struct SigningTarget<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: SignableBody<'a>,
    pub service: &'a str,
}

/// Runs AWS's own signer (`aws-sigv4`) for `target` as `credentials` in
/// `region`; returns the headers and query parameters to add. Shared by the
/// test client and the load generator, so both sign the same way.
pub fn sign_instructions(
    credentials: &Credentials,
    region: &str,
    target: SigningTarget<'_>,
    time: SystemTime,
    settings: SigningSettings,
) -> (Pairs, Pairs) {
    let SigningTarget {
        method,
        url,
        headers,
        body,
        service,
    } = target;
    let identity = aws_credential_types::Credentials::new(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        credentials.session_token.clone(),
        None,
        "iam-harness",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .expect("complete signing parameters")
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        body,
    )
    .unwrap_or_else(|e| panic!("cannot sign {method} {url}: {e}"));
    let (instructions, _signature) = sign(signable, &params)
        .unwrap_or_else(|e| panic!("cannot sign {method} {url}: {e}"))
        .into_parts();
    let headers = instructions
        .headers()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let query = instructions
        .params()
        .iter()
        .map(|(n, v)| ((*n).to_string(), v.to_string()))
        .collect();
    (headers, query)
}
