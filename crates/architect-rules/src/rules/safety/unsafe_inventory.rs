//! `safety/unsafe-inventory`: unsafe code per crate, and who forbids it.

use std::collections::BTreeMap;

use architect_model::{Finding, Level, PackageSources, Section, UnsafeKind};
use guppy::PackageId;

use crate::graph::{pkg_ref, source_location};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "safety/unsafe-inventory",
    section: Section::Safety,
    default_level: Level::Info,
    summary: "unsafe blocks, fns, impls and traits per crate, and #![forbid(unsafe_code)]",
    docs: Docs {
        what: "Counts, per shipped workspace crate (and with `--deps` per third-party package), \
               the `unsafe` blocks, functions, impls, traits and extern blocks in the code \
               cargo compiles for it (test code and code inside `quote!`, which a proc-macro \
               generates for its users, aside), and lists in one finding the crates that have \
               none and do not `#![forbid(unsafe_code)]`; a crate that forbids it needs no \
               finding, and neither does one whose `[lints.rust] unsafe_code` is `deny` or \
               `warn` (a policy under which new unsafe code is noticed). What \
               cargo-geiger counts, from the module tree rather than a build. A crate with a \
               file the scan could not see (too large, not UTF-8, outside the workspace) is \
               never said to have no unsafe code: its count is a lower bound, or unknown.",
        why: "Unsafe code is where memory-safety bugs live; where it is, how much, and whether \
              crates that need none forbid it, is the first question of a security review. A \
              crate without unsafe that does not `forbid` it can acquire some unnoticed.",
        fix: "Add `#![forbid(unsafe_code)]` to crates that need none; keep the rest small, \
              encapsulated and commented with SAFETY arguments; run Miri on it.",
        references: &[
            ("cargo-geiger", "https://github.com/geiger-rs/cargo-geiger"),
            ("The Rustonomicon", "https://doc.rust-lang.org/nomicon/"),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut crates = Vec::new();
    // Packages with scanned files, and those the scan saw nothing of (sources not on disk).
    let empty = PackageSources::default();
    let blind = facts
        .sources
        .unreadable
        .iter()
        .filter(|u| u.hides_code() && !facts.sources.packages.contains_key(&u.package))
        .map(|u| (&u.package, &empty));
    let mut packages: Vec<(&PackageId, &PackageSources)> =
        facts.sources.packages.iter().chain(blind).collect();
    packages.sort_by(|a, b| a.0.cmp(b.0));
    packages.dedup_by(|a, b| a.0 == b.0);
    let mut unforbidden = Vec::new();
    for (id, pkg) in packages {
        let Ok(meta) = facts.graph.metadata(id) else {
            continue;
        };
        if meta.in_workspace() && !facts.scope.is_shipped_member(id) {
            continue;
        }
        // Without `--deps` only a dependency's build script was read: its library is unknown.
        if !meta.in_workspace() && !facts.sources.deps {
            continue;
        }
        let mut counts: BTreeMap<UnsafeKind, usize> = BTreeMap::new();
        let mut first = None;
        for file in &pkg.files {
            for (kind, span) in &file.facts.unsafes {
                if !file.ships(*span) {
                    continue;
                }
                *counts.entry(*kind).or_default() += 1;
                if first.is_none() && meta.in_workspace() {
                    first = source_location(facts, file, *span, "first unsafe");
                }
            }
        }
        let manifest_forbids = facts
            .manifests
            .get(id)
            .and_then(|m| m.forbids_unsafe.clone());
        let forbids = manifest_forbids.is_some()
            || pkg.lib_files().any(|f| f.facts.forbids_unsafe)
            || pkg.files.iter().any(|f| f.facts.forbids_unsafe);
        let policy = facts
            .manifests
            .get(id)
            .is_some_and(|m| m.unsafe_policy.is_some());
        let total: usize = counts.values().sum();
        // Files the scan did not see make "none" unknown (a `forbid` still holds: rustc
        // enforces it in every file).
        let unseen: Vec<String> = facts
            .sources
            .unseen(id)
            .map(|u| format!("`{}`: {}", u.path, u.reason))
            .collect();
        if !meta.in_workspace() && total == 0 && unseen.is_empty() {
            continue;
        }
        let parts: Vec<String> = counts
            .iter()
            .map(|(k, n)| {
                let (one, many) = label(*k);
                count(*n, one, many)
            })
            .collect();
        let not_scanned = count(unseen.len(), "file was", "files were");
        let statement = match (total, forbids, unseen.is_empty()) {
            // Nothing to say: the crate forbids it, and rustc enforces that.
            (0, true, _) => continue,
            // A declared `unsafe_code` lint (`deny`, `warn`) already makes new unsafe code
            // visible: the team chose its policy.
            (0, false, true) if policy => continue,
            (0, false, true) => {
                unforbidden.push((meta.name().to_string(), id.clone()));
                continue;
            }
            (0, false, false) => format!(
                "`{}`: whether it has unsafe code is unknown: {not_scanned} not scanned",
                pkg_ref(&meta)
            ),
            (_, _, seen_all) => format!(
                "`{}` has {}{}: {}{}",
                pkg_ref(&meta),
                if seen_all { "" } else { "at least " },
                count(total, "unsafe item", "unsafe items"),
                parts.join(", "),
                if seen_all {
                    String::new()
                } else {
                    format!("; {not_scanned} not scanned")
                }
            ),
        };
        let location = first
            .or(manifest_forbids)
            .or_else(|| facts.manifests.get(id).and_then(|m| m.header().cloned()));
        crates.push(Crate {
            meta,
            total,
            known: unseen.is_empty() || total > 0,
            statement,
            unseen,
            location,
        });
    }
    unforbidden.sort();
    finding(cx, crates, &unforbidden).into_iter().collect()
}

/// One crate with unsafe code, or whose unsafe code is unknown.
struct Crate<'g> {
    meta: guppy::graph::PackageMetadata<'g>,
    total: usize,
    /// False when no unsafe was seen and files were not scanned.
    known: bool,
    /// "`x 1.0` has 3 unsafe items: 2 blocks, 1 fn".
    statement: String,
    /// `path`: reason, for each file not scanned.
    unseen: Vec<String>,
    location: Option<architect_model::Location>,
}

/// The one finding of the workspace: where unsafe code is (most first), whose is unknown, and
/// the crates without any that do not forbid it. Each crate is a note and a location.
fn finding(
    cx: &Ctx<'_>,
    mut crates: Vec<Crate<'_>>,
    unforbidden: &[(String, PackageId)],
) -> Option<Finding> {
    if crates.is_empty() {
        return unforbidden_finding(cx, unforbidden);
    }
    crates.sort_by(|a, b| (b.total, a.meta.name()).cmp(&(a.total, b.meta.name())));
    let with: Vec<&Crate<'_>> = crates.iter().filter(|c| c.total > 0).collect();
    let unknown: Vec<&Crate<'_>> = crates.iter().filter(|c| !c.known).collect();
    let mut parts = Vec::new();
    match with.as_slice() {
        [] => {}
        [one] => parts.push(one.statement.clone()),
        many => parts.push(format!(
            "{} crates have unsafe code, {} in all; most in {}",
            many.len(),
            count(
                many.iter().map(|c| c.total).sum(),
                "unsafe item",
                "unsafe items"
            ),
            many.iter()
                .take(SHOWN_MOST)
                .map(|c| format!("`{}` ({})", c.meta.name(), c.total))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    match unknown.as_slice() {
        [] => {}
        [one] => parts.push(one.statement.clone()),
        many => {
            let names: Vec<&str> = many.iter().map(|c| c.meta.name()).collect();
            parts.push(format!(
                "for {} it is unknown (files not scanned: {})",
                many.len(),
                name_list(&names, SHOWN)
            ));
        }
    }
    if !unforbidden.is_empty() {
        let names: Vec<&str> = unforbidden.iter().map(|(n, _)| n.as_str()).collect();
        parts.push(format!(
            "{} no unsafe code but {} not forbid it: {}",
            count(unforbidden.len(), "crate has", "crates have"),
            if unforbidden.len() == 1 { "does" } else { "do" },
            name_list(&names, SHOWN)
        ));
    }
    let mut f = cx.finding(
        parts.join("; "),
        "keep unsafe small and encapsulated, with SAFETY comments, and test it under Miri; add `#![forbid(unsafe_code)]` (or `unsafe_code = \"forbid\"` under `[workspace.lints.rust]`) where none is needed",
    );
    let several = crates.len() > 1;
    for c in &crates {
        f = f.package(pkg_ref(&c.meta)).at(c.location.clone());
        if several {
            f = f.note(c.statement.clone());
        }
        for u in &c.unseen {
            f = f.note(u.clone());
        }
    }
    if let Some(rest) = unforbidden_finding(cx, unforbidden) {
        if unforbidden.len() > SHOWN {
            let names: Vec<&str> = unforbidden.iter().map(|(n, _)| n.as_str()).collect();
            f = f.note(format!(
                "no unsafe code, not forbidden: {}",
                names.join(", ")
            ));
        }
        for p in rest.packages {
            f = f.package(p);
        }
        for l in rest.locations {
            f = f.at(Some(l));
        }
    }
    Some(f)
}

/// Crates named as holding the most unsafe code.
const SHOWN_MOST: usize = 5;

/// Crates shown by name in the aggregated finding; JSON lists every package.
const SHOWN: usize = 12;

/// One finding for every shipped crate that has no unsafe code and does not forbid it.
fn unforbidden_finding(cx: &Ctx<'_>, crates: &[(String, PackageId)]) -> Option<Finding> {
    let (_, first) = crates.first()?;
    let names: Vec<&str> = crates.iter().map(|(n, _)| n.as_str()).collect();
    let mut f = cx.finding(
        format!(
            "{} no unsafe code but {} not forbid it: {}",
            count(crates.len(), "crate has", "crates have"),
            if crates.len() == 1 { "does" } else { "do" },
            name_list(&names, SHOWN)
        ),
        "add `#![forbid(unsafe_code)]` to each crate root, or `unsafe_code = \"forbid\"` under `[workspace.lints.rust]` once",
    );
    for (_, id) in crates {
        if let Ok(meta) = cx.facts.graph.metadata(id) {
            f = f.package(pkg_ref(&meta));
        }
    }
    let at = cx
        .facts
        .manifests
        .get(first)
        .and_then(|m| m.header().cloned());
    Some(f.at(at))
}

fn label(kind: UnsafeKind) -> (&'static str, &'static str) {
    match kind {
        UnsafeKind::Block => ("block", "blocks"),
        UnsafeKind::Fn => ("fn", "fns"),
        UnsafeKind::Impl => ("impl", "impls"),
        UnsafeKind::Trait => ("trait", "traits"),
        UnsafeKind::ExternBlock => ("extern block", "extern blocks"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn unsafe_counts_and_forbid() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1, "one finding for the workspace");
        let f = &f[0];
        assert!(
            !f.packages.iter().any(|p| p.name == "builder"),
            "a crate that forbids unsafe code is not listed: {:?}",
            f.packages
        );
        assert!(
            f.message
                .starts_with("`legacy 0.1.0` has 1 unsafe item: 1 block; "),
            "{}",
            f.message
        );
        // `svc` has a file that is not UTF-8: its unsafe code is unknown, never "none".
        assert!(
            f.message.contains(
                "`svc 0.1.0`: whether it has unsafe code is unknown: 1 file was not scanned"
            ),
            "{}",
            f.message
        );
        assert!(
            f.notes.iter().any(|n| n.contains("not UTF-8")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn a_declared_unsafe_code_lint_is_a_policy() {
        // pinned: `nightly-lib` sets `unsafe_code = "deny"`; `app` and `macros` set nothing.
        let f = run(&RULE, crate::testing::fixture("pinned"));
        assert_eq!(f.len(), 1);
        let names: Vec<&str> = f[0].packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["app", "macros"]);
    }

    #[test]
    fn test_code_and_quoted_code_are_not_the_crate_own_unsafe() {
        crate::assert_rule_snapshot!(&RULE, "ffi");
    }
}
