//! The source pass: follow each target's module tree from its root file, as rustc would, and
//! scan every file reached, in parallel.
//!
//! Only files a module tree reaches are read: never `target/`, never `OUT_DIR`, never a stray
//! `.rs` file (those are counted instead). Workspace members get every scan; dependencies
//! (with `--deps`) only the module tree and the unsafe inventory, plus every scan of their build
//! scripts.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use architect_build::BuildSystem;
use architect_model::{
    CodeScope, FileStore, NativeBuild, ScannedFile, SourceFacts, SourceFile, TargetKind,
    Unreadable, UnscannedKind,
};
use architect_source::Wanted;
use guppy::PackageId;
use guppy::graph::{BuildTargetId, BuildTargetKind, PackageGraph, PackageMetadata};

use crate::read::{ReadError, SOURCE_LIMIT, human_size, read_bytes};
use crate::scope::Boundary;

/// Module declarations nested deeper than this in inline modules are not followed: each costs
/// its depth to resolve, and no real crate nests a hundred inline modules.
const MAX_INLINE_DEPTH: usize = 128;

/// One target to walk: its root file and kind.
struct Root {
    package: PackageId,
    file: PathBuf,
    kind: TargetKind,
    /// A binary's name: its size is counted apart.
    bin: Option<Arc<str>>,
    wanted: Wanted,
    /// Where the review may read for this package.
    boundary: Arc<Boundary>,
}

/// What one walked file gives back.
struct Walked {
    package: PackageId,
    wanted: Wanted,
    file: PathBuf,
    kind: TargetKind,
    bin: Option<Arc<str>>,
    module: String,
    /// The directory of this module's child modules.
    mod_dir: PathBuf,
    public: bool,
    dev: bool,
    facts: architect_source::FileFacts,
    text: Option<String>,
    /// Reached through `include!`: scanned, but not counted in the crate's size.
    included: bool,
    cfg_off: bool,
}

impl Walked {
    /// Whether the file was walked as part of target `r`'s module tree.
    fn of_target(&self, r: &Root) -> bool {
        self.package == r.package && self.kind == r.kind && self.bin == r.bin
    }
}

/// What the source pass reads of third-party packages.
pub(crate) struct Reading<'a> {
    /// `--deps`: their libraries, for the unsafe inventory.
    pub deps: bool,
    /// Their libraries' size metrics, for the build figures.
    pub metrics: bool,
    /// Which of their modules the build compiles.
    pub cfg: &'a crate::cfgs::CfgEval,
    /// Scanner results shared with another load.
    pub cache: Option<&'a crate::scancache::ScanCache>,
}

/// Scan the sources of `packages` (the built set): the workspace's, every third-party build
/// script on disk (what it does on the build host is a supply-chain question whatever the
/// options), and the rest of third-party sources with `deps` or `metrics`.
pub(crate) fn scan(
    graph: &PackageGraph,
    packages: &BTreeSet<PackageId>,
    root: &Path,
    reading: &Reading<'_>,
    prescanned: crate::prescan::Scanned,
    files: &mut FileStore,
) -> SourceFacts {
    let (deps, metrics) = (reading.deps, reading.metrics);
    let mut roots = Vec::new();
    let workspace = Arc::new(Boundary::new(root, "workspace"));
    for id in packages {
        let Ok(p) = graph.metadata(id) else { continue };
        // A dependency's library is read for `--deps` (its unsafe inventory) and for its size
        // (`metrics`, the build figures); otherwise only its build script.
        let scripts_only = !p.in_workspace() && !deps && !metrics;
        if scripts_only && !p.has_build_script() {
            continue;
        }
        let boundary = match p.manifest_path().parent() {
            Some(dir) if !p.in_workspace() => Arc::new(Boundary::new(dir.as_std_path(), "package")),
            _ => workspace.clone(),
        };
        roots.extend(
            target_roots(&p, metrics, &boundary)
                .into_iter()
                .filter(|r| !scripts_only || r.kind == TargetKind::BuildScript),
        );
    }

    let out: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    let problems: Mutex<Vec<Unreadable>> = Mutex::new(Vec::new());
    let seen: Mutex<HashSet<(PackageId, PathBuf)>> = Mutex::new(HashSet::new());
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let prescanned = Mutex::new(prescanned);
    // A file two targets of one package reach is scanned once, as a module of the first: the
    // targets of a package are walked one after the other, library first (see `walk_order`),
    // so which one that is never depends on the thread count. Packages run in parallel.
    let mut by_package: BTreeMap<&PackageId, Vec<&Root>> = BTreeMap::new();
    for r in &roots {
        by_package.entry(&r.package).or_default().push(r);
    }
    let (no_templates, no_off) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    let cx = WalkCx {
        templates: &no_templates,
        off: &no_off,
        out: &out,
        problems: &problems,
        seen: &seen,
        bytes: &bytes,
        prescanned: &prescanned,
        root,
        cfg: reading.cfg,
        cache: reading.cache,
    };
    rayon::scope(|s| {
        for mut targets in by_package.into_values() {
            targets.sort_by_key(|r| (walk_order(r.kind), r.file.clone()));
            s.spawn(move |_| {
                for r in targets {
                    let (templates, off) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
                    let cx = WalkCx {
                        templates: &templates,
                        off: &off,
                        ..cx
                    };
                    rayon::scope(|inner| inner.spawn(move |inner| cx.walk(inner, root_visit(r))));
                    // Compiled modules first, then the cfg-off ones, then what those declare.
                    for _ in 0..MAX_TEMPLATE_ROUNDS {
                        cx.expand_templates(r);
                        if !cx.walk_off() {
                            break;
                        }
                    }
                }
            });
        }
    });

    let reached = seen.into_inner().unwrap_or_default();
    let mut walked = out.into_inner().unwrap_or_default();
    walked.sort_by(|a, b| (&a.package, &a.file).cmp(&(&b.package, &b.file)));
    let mut facts = SourceFacts {
        deps,
        files: walked.len(),
        bytes: bytes.into_inner(),
        ..SourceFacts::default()
    };
    let mut macros: BTreeMap<PackageId, CfgMacros> = BTreeMap::new();
    for files in walked.chunk_by(|a, b| a.package == b.package) {
        macros.insert(
            files[0].package.clone(),
            CfgMacros::of(files.iter().map(|w| &w.facts)),
        );
    }
    for w in walked {
        let path = crate::relative(root, &w.file);
        if let Some(text) = w.text {
            files.add(SourceFile::new(path.clone(), text));
        }
        let compiled = match macros.get(&w.package) {
            Some(m) => compiled_size(&w.facts, m, reading.cfg, &w.package),
            None => (w.facts.metrics, w.facts.code_lines),
        };
        let pkg = facts.packages.entry(w.package).or_default();
        // Sizes count the module tree only. Files a crate `include!`s are mostly generated data
        // (the icu `*_data` crates): counted, they moved the cost model's held-out estimates
        // further from the measurements (docs/build-time.md).
        if !w.included {
            pkg.code_lines += w.facts.code_lines;
        }
        // A package's size is its library's; a binary-only member's, its binaries'. Only what
        // `cargo build` compiles counts: not a member's test modules, nor its modules whose
        // cfg is off in the reviewed build.
        if w.wanted != Wanted::ModsAndUnsafe && !w.included && !w.dev && !w.cfg_off {
            let (metrics, lines) = compiled;
            match w.kind {
                TargetKind::Lib | TargetKind::ProcMacro => {
                    pkg.metrics.add(&metrics);
                    pkg.built_lines += lines;
                    pkg.measured = true;
                }
                TargetKind::Bin => {
                    if let Some(bin) = &w.bin {
                        let own = pkg.bins.entry(bin.to_string()).or_default();
                        own.metrics.add(&metrics);
                        own.lines += lines;
                        own.path_roots.extend(w.facts.path_roots.iter().cloned());
                    }
                }
                _ => {}
            }
        }
        pkg.files.push(ScannedFile {
            path,
            target: w.kind,
            module: w.module,
            public: w.public,
            scope: if w.dev {
                CodeScope::Dev
            } else {
                CodeScope::Shipped
            },
            cfg_off: w.cfg_off,
            facts: w.facts,
        });
    }
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems.dedup();
    // A binary-only package's size is its binaries'.
    for pkg in facts.packages.values_mut() {
        if !pkg.measured && !pkg.bins.is_empty() {
            for own in pkg.bins.values() {
                pkg.metrics.add(&own.metrics);
                pkg.built_lines += own.lines;
            }
            pkg.measured = true;
        }
    }
    // Stray `.rs` files of workspace members: in a module tree's directory, compiled by
    // nothing.
    for member in graph.workspace().iter() {
        if !packages.contains(member.id()) {
            continue;
        }
        // Files reached but not read are in the tree too: reported once, as unreadable or out
        // of tree.
        let in_tree: BTreeSet<String> = reached
            .iter()
            .filter(|(p, _)| p == member.id())
            .map(|(_, f)| crate::relative(root, f))
            .collect();
        let data = facts
            .packages
            .get(member.id())
            .map(|p| data_files(root, &p.files))
            .unwrap_or_default();
        let mut stray: Vec<String> = module_dirs(&member)
            .iter()
            .flat_map(|dir| rust_files_of_package(dir))
            .map(|f| crate::relative(root, &f))
            .filter(|f| !in_tree.contains(f) && !data.contains(f))
            .collect();
        stray.sort();
        stray.dedup();
        facts
            .packages
            .entry(member.id().clone())
            .or_default()
            .not_in_tree = stray;
    }
    if metrics {
        for id in packages {
            let Ok(p) = graph.metadata(id) else { continue };
            if let Some(native) = native_build(&p, packages) {
                facts.packages.entry(id.clone()).or_default().native = native;
            }
        }
    }
    facts.unreadable = problems;
    facts
}

/// The files a package's sources read with `include_str!` or `include_bytes!` (a test
/// fixture's text such as a `minicore.rs`), as findings show paths: data, not forgotten
/// modules.
fn data_files(root: &Path, files: &[ScannedFile]) -> BTreeSet<String> {
    files
        .iter()
        .flat_map(|f| {
            let dir = root.join(&f.path);
            let dir = dir.parent().map(Path::to_path_buf).unwrap_or_default();
            f.facts
                .data_includes
                .iter()
                .filter(|inc| !inc.invalid)
                .map(move |inc| crate::relative(root, &crate::scope::lexical(&dir.join(&inc.path))))
        })
        .collect()
}

/// The directories of a member's library and binary module trees (`src/`, `src/bin/`): where
/// a `.rs` file no module declares is a forgotten module. Tests, benches, examples and the
/// package directory itself are not among them: `.rs` files there are often data (compile-fail
/// cases, parser test corpora) that no target is meant to compile.
fn module_dirs(member: &PackageMetadata<'_>) -> BTreeSet<PathBuf> {
    let package_dir = member.manifest_path().parent().map(|d| d.as_std_path());
    member
        .build_targets()
        .filter(|t| matches!(t.id(), BuildTargetId::Library | BuildTargetId::Binary(_)))
        .filter_map(|t| t.path().parent().map(|d| d.as_std_path().to_path_buf()))
        .filter(|d| Some(d.as_path()) != package_dir)
        .collect()
}

/// `.rs` files under `dir`, not descending into `target/` or into a directory with its own
/// `Cargo.toml` (another package: a member, or a fixture crate).
pub(crate) fn rust_files_of_package(dir: &Path) -> Vec<PathBuf> {
    let top = dir.to_path_buf();
    ignore::WalkBuilder::new(dir)
        .filter_entry(move |e| {
            let p = e.path();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && (p.file_name().is_some_and(|n| n == "target")
                    || (p != top && p.join("Cargo.toml").exists())))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| e.into_path())
        .collect()
}

/// What `p`'s build script compiles of C and C++, when it compiles any: it has a `cc` or
/// `cmake` build-dependency in the build (`packages`), drives a source-carrying crate (below),
/// or its sources carry their own `configure` script. The sources are its own and those of
/// each source-carrying build-dependency in the build: a library without a build script of its
/// own that drives `cc` or `cmake` for its dependent, as `openssl-src` does for `openssl-sys`
/// when the `vendored` feature brings it in (212 s of one real build).
fn native_build(p: &PackageMetadata<'_>, packages: &BTreeSet<PackageId>) -> Option<NativeBuild> {
    if !p.has_build_script() {
        return None;
    }
    let in_build = |l: &guppy::graph::PackageLink<'_>| packages.contains(l.to().id());
    let uses = |p: &PackageMetadata<'_>, tool: &str, build: bool| {
        p.direct_links().any(|l| {
            let kind = if build { l.build() } else { l.normal() };
            kind.is_present() && in_build(&l) && l.to().name() == tool
        })
    };
    let carriers: Vec<PackageMetadata<'_>> = p
        .direct_links()
        .filter(|l| l.build().is_present() && in_build(l))
        .map(|l| l.to())
        .filter(|d| !d.has_build_script() && (uses(d, "cc", false) || uses(d, "cmake", false)))
        .collect();
    let cmake = uses(p, "cmake", true) || carriers.iter().any(|d| uses(d, "cmake", false));
    let cc = uses(p, "cc", true) || !carriers.is_empty();
    let mut sources = NativeSources::default();
    for d in std::iter::once(p).chain(carriers.iter()) {
        if let Some(dir) = d.manifest_path().parent() {
            sources.add(native_sources(dir.as_std_path()));
        }
    }
    // A bundled `configure` counts when the build code runs it (freetype-sys bundles one and
    // compiles with `cc`).
    let configure = sources.configure
        && std::iter::once((p, BuildTargetId::BuildScript))
            .chain(carriers.iter().map(|d| (d, BuildTargetId::Library)))
            .any(|(d, target)| names_configure(d, target));
    if !(cc || cmake || configure) {
        return None;
    }
    let system = if cmake {
        BuildSystem::Cmake
    } else if configure {
        BuildSystem::Configure
    } else {
        BuildSystem::Cc
    };
    Some(NativeBuild {
        bytes: sources.bytes,
        files: sources.files,
        system,
    })
}

/// C and C++ sources under a directory, and whether it carries a `configure` script.
#[derive(Debug, Default)]
struct NativeSources {
    bytes: u64,
    files: u64,
    configure: bool,
}

impl NativeSources {
    fn add(&mut self, o: NativeSources) {
        self.bytes += o.bytes;
        self.files += o.files;
        self.configure |= o.configure;
    }
}

/// Whether the code of `p`'s `target` (its root file and the `.rs` files beside it, when they
/// are not the package's top directory) names a `configure` script in a string literal, at its
/// start or after a `/` (`"configure"`, `"./Configure"`, `"../gmp-src/configure --enable-fat"`):
/// the build runs it. Each file is read up to the source limit.
fn names_configure(p: &PackageMetadata<'_>, target: BuildTargetId<'_>) -> bool {
    let Some(root) = p
        .build_target(&target)
        .map(|t| t.path().as_std_path().to_path_buf())
    else {
        return false;
    };
    let package_dir = p
        .manifest_path()
        .parent()
        .map(|d| d.as_std_path().to_path_buf());
    let mut files = vec![root.clone()];
    if let Some(dir) = root
        .parent()
        .filter(|d| Some(d.to_path_buf()) != package_dir)
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "rs") && *f != root)
                .take(MAX_BUILD_FILES),
        );
    }
    files.iter().any(|f| {
        read_bytes(f, SOURCE_LIMIT).is_ok_and(|text| {
            // `"configure"`, `"./Configure"`, `"../gmp-src/configure --enable-fat"`.
            text.windows(10)
                .any(|w| matches!(w[0], b'"' | b'/') && w[1..].eq_ignore_ascii_case(b"configure"))
        })
    })
}

/// How many files beside a build script's root are searched for a `configure` script's name.
const MAX_BUILD_FILES: usize = 64;

/// How deep under a package's directory a `configure` (or OpenSSL's `Configure`) script counts
/// as its build's: `jemalloc/configure`, `openssl/Configure`.
const CONFIGURE_DEPTH: usize = 3;

/// The extensions of the C and C++ sources a build script's size is measured by.
pub(crate) const NATIVE_EXTENSIONS: [&str; 4] = ["c", "cc", "cpp", "cxx"];

/// C and C++ source files (`.c`, `.cc`, `.cpp`, `.cxx`) under `dir`, `target/` aside, and
/// whether a `configure` script is near its top. Only metadata is read. (Leaving out the
/// directories a library build does not compile, `test/`, `tune/`, `examples/`..., made the
/// model's leave-one-out error on its training runs worse: 1.12 against 0.97 in ln seconds.)
fn native_sources(dir: &Path) -> NativeSources {
    let mut out = NativeSources::default();
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.path().file_name().is_some_and(|n| n == "target"))
        })
        .build();
    for e in walk.filter_map(Result::ok) {
        if !e.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let name = e.file_name();
        if (name == "configure" || name == "Configure") && e.depth() <= CONFIGURE_DEPTH {
            out.configure = true;
        }
        let native = e
            .path()
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| NATIVE_EXTENSIONS.contains(&x));
        if let Some(m) = e.metadata().ok().filter(|_| native) {
            out.bytes += m.len();
            out.files += 1;
        }
    }
    out
}

/// The root files of a package's targets: every target of a workspace member; the library and
/// build script of a dependency (all that is compiled of it).
fn target_roots(p: &PackageMetadata<'_>, metrics: bool, boundary: &Arc<Boundary>) -> Vec<Root> {
    let own = p.in_workspace();
    let mut out = Vec::new();
    for t in p.build_targets() {
        let kind = match (t.id(), t.kind()) {
            (BuildTargetId::Library, BuildTargetKind::ProcMacro) => TargetKind::ProcMacro,
            (BuildTargetId::Library, _) => TargetKind::Lib,
            (BuildTargetId::BuildScript, _) => TargetKind::BuildScript,
            (BuildTargetId::Binary(_), _) => TargetKind::Bin,
            (BuildTargetId::Example(_), _) => TargetKind::Example,
            (BuildTargetId::Test(_), _) => TargetKind::Test,
            (BuildTargetId::Benchmark(_), _) => TargetKind::Bench,
            _ => continue,
        };
        if !own
            && !matches!(
                kind,
                TargetKind::Lib | TargetKind::ProcMacro | TargetKind::BuildScript
            )
        {
            continue;
        }
        let wanted = match (own, kind) {
            (_, TargetKind::BuildScript) => Wanted::BuildScript,
            (true, _) => Wanted::All,
            (false, _) if metrics => Wanted::ModsUnsafeAndMetrics,
            (false, _) => Wanted::ModsAndUnsafe,
        };
        out.push(Root {
            package: p.id().clone(),
            file: t.path().as_std_path().to_path_buf(),
            kind,
            bin: match t.id() {
                BuildTargetId::Binary(name) => Some(Arc::from(name)),
                _ => None,
            },
            wanted,
            boundary: boundary.clone(),
        });
    }
    out
}

/// The order in which a package's targets are walked: what is shipped first, so that a file
/// a library and a test both reach is the library's.
fn walk_order(kind: TargetKind) -> u8 {
    match kind {
        TargetKind::Lib | TargetKind::ProcMacro => 0,
        TargetKind::Bin => 1,
        TargetKind::BuildScript => 2,
        TargetKind::Example => 3,
        TargetKind::Test => 4,
        TargetKind::Bench => 5,
    }
}

/// The visit of a target's root file.
fn root_visit(r: &Root) -> Visit {
    Visit {
        package: r.package.clone(),
        kind: r.kind,
        bin: r.bin.clone(),
        wanted: r.wanted,
        mod_dir: r.file.parent().unwrap_or(Path::new("")).to_path_buf(),
        file: r.file.clone(),
        public: matches!(r.kind, TargetKind::Lib | TargetKind::ProcMacro),
        dev: matches!(
            r.kind,
            TargetKind::Test | TargetKind::Bench | TargetKind::Example
        ),
        module: String::new(),
        boundary: r.boundary.clone(),
        declared_at: None,
        included: false,
        cfg_off: false,
    }
}

#[derive(Clone, Copy)]
struct WalkCx<'a> {
    out: &'a Mutex<Vec<Walked>>,
    problems: &'a Mutex<Vec<Unreadable>>,
    seen: &'a Mutex<HashSet<(PackageId, PathBuf)>>,
    bytes: &'a std::sync::atomic::AtomicU64,
    /// Files scanned while `cargo metadata` ran, taken by the first visit that wants them.
    prescanned: &'a Mutex<crate::prescan::Scanned>,
    root: &'a Path,
    cfg: &'a crate::cfgs::CfgEval,
    cache: Option<&'a crate::scancache::ScanCache>,
    /// The module declarations inside `macro_rules!` bodies met in the target being walked:
    /// followed where the macro is invoked, once the target's module tree is known.
    templates: &'a Mutex<Vec<Template>>,
    /// A member's modules whose cfg is off in the reviewed build, met in the target being
    /// walked: read after every compiled module, so that a file both reach (`#[cfg(x)] mod
    /// a;` and `#[cfg(not(x))] mod a;`) is read as compiled, whatever the thread count.
    off: &'a Mutex<Vec<Visit>>,
}

/// `mod name;` inside a `macro_rules!` body, with the file and line that hold it.
struct Template {
    decl: architect_source::ModDecl,
    file: PathBuf,
    line: usize,
}

/// Rounds of following the declarations that wait for the rest of a target (module
/// templates, declarations inside `cfg_*!` wrappers): one round per level of such modules
/// below each other (tokio's `runtime` → `scheduler` → `multi_thread` → ...); bounded, as
/// rustc's expansion is.
const MAX_TEMPLATE_ROUNDS: usize = 64;

/// One file to scan, as a module of a target.
struct Visit {
    package: PackageId,
    kind: TargetKind,
    /// The binary whose module tree this is, for a binary target.
    bin: Option<Arc<str>>,
    wanted: Wanted,
    file: PathBuf,
    /// The directory of this module's child modules.
    mod_dir: PathBuf,
    public: bool,
    /// Test code: a test, bench or example target, or a module declared under `#[cfg(test)]`.
    dev: bool,
    /// The module path from the target's root, e.g. `a::b`.
    module: String,
    boundary: Arc<Boundary>,
    /// The file and line that declared this one (`mod`, `#[path]`, `include!`); `None` for a
    /// target's root file.
    declared_at: Option<(PathBuf, usize)>,
    /// Reached through `include!` (directly or from an included file).
    included: bool,
    /// A module declaration on the way here has a `#[cfg]` that does not hold in the reviewed
    /// build (a workspace member's: a dependency's is not followed).
    cfg_off: bool,
}

impl Visit {
    /// A child of this module, declared at `line` of this file.
    fn child(
        &self,
        file: PathBuf,
        mod_dir: PathBuf,
        public: bool,
        module: String,
        line: usize,
    ) -> Visit {
        Visit {
            package: self.package.clone(),
            kind: self.kind,
            bin: self.bin.clone(),
            wanted: self.wanted,
            file,
            mod_dir,
            public,
            dev: self.dev,
            module,
            boundary: self.boundary.clone(),
            declared_at: Some((self.file.clone(), line)),
            included: self.included,
            cfg_off: self.cfg_off,
        }
    }
}

impl<'a> WalkCx<'a> {
    fn problem(
        &self,
        v: &Visit,
        file: &Path,
        line: Option<usize>,
        kind: UnscannedKind,
        reason: String,
    ) {
        if let Ok(mut p) = self.problems.lock() {
            p.push(Unreadable {
                path: crate::relative(self.root, file),
                line,
                reason,
                package: v.package.clone(),
                kind,
                target: v.kind,
            });
        }
    }

    /// The text of `v.file`, or `None` with the reason recorded. Nothing outside the package's
    /// boundary is read, and every read is bounded.
    fn read(&self, v: &Visit) -> Option<String> {
        if let Some(resolved) = v.boundary.outside(&v.file) {
            let written = crate::relative(self.root, &v.file);
            let shown = if resolved.display().to_string() == written {
                format!("`{written}`")
            } else {
                format!("`{}` (through `{written}`)", resolved.display())
            };
            let (at, line) = match &v.declared_at {
                Some((f, l)) => (f.as_path(), Some(*l)),
                None => (v.file.as_path(), None),
            };
            let whose = match v.declared_at {
                None => "the target's root file",
                Some(_) => "a module",
            };
            self.problem(
                v,
                at,
                line,
                UnscannedKind::OutOfTree,
                format!("{whose} is read from {shown}, outside the {}: the build reads it, the review does not", v.boundary.name),
            );
            return None;
        }
        let (kind, reason) = match read_bytes(&v.file, SOURCE_LIMIT) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => return Some(t),
                Err(e) => {
                    let line = line_of(e.as_bytes(), e.utf8_error().valid_up_to());
                    self.problem(
                        v,
                        &v.file,
                        Some(line),
                        UnscannedKind::NotUtf8,
                        "not UTF-8: rustc would reject it".into(),
                    );
                    return None;
                }
            },
            Err(ReadError::TooLarge { limit }) => (
                UnscannedKind::TooLarge,
                format!("larger than {}: not scanned", human_size(limit)),
            ),
            Err(e @ ReadError::NotAFile { .. }) => {
                (UnscannedKind::NotAFile, format!("not read: {e}"))
            }
            // A `#[path]` module whose file is not there: as for `mod name;` without a file, a
            // cfg excludes it (tests left out of a published crate) or it is generated.
            Err(ReadError::NotFound) if v.declared_at.is_some() => (
                UnscannedKind::NoFile,
                "does not exist; a cfg may exclude the module, or it is generated".to_string(),
            ),
            // A target's root file missing: the package's sources are not on disk.
            Err(ReadError::NotFound) => (
                UnscannedKind::Io,
                "not on disk: `cargo fetch` brings a dependency's sources".to_string(),
            ),
            Err(e) => (UnscannedKind::Io, format!("could not be read: {e}")),
        };
        self.problem(v, &v.file, None, kind, reason);
        None
    }

    /// The text of `v.file` and what it holds: scanned ahead when it was (and is inside the
    /// boundary), else read and scanned now.
    fn scanned(&self, v: &Visit) -> Option<(String, architect_source::FileFacts)> {
        if v.wanted == crate::prescan::WANTED
            && v.boundary.outside(&v.file).is_none()
            && let Some(done) = self
                .prescanned
                .lock()
                .ok()
                .and_then(|mut p| p.remove(&v.file))
        {
            return Some(done);
        }
        let text = self.read(v)?;
        let facts = crate::scancache::analyze(self.cache, &text, v.wanted);
        Some((text, facts))
    }

    /// Scan `v.file`, then its child modules.
    fn walk<'s>(self, scope: &rayon::Scope<'s>, v: Visit)
    where
        'a: 's,
    {
        if v.file.components().any(|c| c.as_os_str() == "target") && v.file.starts_with(self.root) {
            return;
        }
        if let Ok(mut seen) = self.seen.lock()
            && !seen.insert((v.package.clone(), v.file.clone()))
        {
            return;
        }
        let Some((text, facts)) = self.scanned(&v) else {
            return;
        };
        self.bytes
            .fetch_add(text.len() as u64, std::sync::atomic::Ordering::Relaxed);
        if let Some(at) = facts.lex_error {
            let line = line_of(text.as_bytes(), at);
            self.problem(
                &v,
                &v.file,
                Some(line),
                UnscannedKind::Lex,
                "does not lex: an unterminated comment or literal starts here".into(),
            );
        }
        let mut too_deep = 0usize;
        for m in &facts.mods {
            // A template waits for the macro's invocations; a declaration inside a `cfg_*!`
            // wrapper for the crate's definition of it.
            if m.in_macro.is_some() || !m.macro_gates.is_empty() {
                let line = line_of(text.as_bytes(), m.span.start);
                if let Ok(mut t) = self.templates.lock() {
                    t.push(Template {
                        decl: m.clone(),
                        file: v.file.clone(),
                        line,
                    });
                }
                continue;
            }
            if m.inline_parents.len() > MAX_INLINE_DEPTH {
                too_deep += 1;
                continue;
            }
            if !self.cfg.compiled(&v.package, &m.cfgs) {
                continue;
            }
            let line = line_of(text.as_bytes(), m.span.start);
            for (path, compiled) in self.module_files(&v, m) {
                let Some(mut child) = self.child_module(&v, line, m, path) else {
                    continue;
                };
                // An alternative whose cfg is off and whose file is not there is nothing rustc
                // would look for.
                if !compiled && !child.file.is_file() {
                    continue;
                }
                child.cfg_off |= !compiled || !self.cfg.holds_all(&v.package, &m.cfgs);
                if facts.in_test_code(m.span) {
                    child.dev = true;
                    child.public = false;
                }
                self.follow(scope, &v, child);
            }
        }
        if too_deep > 0 {
            self.problem(
                &v,
                &v.file,
                None,
                UnscannedKind::TooDeep,
                format!("{too_deep} module declaration(s) nested more than {MAX_INLINE_DEPTH} inline modules deep: not followed"),
            );
        }
        for inc in &facts.includes {
            if let Some(child) = self.included(&v, &text, inc) {
                scope.spawn(move |s| self.walk(s, child));
            }
        }
        let keep_text = matches!(v.wanted, Wanted::All | Wanted::BuildScript);
        if let Ok(mut out) = self.out.lock() {
            out.push(Walked {
                package: v.package,
                wanted: v.wanted,
                file: v.file,
                kind: v.kind,
                bin: v.bin,
                module: v.module,
                mod_dir: v.mod_dir,
                public: v.public,
                dev: v.dev,
                facts,
                text: keep_text.then_some(text),
                included: v.included,
                cfg_off: v.cfg_off,
            });
        }
    }

    /// Walk `child`, a module declared in `parent`: now, unless its cfg is off where the
    /// parent's is not (then after the compiled modules, `walk_off`).
    fn follow<'s>(self, scope: &rayon::Scope<'s>, parent: &Visit, child: Visit)
    where
        'a: 's,
    {
        if child.cfg_off && !parent.cfg_off {
            if let Ok(mut off) = self.off.lock() {
                off.push(child);
            }
            return;
        }
        scope.spawn(move |s| self.walk(s, child));
    }

    /// Walk the cfg-off modules met so far (and what they declare), and say whether there
    /// were any; one visit per file, the first by module path, so that what is read does not
    /// depend on the thread count.
    fn walk_off(self) -> bool {
        let mut off = match self.off.lock() {
            Ok(mut o) if !o.is_empty() => std::mem::take(&mut *o),
            _ => return false,
        };
        off.sort_by(|a, b| (&a.file, &a.module).cmp(&(&b.file, &b.module)));
        off.dedup_by(|b, a| a.file == b.file);
        rayon::scope(|s| {
            for v in off {
                s.spawn(move |s| self.walk(s, v));
            }
        });
        true
    }

    /// Follow the declarations of target `r` that waited for the rest of its tree: module
    /// templates (`mod de;` in a `macro_rules!` body) from each file that invokes the macro,
    /// as if declared there (serde_core's `crate_root!()`, invoked in `lib.rs`, declares its
    /// `de`, `ser` and `private` modules); declarations inside `cfg_*!` wrappers from their
    /// own file, once the crate's wrappers are read.
    fn expand_templates(self, r: &Root) {
        for _ in 0..MAX_TEMPLATE_ROUNDS {
            let templates = match self.templates.lock() {
                Ok(mut t) if !t.is_empty() => std::mem::take(&mut *t),
                _ => return,
            };
            let (gated, templates): (Vec<Template>, Vec<Template>) = templates
                .into_iter()
                .partition(|t| t.decl.in_macro.is_none());
            let mut invokers = self.invokers(r, &templates);
            invokers.extend(self.declarers(r, &gated));
            let macros = (!gated.is_empty()).then(|| self.cfg_macros_of(&r.package));
            let macros = macros.as_ref();
            rayon::scope(|s| {
                for (v, t) in &invokers {
                    let m = &t.decl;
                    if !self.cfg.compiled(&v.package, &m.cfgs) {
                        continue;
                    }
                    let gates_hold =
                        macros.is_none_or(|c| c.hold(self.cfg, &v.package, &m.macro_gates));
                    if !gates_hold && !self.cfg.is_member(&v.package) {
                        continue;
                    }
                    for (path, compiled) in self.module_files(v, m) {
                        let Some(mut child) = self.child_module(v, t.line, m, path) else {
                            continue;
                        };
                        if !compiled && !child.file.is_file() {
                            continue;
                        }
                        child.declared_at = Some((t.file.clone(), t.line));
                        child.cfg_off |=
                            !compiled || !gates_hold || !self.cfg.holds_all(&v.package, &m.cfgs);
                        self.follow(s, v, child);
                    }
                }
            });
        }
    }

    /// The walked files of target `r` that invoke the macro of one of `templates`, each with
    /// the template it expands.
    fn invokers<'t>(&self, r: &Root, templates: &'t [Template]) -> Vec<(Visit, &'t Template)> {
        let Ok(out) = self.out.lock() else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for w in out.iter().filter(|w| w.of_target(r) && !w.dev) {
            for t in templates {
                let Some(name) = &t.decl.in_macro else {
                    continue;
                };
                if w.facts.macro_invocations.binary_search(name).is_ok() {
                    found.push((walked_visit(w, r), t));
                }
            }
        }
        found
    }

    /// The walked files of target `r` that hold the declarations of `gated`, each with its
    /// declaration.
    fn declarers<'t>(&self, r: &Root, gated: &'t [Template]) -> Vec<(Visit, &'t Template)> {
        let Ok(out) = self.out.lock() else {
            return Vec::new();
        };
        gated
            .iter()
            .filter_map(|t| {
                let w = out.iter().find(|w| w.of_target(r) && w.file == t.file)?;
                Some((walked_visit(w, r), t))
            })
            .collect()
    }

    /// The `cfg_*` wrapper macros of `package`'s files walked so far.
    fn cfg_macros_of(&self, package: &PackageId) -> CfgMacros {
        let Ok(out) = self.out.lock() else {
            return CfgMacros::default();
        };
        CfgMacros::of(
            out.iter()
                .filter(|w| w.package == *package)
                .map(|w| &w.facts),
        )
    }

    /// The file of `include!("path")` in `v`: compiled in place, as part of the same module;
    /// rustc resolves the path from the directory of the file holding the `include!`.
    fn included(&self, v: &Visit, text: &str, inc: &architect_source::Include) -> Option<Visit> {
        let line = line_of(text.as_bytes(), inc.span.start);
        if inc.invalid {
            self.problem(
                v,
                &v.file,
                Some(line),
                UnscannedKind::NoFile,
                format!(
                    "`include!(\"{}\")` is a literal rustc rejects: nothing is included",
                    inc.path
                ),
            );
            return None;
        }
        let here = v.file.parent().unwrap_or(Path::new(""));
        let file = here.join(&inc.path);
        if !file.exists() {
            self.problem(
                v,
                &v.file,
                Some(line),
                UnscannedKind::NoFile,
                format!(
                    "`include!(\"{}\")` names no file: rustc would refuse the crate",
                    inc.path
                ),
            );
            return None;
        }
        let mut child = v.child(file, v.mod_dir.clone(), v.public, v.module.clone(), line);
        child.included = true;
        Some(child)
    }

    /// The files to read for module `m` of `v`, each with whether the build compiles it:
    /// `#[path]`, else the first `#[cfg_attr(PRED, path = ..)]` whose PRED holds, else the
    /// default file (`None`); and a member's other `cfg_attr` paths, not compiled.
    fn module_files<'m>(
        &self,
        v: &Visit,
        m: &'m architect_source::ModDecl,
    ) -> Vec<(Option<&'m str>, bool)> {
        let holds = |pred: &String| self.cfg.holds_all(&v.package, std::slice::from_ref(pred));
        let chosen = m.path_attr.as_deref().or_else(|| {
            m.cfg_paths
                .iter()
                .find(|(pred, _)| holds(pred))
                .map(|(_, file)| file.as_str())
        });
        let mut out = vec![(chosen, true)];
        if self.cfg.is_member(&v.package) {
            out.extend(
                m.cfg_paths
                    .iter()
                    .filter(|(pred, file)| !holds(pred) && chosen != Some(file.as_str()))
                    .map(|(_, file)| (Some(file.as_str()), false)),
            );
        }
        out
    }

    /// Where rustc finds the file of `mod m;` declared in `v`: `path` (relative to `v`'s file,
    /// as `#[path]` is) when given, else the default file; `None` (recorded) without one.
    fn child_module(
        &self,
        v: &Visit,
        line: usize,
        m: &architect_source::ModDecl,
        path: Option<&str>,
    ) -> Option<Visit> {
        let here = v.file.parent().unwrap_or(Path::new(""));
        let nested: PathBuf = m.inline_parents.iter().map(|(n, _)| n.as_str()).collect();
        let public =
            v.public && m.is_pub && !m.doc_hidden && m.inline_parents.iter().all(|(_, p)| *p);
        if m.path_attr_invalid {
            self.problem(
                v,
                &v.file,
                Some(line),
                UnscannedKind::NoFile,
                format!(
                    "module `{}` has a `#[path]` literal rustc rejects (`{}`): no file is this module's",
                    m.name,
                    m.path_attr.as_deref().unwrap_or("")
                ),
            );
            return None;
        }
        let (file, dir) = match path {
            Some(p) => {
                let base = if m.inline_parents.is_empty() {
                    here.to_path_buf()
                } else {
                    v.mod_dir.join(&nested)
                };
                let child = base.join(p);
                let dir = child.parent().unwrap_or(Path::new("")).to_path_buf();
                (child, dir)
            }
            None => {
                let base = v.mod_dir.join(&nested);
                let flat = base.join(format!("{}.rs", m.name));
                let dir_mod = base.join(&m.name).join("mod.rs");
                if flat.exists() {
                    (flat, base.join(&m.name))
                } else if dir_mod.exists() {
                    let d = dir_mod.parent().unwrap_or(Path::new("")).to_path_buf();
                    (dir_mod, d)
                } else {
                    self.problem(
                        v,
                        &v.file,
                        Some(line),
                        UnscannedKind::NoFile,
                        format!(
                            "module `{}` has no file (looked for `{}` and `{}`); a cfg may exclude it, or it is generated",
                            m.name,
                            crate::relative(self.root, &flat),
                            crate::relative(self.root, &dir_mod)
                        ),
                    );
                    return None;
                }
            }
        };
        let module = std::iter::once(v.module.as_str())
            .chain(m.inline_parents.iter().map(|(n, _)| n.as_str()))
            .chain(std::iter::once(m.name.as_str()))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("::");
        Some(v.child(file, dir, public, module, line))
    }
}

/// The size of what a file compiles in the reviewed build: its metrics and code lines, less
/// its gated parts whose condition does not hold for `package`.
fn compiled_size(
    facts: &architect_source::FileFacts,
    macros: &CfgMacros,
    cfg: &crate::cfgs::CfgEval,
    package: &PackageId,
) -> (architect_source::Metrics, usize) {
    let (mut metrics, mut lines) = (facts.metrics, facts.code_lines);
    for part in &facts.gated {
        if !macros.hold(cfg, package, &part.gates) {
            metrics.sub(&part.metrics);
            lines = lines.saturating_sub(part.lines);
        }
    }
    (metrics, lines)
}

/// A package's `macro_rules! cfg_*` wrappers, by name: what their invocations' bodies are
/// compiled under.
#[derive(Default)]
struct CfgMacros(HashMap<String, architect_source::CfgMacroGate>);

/// Wrappers that go through other wrappers deeper than this are not resolved.
const MAX_CFG_MACRO_DEPTH: usize = 4;

impl CfgMacros {
    fn of<'f>(files: impl Iterator<Item = &'f architect_source::FileFacts>) -> CfgMacros {
        let mut map = HashMap::new();
        for f in files {
            for m in &f.cfg_macros {
                map.entry(m.name.clone()).or_insert_with(|| m.gate.clone());
            }
        }
        CfgMacros(map)
    }

    /// The `cfg(..)` a gate stands for; `None` when it cannot be told (a macro the crate
    /// does not define as a wrapper): such code counts as compiled.
    fn resolve(&self, gate: &architect_source::Gate) -> Option<String> {
        use architect_source::{CfgMacroGate, Gate};
        let (mut name, mut inner) = match gate {
            Gate::Cfg(p) => return Some(p.clone()),
            Gate::Macro { name, inner } => (name.clone(), inner.clone()),
        };
        for _ in 0..MAX_CFG_MACRO_DEPTH {
            match self.0.get(&name)? {
                CfgMacroGate::Cfg(p) => return Some(p.clone()),
                CfgMacroGate::Inner => return inner,
                CfgMacroGate::Via {
                    name: next,
                    inner: given,
                } => {
                    inner = given.clone().or(inner);
                    name = next.clone();
                }
            }
        }
        None
    }

    /// Whether every one of `gates` holds for `package` (those that cannot be told do).
    fn hold(
        &self,
        cfg: &crate::cfgs::CfgEval,
        package: &PackageId,
        gates: &[architect_source::Gate],
    ) -> bool {
        let preds: Vec<String> = gates.iter().filter_map(|g| self.resolve(g)).collect();
        cfg.holds_all(package, &preds)
    }
}

/// The visit that walked `w`, a file of target `r`'s tree.
fn walked_visit(w: &Walked, r: &Root) -> Visit {
    Visit {
        package: w.package.clone(),
        kind: w.kind,
        bin: w.bin.clone(),
        wanted: w.wanted,
        file: w.file.clone(),
        mod_dir: w.mod_dir.clone(),
        public: w.public,
        dev: w.dev,
        module: w.module.clone(),
        boundary: r.boundary.clone(),
        declared_at: None,
        included: w.included,
        cfg_off: w.cfg_off,
    }
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// Lines of code per workspace member, from the source pass.
pub(crate) fn lines_per_member(
    graph: &PackageGraph,
    facts: &SourceFacts,
) -> BTreeMap<PackageId, usize> {
    graph
        .workspace()
        .iter()
        .map(|p| {
            let lines = facts.packages.get(p.id()).map_or(0, |s| s.code_lines);
            (p.id().clone(), lines)
        })
        .collect()
}
