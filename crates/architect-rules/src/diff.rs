//! `cargo architect diff`: what a change does, from the facts and reviews of its two sides.
//!
//! Findings are matched by what they are about, never by line: rule, advisory and packages
//! (with their versions only where the version is the point: advisories and yanked releases),
//! then the message with its figures taken out and the files it cites. A block moved within a
//! file, a figure that moved, or a dependency bumped under an unchanged finding is not new.

use std::collections::{BTreeMap, BTreeSet};

use architect_model::diff::{
    BuildChange, BuildScript, ChangeKind, Delta, DiffSide, FindingChange, Msrv, PackageChange,
    ReviewDiff, SettingChange, SourceKind,
};
use architect_model::{BuildFigures, Facts, Finding, Level, PackageRef, Review};
use guppy::PackageId;
use guppy::graph::{PackageMetadata, PackageSource};

use crate::graph::{built_links, pkg_ref};
use crate::rules::supply_chain::scripts::{Read, scripts};
use architect_model::Behaviour;

/// One side of the change: its label, its facts and their review.
pub struct Side<'a> {
    pub label: String,
    pub facts: &'a Facts,
    pub review: &'a Review,
    /// What loading this side could not cover (files of the revision not written).
    pub notes: Vec<String>,
}

impl std::fmt::Debug for Side<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Side")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Compare two sides of a change.
pub fn diff(base: &Side<'_>, head: &Side<'_>) -> ReviewDiff {
    let (introduced, resolved, changed, unchanged) =
        match_findings(&base.review.findings, &head.review.findings);
    let mut d = ReviewDiff {
        base: side(base),
        head: side(head),
        packages: packages(base.facts, head.facts),
        new_sources: new_sources(base.facts, head.facts),
        build_scripts: build_scripts(base.facts, head.facts),
        proc_macros: by_name(
            &base.review.summary.proc_macros,
            &head.review.summary.proc_macros,
        ),
        duplicates: delta(
            base.review
                .summary
                .duplicate_crates
                .iter()
                .map(|d| d.0.clone()),
            head.review
                .summary
                .duplicate_crates
                .iter()
                .map(|d| d.0.clone()),
        ),
        settings: settings(base.facts, head.facts),
        build: build(&base.review.summary.build, &head.review.summary.build),
        introduced,
        resolved,
        changed,
        unchanged,
        notes: Vec::new(),
        verdict: String::new(),
    };
    d.notes = shared_notes(&mut d.base.notes, &mut d.head.notes);
    d.verdict = verdict(&d);
    d
}

/// Take the notes both sides have out of each, once.
fn shared_notes(base: &mut Vec<String>, head: &mut Vec<String>) -> Vec<String> {
    let shared: Vec<String> = base.iter().filter(|n| head.contains(n)).cloned().collect();
    base.retain(|n| !shared.contains(n));
    head.retain(|n| !shared.contains(n));
    shared
}

fn side(s: &Side<'_>) -> DiffSide {
    let mut notes = s.notes.clone();
    notes.extend(s.review.notes.iter().cloned());
    DiffSide {
        label: s.label.clone(),
        summary: s.review.summary.clone(),
        msrv: crate::rules::msrv::effective::effective(s.facts).map(|e| Msrv {
            version: format!("{}.{}", e.version.major, e.version.minor),
            set_by: e
                .setters
                .iter()
                .filter_map(|id| s.facts.graph.metadata(id).ok())
                .map(|p| pkg_ref(&p))
                .collect(),
        }),
        notes,
    }
}

// ---- packages ----------------------------------------------------------------------------

/// Third-party packages of the build by name: version, metadata.
fn third_party(facts: &Facts) -> BTreeMap<&str, BTreeMap<guppy::Version, PackageMetadata<'_>>> {
    let mut by_name: BTreeMap<&str, BTreeMap<guppy::Version, PackageMetadata<'_>>> =
        BTreeMap::new();
    for p in facts.built().filter(|p| !p.in_workspace()) {
        by_name
            .entry(p.name())
            .or_default()
            .insert(p.version().clone(), p);
    }
    by_name
}

fn packages(base: &Facts, head: &Facts) -> Vec<PackageChange> {
    let (b, h) = (third_party(base), third_party(head));
    let (rb, rh) = (reached_by(base), reached_by(head));
    let names: BTreeSet<&str> = b.keys().chain(h.keys()).copied().collect();
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for name in names {
        let (bv, hv) = (b.get(name).unwrap_or(&empty), h.get(name).unwrap_or(&empty));
        let gone: Vec<_> = bv.iter().filter(|(v, _)| !hv.contains_key(*v)).collect();
        let new: Vec<_> = hv.iter().filter(|(v, _)| !bv.contains_key(*v)).collect();
        if let ([(from, _)], [(to, p)]) = (gone.as_slice(), new.as_slice()) {
            let change = if to > from {
                ChangeKind::Upgraded
            } else {
                ChangeKind::Downgraded
            };
            out.push(change_of(&rh, head, p, change, Some(from), Some(to)));
            continue;
        }
        for (v, p) in gone {
            out.push(change_of(&rb, base, p, ChangeKind::Removed, Some(v), None));
        }
        for (v, p) in new {
            out.push(change_of(&rh, head, p, ChangeKind::Added, None, Some(v)));
        }
    }
    out
}

fn change_of(
    reached: &BTreeMap<PackageId, BTreeSet<String>>,
    facts: &Facts,
    p: &PackageMetadata<'_>,
    change: ChangeKind,
    from: Option<&guppy::Version>,
    to: Option<&guppy::Version>,
) -> PackageChange {
    let (source_kind, source) = source_of(p);
    PackageChange {
        name: p.name().to_string(),
        change,
        from: from.map(ToString::to_string),
        to: to.map(ToString::to_string),
        source_kind,
        source,
        pulled_in_by: reached
            .get(p.id())
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default(),
        location: facts.lock_location(p.name(), &p.version().to_string()),
    }
}

fn source_of(p: &PackageMetadata<'_>) -> (SourceKind, String) {
    match p.source() {
        PackageSource::External(s) if s.starts_with("git+") => (SourceKind::Git, s.to_string()),
        PackageSource::External(s) => (SourceKind::Registry, s.to_string()),
        PackageSource::Path(path) | PackageSource::Workspace(path) => {
            (SourceKind::Path, path.as_str().replace('\\', "/"))
        }
    }
}

/// The workspace members whose build reaches each package, over the links the build follows
/// on the reviewed platforms (features resolved, `cfg` evaluated: a wasm-only dependency
/// reaches no member on a host build).
fn reached_by(facts: &Facts) -> BTreeMap<PackageId, BTreeSet<String>> {
    let mut out: BTreeMap<PackageId, BTreeSet<String>> = BTreeMap::new();
    for member in facts.graph.workspace().iter() {
        let mut stack = vec![member];
        let mut seen = BTreeSet::new();
        while let Some(p) = stack.pop() {
            if !seen.insert(p.id().clone()) {
                continue;
            }
            out.entry(p.id().clone())
                .or_default()
                .insert(member.name().to_string());
            stack.extend(built_links(facts, &p).map(|l| l.to()));
        }
    }
    out
}

/// A git source without its commit (`#...`): a new repository, not a new commit of one.
fn source_key(p: &PackageMetadata<'_>) -> Option<String> {
    match source_of(p) {
        (SourceKind::Registry, s) if s.ends_with("crates.io-index") => None,
        (SourceKind::Git, s) => Some(s.split('#').next().unwrap_or(&s).to_string()),
        (_, s) => Some(s),
    }
}

fn new_sources(base: &Facts, head: &Facts) -> Vec<String> {
    let keys = |f: &Facts| -> BTreeSet<String> {
        f.built()
            .filter(|p| !p.in_workspace())
            .filter_map(|p| source_key(&p))
            .collect()
    };
    let before = keys(base);
    keys(head).difference(&before).cloned().collect()
}

/// Build scripts by package name, with what each does.
fn build_scripts(base: &Facts, head: &Facts) -> Delta<BuildScript> {
    let of = |facts: &Facts| -> BTreeMap<String, BuildScript> {
        scripts(facts)
            .into_iter()
            .map(|s| {
                let mut does: Vec<String> = Vec::new();
                if s.native() {
                    does.push("compiles or links native code".into());
                }
                for (b, did) in &s.does {
                    if *b == Behaviour::CompilesNative {
                        continue;
                    }
                    let mut what = b.describe().to_string();
                    if !did.details.is_empty() {
                        what.push_str(&format!(": {}", did.details.join(", ")));
                    }
                    does.push(what);
                }
                if let Read::NotOnDisk = s.read {
                    does.push("not read: its sources are not on disk".into());
                }
                let package = pkg_ref(&s.meta);
                (
                    package.name.clone(),
                    BuildScript {
                        package,
                        does,
                        shipped: s.shipped,
                    },
                )
            })
            .collect()
    };
    let (mut b, mut h) = (of(base), of(head));
    let (bk, hk): (BTreeSet<String>, BTreeSet<String>) =
        (b.keys().cloned().collect(), h.keys().cloned().collect());
    Delta {
        added: hk.difference(&bk).filter_map(|k| h.remove(k)).collect(),
        removed: bk.difference(&hk).filter_map(|k| b.remove(k)).collect(),
    }
}

fn by_name(base: &[PackageRef], head: &[PackageRef]) -> Delta<PackageRef> {
    let names =
        |s: &[PackageRef]| -> BTreeSet<String> { s.iter().map(|p| p.name.clone()).collect() };
    let (b, h) = (names(base), names(head));
    Delta {
        added: head
            .iter()
            .filter(|p| !b.contains(&p.name))
            .cloned()
            .collect(),
        removed: base
            .iter()
            .filter(|p| !h.contains(&p.name))
            .cloned()
            .collect(),
    }
}

fn delta<T: Ord + Clone>(base: impl Iterator<Item = T>, head: impl Iterator<Item = T>) -> Delta<T> {
    let (b, h): (BTreeSet<T>, BTreeSet<T>) = (base.collect(), head.collect());
    Delta {
        added: h.difference(&b).cloned().collect(),
        removed: b.difference(&h).cloned().collect(),
    }
}

// ---- settings ------------------------------------------------------------------------------

/// Each setting as `what -> (value, where)`, on one side.
fn setting_values(facts: &Facts) -> BTreeMap<String, (String, Option<architect_model::Location>)> {
    let mut out = BTreeMap::new();
    for (id, m) in &facts.manifests {
        let Ok(p) = facts.graph.metadata(id) else {
            continue;
        };
        // Membership, not the member's version: a release bumps every one.
        out.insert(
            format!("member `{}`", p.name()),
            ("present".to_string(), m.header().cloned()),
        );
        out.insert(
            format!("`edition` of `{}`", p.name()),
            (p.edition().to_string(), m.edition.clone()),
        );
        if let Some(v) = p.rust_version() {
            // As manifests write it: `1.85`, not `1.85.0`.
            let v = if v.patch == 0 {
                format!("{}.{}", v.major, v.minor)
            } else {
                v.to_string()
            };
            out.insert(
                format!("`rust-version` of `{}`", p.name()),
                (v, m.rust_version.clone()),
            );
        }
    }
    if let Some((r, loc)) = &facts.resolver {
        out.insert("`resolver`".into(), (r.to_string(), Some(loc.clone())));
    }
    if let Some((v, loc)) = &facts.incompatible_rust_versions {
        out.insert(
            "`resolver.incompatible-rust-versions`".into(),
            (v.clone(), Some(loc.clone())),
        );
    }
    if let Some(pin) = facts.toolchain.pin() {
        let value = pin
            .channel
            .clone()
            .or_else(|| pin.path.as_ref().map(|p| format!("path = {p}")))
            .unwrap_or_default();
        out.insert(
            "the toolchain pin".into(),
            (value, Some(pin.location.clone())),
        );
    }
    for (what, loc) in waivers(facts) {
        out.insert(what, (String::from("present"), loc));
    }
    out
}

/// The review configuration's waivers: `ignore` entries and rules' `allow` entries.
fn waivers(facts: &Facts) -> Vec<(String, Option<architect_model::Location>)> {
    let c = &facts.config;
    let ignores = c.ignores.iter().map(|i| {
        let mut what = String::from("waiver");
        for (k, v) in [
            ("rule", &i.rule),
            ("package", &i.package),
            ("advisory", &i.advisory),
        ] {
            if let Some(v) = v {
                what.push_str(&format!(" {k} = `{v}`"));
            }
        }
        (what, i.location.clone())
    });
    let allows = c.rules.iter().flat_map(|(rule, rc)| {
        rc.allow.iter().map(move |a| {
            (
                format!("allowed `{}` in `{rule}`", a.package),
                a.location.clone(),
            )
        })
    });
    ignores.chain(allows).collect()
}

fn settings(base: &Facts, head: &Facts) -> Vec<SettingChange> {
    let mut changes = changed_settings(base, head);
    // A member added or removed brings its `edition` and `rust-version` with it: the
    // membership line says it.
    let moved: BTreeSet<String> = changes
        .iter()
        .filter_map(|c| c.what.strip_prefix("member "))
        .map(str::to_owned)
        .collect();
    changes.retain(|c| {
        !(c.from.is_none() || c.to.is_none())
            || c.what.starts_with("member ")
            || !moved.iter().any(|m| c.what.ends_with(&format!(" of {m}")))
    });
    group_members(changes)
}

/// The same change to many members (a `rust-version` inherited from `[workspace.package]`,
/// members added): one line naming them.
fn group_members(changes: Vec<SettingChange>) -> Vec<SettingChange> {
    // "`rust-version` of `a`" -> ("`rust-version` of", "a"); "member `a`" -> ("member", "a").
    let split = |what: &str| -> Option<(String, String)> {
        if !(what.starts_with("member `") || what.contains("` of `")) {
            return None;
        }
        let (field, name) = what.rsplit_once(" `")?;
        Some((field.to_string(), name.trim_end_matches('`').to_string()))
    };
    let mut groups: BTreeMap<(String, Option<String>, Option<String>), Vec<SettingChange>> =
        BTreeMap::new();
    let mut out = Vec::new();
    for c in changes {
        match split(&c.what) {
            Some((field, _)) => groups
                .entry((field, c.from.clone(), c.to.clone()))
                .or_default()
                .push(c),
            None => out.push(c),
        }
    }
    for ((field, from, to), mut members) in groups {
        if members.len() == 1 {
            out.extend(members);
            continue;
        }
        let names: Vec<String> = members
            .iter()
            .filter_map(|c| split(&c.what).map(|(_, n)| format!("`{n}`")))
            .collect();
        let shown = names.len().min(5);
        // "member `a`" lines become "3 members: `a`, `b`, `c`".
        let field = if field == "member" {
            String::new()
        } else {
            format!("{field} ")
        };
        let mut what = format!(
            "{field}{} members: {}",
            names.len(),
            names[..shown].join(", ")
        );
        if names.len() > shown {
            what.push_str(&format!(" and {} more", names.len() - shown));
        }
        let first = members.swap_remove(0);
        out.push(SettingChange {
            what,
            from,
            to,
            location: first.location,
        });
    }
    out.sort_by(|a, b| a.what.cmp(&b.what));
    out
}

fn changed_settings(base: &Facts, head: &Facts) -> Vec<SettingChange> {
    let (b, h) = (setting_values(base), setting_values(head));
    let keys: BTreeSet<&String> = b.keys().chain(h.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (from, to) = (b.get(k), h.get(k));
            if from.map(|v| &v.0) == to.map(|v| &v.0) {
                return None;
            }
            Some(SettingChange {
                what: k.clone(),
                from: from.map(|v| v.0.clone()),
                to: to.map(|v| v.0.clone()),
                location: to.or(from).and_then(|v| v.1.clone()),
            })
        })
        .collect()
}

// ---- build ---------------------------------------------------------------------------------

/// A unit's label without its version: `tokio 1.40.0 (build script)` -> `tokio (build script)`.
fn unversioned(label: &str) -> String {
    let mut words: Vec<&str> = label.split(' ').collect();
    if words.len() > 1 && guppy::Version::parse(words[1]).is_ok() {
        words.remove(1);
    }
    words.join(" ")
}

fn build(base: &Option<BuildFigures>, head: &Option<BuildFigures>) -> Option<BuildChange> {
    let (b, h) = (base.as_ref()?, head.as_ref()?);
    let path = |f: &BuildFigures| -> BTreeSet<String> {
        f.critical_path
            .iter()
            .map(|s| unversioned(&s.unit))
            .collect()
    };
    let d = delta(path(b).into_iter(), path(h).into_iter());
    Some(BuildChange {
        base: b.clone(),
        head: h.clone(),
        delta_s: h.predicted_s - b.predicted_s,
        onto_path: d.added,
        off_path: d.removed,
    })
}

// ---- findings ------------------------------------------------------------------------------

/// Findings about a release (an advisory, a yanked version): never paired with another
/// package's finding of the same rule.
fn versioned(f: &Finding) -> bool {
    f.advisory.is_some() || f.rule == "supply-chain/yanked"
}

/// What a finding is about: rule, advisory, package names. Not versions: an advisory the base
/// already had on another version of the package is still the base's (a bump that stays in
/// the affected range does not make the change worse, and an advisory published after the
/// bump was not introduced by it); a change from an unaffected version into an affected one,
/// or a new package, is introduced.
fn subject(f: &Finding) -> Subject<'_> {
    let packages = f.packages.iter().map(|p| p.name.clone()).collect();
    (f.rule, f.advisory.as_deref(), packages)
}

/// The files a finding cites.
fn files(f: &Finding) -> BTreeSet<&str> {
    f.locations.iter().map(|l| l.path.as_str()).collect()
}

/// How alike two findings' wordings are: the share of words they have in common.
fn likeness(a: &Finding, b: &Finding) -> f64 {
    let (wa, wb) = (wording(a).0, wording(b).0);
    let words = |s: &str| -> BTreeSet<String> { s.split_whitespace().map(str::to_owned).collect() };
    let (x, y) = (words(&wa), words(&wb));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}

/// The indices of the most alike base and head findings, when at least half their words
/// are shared.
fn most_alike(bs: &[&Finding], hs: &[&Finding]) -> Option<(usize, usize)> {
    let mut best: Option<(f64, usize, usize)> = None;
    for (i, b) in bs.iter().enumerate() {
        for (j, h) in hs.iter().enumerate() {
            let l = likeness(b, h);
            if l >= 0.5 && best.is_none_or(|(bl, _, _)| l > bl) {
                best = Some((l, i, j));
            }
        }
    }
    best.map(|(_, i, j)| (i, j))
}

/// The message with its figures taken out, and the files it cites.
fn wording(f: &Finding) -> (String, BTreeSet<&str>) {
    let mut text = String::with_capacity(f.message.len());
    let mut in_figure = false;
    for c in f.message.chars() {
        let figure = c.is_ascii_digit() || (in_figure && c == '.');
        if figure && !in_figure {
            text.push('#');
        }
        if !figure {
            text.push(c);
        }
        in_figure = figure;
    }
    let files = f.locations.iter().map(|l| l.path.as_str()).collect();
    (text, files)
}

type Subject<'f> = (&'static str, Option<&'f str>, Vec<String>);

fn group(fs: &[Finding]) -> BTreeMap<Subject<'_>, Vec<&Finding>> {
    let mut g: BTreeMap<_, Vec<&Finding>> = BTreeMap::new();
    for f in fs {
        g.entry(subject(f)).or_default().push(f);
    }
    g
}

type Matched = (Vec<Finding>, Vec<Finding>, Vec<FindingChange>, Vec<Finding>);

/// Pair findings of the same subject: same wording first, then in order; what is left is
/// introduced (head) or resolved (base).
fn match_findings(base: &[Finding], head: &[Finding]) -> Matched {
    let (mut b, h) = (group(base), group(head));
    let (mut introduced, mut resolved, mut changed, mut unchanged) =
        (vec![], vec![], vec![], vec![]);
    for (key, mut hs) in h {
        let mut bs = b.remove(&key).unwrap_or_default();
        // The same message first (h2 0.4.7's advisory is h2 0.4.7's, not h2 0.3.26's), then
        // the same wording without figures: unchanged, or changed in level only.
        let exact = |bf: &Finding, hf: &Finding| bf.message == hf.message && files(bf) == files(hf);
        let same = |bf: &Finding, hf: &Finding| wording(bf) == wording(hf);
        for matches in [&exact as &dyn Fn(&Finding, &Finding) -> bool, &same] {
            hs.retain(|hf| {
                let Some(i) = bs.iter().position(|bf| matches(bf, hf)) else {
                    return true;
                };
                let bf = bs.remove(i);
                if bf.level == hf.level {
                    unchanged.push((*hf).clone());
                } else {
                    changed.push(FindingChange {
                        base: bf.clone(),
                        head: (*hf).clone(),
                    });
                }
                false
            });
        }
        // Then the most alike pairs, when they say mostly the same (a list that grew); two
        // findings about different things stay introduced and resolved.
        while let Some((i, j)) = most_alike(&bs, &hs) {
            changed.push(FindingChange {
                base: bs.remove(i).clone(),
                head: hs.remove(j).clone(),
            });
        }
        introduced.extend(hs.into_iter().cloned());
        resolved.extend(bs.into_iter().cloned());
    }
    resolved.extend(b.into_values().flatten().cloned());
    pair_aggregates(base, head, &mut introduced, &mut resolved, &mut changed);
    for list in [&mut introduced, &mut resolved, &mut unchanged] {
        list.sort_by(order);
    }
    changed.sort_by(|x, y| order(&x.head, &y.head));
    (introduced, resolved, changed, unchanged)
}

/// Findings left unmatched that are the same finding grown or shrunk, paired as changed:
/// - one that names only packages the base's findings of its rule named already (the
///   yanked versions went from four to three): nothing new, whatever else moved;
/// - a rule with one finding on each side, about no release, whose packages overlap or which
///   cite the same files (a workspace-wide count such as `supply-chain/unbuilt-advisory`, whose
///   first package moved). One crate's finding replaced by another crate's stays introduced.
fn pair_aggregates(
    base: &[Finding],
    head: &[Finding],
    introduced: &mut Vec<Finding>,
    resolved: &mut Vec<Finding>,
    changed: &mut Vec<FindingChange>,
) {
    let single = |fs: &[Finding], rule: &str| fs.iter().filter(|f| f.rule == rule).count() == 1;
    introduced.retain(|h| {
        let same_rule = |b: &Finding| b.rule == h.rule && b.advisory == h.advisory;
        let pairs = |b: &Finding| {
            same_rule(b)
                && (named_before(h, base)
                    || (!versioned(b)
                        && !versioned(h)
                        && single(base, b.rule)
                        && single(head, h.rule)
                        && (overlap(b, h) || wording(b).1 == wording(h).1)))
        };
        let Some(i) = resolved.iter().position(pairs) else {
            return true;
        };
        let b = resolved.remove(i);
        changed.push(FindingChange {
            base: b,
            head: h.clone(),
        });
        false
    });
}

/// Whether the base's findings of `h`'s rule named every package `h` names (with its version,
/// for a finding about releases).
fn named_before(h: &Finding, base: &[Finding]) -> bool {
    let same = |p: &PackageRef, q: &PackageRef| {
        p.name == q.name && (!versioned(h) || p.version == q.version)
    };
    !h.packages.is_empty()
        && h.packages.iter().all(|p| {
            base.iter()
                .filter(|b| b.rule == h.rule && b.advisory == h.advisory)
                .any(|b| b.packages.iter().any(|q| same(p, q)))
        })
}

fn overlap(a: &Finding, b: &Finding) -> bool {
    a.packages
        .iter()
        .any(|p| b.packages.iter().any(|q| q.name == p.name))
}

/// Most important first: level, then impact, then the review's order.
fn order(x: &Finding, y: &Finding) -> std::cmp::Ordering {
    y.level
        .cmp(&x.level)
        .then(y.impact.score.total_cmp(&x.impact.score))
        .then_with(|| x.sort_key().cmp(&y.sort_key()))
}

// ---- verdict -------------------------------------------------------------------------------

fn count_levels(fs: &[Finding]) -> String {
    let mut parts = Vec::new();
    for level in [Level::Deny, Level::Warn, Level::Info] {
        let n = fs.iter().filter(|f| f.level == level).count();
        if n > 0 {
            parts.push(format!("{n} {level}"));
        }
    }
    parts.join(", ")
}

/// One line: whether the change fails, and its largest effects.
fn verdict(d: &ReviewDiff) -> String {
    let mut parts = Vec::new();
    if !d.introduced.is_empty() {
        parts.push(format!(
            "introduces {} ({})",
            crate::rule::count(d.introduced.len(), "finding", "findings"),
            count_levels(&d.introduced)
        ));
    }
    if !d.resolved.is_empty() {
        // Fixed, or out of a rule's scope now (a crate past 0.10): no longer reported.
        parts.push(format!(
            "{} no longer reported",
            crate::rule::count(d.resolved.len(), "finding", "findings")
        ));
    }
    let n = |k: ChangeKind| d.packages.iter().filter(|p| p.change == k).count();
    let (added, removed) = (n(ChangeKind::Added), n(ChangeKind::Removed));
    let bumped = n(ChangeKind::Upgraded) + n(ChangeKind::Downgraded);
    if added + removed + bumped > 0 {
        parts.push(format!(
            "packages +{added} −{removed}, {bumped} version {}",
            if bumped == 1 { "change" } else { "changes" }
        ));
    }
    if let (Some(b), Some(h)) = (&d.base.msrv, &d.head.msrv)
        && b.version != h.version
    {
        parts.push(format!("effective MSRV {} → {}", b.version, h.version));
    }
    if let Some(b) = &d.build
        // Worth a line when it is both a twentieth of the build and a second.
        && b.delta_s.abs() >= (0.05 * b.base.predicted_s).max(1.0)
    {
        parts.push(format!(
            "clean build {:+.1} s ({:.1} → {:.1} s)",
            b.delta_s, b.base.predicted_s, b.head.predicted_s
        ));
    }
    let head = if d.fails() {
        "fails: the change introduces a finding at deny"
    } else if parts.is_empty() && d.settings.is_empty() && d.changed.is_empty() {
        "no architectural change"
    } else {
        "passes"
    };
    if parts.is_empty() {
        head.to_string()
    } else {
        format!("{head}; {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use architect_model::{Impact, Location, Section, Span};

    fn finding(
        rule: &'static str,
        level: Level,
        message: &str,
        path: &str,
        line: usize,
    ) -> Finding {
        Finding {
            rule,
            level,
            section: Section::Build,
            message: message.into(),
            packages: vec![PackageRef::new("a", "1.0.0")],
            locations: vec![Location {
                path: path.into(),
                line,
                column: 1,
                span: Span::new(0, 0),
                label: None,
            }],
            path: vec![],
            notes: vec![],
            help: String::new(),
            advisory: None,
            impact: Impact::default(),
        }
    }

    #[test]
    fn a_moved_block_or_a_new_figure_is_not_new() {
        let base = [finding(
            "r/x",
            Level::Warn,
            "`f` spawns 3 tasks",
            "src/a.rs",
            10,
        )];
        let head = [finding(
            "r/x",
            Level::Warn,
            "`f` spawns 4 tasks",
            "src/a.rs",
            40,
        )];
        let (i, r, c, u) = match_findings(&base, &head);
        assert!(
            i.is_empty() && r.is_empty() && c.is_empty(),
            "{i:?} {r:?} {c:?}"
        );
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn another_item_is_new_and_a_raised_level_is_a_change() {
        let base = [
            finding("r/x", Level::Warn, "`f` is public", "src/a.rs", 1),
            finding("r/y", Level::Warn, "y", "src/a.rs", 1),
        ];
        let head = [
            finding("r/x", Level::Warn, "`f` is public", "src/a.rs", 1),
            finding("r/x", Level::Warn, "`g` is public", "src/b.rs", 1),
            finding("r/y", Level::Deny, "y", "src/a.rs", 1),
        ];
        let (i, r, c, u) = match_findings(&base, &head);
        assert_eq!(i.len(), 1);
        assert!(i[0].message.contains("`g`"));
        assert!(r.is_empty());
        assert_eq!((c.len(), u.len()), (1, 1));
        let d = ReviewDiff {
            changed: c,
            ..ReviewDiff::default()
        };
        assert!(d.fails(), "a finding raised to deny fails the change");
    }

    #[test]
    fn an_advisory_the_base_had_on_another_version_is_not_introduced() {
        let mut base = finding(
            "supply-chain/vulnerability",
            Level::Deny,
            "RUSTSEC-1",
            "Cargo.lock",
            3,
        );
        base.advisory = Some("RUSTSEC-1".into());
        let mut head = base.clone();
        head.packages = vec![PackageRef::new("a", "1.0.1")];
        let (i, r, _, u) = match_findings(std::slice::from_ref(&base), std::slice::from_ref(&head));
        assert_eq!((i.len(), r.len(), u.len()), (0, 0, 1));
        // Another package under the same advisory is new.
        let mut other = head.clone();
        other.packages = vec![PackageRef::new("b", "1.0.0")];
        let (i, r, c, _) =
            match_findings(std::slice::from_ref(&base), std::slice::from_ref(&other));
        assert_eq!((i.len(), r.len(), c.len()), (1, 1, 0));
        // Untouched: context, not a failure.
        let (i, _, c, u) = match_findings(std::slice::from_ref(&base), std::slice::from_ref(&base));
        assert_eq!((i.len(), c.len(), u.len()), (0, 0, 1));
        let d = ReviewDiff {
            unchanged: u,
            ..ReviewDiff::default()
        };
        assert!(!d.fails());
    }

    #[test]
    fn fewer_yanked_versions_is_no_new_finding() {
        let yanked = |versions: &[(&str, &str)]| {
            let mut f = finding(
                "supply-chain/yanked",
                Level::Deny,
                "yanked",
                "Cargo.lock",
                3,
            );
            f.packages = versions
                .iter()
                .map(|(n, v)| PackageRef::new(*n, *v))
                .collect();
            f
        };
        let base = yanked(&[("der", "0.8.0"), ("scc", "3.6.5"), ("spin", "0.9.8")]);
        let fewer = yanked(&[("der", "0.8.0"), ("spin", "0.9.8")]);
        let (i, r, c, _) =
            match_findings(std::slice::from_ref(&base), std::slice::from_ref(&fewer));
        assert_eq!((i.len(), r.len(), c.len()), (0, 0, 1));
        // Another yanked version is new, even where the package was yanked before.
        let other = yanked(&[("der", "0.8.1")]);
        let (i, _, c, _) =
            match_findings(std::slice::from_ref(&base), std::slice::from_ref(&other));
        assert_eq!((i.len(), c.len()), (1, 0));
    }

    #[test]
    fn one_crates_finding_replaced_by_anothers_is_new() {
        let mut b = finding(
            "r/per-crate",
            Level::Warn,
            "`a` has 1 enum",
            "a/src/lib.rs",
            9,
        );
        let mut h = finding(
            "r/per-crate",
            Level::Warn,
            "`b` has 3 enums",
            "b/src/lib.rs",
            3,
        );
        b.packages = vec![PackageRef::new("a", "1.0.0")];
        h.packages = vec![PackageRef::new("b", "1.0.0")];
        let (i, r, c, _) = match_findings(std::slice::from_ref(&b), std::slice::from_ref(&h));
        assert_eq!((i.len(), r.len(), c.len()), (1, 1, 0));
    }

    #[test]
    fn a_rule_with_one_finding_on_each_side_changed() {
        let mut b = finding("r/count", Level::Info, "1 thing", "Cargo.lock", 9);
        let mut h = finding("r/count", Level::Info, "4 things", "Cargo.lock", 3);
        b.packages = vec![PackageRef::new("x", "1.0.0")];
        h.packages = vec![PackageRef::new("y", "1.0.0")];
        let (i, r, c, _) = match_findings(std::slice::from_ref(&b), std::slice::from_ref(&h));
        assert_eq!((i.len(), r.len(), c.len()), (0, 0, 1));
        // Two findings of the rule on a side: each is its own.
        let h2 = finding("r/count", Level::Info, "another", "Cargo.lock", 5);
        let (i, r, c, _) = match_findings(std::slice::from_ref(&b), &[h, h2]);
        assert_eq!((i.len(), r.len(), c.len()), (2, 1, 0));
    }

    fn setting(what: &str, from: &str, to: &str) -> SettingChange {
        SettingChange {
            what: what.into(),
            from: Some(from.into()),
            to: Some(to.into()),
            location: None,
        }
    }

    #[test]
    fn the_same_change_to_many_members_is_one_line() {
        let g = group_members(vec![
            setting("`rust-version` of `a`", "1.76", "1.82"),
            setting("`rust-version` of `b`", "1.76", "1.82"),
            setting("`rust-version` of `c`", "1.70", "1.82"),
            setting("the toolchain pin", "1.76.0", "1.82.0"),
        ]);
        let what: Vec<&str> = g.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "`rust-version` of 2 members: `a`, `b`",
                "`rust-version` of `c`",
                "the toolchain pin"
            ]
        );
    }

    #[test]
    fn unit_labels_lose_their_version() {
        assert_eq!(
            unversioned("tokio 1.40.0 (build script)"),
            "tokio (build script)"
        );
        assert_eq!(unversioned("ws-core 0.1.0"), "ws-core");
        assert_eq!(unversioned("odd"), "odd");
    }
}
