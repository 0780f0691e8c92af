//! `async/runtime-in-public-api`: runtime types in a library's public API.

use architect_model::{Facts, Finding, Level, Section};
use guppy::graph::PackageMetadata;
use guppy::graph::feature::FeatureId;

use crate::graph::{Site, api_sources, per_crate, site_names, source_location};
use crate::public_api::{PublicApi, module_of};
use crate::rule::{Ctx, Docs, Rule, count};
use architect_model::catalogue::RUNTIME_CRATES;

pub static RULE: Rule = Rule {
    id: "async/runtime-in-public-api",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "async runtime types in a library's public API",
    docs: Docs {
        what: "Reports tokio (or another runtime's) types in the public API of a workspace \
               library: `pub fn` signatures, `pub` struct fields, `pub` trait items and \
               supertraits, `pub type` aliases and `pub use` re-exports of the runtime, \
               reachable from the crate root through `pub mod` or `pub use`. Not reported: std \
               types a runtime re-exports (`tokio::time::Duration`), `#[doc(hidden)]` and \
               macro-generated items, the runtime's own crates and extensions \
               (`tokio-util`, `tokio-stream`...), whose API is the runtime by design, and a \
               runtime the package depends on only optionally, off by default (an adapter \
               or runtime-selection feature: only users who chose that runtime see it). \
               Not reviewed as an API: a library the other members use only in their tests \
               (`cargo-test-support`), and a crate whose description says it is not for direct \
               use (\"an internal component crate\", \"Not intended to be used directly\"), \
               unless a published crate re-exports it whole (`pub use driver::{self as \
               drivers}`), which makes it that crate's API.",
        why: "A `tokio::sync::mpsc::Sender`, `JoinHandle` or `TcpStream` in a signature makes \
              every caller depend on that runtime (and on its major version): the library \
              cannot be used from another executor, and a tokio 2 upgrade becomes a breaking \
              change of the library.",
        fix: "At the boundary, take and return `std`/`futures` types: `impl Future`, \
              `futures::Stream`/`Sink`, `std::io` traits or your own handle types; keep the \
              runtime an implementation detail.",
        references: &[(
            "Rust API guidelines: future proofing",
            "https://rust-lang.github.io/api-guidelines/future-proofing.html",
        )],
    },
    options: &[],
    allow_list: true,
    check,
};

fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    let facts = cx.facts;
    let mut out = Vec::new();
    for (meta, pkg) in api_sources(facts) {
        if runtime_package(meta.name()) {
            continue;
        }
        let api = PublicApi::of(pkg);
        let mut sites: Vec<Site> = Vec::new();
        let mut runtimes = std::collections::BTreeSet::new();
        let label = "runtime type in the public API";
        for file in pkg.lib_files() {
            for u in &file.facts.api_uses {
                let module = module_of(file, &u.inline_parents);
                if !RUNTIME_CRATES.contains(&u.krate.as_str())
                    || opt_in(facts, &meta, &u.krate)
                    || !file.ships(u.span)
                    || !api.reaches(file.public && u.public, &module, &u.owner)
                {
                    continue;
                }
                let at = source_location(facts, file, u.span, label);
                runtimes.insert(u.krate.clone());
                sites.push((format!("`{}` (`{}`)", u.item, u.ty), at));
            }
            for r in &file.facts.re_exports {
                let Some(krate) = runtime_reexport(&r.path) else {
                    continue;
                };
                if opt_in(facts, &meta, krate) {
                    continue;
                }
                let module = module_of(file, &r.inline_parents);
                let reachable = file.public && r.inline_parents.iter().all(|(_, p)| *p);
                if !file.ships(r.span) || !api.active(reachable, &module, r) {
                    continue;
                }
                let path = r.path.join("::");
                let item = format!("pub use {}", path.trim_start_matches("::"));
                let at = source_location(facts, file, r.span, label);
                runtimes.insert(krate.to_string());
                sites.push((format!("`{item}`"), at));
            }
        }
        if !sites.is_empty() {
            let names: Vec<&str> = runtimes.iter().map(String::as_str).collect();
            let message = format!(
                "`{}` exposes {} types in {}: {}",
                meta.name(),
                names.join(" and "),
                count(sites.len(), "public item", "public items"),
                site_names(&sites)
            );
            out.push(per_crate(
                cx,
                &meta,
                message,
                "take and return std or `futures` types at the public boundary",
                sites,
            ));
        }
    }
    out
}

/// Whether the package's dependency on the runtime `krate` is opt-in: every normal
/// dependency on it is optional and its default features do not enable it (an adapter
/// feature such as axum-extra's `async-read-body`, a runtime-selection feature such as
/// sqlx-core's `_rt-tokio`). The runtime's types are then there for the users who asked for
/// that runtime, not forced on every caller. A runtime reached with no dependency of the
/// package's own (a re-export through another crate) is not opt-in.
fn opt_in(facts: &Facts, meta: &PackageMetadata<'_>, krate: &str) -> bool {
    // The package's own features its defaults turn on: `[features]` lines and `dep:`
    // entries, not features of other packages (a dev-dependency on a facade that turns this
    // package's runtime feature on for tests does not count).
    let own = meta.id();
    let default_on = facts
        .graph
        .feature_graph()
        .query_forward([meta.default_feature_id()])
        .map(|q| {
            q.resolve_with_fn(|_, link| link.to().package_id() == own && !link.normal().is_never())
        });
    let mut links = meta
        .direct_links()
        .filter(|l| l.normal().is_present() && l.to().name().replace('-', "_") == krate)
        .peekable();
    links.peek().is_some()
        && links.all(|l| {
            let optional = l.normal().status().required_status().is_never();
            let dep = FeatureId::optional_dependency(meta.id(), l.dep_name());
            optional
                && default_on
                    .as_ref()
                    .is_ok_and(|on| !on.contains(dep).unwrap_or(true))
        })
}

/// The runtime a `pub use` path re-exports from, unless it names a std type the runtime
/// re-exports.
fn runtime_reexport(path: &[String]) -> Option<&'static str> {
    let path = match path.first() {
        Some(s) if s.is_empty() => &path[1..],
        _ => path,
    };
    let krate = RUNTIME_CRATES
        .iter()
        .find(|c| path.first().is_some_and(|f| f == *c))?;
    let std_type = match path {
        [.., module, name] => architect_model::std_reexport(krate, module, name),
        _ => false,
    };
    (!std_type).then_some(*krate)
}

/// A runtime's own crate or an extension of it (`tokio`, `tokio-util`, `async-std`...): its API
/// is the runtime by design.
fn runtime_package(name: &str) -> bool {
    let name = name.replace('-', "_");
    RUNTIME_CRATES
        .iter()
        .any(|rt| name == *rt || name.starts_with(&format!("{rt}_")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{public_api, run, source_rules};

    #[test]
    fn public_items_only() {
        let f = run(&RULE, source_rules());
        let items: Vec<&str> = crate::testing::site_items(&f);
        assert_eq!(
            items,
            [
                "trait Source::receiver",
                "fn start",
                "field Server::runtime"
            ]
        );
        // `inner::hidden` (private module) and `internal` (pub(crate)) are not API.
        assert!(
            f.iter()
                .all(|f| !f.message.contains("hidden") && !f.message.contains("internal"))
        );
    }

    #[test]
    fn reachable_items_supertraits_aliases_and_re_exports() {
        let mut f = run(&RULE, public_api());
        f.retain(|f| f.packages[0].name == "pubapi");
        let items: Vec<&str> = crate::testing::site_items(&f);
        // A supertrait and an alias exported by a glob, a method of a type re-exported by
        // name, a runtime re-export, a module declared in a macro invocation.
        assert_eq!(
            items,
            [
                "trait Io",
                "type Tx",
                "fn connect",
                "pub use tokio::sync::mpsc",
                "fn listener"
            ]
        );
        // Not API: `fn leak` (its type is not re-exported), `__private_stream` (doc-hidden);
        // std's `Duration` under tokio's name (`fn timeout`, `pub use tokio::time::Duration`);
        // the member `tokio-util`, an extension of the runtime.
        for not in ["leak", "__private", "timeout", "Duration", "tokio-util"] {
            assert!(f.iter().all(|f| !f.message.contains(not)), "{not}");
        }
    }

    #[test]
    fn a_runtime_off_by_default_is_opt_in() {
        let f = run(&RULE, public_api());
        let crates: Vec<&str> = f.iter().map(|f| f.packages[0].name.as_str()).collect();
        // `rtdefault`'s optional tokio is on by default: reported. `adapter`'s is behind a
        // feature that is off by default: its tokio types are for those who opt in.
        assert!(crates.contains(&"rtdefault"), "{crates:?}");
        assert!(!crates.contains(&"adapter"), "{crates:?}");
    }

    #[test]
    fn the_runtime_and_its_extensions_are_exempt_not_their_users() {
        for own in ["tokio", "tokio-util", "tokio_stream", "async-std", "smol"] {
            assert!(runtime_package(own), "{own}");
        }
        for user in ["tokio2", "hyper", "mytokio-util", "smolder"] {
            assert!(!runtime_package(user), "{user}");
        }
    }
}
