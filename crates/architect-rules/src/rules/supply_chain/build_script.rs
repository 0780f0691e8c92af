//! `supply-chain/build-script`: every package in the build that has a build script.

use architect_model::{Finding, Level, Section};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "third-party packages whose build script runs arbitrary code on the build host",
    docs: Docs {
        what: "Lists every third-party package in the build that has a build script \
               (`build.rs`); the workspace's own are `supply-chain/own-build-script`. Accepted \
               ones go in the rule's allow-list with a reason.",
        why: "A build script is a program compiled and run on the build host, with the builder's \
              permissions and network, before the crate compiles: it can read credentials, \
              write anywhere and download anything, and its output is not reproducible. \
              Android's Soong build does not run build scripts at all, for hermeticity: crates \
              that need one get hand-written rules instead. Every build script also adds a \
              compile-then-run step to the critical path of a build.",
        fix: "Prefer crates without build scripts, or features that avoid them (e.g. pure-Rust \
              backends instead of `-sys` crates). Review the ones you keep and list them in \
              `allow` with the reason, so a new build script in the graph stands out.",
        references: &[
            (
                "Cargo book: build scripts",
                "https://doc.rust-lang.org/cargo/reference/build-scripts.html",
            ),
            (
                "Android: Rust build patterns (no build.rs)",
                "https://source.android.com/docs/setup/build/rust/building-rust-modules/android-rust-patterns",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// A build-script finding for each built package with a build script, own (workspace) ones
/// or third-party ones.
pub(crate) fn build_scripts(cx: &Ctx<'_>, own: bool) -> Vec<Finding> {
    let facts = cx.facts;
    facts
        .built()
        .filter(|p| p.has_build_script() && p.in_workspace() == own)
        .map(|p| {
            let (locations, path) = dependency_evidence(facts, p.id());
            let who = if own { "workspace package" } else { "dependency" };
            cx.finding(
                format!("{who} `{}` runs a build script on the build host", pkg_ref(&p)),
                if own {
                    "keep the build script minimal and free of network and environment access"
                } else {
                    "review what it does, then accept it in `allow` with a reason, or avoid the crate"
                },
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next())
        })
        .collect()
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    // The workspace's own are `supply-chain/own-build-script`.
    build_scripts(cx, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn third_party_scripts_warn() {
        let f = run(&RULE, kitchen_sink());
        // ws-core's own build script is `supply-chain/own-build-script`.
        assert_eq!(names(&f), ["ring"]);
        assert_eq!(f[0].path.first().map(|p| p.name.as_str()), Some("ws-core"));
        assert!(run(&RULE, clean()).is_empty());
    }
}
