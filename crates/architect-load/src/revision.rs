//! Writing a git revision of a repository into a temporary directory, for `cargo architect
//! diff`, so that nothing from the repository runs.
//!
//! The tree is read from the repository's objects with the trusted `git` binary's plumbing only:
//! `rev-parse`, `ls-tree` and one `cat-file --batch`, never `checkout`, `worktree`, `archive` or
//! `show`. So no hook, filter driver (smudge), `.gitattributes`, textconv, fsmonitor or pager of
//! the repository runs, and every git command is hardened on top (see `git` below): no fsmonitor,
//! no hooks, no transport (so no lazy fetch of a partial clone), no prompt, no optional lock, no
//! replace object. The files are then written by this process, under rules of its own:
//! - regular files and executables are written with their bytes as stored (no filter, no
//!   end-of-line conversion); submodules are not written; symlinks are recreated only when
//!   their targets stay inside the tree; files over [`MAX_FILE`] are not written; what is not
//!   written is reported in [`Materialized::notes`];
//! - a tree entry whose path is absolute or has an empty, `.`, `..` or `.git` component, or
//!   that appears twice or under another entry, fails the whole revision: git never produces
//!   such a tree, and writing it could leave the directory;
//! - a revision writing more than [`MAX_TOTAL`] in all fails before anything is written.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

/// Files larger than this are not written (each with a note).
pub const MAX_FILE: u64 = 64 << 20;
/// The most a revision may write in all; beyond, [`materialize`] fails.
pub const MAX_TOTAL: u64 = 2 << 30;
/// A symlink's target is a path: a longer "target" is not one (Linux's `PATH_MAX`).
const MAX_LINK_TARGET: u64 = 4096;
/// How many symlinks a path may go through, as Linux allows (`ELOOP` beyond).
const MAX_LINK_HOPS: usize = 40;
/// How many names a note lists before "and N more".
const LISTED: usize = 10;
/// What the environment may say about a repository: the repository is the one at `repo`.
const REPOSITORY_VARS: [&str; 4] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
];

/// A git revision written to a temporary directory.
#[derive(Debug)]
pub struct Materialized {
    /// The directory holding the revision's tree (removed on drop).
    pub dir: tempfile::TempDir,
    /// The full commit id the revision named.
    pub commit: String,
    /// What was not written, one line each for the review's notes (submodules, symlinks that
    /// leave the tree, files over the size limit), aggregated: e.g. "2 submodules not written
    /// (a checkout without --recurse-submodules has none either): vendor/x, vendor/y". Empty
    /// when everything was written.
    pub notes: Vec<String>,
}

/// Why a revision could not be written. Each names what failed; [`RevisionError::help`] says
/// what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevisionError {
    /// The `git` binary could not be started.
    #[error("could not run `git`: {cause}")]
    GitUnavailable { cause: io::Error },
    /// `dir` is in no git repository git will read.
    #[error("`{}` is not in a git repository: {message}", .dir.display())]
    NotARepository { dir: PathBuf, message: String },
    /// The revision was refused before git saw it.
    #[error("revision `{rev}` is refused: {reason}")]
    RefusedRevision { rev: String, reason: &'static str },
    /// git does not know the revision, or it names no commit.
    #[error("unknown revision `{rev}`: {message}")]
    UnknownRevision { rev: String, message: String },
    /// A git command failed on a revision it had resolved (a missing object, say).
    #[error("`git {command}` failed: {message}")]
    Git {
        command: &'static str,
        message: String,
    },
    /// The revision's tree has an entry that could be written outside the directory.
    #[error("revision {commit} has a tree entry with an unsafe path `{path}`: {reason}")]
    UnsafePath {
        commit: String,
        path: String,
        reason: &'static str,
    },
    /// A file or directory could not be written.
    #[error("could not write `{}`: {cause}", .path.display())]
    Write { path: PathBuf, cause: io::Error },
    /// The revision's files are larger than [`MAX_TOTAL`] in all.
    #[error(
        "revision {commit} holds {} of files, more than the {} a revision may write to a temporary directory",
        amount(*.total),
        amount(*.limit)
    )]
    TooLarge {
        commit: String,
        total: u64,
        limit: u64,
    },
}

impl RevisionError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            RevisionError::GitUnavailable { .. } => {
                "install git and put it on PATH, or pass --base-dir DIR with a checkout of the revision".into()
            }
            RevisionError::NotARepository { message, .. } if message.contains("dubious ownership") => {
                "git refuses a repository another user owns: run as its owner, or pass --base-dir DIR with a checkout of the revision".into()
            }
            RevisionError::NotARepository { .. } => {
                "run in a git repository's work tree, or pass --base-dir DIR with a checkout of the revision".into()
            }
            RevisionError::RefusedRevision { .. } => {
                "name a branch, tag or commit id (`HEAD~1`, `v1.2.0`, `origin/main`)".into()
            }
            RevisionError::UnknownRevision { rev, .. } => format!(
                "check that `{rev}` names a commit (`git rev-parse --verify '{rev}^{{commit}}'`); fetch the revision first (`git fetch origin main`), or pass --base-dir DIR with a checkout"
            ),
            RevisionError::Git { .. } => {
                "check the repository with `git fsck`; a partial or shallow clone may lack the revision's objects: fetch them, or pass --base-dir DIR with a checkout".into()
            }
            RevisionError::UnsafePath { .. } => {
                "git itself refuses to check out such a tree (`git fsck` reports it): review a revision without it".into()
            }
            RevisionError::Write { .. } => {
                "check the space and permissions of the temporary directory (set TMPDIR to another), or pass --base-dir DIR with a checkout".into()
            }
            RevisionError::TooLarge { .. } => {
                "pass --base-dir DIR with a checkout of the revision".into()
            }
        }
    }
}

/// The top directory of the git repository holding `dir` (`git rev-parse --show-toplevel`),
/// with git hardened as [`materialize`] runs it.
pub fn repository_root(dir: &Path) -> Result<PathBuf, RevisionError> {
    let out = run(git(dir).args(["rev-parse", "--show-toplevel"]))?;
    let not_a_repository = |message: String| RevisionError::NotARepository {
        dir: dir.to_path_buf(),
        message,
    };
    if !out.status.success() {
        return Err(not_a_repository(git_message(&out.stderr)));
    }
    let mut top = out.stdout;
    while top.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        top.pop();
    }
    if top.is_empty() {
        return Err(not_a_repository("it has no work tree".into()));
    }
    Ok(os_path(top))
}

/// Writes the tree of `rev` (any revision git understands: `HEAD~1`, a tag, a commit id,
/// `origin/main`) of the repository at `repo` into a new temporary directory.
///
/// Guarantees: nothing from the repository runs (only `git rev-parse`, `ls-tree` and
/// `cat-file --batch`, hardened, read it); a `rev` starting with `-` is refused before git
/// runs; files hold their blobs' bytes unfiltered, with the executable bit of mode 100755 on
/// unix; nothing is written outside the directory (unsafe tree paths fail the revision;
/// symlinks leading outside, submodules and files over [`MAX_FILE`] are left out, with
/// notes); at most [`MAX_TOTAL`] is written.
pub fn materialize(repo: &Path, rev: &str) -> Result<Materialized, RevisionError> {
    materialize_within(
        repo,
        rev,
        Limits {
            file: MAX_FILE,
            total: MAX_TOTAL,
            keep: |_| true,
        },
    )
}

/// [`materialize`], writing only the files a review reads ([`read_by_review`]): on a large
/// repository most files are tests' data, documentation and assets, and writing them costs
/// more than the review (deno: 14,300 files, 72 MB; 1,700 of them read).
pub fn materialize_for_review(repo: &Path, rev: &str) -> Result<Materialized, RevisionError> {
    materialize_within(
        repo,
        rev,
        Limits {
            file: MAX_FILE,
            total: MAX_TOTAL,
            keep: read_by_review,
        },
    )
}

/// Whether a review reads the file at `path` (from the top of the tree, `/`-separated):
/// Rust sources (module trees, build scripts and what they `include!`), the C and C++ sources
/// and `configure` scripts whose sizes estimate a native build, manifests and
/// lockfiles, cargo's and rustup's files (`.cargo/`, `rust-toolchain`), the review's and the
/// supply-chain tools' configuration (`architect.toml`, `deny.toml`, `audit.toml`,
/// `supply-chain/`, `.config/hakari.toml`), and the CI files searched for those tools
/// (`repo::CI_GLOBS`), wherever the workspace sits in the tree. Cargo itself reads no other
/// file to resolve a workspace. A review of such a tree is byte-identical to the review of the
/// checkout (`docs/benchmarks.md`, the diff's section).
pub fn read_by_review(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let under =
        |dir: &str| path.starts_with(&format!("{dir}/")) || path.contains(&format!("/{dir}/"));
    let native = name
        .rsplit_once('.')
        .is_some_and(|(_, x)| crate::sources::NATIVE_EXTENSIONS.contains(&x));
    name.ends_with(".rs")
        || native
        || matches!(
            name,
            "configure"
                | "Configure"
                | "Cargo.toml"
                | "Cargo.lock"
                | "rust-toolchain"
                | "rust-toolchain.toml"
                | "architect.toml"
                | "deny.toml"
                | ".deny.toml"
                | "audit.toml"
        )
        || [".cargo", ".config", ".guppy", "supply-chain"]
            .iter()
            .any(|d| under(d))
        || crate::repo::CI_GLOBS
            .iter()
            .any(|g| path == *g || path.ends_with(&format!("/{g}")) || under(g))
}

/// The size limits of a revision's files.
#[derive(Debug, Clone, Copy)]
struct Limits {
    file: u64,
    total: u64,
    /// Which paths to write; the others are left out without a note.
    keep: fn(&str) -> bool,
}

fn materialize_within(
    repo: &Path,
    rev: &str,
    limits: Limits,
) -> Result<Materialized, RevisionError> {
    let commit = resolve_commit(repo, rev)?;
    let entries = list_tree(repo, &commit)?;
    check_tree(&entries, &commit)?;
    let mut first = plan(&entries, limits, &commit, &|e| (limits.keep)(&e.name()))?;
    let dir = tempfile::Builder::new()
        .prefix("cargo-architect-rev-")
        .tempdir()
        .map_err(|cause| RevisionError::Write {
            path: std::env::temp_dir(),
            cause,
        })?;
    let mut notes = write_plan(repo, dir.path(), &mut first)?;
    // Cargo also reads the sources a cargo config replaces crates.io with (`cargo vendor`'s
    // directory, a local registry) when they are in the tree: written whole.
    let sources = replaced_sources(dir.path());
    if !sources.is_empty() {
        let wanted =
            |e: &Entry| !(limits.keep)(&e.name()) && sources.iter().any(|d| e.path.starts_with(d));
        let mut second = plan(&entries, limits, &commit, &wanted)?;
        notes.extend(write_plan(repo, dir.path(), &mut second)?);
    }
    // An empty `.git` marks the top of the repository, as in a checkout: the loader looks for
    // cargo and rustup files up to it and no further (`scope.rs`). It is no repository: git
    // refuses it, and nothing is read from it.
    let marker = dir.path().join(".git");
    std::fs::create_dir(&marker).map_err(|cause| RevisionError::Write {
        path: marker,
        cause,
    })?;
    Ok(Materialized { dir, commit, notes })
}

/// Writes a plan's files and symlinks; the notes of what it left out.
fn write_plan(repo: &Path, root: &Path, plan: &mut Plan<'_>) -> Result<Vec<String>, RevisionError> {
    let targets = write_blobs(repo, root, plan)?;
    write_links(root, &plan.links, &targets, &mut plan.skipped)?;
    Ok(plan.skipped.notes())
}

/// The directories, as tree paths ending in `/`, that the written cargo configs
/// (`.cargo/config`, `.cargo/config.toml`) name as `directory` or `local-registry` sources,
/// resolved as cargo does against the directory holding `.cargo/`; those outside the tree are
/// not the revision's.
fn replaced_sources(root: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .build();
    for e in walk.filter_map(Result::ok) {
        let path = e.path();
        let in_cargo_dir = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == ".cargo");
        let name = e.file_name();
        if !(in_cargo_dir && (name == "config" || name == "config.toml")) {
            continue;
        }
        let Ok(text) = crate::read::read_text(path, crate::read::TOML_LIMIT) else {
            continue;
        };
        let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
            continue;
        };
        let base = path.parent().and_then(Path::parent).unwrap_or(root);
        let Some(sources) = doc.get("source").and_then(|s| s.as_table_like()) else {
            continue;
        };
        for (_, source) in sources.iter() {
            for key in ["directory", "local-registry"] {
                let Some(dir) = source.get(key).and_then(|v| v.as_str()) else {
                    continue;
                };
                if let Some(rel) = tree_path(root, &base.join(dir)) {
                    out.push(rel);
                }
            }
        }
    }
    out
}

/// `path` as a tree path under `root` ending in `/`, `..` and `.` resolved lexically; `None`
/// outside the tree.
fn tree_path(root: &Path, path: &Path) -> Option<Vec<u8>> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!("{}/", parts.join("/")).into_bytes())
}

/// `git -C repo`, hardened: no pager, fsmonitor, hook or transport (so no lazy fetch of a
/// partial clone either), no prompt, no optional lock, no replace object, messages in
/// English (they are matched), stdin null, and the repository the one at `repo` whatever the
/// environment says.
fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--no-pager")
        .arg("-C")
        .arg(repo)
        .args(["-c", "core.fsmonitor=false"])
        .args(["-c", "core.hooksPath=/dev/null"])
        .args(["-c", "protocol.allow=never"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    for var in REPOSITORY_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd` to completion.
fn run(cmd: &mut Command) -> Result<Output, RevisionError> {
    cmd.output()
        .map_err(|cause| RevisionError::GitUnavailable { cause })
}

/// git's one-line message: its first `fatal:` or `error:` line, else its first line.
fn git_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.clone().next();
    lines
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or(first)
        .unwrap_or("git printed no message")
        .to_owned()
}

/// Whether git's message says it found no repository to read.
fn no_repository(message: &str) -> bool {
    [
        "not a git repository",
        "cannot change to",
        "dubious ownership",
        "must be run in a work tree",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// A path from git's bytes.
fn os_path(bytes: Vec<u8>) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Refuses what git could take for something else than a revision.
fn refuse(rev: &str) -> Result<(), RevisionError> {
    let reason = if rev.starts_with('-') {
        "it starts with `-`, which git would take for an option"
    } else if rev.is_empty() {
        "it is empty"
    } else if rev.contains('\0') {
        "it contains a NUL byte"
    } else {
        return Ok(());
    };
    Err(RevisionError::RefusedRevision {
        rev: rev.to_owned(),
        reason,
    })
}

/// The full id of the commit `rev` names (`git rev-parse --verify`).
fn resolve_commit(repo: &Path, rev: &str) -> Result<String, RevisionError> {
    refuse(rev)?;
    let out = run(git(repo)
        .args(["rev-parse", "--verify", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}")))?;
    if !out.status.success() {
        let message = git_message(&out.stderr);
        return Err(if no_repository(&message) {
            RevisionError::NotARepository {
                dir: repo.to_path_buf(),
                message,
            }
        } else {
            RevisionError::UnknownRevision {
                rev: rev.to_owned(),
                message,
            }
        });
    }
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RevisionError::Git {
            command: "rev-parse",
            message: format!("it printed `{id}` for `{rev}`, not a commit id"),
        });
    }
    Ok(id)
}

/// What a tree entry is, from its mode and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File { executable: bool },
    Link,
    Submodule,
    Unknown,
}

/// One entry of `git ls-tree -r -l`.
#[derive(Debug)]
struct Entry {
    kind: Kind,
    mode: String,
    oid: String,
    /// The blob's size; 0 for a submodule.
    size: u64,
    /// The object is not in the repository (a partial clone's, fetched on demand, which the
    /// plumbing here never does): `ls-tree` gives its size as `BAD` or `-`.
    missing: bool,
    /// The path from the top of the tree, `/`-separated, as git stores it.
    path: Vec<u8>,
}

impl Entry {
    fn name(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }

    /// Where it is written under `root`.
    fn under(&self, root: &Path) -> PathBuf {
        root.join(os_path(self.path.clone()))
    }
}

/// Every entry of the commit's tree, recursively (`git ls-tree -r -z --full-tree -l`).
fn list_tree(repo: &Path, commit: &str) -> Result<Vec<Entry>, RevisionError> {
    let out = run(git(repo)
        .args(["ls-tree", "-r", "-z", "--full-tree", "-l"])
        .arg(commit))?;
    if !out.status.success() {
        return Err(RevisionError::Git {
            command: "ls-tree",
            message: git_message(&out.stderr),
        });
    }
    out.stdout
        .split(|b| *b == 0)
        .filter(|record| !record.is_empty())
        .map(parse_entry)
        .collect()
}

/// `<mode> SP <type> SP <oid> SP <size> TAB <path>`, the size right-aligned with spaces.
fn parse_entry(record: &[u8]) -> Result<Entry, RevisionError> {
    let malformed = || RevisionError::Git {
        command: "ls-tree",
        message: format!(
            "unexpected output `{}`",
            String::from_utf8_lossy(record).escape_debug()
        ),
    };
    let tab = record
        .iter()
        .position(|b| *b == b'\t')
        .ok_or_else(malformed)?;
    let meta = std::str::from_utf8(&record[..tab]).map_err(|_| malformed())?;
    let fields: Vec<&str> = meta.split_ascii_whitespace().collect();
    let [mode, kind, oid, size] = fields[..] else {
        return Err(malformed());
    };
    if oid.is_empty() || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let kind = match (mode, kind) {
        ("100644", "blob") => Kind::File { executable: false },
        ("100755", "blob") => Kind::File { executable: true },
        ("120000", "blob") => Kind::Link,
        ("160000", "commit") => Kind::Submodule,
        _ => Kind::Unknown,
    };
    let missing = matches!(kind, Kind::File { .. } | Kind::Link) && matches!(size, "BAD" | "-");
    let size = match (kind, size) {
        (Kind::Submodule | Kind::Unknown, "-") => 0,
        _ if missing => 0,
        _ => size.parse().map_err(|_| malformed())?,
    };
    Ok(Entry {
        kind,
        mode: mode.to_owned(),
        oid: oid.to_owned(),
        size,
        missing,
        path: record[tab + 1..].to_vec(),
    })
}

/// Fails on an entry that could be written outside the directory or over another one.
fn check_tree(entries: &[Entry], commit: &str) -> Result<(), RevisionError> {
    let unsafe_path = |entry: &Entry, reason| RevisionError::UnsafePath {
        commit: commit.to_owned(),
        path: entry.name(),
        reason,
    };
    let mut seen = HashSet::with_capacity(entries.len());
    for entry in entries {
        check_path(&entry.path).map_err(|reason| unsafe_path(entry, reason))?;
        if !seen.insert(entry.path.as_slice()) {
            return Err(unsafe_path(entry, "it appears twice"));
        }
    }
    for entry in entries {
        let path = &entry.path;
        let under_another = (0..path.len()).any(|i| path[i] == b'/' && seen.contains(&path[..i]));
        if under_another {
            return Err(unsafe_path(
                entry,
                "it lies under another entry, which is not a directory",
            ));
        }
    }
    Ok(())
}

/// Why a tree path is unsafe to write: absolute, with an empty, `.`, `..` or `.git` component
/// (in any case), or (on Windows) with a name Windows reads otherwise.
fn check_path(path: &[u8]) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("it is empty");
    }
    if path[0] == b'/' {
        return Err("it is absolute");
    }
    for part in path.split(|b| *b == b'/') {
        match part {
            b"" => return Err("it has an empty component"),
            b"." => return Err("it has a `.` component"),
            b".." => return Err("it has a `..` component"),
            _ if part.eq_ignore_ascii_case(b".git") => return Err("it has a `.git` component"),
            _ => check_windows_name(part)?,
        }
    }
    Ok(())
}

/// Names Windows would read as another path: a drive or stream (`:`), a separator (`\`),
/// `.git` with trailing dots or spaces, its short name `git~1`; and non-UTF-8 names.
#[cfg(windows)]
fn check_windows_name(part: &[u8]) -> Result<(), &'static str> {
    let trimmed = part
        .iter()
        .rposition(|b| !matches!(b, b'.' | b' '))
        .map_or(&part[..0], |end| &part[..=end]);
    if part.iter().any(|b| matches!(b, b'\\' | b':')) {
        Err("it has a `\\` or `:`, which Windows reads as a separator, drive or stream")
    } else if trimmed.eq_ignore_ascii_case(b".git") || part.eq_ignore_ascii_case(b"git~1") {
        Err("it has a component Windows reads as `.git`")
    } else if std::str::from_utf8(part).is_err() {
        Err("it is not UTF-8")
    } else {
        Ok(())
    }
}

#[cfg(not(windows))]
fn check_windows_name(_part: &[u8]) -> Result<(), &'static str> {
    Ok(())
}

/// What is written, and what is not.
#[derive(Debug)]
struct Plan<'a> {
    files: Vec<&'a Entry>,
    links: Vec<&'a Entry>,
    skipped: Skipped,
}

/// Sorts the entries into files and symlinks to write and those left out; fails when the
/// files to write exceed `limits.total`.
fn plan<'a>(
    entries: &'a [Entry],
    limits: Limits,
    commit: &str,
    keep: &dyn Fn(&Entry) -> bool,
) -> Result<Plan<'a>, RevisionError> {
    let mut plan = Plan {
        files: Vec::new(),
        links: Vec::new(),
        skipped: Skipped {
            file_limit: limits.file,
            ..Skipped::default()
        },
    };
    let mut total = 0u64;
    for entry in entries.iter().filter(|e| keep(e)) {
        let skipped = &mut plan.skipped;
        let writes = match entry.kind {
            _ if entry.missing => {
                skipped.missing.push(entry.name());
                false
            }
            Kind::File { .. } if entry.size > limits.file => {
                skipped
                    .large
                    .push(format!("{} ({})", entry.name(), amount(entry.size)));
                false
            }
            Kind::Link if entry.size > MAX_LINK_TARGET => {
                let target = format!("{} (a target of {})", entry.name(), amount(entry.size));
                skipped.links.push(target);
                false
            }
            Kind::File { .. } => {
                plan.files.push(entry);
                true
            }
            Kind::Link => {
                plan.links.push(entry);
                true
            }
            Kind::Submodule => {
                skipped.submodules.push(entry.name());
                false
            }
            Kind::Unknown => {
                skipped
                    .unknown
                    .push(format!("{} (mode {})", entry.name(), entry.mode));
                false
            }
        };
        if writes {
            total = total.saturating_add(entry.size);
        }
    }
    if total > limits.total {
        return Err(RevisionError::TooLarge {
            commit: commit.to_owned(),
            total,
            limit: limits.total,
        });
    }
    Ok(plan)
}

/// Writes the plan's files from one `git cat-file --batch`; returns its symlinks' targets, in
/// order.
fn write_blobs(
    repo: &Path,
    root: &Path,
    plan: &mut Plan<'_>,
) -> Result<Vec<Vec<u8>>, RevisionError> {
    let wanted: Vec<(&str, u64)> = plan
        .files
        .iter()
        .chain(&plan.links)
        .map(|e| (e.oid.as_str(), e.size))
        .collect();
    let files = &plan.files;
    let clashes = &mut plan.skipped.clashes;
    let mut targets = Vec::with_capacity(plan.links.len());
    cat_blobs(repo, &wanted, &mut |i, body| match files.get(i) {
        Some(entry) => {
            if !write_file(root, entry, body)? {
                clashes.push(entry.name());
            }
            Ok(())
        }
        None => {
            let mut target = Vec::new();
            body.read_to_end(&mut target)
                .map_err(|e| cat_file_error(&e))?;
            targets.push(target);
            Ok(())
        }
    })?;
    Ok(targets)
}

/// Streams the blobs `wanted` (id, size) out of one `git cat-file --batch`, handing `take`
/// each one's index and a reader of its bytes, in order. The ids are written from a thread
/// and git's messages read from another, so neither pipe can fill and stall git.
fn cat_blobs(
    repo: &Path,
    wanted: &[(&str, u64)],
    take: &mut dyn FnMut(usize, &mut dyn Read) -> Result<(), RevisionError>,
) -> Result<(), RevisionError> {
    if wanted.is_empty() {
        return Ok(());
    }
    let mut child = git(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|cause| RevisionError::GitUnavailable { cause })?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || send_ids(stdin, wanted));
        let messages = scope.spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            text
        });
        let read = read_blobs(BufReader::new(stdout), wanted, take);
        if read.is_err() {
            // Its output is no longer read: stop it rather than wait for it.
            let _ = child.kill();
        }
        let status = child.wait();
        let _ = writer.join();
        let messages = messages.join().unwrap_or_default();
        cat_file_outcome(read, status, &messages)
    })
}

/// Writes one id a line to `cat-file --batch`, then closes its input.
fn send_ids(stdin: std::process::ChildStdin, wanted: &[(&str, u64)]) -> io::Result<()> {
    let mut input = io::BufWriter::new(stdin);
    for (oid, _) in wanted {
        writeln!(input, "{oid}")?;
    }
    input.flush()
}

/// Reads `<oid> blob <size>\n<bytes>\n` for each of `wanted`, handing the bytes to `take`.
fn read_blobs(
    mut out: impl BufRead,
    wanted: &[(&str, u64)],
    take: &mut dyn FnMut(usize, &mut dyn Read) -> Result<(), RevisionError>,
) -> Result<(), RevisionError> {
    let mut header = Vec::new();
    for (i, &(oid, size)) in wanted.iter().enumerate() {
        header.clear();
        out.read_until(b'\n', &mut header)
            .map_err(|e| cat_file_error(&e))?;
        blob_header(&header, oid, size).map_err(|message| RevisionError::Git {
            command: "cat-file --batch",
            message,
        })?;
        let mut body = (&mut out).take(size);
        take(i, &mut body)?;
        io::copy(&mut body, &mut io::sink()).map_err(|e| cat_file_error(&e))?;
        let short = body.limit() != 0;
        let mut newline = [0u8];
        if short || out.read_exact(&mut newline).is_err() || newline != *b"\n" {
            return Err(RevisionError::Git {
                command: "cat-file --batch",
                message: format!("its output ended within blob {oid}"),
            });
        }
    }
    Ok(())
}

/// Checks the header `cat-file --batch` printed for `oid`: a blob of `size` bytes.
fn blob_header(header: &[u8], oid: &str, size: u64) -> Result<(), String> {
    let line = String::from_utf8_lossy(header);
    let Some(line) = line.strip_suffix('\n') else {
        return Err(format!("its output ended before blob {oid}"));
    };
    let fields: Vec<&str> = line.split(' ').collect();
    match fields[..] {
        [id, "blob", n] if id == oid && n.parse() == Ok(size) => Ok(()),
        [_, "missing"] => Err(format!("object {oid} is missing from the repository")),
        _ => Err(format!(
            "it answered `{}` for blob {oid} of {size} bytes",
            line.escape_debug()
        )),
    }
}

fn cat_file_error(e: &io::Error) -> RevisionError {
    RevisionError::Git {
        command: "cat-file --batch",
        message: format!("could not read its output: {e}"),
    }
}

/// The outcome of `cat-file --batch`: the reading's error with git's own message, or git's
/// exit status.
fn cat_file_outcome(
    read: Result<(), RevisionError>,
    status: io::Result<ExitStatus>,
    stderr: &[u8],
) -> Result<(), RevisionError> {
    let said = || git_message(stderr);
    match read {
        Err(RevisionError::Git { command, message }) if !stderr.is_empty() => {
            Err(RevisionError::Git {
                command,
                message: format!("{message} ({})", said()),
            })
        }
        Err(e) => Err(e),
        Ok(()) if status.as_ref().is_ok_and(ExitStatus::success) => Ok(()),
        Ok(()) => Err(RevisionError::Git {
            command: "cat-file --batch",
            message: said(),
        }),
    }
}

/// Writes `entry`'s bytes from `body` to a new file under `root`, executable for mode 100755
/// on unix. `Ok(false)` when its name clashes with another entry's on a file system that
/// ignores case (the directory is new and the tree's paths unique, so nothing else can).
fn write_file(root: &Path, entry: &Entry, body: &mut dyn Read) -> Result<bool, RevisionError> {
    let path = entry.under(root);
    let failed = |cause| RevisionError::Write {
        path: path.clone(),
        cause,
    };
    if !make_parent(&path).map_err(failed)? {
        return Ok(false);
    }
    let mut file = match File::create_new(&path) {
        Err(e) if clash(&e) => return Ok(false),
        file => file.map_err(failed)?,
    };
    io::copy(body, &mut file).map_err(failed)?;
    if entry.kind == (Kind::File { executable: true }) {
        make_executable(&file).map_err(failed)?;
    }
    Ok(true)
}

/// Creates `path`'s parent directories; `Ok(false)` on a clash of names.
fn make_parent(path: &Path) -> io::Result<bool> {
    match path.parent().map(fs::create_dir_all) {
        Some(Err(e)) if clash(&e) => Ok(false),
        Some(Err(e)) => Err(e),
        _ => Ok(true),
    }
}

/// Whether the error is a name taken already, in a directory that was empty.
fn clash(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory
    )
}

/// Adds the executable bits matching the readable ones, as git does.
#[cfg(unix)]
fn make_executable(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = file.metadata()?.permissions();
    let mode = permissions.mode();
    permissions.set_mode(mode | ((mode & 0o444) >> 2));
    file.set_permissions(permissions)
}

#[cfg(not(unix))]
fn make_executable(_file: &File) -> io::Result<()> {
    Ok(())
}

/// The tree's symlinks by path, ASCII-lowercased as a file system that ignores case finds
/// them (which only makes the check stricter where case matters).
type LinkModel<'a> = HashMap<Vec<u8>, &'a [u8]>;

/// Recreates the symlinks whose targets stay inside the tree; notes the others.
fn write_links(
    root: &Path,
    links: &[&Entry],
    targets: &[Vec<u8>],
    skipped: &mut Skipped,
) -> Result<(), RevisionError> {
    let model: LinkModel<'_> = links
        .iter()
        .zip(targets)
        .map(|(e, t)| (e.path.to_ascii_lowercase(), t.as_slice()))
        .collect();
    let mut inside = Vec::new();
    for (&entry, target) in links.iter().zip(targets) {
        if stays_inside(&model, &entry.path, target) {
            inside.push((entry, target.as_slice()));
        } else {
            skipped.links.push(link_name(entry, target));
        }
    }
    create_links(root, &inside, skipped)
}

fn link_name(entry: &Entry, target: &[u8]) -> String {
    format!("{} -> {}", entry.name(), String::from_utf8_lossy(target))
}

/// Whether the symlink at `link` with `target` leads inside the tree: the target is relative,
/// and resolved against the link's directory, following the tree's other symlinks as the
/// operating system would (a `..` after a symlink goes up from where it leads), never goes
/// above the top, within [`MAX_LINK_HOPS`] symlinks.
fn stays_inside(model: &LinkModel<'_>, link: &[u8], target: &[u8]) -> bool {
    let mut at: Vec<&[u8]> = link.split(|b| *b == b'/').collect();
    at.pop();
    let mut pending: Vec<&[u8]> = Vec::new();
    if !push_target(&mut pending, target) {
        return false;
    }
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part {
            b"" | b"." => {}
            b".." => {
                if at.pop().is_none() {
                    return false;
                }
            }
            name => {
                at.push(name);
                if let Some(next) = model.get(&at.join(&b'/').to_ascii_lowercase()) {
                    hops += 1;
                    at.pop();
                    if hops > MAX_LINK_HOPS || !push_target(&mut pending, next) {
                        return false;
                    }
                }
            }
        }
    }
    true
}

/// Queues a target's components, first on top; `false` when it is not a relative path.
fn push_target<'a>(pending: &mut Vec<&'a [u8]>, target: &'a [u8]) -> bool {
    let windows_drive = cfg!(windows) && target.iter().any(|b| matches!(b, b'\\' | b':'));
    let not_a_path = target.first().is_none_or(|b| *b == b'/') || target.contains(&0);
    if not_a_path || windows_drive {
        return false;
    }
    pending.extend(target.split(|b| *b == b'/').rev());
    true
}

/// Creates the symlinks, parents first so that none is created through another; then removes,
/// with a note, any the operating system resolves outside the tree after all (on a file system
/// that folds names in ways the model does not).
#[cfg(unix)]
fn create_links(
    root: &Path,
    links: &[(&Entry, &[u8])],
    skipped: &mut Skipped,
) -> Result<(), RevisionError> {
    use std::os::unix::ffi::OsStrExt;
    let failed = |path: &Path, cause| RevisionError::Write {
        path: path.to_path_buf(),
        cause,
    };
    let mut placed = Vec::with_capacity(links.len());
    for &(entry, target) in links {
        let path = entry.under(root);
        if make_parent(&path).map_err(|e| failed(&path, e))? {
            placed.push((entry, target, path));
        } else {
            skipped.clashes.push(entry.name());
        }
    }
    let mut made = Vec::with_capacity(placed.len());
    for (entry, target, path) in placed {
        match std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(target), &path) {
            Err(e) if clash(&e) => skipped.clashes.push(entry.name()),
            Err(e) => return Err(failed(&path, e)),
            Ok(()) => made.push((entry, target, path)),
        }
    }
    let top = fs::canonicalize(root).map_err(|e| failed(root, e))?;
    for (entry, target, path) in made {
        if fs::canonicalize(&path).is_ok_and(|real| !real.starts_with(&top)) {
            fs::remove_file(&path).map_err(|e| failed(&path, e))?;
            skipped.links.push(link_name(entry, target));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_links(
    _root: &Path,
    links: &[(&Entry, &[u8])],
    skipped: &mut Skipped,
) -> Result<(), RevisionError> {
    skipped
        .unsupported_links
        .extend(links.iter().map(|(entry, _)| entry.name()));
    Ok(())
}

/// What was not written, by reason.
#[derive(Debug, Default)]
struct Skipped {
    /// The size over which a file is not written.
    file_limit: u64,
    submodules: Vec<String>,
    links: Vec<String>,
    unsupported_links: Vec<String>,
    large: Vec<String>,
    clashes: Vec<String>,
    unknown: Vec<String>,
    missing: Vec<String>,
}

impl Skipped {
    fn notes(&self) -> Vec<String> {
        [
            note(
                ("submodule", "submodules"),
                "a checkout without --recurse-submodules has none either",
                &self.submodules,
            ),
            note(
                ("symlink", "symlinks"),
                "their targets leave the tree, loop or are not paths",
                &self.links,
            ),
            note(
                ("symlink", "symlinks"),
                "symlinks are only recreated on unix",
                &self.unsupported_links,
            ),
            note(
                ("file", "files"),
                &format!("over the limit of {} for one file", amount(self.file_limit)),
                &self.large,
            ),
            note(
                ("file", "files"),
                "their names clash with another's on this file system, which ignores case",
                &self.clashes,
            ),
            note(
                ("entry", "entries"),
                "of a kind git does not write to a work tree",
                &self.unknown,
            ),
            note(
                ("file", "files"),
                "their objects are not in the repository, as in a partial clone: fetch them to \
                 review what they hold",
                &self.missing,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// "N things not written (why): a, b, c".
fn note(noun: (&str, &str), why: &str, names: &[String]) -> Option<String> {
    let noun = match names.len() {
        0 => return None,
        1 => noun.0,
        _ => noun.1,
    };
    let mut listed = names[..names.len().min(LISTED)].join(", ");
    if names.len() > LISTED {
        listed.push_str(&format!(" and {} more", names.len() - LISTED));
    }
    Some(format!(
        "{} {noun} not written ({why}): {listed}",
        names.len()
    ))
}

/// A size for people: whole MiB (rounded up) from 1 MiB, else bytes.
fn amount(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= MIB {
        format!("{} MiB", bytes.div_ceil(MIB))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `git` cannot be run at all (the only reason to skip a test).
    fn git_missing() -> bool {
        let runs = Command::new("git")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !runs {
            eprintln!("skipped: `git` cannot be run");
        }
        !runs
    }

    /// A git repository in a temporary directory, with git's user and system configuration
    /// shut out of the commands that build it.
    struct TestRepo {
        tmp: tempfile::TempDir,
        path: PathBuf,
    }

    impl TestRepo {
        /// A new repository, or `None` with a printed reason when git cannot be run.
        fn or_skip() -> Option<TestRepo> {
            (!git_missing()).then(TestRepo::new)
        }

        fn new() -> TestRepo {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("repo");
            fs::create_dir(&path).unwrap();
            fs::write(tmp.path().join("global.gitconfig"), "").unwrap();
            let repo = TestRepo { tmp, path };
            repo.git(&["init", "-q"]);
            repo
        }

        /// Runs git in the repository; its trimmed output. Panics when it fails.
        fn git(&self, args: &[&str]) -> String {
            let mut cmd = Command::new("git");
            cmd.arg("-C")
                .arg(&self.path)
                .args(["-c", "user.name=Architect Test"])
                .args(["-c", "user.email=test@example.invalid"])
                .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
                .args(["-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"])
                .args(args)
                .env(
                    "GIT_CONFIG_GLOBAL",
                    self.tmp.path().join("global.gitconfig"),
                )
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .stdin(Stdio::null());
            for var in REPOSITORY_VARS {
                cmd.env_remove(var);
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        }

        fn write(&self, rel: &str, contents: &str) {
            let path = self.path.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }

        /// Stores `contents` as a blob; its id.
        fn blob(&self, contents: &str) -> String {
            let file = self.tmp.path().join("blob");
            fs::write(&file, contents).unwrap();
            self.git(&["hash-object", "-w", file.to_str().unwrap()])
        }

        /// Adds an entry of `mode` to the index without touching the work tree.
        fn add_entry(&self, mode: &str, oid: &str, path: &str) {
            let info = format!("{mode},{oid},{path}");
            self.git(&["update-index", "--add", "--cacheinfo", &info]);
        }

        fn commit(&self, message: &str) -> String {
            self.git(&["commit", "-q", "--no-verify", "-m", message]);
            self.git(&["rev-parse", "HEAD"])
        }

        fn marker(&self, name: &str) -> PathBuf {
            self.tmp.path().join(name)
        }
    }

    fn read(m: &Materialized, rel: &str) -> String {
        fs::read_to_string(m.dir.path().join(rel)).unwrap()
    }

    #[test]
    fn revision_writes_each_commit_as_stored() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("a.txt", "one\n");
        repo.write("sub/dir/b.rs", "fn main() {}\n");
        repo.write("run.sh", "#!/bin/sh\necho hi\n");
        repo.write("gone.txt", "bye\n");
        repo.git(&["add", "-A"]);
        repo.git(&["update-index", "--chmod=+x", "run.sh"]);
        let first = repo.commit("first");
        repo.write("a.txt", "two\n");
        repo.git(&["add", "a.txt"]);
        repo.git(&["rm", "-q", "gone.txt"]);
        let second = repo.commit("second");

        let base = materialize(&repo.path, "HEAD~1").unwrap();
        assert_eq!(base.commit, first);
        assert_eq!(read(&base, "a.txt"), "one\n");
        assert_eq!(read(&base, "gone.txt"), "bye\n");
        assert_eq!(read(&base, "sub/dir/b.rs"), "fn main() {}\n");
        assert_eq!(read(&base, "run.sh"), "#!/bin/sh\necho hi\n");
        assert!(base.notes.is_empty(), "{:?}", base.notes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |rel: &str| {
                let meta = fs::metadata(base.dir.path().join(rel)).unwrap();
                meta.permissions().mode()
            };
            assert_eq!(mode("run.sh") & 0o100, 0o100, "run.sh is executable");
            assert_eq!(mode("a.txt") & 0o111, 0, "a.txt is not executable");
        }

        let head = materialize(&repo.path, "HEAD").unwrap();
        assert_eq!(head.commit, second);
        assert_eq!(read(&head, "a.txt"), "two\n");
        assert_eq!(read(&head, "sub/dir/b.rs"), "fn main() {}\n");
        assert!(!head.dir.path().join("gone.txt").exists());
        // The top is marked with an empty `.git` directory, which holds nothing of the repository.
        let marker = head.dir.path().join(".git");
        assert!(marker.is_dir());
        assert_eq!(std::fs::read_dir(&marker).unwrap().count(), 0);
        // A commit id and a branch name name the same tree.
        let by_id = materialize(&repo.path, &first[..12]).unwrap();
        assert_eq!(by_id.commit, first);
        assert_eq!(read(&by_id, "a.txt"), "one\n");
    }

    #[test]
    fn revision_runs_nothing_from_a_hostile_repository() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write(".gitattributes", "* filter=evil\n");
        repo.write("data.txt", "raw bytes\r\n");
        repo.git(&["add", "-A"]);
        repo.commit("bait");
        let [smudged, monitored, hooked] =
            ["smudged", "monitored", "hooked"].map(|m| repo.marker(m));
        let touch = |marker: &Path| format!("touch '{}'", marker.display());
        let smudge = format!("cat >/dev/null; {}; echo filtered", touch(&smudged));
        repo.git(&["config", "filter.evil.smudge", &smudge]);
        let hook = repo.path.join(".git/hooks/post-checkout");
        fs::create_dir_all(hook.parent().unwrap()).unwrap();
        fs::write(&hook, format!("#!/bin/sh\n{}\n", touch(&hooked))).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
        }
        // Last: from here on, any git command that reads the index runs it.
        let fsmonitor = format!("{};:", touch(&monitored));
        repo.git(&["config", "core.fsmonitor", &fsmonitor]);

        let m = materialize(&repo.path, "HEAD").unwrap();
        for marker in [&smudged, &monitored, &hooked] {
            assert!(!marker.exists(), "{} ran", marker.display());
        }
        assert_eq!(read(&m, "data.txt"), "raw bytes\r\n");
        assert_eq!(read(&m, ".gitattributes"), "* filter=evil\n");
        assert!(repository_root(&repo.path).is_ok());
        assert!(!monitored.exists(), "the fsmonitor ran for --show-toplevel");

        // The control: git's porcelain runs all three.
        repo.git(&["status", "--short"]);
        fs::remove_file(repo.path.join("data.txt")).unwrap();
        repo.git(&["checkout", "--", "data.txt"]);
        repo.git(&["checkout", "-q", "-b", "other"]);
        for marker in [&smudged, &monitored, &hooked] {
            assert!(
                marker.exists(),
                "the control did not run {}",
                marker.display()
            );
        }
    }

    #[test]
    fn revision_recreates_only_symlinks_that_stay_inside() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("top.txt", "top\n");
        repo.write("sub/target.txt", "target\n");
        repo.git(&["add", "-A"]);
        let first = repo.commit("files");
        let links = [
            ("inner", "sub/target.txt"),
            ("sub/up", "../top.txt"),
            ("sub/root", ".."),
            ("sub/out", "../../outside"),
            ("abs", "/etc/passwd"),
            // Lexically `sub/escape`, but `sub/root` is the top: `..` from it leaves the tree.
            ("chain", "sub/root/../escape"),
            ("loop", "loop"),
        ];
        for (path, target) in links {
            repo.add_entry("120000", &repo.blob(target), path);
        }
        repo.add_entry("160000", &first, "vendor/x");
        repo.add_entry("160000", &first, "vendor/y");
        repo.commit("links");

        let m = materialize(&repo.path, "HEAD").unwrap();
        let root = m.dir.path();
        let left_out = ["sub/out", "abs", "chain", "loop", "vendor/x", "vendor/y"];
        for rel in left_out {
            assert!(
                fs::symlink_metadata(root.join(rel)).is_err(),
                "{rel} written"
            );
        }
        assert_eq!(
            m.notes[0],
            "2 submodules not written (a checkout without --recurse-submodules has none either): vendor/x, vendor/y"
        );
        #[cfg(unix)]
        {
            assert_eq!(m.notes.len(), 2, "{:?}", m.notes);
            assert!(
                m.notes[1].starts_with("4 symlinks not written ("),
                "{:?}",
                m.notes
            );
            for link in [
                "sub/out -> ../../outside",
                "abs -> /etc/passwd",
                "chain -> ",
                "loop -> loop",
            ] {
                assert!(m.notes[1].contains(link), "{link} in {:?}", m.notes);
            }
            let target = |rel: &str| fs::read_link(root.join(rel)).unwrap();
            assert_eq!(target("inner"), Path::new("sub/target.txt"));
            assert_eq!(target("sub/up"), Path::new("../top.txt"));
            assert_eq!(target("sub/root"), Path::new(".."));
            assert_eq!(read(&m, "inner"), "target\n");
            assert_eq!(read(&m, "sub/up"), "top\n");
        }
    }

    #[test]
    fn revision_errors_name_what_failed() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("a.txt", "a\n");
        repo.git(&["add", "-A"]);
        repo.commit("a");

        match materialize(&repo.path, "no-such-branch") {
            Err(e @ RevisionError::UnknownRevision { .. }) => {
                let RevisionError::UnknownRevision { rev, message } = &e else {
                    unreachable!()
                };
                assert_eq!(rev, "no-such-branch");
                assert!(!message.is_empty());
                assert!(e.to_string().contains("no-such-branch"), "{e}");
                assert!(e.help().contains("git fetch"), "{}", e.help());
            }
            other => panic!("{other:?}"),
        }
        // A tree is no commit.
        let tree = format!("{}^{{tree}}", repo.git(&["rev-parse", "HEAD"]));
        assert!(matches!(
            materialize(&repo.path, &tree),
            Err(RevisionError::UnknownRevision { .. })
        ));

        // Refused before git runs: in a directory that is no repository, git would say so.
        let empty = tempfile::tempdir().unwrap();
        for rev in ["--output=x", "-h", ""] {
            match materialize(empty.path(), rev) {
                Err(RevisionError::RefusedRevision { rev: refused, .. }) => {
                    assert_eq!(refused, rev)
                }
                other => panic!("{rev}: {other:?}"),
            }
        }

        for dir in [empty.path().to_path_buf(), empty.path().join("missing")] {
            match materialize(&dir, "HEAD") {
                Err(e @ RevisionError::NotARepository { .. }) => {
                    assert!(e.to_string().contains(&dir.display().to_string()), "{e}");
                }
                other => panic!("{}: {other:?}", dir.display()),
            }
            assert!(matches!(
                repository_root(&dir),
                Err(RevisionError::NotARepository { .. })
            ));
        }
    }

    #[test]
    fn revision_root_of_a_subdirectory_is_the_top() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("sub/dir/a.txt", "a\n");
        let top = repository_root(&repo.path.join("sub/dir")).unwrap();
        assert_eq!(
            fs::canonicalize(top).unwrap(),
            fs::canonicalize(&repo.path).unwrap()
        );
    }

    #[test]
    fn revision_refuses_a_tree_with_unsafe_paths() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("a.txt", "a\n");
        repo.git(&["add", "-A"]);
        repo.commit("a");
        let blob = repo.blob("payload\n");
        for (name, reason) in [("..", "`..`"), (".GIT", "`.git`"), (".", "`.`")] {
            // A tree `x` holding the blob, under a tree named `name`: `ls-tree -r` shows
            // `name/x`. `git mktree` checks no names; `git fsck` would report these.
            let mktree = |entry: String| {
                let input = repo.tmp.path().join("tree");
                fs::write(&input, entry).unwrap();
                let out = Command::new("git")
                    .arg("-C")
                    .arg(&repo.path)
                    .args(["mktree", "-z"])
                    .stdin(File::open(&input).unwrap())
                    .output()
                    .unwrap();
                assert!(out.status.success());
                String::from_utf8(out.stdout).unwrap().trim().to_owned()
            };
            let inner = mktree(format!("100644 blob {blob}\tx\0"));
            let outer = mktree(format!("040000 tree {inner}\t{name}\0"));
            let commit = repo.git(&["commit-tree", &outer, "-m", "hostile"]);
            match materialize(&repo.path, &commit) {
                Err(e @ RevisionError::UnsafePath { .. }) => {
                    assert!(e.to_string().contains(&format!("`{name}/x`")), "{e}");
                    assert!(e.to_string().contains(reason), "{e}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn revision_missing_blob_is_noted_not_fetched() {
        // A partial clone's tree names blobs it does not hold; the review goes on without
        // them and says so (a lazy fetch would reach the network).
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("kept.txt", "here\n");
        repo.git(&["add", "-A"]);
        let absent = "0123456789abcdef0123456789abcdef01234567";
        repo.git(&[
            "update-index",
            "--add",
            "--info-only",
            "--cacheinfo",
            &format!("100644,{absent},lost.txt"),
        ]);
        let tree = repo.git(&["write-tree", "--missing-ok"]);
        let commit = repo.git(&["commit-tree", &tree, "-m", "lost"]);
        let m = materialize(&repo.path, &commit).unwrap();
        assert_eq!(read(&m, "kept.txt"), "here\n");
        assert!(!m.dir.path().join("lost.txt").exists());
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(
            m.notes[0].starts_with("1 file not written (their objects are not in the repository")
                && m.notes[0].ends_with("lost.txt"),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn revision_streams_more_than_the_pipes_hold() {
        // 3000 ids (about 120 KiB in) and 5 MiB out: more than a pipe holds either way.
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        for i in 0..3000 {
            repo.write(&format!("d{}/f{i}.txt", i % 30), &format!("file {i}\n"));
        }
        let big = "0123456789abcdef".repeat(5 << 16);
        repo.write("big.txt", &big);
        repo.git(&["add", "-A"]);
        repo.commit("many");
        let m = materialize(&repo.path, "HEAD").unwrap();
        assert_eq!(read(&m, "d7/f2977.txt"), "file 2977\n");
        assert_eq!(read(&m, "big.txt"), big);
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    #[test]
    fn revision_files_a_review_reads() {
        for read in [
            "src/lib.rs",
            "crates/a/build.rs",
            "Cargo.toml",
            "crates/a/Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            "ws/.cargo/config",
            "rust-toolchain",
            "rust-toolchain.toml",
            "architect.toml",
            "deny.toml",
            "supply-chain/config.toml",
            ".config/hakari.toml",
            ".github/workflows/ci.yml",
            "ws/.github/workflows/ci.yml",
            "Makefile",
            "ws/justfile",
            "ci/run.sh",
            "ext/node/ops/sqlite.c",
            "vendor/zlib/configure",
        ] {
            assert!(read_by_review(read), "{read}");
        }
        for skipped in [
            "README.md",
            "tests/data/big.json",
            "assets/logo.png",
            "cli/tsc/00_typescript.js",
            "docs/Cargo.toml.md",
            ".github/ISSUE_TEMPLATE/bug.md",
        ] {
            assert!(!read_by_review(skipped), "{skipped}");
        }
    }

    #[test]
    fn revision_for_review_keeps_the_sources_cargo_is_pointed_at() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write(
            ".cargo/config.toml",
            "[source.crates-io]\nreplace-with = \"v\"\n[source.v]\ndirectory = \"third/vendor\"\n\
             [source.out]\nlocal-registry = \"../../elsewhere\"\n",
        );
        repo.write("third/vendor/foo/.cargo-checksum.json", "{}\n");
        repo.write("third/vendor/foo/README.md", "vendored\n");
        repo.write("third/other/README.md", "not a source\n");
        repo.write("src/lib.rs", "pub fn f() {}\n");
        repo.write("docs/guide.md", "prose\n");
        repo.git(&["add", "-A"]);
        repo.commit("vendored");
        let m = materialize_for_review(&repo.path, "HEAD").unwrap();
        assert_eq!(read(&m, "src/lib.rs"), "pub fn f() {}\n");
        assert_eq!(read(&m, "third/vendor/foo/README.md"), "vendored\n");
        assert_eq!(read(&m, "third/vendor/foo/.cargo-checksum.json"), "{}\n");
        assert!(!m.dir.path().join("third/other/README.md").exists());
        assert!(!m.dir.path().join("docs/guide.md").exists());
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    #[test]
    fn revision_size_limits() {
        let Some(repo) = TestRepo::or_skip() else {
            return;
        };
        repo.write("small.txt", "small\n");
        repo.write("big.bin", &"x".repeat(100));
        repo.git(&["add", "-A"]);
        repo.commit("sizes");
        let limits = Limits {
            file: 50,
            total: 1000,
            keep: |_| true,
        };
        let m = materialize_within(&repo.path, "HEAD", limits).unwrap();
        assert_eq!(read(&m, "small.txt"), "small\n");
        assert!(!m.dir.path().join("big.bin").exists());
        assert_eq!(
            m.notes,
            ["1 file not written (over the limit of 50 bytes for one file): big.bin (100 bytes)"]
        );
        let limits = Limits {
            file: 1000,
            total: 50,
            keep: |_| true,
        };
        match materialize_within(&repo.path, "HEAD", limits) {
            Err(e @ RevisionError::TooLarge { .. }) => {
                assert!(e.to_string().contains("106 bytes"), "{e}");
                assert!(e.to_string().contains("50 bytes"), "{e}");
                assert!(e.help().contains("--base-dir"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn revision_paths_checked() {
        for ok in [
            "a",
            "a/b.rs",
            ".github/x",
            "a/.gitignore",
            "a/git",
            "..a/b",
            "a..",
        ] {
            assert_eq!(check_path(ok.as_bytes()), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/etc/x",
            "a//b",
            "a/",
            "./a",
            "a/./b",
            "../a",
            "a/..",
            ".git/config",
            "a/.GiT/x",
        ] {
            assert!(check_path(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn revision_symlink_model_follows_links() {
        let model: LinkModel<'_> = [
            (b"sub/root".to_vec(), &b".."[..]),
            (b"sub/self".to_vec(), &b"."[..]),
            (b"a".to_vec(), &b"b"[..]),
            (b"b".to_vec(), &b"a"[..]),
        ]
        .into_iter()
        .collect();
        let inside =
            |link: &str, target: &str| stays_inside(&model, link.as_bytes(), target.as_bytes());
        assert!(inside("x", "sub/target"));
        assert!(inside("sub/x", "../top"));
        assert!(inside("sub/x", "./../sub/./y"));
        assert!(inside("sub/root", ".."));
        assert!(inside("x", "sub/self/../y"));
        assert!(!inside("sub/x", "../../out"));
        assert!(!inside("x", "/abs"));
        assert!(!inside("x", ""));
        assert!(!inside("x", "sub/root/../y"));
        assert!(!inside("x", "SUB/Root/../y"), "case-folding file systems");
        assert!(!inside("x", "a"), "a loop");
    }

    #[test]
    fn revision_notes_are_aggregated() {
        let names: Vec<String> = (0..12).map(|i| format!("n{i}")).collect();
        assert_eq!(note(("file", "files"), "why", &[]), None);
        assert_eq!(
            note(("file", "files"), "why", &names[..1]).unwrap(),
            "1 file not written (why): n0"
        );
        assert_eq!(
            note(("file", "files"), "why", &names).unwrap(),
            "12 files not written (why): n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 and 2 more"
        );
    }
}
