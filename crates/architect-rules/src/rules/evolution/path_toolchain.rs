//! `evolution/path-toolchain`: a toolchain file that points at a `path` toolchain.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/path-toolchain",
    section: Section::Evolution,
    default_level: Level::Deny,
    summary: "a rust-toolchain file that points every cargo and rustc run at binaries from a path",
    docs: Docs {
        what: "Reads the toolchain files rustup would use (as `evolution/toolchain-pin` does) and \
               reports one that sets `path = ...` instead of a `channel`.",
        why: "rustup runs whatever toolchain the file names for every `cargo` and `rustc` \
              invoked in the repository, including by editors. A `path` toolchain points every \
              build at arbitrary binaries chosen by the repository: code execution on opening \
              the checkout.",
        fix: "Replace `path` with a release `channel` (`channel = \"1.xx\"`).",
        references: &[(
            "rustup: overrides and the toolchain file",
            "https://rust-lang.github.io/rustup/overrides.html#the-toolchain-file",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.own(super::toolchain_pin::findings(cx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn no_path_toolchain_in_the_fixtures() {
        // kitchen-sink pins a release channel; the path toolchain is covered end to end in
        // tests/hostile.rs and tests/hostile_config.rs.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }
}
