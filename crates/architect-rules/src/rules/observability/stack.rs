//! `observability/stack`: tracing or log, OpenTelemetry export, runtime metrics.

use architect_model::{Finding, Level, Section};

use crate::graph::shipped_named;
use crate::rule::{Ctx, Docs, Rule};
use architect_model::catalogue::{OTEL_EXPORT, RUNTIME_METRICS, SERVICE_RUNTIMES};

pub static RULE: Rule = Rule {
    id: "observability/stack",
    section: Section::Observability,
    default_level: Level::Allow,
    summary: "the observability stack: tracing vs log, OpenTelemetry, runtime metrics",
    docs: Docs {
        what: "Describes the observability crates of the shipped build (no dev-dependencies, \
               no tooling members): `tracing` and/or `log` facades, subscribers, \
               OpenTelemetry export, and async runtime introspection (tokio-metrics, \
               console-subscriber), for a workspace that ships a service: a binary on an \
               async runtime (for a library or a CLI the stack is its users' choice). \
               Members that log through `log` while others use `tracing` are \
               `observability/log-beside-tracing`. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): labelled on eight real workspaces, the summary was worth reading in 1 of 4 (a service that exports telemetry); for libraries, editors and engines, missing OpenTelemetry or runtime metrics is expected.",
        why: "In async services, `log` records lines without the request they belong to; \
              `tracing` spans carry that context across `.await` points and export to \
              OpenTelemetry for distributed traces. Mixing both in one's own crates splits the \
              telemetry into two streams with different context. Without runtime metrics, a \
              starved executor looks like slow I/O.",
        fix: "Use `tracing` in the workspace's own crates (bridge dependencies' `log` records \
              with `tracing-log`), export with `tracing-opentelemetry`, and add tokio-metrics or \
              tokio-console to services.",
        references: &[
            ("tracing", "https://docs.rs/tracing"),
            (
                "OpenTelemetry Rust",
                "https://opentelemetry.io/docs/languages/rust/",
            ),
            ("tokio-metrics", "https://docs.rs/tokio-metrics"),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let has = |names: &[&str]| shipped_named(facts, names).next().is_some();
    // Telemetry export and runtime metrics are a service's concern: a shipped binary on an
    // async runtime. For a library or a CLI the stack is the application's choice.
    let service = has(SERVICE_RUNTIMES)
        && facts.graph.workspace().iter().any(|m| {
            facts.scope.is_shipped_member(m.id())
                && m.build_targets()
                    .any(|t| matches!(t.id(), guppy::graph::BuildTargetId::Binary(_)))
        });
    if !service {
        return Vec::new();
    }
    let tracing = has(&["tracing"]);
    let log = has(&["log"]);
    if !tracing && !log {
        return Vec::new();
    }
    let otel = has(OTEL_EXPORT);
    let metrics = has(RUNTIME_METRICS);
    let facade = match (tracing, log) {
        (true, true) => "tracing and log",
        (true, false) => "tracing",
        _ => "log",
    };
    vec![cx.finding(
        format!(
            "observability: {facade}; OpenTelemetry export {}; runtime metrics {}",
            if otel { "present" } else { "absent" },
            if metrics { "present" } else { "absent" }
        ),
        if !tracing {
            "adopt `tracing` for structured, span-aware telemetry"
        } else if !otel {
            "export spans with `tracing-opentelemetry` to see requests across services"
        } else {
            "the stack is complete"
        },
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn the_facades_of_the_shipped_build() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("tracing and log"));
        assert!(run(&RULE, clean()).is_empty());
    }
}
