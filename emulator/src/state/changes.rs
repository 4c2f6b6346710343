//! What changed in the state since the last commit, as the records
//! persistence writes (see [`crate::store`] for the record keys).
//!
//! The tracked maps and the Kinesis table know which keys were written;
//! this turns each into the record's new value, or its removal.

use super::State;
use serde::Serialize;

/// A record to write or remove.
#[derive(Debug)]
pub enum Change {
    Put(String, Vec<u8>),
    Delete(String),
    /// Every record whose key starts with this (a deleted bucket's versions).
    DeletePrefix(String),
}

/// Whether anything was written since the last [`take`] (cheap: the
/// top-level maps are touched by every write below them).
pub fn any(state: &State) -> bool {
    state.accounts.is_touched()
        || state.sessions.is_touched()
        || state.buckets.is_touched()
        || state.kinesis.is_touched()
        || state.access_analyzer.is_touched()
        || state.organizations.is_touched()
        || state.federation.is_touched()
}

/// The records to write, and forgets the writes. With `serialize` false
/// the writes are only forgotten (state kept in memory only).
pub fn take(state: &mut State, serialize: bool) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    let mut failed = None;
    let mut put = |out: &mut Vec<Change>, key: String, value: Option<&dyn erased::Record>| {
        if !serialize {
            return;
        }
        out.push(match value {
            Some(v) => match v.json() {
                Ok(json) => Change::Put(key, json),
                Err(e) => {
                    failed = Some(format!("cannot store {key}: {e}"));
                    return;
                }
            },
            None => Change::Delete(key),
        });
    };
    for id in state.accounts.take_touched() {
        put(
            &mut out,
            format!("account/{id}"),
            state.accounts.get(&id).map(|a| a as _),
        );
    }
    for id in state.sessions.take_touched() {
        put(
            &mut out,
            format!("session/{id}"),
            state.sessions.get(&id).map(|s| s as _),
        );
    }
    for name in state.buckets.take_touched() {
        let Some(bucket) = state.buckets.get_mut(&name) else {
            if serialize {
                out.push(Change::Delete(format!("bucket/{name}")));
                out.push(Change::DeletePrefix(format!("object/{name}/")));
                out.push(Change::DeletePrefix(format!("version/{name}/")));
            }
            continue;
        };
        let versions = bucket.objects.take_touched();
        let bucket = &state.buckets[&name];
        put(&mut out, format!("bucket/{name}"), Some(bucket as _));
        for (key, seq) in versions {
            put(
                &mut out,
                version_record(&name, &key, seq),
                bucket.objects.slot(&key, seq).map(|s| &s.version as _),
            );
        }
    }
    // `get_mut` above marked the buckets again; that was not a write.
    let _ = state.buckets.take_touched();
    for key in state.kinesis.take_touched() {
        let (account, region, name) = &key;
        put(
            &mut out,
            format!("stream/{account}/{region}/{name}"),
            state.kinesis.get(&key).map(|s| s as _),
        );
    }
    for arn in state.access_analyzer.analyzers.take_touched() {
        put(
            &mut out,
            format!("analyzer/{arn}"),
            state.access_analyzer.analyzers.get(&arn).map(|a| a as _),
        );
    }
    for job in state.access_analyzer.generations.take_touched() {
        put(
            &mut out,
            format!("policy-generation/{job}"),
            state.access_analyzer.generations.get(&job).map(|g| g as _),
        );
    }
    for id in state.organizations.take_touched() {
        put(
            &mut out,
            format!("organization/{id}"),
            state.organizations.get(&id).map(|o| o as _),
        );
    }
    for name in state.federation.keys.take_touched() {
        put(
            &mut out,
            format!("signing-key/{name}"),
            state.federation.keys.get(&name).map(|k| k as _),
        );
    }
    for issuer in state.federation.jwks.take_touched() {
        put(
            &mut out,
            format!("jwks/{issuer}"),
            state.federation.jwks.get(&issuer).map(|k| k as _),
        );
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Counts the records of `changes` as written again, after a commit of
/// them failed: the next commit retries them, so a later request's
/// acknowledgement never covers a change that is not on disk.
pub fn retouch(state: &mut State, changes: &[Change]) {
    for change in changes {
        let key = match change {
            Change::Put(key, _) | Change::Delete(key) | Change::DeletePrefix(key) => key,
        };
        let Some((kind, rest)) = key.split_once('/') else {
            continue;
        };
        match kind {
            "account" => state.accounts.touch(rest.to_string()),
            "session" => state.sessions.touch(rest.to_string()),
            "bucket" => state.buckets.touch(rest.to_string()),
            "organization" => state.organizations.touch(rest.to_string()),
            "signing-key" => state.federation.keys.touch(rest.to_string()),
            "jwks" => state.federation.jwks.touch(rest.to_string()),
            "object" | "version" => {
                if let Some((bucket, key, seq)) = parse_version_record(kind, rest) {
                    state.buckets.touch(bucket.to_string());
                    if let Some(b) = state.buckets.get_mut(bucket) {
                        b.objects.touch(key.to_string(), seq);
                    }
                }
            }
            "analyzer" => state.access_analyzer.analyzers.touch(rest.to_string()),
            "policy-generation" => state.access_analyzer.generations.touch(rest.to_string()),
            "stream" => {
                let mut parts = rest.splitn(3, '/');
                if let (Some(a), Some(r), Some(n)) = (parts.next(), parts.next(), parts.next()) {
                    state.kinesis.touch((a.into(), r.into(), n.into()));
                }
            }
            _ => {}
        }
    }
}

/// The record of version `seq` of `key`: `object/BUCKET/KEY` for position
/// 0 (an unversioned bucket's only version, as older folders store it),
/// `version/BUCKET/KEY/SEQ` (16 hex digits) for the others.
pub fn version_record(bucket: &str, key: &str, seq: u64) -> String {
    if seq == 0 {
        format!("object/{bucket}/{key}")
    } else {
        format!("version/{bucket}/{key}/{seq:016x}")
    }
}

/// Bucket, key and position of an `object/…` or `version/…` record
/// (`kind` and the key after `kind/`). A key may hold `/`; a bucket name
/// and a position never do.
pub fn parse_version_record<'k>(kind: &str, rest: &'k str) -> Option<(&'k str, &'k str, u64)> {
    let (bucket, tail) = rest.split_once('/')?;
    match kind {
        "object" => Some((bucket, tail, 0)),
        "version" => {
            let (key, seq) = tail.rsplit_once('/')?;
            let seq = u64::from_str_radix(seq, 16).ok().filter(|s| *s > 0)?;
            Some((bucket, key, seq))
        }
        _ => None,
    }
}

/// Any record serializes to JSON the same way.
mod erased {
    pub trait Record {
        fn json(&self) -> serde_json::Result<Vec<u8>>;
    }

    impl<T: super::Serialize> Record for T {
        fn json(&self) -> serde_json::Result<Vec<u8>> {
            serde_json::to_vec(self)
        }
    }
}
