//! What the review counts as shipped, and what it does not.
//!
//! An architect reads a library's API, its runtime and its dependency graph as its users get
//! them: the library and binary targets of the packages the workspace publishes, and what they
//! pull in on the reviewed platforms. Tests, benches, examples, `#[cfg(test)]` code,
//! dev-dependencies and internal packages (`publish = false`, fuzz targets, xtask) are built
//! too, but they are not what anyone downstream depends on. And an unpublished member ships in
//! the workspace's binaries, but has no API anyone outside builds against. The loader decides
//! this once; every rule asks here instead of deciding for itself.

use std::collections::{BTreeMap, BTreeSet};

use guppy::PackageId;

/// What a workspace member is to the people downstream of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberRole {
    /// Published to a registry: its library is an API other crates build against.
    Published,
    /// Built into the workspace's own binaries and deployed, but no crate outside the
    /// workspace depends on its API: `publish = false`, a 0.0.x version, a manifest
    /// `cargo publish` would refuse, or a library only such manifests use, by path without a
    /// version (see [`ScopeFacts::unpublished`]).
    Unpublished,
    /// Tooling that is neither published nor shipped: a fuzzing harness (it depends on
    /// `libfuzzer-sys`, `afl` or `honggfuzz`), build automation (`xtask`, `xtask-*`), or an
    /// unpublished example, benchmark or tool package (under `examples/`, `benches/` or
    /// `tools/`, or named so: `tracing-examples`, `sqlx-example-postgres-chat`), or an
    /// unpublished library that
    /// other members use only in their tests (`tracing-test`).
    Tooling,
}

impl MemberRole {
    pub fn describe(self) -> &'static str {
        match self {
            MemberRole::Published => "published",
            MemberRole::Unpublished => "not published",
            MemberRole::Tooling => "tooling (fuzz, xtask, examples, benchmarks or test support)",
        }
    }
}

/// Whether code is shipped or only built for development.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeScope {
    /// Library, proc-macro, binary and build-script code.
    Shipped,
    /// Test, bench and example targets, and modules or items under `#[cfg(test)]`.
    Dev,
}

/// The scope model: what each member is, and which packages and edges are shipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeFacts {
    /// The role of each workspace member.
    pub roles: BTreeMap<PackageId, MemberRole>,
    /// Why each unpublished member is, said for a reader.
    pub unpublished: BTreeMap<PackageId, String>,
    /// Published members whose own `description` or crate documentation says they are not for
    /// direct use ("an internal component crate of Ruff", "Not intended to be used directly",
    /// cargo's "not intended for external use"), with it: built and published, so users
    /// compile them, but their API is another crate's business.
    pub internal: BTreeMap<PackageId, String>,
    /// Libraries, published or not, that the other members use only as a dev-dependency
    /// (cargo's `cargo-test-support`, tracing's `tracing-test`): their API is for tests,
    /// where an untyped error or a runtime type is the norm.
    pub tests_only: BTreeSet<PackageId>,
    /// Packages `cargo build` of every member but tooling builds on the reviewed platforms,
    /// without dev-dependencies: what the workspace ships in its binaries and libraries.
    /// Members included.
    pub shipped: BTreeSet<PackageId>,
    /// Every dependency edge the full build follows (`cargo build --all-targets` of the
    /// workspace on the reviewed platforms, features resolved, `cfg(...)` evaluated), by
    /// package and dependency, with whether the shipped build follows it too.
    pub edges: BTreeMap<PackageId, BTreeMap<PackageId, bool>>,
    /// For each package the full build reaches, the package before it on a shortest chain
    /// from a workspace member (breadth-first from the members in id order): of shipped edges
    /// when the shipped build reaches it, of built edges otherwise. Members have none. What a
    /// finding cites as "via".
    pub reached_from: BTreeMap<PackageId, PackageId>,
    /// The named features the full build enables on each package, for the target and the
    /// host together (what an advisory's feature precondition is checked against).
    pub features: BTreeMap<PackageId, BTreeSet<String>>,
    /// Custom `cfg` names taken as set when evaluating `cfg(...)` (`--cfg`); every other one
    /// (`loom`, `tokio_unstable`, `docsrs`...) is false, as in a plain `cargo build`.
    pub cfgs: Vec<String>,
}

impl ScopeFacts {
    /// The role of a workspace member (`Published` for a package that is not one).
    pub fn role(&self, member: &PackageId) -> MemberRole {
        self.roles
            .get(member)
            .copied()
            .unwrap_or(MemberRole::Published)
    }

    /// Whether `member`'s library is an API crates outside the workspace build against.
    pub fn is_published(&self, member: &PackageId) -> bool {
        self.role(member) == MemberRole::Published
    }

    /// Whether `member` ships (published, or built into the workspace's binaries): not tooling.
    pub fn is_shipped_member(&self, member: &PackageId) -> bool {
        self.role(member) != MemberRole::Tooling
    }

    /// Whether the full build follows the edge `from -> to` on the reviewed platforms.
    pub fn edge_built(&self, from: &PackageId, to: &PackageId) -> bool {
        self.edges.get(from).is_some_and(|d| d.contains_key(to))
    }

    /// Whether the shipped build follows the edge `from -> to`.
    pub fn edge_shipped(&self, from: &PackageId, to: &PackageId) -> bool {
        self.edges
            .get(from)
            .and_then(|d| d.get(to))
            .copied()
            .unwrap_or(false)
    }

    /// The shortest chain of built edges from a workspace member to `target`, member first;
    /// empty when the build does not reach it.
    pub fn chain_to(&self, target: &PackageId, is_member: bool) -> Vec<PackageId> {
        if !is_member && !self.reached_from.contains_key(target) {
            return Vec::new();
        }
        let mut path = vec![target.clone()];
        let mut at = target;
        while let Some(prev) = self.reached_from.get(at) {
            path.push(prev.clone());
            at = prev;
        }
        path.reverse();
        path
    }

    /// Whether a package is in what the workspace ships.
    pub fn is_shipped(&self, id: &PackageId) -> bool {
        self.shipped.contains(id)
    }
}
