//! The recent decisions, newest first, for `GET /_emulator/decisions`:
//! each with the request, whether it was enforced, and the full trace.

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::Mutex;

/// A bounded log of decision records (JSON values).
#[derive(Debug)]
pub struct DecisionLog {
    capacity: usize,
    records: Mutex<VecDeque<Value>>,
}

impl DecisionLog {
    pub fn new(capacity: usize) -> Self {
        DecisionLog {
            capacity,
            records: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    /// Records one decision.
    pub fn record(&self, request_id: &str, decision: &iam_evaluator::Decision, enforced: bool) {
        let mut entry = decision.to_json();
        if let Value::Object(map) = &mut entry {
            map.insert("requestId".into(), json!(request_id));
            map.insert("time".into(), json!(crate::ids::iso8601(crate::ids::now())));
            map.insert("enforced".into(), json!(enforced));
        }
        let mut records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if records.len() == self.capacity {
            records.pop_back();
        }
        records.push_front(entry);
    }

    /// The newest `limit` records.
    pub fn recent(&self, limit: usize) -> Vec<Value> {
        let records = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        records.iter().take(limit).cloned().collect()
    }

    pub fn clear(&self) {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}
