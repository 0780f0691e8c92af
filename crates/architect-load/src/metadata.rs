//! Running `cargo metadata` so that nothing from the reviewed repository executes.
//!
//! What `cargo metadata` would otherwise run, and how each is shut off:
//! - `rustc -vV` and `rustc --print cfg` go through `build.rustc`, `build.rustc-wrapper` and
//!   `build.rustc-workspace-wrapper`: `RUSTC` is set to the trusted rustc and both wrappers to the
//!   empty string, which cargo documents as "no wrapper".
//! - `[env]` of `.cargo/config.toml` is applied to those rustc calls (`LD_PRELOAD` would load a
//!   library from the repository), and credential providers and `net.git-fetch-with-cli` name
//!   programs too: cargo reads config from the *current directory* upward, not from
//!   `--manifest-path`, so cargo runs in an empty directory of ours and no repository config is
//!   read at all. Only source replacement (vendoring) is forwarded, as `--config` values.
//! - rustup would run the toolchain `rust-toolchain.toml` names: cargo and rustc are invoked by
//!   absolute path from the trusted toolchain (see [`crate::toolchain`]).
//! - Build scripts and proc-macros only run when building; `cargo metadata` never builds.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::toolchain::{Toolchain, neutral_dir};
use crate::{LoadError, LoadOptions};

/// Run `cargo metadata --all-features` for `manifest` and return its JSON.
///
/// `_checked` proves the manifests it will read were checked first ([`check_manifests`]).
pub fn cargo_metadata(
    toolchain: &Toolchain,
    manifest: &Path,
    options: &LoadOptions,
    forwarded_config: &[String],
    _checked: &Checked,
) -> Result<String, LoadError> {
    let neutral = neutral_dir()?;
    let mut cmd = Command::new(&toolchain.cargo);
    cmd.current_dir(neutral.path())
        .args(["metadata", "--format-version", "1", "--all-features"])
        .arg("--manifest-path")
        .arg(manifest)
        // Cargo would print "Updating crates.io index" and friends to our stderr otherwise.
        .arg("--quiet");
    if options.offline {
        cmd.arg("--offline");
    }
    if options.locked {
        cmd.arg("--locked");
    }
    if options.frozen {
        cmd.arg("--frozen");
    }
    for value in forwarded_config {
        cmd.arg("--config").arg(value);
    }
    cmd.env("RUSTC", &toolchain.rustc)
        .env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "")
        .env("CARGO_BUILD_RUSTC_WRAPPER", "")
        .env("CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER", "")
        .env("CARGO_NET_GIT_FETCH_WITH_CLI", "false")
        // One attempt at a fetch that fails, not cargo's retries with back-off (11 s on an
        // unreachable git host): the review reports it and what to do at once.
        .env("CARGO_NET_RETRY", "0")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    match &toolchain.rustup_name {
        Some(name) => cmd.env("RUSTUP_TOOLCHAIN", name),
        None => cmd.env_remove("RUSTUP_TOOLCHAIN"),
    };

    let limit = deadline();
    let out = output_within(&mut cmd, limit)
        .map_err(|e| LoadError::Toolchain {
            cause: format!("could not run {}: {e}", toolchain.cargo.display()),
        })?
        .map_err(|printed| LoadError::Metadata {
            manifest: manifest.display().to_string(),
            cause: format!(
                "`cargo metadata` did not finish within {} s and was stopped{}",
                limit.as_secs(),
                if printed.is_empty() {
                    String::new()
                } else {
                    format!("; it had printed:\n{printed}")
                }
            ),
            help: format!(
                "a manifest that is a FIFO, a git dependency that never answers, or another cargo holding the package cache lock makes cargo wait; check the workspace's path dependencies, or allow more time with {TIMEOUT_VAR}=SECONDS"
            ),
        })?;
    if !out.status.success() {
        let stderr = absolute_paths(String::from_utf8_lossy(&out.stderr).trim(), neutral.path());
        return Err(LoadError::Metadata {
            manifest: manifest.display().to_string(),
            help: metadata_help(&stderr, options, manifest),
            cause: stderr,
        });
    }
    String::from_utf8(out.stdout).map_err(|_| LoadError::Metadata {
        manifest: manifest.display().to_string(),
        cause: "cargo metadata printed output that is not UTF-8".into(),
        help: "save it with `cargo metadata --format-version 1 --all-features > meta.json` and review it with --metadata-path".into(),
    })
}

/// The environment variable that sets the deadline of `cargo metadata`, in seconds.
pub const TIMEOUT_VAR: &str = "CARGO_ARCHITECT_TIMEOUT";

/// How long `cargo metadata` may take: long enough to resolve a large workspace over a slow
/// network, short enough that a review never hangs.
fn deadline() -> Duration {
    let secs = std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// Run `cmd` and collect its output, or kill it after `limit` (`Err` with what it printed on
/// stderr until then).
fn output_within(cmd: &mut Command, limit: Duration) -> std::io::Result<Result<Output, String>> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Each pipe is drained on a thread of its own, so that neither fills and blocks cargo; a
    // grandchild that keeps a pipe open cannot hold the review either (`recv_timeout`).
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send(buf);
        });
        rx
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let collect = |rx: std::sync::mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default()
    };
    let Some(status) = child.wait_timeout(limit)? else {
        let _ = child.kill();
        let _ = child.wait();
        return Ok(Err(String::from_utf8_lossy(&collect(stderr))
            .trim()
            .to_string()));
    };
    Ok(Ok(Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    }))
}

/// What [`check_manifests`] found: the manifests are regular files, and these are the `.rs`
/// files under the workspace root (for [`crate::prescan`]).
#[derive(Debug)]
pub struct Checked {
    pub(crate) rust_files: Vec<PathBuf>,
}

/// cargo reads every member's and path dependency's `Cargo.toml`, and `Cargo.lock`, without a
/// size limit and without checking what they are: a FIFO makes it wait forever, a symlink to
/// `/dev/zero` makes it read until memory runs out. Refuse such a workspace before cargo runs.
/// Only directory entries are listed; `target/` and `.git/` are skipped.
pub fn check_manifests(dir: &Path) -> Result<Checked, LoadError> {
    let walk = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| matches!(n, "target" | ".git")))
        })
        .build();
    let mut rust_files = Vec::new();
    for entry in walk.filter_map(Result::ok) {
        let name = entry.file_name();
        if entry.file_type().is_some_and(|t| t.is_file())
            && Path::new(name).extension().is_some_and(|e| e == "rs")
        {
            rust_files.push(entry.into_path());
            continue;
        }
        if name != "Cargo.toml" && name != "Cargo.lock" {
            continue;
        }
        // Follows a symlink to what cargo would open.
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() {
            return Err(LoadError::Io {
                path: entry.path().display().to_string(),
                cause: "it is not a regular file (a FIFO, a device or a directory): cargo would hang or read without end".into(),
                help: "replace it with a regular file, then review again".into(),
            });
        }
    }
    Ok(Checked { rust_files })
}

/// cargo names files relative to its current directory, which is our empty temporary one
/// (`--> ../../home/me/ws/a/Cargo.toml:4:11`): make them absolute, so they name the user's file.
fn absolute_paths(stderr: &str, cwd: &Path) -> String {
    stderr
        .lines()
        .map(|line| {
            let Some(at) = line.find("--> ") else {
                return line.to_string();
            };
            let (head, rest) = line.split_at(at + "--> ".len());
            let path = rest.split(':').next().unwrap_or(rest);
            if path.is_empty() || Path::new(path).is_absolute() {
                return line.to_string();
            }
            let resolved = crate::scope::lexical(&cwd.join(path));
            format!("{head}{}{}", resolved.display(), &rest[path.len()..])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `Cargo.lock` of the workspace `manifest` belongs to: beside it, or beside the
/// manifest of the nearest directory above that declares `[workspace]` (where cargo looks).
pub(crate) fn lockfile_of(manifest: &Path) -> Option<std::path::PathBuf> {
    let mut dir = manifest.parent();
    while let Some(d) = dir {
        let lock = d.join("Cargo.lock");
        if lock.is_file() {
            return Some(lock);
        }
        let is_root = crate::read::read_text(&d.join("Cargo.toml"), crate::read::TOML_LIMIT)
            .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"));
        if is_root {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// What kind of failure cargo's error is, from what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A path dependency's manifest is missing.
    MissingPathDependency,
    /// `--locked` or `--frozen` and a lockfile that would change.
    StaleLockfile,
    /// A source (git, registry, a cached crate with `--offline`) could not be fetched.
    Fetch,
    /// A manifest cargo could not parse.
    Manifest,
    Other,
}

/// What cargo says when it cannot fetch a source: this list decides both the help printed
/// and whether the review goes on from the lockfile.
const FETCH_FAILURE: &[&str] = &[
    "failed to load source for dependency",
    "failed to get `",
    "Unable to update",
    "unable to update registry",
    "failed to fetch",
    "failed to clone",
    "can't checkout from",
    "Could not resolve host",
    "failed to download",
    "failed to query replaced source",
];

impl Failure {
    /// `locked`: `--locked` or `--frozen` was given, so "lock file" names a stale one.
    pub(crate) fn of(stderr: &str, locked: bool) -> Failure {
        let missing_path_dep = stderr.contains("failed to read `")
            && stderr.contains("Cargo.toml`")
            && stderr.contains("No such file or directory");
        // With `--offline`, a crate whose index entry is not cached is "not found".
        let offline_miss =
            stderr.contains("no matching package named") && stderr.contains("offline mode");
        if missing_path_dep {
            Failure::MissingPathDependency
        } else if stderr.contains("--locked") || stderr.contains("lock file") && locked {
            Failure::StaleLockfile
        } else if offline_miss || FETCH_FAILURE.iter().any(|n| stderr.contains(n)) {
            Failure::Fetch
        } else if stderr.contains("failed to parse manifest")
            || stderr.contains("TOML parse error")
            || stderr.contains("Cargo.toml:")
        {
            Failure::Manifest
        } else {
            Failure::Other
        }
    }
}

/// What to try, from what cargo said.
fn metadata_help(stderr: &str, options: &LoadOptions, manifest: &Path) -> String {
    match Failure::of(stderr, options.locked || options.frozen) {
        Failure::MissingPathDependency => "a path dependency's `Cargo.toml` is missing (cargo names it above): fix the `path` in the manifest, or check out what it points at (a git submodule?)".into(),
        Failure::StaleLockfile => "the lockfile is out of date: run `cargo update` (or drop --locked/--frozen) and review again".into(),
        Failure::Fetch if lockfile_of(manifest).is_none() => "there is no `Cargo.lock`, so nothing on disk says what the dependencies resolve to: run `cargo generate-lockfile` on a trusted machine that can reach every source, commit the lockfile, and review again".into(),
        Failure::Fetch if options.offline => "a dependency is not in the local cache: fetch it once with `cargo fetch`, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into(),
        Failure::Fetch => "a dependency could not be fetched: retry with --offline to use only what is cached, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into(),
        Failure::Manifest => "fix the manifest at the line cargo names above, then review again".into(),
        Failure::Other => "check that `cargo metadata` works in this workspace, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into(),
    }
}
