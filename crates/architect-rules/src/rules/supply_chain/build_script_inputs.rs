//! `supply-chain/build-script-inputs`: what build scripts take in besides their sources: a C
//! compiler, programs of the build host, environment variables.

use architect_model::{Behaviour, Finding, Level, Section};

use super::build_script_behaviour::behaviours;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script-inputs",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "what build scripts take in: C compilers, host programs, undeclared environment variables",
    docs: Docs {
        what: "Reads every workspace build script (and with `--deps`, every third-party build \
               script on disk) and reports what it depends on beyond its sources: compiles \
               C/C++ (cc, cmake), runs programs (`std::process::Command`), reads environment \
               variables that cargo does not set and that the script does not declare with \
               `cargo:rerun-if-env-changed` (a declared one is a tracked input: cargo reruns \
               the script when it changes). One finding per package and kind, naming the \
               programs and variables. Running a tool cargo hands the script (`$RUSTC`, \
               `$RUSTC_WRAPPER`, `$RUSTDOC`, `$CARGO`) is cargo's own input, and code under a \
               platform `#[cfg(..)]` that is false for every reviewed host (a \
               `#[cfg(windows)]` icon step reviewed on Linux) does not run there: neither is \
               reported.",
        why: "Each is an input the lockfile does not pin: a different `cc`, `git` or \
              environment gives a different build. Hermetic build systems (Bazel, Buck2, Nix) \
              must provide each explicitly, and an undeclared environment variable also makes \
              incremental builds stale.",
        fix: "Declare environment inputs with `cargo::rerun-if-env-changed`; make programs \
              explicit and fail clearly when they are missing; prefer pure-Rust crates to C \
              where one exists.",
        references: &[
            (
                "Cargo book: build scripts, rerun-if-env-changed",
                "https://doc.rust-lang.org/cargo/reference/build-scripts.html#rerun-if-env-changed",
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

/// What this rule reports; the rest is `build-script-behaviour`'s.
const INPUTS: &[Behaviour] = &[
    Behaviour::CompilesNative,
    Behaviour::RunsPrograms,
    Behaviour::ReadsEnv,
];

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    behaviours(cx, INPUTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    /// builder's script also runs `$RUSTC` (cargo's own compiler) and, under `#[cfg(windows)]`,
    /// `rc.exe` with `WindowsSdkDir`: neither is reported on a non-Windows host.
    #[test]
    fn programs_and_undeclared_variables() {
        let f = run(&RULE, source_rules());
        let got: Vec<(Level, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.level,
                    f.message.rsplit('(').next().unwrap().trim_end_matches(')'),
                )
            })
            .collect();
        assert_eq!(got, [(Level::Info, "git"), (Level::Info, "DEPLOY_TOKEN")]);
    }
}
