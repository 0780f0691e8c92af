//! Why a workspace could not be loaded, and what the user can do about it.

use crate::read;

/// Why a workspace could not be loaded. Each names the file and says what to try.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("could not find `Cargo.toml` in `{dir}` or any parent directory")]
    NoManifest { dir: String },
    #[error("manifest `{path}` does not exist")]
    ManifestMissing { path: String },
    #[error("`cargo metadata` failed for `{manifest}`:\n{cause}")]
    Metadata {
        manifest: String,
        cause: String,
        help: String,
    },
    #[error("`{path}` is not valid `cargo metadata` output: {cause}")]
    MetadataJson { path: String, cause: String },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Config {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("could not read `{path}`: {cause}")]
    Io {
        path: String,
        cause: String,
        help: String,
    },
    #[error("{path}:{line}: the file is not UTF-8")]
    Encoding { path: String, line: usize },
    #[error("no usable Rust toolchain: {cause}")]
    Toolchain { cause: String },
    #[error("{message}")]
    Platform { message: String },
    #[error("--features {feature}: {cause}")]
    Features { feature: String, cause: String },
    #[error("could not simulate the build: {cause}")]
    Simulation { cause: String },
}

impl LoadError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            LoadError::NoManifest { .. } => {
                "run in a Cargo workspace, or pass --manifest-path PATH/Cargo.toml".into()
            }
            LoadError::ManifestMissing { .. } => {
                "check the path given to --manifest-path".into()
            }
            LoadError::Metadata { help, .. } | LoadError::Io { help, .. } => help.clone(),
            LoadError::MetadataJson { .. } => {
                "produce it with `cargo metadata --format-version 1 --all-features > meta.json`"
                    .into()
            }
            LoadError::Syntax { .. } => "fix the TOML syntax at that line".into(),
            LoadError::Encoding { .. } => {
                "save the file as UTF-8: cargo, rustc and rustup reject it as it is".into()
            }
            LoadError::Config { .. } => {
                "fix the configuration at that line; `cargo architect rules` lists rule ids and `cargo architect explain RULE` their options".into()
            }
            LoadError::Toolchain { .. } => "install Rust with rustup (https://rustup.rs)".into(),
            LoadError::Platform { .. } => {
                "pass a target triple rustc knows (`rustc --print target-list`), or `all`".into()
            }
            LoadError::Features { .. } => {
                "name a workspace member's feature as `--features MEMBER/FEATURE`, or a feature of the package reviewed (`cargo metadata` lists them)".into()
            }
            LoadError::Simulation { .. } => {
                "the build simulation (guppy) failed on this graph: review with `--target all`, and report it with the workspace's Cargo.lock".into()
            }
        }
    }
}

impl LoadError {
    /// A file that could not be read: `path` as the user should see it, and what to do when it
    /// does not exist.
    pub(crate) fn read(
        path: impl std::fmt::Display,
        error: read::ReadError,
        if_missing: &str,
    ) -> Self {
        use read::ReadError as E;
        let path = path.to_string();
        let help = match &error {
            E::NotUtf8 { line } => return LoadError::Encoding { path, line: *line },
            E::NotFound => if_missing.to_string(),
            E::NotAFile { .. } => "replace it with a regular file: the review never reads FIFOs or devices, on which cargo itself would hang or exhaust memory".into(),
            E::TooLarge { .. } => "no real file of this kind is that large: check what it is".into(),
            E::Io(_) => "check the file's permissions".into(),
        };
        LoadError::Io {
            path,
            cause: error.to_string(),
            help,
        }
    }
}
