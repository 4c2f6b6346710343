//! The recent decisions, newest first, for `GET /_emulator/decisions`:
//! each with the request, whether it was enforced, and the full trace.
//! Decisions are kept as they are and rendered to JSON only when read, so
//! recording costs a push, not a rendering, on every request.

use iam_evaluator::{Decision, Request};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::Mutex;

/// One recorded decision.
#[derive(Debug)]
struct Record {
    request_id: String,
    time: time::OffsetDateTime,
    enforced: bool,
    decision: Decision,
    /// The denial message as the caller received it (S3 quotes the
    /// resource, or says only "Access Denied" outside the owner's account).
    reply_message: Option<String>,
}

impl Record {
    fn to_json(&self) -> Value {
        let mut entry = self.decision.to_json();
        if let Value::Object(map) = &mut entry {
            map.insert("requestId".into(), json!(self.request_id));
            map.insert("time".into(), json!(crate::ids::iso8601(self.time)));
            map.insert("enforced".into(), json!(self.enforced));
            if let Some(message) = &self.reply_message {
                map.insert("message".into(), json!(message));
            }
        }
        entry
    }
}

/// A bounded log of decision records.
#[derive(Debug)]
pub struct DecisionLog {
    capacity: usize,
    records: Mutex<VecDeque<Record>>,
}

impl DecisionLog {
    pub fn new(capacity: usize) -> Self {
        DecisionLog {
            capacity,
            records: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// Records one decision, made at `made.at`, with the denial message
    /// the caller was given.
    pub fn record(&self, request_id: &str, made: Made) {
        let record = Record {
            request_id: request_id.to_string(),
            time: made.at,
            enforced: made.enforced,
            decision: made.decision,
            reply_message: made.reply_message,
        };
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let evicted = (records.len() == self.capacity)
            .then(|| records.pop_back())
            .flatten();
        records.push_front(record);
        drop(records);
        // The oldest record (its trace, its policies' names) is freed
        // after the log is unlocked.
        drop(evicted);
    }

    /// The newest `limit` records, as JSON.
    pub fn recent(&self, limit: usize) -> Vec<Value> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        records.iter().take(limit).map(Record::to_json).collect()
    }

    /// The decisions of one request (CopyObject makes two), oldest first,
    /// rendered by `render` (JSON, or the explanation's words).
    pub fn of_request<T>(&self, request_id: &str, render: impl Fn(&Value, &Decision) -> T) -> Vec<T> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        records
            .iter()
            .rev()
            .filter(|r| r.request_id == request_id)
            .map(|r| render(&r.to_json(), &r.decision))
            .collect()
    }

    pub fn clear(&self) {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// A decision made while a request was served, not logged yet.
#[derive(Debug)]
pub struct Made {
    /// When it was made (wall time, as the log shows it).
    pub at: time::OffsetDateTime,
    /// The question as the evaluator was asked it (an observation is made of it).
    pub request: Request,
    pub decision: Decision,
    pub enforced: bool,
    /// The denial message as the caller received it.
    pub reply_message: Option<String>,
}

/// The decisions of the request being served, in the order they were
/// made, kept until its service has answered: they are made under the
/// state lock, and logging them there (the decision log, an observation)
/// would keep every other request waiting meanwhile. See
/// [`crate::shared::Shared::log_decisions`].
#[derive(Debug, Default)]
pub struct Unlogged(Mutex<Vec<Made>>);

impl Unlogged {
    pub fn push(&self, made: Made) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(made);
    }

    /// The decisions, oldest first.
    pub fn take(self) -> Vec<Made> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
