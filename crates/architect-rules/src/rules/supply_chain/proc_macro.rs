//! `supply-chain/proc-macro`: every proc-macro package, code that runs inside the compiler.

use architect_model::{Finding, Level, Section};

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/proc-macro",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "proc-macro packages: code that runs inside rustc at compile time",
    docs: Docs {
        what: "Lists every proc-macro package in the build.",
        why: "A procedural macro is a dynamic library loaded into rustc and run on every \
              compilation, with the same power as a build script: it can read files, the \
              environment and the network while your code compiles, in developers' editors \
              (rust-analyzer expands macros) as well as in CI. Proc-macros and their parser \
              stack (`syn`, `quote`) are also compiled for the host before any dependent can \
              start, which puts them on the critical path of a build.",
        fix: "Keep the set small and known. Prefer `macro_rules!` or plain code where a derive \
              buys little; accept the ones you keep in `allow` with a reason.",
        references: &[(
            "The Rust Reference: procedural macros",
            "https://doc.rust-lang.org/reference/procedural-macros.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.facts
        .built()
        .filter(|p| p.is_proc_macro())
        .map(|p| {
            let (locations, path) = dependency_evidence(cx.facts, p.id());
            cx.finding(
                format!("`{}` is a proc-macro: it runs inside rustc", pkg_ref(&p)),
                "accept it in `allow` with a reason once reviewed",
            )
            .package(pkg_ref(&p))
            .via(path)
            .at(locations.into_iter().next())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn lists_proc_macros() {
        assert_eq!(
            names(&run(&RULE, kitchen_sink())),
            ["macros", "serde_derive"]
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
