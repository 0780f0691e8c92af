//! `supply-chain/unmaintained`: RustSec "unmaintained" advisories in locked versions.

use architect_model::{AdvisoryKind, Finding, Level, Section};

use super::advisory;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/unmaintained",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "dependencies RustSec marks as unmaintained",
    docs: Docs {
        what: "Reports locked packages with an informational `unmaintained` RustSec advisory, \
               with the alternatives the advisory names. Only packages a workspace member \
               depends on directly in the shipped build (no dev-dependencies, no tooling \
               members), as cargo-deny's `unmaintained = \"workspace\"` setting \
               does (crates.io's own choice): a transitive crate's informational advisory is \
               for its dependent to act on.",
        why: "An unmaintained crate will not be fixed when a vulnerability is found, will not \
              follow its own dependencies' major releases (so duplicates accumulate), and \
              eventually stops compiling on new toolchains. Replacing it is cheaper while it \
              still works.",
        fix: "Plan the replacement the advisory suggests; until then, ignore the advisory by id \
              with a reason and an `until` date so that it comes back.",
        references: &[(
            "RustSec: HOWTO unmaintained",
            "https://github.com/rustsec/advisory-db/blob/main/HOWTO_UNMAINTAINED.md",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    advisory::direct_findings(cx, &AdvisoryKind::Unmaintained)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{names, registry_ws, run};

    #[test]
    fn unmaintained_with_alternatives() {
        let f = run(&RULE, registry_ws());
        assert_eq!(names(&f), ["async-std", "oldlib"]);
        assert!(f.iter().all(|f| f.help.contains("the advisory suggests")));
    }
}
