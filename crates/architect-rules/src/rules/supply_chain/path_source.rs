//! `supply-chain/path-source`: path dependencies that live outside the workspace.

use architect_model::{Finding, Level, Section};
use guppy::graph::PackageSource;

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/path-source",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "path dependencies outside the workspace directory",
    docs: Docs {
        what: "Lists path dependencies whose directory is outside the workspace root (`../`). \
               Vendored packages inside the workspace directory are not reported.",
        why: "A build that reaches outside its repository depends on what happens to be checked \
              out next to it: CI, a new contributor and a release build each see a different \
              crate, or none. Nothing records which revision was used.",
        fix: "Move the package into the workspace, vendor it inside the repository, or publish \
              it (to crates.io or a private registry) and depend on a version.",
        references: &[(
            "Cargo book: path dependencies",
            "https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html#specifying-path-dependencies",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in cx.facts.built() {
        let PackageSource::Path(rel) = p.source() else {
            continue;
        };
        if !rel.starts_with("..") && !rel.is_absolute() {
            continue;
        }
        let (locations, path) = dependency_evidence(cx.facts, p.id());
        out.push(
            cx.finding(
                format!(
                    "`{}` is a path dependency outside the workspace (`{rel}`)",
                    pkg_ref(&p)
                ),
                "move it into the repository or depend on a published version",
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn only_paths_outside_the_workspace() {
        // vendor/ is inside the workspace directory (excluded, vendored): not reported.
        assert_eq!(names(&run(&RULE, kitchen_sink())), ["sibling-checkout"]);
        assert!(run(&RULE, clean()).is_empty());
    }
}
