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
const MAX_ROUNDS: usize = 16;

/// One locked package cargo could not fetch, reviewed as a stand-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opaque {
    pub name: String,
    pub version: String,
    /// The lockfile's source, e.g. `git+https://host/repo?rev=..#hash` or
    /// `sparse+https://registry.example/index/`.
    pub source: String,
}

/// The lockfile's source of crates.io packages, whatever protocol reaches it.
const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

impl Opaque {
    /// The key of the `[patch]` table that replaces it: a git repository's URL (no `git+`,
    /// query or fragment), `crates-io`, or a registry's index URL as cargo's config spells it
    /// (`sparse+https://..` for a sparse one, the bare URL for a git one).
    fn patch_key(&self) -> &str {
        if self.source == CRATES_IO {
            return "crates-io";
        }
        match self.source.strip_prefix("git+") {
            Some(git) => git.split(['?', '#']).next().unwrap_or(git),
            None => registry_index(&self.source),
        }
    }

    /// The URL cargo's messages name when the source cannot be reached: the patch key without
    /// `sparse+`; none for crates.io, which is never stood in as a whole.
    fn url(&self) -> Option<&str> {
        (self.source != CRATES_IO).then(|| {
            let key = self.patch_key();
            key.strip_prefix("sparse+").unwrap_or(key)
        })
    }
}

/// A registry source's index URL as cargo's config spells it: `registry+URL` is `URL`,
/// `sparse+URL` stays as it is.
fn registry_index(source: &str) -> &str {
    source.strip_prefix("registry+").unwrap_or(source)
}

/// Two spellings of one index URL (a trailing `/` apart).
fn same_index(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
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

/// The names of the lockfile's packages that have a source (any may turn out unreachable).
fn sourced_package_names(lock: &str) -> Vec<String> {
    let mut names: Vec<String> = locked(lock)
        .into_iter()
        .filter(|p| p.source.is_some())
        .map(|p| p.name)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The lockfile's packages cargo's error says it could not fetch: those of a git repository or
/// a registry whose URL it names (`registries` maps the config's registry names to index URLs,
/// for "`corp` index"), and a registry package it names itself ("failed to download `x v1.0`",
/// "no matching package named `x`": a cache miss with `--offline`).
pub(crate) fn unreachable_in(
    lock: &str,
    stderr: &str,
    registries: &BTreeMap<String, String>,
) -> Vec<Opaque> {
    let named_registries: Vec<&str> = registries
        .iter()
        .filter(|(name, _)| {
            stderr.contains(&format!("`{name}` index"))
                || stderr.contains(&format!("registry `{name}`"))
        })
        .map(|(_, index)| index.as_str())
        .collect();
    locked(lock)
        .into_iter()
        .filter_map(|p| {
            let o = Opaque {
                name: p.name,
                version: p.version,
                source: p.source?,
            };
            let registry = !o.source.starts_with("git+");
            let by_url = o.url().is_some_and(|u| stderr.contains(u));
            let by_registry = registry
                && named_registries
                    .iter()
                    .any(|i| same_index(i, registry_index(&o.source)));
            let by_name = registry
                && (stderr.contains(&format!("failed to download `{} v{}`", o.name, o.version))
                    || stderr.contains(&format!("no matching package named `{}` found", o.name)));
            (by_url || by_registry || by_name).then_some(o)
        })
        .collect()
}

/// The mirror of the repository at `root` under `into`: manifests and lockfiles copied, `.rs`
/// files created empty. `target/` and hidden directories are skipped.
pub(crate) fn mirror(root: &Path, into: &Path) -> Result<(), Unavailable> {
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
            return Err(Unavailable::Io(format!(
                "the workspace has more than {MAX_FILES} files to mirror for the lockfile fallback"
            )));
        }
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let to = into.join(rel);
        let io = |e: std::io::Error| {
            Unavailable::Io(format!("could not mirror `{}`: {e}", rel.display()))
        };
        if name == "Cargo.toml" || name == "Cargo.lock" {
            std::fs::create_dir_all(to.parent().unwrap_or(into)).map_err(io)?;
            let text = read_text(path, TOML_LIMIT)
                .map_err(|e| Unavailable::Io(format!("could not read `{}`: {e}", rel.display())))?;
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
/// registry one at its exact version from its registry, a git one at its locked commit) and
/// `features`, the features asked of it, each empty. Which features of its dependencies the
/// package really enables is not known: see [`DepFeatures`].
pub(crate) fn stand_in(
    o: &Opaque,
    lock: &str,
    features: &BTreeSet<String>,
    dep_features: DepFeatures,
    dir: &Path,
) -> Result<PathBuf, Unavailable> {
    let all = locked(lock);
    let me = all.iter().find(|p| {
        p.name == o.name && p.version == o.version && p.source.as_deref() == Some(&o.source)
    });
    let defaults = match dep_features {
        DepFeatures::Default => "",
        DepFeatures::None => ", default-features = false",
    };
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
                    "{dep_name} = {{ git = {repo:?}, rev = {rev:?}{defaults} }}\n"
                ));
            }
            Some(CRATES_IO) => deps.push_str(&format!(
                "{dep_name} = {{ version = \"={}\"{defaults} }}\n",
                dep.version
            )),
            Some(registry) => deps.push_str(&format!(
                "{dep_name} = {{ version = \"={}\", registry-index = {:?}{defaults} }}\n",
                dep.version,
                registry_index(registry)
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
    let io = |e: std::io::Error| {
        Unavailable::Io(format!("could not write the stand-in of `{}`: {e}", o.name))
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

/// The features a stand-in asks of its dependencies. Their default features are what most
/// packages ask for, so they are tried first; but a default feature may reach an optional
/// package the real one never enabled, one the lockfile does not have (a requirement that
/// conflicts with a locked version, a fetch, or a package added from the cache:
/// [`beyond_lockfile`]). Then none: the resolution stays inside the lockfile, and those
/// dependencies' features are a lower bound where nothing else in the build enables them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DepFeatures {
    Default,
    None,
}

/// Whether the mirror's resolution has a package from a registry or git that the lockfile does
/// not: a stand-in's dependency's default feature reached it, which the real package does not.
fn beyond_lockfile(json: &str, lock: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(json) else {
        return false;
    };
    let locked: BTreeSet<(String, String)> = locked(lock)
        .into_iter()
        .map(|p| (p.name, p.version))
        .collect();
    doc["packages"].as_array().is_some_and(|packages| {
        packages.iter().any(|p| {
            let key = |k: &str| p[k].as_str().unwrap_or("").to_string();
            !p["source"].is_null() && !locked.contains(&(key("name"), key("version")))
        })
    })
}

/// A `[patch.KEY] ENTRY = { git = URL, .. }` of the workspace's root manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GitPatch {
    key: String,
    entry: String,
    /// The package it names (`package = ".."`, else the entry).
    package: String,
    url: String,
}

/// The workspace's `[patch]` entries that take a package from git. cargo loads every patch's
/// source before resolving, so an opaque package one of them points at must be patched there
/// too (a `--config` patch wins over the manifest's for the same entry).
pub(crate) fn git_patches(manifest: &str) -> Vec<GitPatch> {
    let Ok(doc) = manifest.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(patch) = doc.get("patch").and_then(Item::as_table_like) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, entries) in patch.iter() {
        let Some(entries) = entries.as_table_like() else {
            continue;
        };
        for (entry, spec) in entries.iter() {
            let Some(spec) = spec.as_table_like() else {
                continue;
            };
            let Some(url) = spec.get("git").and_then(Item::as_str) else {
                continue;
            };
            let package = spec.get("package").and_then(Item::as_str).unwrap_or(entry);
            out.push(GitPatch {
                key: key.to_string(),
                entry: entry.to_string(),
                package: package.to_string(),
                url: url.to_string(),
            });
        }
    }
    out
}

/// Two spellings of one git URL (`.git` and a trailing `/` apart).
fn same_git_url(a: &str, b: &str) -> bool {
    let norm = |u: &str| u.trim_end_matches('/').trim_end_matches(".git").to_string();
    norm(a) == norm(b)
}

/// `--config` values patching each opaque package to its stand-in: by its source, and in
/// each of the workspace's git patches that names it.
pub(crate) fn patches(
    stand_ins: &BTreeMap<String, (Opaque, PathBuf)>,
    workspace: &[GitPatch],
) -> Vec<String> {
    let mut out = Vec::new();
    for (o, dir) in stand_ins.values() {
        let dir = dir.display().to_string();
        out.push(format!(
            "patch.{:?}.{:?}.path = {dir:?}",
            o.patch_key(),
            o.name
        ));
        for p in workspace {
            if p.package == o.name && same_git_url(&p.url, o.patch_key()) {
                out.push(format!("patch.{:?}.{:?}.path = {dir:?}", p.key, p.entry));
            }
        }
    }
    out
}

/// The mirror's JSON mapped back: the mirror's paths to the workspace's, and each stand-in's
/// package id and source to its git source.
pub(crate) fn map_back(
    json: &str,
    mirror: &Path,
    root: &Path,
    stand_ins: &BTreeMap<String, (Opaque, PathBuf)>,
) -> Result<String, Unavailable> {
    let mut doc: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        Unavailable::Cargo(format!(
            "the mirror's `cargo metadata` output is not JSON: {e}"
        ))
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

/// Why the review could not go on from the lockfile either (the caller reports cargo's first
/// error with it).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Unavailable {
    #[error("the manifest is outside the lockfile's repository")]
    OutsideRepository,
    #[error("the lockfile has no package from the source cargo could not fetch")]
    NotInLockfile,
    /// The mirror or a stand-in could not be written, or a manifest read.
    #[error("{0}")]
    Io(String),
    /// cargo still failed on the mirror: its innermost cause.
    #[error("{0}")]
    Cargo(String),
    #[error("more than {MAX_ROUNDS} sources could not be fetched")]
    TooManySources,
}

/// What the fallback runs cargo with: the trusted toolchain, the review's options and the
/// config forwarded from the repository.
pub(crate) struct Cargo<'a> {
    pub toolchain: &'a crate::toolchain::Toolchain,
    pub options: &'a crate::LoadOptions,
    pub forwarded: &'a crate::cargo_config::Forwarded,
    pub checked: &'a crate::metadata::Checked,
}

/// `cargo metadata`'s JSON for `manifest` from its lockfile at `lock`, with the packages cargo
/// could not fetch (named in `stderr`) as stand-ins, and those packages.
pub(crate) fn metadata_from_lockfile(
    cargo: &Cargo<'_>,
    manifest: &Path,
    lock: &Path,
    stderr: &str,
) -> Result<(String, Vec<Opaque>), Unavailable> {
    // The whole repository is mirrored (the workspace's path dependencies may live beside it,
    // `../shared`); a workspace outside any repository, from its own directory.
    let root = crate::scope::Scope::new(lock.parent().unwrap_or(Path::new("/"))).repo;
    let rel = manifest
        .strip_prefix(&root)
        .map_err(|_| Unavailable::OutsideRepository)?;
    let lock_text = read_text(lock, TOML_LIMIT).unwrap_or_default();
    let registries = &cargo.forwarded.registries;
    let mut opaque = unreachable_in(&lock_text, stderr, registries);
    if opaque.is_empty() {
        return Err(Unavailable::NotInLockfile);
    }
    let mirror_dir = temp_dir("mirror")?;
    let stand_in_dir = temp_dir("stand-ins")?;
    mirror(&root, mirror_dir.path())?;
    // Unlocked: the mirror's own lockfile takes the patch (the workspace's is never written).
    // Online unless the review is offline: the registry's index entries may be missing from
    // the cache, and the patched sources are not fetched.
    let mut opts = cargo.options.clone();
    opts.locked = false;
    opts.frozen = false;
    // The features asked of every package of the lockfile: any may turn out unreachable.
    let names = sourced_package_names(&lock_text);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let asked = requested_features(mirror_dir.path(), &names);
    let workspace_patches = lock
        .parent()
        .map(|dir| dir.join("Cargo.toml"))
        .and_then(|m| read_text(&m, TOML_LIMIT).ok())
        .map(|text| git_patches(&text))
        .unwrap_or_default();
    let mut dep_features = DepFeatures::Default;
    for _ in 0..MAX_ROUNDS {
        let dir = stand_in_dir.path();
        let stand_ins = stand_ins(&opaque, &lock_text, &asked, dep_features, dir)?;
        let mut config = cargo.forwarded.args.clone();
        config.extend(patches(&stand_ins, &workspace_patches));
        let on_mirror = mirror_dir.path().join(rel);
        match crate::metadata::cargo_metadata(
            cargo.toolchain,
            &on_mirror,
            &opts,
            &config,
            cargo.checked,
        ) {
            Ok(json)
                if dep_features == DepFeatures::Default && beyond_lockfile(&json, &lock_text) =>
            {
                dep_features = DepFeatures::None;
            }
            Ok(json) => {
                let json = map_back(&json, mirror_dir.path(), &root, &stand_ins)?;
                return Ok((json, opaque));
            }
            Err(e) => {
                let cause = match e {
                    LoadError::Metadata { cause, .. } => cause,
                    other => other.to_string(),
                };
                let fetch =
                    crate::metadata::Failure::of(&cause, false) == crate::metadata::Failure::Fetch;
                let more: Vec<Opaque> = unreachable_in(&lock_text, &cause, registries)
                    .into_iter()
                    .filter(|o| fetch && !opaque.contains(o))
                    .collect();
                if !more.is_empty() {
                    opaque.extend(more);
                } else if dep_features == DepFeatures::Default {
                    dep_features = DepFeatures::None;
                } else {
                    return Err(Unavailable::Cargo(last_line(&cause)));
                }
            }
        }
    }
    Err(Unavailable::TooManySources)
}

fn temp_dir(what: &str) -> Result<tempfile::TempDir, Unavailable> {
    tempfile::tempdir().map_err(|e| {
        Unavailable::Io(format!(
            "could not create a temporary directory for the {what}: {e}"
        ))
    })
}

/// A stand-in for each of `opaque`, by `name@version`.
fn stand_ins(
    opaque: &[Opaque],
    lock: &str,
    asked: &BTreeMap<String, BTreeSet<String>>,
    dep_features: DepFeatures,
    dir: &Path,
) -> Result<BTreeMap<String, (Opaque, PathBuf)>, Unavailable> {
    let none = BTreeSet::new();
    opaque
        .iter()
        .map(|o| {
            let features = asked.get(&o.name).unwrap_or(&none);
            let at = stand_in(o, lock, features, dep_features, dir)?;
            Ok((format!("{}@{}", o.name, o.version), (o.clone(), at)))
        })
        .collect()
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

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn the_packages_cargo_names_are_the_unreachable_ones() {
        let o = unreachable_in(LOCK, "failed to fetch https://git.invalid/gitdep", &none());
        assert_eq!(o.len(), 1);
        assert_eq!(
            (o[0].name.as_str(), o[0].patch_key()),
            ("gitdep", "https://git.invalid/gitdep")
        );
        assert!(unreachable_in(LOCK, "a registry error", &none()).is_empty());
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
        let o = &unreachable_in(LOCK, "https://git.invalid/gitdep", &none())[0];
        let asked = requested_features(mirror.path(), &["gitdep"]);
        let dir = stand_in(o, LOCK, &asked["gitdep"], DepFeatures::Default, out.path()).unwrap();
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
        assert!(unreachable_in(evil, "https://git.invalid/x", &none()).is_empty());
        assert!(plain_name("tikv-jemalloc-sys") && plain_version("0.6.1+5.3.0-1-ge13ca993e8"));
    }

    const REGISTRY_LOCK: &str = "version = 4\n\n[[package]]\nname = \"corp-utils\"\nversion = \"1.4.0\"\nsource = \"sparse+https://registry.invalid/index/\"\ndependencies = [\n \"corp-core\",\n \"itoa\",\n]\n\n[[package]]\nname = \"corp-core\"\nversion = \"1.0.0\"\nsource = \"sparse+https://registry.invalid/index/\"\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.15\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"ryu\"\nversion = \"1.0.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    fn names(o: &[Opaque]) -> Vec<&str> {
        o.iter().map(|o| o.name.as_str()).collect()
    }

    /// A private registry that cannot be reached stands in as a whole, named by its URL
    /// (online) or by its config name (`--offline`); crates.io only package by package.
    #[test]
    fn a_registry_is_named_by_url_by_config_name_or_package_by_package() {
        let online = "failed to download from `https://registry.invalid/index/config.json`";
        assert_eq!(
            names(&unreachable_in(REGISTRY_LOCK, online, &none())),
            ["corp-utils", "corp-core"]
        );
        let offline = "no matching package named `corp-utils` found\nlocation searched: `corp` index\nAs a reminder, you're using offline mode";
        let corp = BTreeMap::from([(
            "corp".to_string(),
            "sparse+https://registry.invalid/index".to_string(),
        )]);
        assert_eq!(
            names(&unreachable_in(REGISTRY_LOCK, offline, &corp)),
            ["corp-utils", "corp-core"]
        );
        let crates_io = "failed to fetch `https://github.com/rust-lang/crates.io-index`\nfailed to download `itoa v1.0.15`";
        assert_eq!(
            names(&unreachable_in(REGISTRY_LOCK, crates_io, &none())),
            ["itoa"],
            "crates.io as a whole is never stood in"
        );
    }

    #[test]
    fn patch_keys_are_what_cargo_keys_patches_by() {
        let o = |source: &str| Opaque {
            name: "x".into(),
            version: "1.0.0".into(),
            source: source.into(),
        };
        assert_eq!(o(CRATES_IO).patch_key(), "crates-io");
        assert_eq!(
            o("sparse+https://r.invalid/index/").patch_key(),
            "sparse+https://r.invalid/index/"
        );
        assert_eq!(
            o("registry+https://r.invalid/index").patch_key(),
            "https://r.invalid/index"
        );
        assert_eq!(
            o("git+https://g.invalid/x?branch=b#0123").patch_key(),
            "https://g.invalid/x"
        );
        assert_eq!(o(CRATES_IO).url(), None);
    }

    #[test]
    fn a_stand_in_names_a_private_registry_dependency_by_its_index() {
        let out = tempfile::tempdir().unwrap();
        let o = &unreachable_in(REGISTRY_LOCK, "https://registry.invalid/index/", &none())[0];
        let dir = stand_in(
            o,
            REGISTRY_LOCK,
            &BTreeSet::new(),
            DepFeatures::None,
            out.path(),
        )
        .unwrap();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("corp-core = { version = \"=1.0.0\", registry-index = \"sparse+https://registry.invalid/index/\", default-features = false }"),
            "{manifest}"
        );
        assert!(
            manifest.contains("itoa = { version = \"=1.0.15\", default-features = false }"),
            "{manifest}"
        );
    }
}
