//! # iam-harness
//!
//! Test support for code that talks to the emulator: [`Emulator::start`]
//! runs an iam-emulator server in-process on a free loopback port
//! ([`Emulator::spawn_binary`] runs the release binary instead), and
//! [`Client`] sends it AWS Query requests signed by AWS's own `aws-sigv4`
//! crate — an implementation independent of the server's verifier, so a
//! signing bug on one side cannot hide one on the other. S3 REST calls go
//! through [`Client::s3`] / [`Client::s3_call`] (signed as the SDKs sign
//! for S3, or presigned) and [`Emulator::anonymous_s3`] (unsigned).
//!
//! [`Fixtures`] declare users, groups, roles, managed policies and buckets
//! (JSON or builders) and [`Emulator::apply_fixtures`] creates them;
//! [`Emulator::assert_allowed`] / [`Emulator::assert_denied`] check policy
//! intent through the emulator's policy simulator.
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
//! emu.assert_allowed(&alice, "iam:GetUser", "arn:aws:iam::123456789012:user/alice");
//! emu.assert_denied(&alice, "iam:ListUsers", "*");
//! ```

mod assertions;
mod client;
pub mod fixtures;
mod process;
mod reply;
mod s3;
#[cfg(feature = "aws-sdk")]
mod sdk;

pub use assertions::{MatchedStatement, Simulation};
pub use client::{
    api_version, encode_params, sign_instructions, Client, Credentials, Request, SigningTarget,
};
pub use fixtures::{Applied, FixtureError, Fixtures};
pub use iam_emulator::auth::AuthMode;
pub use iam_emulator::state::s3::S3Defaults;
pub use process::{binary_or_skip, find_binary};
pub use reply::{url_decode, Reply};
pub use s3::{Payload, S3Call};

use iam_emulator::app::{parse_root_key, App, Config};
use iam_emulator::state::{RootKey, DEFAULT_ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_SECRET_KEY};
use process::ServerProcess;
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
    account: Option<String>,
    state_dir: Option<std::path::PathBuf>,
    s3_defaults: S3Defaults,
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

    /// The default account's id (instead of `123456789012`): the account
    /// [`Emulator::root_credentials`] and fixtures act in, and the one
    /// `--auth off` maps every key to. Unless [`Builder::root_key`] names
    /// keys for it, its root keys are the default pair
    /// `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
    /// Panics unless `id` is 12 digits.
    ///
    /// ```
    /// let emu = iam_harness::Emulator::builder().account("210987654321").start();
    /// assert_eq!(emu.account_id(), "210987654321");
    /// let root = emu.client(&emu.root_credentials());
    /// assert_eq!(root.caller_arn(), "arn:aws:iam::210987654321:root");
    /// ```
    #[must_use]
    pub fn account(mut self, id: &str) -> Self {
        assert!(
            iam_evaluator::arn::is_account_id(id),
            "account id {id:?} should be 12 digits"
        );
        self.account = Some(id.to_string());
        self
    }

    /// `--state-dir DIR`: keep the state on disk in `dir` and load what is
    /// there, so a later emulator on the same folder sees it. Two emulators
    /// cannot share a folder: starting the second panics with the reason.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("harness-doc-{}", std::process::id()));
    /// {
    ///     let emu = iam_harness::Emulator::builder().state_dir(&dir).start();
    ///     emu.client(&emu.root_credentials()).create_user("kept");
    /// } // stopped; the folder stays
    /// let emu = iam_harness::Emulator::builder().state_dir(&dir).start();
    /// let users = emu.client(&emu.root_credentials()).query("iam", &[("Action", "ListUsers")]);
    /// assert_eq!(users.texts("UserName"), ["kept"]);
    /// # drop(emu);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    #[must_use]
    pub fn state_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// `--s3-defaults legacy`: new buckets get S3's pre-2023 defaults
    /// (Block Public Access off, Object Ownership `ObjectWriter`).
    ///
    /// ```
    /// use iam_harness::{Emulator, S3Defaults};
    /// let emu = Emulator::builder().s3_defaults(S3Defaults::Legacy).start();
    /// let root = emu.client(&emu.root_credentials());
    /// root.create_bucket("old-style");
    /// let reply = root.s3("GET", "/old-style", &[("ownershipControls", "")], &[], b"");
    /// assert_eq!(reply.text("ObjectOwnership").as_deref(), Some("ObjectWriter"));
    /// ```
    #[must_use]
    pub fn s3_defaults(mut self, defaults: S3Defaults) -> Self {
        self.s3_defaults = defaults;
        self
    }

    /// Starts the server (as `iam-emulator serve --listen 127.0.0.1:0`).
    pub fn start(self) -> Emulator {
        let account = self.account.unwrap_or_else(|| DEFAULT_ACCOUNT.to_string());
        let mut root_keys = self.root_keys;
        if !root_keys.iter().any(|k| k.account == account) {
            assert!(
                !root_keys.iter().any(|k| k.access_key == DEFAULT_ACCESS_KEY),
                "--root-key: access key {DEFAULT_ACCESS_KEY} is given twice (it is account {account}'s default)"
            );
            root_keys.insert(
                0,
                RootKey {
                    account: account.clone(),
                    access_key: DEFAULT_ACCESS_KEY.into(),
                    secret: DEFAULT_SECRET_KEY.into(),
                },
            );
        }
        let config = Config {
            auth: self.auth,
            root_keys,
            default_account: account,
            s3_defaults: self.s3_defaults,
        };
        let app = match &self.state_dir {
            Some(dir) => App::open(config, dir).unwrap_or_else(|e| panic!("{e}")),
            None => App::new(config),
        };
        Emulator::with_app(app)
    }
}

/// How the server runs: a thread of this process, or the release binary.
#[derive(Debug)]
enum Backend {
    InProcess(InProcess),
    Binary(ServerProcess),
}

/// A server on its own thread and tokio runtime; stopped when dropped.
#[derive(Debug)]
struct InProcess {
    app: Arc<App>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // As `serve` does at shutdown: flush what needs no acknowledgement.
        if let Err(message) = self.app.close() {
            eprintln!("iam-emulator: {message}");
        }
    }
}

/// A running iam-emulator listening on a free port of 127.0.0.1: in this
/// process ([`Emulator::start`], [`Emulator::builder`]) on its own thread
/// and tokio runtime, or the release binary as a child process
/// ([`Emulator::spawn_binary`]). Both answer the same methods. Dropping it
/// stops the server (in-flight requests finish first).
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
    default_account: String,
    root_keys: Vec<RootKey>,
    http: reqwest::blocking::Client,
    backend: Backend,
}

fn http_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("HTTP client")
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
            account: None,
            state_dir: None,
            s3_defaults: S3Defaults::Current,
        }
    }

    /// Starts a server for `config` (for settings the builder lacks).
    pub fn with_config(config: Config) -> Emulator {
        Emulator::with_app(App::new(config))
    }

    fn with_app(app: App) -> Emulator {
        // Bound here, before the thread starts, so the port is known and
        // accepting as soon as this returns.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let app = Arc::new(app);
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
        Emulator {
            endpoint: format!("http://{addr}"),
            default_account: app.config.default_account.clone(),
            root_keys: app.config.root_keys.clone(),
            http: http_client(),
            backend: Backend::InProcess(InProcess {
                app,
                shutdown: Some(tx),
                thread: Some(thread),
            }),
        }
    }

    /// The release binary as a child process: `iam-emulator serve --listen
    /// 127.0.0.1:0`, its ready line read for the endpoint, SIGTERM and a
    /// wait when dropped. The binary is [`find_binary`]'s: `$IAM_EMULATOR_BIN`,
    /// else `target/release/iam-emulator` (build it with `cargo build
    /// --release -p iam-emulator`). Panics when there is none or it does
    /// not start.
    ///
    /// ```no_run
    /// let emu = iam_harness::Emulator::spawn_binary();
    /// let root = emu.client(&emu.root_credentials());
    /// assert_eq!(root.caller_arn(), "arn:aws:iam::123456789012:root");
    /// ```
    pub fn spawn_binary() -> Emulator {
        Emulator::spawn_binary_with::<&str>(&[])
    }

    /// [`Emulator::spawn_binary`] with more `serve` flags (`--auth soft`,
    /// `--root-key ACCOUNT:AKID:SECRET`, …; a `--listen` of yours replaces
    /// `127.0.0.1:0`). `IAM_EMULATOR_*` variables of this process are not
    /// passed on: the flags alone configure the server.
    ///
    /// ```no_run
    /// let emu = iam_harness::Emulator::spawn_binary_with(&[
    ///     "--auth", "soft",
    ///     "--root-key", "111111111111:AKIAOTHERACCOUNT0001:other-secret",
    /// ]);
    /// assert!(emu.root_credentials_of("111111111111").is_some());
    /// ```
    pub fn spawn_binary_with<S: AsRef<str>>(args: &[S]) -> Emulator {
        let binary = find_binary().unwrap_or_else(|| {
            panic!(
                "no iam-emulator binary: set IAM_EMULATOR_BIN or run `cargo build --release -p iam-emulator`"
            )
        });
        let args: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
        let root_keys = root_keys_of_args(&args);
        let started = ServerProcess::start(&binary, &args);
        Emulator {
            endpoint: started.endpoint,
            default_account: DEFAULT_ACCOUNT.into(),
            root_keys,
            http: http_client(),
            backend: Backend::Binary(started.process),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The default account's id (`123456789012` unless [`Builder::account`]).
    pub fn account_id(&self) -> &str {
        &self.default_account
    }

    /// Root credentials of the default account.
    pub fn root_credentials(&self) -> Credentials {
        self.root_credentials_of(self.account_id())
            .expect("the default account has root keys")
    }

    /// Root credentials of `account` (one given with `root_key`), if any.
    pub fn root_credentials_of(&self, account: &str) -> Option<Credentials> {
        self.root_keys
            .iter()
            .find(|k| k.account == account)
            .map(|k| Credentials::new(&k.access_key, &k.secret))
    }

    /// A client signing with `credentials`.
    pub fn client(&self, credentials: &Credentials) -> Client {
        Client::new(self.http.clone(), self.endpoint.clone(), credentials.clone())
    }

    /// Whether the server runs in this process (not [`Emulator::spawn_binary`]).
    pub fn is_in_process(&self) -> bool {
        matches!(self.backend, Backend::InProcess(_))
    }

    /// The emulator's application state, for in-process inspection. Panics
    /// for a [`Emulator::spawn_binary`] emulator, whose state lives in
    /// another process.
    pub fn app(&self) -> &App {
        match &self.backend {
            Backend::InProcess(server) => &server.app,
            Backend::Binary(_) => panic!("the state of a spawn_binary emulator is in another process"),
        }
    }

    /// What a [`Emulator::spawn_binary`] server wrote to stderr so far
    /// (warnings; `--auth soft` denials); `None` in-process.
    pub fn server_stderr(&self) -> Option<String> {
        match &self.backend {
            Backend::InProcess(_) => None,
            Backend::Binary(process) => Some(process.stderr()),
        }
    }

    /// The server's process id for a [`Emulator::spawn_binary`] server
    /// (to read its memory use, or signal it); `None` in-process.
    pub fn server_pid(&self) -> Option<u32> {
        match &self.backend {
            Backend::InProcess(_) => None,
            Backend::Binary(process) => process.pid(),
        }
    }

    /// Stops the server now and waits for it: for a binary, SIGTERM, then
    /// its exit status (0 after a clean shutdown); `None` in-process.
    pub fn stop(self) -> Option<std::process::ExitStatus> {
        match self.backend {
            Backend::InProcess(server) => {
                drop(server);
                None
            }
            Backend::Binary(mut process) => process.stop(),
        }
    }

    /// Kills a [`Emulator::spawn_binary`] server with SIGKILL (as a crash
    /// would: no shutdown, no flush) and waits for it; panics in-process.
    pub fn kill(self) -> Option<std::process::ExitStatus> {
        match self.backend {
            Backend::InProcess(_) => panic!("only a spawn_binary emulator can be killed"),
            Backend::Binary(mut process) => process.kill(),
        }
    }

    /// Makes the STS session whose access key id is `access_key_id` expire
    /// now (sessions last at least 15 minutes; tests need not wait).
    /// Panics when there is no such session, or for a binary.
    pub fn expire_session(&self, access_key_id: &str) {
        let mut state = self.app().state();
        let session = state
            .sessions
            .get_mut(access_key_id)
            .unwrap_or_else(|| panic!("no STS session with access key {access_key_id}"));
        session.expires = self.app().now() - Duration::from_secs(1);
    }

    /// `POST /_emulator/clock`: moves the emulator's clock `seconds`
    /// forward (sessions, presigned URLs, `aws:CurrentTime`, … see time
    /// pass); the clock as JSON (`offset_seconds`, `now`, `wall`).
    pub fn advance_clock(&self, seconds: u64) -> serde_json::Value {
        self.post("/_emulator/clock", &format!(r#"{{"advance_seconds":{seconds}}}"#))
            .expect_ok()
            .json()
    }

    /// `GET /_emulator/clock`: `offset_seconds`, `now` and `wall`.
    pub fn clock(&self) -> serde_json::Value {
        self.get("/_emulator/clock").expect_ok().json()
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
        self.env_vars_as(&self.root_credentials())
    }

    /// [`Emulator::env_vars`] acting as `credentials` (with
    /// `AWS_SESSION_TOKEN` when they carry one).
    ///
    /// ```
    /// let emu = iam_harness::Emulator::start();
    /// let alice = emu.client(&emu.root_credentials()).create_user_with_keys("alice");
    /// let env = emu.env_vars_as(&alice);
    /// assert!(env.contains(&("AWS_ACCESS_KEY_ID".to_string(), alice.access_key_id.clone())));
    /// // std::process::Command::new("aws").envs(env) …
    /// ```
    pub fn env_vars_as(&self, credentials: &Credentials) -> Vec<(String, String)> {
        let mut vars = vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".into(), credentials.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY".into(),
                credentials.secret_access_key.clone(),
            ),
            ("AWS_REGION".into(), "us-east-1".into()),
            // The aws CLI v1 and older boto read only this one.
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ];
        if let Some(token) = &credentials.session_token {
            vars.push(("AWS_SESSION_TOKEN".into(), token.clone()));
        }
        vars
    }

    /// Sets [`Emulator::env_vars`] in this process's environment (and
    /// removes `AWS_SESSION_TOKEN` and `AWS_PROFILE`), so an SDK client
    /// built later with its default configuration talks to this emulator as
    /// root.
    ///
    /// **For single-threaded test setups only**: the environment is
    /// process-wide, and changing it while other threads read it (the
    /// tests `cargo test` runs in parallel, an SDK's credential chain)
    /// races. Prefer passing the endpoint and credentials to the client, or
    /// [`Emulator::env_vars`] to a child process.
    ///
    /// ```
    /// let emu = iam_harness::Emulator::start();
    /// emu.apply_env();
    /// assert_eq!(std::env::var("AWS_ENDPOINT_URL").unwrap(), emu.endpoint());
    /// assert_eq!(std::env::var("AWS_REGION").unwrap(), "us-east-1");
    /// ```
    pub fn apply_env(&self) {
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        for (name, value) in self.env_vars() {
            std::env::set_var(name, value);
        }
    }

    /// Calls `action` (`"iam:GetUser"`, `"sts:GetCallerIdentity"`) with
    /// `params` as `credentials` over the Query protocol, and panics if the
    /// call is refused (HTTP 403). Other failures (e.g. `NoSuchEntity`)
    /// still count as allowed. (To ask whether a policy allows an action on
    /// a resource, see [`Emulator::assert_allowed`].)
    #[track_caller]
    pub fn assert_call_allowed(
        &self,
        credentials: &Credentials,
        action: &str,
        params: &[(&str, &str)],
    ) -> Reply {
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
    pub fn assert_call_denied(
        &self,
        credentials: &Credentials,
        action: &str,
        params: &[(&str, &str)],
    ) -> Reply {
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

/// The root keys a `serve` command line sets up: its `--root-key` values
/// (repeatable, comma-separated), with the default account's pair unless
/// one of them is for that account.
fn root_keys_of_args(args: &[String]) -> Vec<RootKey> {
    let mut values = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--root-key" {
            values.extend(args.next().cloned());
        } else if let Some(value) = arg.strip_prefix("--root-key=") {
            values.push(value.to_string());
        }
    }
    let mut keys: Vec<RootKey> = values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|v| parse_root_key(v).ok())
        .collect();
    if !keys.iter().any(|k| k.account == DEFAULT_ACCOUNT) {
        keys.insert(
            0,
            RootKey {
                account: DEFAULT_ACCOUNT.into(),
                access_key: DEFAULT_ACCESS_KEY.into(),
                secret: DEFAULT_SECRET_KEY.into(),
            },
        );
    }
    keys
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
    fn root_keys_of_serve_arguments() {
        let args: Vec<String> = [
            "--auth",
            "soft",
            "--root-key",
            "111111111111:AKIAOTHERACCOUNT0001:s1,222222222222:AKIAOTHERACCOUNT0002:s2",
            "--root-key=333333333333:AKIAOTHERACCOUNT0003:s3",
        ]
        .map(String::from)
        .to_vec();
        let keys = root_keys_of_args(&args);
        let accounts: Vec<&str> = keys.iter().map(|k| k.account.as_str()).collect();
        assert_eq!(
            accounts,
            [DEFAULT_ACCOUNT, "111111111111", "222222222222", "333333333333"]
        );
        let own = root_keys_of_args(&["--root-key".into(), "123456789012:AKIAMYOWNROOTKEY0001:x".into()]);
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].access_key, "AKIAMYOWNROOTKEY0001");
    }

    #[test]
    fn another_default_account() {
        let emu = Emulator::builder().account("210987654321").start();
        let root = emu.client(&emu.root_credentials());
        assert_eq!(root.caller_arn(), "arn:aws:iam::210987654321:root");
        assert_eq!(emu.root_credentials().access_key_id, DEFAULT_ACCESS_KEY);
        assert_eq!(emu.root_credentials_of(DEFAULT_ACCOUNT), None);
    }

    #[test]
    fn assert_helpers() {
        let emu = Emulator::start();
        let root = emu.client(&emu.root_credentials());
        let bob = root.create_user_with_keys("bob");
        let _ = emu.assert_call_denied(&bob, "iam:ListUsers", &[]);
        // Allowed means "not refused": NoSuchEntity is an allowed call's answer.
        let reply =
            emu.assert_call_allowed(&emu.root_credentials(), "iam:GetUser", &[("UserName", "nobody")]);
        assert_eq!(reply.status, 404);
    }
}
