//! `supply-chain/git-source`: dependencies fetched from git, and whether they are pinned.

use architect_model::{Finding, Level, Section};
use guppy::graph::{ExternalSource, GitReq};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/git-source",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "git dependencies, and those not pinned to a `rev`",
    docs: Docs {
        what: "Lists dependencies that come from a git repository. One that follows a branch, \
               the default branch or a tag is `warn`; one pinned with `rev` is `info`.",
        why: "A git dependency is outside the registry's guarantees: it can be rewritten or \
              deleted, it has no yanking, and RustSec advisories are matched against \
              registry versions, so cargo-audit and cargo-deny cannot warn about it. A branch \
              moves: `cargo update` silently takes whatever was pushed last.",
        fix: "Depend on a published version. Until then pin `rev = \"<full commit hash>\"` and \
              track the upstream change that will let you move back to the registry.",
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
    let mut out = Vec::new();
    for p in cx.facts.built() {
        let Some(ExternalSource::Git {
            repository, req, ..
        }) = p.source().parse_external()
        else {
            continue;
        };
        let follows = match req {
            GitReq::Rev(_) => None,
            GitReq::Tag(t) => Some(format!("tag `{t}` (tags can be moved)")),
            GitReq::Branch(b) => Some(format!("branch `{b}`")),
            _ => Some("the default branch".to_string()),
        };
        let (locations, path) = dependency_evidence(cx.facts, p.id());
        let f = match follows {
            Some(follows) => cx.finding(
                format!(
                    "`{}` comes from git ({repository}) and follows {follows}",
                    pkg_ref(&p)
                ),
                "pin it with `rev = \"<commit>\"`, or depend on a published version",
            ),
            None => cx
                .finding(
                    format!("`{}` comes from git ({repository}), pinned to a rev", pkg_ref(&p)),
                    "move to a published version when one exists: advisories are not matched against git sources",
                )
                .level(Level::Info),
        };
        out.push(
            f.package(pkg_ref(&p))
                .via(path)
                .at(locations.into_iter().next()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run};

    #[test]
    fn path_only_workspaces_have_no_git_sources() {
        // Git sources are covered end to end in tests/git_source.rs with a real repository.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
