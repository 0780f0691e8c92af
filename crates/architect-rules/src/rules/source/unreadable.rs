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
               files (a FIFO, a device), do not lex, or are declared as modules without a file; and, per member, how many `.rs` files \
               no module tree reaches (those are neither compiled nor reviewed).",
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
        if meta.in_workspace() && pkg.not_in_tree > 0 {
            out.push(
                cx.finding(
                    format!("`{}` has {} .rs file(s) that no module tree reaches: not compiled, not reviewed", meta.name(), pkg.not_in_tree),
                    "declare them as modules, or delete them",
                )
                .package(pkg_ref(&meta))
                .at(facts.manifests.get(id).and_then(|m| m.header().cloned())),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, run, source_rules};

    #[test]
    fn unreadable_missing_and_stray_files() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 3);
        assert!(f[0].message.contains("latin1.rs") && f[0].message.contains("not UTF-8"));
        assert!(f[1].message.contains("module `missing` has no file"));
        assert_eq!(f[1].locations[0].line, 16, "the `mod missing;` line");
        assert!(f[2].message.contains("1 .rs file(s)"));
        assert!(run(&RULE, clean()).is_empty());
    }
}
