//! The review of a workspace whose `cargo metadata` cannot fetch a git dependency (no network,
//! a private host, `--offline` with a cold cache), from its `Cargo.lock`.
//!
//! cargo still resolves everything else: it runs on a mirror of the workspace's manifests in a
//! temporary directory (each `Cargo.toml`, an empty file for each `.rs` so that target
//! discovery finds the same targets, and the lockfile), with each unreachable package patched
//! to a stand-in: a manifest with the package's name and version, its locked dependencies and
//! the feature names its dependents ask for. The JSON is mapped back to the workspace's paths,
//! and each stand-in back to its git source, so rules see the package as what it is. Nothing
//! is written inside the reviewed repository (a `[patch]` run there would rewrite its
//! lockfile), and nothing from it runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

use crate::LoadError;
use crate::read::{TOML_LIMIT, read_text};

/// At most this many files are mirrored: a workspace larger than that is not reviewed this way.
const MAX_FILES: usize = 200_000;

/// At most this many rounds of "cargo names another source it cannot fetch".
const MAX_ROUNDS: usize = 8;

/// One locked package cargo could not fetch, reviewed as a stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opaque {
    pub name: String,
    pub version: String,
    /// The lockfile's source, e.g. `git+https://host/repo?rev=..#hash`.
    pub source: String,
}

impl Opaque {
    /// The git URL a `[patch]` table is keyed by: the source without `git+`, query or fragment.
    fn url(&self) -> &str {
        let s = self.source.strip_prefix("git+").unwrap_or(&self.source);
        s.split(['?', '#']).next().unwrap_or(s)
    }
}

/// A locked package: name, version, source (none for path packages), dependency specs.
#[derive(Debug, Clone)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    deps: Vec<String>,
}

/// Whether a lockfile's package name can be used as is in a path and a manifest: cargo's own
/// charset for crate names. The lockfile comes from the reviewed repository: a name such as
/// `../x` or one with a newline is never written anywhere.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether a lockfile's version is a plain semver version (`1.2.0`, `0.6.1+5.3.0-1-g1`).
fn plain_version(version: &str) -> bool {
    guppy::Version::parse(version).is_ok()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// The lockfile's packages, those with a plain name and version.
fn locked(lock: &str) -> Vec<Locked> {
    let Ok(doc) = lock.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(packages) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    packages
        .iter()
        .filter_map(|t| {
            let s = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
            Some(Locked {
                name: s("name").filter(|n| plain_name(n))?,
                version: s("version").filter(|v| plain_version(v))?,
                source: s("source"),
                deps: t
                    .get("dependencies")
                    .and_then(Item::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The names of the lockfile's git packages.
fn git_package_names(lock: &str) -> Vec<String> {
    let mut names: Vec<String> = locked(lock)
        .into_iter()
        .filter(|p| p.source.as_deref().is_some_and(|s| s.starts_with("git+")))
        .map(|p| p.name)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The git packages of the lockfile whose repository cargo's error names.
pub(crate) fn unreachable_in(lock: &str, stderr: &str) -> Vec<Opaque> {
    locked(lock)
        .into_iter()
        .filter_map(|p| {
            let source = p.source.filter(|s| s.starts_with("git+"))?;
            let o = Opaque {
                name: p.name,
                version: p.version,
                source,
            };
            stderr.contains(o.url()).then_some(o)
        })
        .collect()
}

/// The mirror of the repository at `root` under `into`: manifests and lockfiles copied, `.rs`
/// files created empty. `target/` and hidden directories are skipped.
pub(crate) fn mirror(root: &Path, into: &Path) -> Result<(), LoadError> {
    let mut count = 0;
    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .filter_entry(|e| !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name() == "target"))
        .build();
    for entry in walk.filter_map(Result::ok) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        count += 1;
        if count > MAX_FILES {
            return Err(LoadError::Simulation {
                cause: format!(
                    "the workspace has more than {MAX_FILES} files to mirror for the lockfile fallback"
                ),
            });
        }
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let to = into.join(rel);
        let io = |e: std::io::Error| LoadError::Simulation {
            cause: format!("could not mirror `{}`: {e}", rel.display()),
        };
        if name == "Cargo.toml" || name == "Cargo.lock" {
            std::fs::create_dir_all(to.parent().unwrap_or(into)).map_err(io)?;
            let text = read_text(path, TOML_LIMIT).map_err(|e| LoadError::Simulation {
                cause: format!("could not read `{}`: {e:?}", rel.display()),
            })?;
            std::fs::write(&to, text).map_err(io)?;
        } else if name.ends_with(".rs") {
            std::fs::create_dir_all(to.parent().unwrap_or(into)).map_err(io)?;
            std::fs::write(&to, "").map_err(io)?;
        }
    }
    Ok(())
}

/// The feature names the mirrored manifests ask of each of `names` (in any dependency table,
/// renamed ones included), reading each manifest once.
fn requested_features(mirror: &Path, names: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let walk = ignore::WalkBuilder::new(mirror)
        .standard_filters(false)
        .build();
    for entry in walk.filter_map(Result::ok) {
        if entry.file_name() != "Cargo.toml" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let Ok(doc) = text.parse::<DocumentMut>() else {
            continue;
        };
        for name in names {
            collect_features(
                doc.as_item(),
                name,
                out.entry(name.to_string()).or_default(),
            );
        }
    }
    out
}

/// Every `features = [..]` of a dependency on `name` under `item`, at any depth (dependency
/// tables of targets and of the workspace included).
fn collect_features(item: &Item, name: &str, out: &mut BTreeSet<String>) {
    let Some(table) = item.as_table_like() else {
        return;
    };
    for (key, value) in table.iter() {
        if let Some(dep) = value.as_table_like() {
            let package = dep.get("package").and_then(Item::as_str).unwrap_or(key);
            if package == name
                && let Some(features) = dep.get("features").and_then(Item::as_array)
            {
                out.extend(
                    features
                        .iter()
                        .filter_map(|f| f.as_str().map(str::to_string)),
                );
            }
            collect_features(value, name, out);
        }
    }
}

/// Write the stand-in of `o` under `dir`: its name and version, its locked dependencies (a
/// registry one at its exact version, a git one at its locked commit) and `features`, the
/// features asked of it, each empty.
pub(crate) fn stand_in(
    o: &Opaque,
    lock: &str,
    features: &BTreeSet<String>,
    dir: &Path,
) -> Result<PathBuf, LoadError> {
    let all = locked(lock);
    let me = all.iter().find(|p| {
        p.name == o.name && p.version == o.version && p.source.as_deref() == Some(&o.source)
    });
    let mut deps = String::new();
    for spec in me.map(|p| p.deps.as_slice()).unwrap_or_default() {
        let mut parts = spec.split_whitespace();
        let Some(dep_name) = parts.next() else {
            continue;
        };
        let version = parts.next();
        let candidates: Vec<&Locked> = all
            .iter()
            .filter(|p| p.name == dep_name && version.is_none_or(|v| p.version == v))
            .collect();
        let Some(dep) = candidates.first() else {
            continue;
        };
        match dep.source.as_deref() {
            Some(s) if s.starts_with("git+") => {
                let url = s.strip_prefix("git+").unwrap_or(s);
                let (repo, rev) = url.split_once('#').unwrap_or((url, ""));
                let repo = repo.split('?').next().unwrap_or(repo);
                deps.push_str(&format!(
                    "{dep_name} = {{ git = {repo:?}, rev = {rev:?} }}\n"
                ));
            }
            Some(_) => deps.push_str(&format!(
                "{dep_name} = {{ version = \"={}\" }}\n",
                dep.version
            )),
            None => {}
        }
    }
    let features: String = features
        .iter()
        .filter(|f| *f != "default")
        .map(|f| format!("{f:?} = []\n"))
        .collect();
    let at = dir.join(format!("{}-{}", o.name, o.version));
    let io = |e: std::io::Error| LoadError::Simulation {
        cause: format!("could not write the stand-in of `{}`: {e}", o.name),
    };
    std::fs::create_dir_all(&at).map_err(io)?;
    std::fs::write(
        at.join("Cargo.toml"),
        format!(
            "[package]\nname = {:?}\nversion = {:?}\nedition = \"2021\"\n\n[lib]\npath = \"lib.rs\"\n\n[features]\ndefault = []\n{features}\n[dependencies]\n{deps}",
            o.name, o.version
        ),
    )
    .map_err(io)?;
    std::fs::write(at.join("lib.rs"), "").map_err(io)?;
    Ok(at)
}

/// `--config` values patching each opaque package to its stand-in.
pub(crate) fn patches(stand_ins: &BTreeMap<String, (Opaque, PathBuf)>) -> Vec<String> {
    stand_ins
        .values()
        .map(|(o, dir)| {
            format!(
                "patch.{:?}.{:?}.path = {:?}",
                o.url(),
                o.name,
                dir.display().to_string()
            )
        })
        .collect()
}

/// The mirror's JSON mapped back: the mirror's paths to the workspace's, and each stand-in's
/// package id and source to its git source.
pub(crate) fn map_back(
    json: &str,
    mirror: &Path,
    root: &Path,
    stand_ins: &BTreeMap<String, (Opaque, PathBuf)>,
) -> Result<String, LoadError> {
    let mut doc: serde_json::Value =
        serde_json::from_str(json).map_err(|e| LoadError::Simulation {
            cause: format!("the mirror's `cargo metadata` output is not JSON: {e}"),
        })?;
    // Stand-in ids, as cargo wrote them, to the ids of their git sources.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    if let Some(packages) = doc.get_mut("packages").and_then(|p| p.as_array_mut()) {
        for p in packages {
            let manifest = p["manifest_path"].as_str().unwrap_or("").to_string();
            let Some((o, _)) = stand_ins
                .values()
                .find(|(_, dir)| Path::new(&manifest).starts_with(dir))
            else {
                continue;
            };
            let old = p["id"].as_str().unwrap_or("").to_string();
            let new = format!("{}#{}@{}", o.source, o.name, o.version);
            p["source"] = serde_json::Value::String(o.source.clone());
            ids.insert(old, new);
        }
    }
    let mut text = doc.to_string();
    for (old, new) in &ids {
        text = text.replace(
            &format!("\"{old}\""),
            &serde_json::Value::String(new.clone()).to_string(),
        );
    }
    let from = mirror.display().to_string();
    let to = root.display().to_string();
    Ok(text.replace(&from, &to))
}

/// Whether cargo's error says a source could not be fetched.
pub(crate) fn is_fetch_failure(stderr: &str) -> bool {
    [
        "failed to load source for dependency",
        "Unable to update",
        "failed to fetch",
        "failed to clone",
        "can't checkout from",
        "Could not resolve host",
    ]
    .iter()
    .any(|n| stderr.contains(n))
}

/// `cargo metadata`'s JSON for `manifest` from its lockfile at `lock`, with the git packages
/// cargo could not fetch (named in `stderr`) as stand-ins; `Err` with why not when the
/// lockfile names none of them or cargo still fails (the caller reports cargo's first error
/// with it).
pub(crate) fn metadata_from_lockfile(
    toolchain: &crate::toolchain::Toolchain,
    manifest: &Path,
    lock: &Path,
    options: &crate::LoadOptions,
    forwarded: &[String],
    checked: &crate::metadata::Checked,
    stderr: &str,
) -> Result<(String, Vec<Opaque>), String> {
    let Some(workspace) = lock.parent() else {
        return Err("the lockfile has no directory".into());
    };
    // The whole repository is mirrored (the workspace's path dependencies may live beside it,
    // `../shared`); a workspace outside any repository, from its own directory.
    let root = crate::scope::Scope::new(workspace).repo;
    let root = root.as_path();
    let Ok(rel) = manifest.strip_prefix(root) else {
        return Err("the manifest is outside the lockfile's repository".into());
    };
    let lock_text = read_text(lock, TOML_LIMIT).unwrap_or_default();
    let mut opaque = unreachable_in(&lock_text, stderr);
    if opaque.is_empty() {
        return Err("the lockfile has no git package from the source cargo could not fetch".into());
    }
    let temp = |what: &str| {
        tempfile::tempdir().map_err(|e| LoadError::Simulation {
            cause: format!("could not create a temporary directory for the {what}: {e}"),
        })
    };
    let mirror_dir = temp("mirror").map_err(|e| e.to_string())?;
    let stand_in_dir = temp("stand-ins").map_err(|e| e.to_string())?;
    mirror(root, mirror_dir.path()).map_err(|e| e.to_string())?;
    // Unlocked: the mirror's own lockfile takes the patch (the workspace's is never written).
    // Online unless the review is offline: the registry's index entries may be missing from
    // the cache, and the patched git sources are not fetched.
    let mut opts = options.clone();
    opts.locked = false;
    opts.frozen = false;
    // The features asked of every git package of the lockfile: any may turn out unreachable.
    let git_names = git_package_names(&lock_text);
    let names: Vec<&str> = git_names.iter().map(String::as_str).collect();
    let asked = requested_features(mirror_dir.path(), &names);
    let none = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let mut stand_ins = BTreeMap::new();
        for o in &opaque {
            let features = asked.get(&o.name).unwrap_or(&none);
            let dir = stand_in(o, &lock_text, features, stand_in_dir.path())
                .map_err(|e| e.to_string())?;
            stand_ins.insert(format!("{}@{}", o.name, o.version), (o.clone(), dir));
        }
        let mut config = forwarded.to_vec();
        config.extend(patches(&stand_ins));
        match crate::metadata::cargo_metadata(
            toolchain,
            &mirror_dir.path().join(rel),
            &opts,
            &config,
            checked,
        ) {
            Ok(json) => {
                let json = map_back(&json, mirror_dir.path(), root, &stand_ins)
                    .map_err(|e| e.to_string())?;
                return Ok((json, opaque));
            }
            Err(LoadError::Metadata { cause, .. }) if is_fetch_failure(&cause) => {
                let more: Vec<Opaque> = unreachable_in(&lock_text, &cause)
                    .into_iter()
                    .filter(|o| !opaque.contains(o))
                    .collect();
                if more.is_empty() {
                    return Err(last_line(&cause));
                }
                opaque.extend(more);
            }
            Err(e) => return Err(last_line(&e.to_string())),
        }
    }
    Err(format!(
        "more than {MAX_ROUNDS} sources could not be fetched"
    ))
}

/// cargo's innermost cause: the last line of its error that says something.
fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| {
            !l.is_empty()
                && !l.starts_with("https://")
                && !l.starts_with("if a proxy")
                && !l.contains("you're using offline mode")
        })
        .unwrap_or(text)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"gitdep\",\n]\n\n[[package]]\nname = \"gitdep\"\nversion = \"1.2.0\"\nsource = \"git+https://git.invalid/gitdep?rev=abc#0123456789abcdef0123456789abcdef01234567\"\ndependencies = [\n \"itoa\",\n \"other\",\n]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.15\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"other\"\nversion = \"0.3.0\"\nsource = \"git+https://git.example/other#89abcdef0123456789abcdef0123456789abcdef\"\n";

    #[test]
    fn the_packages_cargo_names_are_the_unreachable_ones() {
        let o = unreachable_in(LOCK, "failed to fetch https://git.invalid/gitdep");
        assert_eq!(o.len(), 1);
        assert_eq!(
            (o[0].name.as_str(), o[0].url()),
            ("gitdep", "https://git.invalid/gitdep")
        );
        assert!(unreachable_in(LOCK, "a registry error").is_empty());
    }

    #[test]
    fn a_stand_in_has_the_locked_dependencies_and_the_features_asked_of_it() {
        let mirror = tempfile::tempdir().unwrap();
        std::fs::write(
            mirror.path().join("Cargo.toml"),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ng = { package = \"gitdep\", git = \"https://git.invalid/gitdep\", features = [\"fast\", \"default\"] }\n",
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        let o = &unreachable_in(LOCK, "https://git.invalid/gitdep")[0];
        let asked = requested_features(mirror.path(), &["gitdep"]);
        let dir = stand_in(o, LOCK, &asked["gitdep"], out.path()).unwrap();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("name = \"gitdep\"\nversion = \"1.2.0\""),
            "{manifest}"
        );
        assert!(manifest.contains("\"fast\" = []"), "{manifest}");
        assert!(
            manifest.contains("itoa = { version = \"=1.0.15\" }"),
            "{manifest}"
        );
        assert!(
            manifest.contains("other = { git = \"https://git.example/other\", rev = \"89abcdef0123456789abcdef0123456789abcdef\" }"),
            "{manifest}"
        );
        assert!(manifest.parse::<DocumentMut>().is_ok(), "{manifest}");
    }

    #[test]
    fn a_lockfile_name_that_is_not_a_crate_name_is_never_used() {
        let evil = "[[package]]\nname = \"../../escape\"\nversion = \"1.0.0\"\nsource = \"git+https://git.invalid/x#0123\"\n\n[[package]]\nname = \"x\\n[patch]\"\nversion = \"1.0.0\"\nsource = \"git+https://git.invalid/x#0123\"\n\n[[package]]\nname = \"ok\"\nversion = \"1.0.0\\n\"\nsource = \"git+https://git.invalid/x#0123\"\n";
        assert!(unreachable_in(evil, "https://git.invalid/x").is_empty());
        assert!(plain_name("tikv-jemalloc-sys") && plain_version("0.6.1+5.3.0-1-ge13ca993e8"));
    }
}
