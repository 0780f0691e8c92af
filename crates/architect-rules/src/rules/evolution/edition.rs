//! `evolution/edition`: members not on the 2024 edition.

use std::collections::BTreeMap;

use architect_model::{Edition, Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "evolution/edition",
    section: Section::Evolution,
    default_level: Level::Allow,
    summary: "workspace members on an edition before 2024",
    docs: Docs {
        what: "Reports, in one finding, the workspace members on an edition before 2024 whose \
               `rust-version` allows it (1.85 or later, or none), per edition, pointing at the \
               oldest one's `edition` line. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): labelled on eight real workspaces, being on edition 2021 was never a problem worth reading by itself (0 of 2); the migrations that need a person are `evolution/edition-2024-hazards`.",
        why: "Editions change the language for one crate at a time; a workspace that lags \
              accumulates migration work, and some migrations need a person, not `cargo fix`: \
              in 2024 `std::env::set_var` became `unsafe` (each call needs an argument that no \
              other thread reads the environment), `extern` blocks need `unsafe`, and `static \
              mut` references are denied. Resolver 3 and the new `impl Trait` capture rules \
              also come with 2024.",
        fix: "Migrate one crate at a time: `cargo fix --edition -p CRATE`, set `edition = \
              \"2024\"`, review what `cargo fix` could not do, and move `edition` to \
              `[workspace.package]` when all members agree.",
        references: &[(
            "The Rust Edition Guide: Rust 2024",
            "https://doc.rust-lang.org/edition-guide/rust-2024/index.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Members named per edition in the notes; the finding's packages list them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let members: Vec<_> = facts.graph.workspace().iter().collect();
    // A member whose `rust-version` is below 1.85 cannot take edition 2024 without raising
    // it: that is the MSRV's decision, not a migration lag.
    let old = |p: &guppy::graph::PackageMetadata<'_>| {
        Edition::of(p) < Edition::LATEST
            && p.rust_version()
                .is_none_or(|v| (v.major, v.minor) >= (1, 85))
            && !cx.allows(p.name(), &p.version().to_string())
    };
    let mut behind: BTreeMap<Edition, Vec<&str>> = BTreeMap::new();
    for p in members.iter().filter(|p| old(p)) {
        behind.entry(Edition::of(p)).or_default().push(p.name());
    }
    let n: usize = behind.values().map(Vec::len).sum();
    if n == 0 {
        return Vec::new();
    }
    let tally = behind
        .iter()
        .map(|(e, names)| format!("{e}: {}", names.len()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut f = cx.finding(
        format!(
            "{n} of {} on an edition before 2024 ({tally})",
            count(members.len(), "member is", "members are")
        ),
        "migrate one crate at a time: `cargo fix --edition -p CRATE`, set edition = \"2024\", and move `edition` to [workspace.package] once all agree",
    );
    for (edition, names) in &mut behind {
        names.sort_unstable();
        f = f.note(format!("edition {edition}: {}", name_list(names, SHOWN)));
    }
    let mut listed: Vec<_> = members.iter().filter(|p| old(p)).collect();
    listed.sort_by_key(|p| (Edition::of(p), p.name()));
    let at = listed.first().and_then(|p| {
        facts
            .manifests
            .get(p.id())
            .and_then(|m| m.edition.clone().or_else(|| m.header().cloned()))
    });
    for p in listed {
        f = f.package(pkg_ref(p));
    }
    vec![f.at(at)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, names, run};

    #[test]
    fn members_before_2024_in_one_finding_at_the_oldest() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "3 of 4 members are on an edition before 2024 (2018: 1, 2021: 2)"
        );
        assert_eq!(names(&f), ["ffi"], "the oldest first");
        assert_eq!(f[0].locations[0].line, 4, "ffi's edition line");
        assert_eq!(
            f[0].notes,
            ["edition 2018: `ffi`", "edition 2021: `app`, `macros`"]
        );
        assert!(run(&RULE, clean()).is_empty());
    }
}
