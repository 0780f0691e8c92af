//! `msrv/outdated`: direct dependencies behind their newest release.

use std::collections::BTreeMap;

use architect_model::{Finding, Level, Section};
use guppy::Version;

use crate::graph::{is_registry, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule};
use crate::semver_util::{compatible, releases, rust_version};

pub static RULE: Rule = Rule {
    id: "msrv/outdated",
    section: Section::Msrv,
    default_level: Level::Info,
    summary: "direct dependencies behind their newest release, and what the MSRV allows",
    docs: Docs {
        what: "For each registry dependency a workspace member declares, compares the locked \
               version with the local index cache: the newest semver-compatible release \
               (`cargo update` takes it), the newest release overall (a major update, which \
               needs a `Cargo.toml` change), and the newest release whose `rust-version` fits \
               the member's own `rust-version` (what the MSRV-aware resolver of RFC 3537 would \
               choose).",
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
    for member in facts.graph.workspace().iter() {
        let msrv = member
            .rust_version()
            .map(|v| Version::new(v.major, v.minor, v.patch));
        for link in member.direct_links() {
            let to = link.to();
            if !is_registry(&to) || !facts.is_built(to.id()) {
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
    let mut out = Vec::new();
    for (id, (members, msrv)) in direct {
        let Ok(p) = facts.graph.metadata(&id) else {
            continue;
        };
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
        let compatible_newest = published
            .iter()
            .rev()
            .map(|(v, _)| v)
            .find(|v| compatible(locked, v) && *v > locked);
        let fits = msrv.as_ref().and_then(|m| {
            published
                .iter()
                .rev()
                .find(|(_, iv)| {
                    iv.rust_version
                        .as_deref()
                        .and_then(rust_version)
                        .is_none_or(|rv| &rv <= m)
                })
                .map(|(v, _)| (m.clone(), v.clone()))
        });
        let mut parts = Vec::new();
        if let Some(c) = compatible_newest {
            parts.push(format!("{c} is semver-compatible"));
        }
        if !compatible(locked, newest) {
            parts.push(format!("{newest} is a major update"));
        }
        let location = facts
            .manifests
            .iter()
            .find_map(|(_, m)| m.dep(p.name()).cloned());
        let mut f = cx
            .finding(
                format!("`{}` is behind: {}", pkg_ref(&p), parts.join("; ")),
                match compatible_newest {
                    Some(c) => format!("`cargo update -p {} --precise {c}`", p.name()),
                    None => format!(
                        "raise the requirement on `{}` to {newest} when you take the major update",
                        p.name()
                    ),
                },
            )
            .package(pkg_ref(&p))
            .note(format!("declared by {}", members.join(", ")))
            .at(location);
        match (fits, &msrv) {
            (Some((m, v)), _) => {
                f = f.note(format!(
                    "newest release whose rust-version fits {}.{}: {v}{}",
                    m.major,
                    m.minor,
                    if &v == newest { " (the newest)" } else { "" }
                ));
            }
            (None, Some(m)) => {
                f = f.note(format!(
                    "no published release fits rust-version {}.{}",
                    m.major, m.minor
                ));
            }
            (None, None) => {}
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{names, registry_ws, run};

    #[test]
    fn behind_compatible_major_and_msrv_fit() {
        let f = run(&RULE, registry_ws());
        assert_eq!(names(&f), ["msrvlib", "tokio", "vulnlib", "yankedlib"]);
        let msrvlib = f.iter().find(|f| f.packages[0].name == "msrvlib").unwrap();
        assert!(
            msrvlib
                .notes
                .iter()
                .any(|n| n == "no published release fits rust-version 1.70")
        );
        let tokio = f.iter().find(|f| f.packages[0].name == "tokio").unwrap();
        assert!(tokio.notes.iter().any(|n| n.contains("fits 1.85: 1.40.0")));
    }
}
