//! Renderers of a review, one per output format. Renderers format; they never compute: every
//! figure they print is in the [`Review`] or the facts' file store already.

pub mod build_time;
pub mod diff;
mod github;
mod human;
mod json;
mod markdown;
mod sarif;

use architect_model::{FileStore, Review};

pub use human::HumanOptions;
pub use json::SCHEMA_VERSION;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Sarif,
    Github,
}

/// What renderers need besides the review: where the workspace is and the evidence texts.
#[derive(Debug)]
pub struct Context<'a> {
    pub root: &'a str,
    pub files: &'a FileStore,
    pub tool_version: &'a str,
}

/// Seconds as a person reads them: one decimal under ten seconds, whole seconds above.
pub(crate) fn seconds(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.0} s")
    }
}

/// Whether the build figures are calibrated to this machine, as the summary says it.
pub(crate) fn machine(b: &architect_model::BuildFigures) -> String {
    match b.calibration_factor {
        Some(f) => format!("calibrated to this machine, ×{f:.2}"),
        None => "not calibrated to this machine".to_string(),
    }
}

/// The predicted time at each job count: `-j1 98 s, -j2 50 s, ...`.
pub(crate) fn by_jobs(b: &architect_model::BuildFigures) -> String {
    let by_jobs: Vec<String> = b
        .by_jobs
        .iter()
        .map(|t| format!("-j{} {}", t.jobs, seconds(t.predicted_s)))
        .collect();
    by_jobs.join(", ")
}

/// Render `review` in `format`.
pub fn render(format: Format, review: &Review, cx: &Context<'_>, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(review, cx, human),
        Format::Json => json::render(review, cx),
        Format::Markdown => markdown::render(review, cx),
        Format::Sarif => sarif::render(review, cx),
        Format::Github => github::render(review),
    }
}
