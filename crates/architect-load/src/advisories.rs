//! Matching `Cargo.lock` against a local RustSec advisory database, with the `rustsec` crate
//! (the library behind cargo-audit): its query applies RustSec's rules (version ranges,
//! OS and architecture, withdrawn advisories excluded, crates.io packages only).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use architect_model::{
    AdvisoryDbFacts, AdvisoryKind, AdvisoryMatch, AffectedName, FeatureGate, FormatImpl,
    PackageRef, PlatformChoice,
};
use guppy::PackageId;
use guppy::graph::PackageGraph;
use rustsec::advisory::Informational;
use rustsec::database::Query;
use rustsec::{Advisory, Collection, Lockfile, Vulnerability};

use crate::read::{ADVISORY_LIMIT, read_text};

/// Where cargo-audit keeps the database: `$CARGO_HOME/advisory-db`.
pub fn default_db_path() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("advisory-db"))
}

/// The advisories of a local RustSec database, read one file at a time (each through the
/// bounded reader) so that one file that cannot be read or parsed costs that advisory, not the
/// whole database.
#[derive(Debug, Default)]
pub struct AdvisoryDb {
    advisories: Vec<Advisory>,
    /// Advisories by package name, crates collection only.
    by_name: BTreeMap<String, Vec<usize>>,
    /// Files that could not be used, with why (database-relative path).
    pub corrupt: Vec<(String, String)>,
}

/// Why a database could not be used at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("no advisory database at `{0}`")]
    Missing(String),
    #[error("`{path}` is not a RustSec advisory database: {why}")]
    Unusable { path: String, why: String },
}

impl AdvisoryDb {
    /// Read the database at `path`: `crates/<name>/<ID>.md` (and `rust/`), as the RustSec
    /// crate lays it out and checks it (file named after the id, directory after the package,
    /// drafts loaded but not kept).
    pub fn open(path: &Path) -> Result<AdvisoryDb, DbError> {
        if !path.exists() {
            return Err(DbError::Missing(path.display().to_string()));
        }
        let crates = path.join("crates");
        let unusable = |why: String| DbError::Unusable {
            path: path.display().to_string(),
            why,
        };
        let packages = std::fs::read_dir(&crates)
            .map_err(|e| unusable(format!("`crates/` could not be listed ({e})")))?;
        let mut files: Vec<PathBuf> = Vec::new();
        let rust = std::fs::read_dir(path.join("rust")).into_iter().flatten();
        for dir in packages.chain(rust).filter_map(Result::ok) {
            if !dir.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            files.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().is_some_and(|x| x == "md")
                            && !p
                                .file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with('.'))
                    }),
            );
        }
        files.sort();
        let mut db = AdvisoryDb::default();
        for file in files {
            let rel = crate::relative(path, &file);
            match load(&file) {
                Ok(Some(a)) => db.insert(a),
                Ok(None) => {}
                Err(why) => db.corrupt.push((rel, why)),
            }
        }
        if db.advisories.is_empty() && !db.corrupt.is_empty() {
            return Err(unusable(format!(
                "none of its {} advisory files could be read (the first, `{}`: {})",
                db.corrupt.len(),
                db.corrupt[0].0,
                db.corrupt[0].1
            )));
        }
        Ok(db)
    }

    fn insert(&mut self, a: Advisory) {
        if a.metadata.collection == Some(Collection::Crates) {
            self.by_name
                .entry(a.metadata.package.as_str().to_string())
                .or_default()
                .push(self.advisories.len());
        }
        self.advisories.push(a);
    }

    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    /// The advisories of the `rust/` collection, in id order.
    fn toolchain(&self) -> Vec<architect_model::ToolchainAdvisory> {
        let mut out: Vec<_> = self
            .advisories
            .iter()
            .filter(|a| a.metadata.collection == Some(Collection::Rust))
            .map(|a| {
                let m = &a.metadata;
                let reqs = |r: &[rustsec::VersionReq]| {
                    r.iter().map(ToString::to_string).collect::<Vec<_>>()
                };
                architect_model::ToolchainAdvisory {
                    id: m.id.to_string(),
                    component: m.package.as_str().to_string(),
                    title: m.title.clone(),
                    date: m.date.as_str().to_string(),
                    url: m.url.as_ref().map(ToString::to_string),
                    patched: reqs(a.versions.patched()),
                    unaffected: reqs(a.versions.unaffected()),
                    functions: a
                        .affected
                        .iter()
                        .flat_map(|af| af.functions.keys())
                        .map(ToString::to_string)
                        .collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// What `rustsec::Database::query_vulnerabilities` does: each crates.io package of the
    /// lockfile against the advisories for its name that the query matches.
    fn query_vulnerabilities(&self, lockfile: &Lockfile, query: &Query) -> Vec<Vulnerability> {
        let mut out = Vec::new();
        for package in &lockfile.packages {
            if package
                .source
                .as_ref()
                .is_none_or(|s| !s.is_default_registry())
            {
                continue;
            }
            let Some(slots) = self.by_name.get(package.name.as_str()) else {
                continue;
            };
            let q = query.clone().package(package);
            out.extend(
                slots
                    .iter()
                    .map(|&i| &self.advisories[i])
                    .filter(|a| q.matches(a))
                    .map(|a| Vulnerability::new(a, package)),
            );
        }
        out
    }
}

/// One advisory file, checked as the RustSec crate checks it; `None` for a draft.
fn load(file: &Path) -> Result<Option<Advisory>, String> {
    let text = read_text(file, ADVISORY_LIMIT).map_err(|e| e.to_string())?;
    let mut a: Advisory = text.parse().map_err(|e: rustsec::Error| e.to_string())?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name != format!("{}.md", a.metadata.id) && !Advisory::is_draft(file) {
        return Err(format!("it should be named `{}.md`", a.metadata.id));
    }
    let package_dir = file.parent().and_then(Path::file_name);
    if package_dir.and_then(|d| d.to_str()) != Some(a.metadata.package.as_str()) {
        return Err(format!(
            "it should be in a directory named `{}`",
            a.metadata.package
        ));
    }
    let collection = match file
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(|d| d.to_str())
    {
        Some("rust") => Collection::Rust,
        _ => Collection::Crates,
    };
    if a.metadata.collection.is_some_and(|c| c != collection) {
        return Err("its collection does not match its directory".into());
    }
    a.metadata.collection = Some(collection);
    Ok((!a.metadata.id.is_placeholder()).then_some(a))
}

/// Match `lockfile` against the database: the advisories that apply to the reviewed platforms.
pub fn scan(
    db: &AdvisoryDb,
    db_path: &Path,
    lockfile: &str,
    platforms: &PlatformChoice,
) -> Result<(AdvisoryDbFacts, Vec<AdvisoryMatch>), String> {
    let lockfile: Lockfile = lockfile
        .parse()
        .map_err(|e| format!("Cargo.lock could not be parsed for the advisory check: {e}"))?;

    let (os, arch) = platform_filters(platforms);
    let base = Query::crate_scope().target_os(os).target_arch(arch);
    let mut matches: Vec<AdvisoryMatch> = db
        .query_vulnerabilities(&lockfile, &base)
        .into_iter()
        .chain(db.query_vulnerabilities(&lockfile, &base.clone().informational(true)))
        .map(to_match)
        .collect();
    matches.sort_by(|a, b| (&a.package, &a.id).cmp(&(&b.package, &b.id)));
    matches.dedup_by(|a, b| a.id == b.id && a.package == b.package);
    let facts = AdvisoryDbFacts {
        path: db_path.display().to_string(),
        advisories: db.len(),
        corrupt: db.corrupt.clone(),
        toolchain: db.toolchain(),
    };
    Ok((facts, matches))
}

/// The operating systems and architectures of the reviewed platforms; empty (no filter) for
/// `--target all` or a triple the `platforms` crate does not know.
fn platform_filters(
    platforms: &PlatformChoice,
) -> (
    Vec<rustsec::platforms::target::OS>,
    Vec<rustsec::platforms::target::Arch>,
) {
    let triples: Vec<&str> = match platforms {
        PlatformChoice::All => return (Vec::new(), Vec::new()),
        PlatformChoice::Host(t) => vec![t.as_str()],
        PlatformChoice::Targets(ts) => ts.iter().map(String::as_str).collect(),
    };
    let mut os = Vec::new();
    let mut arch = Vec::new();
    for t in triples {
        let Some(p) = rustsec::platforms::Platform::find(t) else {
            return (Vec::new(), Vec::new());
        };
        if !os.contains(&p.target_os) {
            os.push(p.target_os);
        }
        if !arch.contains(&p.target_arch) {
            arch.push(p.target_arch);
        }
    }
    (os, arch)
}

fn to_match(v: Vulnerability) -> AdvisoryMatch {
    let m = &v.advisory;
    let kind = match &m.informational {
        None => AdvisoryKind::Vulnerability,
        Some(Informational::Unmaintained) => AdvisoryKind::Unmaintained,
        Some(Informational::Unsound) => AdvisoryKind::Unsound,
        Some(Informational::Notice) => AdvisoryKind::Notice,
        Some(other) => AdvisoryKind::Other(other.to_string()),
    };
    let functions = v
        .affected
        .as_ref()
        .map(|a| {
            a.functions
                .iter()
                .map(|(path, reqs)| {
                    let reqs: Vec<String> = reqs.iter().map(ToString::to_string).collect();
                    format!("{path} ({})", reqs.join(", "))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut affected = affected_functions(&v);
    let unsound = kind == AdvisoryKind::Unsound;
    let affected_from_text = unsound
        && affected.is_empty()
        && v.affected.as_ref().is_none_or(|a| a.functions.is_empty());
    if affected_from_text {
        let crate_name = v.package.name.as_str().replace('-', "_");
        affected = items_in_text(&m.title, &m.description, &crate_name);
    }
    let feature_gate = unsound.then(|| feature_gate(&m.description)).flatten();
    let format_impl = affected.is_empty().then(|| format_impl(&m.title)).flatten();
    AdvisoryMatch {
        id: m.id.to_string(),
        package: PackageRef::new(v.package.name.as_str(), &v.package.version),
        kind,
        title: m.title.clone(),
        date: m.date.as_str().to_string(),
        url: m
            .url
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| Some(format!("https://rustsec.org/advisories/{}.html", m.id))),
        cvss: m.cvss.as_ref().map(|c| (c.to_string(), c.score())),
        patched: v
            .versions
            .patched()
            .iter()
            .map(ToString::to_string)
            .collect(),
        unaffected: v
            .versions
            .unaffected()
            .iter()
            .map(ToString::to_string)
            .collect(),
        aliases: m.aliases.iter().map(ToString::to_string).collect(),
        functions,
        affected_from_text: affected_from_text && !affected.is_empty(),
        affected,
        evidence: architect_model::FunctionEvidence::NotListed,
        feature_gate,
        format_impl,
        alternatives: alternatives(&m.description),
    }
}

/// The affected functions whose requirements match the locked version (a function listed
/// with no requirement affects every version), sorted and deduplicated.
fn affected_functions(v: &Vulnerability) -> Vec<AffectedName> {
    let mut names: Vec<AffectedName> = v
        .affected
        .iter()
        .flat_map(|a| &a.functions)
        .filter(|(_, reqs)| reqs.is_empty() || reqs.iter().any(|r| r.matches(&v.package.version)))
        .filter_map(|(path, _)| {
            let segments: Vec<&str> = path.segments().iter().map(|s| s.as_str()).collect();
            affected_name(segments.get(1..)?, false)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `segments` of a path without its crate, as an [`AffectedName`].
fn affected_name(segments: &[&str], is_macro: bool) -> Option<AffectedName> {
    let (name, owners) = segments.split_last()?;
    Some(AffectedName {
        path: segments.join("::"),
        name: name.to_string(),
        owner: owners.last().map(|o| o.to_string()),
        is_macro,
    })
}

/// Roots and modules of the standard library: a path starting with one names std's item
/// (`fmt::Pointer`, `ptr::read`), not the package's.
const STD_PATHS: &[&str] = &[
    "std", "core", "alloc", "any", "borrow", "boxed", "cell", "clone", "cmp", "convert", "env",
    "ffi", "fmt", "fs", "future", "hash", "io", "iter", "marker", "mem", "net", "num", "ops",
    "option", "os", "panic", "path", "pin", "process", "ptr", "rc", "result", "slice", "str",
    "string", "sync", "task", "thread", "time", "vec",
];

/// Standard types, traits and keywords that an advisory's text names in code spans without
/// meaning the package's own item (`Send`, `Box`, `unsafe`).
const STD_NAMES: &[&str] = &[
    "Send",
    "Sync",
    "Copy",
    "Clone",
    "Drop",
    "Debug",
    "Display",
    "Default",
    "Box",
    "Vec",
    "String",
    "Option",
    "Result",
    "Some",
    "None",
    "Ok",
    "Err",
    "Arc",
    "Rc",
    "Pin",
    "Future",
    "Iterator",
    "Deref",
    "DerefMut",
    "Unpin",
    "Sized",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
    "From",
    "Into",
    "AsRef",
    "AsMut",
    "Fn",
    "FnMut",
    "FnOnce",
    "Cell",
    "RefCell",
    "UnsafeCell",
    "Mutex",
    "RwLock",
    "Any",
    "Read",
    "Write",
    "Error",
    "MaybeUninit",
    "unsafe",
    "self",
    "Self",
    "static",
    "mut",
    "const",
    "async",
    "await",
    "dyn",
    "impl",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "str",
    "true",
    "false",
];

/// The items an unsound advisory without `[affected.functions]` names in code spans of its
/// title and description (`StackSlot`, `listener!`, `Event::with_tag`): what code outside
/// the package would write to reach the flaw. Code blocks, the crate's own name, standard
/// library items and anything that is not a path are left out.
pub(crate) fn items_in_text(title: &str, description: &str, crate_name: &str) -> Vec<AffectedName> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in std::iter::once(title).chain(description.lines()) {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            if let Some(name) = item_of_span(span, crate_name) {
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The item one code span names, if it names one of the package's items.
fn item_of_span(span: &str, crate_name: &str) -> Option<AffectedName> {
    let s = span.trim().trim_end_matches("()");
    let s = s.split('<').next().unwrap_or(s);
    let (s, is_macro) = match s.strip_suffix('!') {
        Some(m) => (m, true),
        None => (s, false),
    };
    let mut segments: Vec<&str> = s.split("::").collect();
    let ident = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if segments.iter().any(|w| !ident(w)) {
        return None;
    }
    if segments[0] == crate_name || segments[0] == "crate" {
        segments.remove(0);
    }
    let first = *segments.first()?;
    if STD_PATHS.contains(&first) || segments.iter().any(|w| STD_NAMES.contains(w)) {
        return None;
    }
    affected_name(&segments, is_macro)
}

/// Formatting traits whose implementation only their own placeholder type calls: `{}` and
/// `{:?}` (`Display`, `Debug`) are in nearly every format string, so they are not here.
const FORMAT_TRAITS: &[(&str, char)] = &[
    ("Pointer", 'p'),
    ("LowerHex", 'x'),
    ("UpperHex", 'X'),
    ("Octal", 'o'),
    ("Binary", 'b'),
    ("LowerExp", 'e'),
    ("UpperExp", 'E'),
];

/// The formatting-trait implementation an advisory's title puts the flaw in: "... in
/// `fmt::Pointer` impl for `Atomic` and `Shared` ..." gives `Pointer`, `p`, `Atomic`, `Shared`.
pub(crate) fn format_impl(title: &str) -> Option<FormatImpl> {
    let mut parts = title.split('`');
    parts.next()?;
    while let Some(span) = parts.next() {
        let gap = parts.next().unwrap_or("");
        let name = span.rsplit("::").next().unwrap_or(span);
        let in_fmt = span == name || span.ends_with(&format!("fmt::{name}"));
        let Some(&(trait_name, spec)) = FORMAT_TRAITS.iter().find(|(t, _)| *t == name) else {
            continue;
        };
        if !in_fmt || !gap.trim_start().starts_with("impl") || !gap.trim_end().ends_with("for") {
            continue;
        }
        // The types: code spans joined by "and", "or" or commas.
        let mut types = Vec::new();
        while let Some(ty) = parts.next() {
            types.push(ty.split('<').next().unwrap_or(ty).trim().to_string());
            let joint = parts.next().unwrap_or("").trim();
            if !matches!(joint, "and" | "or" | "," | ", and" | ", or") {
                break;
            }
        }
        return (!types.is_empty()).then(|| FormatImpl {
            trait_name: trait_name.to_string(),
            spec,
            types,
        });
    }
    None
}

/// The features an unsound advisory's description names as a precondition: a line or
/// sentence that says features are "enabled" and names them in code spans, with whether any
/// one of them suffices ("or"). Lines that speak of a feature being off or absent are not
/// preconditions of this kind. Which names are really the package's features is for the
/// caller to check.
pub(crate) fn feature_gate(description: &str) -> Option<FeatureGate> {
    let mut features: Vec<String> = Vec::new();
    let mut any = false;
    for sentence in description.split(['\n', '.']) {
        let l = sentence.to_ascii_lowercase();
        let negated = [
            "disabled",
            "not enabled",
            "without",
            "unless",
            "not be enabled",
        ]
        .iter()
        .any(|w| l.contains(w));
        if !l.contains("feature") || !l.contains("enabled") || negated {
            continue;
        }
        let named: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
        if named.is_empty() {
            continue;
        }
        any |= l.contains(" or ");
        features.extend(named.iter().map(|f| f.trim().to_string()));
    }
    features.sort();
    features.dedup();
    (!features.is_empty()).then_some(FeatureGate {
        features,
        any,
        enabled: Vec::new(),
    })
}

/// Crate names an advisory suggests instead: the list under a heading that mentions
/// alternatives, as links to crates.io or names in backticks.
pub fn alternatives(description: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_section = false;
    for line in description.lines() {
        let l = line.trim();
        if l.starts_with('#') {
            in_section = l.to_ascii_lowercase().contains("alternative");
            continue;
        }
        if !in_section || !(l.starts_with('-') || l.starts_with('*')) {
            continue;
        }
        let name = if let Some(start) = l.find('[') {
            l[start + 1..].split(']').next().unwrap_or("")
        } else if let Some(start) = l.find('`') {
            l[start + 1..].split('`').next().unwrap_or("")
        } else {
            l.trim_start_matches(['-', '*', ' '])
                .split_whitespace()
                .next()
                .unwrap_or("")
        };
        let name = name.trim_matches('`').trim();
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// What the advisory check reads besides the database and the lockfile.
pub(crate) struct AdvisoryInputs<'a> {
    pub graph: &'a PackageGraph,
    pub built: &'a BTreeSet<PackageId>,
    pub scope: &'a architect_model::ScopeFacts,
    pub root: &'a Path,
    pub platforms: &'a PlatformChoice,
}

/// What the advisory check found: the database's facts and the lockfile's matches (none when
/// it could not run), and notes on what could not be checked.
pub(crate) struct AdvisoryCheck {
    pub found: Option<(
        architect_model::AdvisoryDbFacts,
        Vec<architect_model::AdvisoryMatch>,
    )>,
    pub notes: Vec<String>,
}

/// The lockfile matched against the advisory database, with the evidence of what each match
/// affects; and notes on what could not be checked.
pub(crate) fn check(
    inputs: &AdvisoryInputs<'_>,
    lockfile: Option<&str>,
    advisory_db: AdvisoryDbOpened,
) -> AdvisoryCheck {
    let mut notes = Vec::new();
    let advisories = match (lockfile, advisory_db) {
        (Some(text), Ok((db, path))) => {
            if !db.corrupt.is_empty() {
                notes.push(format!(
                    "{} of the advisory database's files could not be read, so those advisories were not checked (the first, `{}`: {}); the other {} were",
                    db.corrupt.len(),
                    db.corrupt[0].0,
                    db.corrupt[0].1,
                    db.len()
                ));
            }
            match scan(&db, &path, text, inputs.platforms) {
                Ok((db_facts, mut matches)) => {
                    crate::evidence::fill(
                        inputs.graph,
                        inputs.built,
                        inputs.scope,
                        inputs.root,
                        &mut matches,
                    );
                    Some((db_facts, matches))
                }
                Err(why) => {
                    notes.push(format!("advisories were not checked: {why}"));
                    None
                }
            }
        }
        (None, _) => {
            notes.push("advisories were not checked: there is no Cargo.lock to match".into());
            None
        }
        (Some(_), Err(why)) => {
            notes.push(format!("advisories were not checked: {why}"));
            None
        }
    };

    AdvisoryCheck {
        found: advisories,
        notes,
    }
}

/// The advisory database: an explicit `--advisory-db` that cannot be used is an error; the
/// default one missing or unusable is a note in the review (the `Err` string).
/// The advisory database and where it is, or why there is none to use.
pub(crate) type AdvisoryDbOpened = Result<(AdvisoryDb, PathBuf), String>;

pub(crate) fn open_db(options: &crate::LoadOptions) -> Result<AdvisoryDbOpened, crate::LoadError> {
    let Some(path) = options.advisory_db.clone().or_else(default_db_path) else {
        return Ok(Err(
            "no CARGO_HOME or HOME to find the database in; pass --advisory-db PATH".into(),
        ));
    };
    match AdvisoryDb::open(&path) {
        Ok(db) => Ok(Ok((db, path))),
        Err(e) if options.advisory_db.is_some() => Err(crate::LoadError::Io {
            path: path.display().to_string(),
            cause: e.to_string(),
            help: "pass the path of a RustSec advisory-db checkout, or drop --advisory-db to use $CARGO_HOME/advisory-db".into(),
        }),
        Err(DbError::Missing(p)) => Ok(Err(format!(
            "no advisory database at `{p}`: run `cargo architect fetch` (or `git clone https://github.com/rustsec/advisory-db` there), or pass --advisory-db PATH"
        ))),
        Err(e) => Ok(Err(format!(
            "{e}: fetch it again with `cargo architect fetch`, or pass --advisory-db PATH"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(items: &[AffectedName]) -> Vec<(&str, Option<&str>, bool)> {
        items
            .iter()
            .map(|a| (a.name.as_str(), a.owner.as_deref(), a.is_macro))
            .collect()
    }

    #[test]
    fn items_named_in_an_advisory_text_are_its_own_paths_and_macros() {
        // RUSTSEC-2026-0221 (event-listener), abridged.
        let title =
            "`event-listener` allows `!Send` tags to cross thread boundaries via `StackSlot`";
        let text = "Affected versions of `event-listener` unconditionally implement `Send` and\n`Sync` for `StackSlot<'_, T>`, the stack-allocated listener type created\nby the `listener!` macro.\n\nThis allows a `!Send` tag type set via `Event::with_tag` to be moved to\nanother thread and accessed via `StackSlot::wait`, causing a data race.\n\n```rust\nlet x = hidden_in_a_code_block();\n```\n";
        assert_eq!(
            names(&items_in_text(title, text, "event_listener")),
            [
                ("with_tag", Some("Event"), false),
                ("StackSlot", None, false),
                ("wait", Some("StackSlot"), false),
                ("listener", None, true),
            ]
        );
        // Standard library items are not the package's: RUSTSEC-2026-0204 keeps its types.
        let title = "Invalid pointer dereference in `fmt::Pointer` impl for `Atomic` and `Shared`";
        let got = items_in_text(title, "`fmt::Display` of `Atomic::null`", "crossbeam_epoch");
        assert_eq!(
            names(&got),
            [
                ("Atomic", None, false),
                ("null", Some("Atomic"), false),
                ("Shared", None, false)
            ]
        );
    }

    #[test]
    fn a_formatting_impl_is_read_from_the_title() {
        let got = format_impl("Invalid pointer dereference in `fmt::Pointer` impl for `Atomic` and `Shared` when the underlying pointer is invalid").unwrap();
        assert_eq!((got.trait_name.as_str(), got.spec), ("Pointer", 'p'));
        assert_eq!(got.types, ["Atomic", "Shared"]);
        let hex = format_impl("`LowerHex` impl for `Key<T>` reads out of bounds").unwrap();
        assert_eq!((hex.spec, hex.types), ('x', vec!["Key".to_string()]));
        // `{}` and `{:?}` reach Display and Debug everywhere; a trait that is not std's fmt.
        assert_eq!(
            format_impl("Stack overflow in `fmt::Display` impl for `Tree`"),
            None
        );
        assert_eq!(format_impl("`serde::Pointer` impl for `X` is wrong"), None);
        assert_eq!(format_impl("Overflow in `Pointer::new`"), None);
    }

    #[test]
    fn a_feature_precondition_is_read_from_an_enabled_sentence() {
        // RUSTSEC-2026-0097 (rand), abridged.
        let text = "unsound when all the following conditions are met:\n\n- The `log` and `thread_rng` features are enabled\n- A custom logger is defined\n";
        let gate = feature_gate(text).unwrap();
        assert_eq!(gate.features, ["log", "thread_rng"]);
        assert!(!gate.any);
        let either = feature_gate("Affected when the `a` or `b` feature is enabled.").unwrap();
        assert!(either.any);
        assert_eq!(
            feature_gate("Only when the `std` feature is disabled."),
            None
        );
        assert_eq!(
            feature_gate("Nothing about them here; `Foo` is enabled."),
            None
        );
    }

    #[test]
    fn reads_alternatives_from_links_and_code() {
        let d = "Unmaintained.\n\n## Possible Alternatives\n\n- [smol](https://crates.io/crates/smol)\n* `tokio` is the most used\n\n## Other\n- [not-this](x)\n";
        assert_eq!(alternatives(d), ["smol", "tokio"]);
        assert!(alternatives("no list here").is_empty());
    }
}
