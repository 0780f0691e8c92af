//! Affected-item evidence for advisories: whether any shipped crate that depends on an
//! advisory's package (over shipped edges) names one of the items the advisory says are
//! affected, in its shipped code (tests, benches and examples aside).
//!
//! An advisory that lists `[affected.functions]` affects only callers of those functions (and
//! an unsound one that lists none, only users of the items its text names). The only code
//! that can call them by name is in the package's direct dependents (workspace members, and
//! registry or git packages `cargo metadata` unpacked), and, where one of those re-exports the
//! package with `pub use`, in the re-exporter's own dependents. So the Rust files of each
//! direct dependent are read (bounded, inside the package's own directory) and lexed for the
//! items' last path segments as identifiers, in files that also name the crate or the
//! method's type; behind a re-export, for the bare names (an alias such as `AnyError` hides
//! the type). Anything that stops the answer from being certain is recorded as unknown, and
//! an unknown answer never removes a finding.

use std::collections::BTreeSet;
use std::path::Path;

use architect_model::{AdvisoryMatch, AffectedName, FormatImpl, FunctionEvidence};
use architect_source::NameQuery;
use guppy::PackageId;
use guppy::graph::{PackageGraph, PackageMetadata};

use crate::read::{SOURCE_LIMIT, read_bytes};
use crate::scope::Boundary;

/// Directories of a dependency's package that its library never compiles: calls there are
/// not the build's.
const NOT_COMPILED: [&str; 4] = ["tests", "benches", "examples", "target"];

/// Fill `evidence` of each match on a built package whose advisory says what is affected, and
/// what the build enables of the features an advisory requires.
pub(crate) fn fill(
    graph: &PackageGraph,
    built: &BTreeSet<PackageId>,
    scope: &architect_model::ScopeFacts,
    root: &Path,
    matches: &mut [AdvisoryMatch],
) {
    use rayon::prelude::*;
    matches
        .par_iter_mut()
        .for_each(|m| fill_one(graph, built, scope, root, m));
}

/// [`fill`] for one match.
fn fill_one(
    graph: &PackageGraph,
    built: &BTreeSet<PackageId>,
    scope: &architect_model::ScopeFacts,
    root: &Path,
    m: &mut AdvisoryMatch,
) {
    let Some(package) = built
        .iter()
        .filter_map(|id| graph.metadata(id).ok())
        .find(|p| p.name() == m.package.name && p.version().to_string() == m.package.version)
    else {
        return;
    };
    let declared: BTreeSet<&str> = package.named_features().collect();
    if m.affected_from_text {
        // A feature's name in a code span is a feature, not an item; and a name the
        // package does not define is not its item (`System`, `HeapAlloc`). What is left
        // is what its users would write; when nothing is, the whole package is affected.
        m.affected.retain(|a| !declared.contains(a.name.as_str()));
        let defined = defined_in(&package, &m.affected);
        m.affected = m
            .affected
            .drain(..)
            .zip(defined)
            .filter_map(|(a, d)| d.then_some(a))
            .collect();
        m.affected_from_text = !m.affected.is_empty();
    }
    if let Some(gate) = &mut m.feature_gate {
        gate.features.retain(|f| declared.contains(f.as_str()));
        let on = scope.features.get(package.id());
        gate.enabled = gate
            .features
            .iter()
            .filter(|f| on.is_some_and(|on| on.contains(*f)))
            .cloned()
            .collect();
    }
    m.feature_gate.take_if(|g| g.features.is_empty());
    let probe = if !m.affected.is_empty() {
        Probe::Names {
            affected: &m.affected,
            from_text: m.affected_from_text,
        }
    } else if let Some(f) = &m.format_impl {
        Probe::Format(f)
    } else {
        return;
    };
    m.evidence = evidence(&package, scope, root, &probe);
}

/// Which of `affected` the package's own compiled sources define; all `false` when they
/// cannot all be read.
fn defined_in(package: &PackageMetadata<'_>, affected: &[AffectedName]) -> Vec<bool> {
    let names: Vec<&str> = affected.iter().map(|a| a.name.as_str()).collect();
    let mut out = vec![false; names.len()];
    let Some(dir) = package.manifest_path().parent().map(|d| d.as_std_path()) else {
        return out;
    };
    let boundary = Boundary::new(dir, "package");
    for file in compiled_files(dir) {
        if boundary.outside(&file).is_some() {
            return vec![false; names.len()];
        }
        let Some(text) = read_bytes(&file, SOURCE_LIMIT)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        else {
            return vec![false; names.len()];
        };
        for (o, d) in out.iter_mut().zip(architect_source::defines(&text, &names)) {
            *o |= d;
        }
    }
    out
}

/// The Rust files of the package in `dir` that its library or binaries may compile (tests,
/// benches and examples aside), sorted.
fn compiled_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = crate::sources::rust_files_of_package(dir);
    files.retain(|f| {
        f.strip_prefix(dir)
            .ok()
            .and_then(|r| r.components().next())
            .is_none_or(|c| !NOT_COMPILED.iter().any(|n| c.as_os_str() == *n))
    });
    files.sort();
    files
}

/// At most this many crates are searched behind re-exports before the answer is unknown.
const MAX_SEARCHED: usize = 256;

/// The evidence for what one package's advisory affects.
fn evidence(
    package: &PackageMetadata<'_>,
    scope: &architect_model::ScopeFacts,
    root: &Path,
    probe: &Probe<'_>,
) -> FunctionEvidence {
    // Each crate is searched once: a direct dependent with qualifiers; one behind a
    // re-export for the bare names.
    let mut queue: std::collections::VecDeque<Search<'_>> =
        shipped_dependents(scope, package, true).into();
    let mut searched = BTreeSet::new();
    let mut unknown = None;
    let mut through_reexports = false;
    while let Some(search) = queue.pop_front() {
        if !searched.insert(search.dependent.id().clone()) {
            continue;
        }
        if searched.len() > MAX_SEARCHED {
            return FunctionEvidence::Unknown {
                why: format!(
                    "more than {MAX_SEARCHED} crates can reach `{}` through re-exports",
                    package.name()
                ),
            };
        }
        match named_in(&search, root, probe) {
            Ok(Found::Named(named)) => return named,
            Ok(Found::Reexports) => {
                through_reexports = true;
                queue.extend(shipped_dependents(scope, &search.dependent, false));
            }
            Ok(Found::Nothing) => {}
            Err(why) => {
                unknown.get_or_insert(why);
            }
        }
    }
    match unknown {
        Some(why) => FunctionEvidence::Unknown { why },
        None => FunctionEvidence::Nowhere {
            dependents: searched.len(),
            through_reexports,
        },
    }
}

/// The crates that depend on `p` over shipped edges, in package-id order: what ships calls
/// what ships (an example's or a test's call is not the product's).
fn shipped_dependents<'g>(
    scope: &architect_model::ScopeFacts,
    p: &PackageMetadata<'g>,
    qualified: bool,
) -> Vec<Search<'g>> {
    let mut out: Vec<Search<'g>> = p
        .reverse_direct_links()
        .filter(|l| scope.edge_shipped(l.from().id(), p.id()))
        .map(|l| Search {
            dependent: l.from(),
            krate: l.resolved_name().replace('-', "_"),
            qualified,
        })
        .collect();
    out.sort_by(|a, b| a.dependent.id().cmp(b.dependent.id()));
    out.dedup_by(|a, b| a.dependent.id() == b.dependent.id());
    out
}

/// What to look for in the dependents' code.
enum Probe<'a> {
    /// The affected names, from the advisory's functions or its text.
    Names {
        affected: &'a [AffectedName],
        from_text: bool,
    },
    /// Values of the types formatted with the trait's placeholder (`{:p}`), or the trait
    /// named in a path, in a file that names the crate or one of the types (anywhere, behind
    /// a re-export).
    Format(&'a FormatImpl),
}

/// Whether a file's text can hold what `named_in` looks for, by substrings alone: a name the
/// probe needs, or a re-export of `krate` (`pub` then `use` or `extern`). Most files of a
/// dependent hold neither, and are not lexed.
fn worth_lexing(text: &str, probe: &Probe<'_>, queries: &[NameQuery<'_>], krate: &str) -> bool {
    let bytes = text.as_bytes();
    let has = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    let wanted = match probe {
        Probe::Names { .. } => queries.iter().any(|q| has(q.name)),
        Probe::Format(f) => has(&format!("{}}}", f.spec)) || has(&f.trait_name),
    };
    wanted || (has(krate) && may_reexport(bytes))
}

/// Whether `pub` is followed, after whitespace, by `use` or `extern` somewhere in `bytes`.
fn may_reexport(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"pub").any(|at| {
        let rest = &bytes[at + 3..];
        let start = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let rest = &rest[start..];
        start > 0 && (rest.starts_with(b"use") || rest.starts_with(b"extern"))
    })
}

/// One crate to search, and for what.
struct Search<'g> {
    dependent: PackageMetadata<'g>,
    /// The name its code gives the crate it depends on.
    krate: String,
    /// It depends on the advisory's package directly: a name counts only in a file that
    /// mentions the crate or the method's type.
    qualified: bool,
}

/// What one crate's search found.
enum Found {
    Named(FunctionEvidence),
    /// Nothing, but it re-exports the crate it was searched for.
    Reexports,
    Nothing,
}

/// The identifiers of which one must appear in a file for `a` to count there: the crate and a
/// method's type; only the type for a method read from an advisory's text (`StackSlot::wait`
/// must not count in every file that uses the crate and calls some `wait`).
fn qualifiers<'a>(a: &'a AffectedName, krate: &'a str, from_text: bool) -> Vec<&'a str> {
    match (&a.owner, from_text) {
        (Some(owner), true) => vec![owner.as_str()],
        (Some(owner), false) => vec![owner.as_str(), krate],
        (None, _) => vec![krate],
    }
}

/// Where the searched crate first names one of `affected`; `Err` with why when it cannot be
/// told.
fn named_in(search: &Search<'_>, root: &Path, probe: &Probe<'_>) -> Result<Found, String> {
    let (dependent, krate) = (&search.dependent, search.krate.as_str());
    let (affected, from_text): (&[AffectedName], bool) = match probe {
        Probe::Names {
            affected,
            from_text,
        } => (affected, *from_text),
        Probe::Format(_) => (&[], false),
    };
    let qualifiers: Vec<Vec<&str>> = affected
        .iter()
        .map(|a| match search.qualified {
            true => qualifiers(a, krate, from_text),
            false => Vec::new(),
        })
        .collect();
    let mut queries: Vec<NameQuery<'_>> = affected
        .iter()
        .zip(&qualifiers)
        .map(|(a, q)| NameQuery {
            name: &a.name,
            qualifiers: q,
            is_macro: a.is_macro,
        })
        .collect();
    // For a formatting impl: the crate and the types, to tell whether a file may hold them.
    if let Probe::Format(f) = probe {
        queries.extend(
            std::iter::once(krate)
                .chain(f.types.iter().map(String::as_str))
                .map(|name| NameQuery {
                    name,
                    qualifiers: &[],
                    is_macro: false,
                }),
        );
    }
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
    let mut reexports = false;
    for file in compiled_files(dir) {
        let rel = crate::relative(base, &file);
        let cannot = |why: String| format!("`{rel}` of `{}` {why}", dependent.name());
        if boundary.outside(&file).is_some() {
            return Err(cannot("resolves outside its package".into()));
        }
        let bytes = read_bytes(&file, SOURCE_LIMIT)
            .map_err(|e| cannot(format!("could not be read ({e})")))?;
        let text = String::from_utf8(bytes).map_err(|_| cannot("is not UTF-8".into()))?;
        if !worth_lexing(&text, probe, &queries, krate) {
            continue;
        }
        let found = architect_source::name_uses(&text, &queries, krate);
        if let Probe::Format(f) = probe {
            let may_hold = found.first.is_some() || !search.qualified;
            if may_hold
                && let Some(offset) = architect_source::formats_with(&text, &f.trait_name, f.spec)
            {
                let line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count();
                return Ok(Found::Named(FunctionEvidence::Named {
                    function: format!("fmt::{} (`{{:{}}}`)", f.trait_name, f.spec),
                    krate: dependent.name().to_string(),
                    path: rel,
                    line,
                }));
            }
            reexports |= found.reexports;
            continue;
        }
        if let Some((n, offset)) = found.first {
            let line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count();
            let a = &affected[n];
            return Ok(Found::Named(FunctionEvidence::Named {
                function: format!("{}{}", a.path, if a.is_macro { "!" } else { "" }),
                krate: dependent.name().to_string(),
                path: rel,
                line,
            }));
        }
        reexports |= found.reexports;
    }
    Ok(if reexports {
        Found::Reexports
    } else {
        Found::Nothing
    })
}
