//! `supply-chain/new-build-script`: once a team keeps an allow-list of reviewed build
//! scripts, a build script that is not on it.

use architect_model::{Finding, Level, Section};

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "supply-chain/new-build-script",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "build scripts not in the reviewed allow-list of `supply-chain/build-script`",
    docs: Docs {
        what: "Once `supply-chain/build-script` has an `allow` list (the build scripts the team \
               reviewed, with reasons), reports in one finding every third-party build script \
               of the build that is not on it: a new dependency with a build script, or a \
               version the list does not cover. Without such a list there is no finding: the \
               inventory (`supply-chain/build-script`) says what runs. The workspace's own \
               scripts are reviewed with its code and are not reported.",
        why: "cargo-deny's `allow-build-scripts` works the same way: the inventory is reviewed \
              once, and from then on what is new stands out. A build script runs on every \
              developer's machine and in CI with their permissions; a new one in a dependency \
              update is the moment to look at it.",
        fix: "Read the new build script (what it compiles, runs and downloads), then add it to \
              `supply-chain/build-script`'s `allow` with the reason, or drop the dependency.",
        references: &[(
            "cargo-deny: bans.build (allow-build-scripts)",
            "https://embarkstudios.github.io/cargo-deny/checks/bans/cfg.html#the-build-field-optional",
        )],
    },
    options: &[],
    allow_list: false,
    check,
};

/// The inventory rule whose `allow` list is the reviewed set.
const INVENTORY: &str = "supply-chain/build-script";

/// Shown by name in the message; the finding's packages list them all.
const SHOWN: usize = 10;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    match cx.facts.config.rule(INVENTORY) {
        Some(reviewed) if !reviewed.allow.is_empty() => new_scripts(cx, reviewed),
        _ => Vec::new(),
    }
}

/// The finding for the third-party build scripts `reviewed` does not accept.
fn new_scripts(cx: &Ctx<'_>, reviewed: &architect_model::RuleConfig) -> Vec<Finding> {
    let mut new: Vec<_> = cx
        .facts
        .built()
        .filter(|p| p.has_build_script() && !p.in_workspace())
        .filter(|p| {
            let version = p.version().to_string();
            !reviewed
                .allow
                .iter()
                .any(|e| crate::accepts(e, p.name(), &version))
        })
        .collect();
    if new.is_empty() {
        return Vec::new();
    }
    new.sort_by_key(|p| (p.name().to_string(), p.version().clone()));
    let names: Vec<String> = new.iter().map(|p| pkg_ref(p).to_string()).collect();
    let mut f = cx.finding(
        format!(
            "{} not in the reviewed allow-list of `{INVENTORY}`: {}",
            count(new.len(), "build script is", "build scripts are"),
            name_list(&names, SHOWN)
        ),
        format!("read what each does (`cargo architect` lists it under `{INVENTORY}`), then add it to that rule's `allow` with the reason, or drop the dependency"),
    );
    for p in &new {
        f = f.package(pkg_ref(p));
    }
    // Where the reviewed list is: the place the new entries go.
    let at = reviewed.allow.first().and_then(|e| e.location.clone());
    vec![f.at(at)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{fixture, run};
    use architect_model::{AllowEntry, RuleConfig};

    fn against(reviewed: &[(&str, Option<&str>)]) -> Vec<Finding> {
        let allow = reviewed
            .iter()
            .map(|(package, version)| AllowEntry {
                package: package.to_string(),
                version: version.map(str::to_string),
                reason: "reviewed".into(),
                location: None,
            })
            .collect();
        let reviewed = RuleConfig {
            allow,
            ..Default::default()
        };
        let facts = fixture("build-scripts");
        let shared = crate::buildsim::Shared::default();
        new_scripts(&Ctx::new(facts, &RULE, None, &shared), &reviewed)
    }

    #[test]
    fn nothing_until_the_team_keeps_a_list() {
        assert!(run(&RULE, fixture("build-scripts")).is_empty());
    }

    #[test]
    fn scripts_not_on_the_list_are_new() {
        // zlib-sys is reviewed; fastcrypto only at a version the build does not use; the
        // workspace's own `app` is reviewed with its code.
        let f = against(&[("zlib-sys", None), ("fastcrypto", Some("<0.3"))]);
        assert_eq!(f.len(), 1);
        let named: Vec<&str> = f[0].packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(named, ["bench-sys", "fastcrypto", "probe"]);
        assert!(
            f[0].message
                .starts_with("3 build scripts are not in the reviewed allow-list"),
            "{}",
            f[0].message
        );
        let all = [
            ("zlib-sys", None),
            ("fastcrypto", None),
            ("probe", None),
            ("bench-sys", None),
        ];
        assert!(against(&all).is_empty());
    }
}
