//! `supply-chain/architect-alias`: a cargo alias named `architect` in the repository's cargo
//! configuration, which replaces this review with the repository's own command.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/architect-alias",
    section: Section::SupplyChain,
    default_level: Level::Deny,
    summary: "a cargo alias named `architect` that replaces this review with the repository's command",
    docs: Docs {
        what: "Reads every `.cargo/config(.toml)` cargo would read in the workspace (as \
               `supply-chain/cargo-config-programs` does) and reports an `[alias]` named \
               `architect`.",
        why: "cargo resolves an alias before any external subcommand, so `cargo architect` \
              typed in the checkout runs whatever the alias says instead of this review: the \
              repository chooses what its reviewer executes (cargo only warns when the real \
              subcommand is installed).",
        fix: "Remove the alias. Run the review on untrusted code by its own binary name, from \
              outside the checkout (`cargo-architect --manifest-path CHECKOUT/Cargo.toml`), \
              never as `cargo architect` inside it.",
        references: &[
            (
                "cargo#10049: user-defined aliases shadowing external subcommands",
                "https://github.com/rust-lang/cargo/issues/10049",
            ),
            (
                "Cargo book: configuration, [alias]",
                "https://doc.rust-lang.org/cargo/reference/config.html#alias",
            ),
        ],
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
    fn no_architect_alias_in_the_fixtures() {
        // The alias itself is covered end to end in tests/hostile_config.rs.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }
}
