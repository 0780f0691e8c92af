//! `source/unreadable`: files the source pass could not read, lex or find.

use architect_model::{Finding, Level, Section, UnscannedKind};

use crate::graph::{pkg_ref, unreadable_at};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "source/unreadable",
    section: Section::Source,
    default_level: Level::Info,
    summary: "source files the review could not read, lex or find, and files outside every module tree",
    docs: Docs {
        what: "Reports workspace files that are not UTF-8, larger than 8 MiB, not regular \
               files (a FIFO, a device), do not lex, or are declared as modules without a file; and, once per member, the `.rs` files in \
               the directories of its library and binary module trees (`src/`) that no module \
               declares (neither compiled nor reviewed). `.rs` files elsewhere (compile-fail \
               cases under `tests/`, parser corpora, a nested package with its own \
               `Cargo.toml`), and files the crate reads with `include_str!` or \
               `include_bytes!` (a test fixture's text), are data, not stray modules.",
        why: "The code rules only see what they can read: a file skipped is a blind spot of \
              the review, and it should say so rather than report a clean bill. Files outside \
              every module tree are dead code or forgotten modules.",
        fix: "Fix the file, or declare (or delete) the module.",
        references: &[(
            "The Rust Reference: modules",
            "https://doc.rust-lang.org/reference/items/modules.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    // Files outside the workspace are `source/out-of-tree`'s.
    for u in facts
        .sources
        .unreadable
        .iter()
        .filter(|u| u.kind != UnscannedKind::OutOfTree)
    {
        let Ok(meta) = facts.graph.metadata(&u.package) else {
            continue;
        };
        if !meta.in_workspace() {
            continue;
        }
        let (location, note) = unreadable_at(facts, u, "here");
        let mut f = cx
            .finding(
                format!("`{}`: {}", u.path, u.reason),
                "fix the file, or declare or remove the module",
            )
            .package(pkg_ref(&meta))
            .at(location);
        if let Some(n) = note {
            f = f.note(n);
        }
        out.push(f);
    }
    for (id, pkg) in &facts.sources.packages {
        let Ok(meta) = facts.graph.metadata(id) else {
            continue;
        };
        if meta.in_workspace() && !pkg.not_in_tree.is_empty() {
            out.push(stray_files(cx, &meta, &pkg.not_in_tree));
        }
    }
    out
}

/// Files shown in a stray-files finding; JSON keeps all of them in the notes' first line count.
const SHOWN: usize = 10;

/// One finding per package for the `.rs` files in its module directories that no module
/// declares, naming them.
fn stray_files(
    cx: &Ctx<'_>,
    meta: &guppy::graph::PackageMetadata<'_>,
    files: &[String],
) -> Finding {
    let n = files.len();
    let mut f = cx
        .finding(
            format!(
                "`{}` has {} in its module directories that no module declares: not compiled, not reviewed",
                meta.name(),
                crate::rule::count(n, "`.rs` file", "`.rs` files")
            ),
            "declare each as a module if it should compile; if it is dead code, remove it; if it is data, move it out of the crate's `src/`",
        )
        .package(pkg_ref(meta))
        .at(cx.facts.manifests.get(meta.id()).and_then(|m| m.header().cloned()));
    for file in files.iter().take(SHOWN) {
        f = f.note(file.clone());
    }
    if n > SHOWN {
        f = f.note(format!("and {} more", n - SHOWN));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, run, source_rules};

    #[test]
    fn a_forgotten_module_in_src_but_not_data_or_a_nested_package() {
        crate::assert_rule_snapshot!(&RULE, "stray");
    }

    #[test]
    fn unreadable_missing_and_stray_files() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 3);
        assert!(f[0].message.contains("latin1.rs") && f[0].message.contains("not UTF-8"));
        assert!(f[1].message.contains("module `missing` has no file"));
        assert_eq!(f[1].locations[0].line, 16, "the `mod missing;` line");
        assert!(
            f[2].message
                .contains("1 `.rs` file in its module directories")
        );
        assert_eq!(f[2].notes, ["svc/src/orphan.rs"]);
        assert!(run(&RULE, clean()).is_empty());
    }
}
