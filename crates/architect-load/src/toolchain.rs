//! Choosing the trusted toolchain: the one the user runs, never one the reviewed repository names.
//!
//! rustup picks a toolchain from `rust-toolchain(.toml)` in the current directory and its
//! parents, and that file may name a `path = "..."` toolchain: arbitrary binaries. So every
//! rustup call here runs in an empty directory of our own, and cargo and rustc are then invoked
//! by absolute path, bypassing the rustup proxies entirely.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::LoadError;

/// The cargo and rustc the review runs, resolved to absolute paths.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub cargo: PathBuf,
    pub rustc: PathBuf,
    /// The rustup toolchain name, when rustup chose it.
    pub rustup_name: Option<String>,
    /// `release:` of `rustc -vV`, e.g. `1.95.0`.
    pub release: Option<String>,
    /// `host:` of `rustc -vV`, e.g. `x86_64-unknown-linux-gnu`.
    pub host: Option<String>,
    /// Toolchains rustup has installed.
    pub installed: Vec<String>,
    /// What was decided and why, for `-v`.
    pub notes: Vec<String>,
}

/// A directory of our own, empty, for running rustup and cargo outside the reviewed tree.
pub(crate) fn neutral_dir() -> Result<tempfile::TempDir, LoadError> {
    tempfile::Builder::new()
        .prefix("cargo-architect-")
        .tempdir()
        .map_err(|e| LoadError::Io {
            path: std::env::temp_dir().display().to_string(),
            cause: e.to_string(),
            help: "set TMPDIR to a writable directory".into(),
        })
}

fn run(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Resolve the trusted toolchain for reviewing the workspace at `workspace_root`.
pub fn resolve(workspace_root: &Path) -> Result<Toolchain, LoadError> {
    let neutral = neutral_dir()?;
    let mut notes = Vec::new();

    // A RUSTUP_TOOLCHAIN inherited from the environment is the user's choice, unless it points
    // into the reviewed tree: that happens when `cargo architect` itself was started inside the
    // repository through a rustup proxy that honoured its `path =` toolchain.
    let inherited = std::env::var("RUSTUP_TOOLCHAIN").ok();
    let trusted_env = inherited.filter(|t| {
        let inside = Path::new(t).is_absolute() && Path::new(t).starts_with(workspace_root);
        if inside {
            notes.push(format!(
                "ignored RUSTUP_TOOLCHAIN={t}: it points inside the reviewed workspace"
            ));
        }
        !inside
    });
    let rustup = |args: &[&str]| {
        let mut cmd = Command::new("rustup");
        cmd.args(args).current_dir(neutral.path());
        match &trusted_env {
            Some(t) => cmd.env("RUSTUP_TOOLCHAIN", t),
            None => cmd.env_remove("RUSTUP_TOOLCHAIN"),
        };
        run(&mut cmd)
    };

    let rustup_cargo = rustup(&["which", "cargo"]).map(PathBuf::from);
    let (cargo, rustc, rustup_name) = match rustup_cargo {
        Some(cargo) => {
            let rustc = rustup(&["which", "rustc"])
                .map(PathBuf::from)
                .unwrap_or_else(|| cargo.with_file_name("rustc"));
            let name = rustup(&["show", "active-toolchain"])
                .and_then(|s| s.split_whitespace().next().map(str::to_string));
            (cargo, rustc, name)
        }
        None => {
            notes.push("rustup not found: using cargo and rustc from PATH".into());
            let cargo = which("cargo").ok_or_else(|| LoadError::Toolchain {
                cause: "neither rustup nor cargo was found on PATH".into(),
            })?;
            let rustc = Some(cargo.with_file_name("rustc"))
                .filter(|p| p.exists())
                .or_else(|| which("rustc"))
                .ok_or_else(|| LoadError::Toolchain {
                    cause: "rustc was not found on PATH".into(),
                })?;
            (cargo, rustc, None)
        }
    };
    if let Some(name) = &rustup_name {
        notes.push(format!("trusted toolchain: {name} ({})", cargo.display()));
    }

    let vv = run(Command::new(&rustc).arg("-vV").current_dir(neutral.path())).unwrap_or_default();
    let field = |key: &str| {
        vv.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    let installed = rustup(&["toolchain", "list"])
        .map(|s| {
            s.lines()
                .filter_map(|l| l.split_whitespace().next())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();

    Ok(Toolchain {
        release: field("release:"),
        host: field("host:"),
        cargo,
        rustc,
        rustup_name,
        installed,
        notes,
    })
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}
