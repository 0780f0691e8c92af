//! `evolution/shadowed-toolchain-file`: `rust-toolchain` and `rust-toolchain.toml` in one directory.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/shadowed-toolchain-file",
    section: Section::Evolution,
    default_level: Level::Warn,
    summary: "both rust-toolchain and rust-toolchain.toml in one directory: rustup ignores the one readers look at",
    docs: Docs {
        what: "Reads the toolchain files rustup would use (as `evolution/toolchain-pin` does) and \
               reports a directory with both a legacy `rust-toolchain` and a \
               `rust-toolchain.toml`, where rustup uses the legacy file.",
        why: "A reader (and most tools) look at `rust-toolchain.toml`, but rustup honours the \
              legacy `rust-toolchain` file beside it: the toolchain that builds is not the \
              one the repository appears to pin.",
        fix: "Keep one file, `rust-toolchain.toml`.",
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
    fn no_shadowed_toolchain_file_in_the_fixtures() {
        // kitchen-sink has one toolchain file; both files are covered end to end in
        // tests/hostile_config.rs.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }
}
