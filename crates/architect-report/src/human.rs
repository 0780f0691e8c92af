//! The default output. Its first screen: the headline figures, a verdict per review area and
//! the top risks, ranked by impact. Then the `warn` and `deny` findings by area, rendered like
//! rustc's diagnostics with the evidence line shown; `info` findings and the long tails of
//! locations and notes with `-v` (the JSON holds every one).

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level as ALevel, Renderer, Snippet};
use anstyle::{AnsiColor, Style};
use architect_model::{FileStore, Finding, Level, Location, Review, Section};

use crate::Context;

/// Options of the human renderer.
#[derive(Debug, Clone, Default)]
pub struct HumanOptions {
    pub color: bool,
    /// `-v`: show `info` findings, and every location, note and inclusion path in full.
    pub verbose: bool,
}

/// Findings of one rule shown in full without `-v`; the rest get a line each.
const FULL_PER_RULE: usize = 3;

/// Locations a finding shows without `-v`.
const LOCATIONS_SHOWN: usize = 3;

/// Notes a finding shows without `-v`.
const NOTES_SHOWN: usize = 3;

/// How many of `len` items a finding shows: all with `-v`, at most `cap` without.
fn shown(len: usize, cap: usize, verbose: bool) -> usize {
    if verbose { len } else { len.min(cap) }
}

/// The note saying `n` more items (`one`, `many`) are folded, when any are.
fn folded(n: usize, one: &str, many: &str) -> Option<annotate_snippets::Element<'static>> {
    (n > 0).then(|| {
        let what = if n == 1 { one } else { many };
        ALevel::NOTE
            .message(format!(
                "{n} more {what}; -v shows {}",
                if n == 1 { "it" } else { "them" }
            ))
            .into()
    })
}

/// Characters of a message on the first screen's one-line entries.
const LINE_WIDTH: usize = 110;

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
    let locations = shown(f.locations.len(), LOCATIONS_SHOWN, verbose);
    for (i, loc) in f.locations[..locations].iter().enumerate() {
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
    elements.extend(folded(
        f.locations.len() - locations,
        "location",
        "locations",
    ));
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
    let notes = shown(f.notes.len(), NOTES_SHOWN, verbose);
    for n in &f.notes[..notes] {
        elements.push(ALevel::NOTE.message(n.clone()).into());
    }
    elements.extend(folded(f.notes.len() - notes, "note", "notes"));
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
    if !s.opaque_packages.is_empty() {
        let _ = writeln!(
            w,
            "  not read (could not be fetched, reviewed from Cargo.lock): {}; the counts above are lower bounds",
            s.opaque_packages
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(b) = &s.build {
        let range = format!(
            " (held-out builds: {} to {})",
            crate::seconds(b.predicted_range_s.0),
            crate::seconds(b.predicted_range_s.1)
        );
        let (about, unknown) = if b.assumed_sizes {
            (
                "at least",
                format!(
                    " ({} of crates whose code was not read count as empty)",
                    b.unknown_size_units
                ),
            )
        } else {
            ("about", String::new())
        };
        let machine = crate::machine(b);
        let _ = writeln!(
            w,
            "  clean build (simulated, -j{}, {machine}): {about} {}{range} over {} units{unknown}; lower bounds: critical path {}, work / {} = {}",
            b.jobs,
            crate::seconds(b.predicted_s),
            b.units,
            crate::seconds(b.critical_path_s),
            b.jobs,
            crate::seconds(b.work_over_jobs_s)
        );
        let _ = writeln!(w, "    by jobs: {}", crate::by_jobs(b));
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
    verdicts(w, review, bold);
    top_risks(w, review, bold);
    let shown = |f: &&Finding| opts.verbose || f.level >= Level::Warn;
    for section in Section::ALL {
        let findings: Vec<_> = review
            .findings
            .iter()
            .filter(|f| f.section == section)
            .filter(shown)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(w, "\n{bold}== {} =={bold:#}\n", section.title());
        let mut rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        rules.dedup();
        for rule in rules {
            // A rule's findings highest impact first; past the first few, one line each.
            let mut own: Vec<&&Finding> = findings.iter().filter(|f| f.rule == rule).collect();
            own.sort_by(|a, b| b.impact.score.total_cmp(&a.impact.score));
            let full = if opts.verbose {
                own.len()
            } else {
                FULL_PER_RULE
            };
            for f in own.iter().take(full) {
                let _ = writeln!(
                    w,
                    "{}\n",
                    renderer.render(&render_finding(f, cx.files, opts.verbose))
                );
            }
            if own.len() > full {
                let _ = writeln!(
                    w,
                    "{} more of {rule} (-v shows them in full):",
                    own.len() - full
                );
                for f in &own[full..] {
                    let _ = writeln!(w, "  - {}", one_line(&f.message));
                }
                let _ = writeln!(w);
            }
        }
    }
    if review.findings.is_empty() {
        let _ = writeln!(w, "\nno findings");
    }
    let folded = review.findings.iter().filter(|f| !shown(f)).count();
    if folded > 0 {
        let _ = writeln!(
            w,
            "\n{dim}{folded} informational finding{} folded: -v shows them, --format json lists every one{dim:#}",
            if folded == 1 { "" } else { "s" }
        );
    }
    out
}

/// A message cut to one line of the first screen.
fn one_line(message: &str) -> String {
    let mut chars = message.chars();
    let cut: String = chars.by_ref().take(LINE_WIDTH).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// One line per review area: its state and what it rests on.
fn verdicts(w: &mut String, review: &Review, bold: Style) {
    if review.verdicts.is_empty() {
        return;
    }
    let _ = writeln!(w, "\n{bold}Verdicts{bold:#}");
    let width = review
        .verdicts
        .iter()
        .map(|v| v.section.title().len())
        .max()
        .unwrap_or(0);
    for v in &review.verdicts {
        let _ = writeln!(
            w,
            "  {:<width$}  {:<12}  {}",
            v.section.title(),
            v.state.describe(),
            one_line(&v.basis)
        );
    }
}

/// The top risks, highest impact first, one line each.
fn top_risks(w: &mut String, review: &Review, bold: Style) {
    if review.top_risks.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "\n{bold}Top risks{bold:#} (by impact: level, members reached, measured cost)"
    );
    for (n, &i) in review.top_risks.iter().enumerate() {
        let f = &review.findings[i];
        let more = review.others_of_rule(i);
        let also = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        let _ = writeln!(
            w,
            "  {:>2}. {:<4} {}{also}\n      {}",
            n + 1,
            f.level.as_str(),
            f.rule,
            one_line(&f.message)
        );
    }
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
