//! `msrv/pin-below-msrv`: a toolchain pin older than the effective MSRV, which cannot build.

use architect_model::{Finding, Level, Section};
use guppy::Version;

use super::effective::effective;
use crate::rule::{Ctx, Docs, FindingExt, Rule};
use crate::semver_util::rust_version;

pub static RULE: Rule = Rule {
    id: "msrv/pin-below-msrv",
    section: Section::Msrv,
    default_level: Level::Deny,
    summary: "a rust-toolchain pin below the effective MSRV: the pinned toolchain cannot build the workspace",
    docs: Docs {
        what: "Compares the version the workspace's `rust-toolchain(.toml)` pins with the \
               effective MSRV (`msrv/effective`: the highest `rust-version` among the \
               third-party packages of the shipped build) and reports a pin below it.",
        why: "rustup runs the pinned toolchain for every `cargo` command in the repository. \
              When a dependency needs a newer compiler than the pin, every build in the \
              repository fails (or, with a manual override, CI and contributors build with \
              different compilers than the pin claims).",
        fix: "Raise the pin to the effective MSRV or later, or hold the dependencies that \
              need a newer compiler back.",
        references: &[
            (
                "Cargo book: rust-version",
                "https://doc.rust-lang.org/cargo/reference/rust-version.html",
            ),
            (
                "rustup: overrides and the toolchain file",
                "https://rust-lang.github.io/rustup/overrides.html#the-toolchain-file",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

/// Whether a pinned channel is a release older than `effective`: `stable`, `nightly` and
/// dated channels follow the compiler forward, so only a version compares.
fn below(channel: &str, effective: &Version) -> bool {
    rust_version(channel).is_some_and(|pinned| &pinned < effective)
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let Some((pin, channel)) = facts.toolchain.pinned_channel() else {
        return Vec::new();
    };
    let Some(e) = effective(facts) else {
        return Vec::new();
    };
    if !below(channel, &e.version) {
        return Vec::new();
    }
    vec![
        cx.finding(
            format!(
                "the toolchain pin {} is below the effective MSRV {}.{}: this workspace cannot build with it",
                channel,
                e.version.major,
                e.version.minor
            ),
            "raise the pin to the effective MSRV or later",
        )
        .at(Some(pin.location.clone())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, registry_ws, run};

    #[test]
    fn only_a_release_older_than_the_effective_msrv_is_below_it() {
        let effective = Version::new(1, 70, 0);
        assert!(below("1.69", &effective));
        assert!(below("1.69.0", &effective));
        assert!(!below("1.70", &effective));
        assert!(!below("1.70.0", &effective));
        assert!(!below("1.85.0", &effective));
        assert!(!below("stable", &effective));
        assert!(!below("nightly-2025-01-01", &effective));
    }

    #[test]
    fn no_pin_below_the_effective_msrv_in_the_fixtures() {
        // registry-ws has an effective MSRV but no pin; kitchen-sink pins a recent release.
        for facts in [registry_ws(), kitchen_sink(), clean()] {
            assert!(run(&RULE, facts).is_empty());
        }
    }
}
