//! Matching `Cargo.lock` against a local RustSec advisory database, with the `rustsec` crate
//! (the library behind cargo-audit): its query applies RustSec's rules (version ranges,
//! OS and architecture, withdrawn advisories excluded, crates.io packages only).

use std::path::{Path, PathBuf};

use architect_model::{AdvisoryDbFacts, AdvisoryKind, AdvisoryMatch, PackageRef, PlatformChoice};
use rustsec::advisory::Informational;
use rustsec::database::Query;
use rustsec::{Database, Lockfile, Vulnerability};

/// Where cargo-audit keeps the database: `$CARGO_HOME/advisory-db`.
pub fn default_db_path() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("advisory-db"))
}

/// Why advisories could not be checked; the review goes on without them and says so.
pub fn scan(
    db_path: &Path,
    lockfile: &str,
    platforms: &PlatformChoice,
) -> Result<(AdvisoryDbFacts, Vec<AdvisoryMatch>), String> {
    if !db_path.join("crates").is_dir() {
        return Err(format!(
            "no advisory database at `{}`: run `cargo architect fetch` (or `git clone https://github.com/rustsec/advisory-db` there), or pass --advisory-db PATH",
            db_path.display()
        ));
    }
    let db = Database::open(db_path).map_err(|e| {
        format!(
            "the advisory database at `{}` could not be read ({e}): fetch it again with `cargo architect fetch`, or pass --advisory-db PATH",
            db_path.display()
        )
    })?;
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
        advisories: db.iter().count(),
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
        alternatives: alternatives(&m.description),
    }
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
