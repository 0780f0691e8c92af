//! `evolution/nightly-pin`: a toolchain file that pins a nightly.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/nightly-pin",
    section: Section::Evolution,
    default_level: Level::Warn,
    summary: "a rust-toolchain pin on nightly: builds depend on unstable features",
    docs: Docs {
        what: "Reads the toolchain files rustup would use (as `evolution/toolchain-pin` does) and \
               reports a `channel` that is a nightly. Not reported: a nightly pinned in one \
               member's directory whose dev-dependencies compare compiler output with \
               snapshots (trybuild, ui_test): it holds diagnostics still for those tests.",
        why: "A nightly pin means the build relies on unstable features, which can change or \
              vanish in any nightly; moving the pin forward becomes a migration, and users \
              of a library cannot build it with a stable compiler.",
        fix: "List the unstable features used and track their stabilisation; move to a stable \
              release when they land, and keep nightly-only tools (rustfmt options, miri) out \
              of the build pin.",
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
    use crate::testing::{clean, fixture, kitchen_sink, run};

    #[test]
    fn no_nightly_pin_in_the_fixtures() {
        // kitchen-sink pins a release; nightly pins are covered end to end in
        // tests/hostile_config.rs.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn a_member_pin_for_ui_tests_is_not_a_nightly_build() {
        // `macros` pins a nightly next to its trybuild dev-dependency; `nightly-lib` has no
        // UI tests, so its nightly pin is what the rule is for.
        let f = run(&RULE, fixture("pinned"));
        let at: Vec<&str> = f.iter().map(|f| f.locations[0].path.as_str()).collect();
        assert_eq!(at, ["nightly-lib/rust-toolchain.toml"]);
        crate::assert_rule_snapshot!(&RULE, "pinned");
    }
}
