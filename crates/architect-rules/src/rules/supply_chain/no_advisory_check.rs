//! `supply-chain/no-advisory-check`: neither cargo-deny nor cargo-audit is wired in.

use architect_model::{Finding, Level, Section};

use super::tooling::Seen;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/no-advisory-check",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "no advisory check (cargo-deny or cargo-audit) configured or run in CI",
    docs: Docs {
        what: "Looks for cargo-deny's and cargo-audit's configuration (`deny.toml`, \
               `.cargo/audit.toml`) and for their commands in CI workflows, Makefiles and \
               scripts, and reports when neither is there.",
        why: "An architecture review is a snapshot; an advisory check keeps watch afterwards. \
              cargo-deny and cargo-audit fail CI when a RustSec advisory lands on a locked \
              version; without one, a vulnerability in a dependency is found by an attacker \
              or by chance.",
        fix: "Add `cargo deny check` (with a `deny.toml`) or `cargo audit` to CI, on a schedule \
              as well as on pull requests, since advisories land on code that did not change.",
        references: &[
            ("cargo-deny", "https://embarkstudios.github.io/cargo-deny/"),
            ("RustSec: cargo-audit", "https://rustsec.org/"),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let seen = Seen::of(&cx.facts.tooling);
    if seen.advisories() {
        return Vec::new();
    }
    let f = cx.finding(
        "not wired in: an advisory check (cargo-deny or cargo-audit)",
        "run `cargo deny check` (or `cargo audit`) in CI so that a new advisory fails the build",
    );
    vec![seen.noted(f)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn a_missing_advisory_check_warns_and_a_wired_one_is_quiet() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("an advisory check"));
        assert!(
            run(&RULE, clean()).is_empty(),
            "clean runs cargo deny in CI"
        );
    }
}
