//! `supply-chain/build-script`: the inventory of the build's build scripts, in one finding:
//! how many, and which compile native code, run programs, touch the network, write outside
//! `OUT_DIR` or read undeclared environment variables.

use architect_model::{Behaviour, Finding, Level, Section};

use super::scripts::{Read, Script, scripts};
use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "the inventory of build scripts: which compile native code, run programs, touch the network or read the environment",
    docs: Docs {
        what: "The inventory of the build's build scripts (dev-dependencies' included: \
               `cargo test` runs them too), in one finding: how many, and, among those the \
               shipped build runs, which compile or link native code (a `-sys` package that \
               declares `links`; `cc`, `cmake`, `pkg-config`, `bindgen` or a vendored `*-src` \
               crate among its build-dependencies; `cc::Build` in its code), run programs, \
               touch the network, write outside `OUT_DIR` or read environment variables cargo \
               does not set and the script does not declare. What a script does is read from \
               its source: the workspace's, and third-party ones in cargo's registry cache \
               (those not on disk are counted as not read). Running a tool cargo hands the \
               script (`$RUSTC`, its wrappers, `$CARGO`) is a compiler probe, not a program of \
               the host; code under a platform `#[cfg(..)]` false for every reviewed host does \
               not run there. With no script beyond compiler probes and code generation there \
               is no finding. Scripts accepted in `allow` leave the lists; once the list \
               exists, a script not on it is `supply-chain/new-build-script` (cargo-deny's \
               `allow-build-scripts` model). Scripts that reach outside the build are also \
               `supply-chain/build-script-behaviour` warnings.",
        why: "A build script is a program compiled and run on the build host, with the builder's \
              permissions and network, before the crate compiles: it can read credentials, \
              write anywhere and download anything, and its output is not reproducible. \
              Android's Soong build does not run build scripts at all, for hermeticity: crates \
              that need one get hand-written rules instead. Every build script also adds a \
              compile-then-run step to the critical path of a build.",
        fix: "Prefer crates without build scripts, or features that avoid them (e.g. pure-Rust \
              backends instead of `-sys` crates). Review the ones you keep and list them in \
              `allow` with the reason, so a new build script in the graph stands out.",
        references: &[
            (
                "Cargo book: build scripts",
                "https://doc.rust-lang.org/cargo/reference/build-scripts.html",
            ),
            (
                "Android: Rust build patterns (no build.rs)",
                "https://source.android.com/docs/setup/build/rust/building-rust-modules/android-rust-patterns",
            ),
        ],
    },
    options: &[],
    allow_list: true,
    check,
};

/// Names shown per kind in the message; the notes and the finding's packages list them all.
const SHOWN: usize = 8;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut scripts: Vec<Script<'_>> = scripts(cx.facts);
    let accepted = scripts
        .iter()
        .filter(|s| cx.allows(s.meta.name(), &s.meta.version().to_string()))
        .count();
    scripts.retain(|s| !cx.allows(s.meta.name(), &s.meta.version().to_string()));
    let kinds = Kinds::of(&scripts);
    if kinds.is_empty() {
        return Vec::new();
    }
    // Scripts named in a kind first, then the routine ones; third-party before the
    // workspace's own; by name.
    let mut listed: Vec<&Script<'_>> = scripts.iter().collect();
    listed.sort_by_key(|s| (!kinds.named(s), s.meta.in_workspace(), s.label()));
    let mut f = cx.finding(
        message(&scripts, &kinds, accepted),
        "every machine and CI image that builds these runs them with the builder's permissions; prefer pure-Rust backends or features that avoid native builds, review the rest and accept them in this rule's `allow` with a reason: then a new build script is a `supply-chain/new-build-script` warning",
    );
    for note in kinds.notes() {
        f = f.note(note);
    }
    for s in listed {
        f = f.package(pkg_ref(&s.meta));
        for did in s.does.values() {
            f = f.at(did.location.clone());
        }
    }
    vec![f]
}

/// A kind of script the inventory names: the behaviour that puts a script in it (and whose
/// details the notes show), how the message counts it and how the notes label it.
struct Kind {
    does: Behaviour,
    one: &'static str,
    many: &'static str,
    label: &'static str,
}

/// The kinds, in the order the message and the notes give them.
const KINDS: [Kind; 5] = [
    Kind {
        does: Behaviour::CompilesNative,
        one: "compiles or links native code",
        many: "compile or link native code",
        label: "compile or link native code",
    },
    Kind {
        does: Behaviour::RunsPrograms,
        one: "runs programs",
        many: "run programs",
        label: "run programs",
    },
    Kind {
        does: Behaviour::Network,
        one: "touches the network",
        many: "touch the network",
        label: "touch the network",
    },
    Kind {
        does: Behaviour::WritesOutsideOutDir,
        one: "writes outside OUT_DIR",
        many: "write outside OUT_DIR",
        label: "write outside OUT_DIR",
    },
    Kind {
        does: Behaviour::ReadsEnv,
        one: "reads undeclared environment variables",
        many: "read undeclared environment variables",
        label: "read environment variables cargo does not set and the script does not declare",
    },
];

/// The shipped build's scripts of each kind (a script may be in several), and the scripts not
/// read.
struct Kinds<'a, 'g> {
    of_kind: Vec<(&'static Kind, Vec<&'a Script<'g>>)>,
    not_read: Vec<&'a Script<'g>>,
}

impl<'a, 'g> Kinds<'a, 'g> {
    fn of(scripts: &'a [Script<'g>]) -> Self {
        // What ships: a C library or a `git` call that only a benchmark or a test pulls in is
        // the team's own machines' concern, counted with the rest.
        let in_kind = |s: &Script<'_>, k: &Kind| match k.does {
            Behaviour::CompilesNative => s.native(),
            b => s.does.contains_key(&b),
        };
        Kinds {
            of_kind: KINDS
                .iter()
                .map(|k| {
                    let l = scripts
                        .iter()
                        .filter(|s| s.shipped && in_kind(s, k))
                        .collect();
                    (k, l)
                })
                .collect(),
            not_read: scripts.iter().filter(|s| s.read != Read::Full).collect(),
        }
    }

    /// No script does more than probe the compiler or generate code: nothing to report.
    fn is_empty(&self) -> bool {
        self.of_kind.iter().all(|(_, l)| l.is_empty())
    }

    fn named(&self, s: &Script<'_>) -> bool {
        self.of_kind
            .iter()
            .any(|(_, l)| l.iter().any(|t| t.meta.id() == s.meta.id()))
    }

    /// One note per non-empty kind: its label, then each script with where and what the
    /// scan saw (`` `libc 0.2.1` (build.rs:3: freebsd-version) ``), and one for the scripts
    /// not read.
    fn notes(&self) -> Vec<String> {
        let described = self.of_kind.iter().map(|(k, l)| {
            let each = l.iter().map(|s| {
                s.describe(k.does)
                    .unwrap_or_else(|| format!("`{}`", s.label()))
            });
            (k.label, each.collect::<Vec<_>>())
        });
        let unread = (
            "not read (sources not on disk, or a file the scan could not read)",
            self.not_read
                .iter()
                .map(|s| format!("`{}`", s.label()))
                .collect(),
        );
        described
            .chain(std::iter::once(unread))
            .filter(|(_, each)| !each.is_empty())
            .map(|(label, each)| format!("{label}: {}", each.join(", ")))
            .collect()
    }
}

/// "48 build scripts run on the build host (4 the workspace's own): 6 compile or link native
/// code (`a`, `b`), 3 run programs (`c`); 39 only probe the compiler or generate code; ..."
fn message(scripts: &[Script<'_>], kinds: &Kinds<'_, '_>, accepted: usize) -> String {
    let own = scripts.iter().filter(|s| s.meta.in_workspace()).count();
    // A name with its version where two versions of it are in one list.
    let names = |l: &[&Script<'_>]| {
        let mut n: Vec<String> = l
            .iter()
            .map(|s| {
                if l.iter().filter(|t| t.meta.name() == s.meta.name()).count() > 1 {
                    s.label()
                } else {
                    s.meta.name().to_string()
                }
            })
            .collect();
        n.sort_unstable();
        name_list(&n, SHOWN)
    };
    let parts: Vec<String> = kinds
        .of_kind
        .iter()
        .filter(|(_, l)| !l.is_empty())
        .map(|(k, l)| format!("{} ({})", count(l.len(), k.one, k.many), names(l)))
        .collect();
    let rest = || scripts.iter().filter(|s| !kinds.named(s));
    let routine = rest().filter(|s| s.shipped && s.read == Read::Full).count();
    let unread = rest().filter(|s| s.shipped && s.read != Read::Full).count();
    let dev_only = rest().filter(|s| !s.shipped).count();
    let mut tail = Vec::new();
    if routine > 0 {
        tail.push(format!(
            "{} only {} the compiler or {} code",
            routine,
            if routine == 1 { "probes" } else { "probe" },
            if routine == 1 {
                "generates"
            } else {
                "generate"
            }
        ));
    }
    if unread > 0 {
        tail.push(format!(
            "{unread} not read (sources not on disk: `cargo fetch` brings them)"
        ));
    }
    if dev_only > 0 {
        tail.push(format!(
            "{dev_only} {} for tests, benches or examples only",
            if dev_only == 1 { "runs" } else { "run" }
        ));
    }
    if accepted > 0 {
        tail.push(format!("{accepted} accepted in `allow`"));
    }
    format!(
        "{} on the build host{}: {}{}",
        count(scripts.len(), "build script runs", "build scripts run"),
        if own > 0 {
            format!(" ({own} the workspace's own)")
        } else {
            String::new()
        },
        parts.join(", "),
        if tail.is_empty() {
            String::new()
        } else {
            format!("; {}", tail.join("; "))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, run, source_rules};

    #[test]
    fn routine_build_scripts_alone_are_no_finding() {
        // kitchen-sink's one unaccepted script (`ws-core`) compiles no native code.
        assert!(run(&RULE, kitchen_sink()).is_empty());
        assert!(run(&RULE, clean()).is_empty());
    }

    #[test]
    fn native_builds_lead_and_the_rest_are_counted() {
        // `zlib-sys` declares `links`, `fastcrypto` builds with `cc`; `probe` only probes the
        // compiler; `bench-sys` is native but only a dev-dependency: counted, not named.
        let f = run(&RULE, fixture("build-scripts"));
        assert_eq!(f.len(), 1);
        let listed: Vec<&str> = f[0].packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            listed,
            ["fastcrypto", "zlib-sys", "bench-sys", "probe", "app"]
        );
        assert_eq!(
            f[0].message,
            "5 build scripts run on the build host (1 the workspace's own): 2 compile or link \
             native code (`fastcrypto`, `zlib-sys`); 2 only probe the compiler or generate \
             code; 1 runs for tests, benches or examples only"
        );
        crate::assert_rule_snapshot!(&RULE, "build-scripts");
    }

    /// builder's script runs `git` and reads `DEPLOY_TOKEN`, undeclared; it also runs `$RUSTC`
    /// (cargo's own compiler) and, under `#[cfg(windows)]`, `rc.exe` with `WindowsSdkDir`:
    /// neither is an input on a non-Windows host.
    #[test]
    fn programs_and_undeclared_variables_are_counted_and_noted() {
        let f = run(&RULE, source_rules());
        assert_eq!(f.len(), 1);
        let m = &f[0].message;
        assert!(m.contains("1 runs programs (`builder`)"), "{m}");
        assert!(
            m.contains("1 reads undeclared environment variables (`builder`)"),
            "{m}"
        );
        let notes = f[0].notes.join("\n");
        assert!(
            notes.contains("run programs: `builder 0.1.0` (builder/build.rs:"),
            "{notes}"
        );
        assert!(notes.contains(": git)"), "{notes}");
        assert!(notes.contains(": DEPLOY_TOKEN)"), "{notes}");
        assert!(
            !notes.contains("rc.exe") && !notes.contains("WindowsSdkDir"),
            "{notes}"
        );
        assert!(!notes.contains("RUSTC"), "{notes}");
    }
}
