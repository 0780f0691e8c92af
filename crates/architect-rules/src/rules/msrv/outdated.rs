//! `msrv/outdated`: direct dependencies behind their newest release.

use std::collections::BTreeMap;

use architect_model::{Finding, IndexVersion, Level, Section};
use guppy::Version;

use crate::graph::{is_registry, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};
use crate::semver_util::{compatible, releases, rust_version};

pub static RULE: Rule = Rule {
    id: "msrv/outdated",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "direct dependencies behind their newest release, and what the MSRV allows",
    docs: Docs {
        what: "For each registry dependency a shipped workspace member declares (no \
               dev-dependencies, no tooling, example or benchmark members), compares the locked \
               version with the local index cache and lists, in one finding, those a major \
               version behind the newest release (a `Cargo.toml` change), each with what the \
               newest needs when its `rust-version` is above the declaring members' (what \
               the MSRV-aware resolver of RFC 3537 would weigh). A major that no newer release \
               fits the declaring members' `rust-version` for is held by the MSRV policy, not \
               lag: it is only named in a note. Semver-compatible releases \
               the lockfile lags behind are routine (`cargo update`) and only counted. The \
               list, and the ten the message names, go most worth taking first: \
               security-relevant crates (TLS, certificates, cryptography), then those built \
               in several versions, then those the most members declare.",
        why: "Falling behind is cheap one release at a time and expensive all at once: major \
              updates pile up, duplicates appear as the ecosystem moves on, and security fixes \
              land only on new majors. Knowing which updates the MSRV blocks tells whether to \
              raise it.",
        fix: "Take compatible updates regularly (`cargo update`); schedule major ones; when the \
              MSRV blocks an update you need, raise `rust-version` deliberately.",
        references: &[
            (
                "RFC 3537: MSRV-aware resolver",
                "https://rust-lang.github.io/rfcs/3537-msrv-resolver.html",
            ),
            (
                "Cargo book: cargo update",
                "https://doc.rust-lang.org/cargo/commands/cargo-update.html",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    // Direct registry dependencies, with the members declaring them and the lowest MSRV among
    // those members.
    let mut direct: BTreeMap<guppy::PackageId, (Vec<String>, Option<Version>)> = BTreeMap::new();
    // What ships: no tooling member, no dev-dependency (a test framework a major behind is the
    // team's to bump when it likes).
    for member in facts
        .graph
        .workspace()
        .iter()
        .filter(|m| facts.scope.is_shipped_member(m.id()))
    {
        let msrv = member
            .rust_version()
            .map(|v| Version::new(v.major, v.minor, v.patch));
        for link in member.direct_links() {
            let to = link.to();
            if !is_registry(&to) || !facts.scope.edge_shipped(member.id(), to.id()) {
                continue;
            }
            let entry = direct.entry(to.id().clone()).or_default();
            entry.0.push(member.name().to_string());
            entry.1 = match (entry.1.take(), msrv.clone()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let duplicated: std::collections::BTreeSet<&str> =
        crate::rules::build::duplicate_versions::duplicates(facts)
            .into_keys()
            .collect();
    let mut compatible_updates = Vec::new();
    let mut major_updates: Vec<Lag<'_>> = Vec::new();
    // Majors no release of which fits the declaring members' rust-version: the MSRV policy's
    // choice, not lag.
    let mut held: Vec<String> = Vec::new();
    for (id, (members, msrv)) in direct {
        let Ok(p) = facts.graph.metadata(&id) else {
            continue;
        };
        if cx.allows(p.name(), &p.version().to_string()) {
            continue;
        }
        let Some(all) = facts.index.crates.get(p.name()) else {
            continue;
        };
        let locked = p.version();
        let published = releases(all, !locked.pre.is_empty());
        let Some((newest, _)) = published.last() else {
            continue;
        };
        if newest <= locked {
            continue;
        }
        let declared = format!("declared by {}", members.join(", "));
        let compatible_newest = published
            .iter()
            .rev()
            .map(|(v, _)| v)
            .find(|v| compatible(locked, v) && *v > locked);
        if let Some(c) = compatible_newest {
            let fit = msrv_fit(&published, msrv.as_ref(), c);
            compatible_updates.push((p, format!("`{}` {locked} -> {c}{fit}", p.name())));
        }
        if !compatible(locked, newest) && held_by_msrv(&published, msrv.as_ref(), locked) {
            held.push(format!("`{}` {locked} -> {newest}", p.name()));
        } else if !compatible(locked, newest) {
            let fit = msrv_fit(&published, msrv.as_ref(), newest);
            let security = architect_model::catalogue::security_relevant(p.name());
            let why = match (security, duplicated.contains(p.name())) {
                (true, true) => "; security-relevant, and built in several versions",
                (true, false) => "; security-relevant",
                (false, true) => "; built in several versions",
                (false, false) => "",
            };
            major_updates.push(Lag {
                weight: (security, duplicated.contains(p.name()), members.len()),
                package: p,
                note: format!("`{}` {locked} -> {newest} ({declared}{why}){fit}", p.name()),
            });
        }
    }
    // Most worth taking first: security-relevant crates, then the cause of a duplicate, then
    // the most members declaring it; by name on a tie.
    major_updates.sort_by(|a, b| {
        b.weight
            .cmp(&a.weight)
            .then_with(|| a.package.name().cmp(b.package.name()))
    });
    let top: Vec<String> = major_updates
        .iter()
        .take(TOP)
        .map(|l| format!("`{}`", l.package.name()))
        .collect();
    let mut out = Vec::new();
    // Compatible releases the lockfile lags behind are routine (`cargo update` takes them);
    // they are not a finding of their own, only counted in the major-update finding's notes.
    let routine = compatible_updates.len();
    if !major_updates.is_empty() {
        let routine_part = if routine > 0 {
            format!(
                ", and {} semver-compatible releases that `cargo update` takes",
                count(routine, "has", "have")
            )
        } else {
            String::new()
        };
        let behind = major_updates.len();
        out.push(
            listed(
                cx,
                format!(
                    "{} a major version behind the newest release{routine_part}; first to take: {}",
                    count(behind, "direct dependency is", "direct dependencies are"),
                    top.join(", ")
                ),
                "raise each requirement when you take the major update; `cargo update --breaking` (nightly) or edit the manifests",
                major_updates.into_iter().map(|l| (l.package, l.note)).collect(),
            )
            .costs(architect_model::Consequence::MajorsBehind { count: behind }),
        );
        if routine > 0
            && let Some(f) = out.last_mut()
        {
            f.notes.push(format!(
                "also {} semver-compatible releases `Cargo.lock` does not use (`cargo update`)",
                count(routine, "dependency has", "dependencies have")
            ));
        }
        if !held.is_empty()
            && let Some(f) = out.last_mut()
        {
            f.notes.push(format!(
                "not counted, every newer major needs a newer Rust than the declaring members promise: {}",
                held.join(", ")
            ));
        }
    }
    out
}

/// Dependencies named in the message, most worth taking first.
const TOP: usize = 10;

/// A direct dependency a major version behind, with what makes it worth taking first.
struct Lag<'g> {
    /// (security-relevant, built in several versions, members declaring it).
    weight: (bool, bool, usize),
    package: guppy::graph::PackageMetadata<'g>,
    note: String,
}

/// One finding for a list of dependencies, each a note (the packages in the finding).
fn listed(
    cx: &Ctx<'_>,
    message: String,
    help: &str,
    items: Vec<(guppy::graph::PackageMetadata<'_>, String)>,
) -> Finding {
    let location = items.first().and_then(|(p, _)| {
        cx.facts
            .manifests
            .values()
            .find_map(|m| m.dep(p.name()).cloned())
    });
    let mut f = cx.finding(message, help).at(location);
    for (p, note) in items {
        f = f.package(pkg_ref(&p)).note(note);
    }
    f
}

/// The `rust-version` a published version declares, if any.
fn needs_rust(iv: &IndexVersion) -> Option<Version> {
    iv.rust_version.as_deref().and_then(rust_version)
}

/// Whether every newer major of a locked version needs a newer Rust than `msrv`: taking it
/// means raising the MSRV first.
fn held_by_msrv(
    published: &[(Version, &IndexVersion)],
    msrv: Option<&Version>,
    locked: &Version,
) -> bool {
    let Some(m) = msrv else {
        return false;
    };
    published
        .iter()
        .filter(|(v, _)| v > locked && !compatible(locked, v))
        .all(|(_, iv)| needs_rust(iv).is_some_and(|need| &need > m))
}

/// Empty when `target` fits the declaring members' lowest `rust-version` (or none is
/// declared); otherwise what it needs, and the newest release that fits, if any.
fn msrv_fit(
    published: &[(Version, &IndexVersion)],
    msrv: Option<&Version>,
    target: &Version,
) -> String {
    let Some(m) = msrv else {
        return String::new();
    };
    let Some(need) = published
        .iter()
        .find(|(v, _)| v == target)
        .and_then(|(_, iv)| needs_rust(iv))
        .filter(|need| need > m)
    else {
        return String::new();
    };
    let fits = published
        .iter()
        .rev()
        .find(|(_, iv)| needs_rust(iv).is_none_or(|rv| &rv <= m));
    let (mm, mn) = (m.major, m.minor);
    match fits {
        Some((v, _)) => format!(
            " (needs rust-version {}.{}, above {mm}.{mn}; the newest that fits is {v})",
            need.major, need.minor
        ),
        None => format!(
            " (needs rust-version {}.{}, above {mm}.{mn}; no release fits)",
            need.major, need.minor
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{registry_ws, run};

    #[test]
    fn major_updates_with_routine_ones_counted() {
        let f = run(&RULE, registry_ws());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].message,
            "1 direct dependency is a major version behind the newest release, and 4 have semver-compatible releases that `cargo update` takes; first to take: `vulnlib`"
        );
        assert_eq!(
            f[0].notes,
            [
                "`vulnlib` 1.0.0 -> 2.0.0 (declared by app)",
                "also 4 dependencies have semver-compatible releases `Cargo.lock` does not use (`cargo update`)",
            ]
        );
    }

    #[test]
    fn a_major_no_release_of_which_fits_the_msrv_is_held_not_lag() {
        let iv = |version: &str, rust: Option<&str>| IndexVersion {
            published: None,
            version: version.into(),
            yanked: false,
            rust_version: rust.map(str::to_string),
        };
        let (a, b, c) = (
            iv("2.0.119", Some("1.61")),
            iv("3.0.0", Some("1.71")),
            iv("3.0.10", Some("1.71")),
        );
        let v = |s: &str| Version::parse(s).unwrap();
        let published = [(v("2.0.119"), &a), (v("3.0.0"), &b), (v("3.0.10"), &c)];
        let locked = v("2.0.119");
        // tracing-attributes: rust-version 1.65, every syn 3 needs 1.71.
        assert!(held_by_msrv(&published, Some(&v("1.65.0")), &locked));
        // axum-macros: rust-version 1.80, syn 3 fits: lag.
        assert!(!held_by_msrv(&published, Some(&v("1.80.0")), &locked));
        assert!(!held_by_msrv(&published, None, &locked));
    }
}
