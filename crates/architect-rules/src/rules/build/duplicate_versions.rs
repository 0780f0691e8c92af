//! `build/duplicate-versions`: a crate in more than one version.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::{Finding, Level, OptionKind, OptionSpec, Section};
use guppy::PackageId;
use guppy::graph::PackageMetadata;

use crate::graph::{dependency_evidence, pkg_ref};
use crate::rule::{Ctx, Docs, FindingExt, Rule, count};

pub static RULE: Rule = Rule {
    id: "build/duplicate-versions",
    section: Section::Build,
    default_level: Level::Warn,
    summary: "crates built in more than one version",
    docs: Docs {
        what: "Reports each crate name present in the shipped build (what the members' \
               `cargo build` compiles on the reviewed platforms; dev-dependencies and tooling \
               members aside) in more than one copy, with the packages that pull in each and \
               the line that leads to it. A workspace member and a registry copy of the same \
               crate are reported as what they are: two distinct crates whose types do not \
               unify, which a `[patch]` entry fixes (unless a member depends on the registry \
               copy itself: the workspace builds against its published release on purpose). \
               Crates in several versions are listed from `min-crates` of them making up \
               `min-share` of the shipped build's packages: a few are the ordinary state of a \
               build mid ecosystem move (labelled on eight real workspaces: lists of one to \
               three were not worth reading, and two blind rounds judged lists of 2 to 3% of \
               a large build, ordinary upstream splits, not worth a top-risk slot, while \
               deno's 7% was). They are grouped \
               by the split that causes them: a crate whose older copies only other \
               duplicated crates' older copies pull in (`rand_chacha` through `rand`, the \
               `windows_*` crates through `windows-sys`) is listed with the crate at the top \
               of that chain, largest families first.",
        why: "Each version is compiled separately, so duplicates add compile time and binary \
              size, and types of the two versions do not match (rustc's \"expected `Bytes`, found \
              `Bytes`\") where crates exchange them. They are also the usual sign of a \
              dependency that lags behind the ecosystem. cargo-deny's `bans.multiple-versions` \
              check exists for the same reason.",
        fix: "Run `cargo tree -d` to see the chains; update the laggard (`cargo update -p`), \
              align your own requirements, or ask upstream to bump. Accept unavoidable ones \
              with an allow entry naming the crate and the reason.",
        references: &[
            (
                "cargo tree --duplicates",
                "https://doc.rust-lang.org/cargo/commands/cargo-tree.html",
            ),
            (
                "cargo-deny: bans.multiple-versions",
                "https://embarkstudios.github.io/cargo-deny/checks/bans/cfg.html#the-multiple-versions-field-optional",
            ),
        ],
    },
    options: &[
        OptionSpec {
            name: "min-crates",
            kind: OptionKind::Integer,
            default: "5",
            doc: "crates built in several versions from which the list is reported (a member and its registry copy always are)",
        },
        OptionSpec {
            name: "min-share",
            kind: OptionKind::Share,
            default: "0.05",
            doc: "and the share of the shipped build's packages they must make up",
        },
    ],
    allow_list: true,
    check,
};

/// Crate names with more than one copy in the shipped build, versions ascending.
pub fn duplicates<'a>(
    facts: &'a architect_model::Facts,
) -> BTreeMap<&'a str, Vec<PackageMetadata<'a>>> {
    let mut by_name: BTreeMap<&str, Vec<PackageMetadata<'_>>> = BTreeMap::new();
    let shipped = facts
        .scope
        .shipped
        .iter()
        .filter_map(|id| facts.graph.metadata(id).ok());
    for p in shipped {
        by_name.entry(p.name()).or_default().push(p);
    }
    by_name.retain(|_, v| v.len() > 1);
    for v in by_name.values_mut() {
        v.sort_by(|a, b| a.version().cmp(b.version()));
    }
    by_name
}

/// Crates named in the message; the notes and packages keep them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut versions = Vec::new();
    for (name, copies) in duplicates(cx.facts) {
        let copies: Vec<_> = copies
            .into_iter()
            .filter(|p| !cx.allows(p.name(), &p.version().to_string()))
            .collect();
        if copies.len() < 2 {
            continue;
        }
        let same_version = copies.windows(2).any(|w| w[0].version() == w[1].version());
        match copies.iter().find(|p| p.in_workspace()) {
            Some(_) if same_version && deliberate(cx.facts, &copies) => {}
            Some(member) if same_version => out.push(member_copy(cx, name, member, &copies)),
            _ => versions.push((name, copies)),
        }
    }
    // A few duplicates are the ordinary state of a build in the middle of an ecosystem move
    // (thiserror 1 to 2, syn 2 to 3): `cargo tree -d` lists them; the finding is for a graph
    // that has let them pile up.
    // A few percent of a large build in two versions is the ordinary state of an ecosystem
    // mid-move; a list is worth a warning when it is a real share of what is compiled.
    let shipped = cx.facts.scope.shipped.len().max(1);
    let share = versions.len() as f64 / shipped as f64;
    if versions.len() >= cx.number("min-crates") as usize && share >= cx.number("min-share") {
        out.extend(several_versions(cx, &versions));
    }
    out
}

/// Duplicated crates grouped by the split that causes them: a crate whose older copies only
/// other duplicated crates' older copies pull in (`windows_x86_64_gnu 0.48` through
/// `windows-targets 0.48` through `windows-sys 0.48`; `rand_core 0.6` through `rand 0.8`) is
/// in the family of the crate at the top of that chain. Families, largest first, as (root,
/// the crates it brings).
fn families<'a>(
    facts: &architect_model::Facts,
    dups: &[(&'a str, Vec<PackageMetadata<'_>>)],
) -> Vec<(&'a str, Vec<&'a str>)> {
    let older: BTreeMap<PackageId, &'a str> = dups
        .iter()
        .flat_map(|(n, c)| c[..c.len() - 1].iter().map(move |p| (p.id().clone(), *n)))
        .collect();
    // For each duplicated crate: the duplicated crates that pull every one of its older
    // copies, or none when something else pulls one.
    let mut cause: BTreeMap<&'a str, &'a str> = BTreeMap::new();
    for (name, copies) in dups {
        let mut by: BTreeSet<&'a str> = BTreeSet::new();
        let mut all_caused = true;
        for p in &copies[..copies.len() - 1] {
            let dependents: Vec<_> = p
                .reverse_direct_links()
                .filter(|l| facts.scope.edge_shipped(l.from().id(), p.id()))
                .collect();
            let causes: Vec<&'a str> = dependents
                .iter()
                .filter_map(|l| older.get(l.from().id()).copied())
                .collect();
            all_caused &= !dependents.is_empty() && causes.len() == dependents.len();
            by.extend(causes);
        }
        if let Some(first) = by.iter().find(|c| *c != name).filter(|_| all_caused) {
            cause.insert(name, first);
        }
    }
    let root_of = |mut n: &'a str| {
        let mut steps = 0;
        while let Some(c) = cause.get(n) {
            n = c;
            steps += 1;
            if steps > cause.len() {
                break; // a cycle: stop where it was found
            }
        }
        n
    };
    let mut out: BTreeMap<&'a str, Vec<&'a str>> = BTreeMap::new();
    for (name, _) in dups {
        let root = root_of(name);
        let members = out.entry(root).or_default();
        if root != *name {
            members.push(name);
        }
    }
    let mut out: Vec<(&'a str, Vec<&'a str>)> = out.into_iter().collect();
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    out
}

/// One finding for every crate built in several versions: the crates grouped by the split
/// that causes them, and in the notes each family and each version with the chain that pulls
/// it in.
fn several_versions(cx: &Ctx<'_>, dups: &[(&str, Vec<PackageMetadata<'_>>)]) -> Option<Finding> {
    let facts = cx.facts;
    let ((first, _), extra) = (dups.first()?, dups.len() - 1);
    let versions = |name: &str| {
        dups.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| {
                c.iter()
                    .map(|p| p.version().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let families = families(facts, dups);
    let names: Vec<String> = families
        .iter()
        .map(|(root, brings)| match brings.len() {
            0 => format!("`{root} {}`", versions(root)),
            n => format!("`{root} {}` (and {n} it brings)", versions(root)),
        })
        .collect();
    let listed = match names.len().saturating_sub(SHOWN) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names[..SHOWN].join(", ")),
    };
    let splits = if families.len() < dups.len() {
        format!(", from {} splits", families.len())
    } else {
        String::new()
    };
    let mut f = cx.finding(
        format!(
            "{} built in more than one version{splits}: {}",
            count(dups.len(), "crate is", "crates are"),
            listed
        ),
        if extra == 0 {
            format!("see `cargo tree -d -i {first}`; align the requirements or update the package that lags")
        } else {
            "see `cargo tree -d`; align your requirements, update the packages that lag, and accept the unavoidable ones in `allow` with a reason".to_string()
        },
    );
    for (root, brings) in families.iter().filter(|(_, b)| !b.is_empty()) {
        let list: Vec<String> = brings.iter().map(|b| format!("`{b}`")).collect();
        f = f.note(format!(
            "the split of `{root}` ({}) brings {}",
            versions(root),
            list.join(", ")
        ));
    }
    for (_, copies) in dups {
        for p in copies {
            let (via, at) = provenance(facts, p);
            f = f
                .package(pkg_ref(p))
                .note(format!("{} {} from {via}", p.name(), p.version()));
            if dups.len() == 1 {
                f = f.at(at);
            }
        }
    }
    Some(f)
}

/// Where a copy comes from, as `cargo tree` would tell it apart.
fn origin(p: &PackageMetadata<'_>) -> String {
    if p.in_workspace() {
        format!("the workspace member at `{}`", member_dir(p))
    } else if p.source().is_path() {
        "a path dependency".to_string()
    } else if p.source().is_crates_io() {
        "crates.io".to_string()
    } else {
        p.source().to_string()
    }
}

fn member_dir(p: &PackageMetadata<'_>) -> String {
    p.source()
        .workspace_path()
        .map_or_else(|| ".".to_string(), |d| d.as_str().replace('\\', "/"))
}

/// Whether a member depends directly on the copy that is not the member: the workspace builds
/// against the published release on purpose (rust-analyzer consumes its own `lib/` crates
/// from crates.io to test what it publishes), and a `[patch]` would undo that choice.
fn deliberate(facts: &architect_model::Facts, copies: &[PackageMetadata<'_>]) -> bool {
    copies.iter().filter(|p| !p.in_workspace()).any(|copy| {
        facts
            .graph
            .workspace()
            .iter()
            .any(|m| m.direct_links().any(|l| l.to().id() == copy.id()))
    })
}

/// A workspace member and a copy of the same version from elsewhere: two crates whose types
/// do not unify.
fn member_copy(
    cx: &Ctx<'_>,
    name: &str,
    member: &PackageMetadata<'_>,
    copies: &[PackageMetadata<'_>],
) -> Finding {
    let dir = member_dir(member);
    let mut f = cx.finding(
        format!(
            "`{name}` is built twice: the workspace member at `{dir}` and a copy of the same version from another source; they are two distinct crates whose types do not unify"
        ),
        format!(
            "point the dependency at the member with `[patch.crates-io] {name} = {{ path = \"{dir}\" }}` in the root manifest"
        ),
    );
    for p in copies {
        let (via, at) = provenance(cx.facts, p);
        f = f
            .package(pkg_ref(p))
            .note(format!("{} from {via}", p.version()))
            .at(at);
    }
    f
}

/// Where a copy comes from and how the build reaches it (`crates.io via app -> x`), and the
/// line that leads to it.
fn provenance(
    facts: &architect_model::Facts,
    p: &PackageMetadata<'_>,
) -> (String, Option<architect_model::Location>) {
    let (locations, path) = dependency_evidence(facts, p.id());
    let chain: Vec<String> = path.iter().map(ToString::to_string).collect();
    let via = if chain.is_empty() {
        origin(p)
    } else {
        format!("{} via {}", origin(p), chain.join(" -> "))
    };
    (via, locations.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, kitchen_sink, run};

    #[test]
    fn reports_each_version_with_its_declaring_line() {
        // kitchen-sink sets `min-crates = 1`: its one crate in two versions is listed.
        let f = run(&RULE, kitchen_sink());
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "1 crate is built in more than one version: `dup 0.1.3, 0.2.1`"
        );
        assert_eq!(f[0].locations.len(), 2);
        assert_eq!(
            (f[0].locations[0].path.as_str(), f[0].locations[0].line),
            ("app/Cargo.toml", 15)
        );
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn a_list_that_is_a_small_share_of_the_build_is_not_reported() {
        // kitchen-sink's one duplicated crate is reported at `min-crates = 1` (the test
        // above), but not when it must also be all of the shipped build's packages.
        let f = crate::testing::run_with(
            &RULE,
            kitchen_sink(),
            &[("min-crates", 1), ("min-share", 1)],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_member_and_its_registry_copy_but_not_dev_only_copies() {
        // `min-crates` 1, so the one crate in two versions (`old`) is listed too.
        crate::assert_rule_snapshot!(&RULE, "duplicates", &[("min-crates", 1)]);
    }

    #[test]
    fn a_registry_copy_a_member_depends_on_directly_is_deliberate() {
        // `oldlib` is built twice (the member and the release `consumer` depends on), but the
        // workspace chose the release: only the `tokio` member's copy is reported.
        let facts = crate::testing::fixture("duplicates");
        assert_eq!(duplicates(facts).get("oldlib").map(Vec::len), Some(2));
        // With the default `min-crates`, the one crate in two versions (`old`) is not listed.
        let f = run(&RULE, facts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f.iter().all(|f| !f.message.contains("oldlib")), "{f:?}");
        assert!(
            f.iter()
                .any(|f| f.message.starts_with("`tokio` is built twice"))
        );
    }
}
