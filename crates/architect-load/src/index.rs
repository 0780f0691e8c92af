//! The local registry index cache, read with tame-index (the crate cargo-deny uses). Nothing
//! is fetched: a crate without a cache entry is recorded as unknown, never as fine.

use std::collections::BTreeSet;
use std::path::Path;

use architect_model::{IndexFacts, IndexVersion};
use tame_index::flock::{FileLock, LockOptions};
use tame_index::index::{ComboIndexCache, IndexLocation, IndexUrl};

/// Read the cached index entries of `names` (crates.io packages of the build).
///
/// `config_root` is where cargo's source replacement is looked up (read as data);
/// `cargo_version` is the trusted cargo's version: tame-index would otherwise run `cargo -V`
/// in the current directory, which could be the reviewed repository.
pub fn read(
    names: &BTreeSet<String>,
    config_root: &Path,
    cargo_version: Option<&str>,
) -> Result<IndexFacts, String> {
    let version = cargo_version
        .and_then(|v| tame_index::Version::parse(v).ok())
        .ok_or("the cargo version is unknown, so the index cache location is too")?;
    let v = version.to_string();
    let url = IndexUrl::crates_io(
        tame_index::PathBuf::from_path_buf(config_root.to_path_buf()).ok(),
        None,
        Some(&v),
    )
    .map_err(|e| format!("the crates.io index location could not be determined: {e}"))?;
    let mut location = IndexLocation::new(url);
    location.cargo_version = Some(version);
    let cache = ComboIndexCache::new(location)
        .map_err(|e| format!("the registry index cache could not be opened: {e}"))?;
    let lock = LockOptions::cargo_package_lock(None)
        .ok()
        .and_then(|o| o.shared().try_lock().ok())
        .unwrap_or_else(FileLock::unlocked);

    let mut facts = IndexFacts::default();
    for name in names {
        let Ok(krate_name) = tame_index::KrateName::cargo(name) else {
            facts.unknown.insert(name.clone());
            continue;
        };
        let entry = cache.cached_krate(krate_name, &lock).ok().flatten();
        let versions = entry.and_then(|e| {
            e.iter().ok().map(|it| {
                it.filter_map(|v| v.deserialize().ok())
                    .map(|v| IndexVersion {
                        version: v.version.to_string(),
                        yanked: v.is_yanked(),
                        rust_version: v.rust_version().map(str::to_string),
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
    Ok(facts)
}
