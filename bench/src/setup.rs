//! The setup phase, as root and not measured: the bench user with its
//! access key and inline policy, the buckets and the objects the reads
//! need, and (for the footprint) many users and objects.

use crate::conn::{Conn, Reply};
use crate::sign::{Creds, Endpoint, Template};
use crate::workload::{self, body_of, list_key, BUCKET, LIST_BUCKET, POLICY, POLICY_NAME, USER};
use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::Method;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// What setup leaves for the measured runs (saved as JSON with `--state`).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub creds: Creds,
    pub list_keys: usize,
}

impl Prepared {
    pub fn to_json(&self, endpoint: &Endpoint) -> serde_json::Value {
        serde_json::json!({
            "endpoint": endpoint.base,
            "user": USER,
            "access_key_id": self.creds.access_key_id,
            "secret_access_key": self.creds.secret_access_key,
            "list_keys": self.list_keys,
        })
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Prepared, String> {
        let field = |name: &str| {
            value[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("state file: no {name}"))
        };
        Ok(Prepared {
            creds: Creds {
                access_key_id: field("access_key_id")?,
                secret_access_key: field("secret_access_key")?,
            },
            list_keys: value["list_keys"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0),
        })
    }
}

/// Sends one signed request on `conn`.
pub async fn call(conn: &mut Conn, template: &Template, creds: &Creds) -> Result<Reply, String> {
    let headers = template.sign(creds, SystemTime::now());
    conn.send(
        &template.method,
        &template.path_and_query,
        &headers,
        &template.body,
        None,
    )
    .await
}

/// Sends and insists on one of `accept`.
async fn must(conn: &mut Conn, template: &Template, creds: &Creds, accept: &[u16]) -> Result<Reply, String> {
    let reply = call(conn, template, creds).await?;
    if accept.contains(&reply.status) {
        Ok(reply)
    } else {
        Err(format!(
            "setup: {} answered HTTP {}: {}",
            workload::describe(template),
            reply.status,
            String::from_utf8_lossy(&reply.body)
                .chars()
                .take(600)
                .collect::<String>()
        ))
    }
}

/// `POST /moto-api/reset-auth` with body `count` (moto's
/// `INITIAL_NO_AUTH_ACTION_COUNT`; iam-emulator answers it too).
pub async fn reset_auth(endpoint: &Endpoint, count: &str) -> Result<(), String> {
    let mut conn = Conn::open(&endpoint.host).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        hyper::header::HOST,
        HeaderValue::from_str(&endpoint.host).map_err(|e| e.to_string())?,
    );
    let reply = conn
        .send(
            &Method::POST,
            "/moto-api/reset-auth",
            &headers,
            &Bytes::from(count.to_string()),
            None,
        )
        .await?;
    if reply.status == 200 {
        Ok(())
    } else {
        Err(format!(
            "POST /moto-api/reset-auth answered HTTP {}",
            reply.status
        ))
    }
}

fn xml_text(body: &[u8], tag: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{tag}>"))? + start;
    Some(text[start..end].to_string())
}

/// Creates the bench user (policy, access key), the buckets and objects.
pub async fn prepare(
    endpoint: &Endpoint,
    root: &Creds,
    list_keys: usize,
    concurrency: usize,
) -> Result<Prepared, String> {
    let mut conn = Conn::open(&endpoint.host).await?;
    let q = |params: &[(&str, &str)]| Template::query(endpoint, "iam", params, 200);
    must(
        &mut conn,
        &q(&[("Action", "CreateUser"), ("UserName", USER)]),
        root,
        &[200, 409],
    )
    .await?;
    must(
        &mut conn,
        &q(&[
            ("Action", "PutUserPolicy"),
            ("UserName", USER),
            ("PolicyName", POLICY_NAME),
            ("PolicyDocument", POLICY),
        ]),
        root,
        &[200],
    )
    .await?;
    let reply = must(
        &mut conn,
        &q(&[("Action", "CreateAccessKey"), ("UserName", USER)]),
        root,
        &[200],
    )
    .await?;
    let creds = Creds {
        access_key_id: xml_text(&reply.body, "AccessKeyId").ok_or("CreateAccessKey: no AccessKeyId")?,
        secret_access_key: xml_text(&reply.body, "SecretAccessKey")
            .ok_or("CreateAccessKey: no SecretAccessKey")?,
    };
    let s3 = |method: Method, path: &str, body: Bytes| Template::s3(endpoint, method, path, "", body, 200);
    must(
        &mut conn,
        &s3(Method::PUT, &format!("/{BUCKET}"), Bytes::new()),
        root,
        &[200, 409],
    )
    .await?;
    for (key, len) in [
        ("obj-1k", 1024),
        ("obj-1m", 1024 * 1024),
        ("private/secret.txt", 64),
    ] {
        must(
            &mut conn,
            &s3(Method::PUT, &format!("/{BUCKET}/{key}"), body_of(len)),
            root,
            &[200],
        )
        .await?;
    }
    if list_keys > 0 {
        must(
            &mut conn,
            &s3(Method::PUT, &format!("/{LIST_BUCKET}"), Bytes::new()),
            root,
            &[200, 409],
        )
        .await?;
        let ep = endpoint.clone();
        bulk(
            endpoint,
            root,
            list_keys,
            concurrency,
            Arc::new(move |i| {
                Template::s3(
                    &ep,
                    Method::PUT,
                    &format!("/{LIST_BUCKET}/{}", list_key(i)),
                    "",
                    body_of(16),
                    200,
                )
            }),
        )
        .await?;
    }
    Ok(Prepared { creds, list_keys })
}

/// Checks the bench user's keys work (a signed GetCallerIdentity).
pub async fn check_user(endpoint: &Endpoint, creds: &Creds) -> Result<(), String> {
    let mut conn = Conn::open(&endpoint.host).await?;
    let t = Template::query(endpoint, "sts", &[("Action", "GetCallerIdentity")], 200);
    must(&mut conn, &t, creds, &[200]).await.map(|_| ())
}

/// Most a bulk step may take.
const BULK_TIME_CAP: Duration = Duration::from_mins(5);

type Make = Arc<dyn Fn(usize) -> Template + Send + Sync>;

/// Sends `make(0..count)` as `creds` over `concurrency` connections; stops
/// at the first failure, after `count` requests or after 300 s.
pub async fn bulk(
    endpoint: &Endpoint,
    creds: &Creds,
    count: usize,
    concurrency: usize,
    make: Make,
) -> Result<Duration, String> {
    let started = Instant::now();
    let deadline = started + BULK_TIME_CAP;
    let next = Arc::new(AtomicUsize::new(0));
    let failure: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let mut tasks = Vec::new();
    for _ in 0..concurrency.clamp(1, count.max(1)) {
        let (next, failure, make, creds) = (next.clone(), failure.clone(), make.clone(), creds.clone());
        let mut conn = Conn::open(&endpoint.host).await?;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || Instant::now() >= deadline || failure.lock().is_ok_and(|f| f.is_some()) {
                    break;
                }
                let template = make(i);
                if let Err(e) = must(&mut conn, &template, &creds, &[200]).await {
                    if let Ok(mut f) = failure.lock() {
                        f.get_or_insert(e);
                    }
                    break;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    if let Some(e) = failure.lock().ok().and_then(|mut f| f.take()) {
        return Err(e);
    }
    if next.load(Ordering::Relaxed) < count {
        return Err(format!(
            "bulk step stopped after {}s before {count} requests",
            BULK_TIME_CAP.as_secs()
        ));
    }
    Ok(started.elapsed())
}

/// `users` CreateUser calls and `objects` 1 KiB PutObjects (into
/// `bench-pop`), as root: the state the footprint is measured with.
pub async fn populate(
    endpoint: &Endpoint,
    root: &Creds,
    users: usize,
    objects: usize,
    concurrency: usize,
) -> Result<(Duration, Duration), String> {
    let ep = endpoint.clone();
    let user_time = if users > 0 {
        bulk(
            endpoint,
            root,
            users,
            concurrency,
            Arc::new(move |i| workload::create_user(&ep, &format!("pop-{i:05}"))),
        )
        .await?
    } else {
        Duration::ZERO
    };
    let object_time = if objects > 0 {
        let mut conn = Conn::open(&endpoint.host).await?;
        let bucket = Template::s3(endpoint, Method::PUT, "/bench-pop", "", Bytes::new(), 200);
        must(&mut conn, &bucket, root, &[200, 409]).await?;
        let ep = endpoint.clone();
        let body = body_of(1024);
        bulk(
            endpoint,
            root,
            objects,
            concurrency,
            Arc::new(move |i| {
                Template::s3(
                    &ep,
                    Method::PUT,
                    &format!("/bench-pop/o-{i:05}"),
                    "",
                    body.clone(),
                    200,
                )
            }),
        )
        .await?
    } else {
        Duration::ZERO
    };
    Ok((user_time, object_time))
}
