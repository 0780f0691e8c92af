//! `supply-chain/tooling`: whether cargo-deny, cargo-audit, cargo-vet and cargo-auditable are
//! wired in.

use architect_model::{Finding, Level, Section, ToolingFacts};

use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/tooling",
    section: Section::SupplyChain,
    default_level: Level::Allow,
    summary: "supply-chain tools that keep watch after an advisory check (cargo-vet, cargo-auditable) not wired in",
    docs: Docs {
        what: "Looks for each tool's configuration (`deny.toml`, `.cargo/audit.toml`, \
               `supply-chain/config.toml`) and for its command in CI workflows, Makefiles and \
               scripts, and says whether cargo-vet and cargo-auditable are missing. No \
               advisory check at all (cargo-deny or cargo-audit) is \
               `supply-chain/no-advisory-check`. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): a checklist of supply-chain tools not wired in (cargo-vet, cargo-auditable): labelled on eight real workspaces, 0 of 8 worth reading; a missing advisory check is `supply-chain/no-advisory-check` (warn).",
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

/// What was seen of each tool, as notes: `cargo-deny: deny.toml, run in ci.yml`.
pub(crate) struct Seen {
    pub deny: Option<String>,
    pub audit: Option<String>,
    pub vet: Option<String>,
    pub auditable: Option<String>,
}

impl Seen {
    pub(crate) fn of(t: &ToolingFacts) -> Seen {
        let seen = |tool: &str, config: &Option<String>| -> Option<String> {
            let used = t.mentions.get(tool).cloned().unwrap_or_default();
            match (config, used.is_empty()) {
                (None, true) => None,
                (Some(c), true) => Some(format!("{tool}: {c} (not seen in CI)")),
                (Some(c), false) => Some(format!("{tool}: {c}, run in {}", used.join(", "))),
                (None, false) => Some(format!("{tool}: run in {}", used.join(", "))),
            }
        };
        Seen {
            deny: seen("cargo-deny", &t.cargo_deny),
            audit: seen("cargo-audit", &t.cargo_audit),
            vet: seen("cargo-vet", &t.cargo_vet),
            auditable: seen("cargo-auditable", &None),
        }
    }

    /// Whether an advisory check (cargo-deny or cargo-audit) is wired in.
    pub(crate) fn advisories(&self) -> bool {
        self.deny.is_some() || self.audit.is_some()
    }

    /// The finding with what was seen as notes.
    pub(crate) fn noted(&self, f: Finding) -> Finding {
        [&self.deny, &self.audit, &self.vet, &self.auditable]
            .into_iter()
            .flatten()
            .fold(f, |f, p| f.note(p.clone()))
    }
}

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let seen = Seen::of(&cx.facts.tooling);
    // No advisory check at all is `supply-chain/no-advisory-check`.
    let mut missing = Vec::new();
    if seen.vet.is_none() {
        missing.push("cargo-vet");
    }
    if seen.auditable.is_none() {
        missing.push("cargo-auditable");
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let f = cx.finding(
        format!("not wired in: {}", missing.join(", ")),
        "build release binaries with `cargo auditable build`, and record audits with cargo-vet",
    );
    vec![seen.noted(f)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn missing_vet_and_auditable_inform_and_wired_tools_are_quiet() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, "not wired in: cargo-vet, cargo-auditable");
        assert!(
            run(&RULE, clean()).is_empty(),
            "clean runs cargo deny, vet and auditable in CI"
        );
    }
}
