//! `supply-chain/proc-macro`: every proc-macro package, code that runs inside the compiler.

use architect_model::{Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "supply-chain/proc-macro",
    section: Section::SupplyChain,
    default_level: Level::Allow,
    summary: "proc-macro packages: code that runs inside rustc at compile time",
    docs: Docs {
        what: "Lists, in one finding, the proc-macro packages of the build: the third-party \
               ones by name, and how many are the workspace's own. Accepted ones go in the \
               rule's allow-list with a reason and leave the list. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): an inventory: labelled on eight real workspaces, a list of proc-macros was never worth reading by itself (0 of 8).",
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

/// Third-party names shown in the message; the finding's packages list them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let macros: Vec<_> = cx
        .facts
        .built()
        .filter(|p| p.is_proc_macro())
        .filter(|p| !cx.allows(p.name(), &p.version().to_string()))
        .collect();
    if macros.is_empty() {
        return Vec::new();
    }
    let mut third: Vec<&str> = macros
        .iter()
        .filter(|p| !p.in_workspace())
        .map(|p| p.name())
        .collect();
    third.sort_unstable();
    let own = macros.len() - third.len();
    let message = match (third.len(), own) {
        (0, n) => format!(
            "{} inside rustc",
            count(
                n,
                "proc-macro of the workspace runs",
                "proc-macros of the workspace run"
            )
        ),
        (t, n) => format!(
            "{} inside rustc at every build: {}{}",
            count(
                t,
                "third-party proc-macro runs",
                "third-party proc-macros run"
            ),
            name_list(&third, SHOWN),
            if n > 0 {
                format!(
                    "; and {} of the workspace",
                    count(n, "proc-macro", "proc-macros")
                )
            } else {
                String::new()
            }
        ),
    };
    // Third-party packages first, by name: the finding's first package is one to review.
    let mut macros = macros;
    macros.sort_by(|a, b| (a.in_workspace(), a.name()).cmp(&(b.in_workspace(), b.name())));
    let mut f = cx.finding(
        message,
        "accept each in `allow` with a reason once reviewed, so a new one stands out",
    );
    for p in macros {
        f = f.package(pkg_ref(&p));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn lists_proc_macros() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(names(&f), ["serde_derive"], "the first package");
        assert_eq!(
            f[0].packages.len(),
            2,
            "serde_derive and the workspace's `macros`"
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
