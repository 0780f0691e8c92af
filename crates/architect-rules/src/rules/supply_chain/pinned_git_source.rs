//! `supply-chain/pinned-git-source`: dependencies fetched from git, pinned to a `rev`.

use architect_model::{Finding, Level, Section};

use super::git_source::{cited, git_sources};
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/pinned-git-source",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "git dependencies pinned to a `rev`: outside the registry's advisories",
    docs: Docs {
        what: "Lists dependencies that come from a git repository pinned with `rev`. One that \
               follows a branch or a tag is `supply-chain/git-source`.",
        why: "A pinned git dependency builds the same code every time, but it is outside the \
              registry's guarantees: it can be deleted, it has no yanking, and RustSec \
              advisories are matched against registry versions, so cargo-audit and cargo-deny \
              cannot warn about it.",
        fix: "Depend on a published version when one exists, and track the upstream change \
              that will let you move back to the registry.",
        references: &[
            (
                "Cargo book: git dependencies",
                "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#specifying-dependencies-from-git-repositories",
            ),
            (
                "cargo-deny: sources check",
                "https://embarkstudios.github.io/cargo-deny/checks/sources/index.html",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    git_sources(cx.facts)
        .filter(|(_, _, follows)| follows.is_none())
        .map(|(p, repository, _)| {
            let f = cx.finding(
                format!(
                    "`{}` comes from git ({repository}), pinned to a rev",
                    pkg_ref(&p)
                ),
                "move to a published version when one exists: advisories are not matched against git sources",
            );
            cited(cx.facts, f, &p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run};

    #[test]
    fn path_only_workspaces_have_no_git_sources() {
        // Pinned and unpinned git sources are covered end to end in tests/git_source.rs with
        // a real repository.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
