//! `supply-chain/cargo-config-settings`: what the repository's cargo configuration sets that
//! needs no action but is part of every build: programs on `PATH`, environment.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/cargo-config-settings",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "linkers on PATH and environment variables the repository's cargo config sets",
    docs: Docs {
        what: "Reads every `.cargo/config(.toml)` cargo would read in the workspace (as \
               `supply-chain/cargo-config-programs` does) and lists what it sets that names no \
               file: a `target.*.linker`, `runner` or `rustflags` linker found on `PATH` \
               (`-fuse-ld=lld`, a cross gcc), and `[env]` variables that name no program or \
               library, each group once per file. Not reported: `rust-lld` (every rustup \
               toolchain ships it), `[alias]` commands that shadow no tool (the team's \
               shorthands, such as `cargo xtask`), and `[env]` paths into the checkout \
               (`relative = true`).",
        why: "These are inputs of every build that the manifests do not show: a linker every \
              machine that builds the target must have, commands that `cargo NAME` runs in \
              this checkout, and variables rustc and build scripts see.",
        fix: "Nothing, if the team relies on them: document the build requirements. Keep \
              machine-specific choices in the user's own `~/.cargo/config.toml`.",
        references: &[(
            "Cargo book: configuration",
            "https://doc.rust-lang.org/cargo/reference/config.html",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.own(super::cargo_config::findings(cx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn plain_env_is_listed_once_per_file() {
        let f = run(&RULE, kitchen_sink());
        // kitchen-sink's rustc-wrapper is `supply-chain/cargo-config-programs`.
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "`.cargo/config.toml` sets 1 environment variable for rustc and build scripts: `APP_MODE`"
        );
        assert_eq!(f[0].notes, ["env.APP_MODE = `dev`"]);
        assert!(run(&RULE, clean()).is_empty());
    }
}
