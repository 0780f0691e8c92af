//! Affected-function evidence for advisories: whether any shipped crate that depends on an
//! advisory's package directly (over a shipped edge) names one of the functions the advisory
//! lists in its shipped code (tests, benches and examples aside).
//!
//! An advisory that lists `[affected.functions]` affects only callers of those functions. The
//! only code that can call them by name is in the package's direct dependents (workspace
//! members, and registry or git packages `cargo metadata` unpacked), unless one of them
//! re-exports the package with `pub use`. So the Rust files of each direct dependent are read
//! (bounded, inside the package's own directory) and lexed for the functions' last path
//! segments as identifiers. Anything that stops the answer from being certain is recorded as
//! unknown, and an unknown answer never removes a finding.

use std::collections::BTreeSet;
use std::path::Path;

use architect_model::{AdvisoryMatch, FunctionEvidence};
use guppy::PackageId;
use guppy::graph::{PackageGraph, PackageMetadata};

use crate::read::{SOURCE_LIMIT, read_bytes};
use crate::scope::Boundary;

/// Directories of a dependency's package that its library never compiles: calls there are
/// not the build's.
const NOT_COMPILED: [&str; 4] = ["tests", "benches", "examples", "target"];

/// Fill `evidence` of each match on a built package whose advisory lists affected functions.
pub(crate) fn fill(
    graph: &PackageGraph,
    built: &BTreeSet<PackageId>,
    scope: &architect_model::ScopeFacts,
    root: &Path,
    matches: &mut [AdvisoryMatch],
) {
    for m in matches.iter_mut().filter(|m| !m.affected_names.is_empty()) {
        let Some(package) = built
            .iter()
            .filter_map(|id| graph.metadata(id).ok())
            .find(|p| p.name() == m.package.name && p.version().to_string() == m.package.version)
        else {
            continue;
        };
        m.evidence = evidence(&package, scope, root, &m.affected_names);
    }
}

/// The evidence for one package's affected functions `names`.
fn evidence(
    package: &PackageMetadata<'_>,
    scope: &architect_model::ScopeFacts,
    root: &Path,
    names: &[String],
) -> FunctionEvidence {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    // What ships calls what ships: dependents over shipped edges only (an example's or a
    // test's call is not the product's).
    let mut dependents: Vec<(PackageMetadata<'_>, String)> = package
        .reverse_direct_links()
        .filter(|l| scope.edge_shipped(l.from().id(), package.id()))
        .map(|l| (l.from(), l.resolved_name().to_string()))
        .collect();
    dependents.sort_by(|a, b| a.0.id().cmp(b.0.id()));
    dependents.dedup_by(|a, b| a.0.id() == b.0.id());
    let mut unknown = None;
    for (dependent, krate) in &dependents {
        match named_in(dependent, root, &names, krate) {
            Ok(Some(named)) => return named,
            Ok(None) => {}
            Err(why) => {
                unknown.get_or_insert(why);
            }
        }
    }
    match unknown {
        Some(why) => FunctionEvidence::Unknown { why },
        None => FunctionEvidence::Nowhere {
            dependents: dependents.len(),
        },
    }
}

/// Where `dependent` first names one of `names`; `Err` with why when it cannot be told.
fn named_in(
    dependent: &PackageMetadata<'_>,
    root: &Path,
    names: &[&str],
    krate: &str,
) -> Result<Option<FunctionEvidence>, String> {
    let own = dependent.in_workspace();
    let Some(dir) = dependent.manifest_path().parent().map(|d| d.as_std_path()) else {
        return Err(format!("`{}` has no package directory", dependent.name()));
    };
    if !dir.is_dir() {
        return Err(format!(
            "the sources of `{} {}` are not on disk (`cargo fetch` brings them)",
            dependent.name(),
            dependent.version()
        ));
    }
    let base = if own { root } else { dir };
    let boundary = Boundary::new(base, "package");
    // Tests, benches and examples ship nothing, in members as in dependencies.
    let mut files = crate::sources::rust_files_of_package(dir);
    files.retain(|f| {
        f.strip_prefix(dir)
            .ok()
            .and_then(|r| r.components().next())
            .is_none_or(|c| !NOT_COMPILED.iter().any(|n| c.as_os_str() == *n))
    });
    files.sort();
    let mut reexports = false;
    for file in files {
        let rel = crate::relative(base, &file);
        let cannot = |why: String| format!("`{rel}` of `{}` {why}", dependent.name());
        if boundary.outside(&file).is_some() {
            return Err(cannot("resolves outside its package".into()));
        }
        let bytes = read_bytes(&file, SOURCE_LIMIT)
            .map_err(|e| cannot(format!("could not be read ({e})")))?;
        let text = String::from_utf8(bytes).map_err(|_| cannot("is not UTF-8".into()))?;
        let found = architect_source::name_uses(&text, names, krate);
        if let Some((n, offset)) = found.first {
            let line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count();
            return Ok(Some(FunctionEvidence::Named {
                function: names[n].to_string(),
                krate: dependent.name().to_string(),
                path: rel,
                line,
            }));
        }
        reexports |= found.reexports;
    }
    if reexports {
        return Err(format!(
            "`{}` re-exports `{krate}` with `pub use`, so its own dependents could call them",
            dependent.name()
        ));
    }
    Ok(None)
}
