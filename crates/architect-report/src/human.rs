//! The default output: findings grouped by review section, rendered like rustc's diagnostics
//! with the evidence line shown, after a short summary of the headline figures.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level as ALevel, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use architect_model::{FileStore, Finding, Level, Location, Review, Section};

use crate::Context;

/// Options of the human renderer.
#[derive(Debug, Clone, Default)]
pub struct HumanOptions {
    pub color: bool,
    /// `-v`: show the notes of each finding and the inclusion paths in full.
    pub verbose: bool,
}

fn level(l: Level) -> ALevel<'static> {
    match l {
        Level::Deny => ALevel::ERROR.with_name("deny"),
        Level::Warn => ALevel::WARNING.with_name("warn"),
        Level::Info | Level::Allow => ALevel::NOTE.with_name("info"),
    }
}

/// The lines of `loc` in its file, as (text, first line number, span within the text).
fn excerpt<'f>(
    files: &'f FileStore,
    loc: &Location,
) -> Option<(&'f str, usize, std::ops::Range<usize>)> {
    let file = files.get(&loc.path)?;
    let text = file.text.as_str();
    let start = loc.span.start.min(text.len());
    let end = loc.span.end.clamp(start, text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    Some((
        &text[line_start..line_end],
        loc.line,
        start - line_start..end - line_start,
    ))
}

fn render_finding(f: &Finding, files: &FileStore, verbose: bool) -> Vec<Group<'static>> {
    let title = level(f.level).primary_title(f.message.clone()).id(f.rule);
    let mut elements: Vec<annotate_snippets::Element<'static>> = Vec::new();
    for (i, loc) in f.locations.iter().enumerate() {
        let kind = if i == 0 {
            AnnotationKind::Primary
        } else {
            AnnotationKind::Context
        };
        match excerpt(files, loc) {
            Some((text, line, span)) => {
                let mut ann = kind.span(span);
                if let Some(label) = &loc.label {
                    ann = ann.label(label.clone());
                }
                elements.push(
                    Snippet::source(text.to_string())
                        .line_start(line)
                        .path(loc.path.clone())
                        .annotation(ann)
                        .into(),
                );
            }
            None => elements.push(
                annotate_snippets::Origin::path(loc.path.clone())
                    .line(loc.line)
                    .char_column(loc.column)
                    .into(),
            ),
        }
    }
    if !f.path.is_empty() && (verbose || f.path.len() <= 6) {
        let chain: Vec<String> = f.path.iter().map(ToString::to_string).collect();
        elements.push(
            ALevel::NOTE
                .message(format!("path: {}", chain.join(" -> ")))
                .into(),
        );
    } else if !f.path.is_empty() {
        let first = &f.path[0];
        let last = &f.path[f.path.len() - 1];
        elements.push(
            ALevel::NOTE
                .message(format!(
                    "path: {first} -> ... ({} steps) -> {last}; -v shows it",
                    f.path.len() - 1
                ))
                .into(),
        );
    }
    let shown = if verbose {
        f.notes.len()
    } else {
        f.notes.len().min(3)
    };
    for n in &f.notes[..shown] {
        elements.push(ALevel::NOTE.message(n.clone()).into());
    }
    if shown < f.notes.len() {
        elements.push(
            ALevel::NOTE
                .message(format!(
                    "{} more notes; -v shows them",
                    f.notes.len() - shown
                ))
                .into(),
        );
    }
    elements.push(ALevel::HELP.message(f.help.clone()).into());
    vec![title.elements(elements)]
}

pub fn render(review: &Review, cx: &Context<'_>, opts: &HumanOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let bold = if opts.color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let dim = if opts.color {
        AnsiColor::BrightBlack.on_default()
    } else {
        Style::new()
    };
    let s = &review.summary;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{bold}Architecture review of {}{bold:#}", cx.root);
    let _ = writeln!(
        w,
        "  {} packages in the build ({}), {} workspace members, {} lines of Rust",
        s.packages,
        s.platforms.join(", "),
        s.workspace_members.len(),
        s.lines_of_rust_workspace
    );
    let _ = writeln!(
        w,
        "  {} build scripts, {} proc-macros, {} crates in several versions, {} git dependencies",
        s.build_scripts.len(),
        s.proc_macros.len(),
        s.duplicate_crates.len(),
        s.git_dependencies.len()
    );
    match &s.build {
        Some(b) if !b.assumed_sizes => {
            let _ = writeln!(
                w,
                "  clean build (simulated, -j{}): about {} over {} units; lower bounds: critical path {}, work / {} = {}",
                b.jobs,
                crate::seconds(b.predicted_s),
                b.units,
                crate::seconds(b.critical_path_s),
                b.jobs,
                crate::seconds(b.work_over_jobs_s)
            );
            let by_jobs: Vec<String> = b
                .by_jobs
                .iter()
                .map(|t| format!("-j{} {}", t.jobs, crate::seconds(t.predicted_s)))
                .collect();
            let _ = writeln!(w, "    by jobs: {}", by_jobs.join(", "));
        }
        Some(b) => {
            let _ = writeln!(
                w,
                "  clean build: {} units; `cargo architect build-time` simulates it with every crate's size",
                b.units
            );
        }
        None => {}
    }
    if let Some(h) = &s.workspace_hack {
        let _ = writeln!(w, "  {h}");
    }
    match s.advisories {
        Some((db, matched)) => {
            let _ = writeln!(
                w,
                "  {matched} advisories match the lockfile ({db} in the database); index cache: {} crates known, {} unknown",
                s.index_cached, s.index_unknown
            );
        }
        None => {
            let _ = writeln!(w, "  advisories not checked (see the notes)");
        }
    }
    let _ = writeln!(
        w,
        "  findings: {} deny, {} warn, {} info",
        review.count(Level::Deny),
        review.count(Level::Warn),
        review.count(Level::Info)
    );
    for n in &review.notes {
        let _ = writeln!(w, "  {dim}note: {n}{dim:#}");
    }
    for section in Section::ALL {
        let findings: Vec<_> = review
            .findings
            .iter()
            .filter(|f| f.section == section)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(w, "\n{bold}== {} =={bold:#}\n", section.title());
        for f in findings {
            let _ = writeln!(
                w,
                "{}\n",
                renderer.render(&render_finding(f, cx.files, opts.verbose))
            );
        }
    }
    if review.findings.is_empty() {
        let _ = writeln!(w, "\nno findings");
    }
    out
}

/// Findings alone, rendered as in the review (for `build-time`).
pub fn findings(findings: &[Finding], files: &FileStore, opts: &HumanOptions) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}\n",
            renderer.render(&render_finding(f, files, opts.verbose))
        );
    }
    out
}
