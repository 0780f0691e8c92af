//! `supply-chain/unsound`: RustSec "unsound" advisories in locked versions.

use architect_model::{AdvisoryKind, Finding, Level, Section};

use super::advisory;
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/unsound",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "locked versions with a RustSec unsoundness advisory",
    docs: Docs {
        what: "Reports locked versions with an informational `unsound` RustSec advisory: an API \
               that lets safe code cause undefined behaviour. Only packages a workspace member \
               depends on directly in the shipped build (not dev-dependencies, not tooling \
               members), as cargo-deny's `unmaintained = \"workspace\"` setting does \
               (crates.io's own choice): a transitive crate's informational advisory is for its \
               dependent to act on. Left to `supply-chain/unbuilt-advisory`, with the reason: \
               an advisory whose `[affected.functions]` no shipped dependent names (in a file \
               that also names the crate or the method's type, so `Box<dyn Any>::downcast_mut` \
               is not anyhow's; behind a `pub use` re-export, anywhere in the re-exporter's \
               dependents), as for `supply-chain/vulnerability`; one that lists no functions \
               but whose text names items the package defines (`StackSlot`, `listener!`) \
               that nothing names; and one whose text makes an enabled feature a \
               precondition (\"the `log` and `thread_rng` features are enabled\") that the \
               build leaves off.",
        why: "Unsoundness is not yet an exploit, but it voids the guarantee the rest of the \
              program relies on: memory safety of safe code. Miscompilations and memory \
              corruption from it are hard to trace back to the dependency.",
        fix: "Update to a patched version (the fix is given), or avoid the unsound API and \
              record that with an ignore and a reason.",
        references: &[(
            "RustSec: informational advisories",
            "https://rustsec.org/categories/memory-corruption.html",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    advisory::direct_findings(cx, &AdvisoryKind::Unsound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{names, registry_ws, run};

    #[test]
    fn unsound_tokio_with_its_fix() {
        let f = run(&RULE, registry_ws());
        assert_eq!(names(&f), ["tokio"]);
        assert!(f[0].help.contains("--precise 1.40.0"), "{}", f[0].help);
    }
}
