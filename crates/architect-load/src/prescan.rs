//! The workspace's Rust files, read and scanned while `cargo metadata` runs.
//!
//! `cargo metadata` keeps one core busy for most of a large workspace's review and the other
//! idle, and the source pass cannot start before it: it follows each target's module tree,
//! and only the metadata names the targets. But the files a member's module tree reaches are
//! almost all the `.rs` files under the workspace root, which the manifest check lists anyway.
//! So one thread reads and scans those (bounded, never outside the root, exactly as the source
//! pass would) until the source pass starts; the pass takes the result of every file it
//! reaches that was scanned already, and reads the rest itself. Files no module tree reaches
//! are dropped unread by anyone else. The review is the same with or without this: only when
//! a file is scanned changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use architect_source::{FileFacts, Wanted};

use crate::read::{SOURCE_LIMIT, read_bytes};
use crate::scope::Boundary;

/// What the source pass wants of a workspace member's file; files are scanned for it.
pub(crate) const WANTED: Wanted = Wanted::All;

/// At most this many bytes are held scanned ahead: in a repository with far more Rust than
/// its members compile (a compiler's test suite), the rest is left to the source pass.
const BUDGET: u64 = 256 << 20;

/// Files scanned ahead, by path as the walk of the workspace root named them.
pub(crate) type Scanned = HashMap<PathBuf, (String, FileFacts)>;

/// A scan running in the background; dropping it stops it.
pub(crate) struct Prescan {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Scanned>>,
}

impl Prescan {
    /// Start scanning `files` (under `root`) on one thread, in order.
    pub(crate) fn start(
        root: &Path,
        files: Vec<PathBuf>,
        cache: Option<Arc<crate::scancache::ScanCache>>,
    ) -> Prescan {
        let stop = Arc::new(AtomicBool::new(false));
        let boundary = Boundary::new(root, "workspace");
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("prescan".into())
            .spawn(move || scan(&boundary, files, &flag, cache.as_deref()))
            .ok();
        Prescan { stop, handle }
    }

    /// Stop, and what was scanned so far.
    pub(crate) fn finish(mut self) -> Scanned {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Prescan {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Read and scan each file until told to stop or [`BUDGET`] is spent. A file that cannot be read, is not UTF-8 or
/// resolves outside the root is left to the source pass, which reports it.
fn scan(
    boundary: &Boundary,
    files: Vec<PathBuf>,
    stop: &AtomicBool,
    cache: Option<&crate::scancache::ScanCache>,
) -> Scanned {
    let mut out = HashMap::new();
    let mut held = 0u64;
    for file in files {
        if stop.load(Ordering::Relaxed) || held > BUDGET {
            break;
        }
        if boundary.outside(&file).is_some() {
            continue;
        }
        let Ok(text) = read_bytes(&file, SOURCE_LIMIT).map(String::from_utf8) else {
            continue;
        };
        let Ok(text) = text else { continue };
        held += text.len() as u64;
        let facts = crate::scancache::analyze(cache, &text, WANTED);
        out.insert(file, (text, facts));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_files_inside_the_root_only() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.rs");
        std::fs::write(&secret, "pub fn secret() {}").unwrap();
        let ws = tempfile::tempdir().unwrap();
        let lib = ws.path().join("lib.rs");
        std::fs::write(&lib, "pub mod a;\nunsafe fn f() {}").unwrap();
        let link = ws.path().join("link.rs");
        let not_utf8 = ws.path().join("bad.rs");
        std::fs::write(&not_utf8, [0xff, 0xfe]).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&secret, &link).unwrap();

        let scanned =
            Prescan::start(ws.path(), vec![lib.clone(), link.clone(), not_utf8], None).finish();
        // `finish` may stop the thread before it started: what it returns is exactly what
        // the source pass would have scanned itself.
        for (path, (text, facts)) in &scanned {
            assert_eq!(path, &lib);
            assert_eq!(facts, &architect_source::analyze(text, WANTED));
        }
        let all = scan(
            &Boundary::new(ws.path(), "workspace"),
            vec![lib.clone(), link, ws.path().join("bad.rs")],
            &AtomicBool::new(false),
            None,
        );
        assert_eq!(all.keys().collect::<Vec<_>>(), vec![&lib]);
    }

    #[test]
    fn stops_when_told() {
        let ws = tempfile::tempdir().unwrap();
        let lib = ws.path().join("lib.rs");
        std::fs::write(&lib, "fn f() {}").unwrap();
        let scanned = scan(
            &Boundary::new(ws.path(), "workspace"),
            vec![lib],
            &AtomicBool::new(true),
            None,
        );
        assert!(scanned.is_empty());
    }
}
