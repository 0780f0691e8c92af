//! `source/out-of-tree`: code the build reads from outside the workspace, which the review does
//! not read.

use architect_model::{Finding, Level, Section, UnscannedKind};

use crate::graph::{pkg_ref, unreadable_at};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "source/out-of-tree",
    section: Section::Source,
    default_level: Level::Warn,
    summary: "modules, includes and target roots the build reads from outside the workspace",
    docs: Docs {
        what: "Reports a `#[path]` module, an `include!`, a symlink in a source directory or a \
               target `path` that resolves outside the workspace root (for a dependency, \
               outside its own package, with `--deps`). The review never reads such a file: the \
               finding names \
               the path, never its content, and what the file would have told (unsafe code, \
               what a build script does) is unknown.",
        why: "A build that reads `../../shared/x.rs` or `/etc/passwd` depends on files no \
              manifest declares and no package contains: it is not reproducible from the \
              repository, a review of the repository misses that code, and on a CI runner a \
              pull request can make the compiler read (and quote in its errors) any file the \
              runner can.",
        fix: "Move the file into the package, or make it a dependency of its own.",
        references: &[(
            "The Rust Reference: the `path` attribute",
            "https://doc.rust-lang.org/reference/items/modules.html#the-path-attribute",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    facts
        .sources
        .unreadable
        .iter()
        .filter(|u| u.kind == UnscannedKind::OutOfTree)
        .filter_map(|u| {
            let meta = facts.graph.metadata(&u.package).ok()?;
            // A dependency's code is read for its size by default; what it reaches outside
            // its package is reported when its code is reviewed (`--deps`).
            if !meta.in_workspace() && !facts.sources.deps {
                return None;
            }
            let (location, note) = unreadable_at(facts, u, "declared here");
            let mut f = cx
                .finding(
                    format!("`{}`: {}", pkg_ref(&meta), u.reason),
                    "move the file into the package, or make it a dependency of its own",
                )
                .package(pkg_ref(&meta))
                .at(location);
            if let Some(n) = note {
                f = f.note(n);
            }
            Some(f)
        })
        .collect()
}
