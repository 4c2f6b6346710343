//! # iam-harness
//!
//! Test support for code that talks to the emulator: [`Emulator::start`]
//! runs an iam-emulator server in-process on a free loopback port, and
//! [`Client`] sends it AWS Query requests signed by AWS's own `aws-sigv4`
//! crate — an implementation independent of the server's verifier, so a
//! signing bug on one side cannot hide one on the other. S3 REST calls go
//! through [`Client::s3`] / [`Client::s3_call`] (signed as the SDKs sign
//! for S3, or presigned) and [`Emulator::anonymous_s3`] (unsigned).
//!
//! ```
//! let emu = iam_harness::Emulator::start();
//! let root = emu.client(&emu.root_credentials());
//! let alice = root.create_user_with_keys("alice");
//! root.put_user_policy(
//!     "alice",
//!     "read-self",
//!     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#,
//! );
//! let reply = emu.client(&alice).query("iam", &[("Action", "GetUser")]);
//! assert_eq!(reply.status, 200);
//! assert_eq!(reply.text("UserName").as_deref(), Some("alice"));
//! let denied = emu.client(&alice).query("iam", &[("Action", "ListUsers")]);
//! assert_eq!(denied.status, 403);
//! assert_eq!(denied.error_code().as_deref(), Some("AccessDenied"));
//! ```

mod client;
mod reply;
mod s3;

pub use client::{api_version, encode_params, Client, Credentials, Request};
pub use iam_emulator::auth::AuthMode;
pub use reply::{url_decode, Reply};
pub use s3::{Payload, S3Call};

use iam_emulator::app::{parse_root_key, App, Config};
use iam_emulator::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long one request may take before the harness gives up on it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings for [`Emulator`]; see [`Emulator::builder`].
#[derive(Debug, Clone)]
pub struct Builder {
    auth: AuthMode,
    root_keys: Vec<RootKey>,
}

impl Builder {
    /// `--auth strict|soft|off` (default strict).
    #[must_use]
    pub fn auth(mut self, mode: AuthMode) -> Self {
        self.auth = mode;
        self
    }

    /// `--root-key ACCOUNT:AKID:SECRET`: root credentials of an account; a
    /// new account id creates that account. Panics on what the CLI refuses.
    #[must_use]
    pub fn root_key(mut self, account: &str, access_key_id: &str, secret: &str) -> Self {
        let key =
            parse_root_key(&format!("{account}:{access_key_id}:{secret}")).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !self.root_keys.iter().any(|k| k.access_key == key.access_key),
            "--root-key: access key {} is given twice",
            key.access_key
        );
        self.root_keys.push(key);
        self
    }

    /// Starts the server (as `iam-emulator serve --listen 127.0.0.1:0`).
    pub fn start(self) -> Emulator {
        let mut root_keys = self.root_keys;
        if !root_keys.iter().any(|k| k.account == DEFAULT_ACCOUNT) {
            root_keys.insert(
                0,
                RootKey {
                    account: DEFAULT_ACCOUNT.into(),
                    access_key: DEFAULT_ACCESS_KEY.into(),
                    secret: DEFAULT_SECRET_KEY.into(),
                },
            );
        }
        let config = Config {
            auth: self.auth,
            root_keys,
            default_account: DEFAULT_ACCOUNT.into(),
        };
        Emulator::with_config(config)
    }
}

/// An iam-emulator running in this process, on its own thread and tokio
/// runtime, listening on a free port of 127.0.0.1. Dropping it stops the
/// server (in-flight requests finish first).
///
/// ```
/// use iam_harness::{AuthMode, Emulator};
///
/// let emu = Emulator::builder()
///     .auth(AuthMode::Soft)
///     .root_key("111111111111", "AKIAOTHERACCOUNT0001", "other-secret")
///     .start();
/// assert!(emu.endpoint().starts_with("http://127.0.0.1:"));
/// assert_eq!(emu.account_id(), "123456789012");
///
/// let other = iam_harness::Credentials::new("AKIAOTHERACCOUNT0001", "other-secret");
/// let reply = emu.client(&other).query("sts", &[("Action", "GetCallerIdentity")]);
/// assert_eq!(reply.text("Arn").as_deref(), Some("arn:aws:iam::111111111111:root"));
///
/// emu.client(&emu.root_credentials()).create_user("carol");
/// assert_eq!(emu.decisions(1)[0]["action"], "iam:CreateUser");
/// emu.reset();
/// assert!(emu.decisions(10).as_array().unwrap().is_empty());
/// ```
#[derive(Debug)]
pub struct Emulator {
    endpoint: String,
    app: Arc<App>,
    http: reqwest::blocking::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Strict auth, default account `123456789012` with root keys
    /// `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
    pub fn start() -> Emulator {
        Emulator::builder().start()
    }

    /// Settings before start.
    pub fn builder() -> Builder {
        Builder {
            auth: AuthMode::Strict,
            root_keys: Vec::new(),
        }
    }

    /// Starts a server for `config` (for settings the builder lacks).
    pub fn with_config(config: Config) -> Emulator {
        // Bound here, before the thread starts, so the port is known and
        // accepting as soon as this returns.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let app = Arc::new(App::new(config));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server_app = app.clone();
        let thread = std::thread::Builder::new()
            .name(format!("iam-emulator-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime for the emulator");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let shutdown = async {
                        let _ = rx.await;
                    };
                    iam_emulator::server::serve(server_app, listener, shutdown).await;
                });
            })
            .expect("spawn the emulator thread");
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("HTTP client");
        Emulator {
            endpoint: format!("http://{addr}"),
            app,
            http,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The default account's id (`123456789012`).
    pub fn account_id(&self) -> &str {
        &self.app.config.default_account
    }

    /// Root credentials of the default account.
    pub fn root_credentials(&self) -> Credentials {
        self.root_credentials_of(self.account_id())
            .expect("the default account has root keys")
    }

    /// Root credentials of `account` (one given with `root_key`), if any.
    pub fn root_credentials_of(&self, account: &str) -> Option<Credentials> {
        self.app
            .config
            .root_keys
            .iter()
            .find(|k| k.account == account)
            .map(|k| Credentials::new(&k.access_key, &k.secret))
    }

    /// A client signing with `credentials`.
    pub fn client(&self, credentials: &Credentials) -> Client {
        Client::new(self.http.clone(), self.endpoint.clone(), credentials.clone())
    }

    /// The emulator's application state, for in-process inspection.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Makes the STS session whose access key id is `access_key_id` expire
    /// now (sessions last at least 15 minutes; tests need not wait).
    /// Panics when there is no such session.
    pub fn expire_session(&self, access_key_id: &str) {
        let mut state = self.app.state();
        let session = state
            .sessions
            .get_mut(access_key_id)
            .unwrap_or_else(|| panic!("no STS session with access key {access_key_id}"));
        session.expires = iam_emulator::ids::now() - Duration::from_secs(1);
    }

    /// Sends a request as is.
    pub fn send(&self, req: &Request) -> Reply {
        client::send(&self.http, req)
    }

    /// An unsigned GET of a path (`/_emulator/health`, …).
    pub fn get(&self, path_and_query: &str) -> Reply {
        self.send(&Request {
            method: "GET".into(),
            url: format!("{}{path_and_query}", self.endpoint),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    /// An unsigned POST of `body` to a path (`/moto-api/reset-auth`, …).
    pub fn post(&self, path: &str, body: &str) -> Reply {
        self.send(&Request {
            method: "POST".into(),
            url: format!("{}{path}", self.endpoint),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        })
    }

    /// An unsigned Query form POST (what a client without credentials sends).
    pub fn unsigned_query(&self, service: &str, params: &[(&str, &str)]) -> Reply {
        let mut all = params.to_vec();
        if !all.iter().any(|(k, _)| *k == "Version") {
            all.push(("Version", api_version(service)));
        }
        self.send(&Request {
            method: "POST".into(),
            url: format!("{}/", self.endpoint),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            )],
            body: encode_params(&all).into_bytes(),
        })
    }

    /// `GET /_emulator/health` as JSON.
    pub fn health(&self) -> serde_json::Value {
        self.get("/_emulator/health").expect_ok().json()
    }

    /// The newest `limit` authorization decisions (`GET
    /// /_emulator/decisions?limit=N`): the `decisions` array, newest first.
    /// Each has `decision`, `action`, `resource`, `principal`, `message`,
    /// `enforced`, `requestId` and the full `trace`.
    pub fn decisions(&self, limit: usize) -> serde_json::Value {
        let mut value = self
            .get(&format!("/_emulator/decisions?limit={limit}"))
            .expect_ok()
            .json();
        match value.get_mut("decisions") {
            Some(decisions) => decisions.take(),
            None => panic!("no decisions in {value}"),
        }
    }

    /// `POST /_emulator/reset`: empty state, root keys kept.
    pub fn reset(&self) {
        let _ = self.post("/_emulator/reset", "").expect_ok();
    }

    /// Environment for a child process (an SDK, the aws CLI) to use this
    /// emulator as root of the default account: `AWS_ENDPOINT_URL`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` and
    /// `AWS_DEFAULT_REGION`.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let root = self.root_credentials();
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".into(), root.access_key_id),
            ("AWS_SECRET_ACCESS_KEY".into(), root.secret_access_key),
            ("AWS_REGION".into(), "us-east-1".into()),
            // The aws CLI v1 and older boto read only this one.
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ]
    }

    /// Calls `action` (`"iam:GetUser"`, `"sts:GetCallerIdentity"`) with
    /// `params` as `credentials`, and panics if the call is refused (HTTP
    /// 403). Other failures (e.g. `NoSuchEntity`) still count as allowed.
    #[track_caller]
    pub fn assert_allowed(&self, credentials: &Credentials, action: &str, params: &[(&str, &str)]) -> Reply {
        let reply = self.call(credentials, action, params);
        assert!(
            reply.status != 403,
            "{action} should be allowed, got {}: {}",
            reply.status,
            reply.body
        );
        reply
    }

    /// Calls `action` as `credentials` and panics unless it is denied with
    /// HTTP 403 `AccessDenied`.
    #[track_caller]
    pub fn assert_denied(&self, credentials: &Credentials, action: &str, params: &[(&str, &str)]) -> Reply {
        let reply = self.call(credentials, action, params);
        assert_eq!(
            (reply.status, reply.error_code().as_deref()),
            (403, Some("AccessDenied")),
            "{action} should be denied: {}",
            reply.body
        );
        reply
    }

    fn call(&self, credentials: &Credentials, action: &str, params: &[(&str, &str)]) -> Reply {
        let (service, name) = action
            .split_once(':')
            .unwrap_or_else(|| panic!("action {action:?} should be service:Action"));
        let mut all = vec![("Action", name)];
        all.extend_from_slice(params);
        self.client(credentials).query(service, &all)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_emulator_stops_the_server() {
        let emu = Emulator::start();
        let root = emu.client(&emu.root_credentials());
        let _ = root.query("sts", &[("Action", "GetCallerIdentity")]).expect_ok();
        let addr = emu.endpoint().trim_start_matches("http://").to_string();
        let started = std::time::Instant::now();
        drop(emu);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "shutdown took {:?}",
            started.elapsed()
        );
        assert!(
            std::net::TcpStream::connect(&addr).is_err(),
            "{addr} still accepts"
        );
    }

    #[test]
    fn emulators_are_independent() {
        let a = Emulator::start();
        let b = Emulator::start();
        assert_ne!(a.endpoint(), b.endpoint());
        a.client(&a.root_credentials()).create_user("only-in-a");
        let reply = b
            .client(&b.root_credentials())
            .query("iam", &[("Action", "GetUser"), ("UserName", "only-in-a")]);
        assert_eq!(reply.error_code().as_deref(), Some("NoSuchEntity"));
    }

    #[test]
    fn root_keys_of_other_accounts() {
        let emu = Emulator::builder()
            .root_key("111111111111", "AKIAOTHERACCOUNT0001", "s")
            .start();
        assert_eq!(
            emu.root_credentials_of("111111111111"),
            Some(Credentials::new("AKIAOTHERACCOUNT0001", "s"))
        );
        assert_eq!(emu.root_credentials().access_key_id, DEFAULT_ACCESS_KEY);
        assert_eq!(emu.root_credentials_of("222222222222"), None);
    }

    #[test]
    #[should_panic(expected = "12 digits")]
    fn a_bad_root_key_is_refused_like_the_cli_does() {
        let _ = Emulator::builder().root_key("1234", "AKIAOTHERACCOUNT0001", "s");
    }

    #[test]
    fn assert_helpers() {
        let emu = Emulator::start();
        let root = emu.client(&emu.root_credentials());
        let bob = root.create_user_with_keys("bob");
        let _ = emu.assert_denied(&bob, "iam:ListUsers", &[]);
        // Allowed means "not refused": NoSuchEntity is an allowed call's answer.
        let reply = emu.assert_allowed(&emu.root_credentials(), "iam:GetUser", &[("UserName", "nobody")]);
        assert_eq!(reply.status, 404);
    }
}
