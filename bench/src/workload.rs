//! The workloads: what each request is, who sends it, what answer counts
//! as success. Requests whose content does not change (reads, PUTs that
//! overwrite a per-connection key) are signed once per second and the
//! signed headers replayed for the rest of that second; requests that must
//! differ (the IAM mix) are signed one by one.

use crate::sign::{unix_second, whole_second, Creds, Endpoint, Template};
use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::Method;
use std::time::SystemTime;

/// The IAM user the measured requests are sent as, and its policy.
pub const USER: &str = "bench-user";
pub const POLICY_NAME: &str = "bench-policy";
/// The bucket of the GET / PUT / denied workloads.
pub const BUCKET: &str = "bench-data";
/// The bucket ListObjectsV2 pages through.
pub const LIST_BUCKET: &str = "bench-list";
/// Keys per ListObjectsV2 page (S3's default `max-keys`).
pub const PAGE: usize = 1000;

/// The bench user's inline policy: a realistic read/write policy with an
/// explicit deny, evaluated on every measured request. Account wildcards
/// keep it valid for any emulator's account id; the IAM statement's
/// resource is `*` because moto authorizes IAM actions against `*` only
/// (a `arn:aws:iam::*:user/*` resource is denied there).
pub const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
{"Sid":"IamSelfAndMix","Effect":"Allow","Action":["iam:GetUser","iam:CreateUser","iam:PutUserPolicy"],"Resource":"*"},
{"Sid":"Sts","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"},
{"Sid":"ObjectsRw","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bench-*/*"},
{"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bench-*"},
{"Sid":"DenyPrivate","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bench-*/private/*"}]}"#;

/// The small policy the IAM mix puts on each user it creates.
const MIX_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bench-data/*"}]}"#;

pub const WORKLOADS: &[&str] = &[
    "sts-caller-identity",
    "iam-getuser",
    "iam-mix",
    "s3-put-1k",
    "s3-get-1k",
    "s3-put-1m",
    "s3-get-1m",
    "s3-list-10k",
    "denied",
];

/// A body of `len` bytes (printable, not all one byte).
pub fn body_of(len: usize) -> Bytes {
    let pattern = b"iam-emulator benchmark payload 0123456789abcdefghijklmnopqrstuvwxyz\n";
    Bytes::from(pattern.iter().copied().cycle().take(len).collect::<Vec<u8>>())
}

/// ListObjectsV2 page `page` of the list bucket (`start-after` the last key
/// of the page before).
pub fn list_page(endpoint: &Endpoint, page: usize) -> Template {
    let mut query = format!("list-type=2&max-keys={PAGE}");
    if page > 0 {
        query.push_str("&start-after=");
        query.push_str(
            &percent_encoding::utf8_percent_encode(&list_key(page * PAGE - 1), crate::sign::QUERY_ENCODE)
                .to_string(),
        );
    }
    Template::s3(
        endpoint,
        Method::GET,
        &format!("/{LIST_BUCKET}"),
        &query,
        Bytes::new(),
        200,
    )
}

/// The `i`th key of the list bucket (no `/`: moto's SigV4 check fails on a
/// `start-after` with an encoded `/`).
pub fn list_key(i: usize) -> String {
    format!("k-{i:05}")
}

/// Where a worker's next request comes from.
pub struct Source {
    creds: Creds,
    /// Re-sign when this many seconds have passed (0: every request).
    resign_secs: u64,
    kind: Kind,
}

enum Kind {
    /// Fixed requests, cycled; each with its signed headers and when they were signed.
    Fixed {
        templates: Vec<(Template, Option<(u64, HeaderMap)>)>,
        next: usize,
    },
    /// CreateUser, GetUser, PutUserPolicy on a new user each round.
    Mix {
        endpoint: Endpoint,
        prefix: String,
        n: u64,
        step: u8,
        current: Option<Box<Template>>,
    },
}

impl Source {
    /// The source of `workload` for worker `worker` of this run.
    pub fn new(
        workload: &str,
        endpoint: &Endpoint,
        creds: Creds,
        worker: usize,
        run_id: &str,
        resign_secs: u64,
        list_pages: usize,
    ) -> Result<Source, String> {
        let obj = |key: &str| {
            Template::s3(
                endpoint,
                Method::GET,
                &format!("/{BUCKET}/{key}"),
                "",
                Bytes::new(),
                200,
            )
        };
        let put = |key: String, len: usize| {
            Template::s3(
                endpoint,
                Method::PUT,
                &format!("/{BUCKET}/{key}"),
                "",
                body_of(len),
                200,
            )
        };
        let templates = match workload {
            "sts-caller-identity" => vec![Template::query(
                endpoint,
                "sts",
                &[("Action", "GetCallerIdentity")],
                200,
            )],
            "iam-getuser" => vec![Template::query(endpoint, "iam", &[("Action", "GetUser")], 200)],
            "s3-put-1k" => vec![put(format!("put-1k/{run_id}-w{worker}"), 1024)],
            "s3-put-1m" => vec![put(format!("put-1m/{run_id}-w{worker}"), 1024 * 1024)],
            "s3-get-1k" => vec![obj("obj-1k")],
            "s3-get-1m" => vec![obj("obj-1m")],
            "s3-list-10k" => {
                // Each worker starts at another page, so all pages are read.
                let pages = list_pages.max(1);
                (0..pages)
                    .map(|p| list_page(endpoint, (p + worker) % pages))
                    .collect()
            }
            "denied" => vec![Template::s3(
                endpoint,
                Method::GET,
                &format!("/{BUCKET}/private/secret.txt"),
                "",
                Bytes::new(),
                403,
            )],
            "iam-mix" => {
                return Ok(Source {
                    creds,
                    resign_secs,
                    kind: Kind::Mix {
                        endpoint: endpoint.clone(),
                        prefix: format!("mix-{run_id}-w{worker}-"),
                        n: 0,
                        step: 0,
                        current: None,
                    },
                })
            }
            other => {
                return Err(format!(
                    "unknown workload {other:?}; one of {}",
                    WORKLOADS.join(", ")
                ))
            }
        };
        Ok(Source {
            creds,
            resign_secs,
            kind: Kind::Fixed {
                templates: templates.into_iter().map(|t| (t, None)).collect(),
                next: 0,
            },
        })
    }

    /// The next request: its template and signed headers.
    pub fn next(&mut self, now: SystemTime) -> (&Template, HeaderMap) {
        let second = unix_second(now);
        match &mut self.kind {
            Kind::Fixed { templates, next } => {
                let i = *next % templates.len();
                *next = next.wrapping_add(1);
                let (template, cache) = &mut templates[i];
                let fresh = matches!(cache, Some((at, _)) if self.resign_secs > 0 && second.saturating_sub(*at) < self.resign_secs);
                if !fresh {
                    *cache = Some((second, template.sign(&self.creds, whole_second(now))));
                }
                let headers = cache.as_ref().map(|(_, h)| h.clone()).unwrap_or_default();
                (template, headers)
            }
            Kind::Mix {
                endpoint,
                prefix,
                n,
                step,
                current,
            } => {
                let user = format!("{prefix}{n}");
                let template = match *step {
                    0 => Template::query(
                        endpoint,
                        "iam",
                        &[("Action", "CreateUser"), ("UserName", &user)],
                        200,
                    ),
                    1 => Template::query(
                        endpoint,
                        "iam",
                        &[("Action", "GetUser"), ("UserName", &user)],
                        200,
                    ),
                    _ => Template::query(
                        endpoint,
                        "iam",
                        &[
                            ("Action", "PutUserPolicy"),
                            ("UserName", &user),
                            ("PolicyName", "mix"),
                            ("PolicyDocument", MIX_POLICY),
                        ],
                        200,
                    ),
                };
                *step += 1;
                if *step == 3 {
                    *step = 0;
                    *n += 1;
                }
                let headers = template.sign(&self.creds, now);
                let template = &**current.insert(Box::new(template));
                (template, headers)
            }
        }
    }
}

/// The body of a form POST for a Query call (setup uses it to show what failed).
pub fn describe(template: &Template) -> String {
    if template.service == "s3" {
        format!("{} {}", template.method, template.path_and_query)
    } else {
        let body = String::from_utf8_lossy(&template.body);
        let action = body
            .split('&')
            .find_map(|p| p.strip_prefix("Action="))
            .unwrap_or("?");
        format!("{} {action}", template.service)
    }
}

/// `CreateUser` parameters, exposed for setup.
pub fn create_user(endpoint: &Endpoint, name: &str) -> Template {
    Template::query(
        endpoint,
        "iam",
        &[("Action", "CreateUser"), ("UserName", name)],
        200,
    )
}
