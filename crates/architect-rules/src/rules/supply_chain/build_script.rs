//! `supply-chain/build-script`: the packages of the build that run a build script on the
//! build host, in one finding.

use architect_model::{Finding, Level, Section};
use guppy::graph::PackageMetadata;

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "the packages of the build that run a build script on the build host",
    docs: Docs {
        what: "Lists, in one finding, the packages of the build (dev-dependencies included: \
               `cargo test` runs their build scripts too) that have a build script \
               (`build.rs`): the third-party ones by name, and how many are the workspace's own. \
               Accepted ones go in the rule's allow-list with a reason and leave the list. What \
               each script does is `supply-chain/build-script-behaviour` and \
               `build-script-inputs` (third-party scripts with `--deps`).",
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

/// Third-party names shown in the message; the finding's packages list them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let scripts: Vec<_> = cx
        .facts
        .built()
        .filter(|p| p.has_build_script())
        .filter(|p| !cx.allows(p.name(), &p.version().to_string()))
        .collect();
    let (own, third): (Vec<&PackageMetadata<'_>>, Vec<&PackageMetadata<'_>>) =
        scripts.iter().partition(|p| p.in_workspace());
    if scripts.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<&str> = third.iter().map(|p| p.name()).collect();
    names.sort_unstable();
    let message = match (third.len(), own.len()) {
        (0, n) => format!(
            "{} a build script on the build host",
            count(
                n,
                "package of the workspace runs",
                "packages of the workspace run"
            )
        ),
        (t, n) => format!(
            "{} a build script on the build host: {}{}",
            count(t, "dependency runs", "dependencies run"),
            name_list(&names, SHOWN),
            if n > 0 {
                format!("; and {} of the workspace", count(n, "package", "packages"))
            } else {
                String::new()
            }
        ),
    };
    // Third-party packages first, by name: the finding's first package is one to review.
    let mut scripts = scripts;
    scripts.sort_by(|a, b| (a.in_workspace(), a.name()).cmp(&(b.in_workspace(), b.name())));
    let mut f = cx.finding(
        message,
        "review each third-party script, then accept it in `allow` with a reason so a new one stands out; prefer crates and features without one",
    );
    for p in scripts {
        f = f.package(pkg_ref(&p));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn one_finding_listing_the_scripts_not_accepted() {
        // kitchen-sink accepts `ring` in its allow-list.
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "1 package of the workspace runs a build script on the build host"
        );
        assert_eq!(names(&f), ["ws-core"]);
        assert!(run(&RULE, clean()).is_empty());
    }
}
