//! The local registry index cache, read with tame-index (the crate cargo-deny uses). Nothing
//! is fetched: a crate without a cache entry is recorded as unknown, never as fine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use architect_model::{IndexFacts, IndexVersion};
use guppy::PackageId;
use guppy::graph::PackageGraph;
use tame_index::flock::{FileLock, LockOptions};
use tame_index::index::{ComboIndexCache, IndexLocation, IndexUrl};

/// The four fields of an index entry the rules use; the rest (dependencies, features,
/// checksums) is skipped without being built, which is most of the cost of reading the cache.
#[derive(serde::Deserialize)]
struct Light {
    vers: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    rust_version: Option<String>,
    #[serde(default)]
    pubtime: Option<String>,
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
                        published: v.pubtime.as_deref().and_then(architect_model::day_of),
                    })
                    .collect::<Vec<_>>()
            })
        });
        match versions {
            Some(v) if !v.is_empty() => {
                if let Some(day) = written(cache, krate_name) {
                    facts.fetched.insert(name.clone(), day);
                }
                facts.crates.insert(name.clone(), v);
            }
            _ => {
                facts.unknown.insert(name.clone());
            }
        }
    }
}

/// The day cargo last wrote a crate's entry in a sparse index cache (its file's mtime).
fn written(cache: &ComboIndexCache, name: tame_index::KrateName<'_>) -> Option<jiff::civil::Date> {
    let ComboIndexCache::Sparse(sparse) = cache else {
        return None;
    };
    let modified = std::fs::metadata(sparse.cache().cache_path(name))
        .ok()?
        .modified()
        .ok()?;
    let at = jiff::Timestamp::try_from(modified).ok()?;
    Some(at.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// The registry index cache's facts on every registry package the build compiles, and notes
/// on what it could not tell.
pub(crate) fn read_index(
    graph: &PackageGraph,
    built: &BTreeSet<PackageId>,
    root: &Path,
    release: Option<&str>,
) -> (architect_model::IndexFacts, Vec<String>) {
    let mut notes = Vec::new();
    let mut registry_names: BTreeSet<String> = BTreeSet::new();
    let mut other_registries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in built.iter().filter_map(|id| graph.metadata(id).ok()) {
        use guppy::graph::ExternalSource;
        match p.source().parse_external() {
            _ if p.source().is_crates_io() => {
                registry_names.insert(p.name().to_string());
            }
            Some(ExternalSource::Sparse(url)) => {
                other_registries
                    .entry(format!("sparse+{url}"))
                    .or_default()
                    .insert(p.name().to_string());
            }
            Some(ExternalSource::Registry(url)) => {
                other_registries
                    .entry(url.to_string())
                    .or_default()
                    .insert(p.name().to_string());
            }
            _ => {}
        }
    }
    let registry_count =
        registry_names.len() + other_registries.values().map(BTreeSet::len).sum::<usize>();
    let index = if registry_count == 0 {
        architect_model::IndexFacts::default()
    } else {
        match read(&registry_names, &other_registries, root, None, release) {
            Ok(index) => {
                if !index.unknown.is_empty() {
                    notes.push(format!(
                        "{} of {} registry crates have no entry in the local index cache, so whether they are yanked or outdated is unknown (run `cargo update --dry-run` to refresh it)",
                        index.unknown.len(),
                        registry_count
                    ));
                }
                index
            }
            Err(why) => {
                notes.push(format!(
                    "yanked and outdated versions were not checked: {why}"
                ));
                architect_model::IndexFacts {
                    unknown: registry_names
                        .into_iter()
                        .chain(other_registries.into_values().flatten())
                        .collect(),
                    ..Default::default()
                }
            }
        }
    };

    (index, notes)
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
