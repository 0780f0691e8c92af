//! `supply-chain/tooling`: whether cargo-deny, cargo-audit, cargo-vet and cargo-auditable are
//! wired in.

use architect_model::{Finding, Level, Section};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/tooling",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "supply-chain tools (cargo-deny, cargo-audit, cargo-vet, cargo-auditable) not wired in",
    docs: Docs {
        what: "Looks for each tool's configuration (`deny.toml`, `.cargo/audit.toml`, \
               `supply-chain/config.toml`) and for its command in CI workflows, Makefiles and \
               scripts, and says which are missing.",
        why: "An architecture review is a snapshot; these tools keep watch afterwards. \
              cargo-deny and cargo-audit fail CI when a RustSec advisory lands on a locked \
              version; cargo-vet records who audited which crate; cargo-auditable embeds the \
              dependency list in release binaries so that deployed artifacts can be scanned \
              when an advisory is published later.",
        fix: "Add `cargo deny check` (with a `deny.toml`) or `cargo audit` to CI, and build \
              release binaries with `cargo auditable build`.",
        references: &[
            ("cargo-deny", "https://embarkstudios.github.io/cargo-deny/"),
            ("RustSec: cargo-audit", "https://rustsec.org/"),
            ("cargo-vet", "https://mozilla.github.io/cargo-vet/"),
            (
                "cargo-auditable",
                "https://github.com/rust-secure-code/cargo-auditable",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let t = &cx.facts.tooling;
    let seen = |tool: &str, config: &Option<String>| -> Option<String> {
        let used = t.mentions.get(tool).cloned().unwrap_or_default();
        match (config, used.is_empty()) {
            (None, true) => None,
            (Some(c), true) => Some(format!("{tool}: {c} (not seen in CI)")),
            (Some(c), false) => Some(format!("{tool}: {c}, run in {}", used.join(", "))),
            (None, false) => Some(format!("{tool}: run in {}", used.join(", "))),
        }
    };
    let deny = seen("cargo-deny", &t.cargo_deny);
    let audit = seen("cargo-audit", &t.cargo_audit);
    let vet = seen("cargo-vet", &t.cargo_vet);
    let auditable = seen("cargo-auditable", &None);
    let advisories = deny.is_some() || audit.is_some();
    let mut missing = Vec::new();
    if !advisories {
        missing.push("an advisory check (cargo-deny or cargo-audit)");
    }
    if vet.is_none() {
        missing.push("cargo-vet");
    }
    if auditable.is_none() {
        missing.push("cargo-auditable");
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let f = cx.finding(
        format!("not wired in: {}", missing.join(", ")),
        if advisories {
            "build release binaries with `cargo auditable build`, and record audits with cargo-vet"
        } else {
            "run `cargo deny check` (or `cargo audit`) in CI so that a new advisory fails the build"
        },
    );
    let f = if advisories { f } else { f.level(Level::Warn) };
    vec![
        [deny, audit, vet, auditable]
            .into_iter()
            .flatten()
            .fold(f, |f: Finding, p| f.note(p)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn missing_advisory_check_warns_and_wired_tools_are_quiet() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].level, Level::Warn);
        assert!(f[0].message.contains("an advisory check"));
        assert!(
            run(&RULE, clean()).is_empty(),
            "clean runs cargo deny, vet and auditable in CI"
        );
    }
}
