//! Where object bodies live: a private temporary folder that goes with
//! the emulator, or with `--state-dir` the state folder's `objects/`,
//! where a body is made durable before the metadata that names it.
//!
//! A durable body is written as `objects/NAME.part`, flushed to disk
//! (fsync), renamed to `objects/NAME` and the folder flushed, so a crash
//! leaves either the whole body or an unnamed leftover that the next
//! start sweeps away. Bodies no longer referenced are removed only after
//! the metadata change that dropped them is on disk (the graveyard), so a
//! crash in between never leaves an object naming a missing file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A file removed when the last reference goes.
#[derive(Debug)]
pub struct TempFile {
    pub path: PathBuf,
    pub len: u64,
    pub on_drop: OnDrop,
}

/// What happens to a [`TempFile`]'s file when it is dropped.
#[derive(Debug)]
pub enum OnDrop {
    /// Removed at once (spooled uploads, bodies of an in-memory state).
    Remove,
    /// Removed after the next commit of the state (a durable body: the
    /// stored metadata may still name it until then).
    Bury(Arc<Graveyard>),
    /// Left alone.
    Keep,
}

impl TempFile {
    /// A file removed when dropped.
    pub fn new(path: PathBuf, len: u64) -> Self {
        TempFile {
            path,
            len,
            on_drop: OnDrop::Remove,
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        match &self.on_drop {
            OnDrop::Remove => {
                let _ = std::fs::remove_file(&self.path);
            }
            OnDrop::Bury(graveyard) => graveyard.bury(std::mem::take(&mut self.path)),
            OnDrop::Keep => {}
        }
    }
}

/// Files to remove once the next state change is on disk.
#[derive(Debug, Default)]
pub struct Graveyard {
    paths: Mutex<Vec<PathBuf>>,
}

impl Graveyard {
    pub fn bury(&self, path: PathBuf) {
        self.paths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(path);
    }

    /// Removes the buried files (after a commit).
    pub fn empty(&self) {
        let paths = std::mem::take(
            &mut *self
                .paths
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for path in paths {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The folder of object bodies and spooled uploads.
#[derive(Debug)]
pub struct Scratch {
    pub dir: PathBuf,
    /// Set with `--state-dir`: bodies are flushed and kept across restarts.
    durable: Option<Arc<Graveyard>>,
    /// Bytes of larger object bodies kept in memory (see [`Scratch::memory_body`]).
    in_memory: Arc<AtomicU64>,
}

/// How many bytes of object bodies over 64 KiB may stay in memory (without
/// `--state-dir`); past it, bodies go to files. Reads of a body in memory
/// cost no file read, but memory must not grow with everything stored.
pub const MEMORY_BODIES_BUDGET: u64 = 256 * 1024 * 1024;

/// A body's bytes counted against the budget until the last reference goes.
struct Budgeted {
    bytes: bytes::Bytes,
    used: Arc<AtomicU64>,
}

impl AsRef<[u8]> for Budgeted {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Budgeted {
    fn drop(&mut self) {
        self.used.fetch_sub(self.bytes.len() as u64, Ordering::Relaxed);
    }
}

impl Scratch {
    /// A private temporary folder, removed when the emulator goes.
    pub fn temporary() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "iam-emulator-{}-{}",
            std::process::id(),
            crate::ids::unique_id("")
        ));
        Self::create(dir, None)
    }

    /// The state folder's bodies: kept, flushed, removed only after commits.
    pub fn durable(state_dir: &Path, graveyard: Arc<Graveyard>) -> Self {
        Self::create(state_dir.to_path_buf(), Some(graveyard))
    }

    fn create(dir: PathBuf, durable: Option<Arc<Graveyard>>) -> Self {
        for sub in ["objects", "spool"] {
            let _ = std::fs::create_dir_all(dir.join(sub));
        }
        Scratch {
            dir,
            durable,
            in_memory: Arc::new(AtomicU64::new(0)),
        }
    }

    /// `bytes` as an in-memory body counted against [`MEMORY_BODIES_BUDGET`],
    /// or `None` (durable state, or the budget is spent: use a file).
    pub fn memory_body(&self, bytes: bytes::Bytes) -> Option<bytes::Bytes> {
        if self.durable.is_some() {
            return None;
        }
        let len = bytes.len() as u64;
        self.in_memory
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used + len <= MEMORY_BODIES_BUDGET).then_some(used + len)
            })
            .ok()?;
        Some(bytes::Bytes::from_owner(Budgeted {
            bytes,
            used: self.in_memory.clone(),
        }))
    }

    /// Bytes of larger bodies in memory now.
    pub fn memory_bodies_bytes(&self) -> u64 {
        self.in_memory.load(Ordering::Relaxed)
    }

    pub fn is_durable(&self) -> bool {
        self.durable.is_some()
    }

    /// A fresh path for an upload being received.
    pub fn spool_path(&self) -> PathBuf {
        self.dir.join("spool").join(crate::ids::unique_id("u"))
    }

    /// A fresh path to write a new object body to; [`Scratch::seal`] it when complete.
    pub fn object_path(&self) -> PathBuf {
        self.objects_dir()
            .join(format!("{}.part", crate::ids::unique_id("o")))
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.dir.join("objects")
    }

    /// A body written in full at `path` (from [`Scratch::object_path`]):
    /// with `--state-dir`, flushed to disk and renamed to its final name.
    pub fn seal(&self, path: PathBuf, len: u64) -> std::io::Result<Arc<TempFile>> {
        let Some(graveyard) = &self.durable else {
            return Ok(Arc::new(TempFile::new(path, len)));
        };
        let result = flush_and_rename(&path);
        if result.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        Ok(Arc::new(TempFile {
            path: result?,
            len,
            on_drop: OnDrop::Bury(graveyard.clone()),
        }))
    }

    /// A body found in the state folder at start-up, by file name.
    pub fn existing(&self, name: &str, len: u64) -> Option<TempFile> {
        let graveyard = self.durable.as_ref()?;
        Some(TempFile {
            path: self.objects_dir().join(name),
            len,
            on_drop: OnDrop::Bury(graveyard.clone()),
        })
    }
}

/// fsync the file, rename `NAME.part` to `NAME`, fsync the folder.
fn flush_and_rename(path: &Path) -> std::io::Result<PathBuf> {
    std::fs::File::open(path)?.sync_all()?;
    let done = path.with_extension("");
    std::fs::rename(path, &done)?;
    if let Some(dir) = done.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(done)
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.durable.is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_in_memory_count_against_the_budget_until_dropped() {
        let scratch = Scratch::temporary();
        let big = bytes::Bytes::from(vec![7u8; 200 * 1024 * 1024]);
        let first = scratch.memory_body(big.clone()).expect("within the budget");
        assert_eq!(first, big);
        assert_eq!(scratch.memory_bodies_bytes(), 200 * 1024 * 1024);
        assert!(
            scratch.memory_body(big.clone()).is_none(),
            "over the budget: a file"
        );
        let copy = first.clone();
        drop(first);
        assert_eq!(
            scratch.memory_bodies_bytes(),
            200 * 1024 * 1024,
            "still referenced"
        );
        drop(copy);
        assert_eq!(scratch.memory_bodies_bytes(), 0);
        assert!(scratch.memory_body(big).is_some());
    }

    #[test]
    fn a_durable_scratch_keeps_no_body_in_memory() {
        let dir = std::env::temp_dir().join(format!("scratch-{}", crate::ids::unique_id("")));
        let scratch = Scratch::durable(&dir, Arc::new(Graveyard::default()));
        assert!(scratch.memory_body(bytes::Bytes::from_static(b"x")).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
