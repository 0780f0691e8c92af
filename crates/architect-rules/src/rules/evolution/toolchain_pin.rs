//! `evolution/toolchain-pin`: what `rust-toolchain(.toml)` pins, against what runs here.

use architect_model::{Finding, Level, Section, ToolchainPin};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "evolution/toolchain-pin",
    section: Section::Evolution,
    default_level: Level::Info,
    summary: "a rust-toolchain pin far behind the toolchain that ran the review",
    docs: Docs {
        what: "Reads the toolchain files rustup would use: the nearest `rust-toolchain` or \
               `rust-toolchain.toml` from the workspace root up to the repository root, and \
               any in the directories down to a member (a legacy `rust-toolchain` wins over \
               `rust-toolchain.toml` in one directory, as in rustup), and reports a pinned \
               version six or more minor releases (about nine months) behind the toolchain \
               running the review, unless it equals a member's `rust-version` (then it is an \
               MSRV check). What this machine has installed is not reported: it says nothing \
               of the repository. Both files in one directory is `evolution/shadowed-toolchain-file`, a \
               nightly pin `evolution/nightly-pin`, a `path = ...` toolchain \
               `evolution/path-toolchain`. The review itself always runs with the user's own \
               toolchain, never the pinned one.",
        why: "rustup runs whatever toolchain the file names for every `cargo` and `rustc` \
              invoked in the repository, including by editors. A `path` toolchain points every \
              build at arbitrary binaries chosen by the repository. A pinned version is a \
              reproducibility tool, but an old pin withholds compiler fixes and lints, and a \
              pin nobody has installed makes every contributor download it first.",
        fix: "Pin a release channel (`channel = \"1.xx\"`), never a `path`; move the pin \
              forward on a schedule, together with `rust-version`.",
        references: &[(
            "rustup: overrides and the toolchain file",
            "https://rust-lang.github.io/rustup/overrides.html#the-toolchain-file",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

/// `1.85.0` or `1.85` as comparable numbers.
fn version(s: &str) -> Option<(u64, u64, u64)> {
    let mut it = s.split('.').map(|x| x.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next().flatten().unwrap_or(0)))
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.own(findings(cx))
}

/// The findings of the toolchain files, each built for the rule that states it: this one
/// (`info`), `evolution/shadowed-toolchain-file` and `evolution/nightly-pin` (`warn`), and
/// `evolution/path-toolchain` (`deny`). Each of them keeps its own.
pub(crate) fn findings(cx: &Ctx<'_>) -> Vec<Finding> {
    cx.facts
        .toolchain
        .pins
        .iter()
        .flat_map(|pin| {
            pin_findings(cx, pin)
                .into_iter()
                .map(|f| match &pin.applies_in {
                    Some(dir) => {
                        f.note(format!("rustup uses this file for commands run in `{dir}`"))
                    }
                    None => f,
                })
        })
        .collect()
}

/// Crates that compare compiler output with checked-in snapshots (UI tests).
const UI_TEST_CRATES: &[&str] = &["trybuild", "ui_test", "compiletest_rs"];

/// A pin in one member's directory (not the workspace root) of a member whose dev-dependencies
/// compare compiler diagnostics with snapshots: the pin holds rustc's output still for those
/// tests (axum-macros pins a nightly for trybuild), it does not make the build need unstable
/// features; commands run at the root never use it.
fn ui_test_pin(facts: &architect_model::Facts, pin: &ToolchainPin) -> bool {
    let Some(dir) = &pin.applies_in else {
        return false;
    };
    let root = facts.graph.workspace().root();
    facts.graph.workspace().iter().any(|m| {
        let in_dir = m
            .manifest_path()
            .parent()
            .and_then(|d| d.strip_prefix(root).ok())
            .is_some_and(|d| d.as_str() == dir.trim_end_matches('/'));
        in_dir
            && m.direct_links()
                .any(|l| l.dev_only() && UI_TEST_CRATES.contains(&l.to().name()))
    })
}

/// Minor releases (six weeks each) a pin may lag before it is said: about nine months.
const STALE_MINORS: u64 = 6;

fn pin_findings(cx: &Ctx<'_>, pin: &ToolchainPin) -> Vec<Finding> {
    let facts = cx.facts;
    let at = || Some(pin.location.clone());
    let mut out = Vec::new();
    if let Some(ignored) = &pin.shadows {
        out.push(
            cx.finding_of(
                &super::shadowed_toolchain_file::RULE,
                format!(
                    "both `{}` and `{}` exist: rustup uses `{}` and ignores `{}`",
                    pin.location.path, ignored.path, pin.location.path, ignored.path
                ),
                "keep one file, `rust-toolchain.toml`: what a reader sees should be what rustup uses",
            )
            .at(at()),
        );
    }
    if let Some(path) = &pin.path {
        out.push(
            cx.finding_of(
                &super::path_toolchain::RULE,
                format!("the toolchain file points at a path toolchain (`{path}`): every cargo and rustc run in this repository would execute binaries from there"),
                "replace `path` with a release `channel`",
            )
            .at(at()),
        );
    }
    let Some(channel) = &pin.channel else {
        return out;
    };
    if channel.starts_with("nightly") && !ui_test_pin(facts, pin) {
        out.push(
            cx.finding_of(
                &super::nightly_pin::RULE,
                format!("pinned to `{channel}`: builds depend on unstable features that can change or vanish"),
                "list the unstable features used and track their stabilisation; move to a stable release when they land",
            )
            .at(at()),
        );
    }
    // How old the pin is against the toolchain that ran the review: only a pin far behind is
    // said (a pin at the workspace's own `rust-version` is an MSRV check, not a lag), and
    // nothing of what this machine has installed, which is not a property of the repository.
    let running = facts.toolchain.running.as_deref();
    let msrv_pin = cx.facts.graph.workspace().iter().any(|m| {
        m.rust_version()
            .is_some_and(|v| version(channel).is_some_and(|p| (p.0, p.1) == (v.major, v.minor)))
    });
    if let (Some(pinned), Some(run)) = (version(channel), running.and_then(version))
        && pinned.0 == run.0
        && run.1 >= pinned.1 + STALE_MINORS
        && !msrv_pin
    {
        out.push(
            cx.finding_of(
                &RULE,
                format!(
                    "pinned to Rust {channel}, {} minor releases behind the {} the review ran with: about {} months of compiler fixes and lints held back",
                    run.1 - pinned.1,
                    running.unwrap_or("?"),
                    (run.1 - pinned.1) * 6 / 4
                ),
                "move the pin forward (and `rust-version` with it) on a regular schedule",
            )
            .at(at()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn versions_compare_numerically() {
        assert!(version("1.9.0") < version("1.10.0"));
        assert_eq!(version("1.85"), Some((1, 85, 0)));
        assert_eq!(version("stable"), None);
    }

    #[test]
    fn no_pin_no_finding() {
        assert!(run(&RULE, clean()).is_empty());
        // kitchen-sink pins 1.97.0; whether that is installed depends on the machine, so the
        // end-to-end snapshot (which filters the installed list) covers it.
        for f in run(&RULE, kitchen_sink()) {
            assert_eq!(f.locations[0].path, "rust-toolchain.toml");
        }
    }
}
