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

use std::path::Path;
use std::process::Command;

use crate::toolchain::{Toolchain, neutral_dir};
use crate::{LoadError, LoadOptions};

/// Run `cargo metadata --all-features` for `manifest` and return its JSON.
pub fn cargo_metadata(
    toolchain: &Toolchain,
    manifest: &Path,
    options: &LoadOptions,
    forwarded_config: &[String],
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
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    match &toolchain.rustup_name {
        Some(name) => cmd.env("RUSTUP_TOOLCHAIN", name),
        None => cmd.env_remove("RUSTUP_TOOLCHAIN"),
    };

    let out = cmd.output().map_err(|e| LoadError::Toolchain {
        cause: format!("could not run {}: {e}", toolchain.cargo.display()),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(LoadError::Metadata {
            manifest: manifest.display().to_string(),
            help: metadata_help(&stderr, options),
            cause: stderr,
        });
    }
    String::from_utf8(out.stdout).map_err(|_| LoadError::Metadata {
        manifest: manifest.display().to_string(),
        cause: "cargo metadata printed output that is not UTF-8".into(),
        help: "save it with `cargo metadata --format-version 1 --all-features > meta.json` and review it with --metadata-path".into(),
    })
}

/// What to try, from what cargo said.
fn metadata_help(stderr: &str, options: &LoadOptions) -> String {
    let network = [
        "failed to load source for dependency",
        "failed to get `",
        "Unable to update",
        "failed to fetch",
        "Could not resolve host",
        "failed to download",
        "failed to query replaced source",
    ];
    if stderr.contains("--locked") || stderr.contains("lock file") && options.locked {
        "the lockfile is out of date: run `cargo update` (or drop --locked/--frozen) and review again".into()
    } else if network.iter().any(|n| stderr.contains(n)) {
        if options.offline {
            "a dependency is not in the local cache: fetch it once with `cargo fetch`, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into()
        } else {
            "a dependency could not be fetched: retry with --offline to use only what is cached, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into()
        }
    } else if stderr.contains("failed to parse manifest")
        || stderr.contains("TOML parse error")
        || stderr.contains("Cargo.toml:")
    {
        "fix the manifest at the line cargo names above, then review again".into()
    } else {
        "check that `cargo metadata` works in this workspace, or review a saved `cargo metadata --format-version 1 --all-features` JSON with --metadata-path".into()
    }
}
