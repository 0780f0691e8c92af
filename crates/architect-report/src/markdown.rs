//! `--format markdown`: a review document to send to a team.

use std::fmt::Write;

use architect_model::{Level, Review, Section};
use architect_rules::find;

use crate::Context;

fn level_word(l: Level) -> &'static str {
    match l {
        Level::Deny => "**deny**",
        Level::Warn => "warn",
        Level::Info | Level::Allow => "info",
    }
}

pub fn render(review: &Review, cx: &Context<'_>) -> String {
    let s = &review.summary;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Architecture review: `{}`\n", cx.root);
    let _ = writeln!(
        w,
        "Produced by cargo-architect {} from the workspace itself: every statement below names the package, manifest line or figure it rests on.\n",
        cx.tool_version
    );
    let _ = writeln!(w, "## Summary\n");
    let _ = writeln!(w, "| figure | value |\n|---|---|");
    let _ = writeln!(w, "| platforms reviewed | {} |", s.platforms.join(", "));
    let _ = writeln!(w, "| packages in the build | {} |", s.packages);
    let _ = writeln!(w, "| workspace members | {} |", s.workspace_members.len());
    let _ = writeln!(
        w,
        "| lines of Rust in the workspace | {} |",
        s.lines_of_rust_workspace
    );
    let _ = writeln!(w, "| build scripts | {} |", s.build_scripts.len());
    let _ = writeln!(w, "| proc-macros | {} |", s.proc_macros.len());
    let _ = writeln!(
        w,
        "| crates in more than one version | {} |",
        s.duplicate_crates.len()
    );
    let _ = writeln!(w, "| git dependencies | {} |", s.git_dependencies.len());
    if let Some(b) = s.build.as_ref().filter(|b| !b.assumed_sizes) {
        let _ = writeln!(
            w,
            "| clean build, simulated at -j{} | about {} ({} units; critical path {}) |",
            b.jobs,
            crate::seconds(b.predicted_s),
            b.units,
            crate::seconds(b.critical_path_s)
        );
        let by_jobs: Vec<String> = b
            .by_jobs
            .iter()
            .map(|t| format!("-j{} {}", t.jobs, crate::seconds(t.predicted_s)))
            .collect();
        let _ = writeln!(w, "| clean build by job count | {} |", by_jobs.join(", "));
    }
    let _ = writeln!(
        w,
        "| RustSec advisories matching the lockfile | {} |",
        s.advisories
            .map_or("not checked".to_string(), |(db, n)| format!(
                "{n} (of {db} in the database)"
            ))
    );
    let _ = writeln!(
        w,
        "| findings | {} deny, {} warn, {} info |\n",
        review.count(Level::Deny),
        review.count(Level::Warn),
        review.count(Level::Info)
    );

    let mut top: Vec<_> = review
        .findings
        .iter()
        .filter(|f| f.level >= Level::Warn)
        .collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.level));
    if !top.is_empty() {
        let _ = writeln!(w, "### Top risks\n");
        for f in top.iter().take(5) {
            let _ = writeln!(
                w,
                "1. {} — {} (`{}`)",
                level_word(f.level),
                f.message,
                f.rule
            );
        }
        let _ = writeln!(w);
    }
    if !review.notes.is_empty() {
        let _ = writeln!(w, "### What this review could not see\n");
        for n in &review.notes {
            let _ = writeln!(w, "- {n}");
        }
        let _ = writeln!(w);
    }

    let mut references = Vec::new();
    for section in Section::ALL {
        let findings: Vec<_> = review
            .findings
            .iter()
            .filter(|f| f.section == section)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(w, "## {}\n", section.title());
        let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        rule_ids.dedup();
        for id in rule_ids {
            let Some(rule) = find(id) else { continue };
            let _ = writeln!(w, "### `{id}`: {}\n", rule.summary);
            for f in findings.iter().filter(|f| f.rule == id) {
                let at = f
                    .locations
                    .first()
                    .map(|l| format!(" ({}:{})", l.path, l.line))
                    .unwrap_or_default();
                let _ = writeln!(w, "- {}: {}{at}", level_word(f.level), f.message);
                if !f.path.is_empty() {
                    let chain: Vec<String> = f.path.iter().map(|p| format!("`{p}`")).collect();
                    let _ = writeln!(w, "  - path: {}", chain.join(" → "));
                }
                for n in &f.notes {
                    let _ = writeln!(w, "  - {n}");
                }
            }
            let _ = writeln!(w, "\n**Why it matters.** {}\n", rule.docs.why);
            let _ = writeln!(w, "**What to do.** {}\n", rule.docs.fix);
            for r in rule.docs.references {
                if !references.contains(r) {
                    references.push(*r);
                }
            }
        }
    }
    if !references.is_empty() {
        let _ = writeln!(w, "## References\n");
        for (title, url) in references {
            let _ = writeln!(w, "- [{title}]({url})");
        }
    }
    out
}
