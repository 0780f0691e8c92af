//! `--format markdown`: a review document to send to a team, that fits in a pull-request or
//! issue comment: the summary, a verdict per area and the ranked top risks first, then each
//! area's findings in a collapsible `<details>` block, with the longest note lists cut and a
//! pointer to the JSON, under [`BUDGET`] characters.

use std::fmt::Write;

use architect_model::{Finding, Level, Review, Section, VerdictState};
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
    if !s.opaque_packages.is_empty() {
        let names: Vec<String> = s.opaque_packages.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(
            w,
            "| not read (could not be fetched; counts are lower bounds) | {} |",
            names.join(", ")
        );
    }
    if let Some(b) = &s.build {
        let about = if b.assumed_sizes {
            format!(
                "at least {} ({} units, {} of crates whose code was not read counted as empty",
                crate::seconds(b.predicted_s),
                b.units,
                b.unknown_size_units
            )
        } else {
            format!("about {} ({} units", crate::seconds(b.predicted_s), b.units)
        };
        let machine = crate::machine(b);
        let _ = writeln!(
            w,
            "| clean build, simulated at -j{} ({machine}) | {about}; critical path {}) |",
            b.jobs,
            crate::seconds(b.critical_path_s)
        );
        let _ = writeln!(w, "| clean build by job count | {} |", crate::by_jobs(b));
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

    verdicts(w, review);
    top_risks(w, review);
    if !review.notes.is_empty() {
        let _ = writeln!(w, "### What this review could not see\n");
        for n in &review.notes {
            let _ = writeln!(w, "- {n}");
        }
        let _ = writeln!(w);
    }

    let mut references = Vec::new();
    // Each area's findings, with as many notes per finding as the budget allows: all of them
    // when the document fits, fewer otherwise, down to none.
    let head = out.clone();
    for notes in [usize::MAX, 20, 5, 0] {
        let mut body = String::new();
        references.clear();
        areas(&mut body, review, notes, &mut references);
        let mut refs = String::new();
        if !references.is_empty() {
            let _ = writeln!(refs, "## References\n");
            for (title, url) in &references {
                let _ = writeln!(refs, "- [{title}]({url})");
            }
        }
        if head.len() + body.len() + refs.len() <= BUDGET || notes == 0 {
            out = head.clone() + &body + &refs;
            break;
        }
    }
    if out.len() > BUDGET {
        // Still too long: keep whole lines up to the budget, and say where the rest is.
        let cut = out[..BUDGET - 200].rfind('\n').unwrap_or(0);
        out.truncate(cut);
        let _ = writeln!(
            out,
            "\n\n*The review is cut here to fit a comment; `--format json` holds every finding.*"
        );
    }
    out
}

/// At most this many characters: under GitHub's 65,536 for a comment, with room to spare.
pub const BUDGET: usize = 60_000;

/// The verdict table.
fn verdicts(w: &mut String, review: &Review) {
    if review.verdicts.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "### Verdicts\n\n| area | verdict | rests on |\n|---|---|---|"
    );
    for v in &review.verdicts {
        let state = match v.state {
            VerdictState::AtRisk => format!("**{}**", v.state.describe()),
            other => other.describe().to_string(),
        };
        let _ = writeln!(
            w,
            "| {} | {state} | {} |",
            v.section.title(),
            v.basis.replace('|', "\\|")
        );
    }
    let _ = writeln!(w);
}

/// The top risks, ranked by impact.
fn top_risks(w: &mut String, review: &Review) {
    if review.top_risks.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "### Top risks\n\nRanked by impact: level, workspace members reached, and the measured cost where there is one (seconds of build, a broken `rust-version` promise).\n"
    );
    for &i in &review.top_risks {
        let f = &review.findings[i];
        let more = review.others_of_rule(i);
        let also = if more > 0 {
            format!("; {more} more of this rule below")
        } else {
            String::new()
        };
        let _ = writeln!(
            w,
            "1. {} — {} (`{}`, reaches {} member{}{also})",
            level_word(f.level),
            f.message,
            f.rule,
            f.impact.reach,
            if f.impact.reach == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(w);
}

/// Each area's findings in a `<details>` block (open when the area has a `warn` or `deny`),
/// with at most `notes` notes per finding.
fn areas(
    w: &mut String,
    review: &Review,
    notes: usize,
    references: &mut Vec<(&'static str, &'static str)>,
) {
    for section in Section::ALL {
        let findings: Vec<&Finding> = review
            .findings
            .iter()
            .filter(|f| f.section == section)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let serious = findings.iter().any(|f| f.level >= Level::Warn);
        let _ = writeln!(w, "## {}\n", section.title());
        let _ = writeln!(
            w,
            "<details{}><summary>{} finding{}</summary>\n",
            if serious { " open" } else { "" },
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
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
                for n in f.notes.iter().take(notes) {
                    let _ = writeln!(w, "  - {n}");
                }
                if f.notes.len() > notes {
                    let _ = writeln!(
                        w,
                        "  - … {} more {} in `--format json`",
                        f.notes.len() - notes,
                        if f.notes.len() - notes == 1 {
                            "note"
                        } else {
                            "notes"
                        }
                    );
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
        let _ = writeln!(w, "</details>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::{FileStore, Impact, Summary};

    fn finding(rule: &'static str, level: Level, notes: usize) -> Finding {
        Finding {
            rule,
            level,
            section: Section::Build,
            message: format!("a {rule} finding"),
            packages: Vec::new(),
            locations: Vec::new(),
            path: Vec::new(),
            notes: (0..notes)
                .map(|i| format!("note {i}: {}", "evidence ".repeat(10)))
                .collect(),
            help: "fix it".into(),
            advisory: None,
            impact: Impact::default(),
        }
    }

    fn render_of(findings: Vec<Finding>) -> String {
        let review = Review {
            summary: Summary::default(),
            findings,
            notes: Vec::new(),
            top_risks: vec![0],
            verdicts: Vec::new(),
        };
        let files = FileStore::default();
        render(
            &review,
            &Context {
                root: "ws",
                files: &files,
                tool_version: "0",
            },
        )
    }

    #[test]
    fn a_review_fits_a_comment_with_its_notes_cut_and_a_pointer_to_the_json() {
        let huge = render_of(vec![
            finding("build/duplicate-versions", Level::Warn, 3_000),
            finding("build/scale", Level::Info, 3_000),
        ]);
        assert!(huge.len() <= BUDGET, "{} characters", huge.len());
        assert!(huge.contains("more notes in `--format json`"));
        assert!(
            huge.contains("a build/scale finding"),
            "every finding keeps its line"
        );

        let small = render_of(vec![finding("build/scale", Level::Info, 3)]);
        assert!(
            small.contains("note 2:"),
            "a review that fits keeps every note"
        );
        assert!(!small.contains("more notes"));
    }
}
