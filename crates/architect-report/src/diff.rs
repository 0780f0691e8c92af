//! `cargo architect diff`: what a change does, in every format. The verdict comes first; the
//! findings the change introduces next; the facts that moved after; the findings the base
//! already had last, as context. SARIF and GitHub annotations carry the introduced findings
//! only: a pull request is annotated with what it adds.

use std::fmt::Write;

use architect_model::diff::{
    BuildScript, ChangeKind, Delta, FindingChange, PackageChange, ReviewDiff,
};
use architect_model::{Finding, Level, PackageRef, Review};
use serde::Serialize;

use crate::json::WireFinding;
use crate::{Context, Format, HumanOptions, seconds};

/// Rows of a table the Markdown and human outputs show; the JSON has every one.
const ROWS: usize = 40;
/// GitHub refuses a comment over 65,536 characters; stay well under.
const MARKDOWN_LIMIT: usize = 60_000;

/// Render `d` in `format`. `cx` is the head side's (its files show the evidence).
pub fn render(format: Format, d: &ReviewDiff, cx: &Context<'_>, human: &HumanOptions) -> String {
    match format {
        Format::Human => render_human(d, cx, human),
        Format::Markdown => render_markdown(d),
        Format::Json => render_json(d, cx),
        Format::Sarif => crate::sarif::render(&gating(d), cx),
        Format::Github => crate::github::render(&gating(d)),
    }
}

/// The findings a change is judged on: the introduced ones and those raised in level.
fn gating(d: &ReviewDiff) -> Review {
    Review {
        findings: d.gating().cloned().collect(),
        ..Review::default()
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn version_change(p: &PackageChange) -> String {
    match (&p.from, &p.to) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        (None, Some(b)) => b.clone(),
        (Some(a), None) => a.clone(),
        (None, None) => String::new(),
    }
}

fn change_word(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Upgraded => "upgraded",
        ChangeKind::Downgraded => "downgraded",
    }
}

fn source_word(p: &PackageChange) -> &'static str {
    match p.source_kind {
        architect_model::diff::SourceKind::Registry => "registry",
        architect_model::diff::SourceKind::Git => "git",
        architect_model::diff::SourceKind::Path => "path",
    }
}

fn members(p: &PackageChange) -> String {
    let shown: Vec<&str> = p.pulled_in_by.iter().take(3).map(String::as_str).collect();
    let more = p.pulled_in_by.len().saturating_sub(shown.len());
    let mut s = shown
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

fn refs(ps: &[PackageRef]) -> String {
    ps.iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn where_(f: &Finding) -> String {
    f.locations
        .first()
        .map(|l| format!("{}:{}", l.path, l.line))
        .unwrap_or_default()
}

// ---- Markdown ------------------------------------------------------------------------------

fn render_markdown(d: &ReviewDiff) -> String {
    let mut w = String::new();
    let _ = writeln!(w, "## cargo architect diff: {}\n", d.verdict);
    let _ = writeln!(w, "`{}` → `{}`\n", d.base.label, d.head.label);
    md_findings(&mut w, "Introduced findings", &d.introduced);
    md_changed(&mut w, d);
    md_findings(&mut w, "No longer reported", &d.resolved);
    md_packages(&mut w, d);
    md_supply_chain(&mut w, d);
    md_msrv(&mut w, d);
    md_build(&mut w, d);
    md_unchanged(&mut w, d);
    md_notes(&mut w, d);
    fit(w)
}

/// Cut a comment that is still too long at a line, saying so.
fn fit(mut w: String) -> String {
    if w.len() <= MARKDOWN_LIMIT {
        return w;
    }
    let mut cut = MARKDOWN_LIMIT - 200;
    while !w.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = w[..cut].rfind('\n').unwrap_or(cut);
    w.truncate(cut);
    w.push_str("\n\n*Cut to fit a pull-request comment: `--format json` has every change.*\n");
    w
}

fn md_findings(w: &mut String, title: &str, fs: &[Finding]) {
    if fs.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "### {title} ({})\n\n| level | rule | finding | where |\n|---|---|---|---|",
        fs.len()
    );
    for f in fs.iter().take(ROWS) {
        let _ = writeln!(
            w,
            "| {} | `{}` | {} | {} |",
            f.level,
            f.rule,
            cell(&f.message),
            cell(&where_(f))
        );
    }
    more(w, fs.len());
}

fn more(w: &mut String, len: usize) {
    if len > ROWS {
        let _ = writeln!(
            w,
            "\n… and {} more (`--format json` lists every one)",
            len - ROWS
        );
    }
    w.push('\n');
}

fn md_changed(w: &mut String, d: &ReviewDiff) {
    let (level, wording): (Vec<&FindingChange>, Vec<&FindingChange>) =
        d.changed.iter().partition(|c| c.head.level != c.base.level);
    if !level.is_empty() {
        let _ = writeln!(w, "### Findings whose level changed ({})\n", level.len());
        changed_table(w, &level);
    }
    if !wording.is_empty() {
        let _ = writeln!(
            w,
            "<details><summary>{} whose figures or lists changed</summary>\n",
            if wording.len() == 1 {
                "1 finding".to_string()
            } else {
                format!("{} findings", wording.len())
            }
        );
        changed_table(w, &wording);
        w.push_str("</details>\n\n");
    }
}

fn changed_table(w: &mut String, rows: &[&FindingChange]) {
    let _ = writeln!(w, "| rule | before | after |\n|---|---|---|");
    for c in rows.iter().take(ROWS) {
        let _ = writeln!(
            w,
            "| `{}` | {}: {} | {}: {} |",
            c.head.rule,
            c.base.level,
            cell(&c.base.message),
            c.head.level,
            cell(&c.head.message)
        );
    }
    more(w, rows.len());
}

fn md_packages(w: &mut String, d: &ReviewDiff) {
    if d.packages.is_empty() && d.new_sources.is_empty() {
        return;
    }
    let _ = writeln!(w, "### Dependencies ({} changed)\n", d.packages.len());
    if !d.new_sources.is_empty() {
        let _ = writeln!(
            w,
            "New sources: {}\n",
            d.new_sources
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if d.packages.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "| package | change | version | source | pulled in by |\n|---|---|---|---|---|"
    );
    let rows = by_kind(&d.packages);
    for p in rows.iter().take(ROWS) {
        let _ = writeln!(
            w,
            "| `{}` | {} | {} | {} | {} |",
            p.name,
            change_word(p.change),
            version_change(p),
            source_word(p),
            members(p)
        );
    }
    more(w, rows.len());
}

/// Additions and removals first (they change the supply chain), bumps after; by name within.
fn by_kind(packages: &[PackageChange]) -> Vec<&PackageChange> {
    let mut rows: Vec<&PackageChange> = packages.iter().collect();
    rows.sort_by_key(|p| (p.change, p.name.as_str()));
    rows
}

fn md_delta(w: &mut String, what: &str, delta: &Delta<PackageRef>) {
    if !delta.added.is_empty() {
        let _ = writeln!(w, "- {what} added: {}", refs(&delta.added));
    }
    if !delta.removed.is_empty() {
        let _ = writeln!(w, "- {what} removed: {}", refs(&delta.removed));
    }
}

fn script_line(s: &BuildScript) -> String {
    let mut line = format!("`{}`", s.package);
    if !s.shipped {
        line.push_str(" (tests, benches or examples only)");
    }
    if !s.does.is_empty() {
        line.push_str(&format!(": {}", s.does.join("; ")));
    }
    line
}

fn md_scripts(w: &mut String, d: &Delta<BuildScript>) {
    for s in &d.added {
        let _ = writeln!(w, "- build script added: {}", cell(&script_line(s)));
    }
    for s in &d.removed {
        let _ = writeln!(w, "- build script removed: `{}`", s.package);
    }
}

fn md_supply_chain(w: &mut String, d: &ReviewDiff) {
    if d.build_scripts.is_empty() && d.proc_macros.is_empty() && d.duplicates.is_empty() {
        return;
    }
    let _ = writeln!(w, "### Supply chain and build graph\n");
    md_scripts(w, &d.build_scripts);
    md_delta(w, "proc-macros", &d.proc_macros);
    if !d.duplicates.added.is_empty() {
        let _ = writeln!(
            w,
            "- crates now in several versions: {}",
            d.duplicates.added.join(", ")
        );
    }
    if !d.duplicates.removed.is_empty() {
        let _ = writeln!(
            w,
            "- crates no longer in several versions: {}",
            d.duplicates.removed.join(", ")
        );
    }
    w.push('\n');
}

fn msrv_text(m: &Option<architect_model::diff::Msrv>) -> String {
    match m {
        Some(m) => format!("{} (set by {})", m.version, refs(&m.set_by)),
        None => "none declared".into(),
    }
}

fn md_msrv(w: &mut String, d: &ReviewDiff) {
    let msrv_moved =
        d.base.msrv.as_ref().map(|m| &m.version) != d.head.msrv.as_ref().map(|m| &m.version);
    if !msrv_moved && d.settings.is_empty() {
        return;
    }
    let _ = writeln!(w, "### MSRV, toolchain and settings\n");
    if msrv_moved {
        let _ = writeln!(
            w,
            "Effective MSRV: {} → {}\n",
            msrv_text(&d.base.msrv),
            msrv_text(&d.head.msrv)
        );
    }
    if !d.settings.is_empty() {
        let _ = writeln!(w, "| setting | before | after | where |\n|---|---|---|---|");
        for s in d.settings.iter().take(ROWS) {
            let _ = writeln!(
                w,
                "| {} | {} | {} | {} |",
                cell(&s.what),
                s.from.as_deref().unwrap_or("—"),
                s.to.as_deref().unwrap_or("—"),
                s.location
                    .as_ref()
                    .map(|l| format!("{}:{}", l.path, l.line))
                    .unwrap_or_default()
            );
        }
        more(w, d.settings.len());
    }
}

fn md_build(w: &mut String, d: &ReviewDiff) {
    let Some(b) = &d.build else {
        return;
    };
    let _ = writeln!(w, "### Clean build (simulated, -j{})\n", b.head.jobs);
    let _ = writeln!(
        w,
        "| | base | head |\n|---|---|---|\n| predicted | {} ({} to {}) | {} ({} to {}) |\n| critical path | {} | {} |\n| units | {} | {} |\n",
        seconds(b.base.predicted_s),
        seconds(b.base.predicted_range_s.0),
        seconds(b.base.predicted_range_s.1),
        seconds(b.head.predicted_s),
        seconds(b.head.predicted_range_s.0),
        seconds(b.head.predicted_range_s.1),
        seconds(b.base.critical_path_s),
        seconds(b.head.critical_path_s),
        b.base.units,
        b.head.units
    );
    if !b.onto_path.is_empty() {
        let _ = writeln!(w, "- onto the critical path: {}", b.onto_path.join(", "));
    }
    if !b.off_path.is_empty() {
        let _ = writeln!(w, "- off the critical path: {}", b.off_path.join(", "));
    }
    w.push('\n');
}

fn md_unchanged(w: &mut String, d: &ReviewDiff) {
    if d.unchanged.is_empty() {
        return;
    }
    let deny = d
        .unchanged
        .iter()
        .filter(|f| f.level == Level::Deny)
        .count();
    let _ = writeln!(
        w,
        "<details><summary>{} findings the base already had ({deny} at deny): context, not failures of this change</summary>\n\n| level | rule | finding |\n|---|---|---|",
        d.unchanged.len()
    );
    for f in d.unchanged.iter().take(ROWS) {
        let _ = writeln!(w, "| {} | `{}` | {} |", f.level, f.rule, cell(&f.message));
    }
    more(w, d.unchanged.len());
    w.push_str("</details>\n\n");
}

fn md_notes(w: &mut String, d: &ReviewDiff) {
    for n in &d.notes {
        let _ = writeln!(w, "> {}", cell(n));
    }
    for (side, notes) in [("base", &d.base.notes), ("head", &d.head.notes)] {
        for n in notes {
            let _ = writeln!(w, "> {side}: {}", cell(n));
        }
    }
}

// ---- human ---------------------------------------------------------------------------------

fn render_human(d: &ReviewDiff, cx: &Context<'_>, opts: &HumanOptions) -> String {
    let mut w = String::new();
    let _ = writeln!(w, "{}  →  {}", d.base.label, d.head.label);
    let _ = writeln!(w, "verdict: {}\n", d.verdict);
    if !d.introduced.is_empty() {
        let _ = writeln!(w, "introduced ({}):\n", d.introduced.len());
        w.push_str(&crate::human::findings(&d.introduced, cx.files, opts));
    }
    // A level that moved is shown in full; figures and lists that moved, with `-v`.
    let (level, wording): (Vec<&FindingChange>, Vec<&FindingChange>) =
        d.changed.iter().partition(|c| c.head.level != c.base.level);
    let shown = if opts.verbose {
        &d.changed.iter().collect::<Vec<_>>()
    } else {
        &level
    };
    for c in shown {
        let _ = writeln!(
            w,
            "changed: {} {}\n  before ({}): {}\n  after  ({}): {}",
            c.head.rule,
            where_(&c.head),
            c.base.level,
            c.base.message,
            c.head.level,
            c.head.message
        );
    }
    if !opts.verbose && !wording.is_empty() {
        let rules: Vec<&str> = wording.iter().map(|c| c.head.rule).collect();
        let _ = writeln!(
            w,
            "changed figures or lists ({}; -v shows them): {}",
            wording.len(),
            rules.join(", ")
        );
    }
    for f in &d.resolved {
        let _ = writeln!(
            w,
            "no longer reported: {} {}: {}",
            f.level, f.rule, f.message
        );
    }
    human_facts(&mut w, d);
    if !d.unchanged.is_empty() {
        let _ = writeln!(
            w,
            "\n{} findings the base already had are unchanged (context, not failures of this change; `--format json` lists them)",
            d.unchanged.len()
        );
    }
    for n in &d.notes {
        let _ = writeln!(w, "note: {n}");
    }
    for (side, notes) in [("base", &d.base.notes), ("head", &d.head.notes)] {
        for n in notes {
            let _ = writeln!(w, "note ({side}): {n}");
        }
    }
    w
}

fn human_facts(w: &mut String, d: &ReviewDiff) {
    if !d.packages.is_empty() {
        let _ = writeln!(w, "\ndependencies:");
        for p in by_kind(&d.packages).into_iter().take(ROWS) {
            let _ = writeln!(
                w,
                "  {:10} {} {} ({}; {})",
                change_word(p.change),
                p.name,
                version_change(p),
                source_word(p),
                members(p).replace('`', "")
            );
        }
        if d.packages.len() > ROWS {
            let _ = writeln!(w, "  … and {} more", d.packages.len() - ROWS);
        }
    }
    for s in &d.new_sources {
        let _ = writeln!(w, "new source: {s}");
    }
    for s in &d.build_scripts.added {
        let _ = writeln!(w, "build script added: {}", script_line(s).replace('`', ""));
    }
    for s in &d.build_scripts.removed {
        let _ = writeln!(w, "build script removed: {}", s.package);
    }
    for p in &d.proc_macros.added {
        let _ = writeln!(w, "proc-macro added: {p}");
    }
    for p in &d.proc_macros.removed {
        let _ = writeln!(w, "proc-macro removed: {p}");
    }
    for s in &d.settings {
        let _ = writeln!(
            w,
            "setting: {}: {} → {}",
            s.what,
            s.from.as_deref().unwrap_or("none"),
            s.to.as_deref().unwrap_or("none")
        );
    }
    if let Some(b) = &d.build {
        let _ = writeln!(
            w,
            "clean build (simulated, -j{}): {} → {} ({:+.1} s); critical path {} → {}",
            b.head.jobs,
            seconds(b.base.predicted_s),
            seconds(b.head.predicted_s),
            b.delta_s,
            seconds(b.base.critical_path_s),
            seconds(b.head.critical_path_s)
        );
    }
}

// ---- JSON ----------------------------------------------------------------------------------

/// Bumped on every incompatible change of the diff document's shape.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool<'a>,
    verdict: &'a str,
    fails: bool,
    base: WireSide<'a>,
    head: WireSide<'a>,
    packages: &'a [PackageChange],
    new_sources: &'a [String],
    build_scripts: &'a Delta<BuildScript>,
    proc_macros: &'a Delta<PackageRef>,
    duplicates: &'a Delta<String>,
    settings: &'a [architect_model::diff::SettingChange],
    build: Option<&'a architect_model::diff::BuildChange>,
    notes: &'a [String],
    introduced: Vec<WireFinding<'a>>,
    resolved: Vec<WireFinding<'a>>,
    changed: Vec<WireChange<'a>>,
    unchanged: Vec<WireFinding<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct WireSide<'a> {
    label: &'a str,
    msrv: Option<&'a architect_model::diff::Msrv>,
    facts: crate::json::Facts<'a>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct WireChange<'a> {
    base: WireFinding<'a>,
    head: WireFinding<'a>,
}

fn wire_side(s: &architect_model::diff::DiffSide) -> WireSide<'_> {
    WireSide {
        label: &s.label,
        msrv: s.msrv.as_ref(),
        facts: crate::json::facts(&s.summary),
        notes: &s.notes,
    }
}

fn render_json(d: &ReviewDiff, cx: &Context<'_>) -> String {
    let doc = Document {
        schema_version: DIFF_SCHEMA_VERSION,
        kind: "diff",
        tool: Tool {
            name: "cargo-architect",
            version: cx.tool_version,
        },
        verdict: &d.verdict,
        fails: d.fails(),
        base: wire_side(&d.base),
        head: wire_side(&d.head),
        packages: &d.packages,
        new_sources: &d.new_sources,
        build_scripts: &d.build_scripts,
        proc_macros: &d.proc_macros,
        duplicates: &d.duplicates,
        settings: &d.settings,
        build: d.build.as_ref(),
        notes: &d.notes,
        introduced: d.introduced.iter().map(WireFinding::from).collect(),
        resolved: d.resolved.iter().map(WireFinding::from).collect(),
        changed: d
            .changed
            .iter()
            .map(|c| WireChange {
                base: WireFinding::from(&c.base),
                head: WireFinding::from(&c.head),
            })
            .collect(),
        unchanged: d.unchanged.iter().map(WireFinding::from).collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("diff serializes");
    out.push('\n');
    out
}
