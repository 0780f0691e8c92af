//! `supply-chain/build-script-behaviour`: build scripts that reach outside the build (the
//! network, files outside `OUT_DIR`), or that could not be read, in one finding. What the
//! others do (C compilers, programs, environment variables) is the inventory's,
//! `supply-chain/build-script`.

use architect_model::{Behaviour, Finding, Level, Section};

use super::scripts::{Read, Script, scripts};
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script-behaviour",
    section: Section::SupplyChain,
    default_level: Level::Warn,
    summary: "build scripts that use the network or write outside OUT_DIR, or could not be read",
    docs: Docs {
        what: "Reads every build script of the build whose sources are on disk (the \
               workspace's, and third-party ones in cargo's registry cache) and reports, in \
               one finding, the ones that reach outside the build: touch the network \
               (reqwest, ureq, the curl crate, `TcpStream`, or runs `curl` or `wget`) or write files outside `OUT_DIR` (a literal \
               path not under it). A build script the scan could not read in full (too \
               large, not UTF-8, outside its package) is reported too: what it does is \
               unknown. The finding notes each script, behaviour and line. Code under a \
               platform `#[cfg(..)]` false for every reviewed host does not run there and is \
               not reported. A script accepted in `allow` leaves the finding.",
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

/// Shown by name in the message; the notes and locations keep every one.
const SHOWN: usize = 6;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let scripts: Vec<Script<'_>> = scripts(cx.facts)
        .into_iter()
        .filter(|s| !cx.allows(s.meta.name(), &s.meta.version().to_string()))
        .collect();
    let reaching: Vec<(&Script<'_>, Behaviour)> = scripts
        .iter()
        .flat_map(|s| {
            [Behaviour::Network, Behaviour::WritesOutsideOutDir]
                .into_iter()
                .filter(|b| s.does.contains_key(b))
                .map(move |b| (s, b))
        })
        .collect();
    let unread: Vec<(&Script<'_>, &Vec<String>)> = scripts
        .iter()
        .filter_map(|s| match &s.read {
            Read::Partly(why) => Some((s, why)),
            _ => None,
        })
        .collect();
    if reaching.is_empty() && unread.is_empty() {
        return Vec::new();
    }
    let mut packages: Vec<&Script<'_>> = reaching
        .iter()
        .map(|(s, _)| *s)
        .chain(unread.iter().map(|(s, _)| *s))
        .collect();
    packages.dedup_by_key(|s| s.meta.id());
    let mut f = cx.finding(
        message(&reaching, &unread),
        "vendor what a build script downloads and write generated files to OUT_DIR only: a build must not need the network nor change the tree; keep scripts small, UTF-8 and inside their package so that they can be read; accept a reviewed one in `allow` with the reason",
    );
    for (s, b) in &reaching {
        if let Some(d) = s.describe(*b) {
            f = f.note(format!("{}: {d}", b.describe()));
        }
        f = f.at(s.does.get(b).and_then(|d| d.location.clone()));
    }
    for (s, why) in &unread {
        f = f.note(format!(
            "`{}` was not read in full: {}",
            s.label(),
            why.join("; ")
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in packages {
        if seen.insert(s.meta.id()) {
            f = f.package(pkg_ref(&s.meta));
        }
    }
    vec![f]
}

/// "2 build scripts reach outside the build: `a` touches the network, `b` writes outside
/// OUT_DIR; 1 was not read in full (`c`): what it does is unknown"
fn message(
    reaching: &[(&Script<'_>, Behaviour)],
    unread: &[(&Script<'_>, &Vec<String>)],
) -> String {
    let mut parts = Vec::new();
    if !reaching.is_empty() {
        let mut scripts: Vec<&str> = reaching.iter().map(|(s, _)| s.meta.name()).collect();
        scripts.sort_unstable();
        scripts.dedup();
        // One phrase per script: "`v8` touches the network and writes files outside OUT_DIR".
        let mut each: Vec<String> = Vec::new();
        for (k, (s, b)) in reaching.iter().enumerate() {
            if k > 0 && reaching[k - 1].0.meta.id() == s.meta.id() {
                if let Some(last) = each.last_mut() {
                    last.push_str(&format!(" and {}", b.describe()));
                }
            } else {
                each.push(format!("`{}` {}", s.meta.name(), b.describe()));
            }
        }
        let more = each.len().saturating_sub(SHOWN);
        parts.push(format!(
            "{} outside the build: {}{}",
            count(scripts.len(), "build script reaches", "build scripts reach"),
            each.iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if !unread.is_empty() {
        let names: Vec<String> = unread.iter().map(|(s, _)| s.label()).collect();
        parts.push(format!(
            "{} not read in full ({}): what {} is unknown",
            count(unread.len(), "build script was", "build scripts were"),
            name_list(&names, SHOWN),
            if unread.len() == 1 {
                "it does"
            } else {
                "they do"
            }
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{kitchen_sink, run, source_rules};

    #[test]
    fn what_reaches_outside_the_build_in_one_finding() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1);
        let f = &f[0];
        assert_eq!(f.level, Level::Warn);
        assert!(
            f.message.starts_with("1 build script reaches outside the build: `builder` touches the network and writes files outside OUT_DIR"),
            "{}",
            f.message
        );
        // Every occurrence, with what it touches and where.
        let notes: Vec<&str> = f.notes.iter().map(String::as_str).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].ends_with(": TcpStream)"), "{notes:?}");
        assert!(notes[1].ends_with(": fs::write)"), "{notes:?}");
        assert_eq!(f.locations.len(), 2);
        assert!(f.locations.iter().all(|l| l.path == "builder/build.rs"));
        assert!(run(&RULE, kitchen_sink()).is_empty());
    }
}
