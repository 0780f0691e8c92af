//! `supply-chain/notice`: RustSec "notice" advisories in locked versions.

use architect_model::{AdvisoryKind, Finding, Level, Section};

use super::advisory;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/notice",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "RustSec notices about locked versions",
    docs: Docs {
        what: "Reports informational `notice` RustSec advisories (and informational kinds this \
               version does not know) about locked packages.",
        why: "Notices record what a maintainer of the ecosystem wants users to know: a crate \
              renamed, a release retracted, a behaviour change that is not a vulnerability.",
        fix: "Read the advisory; act on it or ignore it by id with a reason.",
        references: &[("RustSec advisory database", "https://rustsec.org/")],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = advisory::findings(cx, &AdvisoryKind::Notice);
    if let Some((_, matches)) = &cx.facts.advisories {
        let mut kinds: Vec<&AdvisoryKind> = matches
            .iter()
            .map(|m| &m.kind)
            .filter(|k| matches!(k, AdvisoryKind::Other(_)))
            .collect();
        kinds.dedup();
        for k in kinds {
            out.extend(advisory::findings(cx, k));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{names, registry_ws, run};

    #[test]
    fn notices() {
        assert_eq!(names(&run(&RULE, registry_ws())), ["msrvlib"]);
    }
}
