//! `build/stale-workspace-hack`: a cargo-hakari workspace-hack that `cargo hakari generate`
//! would change.

use architect_model::{Finding, Level, Section};

use super::feature_unification::{Hack, hack, stale};
use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "build/stale-workspace-hack",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "a workspace-hack whose generated section `cargo hakari generate` would change",
    docs: Docs {
        what: "When the workspace has a cargo-hakari workspace-hack, computes with the `hakari` \
               library (what cargo-hakari runs) and the workspace's `.config/hakari.toml` what \
               `cargo hakari generate` would write, and reports the lines the hack's generated \
               section would lose and gain.",
        why: "A stale workspace-hack no longer pins one feature set for every command: the \
              dependencies it misses are rebuilt when moving between `cargo build -p` and \
              `--workspace` again, while everyone believes the hack prevents it.",
        fix: "Run `cargo hakari generate` and commit the result; run `cargo hakari generate \
              --diff` (or `cargo hakari verify`) in CI so it stays current.",
        references: &[
            ("cargo-hakari", "https://docs.rs/cargo-hakari"),
            (
                "Cargo book: feature unification",
                "https://doc.rust-lang.org/cargo/reference/features.html#feature-unification",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let state = hack(cx.facts);
    match &state {
        Hack::Stale { removed, added, .. } => vec![stale(cx, &state, removed, added)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{hakari_ws, kitchen_sink, run};

    #[test]
    fn an_up_to_date_hack_and_no_hack_are_quiet() {
        // A stale hack is covered end to end in tests/hakari.rs, which edits a copy.
        assert!(run(&RULE, hakari_ws()).is_empty());
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
