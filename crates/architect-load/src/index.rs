//! The local registry index cache, read with tame-index (the crate cargo-deny uses). Nothing
//! is fetched: a crate without a cache entry is recorded as unknown, never as fine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use architect_model::{IndexFacts, IndexVersion};
use tame_index::flock::{FileLock, LockOptions};
use tame_index::index::{ComboIndexCache, IndexLocation, IndexUrl};

/// The three fields of an index entry the rules use; the rest (dependencies, features,
/// checksums) is skipped without being built, which is most of the cost of reading the cache.
#[derive(serde::Deserialize)]
struct Light {
    vers: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    rust_version: Option<String>,
}

/// Read the cached index entries of `names` (crates.io packages of the build), and of the
/// packages of other registries (`other`: index URL, as in `sparse+https://...`, to names).
///
/// `config_root` is where cargo's source replacement is looked up (read as data);
/// `cargo_version` is the trusted cargo's version: tame-index would otherwise run `cargo -V`
/// in the current directory, which could be the reviewed repository.
pub fn read(
    names: &BTreeSet<String>,
    other: &BTreeMap<String, BTreeSet<String>>,
    config_root: &Path,
    cargo_home: Option<&Path>,
    cargo_version: Option<&str>,
) -> Result<IndexFacts, String> {
    let utf8 = |p: &Path| tame_index::PathBuf::from_path_buf(p.to_path_buf()).ok();
    let version = cargo_version
        .and_then(|v| tame_index::Version::parse(v).ok())
        .ok_or("the cargo version is unknown, so the index cache location is too")?;
    let v = version.to_string();
    let home = cargo_home.and_then(utf8);
    let lock = LockOptions::cargo_package_lock(None)
        .ok()
        .and_then(|o| o.shared().try_lock().ok())
        .unwrap_or_else(FileLock::unlocked);
    let open = |url: IndexUrl<'_>| {
        let mut location = IndexLocation::new(url).with_root(home.clone());
        location.cargo_version = Some(version.clone());
        ComboIndexCache::new(location)
            .map_err(|e| format!("the registry index cache could not be opened: {e}"))
    };

    let mut facts = IndexFacts::default();
    if !names.is_empty() {
        let url = IndexUrl::crates_io(utf8(config_root), home.as_deref(), Some(&v))
            .map_err(|e| format!("the crates.io index location could not be determined: {e}"))?;
        collect(&open(url)?, &lock, names, &mut facts);
    }
    for (url, names) in other {
        match open(IndexUrl::NonCratesIo(url.as_str().into())) {
            Ok(cache) => collect(&cache, &lock, names, &mut facts),
            Err(_) => facts.unknown.extend(names.iter().cloned()),
        }
    }
    Ok(facts)
}

fn collect(
    cache: &ComboIndexCache,
    lock: &FileLock,
    names: &BTreeSet<String>,
    facts: &mut IndexFacts,
) {
    for name in names {
        let Ok(krate_name) = tame_index::KrateName::cargo(name) else {
            facts.unknown.insert(name.clone());
            continue;
        };
        let entry = cache.cached_krate(krate_name, lock).ok().flatten();
        let versions = entry.and_then(|e| {
            e.iter().ok().map(|it| {
                it.filter_map(|v| serde_json::from_slice::<Light>(v.raw().1).ok())
                    .map(|v| IndexVersion {
                        version: v.vers,
                        yanked: v.yanked,
                        rust_version: v.rust_version,
                    })
                    .collect::<Vec<_>>()
            })
        });
        match versions {
            Some(v) if !v.is_empty() => {
                facts.crates.insert(name.clone(), v);
            }
            _ => {
                facts.unknown.insert(name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_without_a_cache_entry_are_unknown_not_fine() {
        let empty_home = tempfile::tempdir().unwrap();
        let names: BTreeSet<String> = ["serde", "tokio"].map(String::from).into();
        let private: BTreeSet<String> = ["in-house"].map(String::from).into();
        let other = BTreeMap::from([(
            "sparse+https://registry.example.invalid/".to_string(),
            private,
        )]);
        let facts = read(
            &names,
            &other,
            empty_home.path(),
            Some(empty_home.path()),
            Some("1.95.0"),
        )
        .unwrap();
        assert!(facts.crates.is_empty());
        let all: BTreeSet<String> = ["serde", "tokio", "in-house"].map(String::from).into();
        assert_eq!(facts.unknown, all);
    }

    #[test]
    fn a_local_registry_replacement_is_read() {
        let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/registry-ws");
        let empty_home = tempfile::tempdir().unwrap();
        let names: BTreeSet<String> = ["yankedlib", "msrvlib", "nonesuch"]
            .map(String::from)
            .into();
        let facts = read(
            &names,
            &BTreeMap::new(),
            &ws,
            Some(empty_home.path()),
            Some("1.95.0"),
        )
        .unwrap();
        assert!(facts.version("yankedlib", "2.0.0").unwrap().yanked);
        assert!(!facts.version("yankedlib", "2.0.1").unwrap().yanked);
        assert_eq!(
            facts
                .version("msrvlib", "3.2.0")
                .unwrap()
                .rust_version
                .as_deref(),
            Some("1.88")
        );
        assert_eq!(facts.unknown, BTreeSet::from(["nonesuch".to_string()]));
    }
}
