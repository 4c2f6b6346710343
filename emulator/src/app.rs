//! The application: shared state, configuration, and the one entry point
//! every request goes through — admin endpoints, then authentication,
//! then the service named by the credential scope.

use crate::auth::{self, AuthMode};
use crate::decisions::DecisionLog;
use crate::http::{HttpRequest, HttpResponse};
use crate::services;
use crate::state::{RootKey, State};
use std::sync::{Mutex, MutexGuard};

/// Settings of one emulator.
#[derive(Debug, Clone)]
pub struct Config {
    pub auth: AuthMode,
    pub root_keys: Vec<RootKey>,
    pub default_account: String,
}

/// Value of the moto-compatible no-auth counter meaning "never enforce".
pub const NO_AUTH_INFINITE: i64 = i64::MAX;

/// One running emulator's state and settings.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    state: Mutex<State>,
    pub decisions: DecisionLog,
    /// Where object bodies and spooled uploads live while the emulator runs.
    pub scratch: Scratch,
    /// moto's `INITIAL_NO_AUTH_ACTION_COUNT`, when set.
    no_auth: Mutex<Option<NoAuthBudget>>,
}

/// A private temporary folder, removed when the emulator goes: object
/// bodies (`objects/`) and uploads being received (`spool/`).
#[derive(Debug)]
pub struct Scratch {
    pub dir: std::path::PathBuf,
}

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "iam-emulator-{}-{}",
            std::process::id(),
            crate::ids::unique_id("")
        ));
        for sub in ["objects", "spool"] {
            let _ = std::fs::create_dir_all(dir.join(sub));
        }
        Scratch { dir }
    }

    /// A fresh path for an upload being received.
    pub fn spool_path(&self) -> std::path::PathBuf {
        self.dir.join("spool").join(crate::ids::unique_id("u"))
    }

    /// A fresh path for an object body.
    pub fn object_path(&self) -> std::path::PathBuf {
        self.dir.join("objects").join(crate::ids::unique_id("o"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Requests to serve as under `--auth off` before enforcing.
#[derive(Debug, Clone, Copy)]
struct NoAuthBudget {
    /// The N last set (reported back as the previous value).
    set: i64,
    remaining: i64,
}

/// The service a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
    S3,
    Kinesis,
    AccessAnalyzer,
}

impl App {
    pub fn new(config: Config) -> Self {
        let state = State::new(config.root_keys.clone());
        App {
            config,
            state: Mutex::new(state),
            decisions: DecisionLog::new(1000),
            scratch: Scratch::new(),
            no_auth: Mutex::new(None),
        }
    }

    /// The state, locked. A panic while holding the lock must not wedge the
    /// emulator, so a poisoned lock is taken over.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The auth mode for the next request, counting down moto's no-auth budget.
    fn effective_auth(&self) -> AuthMode {
        let mut budget = self
            .no_auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match budget.as_mut() {
            None => self.config.auth,
            Some(b) if b.remaining == NO_AUTH_INFINITE => AuthMode::Off,
            Some(b) if b.remaining > 0 => {
                b.remaining -= 1;
                AuthMode::Off
            }
            Some(_) => AuthMode::Strict,
        }
    }

    /// Sets moto's no-auth count; returns the N set before, if any.
    pub fn set_no_auth(&self, count: i64) -> Option<i64> {
        let mut budget = self
            .no_auth
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        budget
            .replace(NoAuthBudget {
                set: count,
                remaining: count,
            })
            .map(|b| b.set)
    }

    /// Serves one request.
    pub fn handle(&self, req: &HttpRequest) -> HttpResponse {
        if let Some(response) = crate::admin::handle(self, req) {
            return response;
        }
        let service = route(req);
        let mode = self.effective_auth();
        let caller = {
            let mut state = self.state();
            let caller = auth::authenticate(&state, req, mode, &self.config.default_account);
            if let Ok(caller) = &caller {
                record_key_use(&mut state, caller);
            }
            caller
        };
        let request_id = crate::ids::request_id();
        let ctx = services::Ctx {
            app: self,
            req,
            mode,
            request_id: &request_id,
        };
        match caller {
            Ok(caller) => services::dispatch(service, &ctx, &caller),
            Err(err) => services::error_response(service, &err, &request_id),
        }
    }
}

/// GetAccessKeyLastUsed: when, for which service and region, a user's key was last used.
fn record_key_use(state: &mut State, caller: &auth::Caller) {
    let (Some(crate::state::KeyOwner::User { account, user }), Some(scope), Some(key)) =
        (&caller.owner, &caller.scope, &caller.access_key)
    else {
        return;
    };
    let region = if scope.region.is_empty() {
        "us-east-1"
    } else {
        scope.region.as_str()
    };
    let user = state
        .account_mut(account)
        .users
        .get_mut(&crate::state::iam::key(user));
    if let Some(k) = user.and_then(|u| u.access_keys.iter_mut().find(|k| &k.id == key)) {
        k.last_used = Some((crate::ids::now(), scope.service.clone(), region.to_string()));
    }
}

/// Which service a request is for: the credential scope's service when
/// signed; otherwise by protocol markers (Query `Action`, JSON target),
/// and S3 for everything else (unsigned S3 requests are anonymous).
pub fn route(req: &HttpRequest) -> Service {
    if let Ok(Some(sig)) = auth::signature_of(req) {
        match sig.credential.service.as_str() {
            "iam" => return Service::Iam,
            "sts" => return Service::Sts,
            "kinesis" => return Service::Kinesis,
            "access-analyzer" => return Service::AccessAnalyzer,
            _ => return Service::S3,
        }
    }
    if req
        .header("x-amz-target")
        .is_some_and(|t| t.starts_with("Kinesis_"))
    {
        return Service::Kinesis;
    }
    let form = req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let params =
        crate::protocol::query::Params::parse(req.raw_query.as_deref(), if form { &req.body } else { &[] });
    match params.action() {
        Some(action) if services::sts::ACTIONS.contains(&action) => Service::Sts,
        Some(_) if form || req.raw_path == "/" => Service::Iam,
        _ => Service::S3,
    }
}

/// Parses `--root-key ACCOUNT:AKID:SECRET`.
pub fn parse_root_key(text: &str) -> Result<RootKey, String> {
    let mut parts = text.splitn(3, ':');
    let (Some(account), Some(key), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "--root-key {text:?}: expected ACCOUNT:ACCESS_KEY_ID:SECRET"
        ));
    };
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("--root-key {text:?}: the account id must be 12 digits"));
    }
    if key.len() < 16 || secret.is_empty() {
        return Err(format!(
            "--root-key {text:?}: the access key id must be at least 16 characters and the secret non-empty"
        ));
    }
    Ok(RootKey {
        account: account.into(),
        access_key: key.into(),
        secret: secret.into(),
    })
}
