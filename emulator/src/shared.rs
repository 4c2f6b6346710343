//! What the services share, below the [`crate::app::App`] that owns it:
//! the state behind its one lock, where object bodies live, the
//! decision and observation logs and the clock ([`crate::clock`]); and [`Ctx`], the request being served.
//! Services and authorization see only this, never the App, so they
//! cannot reach the admin endpoints or the store above them.

use crate::auth::AuthMode;
use crate::clock::Clock;
use crate::decisions::{DecisionLog, Unlogged};
use crate::http::HttpRequest;
use crate::observations::ObservationLog;
use crate::scratch::Scratch;
use crate::state::State;
use iam_evaluator::{RequestContext, Rule};
use std::sync::{Mutex, MutexGuard};

/// The parts of an emulator every request may use.
#[derive(Debug)]
pub struct Shared {
    state: Mutex<State>,
    pub decisions: DecisionLog,
    /// Every authorized request, for policy generation ([`crate::insight`]).
    pub observed: ObservationLog,
    /// Where object bodies and spooled uploads live.
    pub scratch: Scratch,
    /// The emulator's clock (`/_emulator/clock`): read it through [`Shared::now`].
    pub clock: Clock,
}

impl Shared {
    pub fn new(state: State, observed: ObservationLog, scratch: Scratch, clock: Clock) -> Self {
        Shared {
            state: Mutex::new(state),
            decisions: DecisionLog::new(1000),
            observed,
            scratch,
            clock,
        }
    }

    /// The emulator's now, in whole seconds: the wall clock plus what
    /// `/_emulator/clock` advanced it by. Every time-based rule reads this.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The state, locked. A panic while holding the lock must not wedge the
    /// emulator, so a poisoned lock is taken over.
    /// The lock itself, for work that takes it only for a moment (a
    /// signature's key lookup, [`crate::auth::authenticate`]).
    pub fn state_lock(&self) -> &Mutex<State> {
        &self.state
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes a served request's decisions to the decision log and, but
    /// for actions that need no permission (no policy has to grant them),
    /// to the observations that policies are generated from; `now` is when
    /// the request came. Called after its service answered, so the state
    /// lock is not held meanwhile: a request's observations count for the
    /// requests after it (access reports, policy generation), not for its
    /// own handler. AWS's reports lag more: "Recent activity usually
    /// appears within four hours" (IAM API Reference,
    /// GenerateServiceLastAccessedDetails).
    pub fn log_decisions(&self, request_id: &str, now: time::OffsetDateTime, decided: Unlogged) {
        for made in decided.take() {
            if made.decision.rule != Some(Rule::NeedsNoPermission) {
                self.observed.record(crate::observations::Observation::of(
                    &made.request,
                    &made.decision,
                    now,
                ));
            }
            self.decisions.record(request_id, made);
        }
    }

    /// A snapshot of the observed requests, oldest first ([`crate::insight`]).
    pub fn observations(&self) -> Vec<crate::observations::Observation> {
        self.observed.snapshot()
    }
}

/// What every handler may need about the request being served.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub req: &'a HttpRequest,
    pub mode: AuthMode,
    pub request_id: &'a str,
    /// The request's own global condition keys (its time, source, user
    /// agent, region), worked out once before any lock is taken.
    pub request_keys: RequestContext,
    /// The decisions made for this request, logged once its service has
    /// answered ([`Shared::log_decisions`]).
    pub decided: Unlogged,
}
