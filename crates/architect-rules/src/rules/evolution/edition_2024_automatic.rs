//! `evolution/edition-2024-automatic`: what the 2024 migration rewrites by itself, counted.

use std::collections::BTreeMap;

use architect_model::{Finding, Hazard, Level, Section};

use super::edition_2024_hazards::{classify, published_library, static_muts};
use crate::graph::{pkg_ref, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "evolution/edition-2024-automatic",
    section: Section::Evolution,
    default_level: Level::Info,
    summary: "how much of the edition-2024 migration `cargo fix --edition` does by itself",
    docs: Docs {
        what: "One finding per workspace: in members on an edition before 2024, the sites \
               `cargo fix --edition` rewrites without a decision, counted per crate and kind: \
               `extern` blocks without `unsafe`, `#[no_mangle]`/`#[export_name]`/\
               `#[link_section]` without `unsafe(...)`, `gen` used as an identifier, and `expr` \
               fragments of macros no other crate uses. The sites that need a person are \
               `evolution/edition-2024-hazards`.",
        why: "These sites change meaning or stop compiling in 2024, but the migration lints \
              carry machine-applicable fixes (`unsafe extern`, `#[unsafe(no_mangle)]`, \
              `r#gen`, `expr_2021`), so listing them one by one asks a person to read what a \
              tool does; their number only sizes the diff of the migration commit.",
        fix: "Run `cargo fix --edition -p CRATE` per crate, set `edition = \"2024\"`, and \
              review the diff; `gen` from `rand` is better renamed to `random()` than written \
              `r#gen`.",
        references: &[
            (
                "Edition Guide: transitioning an existing project",
                "https://doc.rust-lang.org/edition-guide/editions/transitioning-an-existing-project-to-a-new-edition.html",
            ),
            (
                "Edition Guide: unsafe extern blocks",
                "https://doc.rust-lang.org/edition-guide/rust-2024/unsafe-extern.html",
            ),
            (
                "Edition Guide: gen keyword",
                "https://doc.rust-lang.org/edition-guide/rust-2024/gen-keyword.html",
            ),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut crates = Vec::new();
    for (meta, pkg) in workspace_sources(cx.facts) {
        if meta.edition() >= "2024" {
            continue;
        }
        let statics = static_muts(pkg);
        let published = published_library(&meta);
        let mut counts: BTreeMap<Hazard, usize> = BTreeMap::new();
        for file in &pkg.files {
            for (hazard, _, detail) in &file.facts.hazards {
                if let Some(h) = classify(*hazard, detail, file, &statics, published)
                    && !h.needs_person()
                {
                    *counts.entry(h).or_default() += 1;
                }
            }
        }
        if !counts.is_empty() {
            crates.push((meta, counts));
        }
    }
    if crates.is_empty() {
        return Vec::new();
    }
    let total: usize = crates.iter().flat_map(|(_, c)| c.values()).sum();
    let mut f = cx.finding(
        format!(
            "`cargo fix --edition` rewrites {} in {} by itself",
            count(total, "site", "sites"),
            count(crates.len(), "crate", "crates")
        ),
        "run it per crate and review the diff; nothing here needs a decision",
    );
    for (meta, counts) in &crates {
        let kinds: Vec<String> = counts
            .iter()
            .map(|(h, n)| format!("{n} × {}", h.describe()))
            .collect();
        f = f.package(pkg_ref(meta)).note(format!(
            "`{}` (edition {}): {}",
            meta.name(),
            meta.edition(),
            kinds.join(", ")
        ));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, run, source_rules};

    #[test]
    fn one_count_for_the_workspace_nothing_per_site() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert!(f.locations.is_empty());
        assert_eq!(f.packages[0].name, "legacy");
        assert_eq!(f.notes.len(), 1, "{:?}", f.notes);
        assert!(run(&RULE, clean()).is_empty());
    }
}
