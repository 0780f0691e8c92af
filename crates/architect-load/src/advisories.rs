//! Matching `Cargo.lock` against a local RustSec advisory database, with the `rustsec` crate
//! (the library behind cargo-audit): its query applies RustSec's rules (version ranges,
//! OS and architecture, withdrawn advisories excluded, crates.io packages only).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use architect_model::{AdvisoryDbFacts, AdvisoryKind, AdvisoryMatch, PackageRef, PlatformChoice};
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
    let affected_names = affected_names(&v);
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
        affected_names,
        evidence: architect_model::FunctionEvidence::NotListed,
        alternatives: alternatives(&m.description),
    }
}

/// The last segments of the affected functions whose requirements match the locked version
/// (a function listed with no requirement affects every version), sorted and deduplicated.
fn affected_names(v: &Vulnerability) -> Vec<String> {
    let mut names: Vec<String> = v
        .affected
        .iter()
        .flat_map(|a| &a.functions)
        .filter(|(_, reqs)| reqs.is_empty() || reqs.iter().any(|r| r.matches(&v.package.version)))
        .filter_map(|(path, _)| path.segments().last())
        .map(|s| s.as_str().to_string())
        .collect();
    names.sort();
    names.dedup();
    names
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

#[cfg(test)]
mod tests {
    use super::alternatives;

    #[test]
    fn reads_alternatives_from_links_and_code() {
        let d = "Unmaintained.\n\n## Possible Alternatives\n\n- [smol](https://crates.io/crates/smol)\n* `tokio` is the most used\n\n## Other\n- [not-this](x)\n";
        assert_eq!(alternatives(d), ["smol", "tokio"]);
        assert!(alternatives("no list here").is_empty());
    }
}
