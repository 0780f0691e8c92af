//! Facts from reading the Rust sources that cargo would compile.

use std::collections::BTreeMap;

use guppy::PackageId;

pub use architect_source::Span as SourceSpan;
pub use architect_source::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, Metrics, ModDecl, PubEnum, Spawn, UnsafeKind,
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
    pub facts: FileFacts,
}

/// The sources of one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageSources {
    /// Files in path order.
    pub files: Vec<ScannedFile>,
    /// Lines holding code, over every file of every target.
    pub code_lines: usize,
    /// `.rs` files in the package directory that no module tree reaches.
    pub not_in_tree: usize,
    /// Size metrics over the library files.
    pub metrics: Metrics,
    /// Whether `metrics` was computed (workspace members; dependencies with `--deps` or under
    /// `build-time`).
    pub measured: bool,
    /// Bytes of C and C++ sources in the package's directory, when its build script compiles
    /// native code (it has a `cc` or `cmake` build-dependency) and metrics were computed; 0
    /// otherwise.
    pub native_bytes: u64,
}

impl PackageSources {
    /// Files of the library target (or proc-macro).
    pub fn lib_files(&self) -> impl Iterator<Item = &ScannedFile> {
        self.files
            .iter()
            .filter(|f| matches!(f.target, TargetKind::Lib | TargetKind::ProcMacro))
    }
}

/// A file the scanner could not read or lex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub path: String,
    /// 1-based line of the problem, when there is one.
    pub line: Option<usize>,
    pub reason: String,
    pub package: PackageId,
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
