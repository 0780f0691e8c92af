//! `supply-chain/build-script`: the packages of the build whose build script compiles or links
//! native code, in one finding that counts the other build scripts.

use architect_model::{Finding, Level, Section};
use guppy::graph::PackageMetadata;

use crate::graph::pkg_ref;
use crate::rule::{Ctx, Docs, FindingExt, Rule, count, name_list};
use architect_model::catalogue::NATIVE_BUILD_TOOLS;

pub static RULE: Rule = Rule {
    id: "supply-chain/build-script",
    section: Section::SupplyChain,
    default_level: Level::Info,
    summary: "packages whose build script compiles or links native code on the build host",
    docs: Docs {
        what: "Reports, in one finding, the packages of the build (dev-dependencies included: \
               `cargo test` runs their build scripts too) whose build script compiles or links \
               native code: a `-sys` package that declares `links`, or one that builds with \
               `cc`, `cmake`, `pkg-config`, `bindgen` or a vendored `*-src` crate (a `links` \
               key alone, as rayon-core uses to forbid two copies, is not native code), among \
               the packages the shipped build compiles. The other build scripts are \
               counted in the message and listed in the finding's packages; with none of the \
               native kind there is no finding (version probes and code generation are \
               routine). Accepted ones go in the rule's allow-list with a reason and leave \
               the list. What each script does is `supply-chain/build-script-behaviour` and \
               `build-script-inputs` (third-party scripts with `--deps`).",
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

/// Third-party names shown in the message; the finding's packages list them all.
const SHOWN: usize = 12;

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let mut scripts: Vec<PackageMetadata<'_>> = cx
        .facts
        .built()
        .filter(|p| p.has_build_script())
        .filter(|p| !cx.allows(p.name(), &p.version().to_string()))
        .collect();
    // Native builds of what ships: a C library a benchmark or a test pulls in is the team's
    // own machines' concern, counted with the rest.
    let native_shipped =
        |p: &PackageMetadata<'_>| builds_native(p) && cx.facts.scope.is_shipped(p.id());
    let native: Vec<&PackageMetadata<'_>> = scripts.iter().filter(|p| native_shipped(p)).collect();
    if native.is_empty() {
        return Vec::new();
    }
    let names = labels(&native);
    let rest = scripts.len() - native.len();
    let own = scripts
        .iter()
        .filter(|p| p.in_workspace() && !native_shipped(p))
        .count();
    let message = format!(
        "{} native code in a build script: {}; {} {} a build script{}",
        count(
            native.len(),
            "package compiles or links",
            "packages compile or link"
        ),
        name_list(&names, SHOWN),
        rest,
        if rest == 1 {
            "other runs"
        } else {
            "others run"
        },
        if own > 0 {
            format!(", {own} of them the workspace's own")
        } else {
            String::new()
        }
    );
    // Native builds first, then third-party before the workspace's own, by name.
    scripts.sort_by_key(|p| (!native_shipped(p), p.in_workspace(), p.name().to_string()));
    let mut f = cx.finding(
        message,
        "every machine and CI image that builds these needs a C toolchain and the libraries they link, for every target; prefer pure-Rust backends or features that avoid them, and accept the rest in `allow` with a reason so a new one stands out",
    );
    for p in &scripts {
        f = f.package(pkg_ref(p));
    }
    vec![f]
}

/// Whether a package's build script compiles or links native code: it builds with a C/C++
/// build tool or a vendored-source crate (`openssl-src`) among its build-dependencies, or it
/// is a `-sys` package that declares `links` (cargo's marker for the package that links a
/// native library). `links` alone is no evidence: rayon-core and wasm-bindgen-shared declare
/// it only so that two versions cannot be linked into one binary.
fn builds_native(p: &PackageMetadata<'_>) -> bool {
    (p.links().is_some() && p.name().ends_with("-sys"))
        || p.direct_links().any(|l| {
            let to = l.to().name();
            l.build().is_present() && (NATIVE_BUILD_TOOLS.contains(&to) || to.ends_with("-src"))
        })
}

/// Package names, with the version where one name appears twice.
fn labels(packages: &[&PackageMetadata<'_>]) -> Vec<String> {
    let mut names: Vec<String> = packages
        .iter()
        .map(|p| {
            if packages.iter().filter(|q| q.name() == p.name()).count() > 1 {
                format!("{} {}", p.name(), p.version())
            } else {
                p.name().to_string()
            }
        })
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{clean, fixture, kitchen_sink, run};

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
        assert!(
            f[0].message.contains("; 3 others run a build script"),
            "{}",
            f[0].message
        );
        crate::assert_rule_snapshot!(&RULE, "build-scripts");
    }
}
