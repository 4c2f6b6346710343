//! Seeded property tests of every parser the server runs on client input:
//! policy JSON, Query forms, SigV4 `Authorization` headers and presigned
//! queries, aws-chunked framing, XML, and — through [`App::handle`], with
//! no network in between so thousands of cases stay cheap — the S3 XML
//! bodies, Kinesis JSON, IAM/STS forms, Access Analyzer and admin JSON.
//!
//! Each input is a valid request or document mutated (bytes flipped,
//! cut, duplicated, inserted) or built from a grammar of the format's own
//! tokens, so most cases get past the first byte. Every one must be
//! answered below 500 in the service's error shape, without a panic, and a
//! refused request must leave the state as it was (compared before/after
//! through the entities view and the S3 and Kinesis read calls).
//!
//! The seed is fixed (`FUZZ_SEED` overrides it, `FUZZ_CASES` the case count);
//! the figures go to `target/reliability/fuzz_parsers.json` for
//! `docs/reliability.md`.

use iam_emulator::app::{App, Config};
use iam_emulator::auth::chunked::{self, ChunkedMode, ChunkedReader};
use iam_emulator::auth::AuthMode;
use iam_emulator::http::{HttpRequest, HttpResponse};
use iam_emulator::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use std::io::Read;

const DEFAULT_SEED: u64 = 0x1a3e_0017;

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// Cases per property (`FUZZ_CASES`, default 400).
fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400)
}

/// A deterministic runner: same seed, same inputs, on every machine.
fn runner(salt: u64, cases: u32) -> TestRunner {
    let config = RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed().to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

// ---- mutations ---------------------------------------------------------

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
    Truncate(usize),
}

/// Bytes that matter to the formats under test, so inserts hit parsers'
/// decision points more often than random bytes would.
const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"&",
    b"=",
    b"%",
    b"%zz",
    b"%00",
    b"\0",
    b"\r\n",
    b";",
    b"chunk-signature=",
    b"ffffffffffffffff",
    b"-1",
    b"0",
    b"\xff\xfe",
    b"\\u0000",
    b"\xc3",
    b"<![CDATA[",
    b"&amp;",
    b"&#0;",
    b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"null",
    b"true",
    b"99999999999999999999",
    b"1e999",
    b"..",
    b"../",
    b"*",
    b"$",
    b"${aws:username}",
];

fn edit() -> impl Strategy<Value = Edit> {
    let insert = prop_oneof![
        proptest::sample::select(INTERESTING).prop_map(<[u8]>::to_vec),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (any::<usize>(), 1usize..16).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), insert).prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (any::<usize>(), 1usize..32).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match edit {
            Edit::Flip(i, b) if len > 0 => bytes[i % len] ^= b | 1,
            Edit::Flip(..) => {}
            Edit::Delete(i, n) => {
                let start = at(*i).min(len);
                let end = (start + n).min(len);
                bytes.drain(start..end);
            }
            Edit::Insert(i, data) => {
                let start = at(*i);
                bytes.splice(start..start, data.iter().copied());
            }
            Edit::Duplicate(i, n) => {
                let start = at(*i).min(len);
                let end = (start + n).min(len);
                let piece = bytes[start..end].to_vec();
                bytes.splice(end..end, piece);
            }
            Edit::Truncate(i) => bytes.truncate(at(*i)),
        }
    }
    bytes
}

/// `base` with 0..6 edits (0 keeps some valid inputs in the mix).
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(edit(), 0..6).prop_map(move |edits| apply(base.clone(), &edits))
}

// ---- parser-level properties --------------------------------------------

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:Get*","iam:ListUsers"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#;

/// Tokens of the policy grammar, for documents built from scratch.
const POLICY_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"Version\"",
    "\"2012-10-17\"",
    "\"Statement\"",
    "\"Effect\"",
    "\"Allow\"",
    "\"Deny\"",
    "\"Action\"",
    "\"NotAction\"",
    "\"Resource\"",
    "\"*\"",
    "\"Principal\"",
    "\"Condition\"",
    "\"StringLike\"",
    "\"NumericLessThan\"",
    "\"Bool\"",
    "\"aws:SecureTransport\"",
    "\"s3:*\"",
    "\"arn:aws:s3:::*\"",
    "\"${\"",
    "1",
    "-0",
    "1e400",
    "null",
    "true",
    "\"\\ud800\"",
];

fn policy_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        mutated(POLICY.as_bytes().to_vec()),
        proptest::collection::vec(proptest::sample::select(POLICY_TOKENS), 0..40)
            .prop_map(|t| t.concat().into_bytes()),
    ]
}

#[test]
fn policy_documents_parse_or_are_refused() {
    runner(1, cases())
        .run(&policy_input(), |bytes| {
            let text = String::from_utf8_lossy(&bytes);
            let _ = iam_evaluator::Policy::parse(&text);
            let _ = iam_evaluator::validate::validate_policy(
                &text,
                iam_evaluator::validate::PolicyKind::Identity,
                None,
            );
            Ok(())
        })
        .unwrap();
    write_figures("policy", &serde_json::json!({"inputs": cases()}));
}

#[test]
fn query_forms_and_sigv4_fields_parse_or_are_refused() {
    let form = b"Action=CreateUser&UserName=a%2Bb&Tags.member.1.Key=k&Tags.member.1.Value=%E2%9C%93&Version=2010-05-08".to_vec();
    let auth = b"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024".to_vec();
    runner(2, cases())
        .run(&(mutated(form), mutated(auth)), |(form, auth)| {
            let text = String::from_utf8_lossy(&form);
            let params = iam_emulator::protocol::query::Params::parse(Some(&text), &form);
            let _ = params.list("Tags.member");
            let _ = params.pairs("Tags.member", "Key", "Value");
            let _ = iam_emulator::http::form_pairs(&text).count();
            let auth = String::from_utf8_lossy(&auth);
            let _ = iam_emulator::auth::sigv4::parse_authorization(&auth);
            let _ = iam_emulator::auth::sigv4::Credential::parse(&auth);
            Ok(())
        })
        .unwrap();
    write_figures("query_sigv4", &serde_json::json!({"inputs": 2 * cases()}));
}

#[test]
fn aws_chunked_framing_decodes_or_is_refused() {
    let modes = [
        ChunkedMode::UnsignedTrailer,
        ChunkedMode::Signed,
        ChunkedMode::SignedTrailer,
    ];
    let credential = iam_emulator::auth::sigv4::Credential {
        access_key: DEFAULT_ACCESS_KEY.into(),
        date: "20130524".into(),
        region: "us-east-1".into(),
        service: "s3".into(),
    };
    let signing = chunked::ChunkSigning::derive(DEFAULT_SECRET_KEY, &credential, "20130524T000000Z", "ab");
    let trailers = vec![("x-amz-checksum-crc32".to_string(), "AAAAAA==".to_string())];
    let payload: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
    let inputs = (0..modes.len()).prop_flat_map(move |m| {
        let mode = modes[m];
        let encoded = chunked::encode(&payload, 64, mode, Some(&signing), &trailers);
        (Just(m), mutated(encoded), 1u64..128)
    });
    let signing = chunked::ChunkSigning::derive(DEFAULT_SECRET_KEY, &credential, "20130524T000000Z", "ab");
    runner(3, cases())
        .run(&inputs, |(m, body, min_chunk)| {
            let mode = modes[m];
            let reader = ChunkedReader::new(std::io::Cursor::new(body), mode, Some(signing.clone()))
                .with_decoded_length(Some(300))
                .with_min_chunk(min_chunk);
            // Bounded: a decoder that loops forever shows as more output
            // than any input of this size could decode to.
            let mut out = Vec::new();
            let _ = reader.take(1 << 20).read_to_end(&mut out);
            prop_assert!(out.len() < 1 << 20, "the decoder produced unbounded output");
            Ok(())
        })
        .unwrap();
    write_figures("aws_chunked", &serde_json::json!({"inputs": cases()}));
}

#[test]
fn xml_documents_parse_or_are_refused() {
    let doc = br#"<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&amp;b</Key><VersionId>null</VersionId></Object></Delete>"#.to_vec();
    runner(4, cases())
        .run(&mutated(doc), |bytes| {
            let _ = iam_emulator::protocol::xml::parse(&bytes);
            Ok(())
        })
        .unwrap();
    write_figures("xml", &serde_json::json!({"inputs": cases()}));
}

// ---- handler-level properties through App::handle -----------------------

/// Which error shape a service answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    S3,
    Query,
    Json,
}

/// One operation: its request and a valid body to mutate.
#[derive(Debug, Clone)]
struct Template {
    method: &'static str,
    path: String,
    query: Option<String>,
    headers: Vec<(&'static str, String)>,
    service: &'static str,
    shape: Shape,
    body: Vec<u8>,
}

fn s3(method: &'static str, path: &str, query: Option<&str>, body: &str) -> Template {
    Template {
        method,
        path: path.into(),
        query: query.map(str::to_string),
        headers: Vec::new(),
        service: "s3",
        shape: Shape::S3,
        body: body.as_bytes().to_vec(),
    }
}

fn form(service: &'static str, body: &str) -> Template {
    Template {
        method: "POST",
        path: "/".into(),
        query: None,
        headers: vec![(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        )],
        service,
        shape: Shape::Query,
        body: body.as_bytes().to_vec(),
    }
}

fn kinesis(operation: &str, body: &str) -> Template {
    Template {
        method: "POST",
        path: "/".into(),
        query: None,
        headers: vec![
            ("content-type", "application/x-amz-json-1.1".into()),
            ("x-amz-target", format!("Kinesis_20131202.{operation}")),
        ],
        service: "kinesis",
        shape: Shape::Json,
        body: body.as_bytes().to_vec(),
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn templates(upload_id: &str) -> Vec<Template> {
    let policy = encode(POLICY);
    let trust = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    );
    let bucket_policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzz-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let mut chunked = s3("PUT", "/fuzz-bucket/chunked", None, "");
    chunked.body = chunked::encode(
        b"hello chunked world",
        5,
        ChunkedMode::UnsignedTrailer,
        None,
        &[("x-amz-checksum-crc32".to_string(), "AAAAAA==".to_string())],
    );
    chunked.headers = vec![
        (
            "x-amz-content-sha256",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER".into(),
        ),
        ("content-encoding", "aws-chunked".into()),
        ("x-amz-decoded-content-length", "19".into()),
        ("x-amz-trailer", "x-amz-checksum-crc32".into()),
    ];
    let validate = Template {
        method: "POST",
        path: "/policy/validation".into(),
        query: None,
        headers: vec![("content-type", "application/json".into())],
        service: "access-analyzer",
        shape: Shape::Json,
        body: serde_json::json!({"policyDocument": POLICY, "policyType": "IDENTITY_POLICY"})
            .to_string()
            .into_bytes(),
    };
    let mut evaluate = validate.clone();
    evaluate.path = "/_emulator/evaluate".into();
    evaluate.service = "admin";
    evaluate.body = serde_json::json!({"policies": [POLICY], "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "context": ["aws:username=alice"]})
        .to_string()
        .into_bytes();
    let mut console_validate = validate.clone();
    console_validate.path = "/_emulator/validate".into();
    console_validate.service = "admin";
    vec![
        s3("POST", "/fuzz-bucket", Some("delete"), "<Delete><Object><Key>gone</Key></Object><Object><Key>obj</Key><VersionId>x</VersionId></Object></Delete>"),
        s3("POST", "/fuzz-bucket/big", Some(&format!("uploadId={upload_id}")), "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>\"00\"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>"),
        s3("PUT", "/fuzz-bucket", Some("tagging"), "<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>"),
        s3("PUT", "/fuzz-bucket/obj", Some("tagging"), "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"),
        s3("PUT", "/fuzz-bucket", Some("publicAccessBlock"), "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
        s3("PUT", "/fuzz-bucket", Some("versioning"), "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"),
        s3("PUT", "/fuzz-bucket", Some("ownershipControls"), "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"),
        s3("PUT", "/fuzz-bucket", Some("policy"), bucket_policy),
        s3("PUT", "/fuzz-other", None, "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"),
        chunked,
        form("iam", &format!("Action=CreatePolicy&PolicyName=fuzz&PolicyDocument={policy}&Version=2010-05-08")),
        form("iam", &format!("Action=PutUserPolicy&UserName=fuzz-user&PolicyName=p&PolicyDocument={policy}&Version=2010-05-08")),
        form("iam", &format!("Action=CreateRole&RoleName=fuzz-role&AssumeRolePolicyDocument={trust}&Tags.member.1.Key=a&Tags.member.1.Value=b&Version=2010-05-08")),
        form("iam", "Action=TagUser&UserName=fuzz-user&Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.2.Key=c&Tags.member.2.Value=d&Version=2010-05-08"),
        form("iam", "Action=SimulatePrincipalPolicy&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Ffuzz-user&ActionNames.member.1=s3%3AGetObject&ContextEntries.member.1.ContextKeyName=aws%3AUserName&ContextEntries.member.1.ContextKeyType=string&ContextEntries.member.1.ContextKeyValues.member.1=x&Version=2010-05-08"),
        form("sts", &format!("Action=GetFederationToken&Name=fuzz&Policy={policy}&DurationSeconds=900&Version=2011-06-15")),
        kinesis("PutRecords", r#"{"StreamName":"fuzz-stream","Records":[{"Data":"aGVsbG8=","PartitionKey":"a"},{"Data":"","PartitionKey":"b","ExplicitHashKey":"1"}]}"#),
        kinesis("PutRecord", r#"{"StreamName":"fuzz-stream","Data":"aGVsbG8=","PartitionKey":"k","SequenceNumberForOrdering":"1"}"#),
        kinesis("GetShardIterator", r#"{"StreamName":"fuzz-stream","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"0"}"#),
        kinesis("GetRecords", r#"{"ShardIterator":"AAAAAAAAAAFGU/kLvNggvndHq2UIFOw5PZc6F01s3LlDZKbxAAAAAA==","Limit":10}"#),
        kinesis("AddTagsToStream", r#"{"StreamName":"fuzz-stream","Tags":{"a":"b"}}"#),
        kinesis("ListShards", r#"{"StreamName":"fuzz-stream","MaxResults":1,"ShardFilter":{"Type":"AT_TIMESTAMP","Timestamp":1.5}}"#),
        kinesis("CreateStream", r#"{"StreamName":"fuzz-new","ShardCount":2,"StreamModeDetails":{"StreamMode":"PROVISIONED"}}"#),
        validate,
        evaluate,
        console_validate,
    ]
}

/// A request as `--auth off` takes it: any SigV4-looking key is the root.
fn request(t: &Template, body: Vec<u8>) -> HttpRequest {
    let mut headers = vec![
        ("host".to_string(), "127.0.0.1".to_string()),
        ("x-amz-date".to_string(), "20250101T000000Z".to_string()),
        (
            "authorization".to_string(),
            format!(
                "AWS4-HMAC-SHA256 Credential={DEFAULT_ACCESS_KEY}/20250101/us-east-1/{}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
                t.service,
                "0".repeat(64)
            ),
        ),
    ];
    if t.service == "admin" {
        headers.truncate(1);
    }
    headers.extend(t.headers.iter().map(|(n, v)| ((*n).to_string(), v.clone())));
    HttpRequest {
        method: t.method.into(),
        raw_path: t.path.clone(),
        raw_query: t.query.clone(),
        headers,
        body: body.into(),
        spooled: None,
        peer: None,
    }
}

fn app(auth: AuthMode) -> App {
    App::new(Config {
        auth,
        root_keys: vec![RootKey {
            account: DEFAULT_ACCOUNT.into(),
            access_key: DEFAULT_ACCESS_KEY.into(),
            secret: DEFAULT_SECRET_KEY.into(),
        }],
        default_account: DEFAULT_ACCOUNT.into(),
        s3_defaults: iam_emulator::state::s3::S3Defaults::Current,
    })
}

/// A refusal in AWS's shape: S3's `<Error><Code>`, Query's
/// `<ErrorResponse>…<Code>`, JSON with `__type` or `message`/`error`.
fn aws_shaped(shape: Shape, response: &HttpResponse) -> bool {
    let body = String::from_utf8_lossy(&response.body);
    match shape {
        Shape::S3 => body.contains("<Error>") && body.contains("<Code>"),
        Shape::Query => body.contains("<ErrorResponse") && body.contains("<Code>"),
        Shape::Json => serde_json::from_str::<serde_json::Value>(&body).is_ok_and(|v| {
            v.get("__type").is_some() || v.get("message").is_some() || v.get("error").is_some()
        }),
    }
}

/// Strips what differs between two identical answers (request ids).
fn stable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<RequestId>").or_else(|| rest.find("<HostId>")) {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</").map_or(rest.len(), |e| start + e);
        rest = &rest[end..];
        rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
    }
    out.push_str(rest);
    out
}

/// What the state looks like to clients: entities, objects, bucket
/// settings, uploads, streams.
fn snapshot(app: &App) -> String {
    let reads = [
        s3("GET", "/_emulator/entities", None, ""),
        s3("GET", "/fuzz-bucket", Some("list-type=2"), ""),
        s3("GET", "/fuzz-bucket", Some("tagging"), ""),
        s3("GET", "/fuzz-bucket/obj", Some("tagging"), ""),
        s3("GET", "/fuzz-bucket", Some("publicAccessBlock"), ""),
        s3("GET", "/fuzz-bucket", Some("versioning"), ""),
        s3("GET", "/fuzz-bucket", Some("uploads"), ""),
        s3("GET", "/fuzz-bucket", Some("ownershipControls"), ""),
        s3("GET", "/", None, ""),
        form("iam", "Action=ListPolicies&Scope=Local&Version=2010-05-08"),
        form("iam", "Action=ListRoles&Version=2010-05-08"),
        kinesis("ListStreams", "{}"),
        kinesis("DescribeStream", r#"{"StreamName":"fuzz-stream"}"#),
        kinesis("ListTagsForStream", r#"{"StreamName":"fuzz-stream"}"#),
    ];
    let mut out = String::new();
    for read in &reads {
        let response = app.handle(&request(read, read.body.clone()));
        out.push_str(&stable(&String::from_utf8_lossy(&response.body)));
        out.push('\n');
    }
    out
}

fn setup(app: &App) -> String {
    let ok = |t: Template| {
        let response = app.handle(&request(&t, t.body.clone()));
        assert!(
            response.status < 300,
            "setup {} {}: {}",
            t.method,
            t.path,
            String::from_utf8_lossy(&response.body)
        );
        response
    };
    ok(s3("PUT", "/fuzz-bucket", None, ""));
    ok(s3("PUT", "/fuzz-bucket/obj", None, "hello"));
    let created = ok(s3("POST", "/fuzz-bucket/big", Some("uploads"), ""));
    let text = String::from_utf8_lossy(&created.body).into_owned();
    let upload_id = text
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split("</UploadId>").next())
        .expect("an upload id")
        .to_string();
    ok(s3(
        "PUT",
        "/fuzz-bucket/big",
        Some(&format!("partNumber=1&uploadId={upload_id}")),
        "part one",
    ));
    ok(form(
        "iam",
        "Action=CreateUser&UserName=fuzz-user&Version=2010-05-08",
    ));
    ok(kinesis(
        "CreateStream",
        r#"{"StreamName":"fuzz-stream","ShardCount":1}"#,
    ));
    upload_id
}

#[test]
fn every_request_body_is_answered_below_500_in_aws_shape_and_refusals_change_nothing() {
    let app = app(AuthMode::Off);
    let upload_id = setup(&app);
    let templates = templates(&upload_id);
    let bodies: Vec<Vec<u8>> = templates.iter().map(|t| t.body.clone()).collect();
    let inputs = (0..bodies.len()).prop_flat_map(move |i| (Just(i), mutated(bodies[i].clone())));
    let (refused, accepted) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
    // Re-read only after an accepted request: a refused one must not move it.
    let state = std::cell::RefCell::new(snapshot(&app));
    runner(5, cases() * 4)
        .run(&inputs, |(i, body)| {
            let t = &templates[i];
            let req = request(t, body.clone());
            let input = || {
                format!(
                    "{} {} body {:?}",
                    t.method,
                    t.path,
                    String::from_utf8_lossy(&body)
                )
            };
            let Ok(response) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.handle(&req)))
            else {
                return Err(TestCaseError::fail(format!("panic on {}", input())));
            };
            let text = String::from_utf8_lossy(&response.body).into_owned();
            prop_assert!(
                response.status < 500,
                "{} answered {}: {text}",
                input(),
                response.status
            );
            if response.status >= 400 {
                refused.set(refused.get() + 1);
                prop_assert!(
                    aws_shaped(t.shape, &response),
                    "not AWS-shaped: {text}\n{}",
                    input()
                );
                prop_assert!(
                    snapshot(&app) == *state.borrow(),
                    "refused ({}) but the state changed: {text}\n{}",
                    response.status,
                    input()
                );
            } else {
                accepted.set(accepted.get() + 1);
                *state.borrow_mut() = snapshot(&app);
            }
            Ok(())
        })
        .unwrap();
    let (refused, accepted) = (refused.get(), accepted.get());
    write_figures(
        "requests",
        &serde_json::json!({"inputs": refused + accepted, "refused4xx": refused, "accepted": accepted,
                            "operations": templates.len(), "serverErrors": 0, "panics": 0}),
    );
}

/// Writes this property's figures to `target/reliability/fuzz_parsers-NAME.json`
/// (each test may run in its own process, so each writes its own file).
fn write_figures(name: &str, figures: &serde_json::Value) {
    let mut figures = figures.clone();
    figures["seed"] = seed().into();
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
            std::path::PathBuf::from,
        )
        .join("reliability");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join(format!("fuzz_parsers-{name}.json")),
        format!("{figures:#}\n"),
    );
}
