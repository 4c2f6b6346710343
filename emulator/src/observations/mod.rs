//! Recording what callers did: one [`Observation`] per authorized request,
//! in every auth mode (strict, soft and off all compute the decision), kept
//! in a bounded in-memory [`ObservationLog`].
//!
//! An observation keeps only what policy generation needs — who, what, on
//! which resource, when, the decision — and, of the request context, the
//! keys the service catalog lists for that action (its own keys and those
//! of its resource types), so that `aws:SourceIp` or `aws:CurrentTime` do
//! not bloat a log meant to hold a whole test suite.
//!
//! [`generate`] turns one principal's observations into a least-privilege
//! policy ([`generalise`]: how its resources are written). It is pure and
//! sits here, below the services, so that the admin endpoints (through
//! [`crate::insight`]) and Access Analyzer's policy generation share it.

pub mod generalise;
pub mod generate;

use iam_evaluator::catalog::NameSet;
use iam_evaluator::{Catalog, Decision, Outcome, Request};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use time::OffsetDateTime;

/// How many observations the log keeps by default: a large test suite's
/// worth; the oldest go first.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// The decision an observation was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl From<Outcome> for Verdict {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Allowed => Verdict::Allowed,
            Outcome::ExplicitDeny => Verdict::ExplicitDeny,
            Outcome::ImplicitDeny => Verdict::ImplicitDeny,
        }
    }
}

/// One authorized request, as policy generation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The caller's ARN (`anonymous` for unsigned requests).
    pub principal: String,
    /// `service:Action` as the service asked for it, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// The owning account when the ARN does not say (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// The request's values of the condition keys the catalog lists for
    /// the action (keys lower-cased, as the evaluator folds them).
    #[serde(default, skip_serializing_if = "Context::is_empty")]
    pub context: Context,
    pub decision: Verdict,
    /// The region the request was signed for (`aws:RequestedRegion`), when
    /// it named one: IAM's access reports say where a service was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Observation {
    /// The observation of `request`, decided as `decision`, at `time` (the
    /// emulator's clock, so that unused-access age counts advanced time).
    pub fn of(request: &Request, decision: &Decision, time: OffsetDateTime) -> Self {
        Observation {
            time,
            principal: request.principal.arn.clone(),
            action: request.action.clone(),
            resource: request.resource.clone(),
            resource_account: request.resource_account.clone(),
            context: relevant_context(request),
            decision: decision.outcome.into(),
            region: match request.context.get("aws:RequestedRegion") {
                Some(iam_evaluator::ContextValue::Single(region)) if !region.is_empty() => {
                    Some(region.clone())
                }
                _ => None,
            },
        }
    }

    pub fn is_allowed(&self) -> bool {
        self.decision == Verdict::Allowed
    }
}

/// An observation's context keys and values, kept as compact JSON text: one
/// allocation instead of a tree of strings, so that a log of 100 000
/// requests stays small (a map node alone is ~0.5 KiB). A JSON object on
/// the wire; decoded only when read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context(Option<Box<str>>);

impl Context {
    pub fn from_map(map: &BTreeMap<String, Vec<String>>) -> Self {
        let pairs: Vec<(&str, &[String])> = map.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
        Context::from_pairs(&pairs)
    }

    /// The context of `pairs`, which are sorted by key, each key once: the
    /// JSON object a map of them would be.
    fn from_pairs(pairs: &[(&str, &[String])]) -> Self {
        struct Pairs<'a>(&'a [(&'a str, &'a [String])]);
        impl Serialize for Pairs<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(key, values)| (key, values)))
            }
        }
        if pairs.is_empty() {
            return Context(None);
        }
        Context(
            serde_json::to_string(&Pairs(pairs))
                .ok()
                .map(String::into_boxed_str),
        )
    }

    pub fn to_map(&self) -> BTreeMap<String, Vec<String>> {
        self.0
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the (lower-cased) key was recorded.
    pub fn contains_key(&self, key: &str) -> bool {
        self.to_map().contains_key(key)
    }
}

impl Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(|map| Context::from_map(&map))
    }
}

/// The context keys of `request` that the catalog lists for its action:
/// the action's own keys, and those of every resource type it acts on.
fn relevant_context(request: &Request) -> Context {
    // Asked for every request: per thread, each action's lists are merged
    // once, and which of a request's keys they keep is remembered for the
    // keys the action's last request had (a client sends the same keys
    // call after call), so a repeat costs a comparison of the key names.
    MEMOS.with(|memos| {
        let mut memos = memos.borrow_mut();
        let found = memos.iter().position(|m| *m.action == *request.action);
        let i = if let Some(i) = found {
            i
        } else {
            let Some((service, action)) = Catalog::get().action(&request.action) else {
                return Context(None);
            };
            if memos.len() == MEMO_SIZE {
                memos.pop();
            }
            memos.push(Memo {
                action: request.action.as_str().into(),
                keys: NameSet::of(service.condition_key_lists(action)),
                last_keys: Vec::new(),
                last_kept: Vec::new(),
            });
            memos.len() - 1
        };
        // Most recently used first.
        memos[..=i].rotate_right(1);
        let memo = &mut memos[0];
        let context = &request.context;
        let same_keys = memo.last_keys.len() == context.len()
            && memo
                .last_keys
                .iter()
                .zip(context.iter())
                .all(|(last, (key, _))| **last == *key);
        if !same_keys {
            // The context's keys are unique and sorted.
            let mut lookup = memo.keys.sorted_lookup();
            memo.last_kept = context.iter().map(|(key, _)| lookup.contains(key)).collect();
            memo.last_keys = context.iter().map(|(key, _)| key.into()).collect();
        }
        // The JSON is that of the map of the kept keys, without building it.
        let kept: Vec<(&str, &[String])> = context
            .iter()
            .zip(&memo.last_kept)
            .filter(|(_, kept)| **kept)
            .map(|((key, value), _)| (key, value.as_slice()))
            .collect();
        Context::from_pairs(&kept)
    })
}

/// Actions remembered per thread by [`relevant_context`].
const MEMO_SIZE: usize = 32;

/// What [`relevant_context`] remembers of one action (as the request names it).
struct Memo {
    action: Box<str>,
    /// The merged condition key lists of the action and its resource types.
    keys: NameSet,
    /// The context keys of the action's last request, and which of them
    /// `keys` holds.
    last_keys: Vec<Box<str>>,
    last_kept: Vec<bool>,
}

thread_local! {
    static MEMOS: std::cell::RefCell<Vec<Memo>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The bounded log of observations, oldest first.
#[derive(Debug)]
pub struct ObservationLog {
    capacity: usize,
    entries: Mutex<VecDeque<Observation>>,
    /// With `--state-dir`: what was recorded (or a clear) since the store
    /// last saved; `None` when nothing is saved.
    unsaved: Mutex<Option<Unsaved>>,
}

/// Observations the store has not written yet.
#[derive(Debug, Default)]
pub struct Unsaved {
    /// The log was cleared: the stored observations go first.
    pub cleared: bool,
    pub observations: Vec<Observation>,
}

impl Default for ObservationLog {
    fn default() -> Self {
        ObservationLog::new(DEFAULT_CAPACITY)
    }
}

impl ObservationLog {
    pub fn new(capacity: usize) -> Self {
        ObservationLog {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
            unsaved: Mutex::new(None),
        }
    }

    fn unsaved(&self) -> std::sync::MutexGuard<'_, Option<Unsaved>> {
        self.unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// From now on, keeps what is recorded for [`ObservationLog::take_unsaved`].
    pub fn keep_unsaved(&self) {
        *self.unsaved() = Some(Unsaved::default());
    }

    /// What was recorded (or cleared) since the last call, when saving.
    pub fn take_unsaved(&self) -> Option<Unsaved> {
        let mut unsaved = self.unsaved();
        let taken = unsaved.as_mut().map(std::mem::take)?;
        (taken.cleared || !taken.observations.is_empty()).then_some(taken)
    }

    /// The capacity: how many observations are kept (and stored).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, VecDeque<Observation>> {
        // A panic elsewhere must not stop the recording.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds one observation, dropping the oldest when full.
    pub fn record(&self, observation: Observation) {
        if let Some(unsaved) = self.unsaved().as_mut() {
            unsaved.observations.push(observation.clone());
        }
        let mut entries = self.entries();
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(observation);
    }

    /// Every observation kept, oldest first.
    pub fn snapshot(&self) -> Vec<Observation> {
        self.entries().iter().cloned().collect()
    }

    /// Runs `f` over every observation kept, oldest first, without copying
    /// them (the log is locked meanwhile: keep `f` short).
    pub fn with<R>(&self, f: impl FnOnce(&[Observation]) -> R) -> R {
        let mut entries = self.entries();
        f(entries.make_contiguous())
    }

    /// Replaces the log's content (e.g. with observations loaded from disk);
    /// only the newest `capacity` are kept.
    pub fn restore(&self, observations: Vec<Observation>) {
        let skip = observations.len().saturating_sub(self.capacity);
        *self.entries() = observations.into_iter().skip(skip).collect();
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    pub fn clear(&self) {
        if let Some(unsaved) = self.unsaved().as_mut() {
            *unsaved = Unsaved {
                cleared: true,
                observations: Vec::new(),
            };
        }
        self.entries().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam_evaluator::{Principal, RequestContext};

    fn observation(n: usize) -> Observation {
        Observation {
            time: crate::ids::now(),
            principal: "arn:aws:iam::123456789012:user/alice".into(),
            action: "s3:GetObject".into(),
            resource: format!("arn:aws:s3:::b/{n}"),
            resource_account: None,
            context: Context::default(),
            decision: Verdict::Allowed,
            region: None,
        }
    }

    #[test]
    fn the_log_is_bounded_and_drops_the_oldest() {
        let log = ObservationLog::new(3);
        for n in 0..5 {
            log.record(observation(n));
        }
        let kept: Vec<String> = log.snapshot().into_iter().map(|o| o.resource).collect();
        assert_eq!(kept, ["arn:aws:s3:::b/2", "arn:aws:s3:::b/3", "arn:aws:s3:::b/4"]);
        log.restore((0..4).map(observation).collect());
        assert_eq!(log.snapshot()[0].resource, "arn:aws:s3:::b/1");
    }

    #[test]
    fn only_the_catalog_keys_of_the_action_are_kept() {
        let mut context = RequestContext::new();
        context.set("aws:SourceIp", "127.0.0.1");
        context.set("s3:x-amz-acl", "private");
        context.set("aws:ResourceTag/team", "data");
        let request = Request {
            principal: Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap(),
            action: "s3:PutObject".into(),
            resource: "arn:aws:s3:::b/k".into(),
            resource_account: None,
            context,
        };
        let decision = iam_evaluator::evaluate(&request, &iam_evaluator::PolicySet::default());
        let seen = Observation::of(&request, &decision, crate::ids::now());
        assert_eq!(seen.decision, Verdict::ImplicitDeny);
        assert!(seen.context.contains_key("s3:x-amz-acl"), "{:?}", seen.context);
        assert!(!seen.context.contains_key("aws:sourceip"), "{:?}", seen.context);
    }

    #[test]
    fn the_context_text_is_that_of_the_map() {
        let values = [vec!["a\"b".to_string()], vec![], vec!["x".into(), "é\n".into()]];
        let pairs: Vec<(&str, &[String])> = vec![
            ("aws:resourcetag/team", &values[0]),
            ("s3:existingobjecttag/k", &values[1]),
            ("s3:x-amz-acl", &values[2]),
        ];
        let map: BTreeMap<String, Vec<String>> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.to_vec()))
            .collect();
        let text = Context::from_pairs(&pairs).0.expect("keys were given");
        assert_eq!(&*text, serde_json::to_string(&map).unwrap());
        assert_eq!(Context::from_pairs(&[]), Context(None));
        assert_eq!(Context::from_map(&BTreeMap::new()), Context(None));
    }

    #[test]
    fn observations_round_trip_through_json() {
        let seen = observation(1);
        let text = serde_json::to_string(&seen).unwrap();
        assert!(text.contains("\"decision\":\"allowed\""), "{text}");
        let back: Observation = serde_json::from_str(&text).unwrap();
        assert_eq!(back, seen);
    }
}
