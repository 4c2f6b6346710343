//! Server-side costs without HTTP (docs/benchmarks.md): SigV4
//! verification, whole requests through `App::handle` as a non-root user
//! whose policy is evaluated, and ListObjectsV2 (1000 keys rendered as XML)
//! as the bucket grows. Requests are signed with the emulator's own SigV4
//! functions (the load generator in bench/ signs with AWS's `aws-sigv4`).
//!
//! `cargo bench -p iam-emulator --bench request`
use bytes::Bytes;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use iam_emulator::app::{App, Config};
use iam_emulator::auth::{self, sigv4, AuthMode};
use iam_emulator::http::HttpRequest;
use iam_emulator::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use std::time::Duration;

const HOST: &str = "127.0.0.1:4566";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
/// The load generator's policy for its user (bench/src/workload.rs).
const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
{"Sid":"IamSelfAndMix","Effect":"Allow","Action":["iam:GetUser","iam:CreateUser","iam:PutUserPolicy"],"Resource":"*"},
{"Sid":"Sts","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"},
{"Sid":"ObjectsRw","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bench-*/*"},
{"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bench-*"},
{"Sid":"DenyPrivate","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bench-*/private/*"}]}"#;

struct Key<'a> {
    id: &'a str,
    secret: &'a str,
}

const ROOT: Key<'static> = Key {
    id: DEFAULT_ACCESS_KEY,
    secret: DEFAULT_SECRET_KEY,
};

fn amz_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// A request signed in the `Authorization` header, as an SDK sends it.
fn signed(
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    service: &str,
    key: &Key,
) -> HttpRequest {
    let date = amz_date();
    let payload_hash = sigv4::sha256_hex(body);
    let mut headers = vec![("host".to_string(), HOST.to_string())];
    if service == "s3" {
        headers.push(("x-amz-content-sha256".into(), payload_hash.clone()));
    } else {
        headers.push(("content-type".into(), FORM.into()));
    }
    headers.push(("x-amz-date".into(), date.clone()));
    let mut signed_headers: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    signed_headers.sort();
    let credential = sigv4::Credential {
        access_key: key.id.to_string(),
        date: date[..8].to_string(),
        region: "us-east-1".into(),
        service: service.into(),
    };
    let canonical = sigv4::canonical_request(&sigv4::CanonicalInput {
        method,
        raw_path: path,
        raw_query: query,
        headers: &headers,
        signed_headers: &signed_headers,
        payload_hash: &payload_hash,
        double_encode_path: service != "s3",
        presigned: false,
    });
    let string_to_sign = sigv4::string_to_sign(&date, &credential, &canonical);
    let signature = sigv4::sign(&sigv4::signing_key(key.secret, &credential), &string_to_sign);
    headers.push((
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={signature}",
            key.id,
            credential.scope(),
            signed_headers.join(";")
        ),
    ));
    HttpRequest {
        method: method.into(),
        raw_path: path.into(),
        raw_query: query.map(str::to_string),
        headers,
        body: Bytes::copy_from_slice(body),
        spooled: None,
        peer: Some("127.0.0.1:50000".parse().unwrap()),
    }
}

fn query(service: &str, params: &[(&str, &str)], key: &Key) -> HttpRequest {
    let version = if service == "sts" {
        "2011-06-15"
    } else {
        "2010-05-08"
    };
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied().chain([("Version", version)]))
        .finish()
        .replace('+', "%20");
    signed("POST", "/", None, body.as_bytes(), service, key)
}

fn app() -> App {
    App::new(Config {
        auth: AuthMode::Strict,
        root_keys: vec![RootKey {
            account: DEFAULT_ACCOUNT.into(),
            access_key: DEFAULT_ACCESS_KEY.into(),
            secret: DEFAULT_SECRET_KEY.into(),
        }],
        default_account: DEFAULT_ACCOUNT.into(),
        s3_defaults: iam_emulator::state::s3::S3Defaults::Current,
    })
}

fn ok(app: &App, req: &HttpRequest) -> String {
    let reply = app.handle(req);
    let body = String::from_utf8_lossy(&reply.body).into_owned();
    assert!(
        reply.status == 200,
        "{} {}: {} {body}",
        req.method,
        req.raw_path,
        reply.status
    );
    body
}

fn xml_text(body: &str, tag: &str) -> String {
    let start = body.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = body[start..].find('<').unwrap() + start;
    body[start..end].to_string()
}

/// The bench user (its policy, an access key), a bucket and a 1 KiB object.
fn prepare(app: &App) -> (String, String) {
    ok(
        app,
        &query(
            "iam",
            &[("Action", "CreateUser"), ("UserName", "bench-user")],
            &ROOT,
        ),
    );
    ok(
        app,
        &query(
            "iam",
            &[
                ("Action", "PutUserPolicy"),
                ("UserName", "bench-user"),
                ("PolicyName", "bench-policy"),
                ("PolicyDocument", POLICY),
            ],
            &ROOT,
        ),
    );
    let reply = ok(
        app,
        &query(
            "iam",
            &[("Action", "CreateAccessKey"), ("UserName", "bench-user")],
            &ROOT,
        ),
    );
    ok(app, &signed("PUT", "/bench-data", None, b"", "s3", &ROOT));
    for key in ["obj-1k", "private/secret.txt"] {
        ok(
            app,
            &signed(
                "PUT",
                &format!("/bench-data/{key}"),
                None,
                &[b'x'; 1024],
                "s3",
                &ROOT,
            ),
        );
    }
    (
        xml_text(&reply, "AccessKeyId"),
        xml_text(&reply, "SecretAccessKey"),
    )
}

fn sigv4_verify(c: &mut Criterion) {
    let app = app();
    let mut group = c.benchmark_group("sigv4");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let get_user = query("iam", &[("Action", "GetUser")], &ROOT);
    let s3_get = signed("GET", "/bench-data/some/key.txt", None, b"", "s3", &ROOT);
    for (name, req) in [("verify IAM form POST", &get_user), ("verify S3 GET", &s3_get)] {
        assert!(auth::authenticate(
            app.state_lock(),
            req,
            AuthMode::Strict,
            DEFAULT_ACCOUNT,
            &app.clock
        )
        .is_ok());
        group.bench_function(name, |b| {
            b.iter(|| {
                auth::authenticate(
                    app.state_lock(),
                    black_box(req),
                    AuthMode::Strict,
                    DEFAULT_ACCOUNT,
                    &app.clock,
                )
                .unwrap()
            });
        });
    }
    let credential = sigv4::Credential {
        access_key: ROOT.id.into(),
        date: "20250601".into(),
        region: "us-east-1".into(),
        service: "iam".into(),
    };
    group.bench_function("signing key derivation (4 HMACs)", |b| {
        b.iter(|| sigv4::signing_key(black_box(ROOT.secret), black_box(&credential)));
    });
    group.finish();
}

fn whole_requests(c: &mut Criterion) {
    let app = app();
    let (id, secret) = prepare(&app);
    let user = Key {
        id: &id,
        secret: &secret,
    };
    let mut group = c.benchmark_group("App::handle as bench-user (no HTTP)");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let cases = [
        (
            "sts GetCallerIdentity",
            query("sts", &[("Action", "GetCallerIdentity")], &user),
            200,
        ),
        ("iam GetUser", query("iam", &[("Action", "GetUser")], &user), 200),
        (
            "s3 GetObject 1 KiB",
            signed("GET", "/bench-data/obj-1k", None, b"", "s3", &user),
            200,
        ),
        (
            "s3 PutObject 1 KiB",
            signed("PUT", "/bench-data/put-1k", None, &[b'y'; 1024], "s3", &user),
            200,
        ),
        (
            "s3 GetObject denied",
            signed("GET", "/bench-data/private/secret.txt", None, b"", "s3", &user),
            403,
        ),
    ];
    for (name, req, status) in &cases {
        assert_eq!(app.handle(req).status, *status, "{name}");
        group.bench_function(*name, |b| b.iter(|| app.handle(black_box(req))));
    }
    group.finish();
}

fn list_objects(c: &mut Criterion) {
    let app = app();
    ok(&app, &signed("PUT", "/bench-list", None, b"", "s3", &ROOT));
    let mut group = c.benchmark_group("ListObjectsV2 page of 1000 keys, by bucket size");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    group.throughput(Throughput::Elements(1000));
    let mut filled = 0usize;
    for size in [1_000usize, 10_000, 100_000] {
        while filled < size {
            ok(
                &app,
                &signed(
                    "PUT",
                    &format!("/bench-list/k/{filled:06}"),
                    None,
                    b"0123456789abcdef",
                    "s3",
                    &ROOT,
                ),
            );
            filled += 1;
        }
        // The first page, and a page from the middle of the bucket.
        let first = signed("GET", "/bench-list", Some("list-type=2"), b"", "s3", &ROOT);
        let middle_query = format!("list-type=2&start-after=k%2F{:06}", size / 2);
        let middle = signed("GET", "/bench-list", Some(&middle_query), b"", "s3", &ROOT);
        for (which, req) in [("first page", &first), ("middle page", &middle)] {
            let body = ok(&app, req);
            assert_eq!(
                body.matches("<Key>").count(),
                1000.min(size - if which == "middle page" { size / 2 + 1 } else { 0 })
            );
            group.bench_with_input(BenchmarkId::new(which, size), req, |b, req| {
                b.iter(|| app.handle(black_box(req)));
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = sigv4_verify, whole_requests, list_objects
}
criterion_main!(benches);
