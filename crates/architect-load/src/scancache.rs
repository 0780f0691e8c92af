//! What the scanner made of each file text, shared by the loads of a diff's two sides: most
//! files are the same on both, and each is lexed once.
//!
//! Keyed by two hashes of the text under random keys drawn per process (and its length and
//! what was wanted): a repository cannot craft a file that collides with another one to have
//! its facts taken for that file's.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use architect_source::{FileFacts, Wanted};

type Key = (u64, u64, usize, Wanted);

/// The scanner's results by file text.
#[derive(Debug, Default)]
pub struct ScanCache {
    keys: (RandomState, RandomState),
    facts: Mutex<HashMap<Key, FileFacts>>,
}

impl ScanCache {
    pub fn new() -> ScanCache {
        ScanCache::default()
    }

    fn key(&self, text: &str, wanted: Wanted) -> Key {
        (
            self.keys.0.hash_one(text),
            self.keys.1.hash_one(text),
            text.len(),
            wanted,
        )
    }

    /// `architect_source::analyze(text, wanted)`, or what it gave for the same text before.
    pub(crate) fn analyze(&self, text: &str, wanted: Wanted) -> FileFacts {
        let key = self.key(text, wanted);
        if let Some(f) = self.facts.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return f;
        }
        let facts = architect_source::analyze(text, wanted);
        if let Ok(mut m) = self.facts.lock() {
            m.insert(key, facts.clone());
        }
        facts
    }
}

/// Scan `text`, through `cache` when there is one.
pub(crate) fn analyze(cache: Option<&ScanCache>, text: &str, wanted: Wanted) -> FileFacts {
    match cache {
        Some(c) => c.analyze(text, wanted),
        None => architect_source::analyze(text, wanted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_scanned_once_and_gives_the_same_facts() {
        let cache = ScanCache::new();
        let text = "pub mod a;\nunsafe fn f() {}\n";
        let first = cache.analyze(text, Wanted::All);
        assert_eq!(first, architect_source::analyze(text, Wanted::All));
        assert_eq!(cache.facts.lock().unwrap().len(), 1);
        assert_eq!(cache.analyze(text, Wanted::All), first);
        assert_eq!(cache.facts.lock().unwrap().len(), 1);
        // Another text, or the same text wanted otherwise, is scanned on its own.
        let other = cache.analyze("pub mod b;\n", Wanted::All);
        assert_ne!(other, first);
        cache.analyze(text, Wanted::BuildScript);
        assert_eq!(cache.facts.lock().unwrap().len(), 3);
    }
}
