//! `supply-chain/build-script-inputs`: what build scripts take from the build host: native
//! compilers, programs, environment variables.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script-inputs",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "build scripts that compile C/C++, run programs or read environment variables",
    docs: Docs {
        what: "Reads every workspace build script (and with `--deps`, every third-party build \
               script on disk) as `supply-chain/build-script-behaviour` does, and lists the \
               inputs it takes from the build host: compiling C/C++ (cc, cmake), running \
               programs (`std::process::Command`), reading environment variables cargo does not \
               set.",
        why: "Each is an input of the build that `Cargo.toml` does not show: a compiler and \
              its flags, a program that must be installed, a variable that changes the output. \
              Hermetic builds (Bazel, Buck2, Android's Soong, Nix) must declare every one of \
              them, and an undeclared one makes builds differ between machines.",
        fix: "Declare every input with `cargo::rerun-if-changed`/`rerun-if-env-changed`, make \
              the programs explicit and fail clearly when they are missing, and pin the C \
              sources and flags.",
        references: &[
            (
                "Cargo book: build scripts, outputs",
                "https://doc.rust-lang.org/cargo/reference/build-scripts.html#outputs-of-the-build-script",
            ),
            (
                "Cargo book: environment variables for build scripts",
                "https://doc.rust-lang.org/cargo/reference/environment-variables.html#environment-variables-cargo-sets-for-build-scripts",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.own(super::build_script_behaviour::findings(cx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn programs_and_environment_the_build_script_takes() {
        let f = run(&RULE, source_rules());
        let got: Vec<&str> = f
            .iter()
            .map(|f| f.message.rsplit('(').next().unwrap().trim_end_matches(')'))
            .collect();
        // Its network access and writes outside OUT_DIR are `build-script-behaviour`.
        assert_eq!(got, ["git", "DEPLOY_TOKEN"]);
    }
}
