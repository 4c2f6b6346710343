//! The application: one emulator's configuration, its [`Shared`] parts
//! (state, bodies, logs), its state folder, and the service side of a
//! request — authentication, then the service named by the credential
//! scope, then the commit of what it changed. The admin endpoints sit
//! above it ([`crate::entry`] puts the two together), so nothing here
//! knows them.

use crate::auth::{self, AuthMode};
use crate::clock::Clock;
use crate::error::Common;
use crate::http::{HttpRequest, HttpResponse};
use crate::observations::ObservationLog;
use crate::scratch::Scratch;
use crate::services::{self, Service};
use crate::shared::Shared;
use crate::state::{RootKey, State};
use crate::store::Store;
use std::sync::Mutex;

/// Settings of one emulator.
#[derive(Debug, Clone)]
pub struct Config {
    pub auth: AuthMode,
    pub root_keys: Vec<RootKey>,
    pub default_account: String,
    /// What new S3 buckets get (`--s3-defaults`).
    pub s3_defaults: crate::state::s3::S3Defaults,
}

/// Value of the moto-compatible no-auth counter meaning "never enforce".
pub const NO_AUTH_INFINITE: i64 = i64::MAX;

/// One running emulator's state and settings. It derefs to its
/// [`Shared`] parts (`app.state()`, `app.decisions`, …).
#[derive(Debug)]
pub struct App {
    pub config: Config,
    shared: Shared,
    /// The state folder (`--state-dir`), when state is kept on disk.
    store: Option<Store>,
    /// moto's `INITIAL_NO_AUTH_ACTION_COUNT`, when set.
    no_auth: Mutex<Option<NoAuthBudget>>,
}

/// Requests to serve as under `--auth off` before enforcing.
#[derive(Debug, Clone, Copy)]
struct NoAuthBudget {
    /// The N last set (reported back as the previous value).
    set: i64,
    remaining: i64,
}

impl App {
    /// An emulator whose state lives in memory only.
    pub fn new(config: Config) -> Self {
        let mut state = State::new(config.root_keys.clone());
        state.s3_defaults = config.s3_defaults;
        App {
            config,
            shared: Shared::new(
                state,
                ObservationLog::default(),
                Scratch::temporary(),
                Clock::default(),
            ),
            store: None,
            no_auth: Mutex::new(None),
        }
    }

    /// An emulator keeping its state in `state_dir` (loaded now), or why not.
    pub fn open(config: Config, state_dir: &std::path::Path) -> Result<Self, String> {
        let mut state = State::new(config.root_keys.clone());
        state.s3_defaults = config.s3_defaults;
        crate::state::changes::take(&mut state, false)?;
        let (store, scratch) = Store::open(state_dir, &mut state)?;
        state.ensure_root_accounts();
        let observed = ObservationLog::default();
        observed.restore(store.observations()?);
        observed.keep_unsaved();
        let clock = Clock::with_history(store.clock()?);
        let app = App {
            config,
            shared: Shared::new(state, observed, scratch, clock),
            store: Some(store),
            no_auth: Mutex::new(None),
        };
        app.commit()?;
        Ok(app)
    }

    /// At shutdown: the last changes and observations, flushed to disk.
    pub fn close(&self) -> Result<(), String> {
        if self.store.is_some() {
            // Saves what was changed quietly (keys' last use).
            self.state().accounts.touch_all();
        }
        self.commit()?;
        match &self.store {
            Some(store) => store.flush(),
            None => Ok(()),
        }
    }

    /// Writes what requests changed to the state folder (a no-op without
    /// one). Called before a reply is sent, so an acknowledged write is on
    /// disk; the state lock is held so records reach the disk in the order
    /// the changes were made.
    pub fn commit(&self) -> Result<(), String> {
        self.commit_with(|_| {})
    }

    /// [`App::commit`], running `first` on the state under the same lock
    /// (a request's quiet bookkeeping, so the request takes the lock once
    /// for both).
    fn commit_with(&self, first: impl FnOnce(&mut State)) -> Result<(), String> {
        let mut state = self.state();
        first(&mut state);
        let Some(store) = &self.store else {
            if crate::state::changes::any(&state) {
                crate::state::changes::take(&mut state, false)?;
            }
            return Ok(());
        };
        let observed = self.observed.take_unsaved();
        if observed.is_none() && !crate::state::changes::any(&state) {
            return Ok(());
        }
        let changes = crate::state::changes::take(&mut state, true)?;
        let result = store.commit_with(&changes, observed.as_ref(), self.observed.capacity());
        if result.is_err() {
            crate::state::changes::retouch(&mut state, &changes);
        }
        result
    }

    /// Records written to the state folder since it was opened (`None`
    /// without `--state-dir`).
    pub fn records_written(&self) -> Option<u64> {
        self.store.as_ref().map(Store::records_written)
    }

    /// Moves the clock forward by `seconds` (kept with `--state-dir`); the new offset.
    pub fn advance_clock(&self, seconds: i64) -> Result<i64, String> {
        let offset = self.clock.advance(seconds).map_err(|e| e.to_string())?;
        self.save_clock()?;
        Ok(offset)
    }

    /// Back to the wall clock (kept with `--state-dir`).
    pub fn reset_clock(&self) -> Result<(), String> {
        self.clock.reset();
        self.save_clock()
    }

    /// Writes the clock's advances to the state folder (a no-op without one).
    pub fn save_clock(&self) -> Result<(), String> {
        match &self.store {
            Some(store) => store.save_clock(&self.clock.advances()),
            None => Ok(()),
        }
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

    /// Serves a request to its service: authentication, then the service
    /// [`services::route`] names (or `routed`, when the caller already
    /// found it); committed before it returns, with the use of the
    /// caller's key recorded under the commit's lock.
    pub fn serve(&self, req: &HttpRequest, routed: Option<Service>) -> HttpResponse {
        let service = routed.unwrap_or_else(|| services::route(req));
        let mode = self.effective_auth();
        let caller = auth::authenticate(
            self.shared.state_lock(),
            req,
            mode,
            &self.config.default_account,
            &self.clock,
        );
        let request_id = crate::ids::request_id();
        let caller = match caller {
            Ok(caller) => caller,
            Err(err) => {
                let response = services::error_response(service, &err, &request_id);
                return self.committed(response, || service);
            }
        };
        let now = self.now();
        let response = self.serve_caller(service, req, mode, &caller, &request_id, now);
        self.committed_with(response, || service, |state| record_key_use(state, &caller, now))
    }

    /// The service's answer to an authenticated `caller`, its decisions
    /// logged.
    fn serve_caller(
        &self,
        service: Service,
        req: &HttpRequest,
        mode: AuthMode,
        caller: &auth::Caller,
        request_id: &str,
        now: time::OffsetDateTime,
    ) -> HttpResponse {
        let ctx = crate::shared::Ctx {
            shared: &self.shared,
            req,
            mode,
            request_id,
            request_keys: crate::authorize::RequestFacts::of(req, caller, now).keys(),
            decided: crate::decisions::Unlogged::default(),
        };
        // A handler's panic is answered with a 500 by the server; the
        // decisions made before it are logged all the same.
        let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            services::dispatch(service, &ctx, caller)
        }));
        self.shared.log_decisions(request_id, now, ctx.decided);
        response.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// `response`, once what its request changed is committed; a 500 in
    /// `service`'s shape when the change could not be stored.
    pub fn committed(&self, response: HttpResponse, service: impl FnOnce() -> Service) -> HttpResponse {
        self.committed_with(response, service, |_| {})
    }

    /// [`App::committed`], running `first` under the commit's lock.
    fn committed_with(
        &self,
        response: HttpResponse,
        service: impl FnOnce() -> Service,
        first: impl FnOnce(&mut State),
    ) -> HttpResponse {
        match self.commit_with(first) {
            Ok(()) => response,
            Err(message) => {
                tracing::error!("{message}");
                let err = crate::error::AwsError::new(
                    Common::InternalError,
                    "The change could not be stored; it may be lost when the emulator restarts.",
                );
                services::error_response(service(), &err, &crate::ids::request_id())
            }
        }
    }
}

impl std::ops::Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// GetAccessKeyLastUsed: when, for which service and region, a user's key
/// was last used; GetRole's `RoleLastUsed`: when and where a session of
/// the role made a request. The root user's keys and unsigned requests
/// record nothing. Recorded with the commit of the request's changes,
/// under the same lock: the use shows to the requests after it, not to
/// the request's own handler, which sees the use before it.
fn record_key_use(state: &mut State, caller: &auth::Caller, now: time::OffsetDateTime) {
    let (Some(scope), Some(key)) = (&caller.scope, &caller.access_key) else {
        return;
    };
    let region = if scope.region.is_empty() {
        "us-east-1"
    } else {
        scope.region.as_str()
    };
    let (account, user) = match &caller.owner {
        Some(crate::state::KeyOwner::User { account, user }) => (account, user),
        Some(crate::state::KeyOwner::Session) => {
            record_role_use(state, key, now, region);
            return;
        }
        _ => return,
    };
    // Quietly: with --state-dir, a disk write per request for this field
    // alone would serialize every request behind an fsync; it is saved with
    // the account's next change, or at shutdown.
    let user = state
        .accounts
        .get_mut_quietly(account.as_str())
        .and_then(|a| a.users.get_mut(&crate::state::iam::key(user)));
    if let Some(k) = user.and_then(|u| u.access_keys.iter_mut().find(|k| &k.id == key)) {
        k.last_used = Some((now, scope.service.clone(), region.to_string()));
    }
}

/// A request signed with a role session's credentials uses the role (IAM
/// API Reference, RoleLastUsed: "the last time that an IAM role was used
/// … the date and time and the Region"). Quiet, as a key's last use.
fn record_role_use(state: &mut State, key: &str, now: time::OffsetDateTime, region: &str) {
    let Some(session) = state.sessions.get(key) else {
        return;
    };
    let (Some(role), account) = (session.role_name.clone(), session.account.clone()) else {
        return;
    };
    let role = state
        .accounts
        .get_mut_quietly(account.as_str())
        .and_then(|a| a.roles.get_mut(&crate::state::iam::key(&role)));
    if let Some(role) = role {
        role.last_used = Some(crate::state::iam::RoleLastUsed {
            at: now,
            region: region.to_string(),
        });
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
    if !iam_evaluator::arn::is_account_id(account) {
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
