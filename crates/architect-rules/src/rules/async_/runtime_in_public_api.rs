//! `async/runtime-in-public-api`: runtime types in a library's public API.

use architect_model::{Finding, Level, Section};

use crate::graph::{pkg_ref, source_location, workspace_sources};
use crate::rule::{Ctx, Docs, FindingExt, Rule};

pub const RUNTIME_CRATES: &[&str] = &[
    "tokio",
    "async_std",
    "smol",
    "async_executor",
    "glommio",
    "monoio",
    "actix_rt",
];

pub static RULE: Rule = Rule {
    id: "async/runtime-in-public-api",
    section: Section::Async,
    default_level: Level::Warn,
    summary: "async runtime types in a library's public API",
    docs: Docs {
        what: "Reports tokio (or another runtime's) types in the public API of a workspace \
               library: `pub fn` signatures, `pub` struct fields and `pub` trait items reachable \
               from the crate root through `pub mod`.",
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
    for (meta, pkg) in workspace_sources(facts) {
        for file in pkg.lib_files().filter(|f| f.public) {
            for u in file.facts.api_uses.iter().filter(|u| u.public) {
                if !RUNTIME_CRATES.contains(&u.krate.as_str()) {
                    continue;
                }
                out.push(
                    cx.finding(
                        format!(
                            "`{}` of `{}` exposes `{}` from {}",
                            u.item,
                            meta.name(),
                            u.ty,
                            u.krate
                        ),
                        "take and return std or `futures` types at the public boundary",
                    )
                    .package(pkg_ref(&meta))
                    .at(source_location(
                        facts,
                        file,
                        u.span,
                        "runtime type in the public API",
                    )),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{run, source_rules};

    #[test]
    fn public_items_only() {
        let f = run(&RULE, source_rules());
        let items: Vec<&str> = f
            .iter()
            .map(|f| f.message.split('`').nth(1).unwrap())
            .collect();
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
}
