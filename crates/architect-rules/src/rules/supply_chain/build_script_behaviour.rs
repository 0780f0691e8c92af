//! `supply-chain/build-script-behaviour`: build scripts that reach outside the build (the
//! network, files outside `OUT_DIR`), or that could not be read. What they take in (C
//! compilers, programs, environment variables) is `supply-chain/build-script-inputs`.

use std::collections::BTreeMap;

use architect_model::{Behaviour, Finding, Level, Location, PlatformChoice, Section, TargetKind};

use crate::graph::{pkg_ref, source_location, unreadable_at};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script-behaviour",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "build scripts that use the network or write outside OUT_DIR, or could not be read",
    docs: Docs {
        what: "Reads every workspace build script (and with `--deps`, every third-party build \
               script on disk) and reports the ones that reach outside the build: touch the \
               network (reqwest, ureq, curl, `TcpStream`) or write files outside `OUT_DIR` (a \
               literal path not under it). A build script the scan could not read in full \
               (too large, not UTF-8, outside its package) is reported too: what it does is \
               unknown. One finding per package and behaviour. Code under a platform \
               `#[cfg(..)]` false for every reviewed host does not run there and is not \
               reported.",
        why: "A list of build scripts says where arbitrary code runs; this says what it does. \
              Hermetic builds (Bazel, Buck2, Android's Soong, Nix) need build scripts that only \
              read their inputs and write to `OUT_DIR`; one that downloads or writes elsewhere \
              breaks reproducibility and is the first place to look after a supply-chain \
              incident.",
        fix: "Keep build scripts to `OUT_DIR` and cargo's variables; vendor what they download; \
              declare every input with `cargo::rerun-if-changed`/`rerun-if-env-changed`.",
        references: &[
            (
                "Cargo book: build scripts, outputs",
                "https://doc.rust-lang.org/cargo/reference/build-scripts.html#outputs-of-the-build-script",
            ),
            (
                "Cargo book: environment variables for build scripts",
                "https://doc.rust-lang.org/cargo/reference/environment-variables.html#environment-variables-cargo-sets-for-build-scripts",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// What this rule reports; the rest is `build-script-inputs`'.
const REACHES_OUT: &[Behaviour] = &[Behaviour::Network, Behaviour::WritesOutsideOutDir];

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = behaviours(cx, REACHES_OUT);
    out.extend(unseen_scripts(cx));
    out
}

/// One finding per package and behaviour of `kinds`, at the first place it shows, naming
/// what it touches (hosts, programs, variables, paths).
pub(super) fn behaviours(cx: &Ctx<'_>, kinds: &[Behaviour]) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (id, pkg) in &facts.sources.packages {
        let Ok(meta) = facts.graph.metadata(id) else {
            continue;
        };
        // A build script may span several files (its own modules): one finding per behaviour
        // per package, pointing at the first place it shows.
        let mut by_kind: BTreeMap<Behaviour, (Vec<&str>, Option<Location>)> = BTreeMap::new();
        for file in pkg
            .files
            .iter()
            .filter(|f| f.target == TargetKind::BuildScript)
        {
            for (b, span, detail) in &file.facts.behaviours {
                if !kinds.contains(b) || off_for_reviewed_hosts(facts, &file.facts, *span) {
                    continue;
                }
                let entry = by_kind.entry(*b).or_insert_with(|| (Vec::new(), None));
                entry.0.push(detail);
                if entry.1.is_none() {
                    entry.1 = source_location(facts, file, *span, b.describe());
                }
            }
        }
        for (b, (mut details, location)) in by_kind {
            details.sort();
            details.dedup();
            let help = match b {
                Behaviour::Network => "vendor what it downloads: a build must not need the network",
                Behaviour::WritesOutsideOutDir => "write generated files to OUT_DIR only",
                Behaviour::ReadsEnv => {
                    "declare each with `cargo::rerun-if-env-changed`, or pass it as a feature"
                }
                Behaviour::RunsPrograms => {
                    "make the programs explicit inputs, and fail clearly when they are missing"
                }
                Behaviour::CompilesNative => {
                    "pin the C sources and compiler flags; prefer a pure-Rust crate where one exists"
                }
            };
            out.push(
                cx.finding(
                    format!(
                        "build script of `{}` {} ({})",
                        pkg_ref(&meta),
                        b.describe(),
                        details.join(", ")
                    ),
                    help,
                )
                .package(pkg_ref(&meta))
                .at(location),
            );
        }
    }
    out
}

/// Whether the build-script code at `span` sits under a `#[cfg(..)]` that is false for every
/// reviewed platform taken as the build host (the host; each `--target`, a possible native
/// host): it does not run there. With `--target all`, or a predicate that does not evaluate,
/// the code counts.
fn off_for_reviewed_hosts(
    facts: &architect_model::Facts,
    file: &architect_model::FileFacts,
    span: architect_model::SourceSpan,
) -> bool {
    let hosts: &[String] = match &facts.platforms {
        PlatformChoice::Host(t) => std::slice::from_ref(t),
        PlatformChoice::Targets(ts) => ts,
        PlatformChoice::All => return false,
    };
    file.platform_cfgs
        .iter()
        .filter(|(s, _)| s.start <= span.start && span.start < s.end)
        .any(|(_, predicate)| cfg_false_for_all(predicate, hosts))
}

/// Whether `cfg(predicate)` is false for each of `triples` (and there is one).
fn cfg_false_for_all(predicate: &str, triples: &[String]) -> bool {
    let Ok(spec) = target_spec::TargetSpec::new(format!("cfg({predicate})")) else {
        return false;
    };
    !triples.is_empty()
        && triples.iter().all(|t| {
            target_spec::Platform::new(t.clone(), target_spec::TargetFeatures::Unknown)
                .ok()
                .and_then(|p| spec.eval(&p))
                == Some(false)
        })
}

/// Build scripts the scan did not read in full.
fn unseen_scripts(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    let blind: std::collections::BTreeSet<&guppy::PackageId> = facts
        .sources
        .unreadable
        .iter()
        .filter(|u| u.target == TargetKind::BuildScript && u.hides_code())
        .map(|u| &u.package)
        .collect();
    for id in blind {
        if let Ok(meta) = facts.graph.metadata(id)
            && let Some(f) = unseen(cx, id, &meta)
        {
            out.push(f);
        }
    }
    out
}

/// A build script whose files the scan did not all see: what it does is unknown, said at the
/// rule's own level, never taken as "nothing".
fn unseen(
    cx: &Ctx<'_>,
    id: &guppy::PackageId,
    meta: &guppy::graph::PackageMetadata<'_>,
) -> Option<Finding> {
    let facts = cx.facts;
    let unseen: Vec<&architect_model::Unreadable> = facts
        .sources
        .unseen(id)
        .filter(|u| u.target == TargetKind::BuildScript)
        .collect();
    let first = unseen.first()?;
    let (location, note) = unreadable_at(facts, first, "not scanned");
    let mut f = cx
        .finding(
            format!(
                "build script of `{}` was not read in full: what it does is unknown ({})",
                pkg_ref(meta),
                unseen
                    .iter()
                    .map(|u| format!("`{}`: {}", u.path, u.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            "keep build scripts small, UTF-8 and inside the package, so that they can be reviewed",
        )
        .package(pkg_ref(meta))
        .at(location);
    if let Some(n) = note {
        f = f.note(n);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn what_the_build_script_does() {
        let f = run(&RULE, source_rules());
        let got: Vec<(Level, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.level,
                    f.message.rsplit('(').next().unwrap().trim_end_matches(')'),
                )
            })
            .collect();
        assert_eq!(
            got,
            [(Level::Warn, "TcpStream"), (Level::Warn, "fs::write")]
        );
    }
}
