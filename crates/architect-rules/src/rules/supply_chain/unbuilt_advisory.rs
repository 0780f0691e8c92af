//! `supply-chain/unbuilt-advisory`: RustSec advisories on locked versions that the build
//! never compiles for the reviewed platforms.

use architect_model::{Finding, Level, Section};

use super::advisory;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/unbuilt-advisory",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "RustSec advisories on locked versions that are never built for the reviewed platforms",
    docs: Docs {
        what: "Matches `Cargo.lock` against the RustSec advisory database as \
               `supply-chain/vulnerability` does, and reports advisories of any kind \
               (vulnerability, unsound, unmaintained, notice) on locked versions that the \
               build does not compile for the reviewed platforms (a dependency of another \
               platform, or one `cargo metadata` resolves but no build selects).",
        why: "A locked version that is never compiled cannot ship the flaw on these \
              platforms, so it is not a risk of this build; it is still in `Cargo.lock`, where \
              cargo-audit and cargo-deny will report it, and it becomes a risk the day a \
              platform or a feature selects it.",
        fix: "Update it anyway when it is cheap (`cargo update -p NAME`), or review with the \
              platforms that build it (`--target`).",
        references: &[
            ("RustSec advisory database", "https://rustsec.org/"),
            (
                "cargo-audit",
                "https://github.com/rustsec/rustsec/tree/main/cargo-audit",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    advisory::unbuilt(cx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, registry_ws, run};

    #[test]
    fn every_advisory_of_registry_ws_is_on_a_built_package() {
        // Advisories on packages of other platforms are covered end to end in
        // tests/advisories.rs.
        assert!(run(&RULE, registry_ws()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }
}
