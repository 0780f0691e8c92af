//! `supply-chain/own-build-script`: workspace packages that have a build script.

use architect_model::{Finding, Level, Section};

use super::build_script::build_scripts;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/own-build-script",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "workspace packages with a build script: code the build runs on the build host",
    docs: Docs {
        what: "Lists every workspace package in the build that has a build script (`build.rs`). \
               Third-party ones are `supply-chain/build-script`; what each does is \
               `supply-chain/build-script-behaviour`.",
        why: "The workspace's own build scripts are reviewed with its code, but each is still a \
              program run on every build host before the crate compiles, and a \
              compile-then-run step on the critical path of every clean build. Hermetic \
              builds (Bazel, Buck2, Soong) need each to be rewritten as a rule.",
        fix: "Keep build scripts minimal: generate into `OUT_DIR`, declare every input with \
              `cargo::rerun-if-changed`, and move what can run ahead of time (code generation \
              from a fixed schema) into a checked-in file with a test that it is current.",
        references: &[(
            "Cargo book: build scripts",
            "https://doc.rust-lang.org/cargo/reference/build-scripts.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    build_scripts(cx, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn the_workspaces_own_build_scripts() {
        // ring's build script is third-party: `supply-chain/build-script`.
        assert_eq!(names(&run(&RULE, kitchen_sink())), ["ws-core"]);
        assert!(run(&RULE, clean()).is_empty());
    }
}
