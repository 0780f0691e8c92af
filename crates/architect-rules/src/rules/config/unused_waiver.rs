//! `config/unused-waiver`: allow-list entries and ignores that match nothing.
//!
//! Detection lives in the engine (it needs the findings of every other rule); this file holds
//! the rule's identity and docs.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, Rule};

pub static RULE: Rule = Rule {
    id: "config/unused-waiver",
    section: Section::Config,
    default_level: Level::Warn,
    summary: "allow-list entries and ignores in the configuration that match no finding",
    docs: Docs {
        what: "Reports each `allow` entry and `[[ignore]]` of the configuration that matched no \
               finding in this review.",
        why: "Waivers outlive their reasons: the crate was removed or upgraded, the rule was \
              fixed. A stale waiver silently waives the next, unrelated finding that happens \
              to match it. cargo-deny reports unmatched skips for the same reason.",
        fix: "Delete the entry, or correct the package name or rule id it names.",
        references: &[],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(_: &Ctx<'_>) -> Vec<Finding> {
    Vec::new()
}
