//! `--state-dir`: the state kept on disk, so it survives restarts and
//! `kill -9`.
//!
//! Layout of the folder:
//! - `state.redb` — every record of state (redb: an embedded, pure-Rust
//!   key-value store with ACID transactions; a commit is on disk before it
//!   returns, and a torn write is rolled back when the file is opened);
//! - `objects/` — object and part bodies, one file each under a random
//!   name (never derived from the object key), see [`crate::scratch`];
//! - `spool/` — uploads being received, emptied at start;
//! - `LOCK` — held while an emulator uses the folder.
//!
//! Records: `account/ID` (one account's IAM entities), `session/AKID`,
//! `bucket/NAME` (a bucket without its objects), `object/BUCKET/KEY` (an
//! unversioned bucket's object: a key's `null` version at position 0),
//! `version/BUCKET/KEY/SEQ` (any other version of a key, an object or a
//! delete marker, at its position; see [`crate::state::versions`]),
//! `stream/ACCOUNT/REGION/NAME`, `analyzer/ARN` (an Access Analyzer analyzer
//! with its rules, findings and previews), `policy-generation/JOB`, `organization/ID` (one organization with its
//! OUs, accounts, policies and handshakes); apart from them, the observed requests
//! that `policy generate` reads (saved without waiting for the disk, as
//! they acknowledge nothing; a clean shutdown flushes them). A request's changes (the keys its writes
//! touched, see [`crate::state::tracked`]) are written in one transaction
//! before its reply is sent, so an acknowledged write is on disk and an
//! unacknowledged one is wholly there or not at all. The `meta` table
//! holds the format and the emulator clock's advances ([`crate::clock`]),
//! so dates written under an advanced clock stay in the past after a restart.

use crate::scratch::{Graveyard, Scratch};
use crate::state::changes::Change;
use crate::state::iam::Account;
use crate::state::s3::Bucket;
use crate::state::versions::{Slot, Version};
use crate::state::State;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The layout of records this build writes. A folder written with another
/// format is refused rather than misread.
pub const FORMAT: u32 = 1;

const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
/// Observed requests (`policy generate`), by a sequence number.
const OBSERVATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("observations");

/// An open state folder.
#[derive(Debug)]
pub struct Store {
    db: Database,
    dir: PathBuf,
    graveyard: Arc<Graveyard>,
    /// Records written or removed since the store was opened: how a test
    /// sees that a request which changed nothing wrote nothing.
    records_written: AtomicU64,
    /// Held (with an exclusive lock) for as long as the store is open.
    _lock: File,
}

impl Store {
    /// Opens (or creates) the folder, loads its state into `state` and
    /// returns the store and the body folder to use.
    pub fn open(dir: &Path, state: &mut State) -> Result<(Store, Scratch), String> {
        let shown = dir.display();
        std::fs::create_dir_all(dir).map_err(|e| format!("--state-dir {shown}: cannot create it: {e}"))?;
        let lock = lock(dir)?;
        let db = Database::create(dir.join("state.redb"))
            .map_err(|e| format!("--state-dir {shown}: cannot open state.redb: {e}"))?;
        check_format(&db, dir)?;
        let graveyard = Arc::new(Graveyard::default());
        let scratch = Scratch::durable(dir, graveyard.clone());
        let store = Store {
            db,
            dir: dir.to_path_buf(),
            graveyard,
            records_written: AtomicU64::new(0),
            _lock: lock,
        };
        store.load(state, &scratch)?;
        sweep(&scratch, state);
        Ok((store, scratch))
    }

    /// Writes `changes` in one transaction, on disk when this returns; then
    /// removes bodies that only the previous state referenced.
    pub fn commit(&self, changes: &[Change]) -> Result<(), String> {
        self.commit_with(changes, None, 0)
    }

    /// [`Store::commit`] plus observations to append (keeping the newest
    /// `keep`). Without state changes the transaction is not flushed to
    /// disk: observations acknowledge nothing (the next flushed commit, or
    /// shutdown, writes them).
    pub fn commit_with(
        &self,
        changes: &[Change],
        observed: Option<&crate::observations::Unsaved>,
        keep: usize,
    ) -> Result<(), String> {
        if changes.is_empty() && observed.is_none() {
            return Ok(());
        }
        let err = |e: &dyn std::fmt::Display| format!("state dir {}: write failed: {e}", self.dir.display());
        let mut txn = self.db.begin_write().map_err(|e| err(&e))?;
        if changes.is_empty() {
            txn.set_durability(redb::Durability::None).map_err(|e| err(&e))?;
        }
        if let Some(observed) = observed {
            append_observations(&txn, observed, keep).map_err(|e| err(&e))?;
        }
        {
            let mut table = txn.open_table(RECORDS).map_err(|e| err(&e))?;
            for change in changes {
                match change {
                    Change::Put(key, value) => {
                        table
                            .insert(key.as_str(), value.as_slice())
                            .map_err(|e| err(&e))?;
                    }
                    Change::Delete(key) => {
                        table.remove(key.as_str()).map_err(|e| err(&e))?;
                    }
                    Change::DeletePrefix(prefix) => {
                        table
                            .retain(|k, _| !k.starts_with(prefix.as_str()))
                            .map_err(|e| err(&e))?;
                    }
                }
            }
        }
        txn.commit().map_err(|e| err(&e))?;
        self.records_written
            .fetch_add(changes.len() as u64, Ordering::Relaxed);
        self.graveyard.empty();
        Ok(())
    }

    /// How many records commits have written or removed since the store
    /// was opened (loading counts none).
    pub fn records_written(&self) -> u64 {
        self.records_written.load(Ordering::Relaxed)
    }

    /// A last flushed commit (at shutdown): everything written before is on disk.
    pub fn flush(&self) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| format!("state dir {}: flush failed: {e}", self.dir.display());
        let txn = self.db.begin_write().map_err(|e| err(&e))?;
        txn.commit().map_err(|e| err(&e))
    }

    /// The emulator clock's advances (`/_emulator/clock`), oldest first.
    pub fn clock(&self) -> Result<Vec<crate::clock::Advance>, String> {
        let err = |e: &dyn std::fmt::Display| format!("state dir {}: read failed: {e}", self.dir.display());
        let txn = self.db.begin_read().map_err(|e| err(&e))?;
        let meta = txn.open_table(META).map_err(|e| err(&e))?;
        let Some(text) = meta.get("clock").map_err(|e| err(&e))? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(text.value()).map_err(|e| err(&format!("the clock record is damaged: {e}")))
    }

    /// Keeps the clock's advances, on disk when this returns.
    pub fn save_clock(&self, advances: &[crate::clock::Advance]) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| format!("state dir {}: write failed: {e}", self.dir.display());
        let text = serde_json::to_string(advances).map_err(|e| err(&e))?;
        let txn = self.db.begin_write().map_err(|e| err(&e))?;
        txn.open_table(META)
            .map_err(|e| err(&e))?
            .insert("clock", text.as_str())
            .map_err(|e| err(&e))?;
        txn.commit().map_err(|e| err(&e))
    }

    /// The stored observations, oldest first.
    pub fn observations(&self) -> Result<Vec<crate::observations::Observation>, String> {
        self.rows(OBSERVATIONS, |_, value| {
            serde_json::from_slice(value).map_err(|e| e.to_string())
        })
    }

    /// Every record, in key order.
    fn records(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.rows(RECORDS, |key, value| {
            Ok((key.value().to_string(), value.to_vec()))
        })
    }

    /// Every row of a table (none when it was never written), in key order.
    fn rows<K: redb::Key + 'static, T>(
        &self,
        table: TableDefinition<K, &'static [u8]>,
        mut row: impl FnMut(redb::AccessGuard<'_, K>, &[u8]) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let err = |e: &dyn std::fmt::Display| format!("state dir {}: read failed: {e}", self.dir.display());
        let txn = self.db.begin_read().map_err(|e| err(&e))?;
        let table = match txn.open_table(table) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(err(&e)),
        };
        let mut out = Vec::new();
        for item in table.iter().map_err(|e| err(&e))? {
            let (k, v) = item.map_err(|e| err(&e))?;
            out.push(row(k, v.value()).map_err(|e| err(&e))?);
        }
        Ok(out)
    }

    fn load(&self, state: &mut State, scratch: &Scratch) -> Result<(), String> {
        for (key, value) in self.records()? {
            load_record(state, &key, &value, scratch)
                .map_err(|e| format!("state dir {}: record {key:?} is damaged: {e}", self.dir.display()))?;
        }
        // What was just loaded is already on disk.
        crate::state::changes::take(state, false)?;
        Ok(())
    }
}

/// Appends observations after the last stored one; drops the oldest
/// beyond `keep` (the log's capacity).
fn append_observations(
    txn: &redb::WriteTransaction,
    observed: &crate::observations::Unsaved,
    keep: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut table = txn.open_table(OBSERVATIONS)?;
    if observed.cleared {
        table.retain(|_, _| false)?;
    }
    let mut next = table.last()?.map_or(0, |(k, _)| k.value() + 1);
    for observation in &observed.observations {
        table.insert(next, serde_json::to_vec(observation)?.as_slice())?;
        next += 1;
    }
    let oldest_kept = next.saturating_sub(keep as u64);
    if table.first()?.is_some_and(|(k, _)| k.value() < oldest_kept) {
        table.retain_in(..oldest_kept, |_, _| false)?;
    }
    Ok(())
}

/// Takes `LOCK` exclusively, or says who has it.
fn lock(dir: &Path) -> Result<File, String> {
    use std::io::{Read, Seek, Write};
    let path = dir.join("LOCK");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("--state-dir {}: cannot open LOCK: {e}", dir.display()))?;
    if file.try_lock().is_err() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(format!(
            "--state-dir {}: another iam-emulator is using this folder ({}); stop it or pick another folder",
            dir.display(),
            match holder.trim() {
                "" => "its process id is unknown".to_string(),
                pid => format!("process {pid}"),
            }
        ));
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "{}", std::process::id());
    Ok(file)
}

/// Stamps a new folder with [`FORMAT`]; refuses one with another format.
fn check_format(db: &Database, dir: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("--state-dir {}: {e}", dir.display());
    let txn = db.begin_write().map_err(|e| err(&e))?;
    {
        let mut meta = txn.open_table(META).map_err(|e| err(&e))?;
        let found = meta
            .get("format")
            .map_err(|e| err(&e))?
            .map(|v| v.value().to_string());
        match found {
            None => {
                meta.insert("format", FORMAT.to_string().as_str())
                    .map_err(|e| err(&e))?;
            }
            Some(f) if f == FORMAT.to_string() => {}
            Some(f) => {
                return Err(format!(
                    "--state-dir {}: the folder holds state in format {f}, and this iam-emulator reads format {FORMAT}; \
                     use the iam-emulator that wrote it (`iam-emulator export` moves IAM state between versions) or another folder",
                    dir.display()
                ));
            }
        }
    }
    txn.commit().map_err(|e| err(&e))
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(json_err)`
fn json_err(e: serde_json::Error) -> String {
    e.to_string()
}

/// Puts one stored record back into the state.
fn load_record(state: &mut State, key: &str, value: &[u8], scratch: &Scratch) -> Result<(), String> {
    let (kind, rest) = key.split_once('/').ok_or("unknown record kind")?;
    match kind {
        "account" => {
            let account: Account = serde_json::from_slice(value).map_err(json_err)?;
            state.accounts.insert(rest.to_string(), account);
        }
        "session" => {
            state
                .sessions
                .insert(rest.to_string(), serde_json::from_slice(value).map_err(json_err)?);
        }
        "bucket" => {
            let mut bucket: Bucket = serde_json::from_slice(value).map_err(json_err)?;
            if let Some(existing) = state.buckets.remove(rest) {
                bucket.objects = existing.objects;
            }
            for upload in bucket.uploads.values_mut() {
                for part in upload.parts.values_mut() {
                    part.body = attach(&part.body, scratch)?;
                }
            }
            state.buckets.insert(rest.to_string(), bucket);
        }
        "object" | "version" => {
            let (bucket, object_key, seq) = crate::state::changes::parse_version_record(kind, rest)
                .ok_or("a version record needs a bucket, a key and a position")?;
            let mut version = Version::from_record(value)?;
            if let Version::Object(object) = &mut version {
                object.body = attach(&object.body, scratch)?;
            }
            // Version records sort after their bucket's record ("bucket/" < "object/", "version/").
            let bucket = state
                .buckets
                .get_mut(bucket)
                .ok_or("an object of a bucket that is not stored")?;
            bucket.objects.insert(object_key, Slot { seq, version });
        }
        "stream" => {
            let mut parts = rest.splitn(3, '/');
            let (Some(account), Some(region), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
                return Err("a stream record needs account, region and name".into());
            };
            let stream = serde_json::from_slice(value).map_err(json_err)?;
            state.kinesis.insert(account, region, stream);
        }
        "analyzer" => {
            let analyzer = serde_json::from_slice(value).map_err(json_err)?;
            state.access_analyzer.analyzers.insert(rest.to_string(), analyzer);
        }
        "policy-generation" => {
            let job = serde_json::from_slice(value).map_err(json_err)?;
            state.access_analyzer.generations.insert(rest.to_string(), job);
        }
        "organization" => {
            state
                .organizations
                .load(serde_json::from_slice(value).map_err(json_err)?);
        }
        "signing-key" => {
            let stored = serde_json::from_slice(value).map_err(json_err)?;
            state.federation.load_key(rest, stored)?;
        }
        "jwks" => {
            let stored = serde_json::from_slice(value).map_err(json_err)?;
            state.federation.jwks.insert(rest.to_string(), stored);
        }
        _ => return Err("unknown record kind".into()),
    }
    Ok(())
}

/// The body file a loaded record names, which must exist with its length.
fn attach(body: &crate::state::s3::Body, scratch: &Scratch) -> Result<crate::state::s3::Body, String> {
    let body = body.file().ok_or("an in-memory body in a stored record")?;
    let name = body.path.to_str().unwrap_or_default();
    let size = std::fs::metadata(scratch.objects_dir().join(name))
        .map_err(|e| format!("body file objects/{name}: {e}"))?
        .len();
    if size != body.len {
        return Err(format!(
            "body file objects/{name} has {size} bytes, {} expected",
            body.len
        ));
    }
    scratch
        .existing(name, body.len)
        .map(|file| Arc::new(file).into())
        .ok_or_else(|| "bodies need a state dir".to_string())
}

/// Removes leftovers of a crash: spooled uploads, and body files no record
/// names (written before a commit that never happened).
fn sweep(scratch: &Scratch, state: &State) {
    if let Ok(entries) = std::fs::read_dir(scratch.dir.join("spool")) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let mut used = BTreeSet::new();
    for bucket in state.buckets.values() {
        // Every version's body counts, not only the current one's.
        used.extend(
            bucket
                .objects
                .iter()
                .flat_map(|(_, slots)| slots)
                .filter_map(|s| Some(s.version.object()?.body.file()?.path.clone())),
        );
        for upload in bucket.uploads.values() {
            used.extend(
                upload
                    .parts
                    .values()
                    .filter_map(|p| Some(p.body.file()?.path.clone())),
            );
        }
    }
    if let Ok(entries) = std::fs::read_dir(scratch.objects_dir()) {
        for entry in entries.flatten() {
            if !used.contains(&entry.path()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("iam-store-{name}-{}", crate::ids::unique_id("")));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_folder_of_another_format_is_refused_not_misread() {
        let dir = temp_dir("format");
        drop(Store::open(&dir, &mut State::new(Vec::new())).unwrap());
        {
            let db = Database::create(dir.join("state.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META).unwrap().insert("format", "0").unwrap();
            txn.commit().unwrap();
        }
        let err = Store::open(&dir, &mut State::new(Vec::new())).unwrap_err();
        assert!(err.contains("holds state in format 0"), "{err}");
        assert!(err.contains("reads format 1"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_record_stops_the_start_with_its_key() {
        let dir = temp_dir("damaged");
        {
            let (store, _) = Store::open(&dir, &mut State::new(Vec::new())).unwrap();
            store
                .commit(&[Change::Put("account/123456789012".into(), b"{not json".to_vec())])
                .unwrap();
        }
        let err = Store::open(&dir, &mut State::new(Vec::new())).unwrap_err();
        assert!(
            err.contains("record \"account/123456789012\" is damaged"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_object_record_cannot_name_a_file_outside_objects() {
        let dir = temp_dir("escape");
        {
            let mut state = State::new(Vec::new());
            let (store, _) = Store::open(&dir, &mut state).unwrap();
            let now = crate::ids::now();
            state
                .buckets
                .insert("b".into(), Bucket::new("b", "123456789012", "us-east-1", now));
            store
                .commit(&crate::state::changes::take(&mut state, true).unwrap())
                .unwrap();
            let object = r#"{"key":"k","body":{"file":"../../etc/passwd","len":1},"size":1,"etag":"\"x\"",
                "last_modified":[2026,1,0,0,0,0,0,0,0],"content_type":"","headers":[],"metadata":[],"tags":[],
                "checksum":null,"storage_class":"STANDARD","part_sizes":[]}"#;
            store
                .commit(&[Change::Put("object/b/k".into(), object.as_bytes().to_vec())])
                .unwrap();
        }
        let err = Store::open(&dir, &mut State::new(Vec::new())).unwrap_err();
        assert!(err.contains("is not one the emulator writes"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A folder written before versions existed: its `object/BUCKET/KEY`
    /// records load as each key's `null` version, bodies kept.
    #[test]
    fn an_object_record_of_an_older_folder_loads_as_the_null_version() {
        let dir = temp_dir("older");
        {
            let mut state = State::new(Vec::new());
            let (store, _) = Store::open(&dir, &mut state).unwrap();
            let now = crate::ids::now();
            state
                .buckets
                .insert("b".into(), Bucket::new("b", "123456789012", "us-east-1", now));
            store
                .commit(&crate::state::changes::take(&mut state, true).unwrap())
                .unwrap();
            std::fs::write(dir.join("objects").join("body1"), b"hello").unwrap();
            let object = r#"{"key":"k","body":{"file":"body1","len":5},"size":5,"etag":"\"x\"",
                "last_modified":[2026,1,0,0,0,0,0,0,0],"content_type":"","headers":[],"metadata":[],"tags":[],
                "checksum":null,"storage_class":"STANDARD","part_sizes":[]}"#;
            store
                .commit(&[Change::Put("object/b/k".into(), object.as_bytes().to_vec())])
                .unwrap();
        }
        let mut state = State::new(Vec::new());
        let store = Store::open(&dir, &mut state).unwrap();
        let objects = &state.buckets["b"].objects;
        let slot = objects.latest("k").unwrap();
        assert_eq!((slot.seq, slot.version.id()), (0, None));
        assert_eq!(objects.current("k").map(|o| o.size), Some(5));
        assert!(dir.join("objects").join("body1").exists(), "the body is in use");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
