//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it. The rule list comes from
//! the registry; locations are relative to the repository root (`%SRCROOT%`).

use architect_model::{Finding, Level, Review};
use architect_rules::REGISTRY;
use serde::Serialize;

use crate::Context;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    original_uri_base_ids: serde_json::Value,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: DefaultConfiguration,
    properties: Properties,
}

#[derive(Serialize)]
struct DefaultConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: serde_json::Value,
    /// SARIF's priority, 0 to 100: the finding's impact score relative to the review's
    /// highest (docs/ranking.md).
    rank: f64,
    properties: ResultProperties<'a>,
}

/// The review's own data on a result: its impact, and every location it has (a result shows
/// the ones under the workspace).
#[derive(Serialize)]
struct ResultProperties<'a> {
    impact: &'a architect_model::Impact,
    occurrences: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Info | Level::Allow => "note",
    }
}

fn result(f: &Finding, top_score: f64) -> SarifResult<'_> {
    let rule_index = REGISTRY.iter().position(|r| r.id == f.rule).unwrap_or(0);
    let mut locations: Vec<SarifLocation> = f
        .locations
        .iter()
        .filter(|l| !l.path.starts_with('/'))
        .map(|l| SarifLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: l.path.clone(),
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: l.line,
                    start_column: l.column,
                },
            },
        })
        .collect();
    // Code scanning needs a location for every result: the workspace manifest stands in.
    if locations.is_empty() {
        locations.push(SarifLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: "Cargo.toml".into(),
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: 1,
                    start_column: 1,
                },
            },
        });
    }
    let mut text = f.message.clone();
    if !f.path.is_empty() {
        let chain: Vec<String> = f.path.iter().map(ToString::to_string).collect();
        text.push_str(&format!(" (path: {})", chain.join(" -> ")));
    }
    text.push_str(&format!(". Help: {}", f.help));
    let identity = format!(
        "{}|{}",
        f.rule,
        f.packages
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    SarifResult {
        rule_id: f.rule,
        rule_index,
        level: sarif_level(f.level),
        message: Text { text },
        locations,
        partial_fingerprints: serde_json::json!({ "architectFinding/v1": identity }),
        rank: if top_score > 0.0 {
            (1000.0 * f.impact.score / top_score).round() / 10.0
        } else {
            0.0
        },
        properties: ResultProperties {
            impact: &f.impact,
            occurrences: f.locations.len(),
        },
    }
}

pub fn render(review: &Review, cx: &Context<'_>) -> String {
    let top_score = review
        .findings
        .iter()
        .map(|f| f.impact.score)
        .fold(0.0, f64::max);
    let rules = REGISTRY
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id,
            name: r.id.replace(['/', '-'], "_"),
            short_description: Text {
                text: r.summary.to_string(),
            },
            full_description: Text {
                text: r.docs.what.to_string(),
            },
            help: Help {
                text: format!(
                    "{}\n\nWhy: {}\n\nFix: {}",
                    r.docs.what, r.docs.why, r.docs.fix
                ),
                markdown: format!(
                    "{}\n\n**Why.** {}\n\n**Fix.** {}\n\n{}",
                    r.docs.what,
                    r.docs.why,
                    r.docs.fix,
                    r.docs
                        .references
                        .iter()
                        .map(|(t, u)| format!("- [{t}]({u})"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            },
            default_configuration: DefaultConfiguration {
                level: sarif_level(r.default_level),
            },
            properties: Properties {
                tags: vec![r.section.id()],
            },
        })
        .collect();
    let root_uri = format!("file://{}/", cx.root.trim_end_matches('/'));
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "cargo-architect",
                    version: cx.tool_version,
                    information_uri: "https://github.com/cargo-architect/cargo-architect",
                    rules,
                },
            },
            original_uri_base_ids: serde_json::json!({ "%SRCROOT%": { "uri": root_uri } }),
            results: review
                .findings
                .iter()
                .map(|f| result(f, top_score))
                .collect(),
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("sarif serializes");
    out.push('\n');
    out
}
