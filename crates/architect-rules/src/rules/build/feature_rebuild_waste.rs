//! `build/feature-rebuild-waste`: `cargo build` and `cargo test` of members and the workspace compile
//! dependencies in different feature sets, a large share of a clean build's work again, and no
//! up-to-date workspace-hack prevents it.

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};

use super::feature_unification::{Hack, differences, hack};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "build/feature-rebuild-waste",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "feature differences between commands that compile a large share of a clean build twice, without an up-to-date workspace-hack",
    docs: Docs {
        what: "Computes, as `build/feature-unification` does, the work `cargo build -p \
               MEMBER`, `cargo build --workspace` and the same with `cargo test` (which \
               unifies dev-dependencies in; `cargo check --all-targets` resolves features as \
               it does) compile twice because third-party \
               packages get different feature sets (each set is a separate artifact: compiled \
               once per set, then cached), and reports it when that is at \
               least `min-share` of a clean build and `min-seconds` of estimated work (a few \
               seconds are not worth a workspace-hack's upkeep, whatever their share), and the \
               workspace has no up-to-date \
               workspace-hack (an up-to-date one leaves out what its configuration chooses to).",
        why: "Cargo unifies features per command, so building one member after another (or \
              after the whole workspace) gives `serde` or `tokio` a different feature set: \
              cargo compiles another copy of them and of everything above them, in every \
              clean build, CI job and cache that runs both kinds of command, and target \
              directories and CI caches hold both. cargo-hakari's workspace-hack pins one \
              feature set for all commands, so each dependency is built once.",
        fix: "Run `cargo hakari init` and `cargo hakari generate` (and `cargo hakari verify` in \
              CI), or align the features the members ask for.",
        references: &[
            ("cargo-hakari", "https://docs.rs/cargo-hakari"),
            (
                "Cargo book: feature unification",
                "https://doc.rust-lang.org/cargo/reference/features.html#feature-unification",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "min-share",
            kind: OptionKind::Share,
            default: "0.1",
            doc: "estimated rebuild time, as a share of a clean build, from which a workspace-hack is recommended",
        },
        OptionSpec {
            name: "min-seconds",
            kind: OptionKind::Integer,
            default: "15",
            doc: "estimated seconds rebuilt (at -j1) from which it is reported: below, a workspace-hack's upkeep costs more than it saves",
        },
    ],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let state = hack(cx.facts);
    if matches!(state, Hack::UpToDate { .. }) {
        return Vec::new();
    }
    let (_, Some(waste)) = differences(cx) else {
        return Vec::new();
    };
    let min_share = cx.number("min-share");
    if waste.share() < min_share || waste.seconds < cx.number("min-seconds") {
        return Vec::new();
    }
    let help = match &state {
        Hack::Stale { package, .. } => {
            format!("the workspace-hack `{package}` is out of date: run `cargo hakari generate`")
        }
        unknown @ Hack::Unknown { .. } => unknown.describe(),
        _ => "`cargo hakari init` and `cargo hakari generate` would build each once".into(),
    };
    vec![
        cx.finding(
            format!(
                "`cargo build` and `cargo test` of members (`-p`) and of the workspace compile {:.0}% of a clean build's work a second time in other feature sets ({:.1} s, most through {}), past the {:.0}% from which a workspace-hack pays",
                waste.share() * 100.0,
                waste.seconds,
                waste.top.join(", "),
                min_share * 100.0
            ),
            help,
        )
            .note(unification_note(&waste))
            .at(cx.facts.workspace_table.clone())
            .costs(architect_model::Consequence::BuildSeconds {
                seconds: waste.seconds,
            }),
    ]
}

/// What cargo's own remedy would change: `resolver.feature-unification = "workspace"`.
fn unification_note(waste: &super::feature_unification::Waste) -> String {
    let cost = match &waste.unified_extra {
        Some((member, n)) => format!(
            "; in exchange `cargo build -p {member}` would compile {} with features it does not ask for",
            crate::rule::count(*n, "package", "packages")
        ),
        None => String::new(),
    };
    format!(
        "cargo's `resolver.feature-unification = \"workspace\"` (nightly, `-Zfeature-unification`) would leave {:.1} s of the {:.1} s (between `cargo build` and `cargo test`, whose dev-dependencies still differ){cost}; a workspace-hack removes both",
        waste.seconds_unified, waste.seconds
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, hakari_ws, kitchen_sink, run, run_with};

    #[test]
    fn an_up_to_date_hack_and_no_third_party_packages_are_quiet() {
        assert!(run(&RULE, hakari_ws()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn kitchen_sinks_feature_switch_is_reported_past_the_share() {
        // tokio's features differ between `-p ws-core` and `-p app`; the rebuild is a large
        // share of the small fixture's build.
        let f = run_with(&RULE, kitchen_sink(), &[("min-seconds", 0)]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.starts_with(
                "`cargo build` and `cargo test` of members (`-p`) and of the workspace compile 20%"
            ),
            "{}",
            f[0].message
        );
        // What cargo's own `feature-unification = "workspace"` would change: tokio's two sets
        // come from `-p ws-core` and `-p app`, which it unifies; nothing differs by dev-deps.
        let note = &f[0].notes[0];
        assert!(
            note.contains("would leave 0.0 s of the")
                && note.contains("`cargo build -p ws-core` would compile 1 package with features it does not ask for"),
            "{note}"
        );
        // A few seconds rebuilt is not worth a workspace-hack's upkeep, whatever the share.
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
