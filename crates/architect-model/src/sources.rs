//! Facts from reading the Rust sources that cargo would compile.

use std::collections::BTreeMap;

use guppy::PackageId;

use crate::CodeScope;

pub use architect_source::Span as SourceSpan;
pub use architect_source::SpawnVia;
pub use architect_source::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, InlineParents, Metrics, ModDecl, ModuleRef,
    PathAnchor, PubEnum, ReExport, Spawn, UnsafeKind, std_reexport,
};

/// The kind of target a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Lib,
    ProcMacro,
    Bin,
    Example,
    Test,
    Bench,
    BuildScript,
}

/// One file of a module tree, with what the scanner found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// The path as findings show it: workspace-relative for the workspace, absolute otherwise.
    pub path: String,
    pub target: TargetKind,
    /// The module path from the target's root, e.g. `a::b`; empty for the root file.
    pub module: String,
    /// Reachable from the library root through `pub mod` only: part of the public API.
    pub public: bool,
    /// Dev when the target is a test, bench or example, or a module on the way to the file is
    /// declared under `#[cfg(test)]`.
    pub scope: CodeScope,
    /// A module declaration on the way to the file has a `#[cfg(..)]` that does not hold in the
    /// reviewed build (a feature that is off, another platform): a workspace member's file the
    /// rules read, but the build does not compile. (A dependency's is not read at all.)
    pub cfg_off: bool,
    pub facts: FileFacts,
}

impl ScannedFile {
    /// Whether the code at `span` is shipped: the file is, and the span is not inside an item
    /// under `#[cfg(test)]` or `#[test]`.
    pub fn ships(&self, span: SourceSpan) -> bool {
        self.scope == CodeScope::Shipped && !self.facts.in_test_code(span)
    }
}

/// The sources of one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageSources {
    /// Files in path order.
    pub files: Vec<ScannedFile>,
    /// Lines holding code, over every file of every target.
    pub code_lines: usize,
    /// `.rs` files in the directories of the library's and binaries' module trees that no
    /// module declares, in path order (as findings show paths).
    pub not_in_tree: Vec<String>,
    /// Size metrics over the library files `cargo build` compiles (for a package with only
    /// binaries, over theirs): not test modules, nor modules whose cfg is off.
    pub metrics: Metrics,
    /// Lines holding code over the same files: the size the build-time model reads.
    pub built_lines: usize,
    /// Each binary's own module tree (files its package's library holds are the library's),
    /// with the same exclusions, by binary name.
    pub bins: std::collections::BTreeMap<String, BinSize>,
    /// Whether `metrics` was computed (workspace members; dependencies with `--deps` or under
    /// `build-time`).
    pub measured: bool,
    /// The C and C++ its build script compiles, when it compiles any and metrics were
    /// computed; empty otherwise.
    pub native: NativeBuild,
}

/// The size of one binary's own code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinSize {
    pub metrics: Metrics,
    pub lines: usize,
    /// The first segments of the paths its code writes (`serde::`, `use clap::..`): the
    /// crates it calls into, among local names.
    pub path_roots: std::collections::BTreeSet<String>,
}

/// What a build script compiles of C and C++: the sources in its package's directory and in
/// those of the `-src` crates it drives (`openssl-src` for `openssl-sys` with `vendored`), and
/// how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NativeBuild {
    /// Bytes and number of `.c`, `.cc`, `.cpp` and `.cxx` files.
    pub bytes: u64,
    pub files: u64,
    pub system: architect_build::BuildSystem,
}

impl PackageSources {
    /// Files of the library target (or proc-macro).
    pub fn lib_files(&self) -> impl Iterator<Item = &ScannedFile> {
        self.files
            .iter()
            .filter(|f| matches!(f.target, TargetKind::Lib | TargetKind::ProcMacro))
    }
}

/// Why a file of a module tree was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnscannedKind {
    /// A module declared without a file: excluded by a cfg, or generated. Not a blind spot of
    /// code that is compiled.
    NoFile,
    /// Larger than the scan limit.
    TooLarge,
    /// Module declarations nested too deep in inline modules to be followed.
    TooDeep,
    NotUtf8,
    /// A FIFO, a device, a directory.
    NotAFile,
    /// Could not be read (permissions, I/O).
    Io,
    /// An unterminated comment or literal: the rest of the file is not seen as code.
    Lex,
    /// Outside the workspace (or, for a dependency, outside its package): the build reads it,
    /// the review does not.
    OutOfTree,
}

/// A file the scanner could not read or lex, or a module it could not find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file, or for a missing or out-of-tree module the file that declares it.
    pub path: String,
    /// 1-based line of the problem, when there is one.
    pub line: Option<usize>,
    pub reason: String,
    pub package: PackageId,
    pub kind: UnscannedKind,
    /// The target whose module tree holds the file.
    pub target: TargetKind,
}

impl Unreadable {
    /// Whether code that is compiled went unseen, so that claims about the crate (no unsafe
    /// code, what its build script does) are unknown rather than settled.
    pub fn hides_code(&self) -> bool {
        self.kind != UnscannedKind::NoFile
    }
}

/// The source pass over the workspace (and with `--deps`, the dependencies on disk).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFacts {
    pub packages: BTreeMap<PackageId, PackageSources>,
    pub unreadable: Vec<Unreadable>,
    pub files: usize,
    pub bytes: u64,
    /// Whether third-party sources were scanned (`--deps`).
    pub deps: bool,
}

impl SourceFacts {
    /// Files of `package` whose code the review did not see (see [`Unreadable::hides_code`]).
    pub fn unseen<'a>(&'a self, package: &'a PackageId) -> impl Iterator<Item = &'a Unreadable> {
        self.unreadable
            .iter()
            .filter(move |u| u.package == *package && u.hides_code())
    }
}
