//! What the build-script rules share: every build script of the build, with what the source
//! scan saw it do. Third-party scripts are read whenever their sources are on disk (cargo's
//! registry cache after any fetch or build), the workspace's always.

use std::collections::BTreeMap;

use architect_model::{Behaviour, Facts, Location, PlatformChoice, ScannedFile, TargetKind};
use guppy::graph::PackageMetadata;

use crate::graph::{pkg_ref, source_location};
use architect_model::catalogue::NATIVE_BUILD_TOOLS;

/// One build script of the build.
pub(crate) struct Script<'g> {
    pub meta: PackageMetadata<'g>,
    /// Whether the shipped build runs it (not only tests, benches or examples).
    pub shipped: bool,
    pub read: Read,
    /// What the scan saw it do, each behaviour once, in `Behaviour` order.
    pub does: BTreeMap<Behaviour, Did>,
}

/// How much of a build script the scan saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    Full,
    /// Some of its files could not be read: `path: reason` each.
    Partly(Vec<String>),
    /// Its sources are not on disk (a dependency never fetched on this machine).
    NotOnDisk,
}

/// One behaviour of one script: what it touches, and where it first shows.
pub(crate) struct Did {
    /// Programs, variables, hosts or paths, sorted and deduplicated.
    pub details: Vec<String>,
    /// The first place it shows, when it is the workspace's own file.
    pub location: Option<Location>,
    /// `build.rs:12`, relative to the package: a third-party file is cited by package.
    pub cited: String,
}

impl Script<'_> {
    /// Whether the script compiles or links native code: its manifest says so (a `-sys`
    /// package that declares `links`, or a C/C++ build tool or `*-src` crate among its
    /// build-dependencies), or its code builds with `cc`/`cmake`.
    pub fn native(&self) -> bool {
        builds_native(&self.meta) || self.does.contains_key(&Behaviour::CompilesNative)
    }

    /// `name version`, as findings name a package.
    pub fn label(&self) -> String {
        pkg_ref(&self.meta).to_string()
    }

    /// `does` for one behaviour, as `` `pkg 1.0` (git, make) ``.
    pub fn describe(&self, b: Behaviour) -> Option<String> {
        let did = self.does.get(&b)?;
        Some(if did.details.is_empty() {
            format!("`{}` ({})", self.label(), did.cited)
        } else {
            format!(
                "`{}` ({}: {})",
                self.label(),
                did.cited,
                did.details.join(", ")
            )
        })
    }
}

/// Every build script of the build (dev-dependencies' too: `cargo test` runs them), by
/// package id.
pub(crate) fn scripts(facts: &Facts) -> Vec<Script<'_>> {
    facts
        .built()
        .filter(|p| p.has_build_script())
        .map(|meta| {
            let id = meta.id();
            let files: Vec<&ScannedFile> = facts
                .sources
                .packages
                .get(id)
                .map(|p| {
                    p.files
                        .iter()
                        .filter(|f| f.target == TargetKind::BuildScript)
                        .collect()
                })
                .unwrap_or_default();
            let unseen: Vec<String> = facts
                .sources
                .unseen(id)
                .filter(|u| u.target == TargetKind::BuildScript)
                .map(|u| format!("`{}`: {}", cited_path(&meta, &u.path), u.reason))
                .collect();
            let read = match (files.is_empty(), unseen.is_empty()) {
                (true, true) => Read::NotOnDisk,
                (_, false) => Read::Partly(unseen),
                (false, true) => Read::Full,
            };
            Script {
                shipped: facts.scope.is_shipped(id),
                does: behaviours(facts, &meta, &files),
                read,
                meta,
            }
        })
        .collect()
}

/// Each behaviour of a script's files, once, at the first place it shows; code under a
/// platform `#[cfg(..)]` false for every reviewed host does not run and is left out.
fn behaviours(
    facts: &Facts,
    meta: &PackageMetadata<'_>,
    files: &[&ScannedFile],
) -> BTreeMap<Behaviour, Did> {
    let mut out: BTreeMap<Behaviour, Did> = BTreeMap::new();
    for file in files {
        for (b, span, detail) in &file.facts.behaviours {
            if off_for_reviewed_hosts(facts, &file.facts, *span) {
                continue;
            }
            let did = out.entry(*b).or_insert_with(|| {
                let location = meta
                    .in_workspace()
                    .then(|| source_location(facts, file, *span, b.describe()))
                    .flatten();
                let line = facts
                    .files
                    .get(&file.path)
                    .map(|f| f.line_col(span.start).0);
                let path = cited_path(meta, &file.path);
                Did {
                    details: Vec::new(),
                    cited: match (&location, line) {
                        (Some(l), _) => format!("{}:{}", l.path, l.line),
                        (None, Some(line)) => format!("{path}:{line}"),
                        (None, None) => path,
                    },
                    location,
                }
            });
            did.details.push(detail.clone());
        }
    }
    for did in out.values_mut() {
        did.details.sort();
        did.details.dedup();
    }
    out
}

/// A file of `meta` as findings cite it: workspace-relative for a member's, relative to the
/// package directory for a dependency's (never a path of the reviewing machine).
fn cited_path(meta: &PackageMetadata<'_>, path: &str) -> String {
    if meta.in_workspace() {
        return path.to_string();
    }
    meta.manifest_path()
        .parent()
        .and_then(|dir| {
            std::path::Path::new(path)
                .strip_prefix(dir.as_std_path())
                .ok()
        })
        .map(|rel| {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_else(|| {
            std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
        })
}

/// Whether a package's build script compiles or links native code by its manifest: it
/// builds with a C/C++ build tool or a vendored-source crate (`openssl-src`) among its
/// build-dependencies, or it is a `-sys` package that declares `links` (cargo's marker for
/// the package that links a native library). `links` alone is no evidence: rayon-core and
/// wasm-bindgen-shared declare it only so that two versions cannot be linked into one binary.
pub(super) fn builds_native(p: &PackageMetadata<'_>) -> bool {
    (p.links().is_some() && p.name().ends_with("-sys"))
        || p.direct_links().any(|l| {
            let to = l.to().name();
            l.build().is_present() && (NATIVE_BUILD_TOOLS.contains(&to) || to.ends_with("-src"))
        })
}

/// Whether the build-script code at `span` sits under a `#[cfg(..)]` that is false for every
/// reviewed platform taken as the build host (the host; each `--target`, a possible native
/// host): it does not run there. With `--target all`, or a predicate that does not evaluate,
/// the code counts.
fn off_for_reviewed_hosts(
    facts: &Facts,
    file: &architect_model::FileFacts,
    span: architect_model::SourceSpan,
) -> bool {
    let hosts: &[String] = match &facts.platforms {
        PlatformChoice::Host(t) => std::slice::from_ref(t),
        PlatformChoice::Targets(ts) => ts,
        PlatformChoice::All => return false,
    };
    file.platform_cfgs
        .iter()
        .filter(|(s, _)| s.start <= span.start && span.start < s.end)
        .any(|(_, predicate)| cfg_false_for_all(predicate, hosts))
}

/// Whether `cfg(predicate)` is false for each of `triples` (and there is one).
fn cfg_false_for_all(predicate: &str, triples: &[String]) -> bool {
    let Ok(spec) = target_spec::TargetSpec::new(format!("cfg({predicate})")) else {
        return false;
    };
    !triples.is_empty()
        && triples.iter().all(|t| {
            target_spec::Platform::new(t.clone(), target_spec::TargetFeatures::Unknown)
                .ok()
                .and_then(|p| spec.eval(&p))
                == Some(false)
        })
}
