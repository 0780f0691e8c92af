//! `observability/log-beside-tracing`: a member that logs through `log` while the workspace's
//! own crates use `tracing`.

use architect_model::{Finding, Level, Section};

use crate::graph::shipped_dependents;
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "observability/log-beside-tracing",
    section: Section::Observability,
    default_level: Level::Allow,
    summary: "members that log through `log` while the workspace's own crates use `tracing`",
    docs: Docs {
        what: "Reports each shipped member that depends on `log` itself when a shipped member \
               depends on `tracing` itself. Both links must be the member's own and shipped: \
               `tracing` arriving through a dependency (h2, hyper), a dev-dependency and a \
               tooling member (xtask) do not count, since the workspace's telemetry is what \
               its own shipped code emits. A shipped member that depends on `tracing-log` \
               itself bridges `log` records into tracing, with the current span: then \
               nothing is reported. \
               Opt-in (default `allow`; `level = \"info\"` turns it on): a member's dependency on `log` does not say it logs through it (sqlx keeps `log` for a `LevelFilter` in its configuration API): labelled on eight real workspaces, 0 of 5 right and worth reading.",
        why: "In async services, `log` records lines without the request they belong to; \
              `tracing` spans carry that context across `.await` points and export to \
              OpenTelemetry for distributed traces. Mixing both in one's own crates splits the \
              telemetry into two streams with different context.",
        fix: "Use `tracing` in the workspace's own crates, and bridge dependencies' `log` \
              records into it with `tracing-log` (or the `log` feature of `tracing`).",
        references: &[
            ("tracing", "https://docs.rs/tracing"),
            ("tracing-log", "https://docs.rs/tracing-log"),
        ],
    },
    options: &[],
    allow_list: false,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let tracing = shipped_dependents(facts, "tracing");
    // A member that installs the bridge (`tracing-log`, as bevy_log does) turns `log` records
    // into tracing events inside the current span: nothing is lost.
    if tracing.is_empty() || !shipped_dependents(facts, "tracing-log").is_empty() {
        return Vec::new();
    }
    let users: Vec<String> = tracing
        .iter()
        .map(|(m, _)| format!("`{}`", m.name))
        .collect();
    shipped_dependents(facts, "log")
        .into_iter()
        .map(|(member, loc)| {
            cx.finding(
                format!(
                    "`{}` logs through `log` while the workspace's own crates use `tracing` ({}): its records carry no span context",
                    member.name,
                    users.join(", ")
                ),
                "switch the crate to `tracing` macros",
            )
            .package(member)
            .at(loc)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn log_beside_tracing_is_a_warning_on_the_member() {
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].packages[0].name, "app");
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn only_the_workspaces_own_shipped_links_count() {
        // telemetry: `svc` uses tracing and log, `cli` log: both warn; `testy`'s log is a
        // dev-dependency. telemetry-dep: tracing only through a dependency, a dev-dependency
        // and a tooling member: nothing.
        crate::assert_rule_snapshot!(&RULE, "telemetry");
        assert!(run(&RULE, crate::testing::fixture("telemetry-dep")).is_empty());
    }

    #[test]
    fn a_workspace_that_bridges_log_into_tracing_loses_no_context() {
        // telemetry-bridged: `svc` uses tracing and log, as in telemetry; `logging` installs
        // tracing-log.
        assert!(run(&RULE, crate::testing::fixture("telemetry-bridged")).is_empty());
    }
}
