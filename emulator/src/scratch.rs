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

use crate::http::{OnDrop, TempFile};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
        Scratch { dir, durable }
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
