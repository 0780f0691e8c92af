//! The source pass: follow each target's module tree from its root file, as rustc would, and
//! scan every file reached, in parallel.
//!
//! Only files a module tree reaches are read: never `target/`, never `OUT_DIR`, never a stray
//! `.rs` file (those are counted instead). Workspace members get every scan; dependencies
//! (with `--deps`) only the module tree and the unsafe inventory, plus every scan of their build
//! scripts.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use architect_model::{FileStore, ScannedFile, SourceFacts, SourceFile, TargetKind, Unreadable};
use architect_source::{Wanted, analyze};
use guppy::PackageId;
use guppy::graph::{BuildTargetId, BuildTargetKind, PackageGraph, PackageMetadata};

/// Files over this size are not scanned (generated tables, not hand-written code).
const MAX_FILE: u64 = 8 << 20;

/// One target to walk: its root file and kind.
struct Root {
    package: PackageId,
    file: PathBuf,
    kind: TargetKind,
    wanted: Wanted,
}

/// What one walked file gives back.
struct Walked {
    package: PackageId,
    wanted: Wanted,
    file: PathBuf,
    kind: TargetKind,
    module: String,
    public: bool,
    facts: architect_source::FileFacts,
    text: Option<String>,
}

/// Scan the sources of `packages` (the built set); third-party ones only when `deps`.
pub(crate) fn scan(
    graph: &PackageGraph,
    packages: &BTreeSet<PackageId>,
    root: &Path,
    deps: bool,
    metrics: bool,
    files: &mut FileStore,
) -> SourceFacts {
    let mut roots = Vec::new();
    for id in packages {
        let Ok(p) = graph.metadata(id) else { continue };
        if !p.in_workspace() && !deps {
            continue;
        }
        roots.extend(target_roots(&p, metrics));
    }

    let out: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    let problems: Mutex<Vec<Unreadable>> = Mutex::new(Vec::new());
    let seen: Mutex<HashSet<(PackageId, PathBuf)>> = Mutex::new(HashSet::new());
    let bytes = std::sync::atomic::AtomicU64::new(0);
    rayon::scope(|s| {
        for r in &roots {
            let cx = WalkCx {
                out: &out,
                problems: &problems,
                seen: &seen,
                bytes: &bytes,
                root,
            };
            let parent_dir = r.file.parent().unwrap_or(Path::new("")).to_path_buf();
            s.spawn(move |s| {
                cx.walk(
                    s,
                    r.package.clone(),
                    r.kind,
                    r.wanted,
                    r.file.clone(),
                    parent_dir,
                    matches!(r.kind, TargetKind::Lib | TargetKind::ProcMacro),
                    String::new(),
                )
            });
        }
    });

    let mut walked = out.into_inner().unwrap_or_default();
    walked.sort_by(|a, b| (&a.package, &a.file).cmp(&(&b.package, &b.file)));
    let mut facts = SourceFacts {
        deps,
        files: walked.len(),
        bytes: bytes.into_inner(),
        ..SourceFacts::default()
    };
    let mut bin_sizes: BTreeMap<PackageId, architect_model::Metrics> = BTreeMap::new();
    for w in walked {
        let pkg_id = w.package.clone();
        let path = crate::relative(root, &w.file);
        if let Some(text) = w.text {
            files.add(SourceFile::new(path.clone(), text));
        }
        let pkg = facts.packages.entry(w.package).or_default();
        pkg.code_lines += w.facts.code_lines;
        // A package's size is its library's; a binary-only member's, its binaries'.
        if w.wanted != Wanted::ModsAndUnsafe {
            let sizes = bin_sizes.entry(pkg_id.clone()).or_default();
            match w.kind {
                TargetKind::Lib | TargetKind::ProcMacro => {
                    pkg.metrics.add(&w.facts.metrics);
                    pkg.measured = true;
                }
                TargetKind::Bin => sizes.add(&w.facts.metrics),
                _ => {}
            }
        }
        pkg.files.push(ScannedFile {
            path,
            target: w.kind,
            module: w.module,
            public: w.public,
            facts: w.facts,
        });
    }
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems.dedup();
    for (id, sizes) in bin_sizes {
        if let Some(pkg) = facts.packages.get_mut(&id)
            && !pkg.measured
            && pkg.files.iter().any(|f| f.target == TargetKind::Bin)
        {
            pkg.metrics = sizes;
            pkg.measured = true;
        }
    }
    // Stray `.rs` files of workspace members: present, but compiled by nothing.
    let member_dirs: Vec<PathBuf> = graph
        .workspace()
        .iter()
        .filter_map(|p| {
            p.manifest_path()
                .parent()
                .map(|d| d.as_std_path().to_path_buf())
        })
        .collect();
    for member in graph.workspace().iter() {
        if !packages.contains(member.id()) {
            continue;
        }
        let Some(dir) = member.manifest_path().parent() else {
            continue;
        };
        let dir = dir.as_std_path();
        // Files reached but unreadable are in the tree too: reported once, as unreadable.
        let in_tree: BTreeSet<String> = facts
            .packages
            .get(member.id())
            .map(|p| {
                p.files
                    .iter()
                    .map(|f| f.path.clone())
                    .collect::<BTreeSet<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .chain(
                problems
                    .iter()
                    .filter(|u| u.package == *member.id())
                    .map(|u| u.path.clone()),
            )
            .collect();
        let others: Vec<PathBuf> = member_dirs.iter().filter(|d| *d != dir).cloned().collect();
        let stray = ignore::WalkBuilder::new(dir)
            .filter_entry(move |e| {
                let p = e.path();
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && (p.file_name().is_some_and(|n| n == "target")
                        || others.iter().any(|o| o == p)))
            })
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
            .filter(|e| !in_tree.contains(&crate::relative(root, e.path())))
            .count();
        facts
            .packages
            .entry(member.id().clone())
            .or_default()
            .not_in_tree = stray;
    }
    if metrics {
        for id in packages {
            let Ok(p) = graph.metadata(id) else { continue };
            if (p.in_workspace() || deps) && builds_native(&p) {
                let dir = p.manifest_path().parent().map(|d| d.as_std_path());
                let bytes = dir.map_or(0, native_bytes);
                facts.packages.entry(id.clone()).or_default().native_bytes = bytes;
            }
        }
    }
    facts.unreadable = problems;
    facts
}

/// Whether a package's build script compiles native code: it has a `cc` or `cmake`
/// build-dependency.
fn builds_native(p: &PackageMetadata<'_>) -> bool {
    p.has_build_script()
        && p.direct_links()
            .any(|l| l.build().is_present() && matches!(l.to().name(), "cc" | "cmake"))
}

/// Bytes of C and C++ source files (`.c`, `.cc`, `.cpp`, `.cxx`) under `dir`, `target/` aside.
/// Only metadata is read.
fn native_bytes(dir: &Path) -> u64 {
    ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.path().file_name().is_some_and(|n| n == "target"))
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_some_and(|t| t.is_file())
                && e.path()
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x, "c" | "cc" | "cpp" | "cxx"))
        })
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The root files of a package's targets: every target of a workspace member; the library and
/// build script of a dependency (all that is compiled of it).
fn target_roots(p: &PackageMetadata<'_>, metrics: bool) -> Vec<Root> {
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
            wanted,
        });
    }
    out
}

#[derive(Clone, Copy)]
struct WalkCx<'a> {
    out: &'a Mutex<Vec<Walked>>,
    problems: &'a Mutex<Vec<Unreadable>>,
    seen: &'a Mutex<HashSet<(PackageId, PathBuf)>>,
    bytes: &'a std::sync::atomic::AtomicU64,
    root: &'a Path,
}

impl<'a> WalkCx<'a> {
    fn problem(&self, package: &PackageId, file: &Path, line: Option<usize>, reason: String) {
        if let Ok(mut p) = self.problems.lock() {
            p.push(Unreadable {
                path: crate::relative(self.root, file),
                line,
                reason,
                package: package.clone(),
            });
        }
    }

    /// Scan `file` (a module whose children live in `mod_dir`), then its children.
    #[allow(clippy::too_many_arguments)]
    fn walk<'s>(
        self,
        scope: &rayon::Scope<'s>,
        package: PackageId,
        kind: TargetKind,
        wanted: Wanted,
        file: PathBuf,
        mod_dir: PathBuf,
        public: bool,
        module: String,
    ) where
        'a: 's,
    {
        if file.components().any(|c| c.as_os_str() == "target") && file.starts_with(self.root) {
            return;
        }
        if let Ok(mut seen) = self.seen.lock()
            && !seen.insert((package.clone(), file.clone()))
        {
            return;
        }
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE {
            self.problem(
                &package,
                &file,
                None,
                format!("larger than {} MiB: not scanned", MAX_FILE >> 20),
            );
            return;
        }
        let text = match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let line = line_of(e.as_bytes(), e.utf8_error().valid_up_to());
                    self.problem(
                        &package,
                        &file,
                        Some(line),
                        "not UTF-8: rustc would reject it".into(),
                    );
                    return;
                }
            },
            Err(e) => {
                self.problem(&package, &file, None, format!("could not be read: {e}"));
                return;
            }
        };
        self.bytes
            .fetch_add(text.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let facts = analyze(&text, wanted);
        if let Some(at) = facts.lex_error {
            let line = line_of(text.as_bytes(), at);
            self.problem(
                &package,
                &file,
                Some(line),
                "does not lex: an unterminated comment or literal starts here".into(),
            );
        }
        for m in &facts.mods {
            let here = file.parent().unwrap_or(Path::new(""));
            let nested: PathBuf = m.inline_parents.iter().map(|(n, _)| n.as_str()).collect();
            let child_public = public && m.is_pub && m.inline_parents.iter().all(|(_, p)| *p);
            let (child, child_dir) = match &m.path_attr {
                Some(p) => {
                    let base = if m.inline_parents.is_empty() {
                        here.to_path_buf()
                    } else {
                        mod_dir.join(&nested)
                    };
                    let child = base.join(p);
                    let dir = child.parent().unwrap_or(Path::new("")).to_path_buf();
                    (child, dir)
                }
                None => {
                    let base = mod_dir.join(&nested);
                    let flat = base.join(format!("{}.rs", m.name));
                    let dir_mod = base.join(&m.name).join("mod.rs");
                    if flat.is_file() {
                        (flat, base.join(&m.name))
                    } else if dir_mod.is_file() {
                        let d = dir_mod.parent().unwrap_or(Path::new("")).to_path_buf();
                        (dir_mod, d)
                    } else {
                        let line = line_of(text.as_bytes(), m.span.start);
                        self.problem(
                            &package,
                            &file,
                            Some(line),
                            format!(
                                "module `{}` has no file (looked for `{}` and `{}`); a cfg may exclude it, or it is generated",
                                m.name,
                                crate::relative(self.root, &flat),
                                crate::relative(self.root, &dir_mod)
                            ),
                        );
                        continue;
                    }
                }
            };
            let package = package.clone();
            let child_module = std::iter::once(module.as_str())
                .chain(m.inline_parents.iter().map(|(n, _)| n.as_str()))
                .chain(std::iter::once(m.name.as_str()))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("::");
            scope.spawn(move |s| {
                self.walk(
                    s,
                    package,
                    kind,
                    wanted,
                    child,
                    child_dir,
                    child_public,
                    child_module,
                )
            });
        }
        let keep_text = matches!(wanted, Wanted::All | Wanted::BuildScript);
        if let Ok(mut out) = self.out.lock() {
            out.push(Walked {
                package,
                wanted,
                file,
                kind,
                module,
                public,
                facts,
                text: keep_text.then_some(text),
            });
        }
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
