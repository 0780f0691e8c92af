//! Repository files that are not manifests: the toolchain pin, supply-chain tooling, and lines of
//! Rust. All read as data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use architect_model::{SourceFile, ToolchainPin, ToolingFacts};
use toml_edit::Item;

use crate::LoadError;
use crate::read::{SCRIPT_LIMIT, TOML_LIMIT, read_text};
use crate::scope::{ConfigDirs, Scope};
use crate::tomlspan::TomlFile;

/// The toolchain files rustup would use: the nearest one walking up from the workspace root
/// (to the repository root), then any in the directories down to each member.
pub(crate) fn toolchain_pins(
    scope: &Scope,
    dirs: &ConfigDirs,
) -> Result<(Vec<ToolchainPin>, Vec<SourceFile>), LoadError> {
    let mut pins = Vec::new();
    let mut files = Vec::new();
    // rustup stops at the first directory that has a file.
    let at_root = dirs
        .at_root
        .iter()
        .find_map(|d| toolchain_file(d).map(|f| (d, f)));
    let in_members = dirs
        .in_members
        .iter()
        .filter_map(|d| toolchain_file(d).map(|f| (d, f)));
    for (dir, (path, shadowed)) in at_root.into_iter().chain(in_members) {
        let shown = scope.display(&path);
        let text = read_text(&path, TOML_LIMIT).map_err(|e| LoadError::read(&shown, e, ""))?;
        let (mut pin, file) = parse_pin(&shown, text)?;
        pin.applies_in = scope.applies_in(dir);
        pin.shadows = shadowed.map(|p| {
            let shown = scope.display(&p);
            architect_model::Location {
                path: shown,
                line: 1,
                column: 1,
                span: architect_model::Span::new(0, 0),
                label: Some("ignored by rustup".into()),
            }
        });
        pins.push(pin);
        files.push(file);
    }
    Ok((pins, files))
}

/// The toolchain file rustup reads in `dir`: the legacy `rust-toolchain` when it exists (rustup
/// prefers it, with a warning, when `rust-toolchain.toml` exists too), else the `.toml`.
fn toolchain_file(dir: &Path) -> Option<(PathBuf, Option<PathBuf>)> {
    let legacy = dir.join("rust-toolchain");
    let toml = dir.join("rust-toolchain.toml");
    match (legacy.exists(), toml.exists()) {
        (true, true) => Some((legacy, Some(toml))),
        (true, false) => Some((legacy, None)),
        (false, true) => Some((toml, None)),
        (false, false) => None,
    }
}

/// Read one toolchain file as rustup would; what rustup rejects is an error naming the line.
pub(crate) fn parse_pin(name: &str, text: String) -> Result<(ToolchainPin, SourceFile), LoadError> {
    let trimmed = text.trim();
    let legacy = name.ends_with("rust-toolchain");
    // A legacy file may hold just a channel name.
    if legacy && !trimmed.contains('[') && !trimmed.contains('=') {
        let file = SourceFile::new(name, text.clone());
        let start = text.find(trimmed).unwrap_or(0);
        let pin = ToolchainPin {
            channel: Some(trimmed.to_string()),
            path: None,
            location: location(&file, start..start + trimmed.len(), "pinned here"),
            applies_in: None,
            shadows: None,
        };
        return Ok((pin, file));
    }
    let toml = TomlFile::parse(name, text)?;
    let Some(t) = toml.doc.get("toolchain").and_then(Item::as_table_like) else {
        let pin = ToolchainPin {
            channel: None,
            path: None,
            location: toml.location(0..0, Some("no [toolchain] table")),
            applies_in: None,
            shadows: None,
        };
        return Ok((pin, toml.file));
    };
    let get = |k: &str| -> Result<Option<String>, LoadError> {
        match t.get(k) {
            None => Ok(None),
            Some(v) => v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
                let (line, column) = toml.error_at(t, k);
                LoadError::Config {
                    path: name.to_string(),
                    line,
                    column,
                    message: format!(
                        "`{k}` must be a string, not {}: rustup rejects this file too, so every cargo command in this directory fails",
                        v.type_name()
                    ),
                }
            }),
        }
    };
    let key = if t.contains_key("path") {
        "path"
    } else {
        "channel"
    };
    let location = toml
        .key_location(t, key, "pinned here")
        .unwrap_or_else(|| toml.location(0..0, Some("pinned here")));
    let pin = ToolchainPin {
        channel: get("channel")?,
        path: get("path")?,
        location,
        applies_in: None,
        shadows: None,
    };
    Ok((pin, toml.file))
}

fn location(
    file: &SourceFile,
    span: std::ops::Range<usize>,
    label: &str,
) -> architect_model::Location {
    let (line, column) = file.line_col(span.start);
    architect_model::Location {
        path: file.path.clone(),
        line,
        column,
        span: architect_model::Span::new(span.start, span.end),
        label: Some(label.to_string()),
    }
}

/// Files where CI and scripts usually live, searched for the tools' command names.
pub(crate) const CI_GLOBS: &[&str] = &[
    ".github/workflows",
    ".gitlab-ci.yml",
    ".circleci",
    ".buildkite",
    ".ci",
    "ci",
    "Makefile",
    "Makefile.toml",
    "justfile",
    "Justfile",
    "xtask/src",
];

/// The command each tool is invoked by.
const TOOLS: &[(&str, &[&str])] = &[
    (
        "cargo-deny",
        &["cargo deny", "cargo-deny", "cargo-deny-action"],
    ),
    (
        "cargo-audit",
        &["cargo audit", "cargo-audit", "audit-check"],
    ),
    ("cargo-vet", &["cargo vet", "cargo-vet"]),
    ("cargo-auditable", &["cargo auditable", "cargo-auditable"]),
];

pub(crate) fn tooling(root: &Path) -> ToolingFacts {
    let exists = |names: &[&str]| {
        names
            .iter()
            .find(|n| root.join(n).is_file())
            .map(|n| n.to_string())
    };
    let mut mentions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut ci_toolchains = Vec::new();
    for entry in CI_GLOBS {
        let path = root.join(entry);
        let files: Vec<_> = if path.is_dir() {
            ignore::WalkBuilder::new(&path)
                .max_depth(Some(3))
                .build()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .map(|e| e.into_path())
                .collect()
        } else if path.is_file() {
            vec![path]
        } else {
            continue;
        };
        for file in files {
            // Scripts are small: anything over the limit, or not a regular file, is not one.
            let Ok(text) = read_text(&file, SCRIPT_LIMIT) else {
                continue;
            };
            let rel = crate::relative(root, &file);
            for (line, release) in releases_named(&text) {
                ci_toolchains.push(architect_model::CiToolchain {
                    release,
                    path: rel.clone(),
                    line,
                });
            }
            for (tool, needles) in TOOLS {
                if needles.iter().any(|n| names_command(&text, n)) {
                    mentions
                        .entry(tool.to_string())
                        .or_default()
                        .push(rel.clone());
                }
            }
        }
    }
    for files in mentions.values_mut() {
        files.sort();
        files.dedup();
    }
    ci_toolchains.sort();
    ci_toolchains.dedup();
    ToolingFacts {
        cargo_deny: exists(&["deny.toml", ".deny.toml", ".cargo/deny.toml"]),
        cargo_audit: exists(&[".cargo/audit.toml", "audit.toml"]),
        cargo_vet: exists(&["supply-chain/config.toml"]),
        mentions,
        ci_toolchains,
    }
}

/// A Rust release as CI files write one: `1.56` or `1.56.0`, quotes taken off.
fn release(token: &str) -> Option<String> {
    let t = token.trim_matches(|c: char| c == '"' || c == '\'' || c == ',');
    let parts: Vec<&str> = t.split('.').collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (numeric && (2..=3).contains(&parts.len()) && parts[0] == "1").then(|| t.to_string())
}

/// The Rust releases a CI file installs or builds with, by line (1-based): the action
/// `dtolnay/rust-toolchain@REL`, a `toolchain:` key (actions-rs, dtolnay's `with:`), a
/// matrix list under a `rust`, `toolchain` or `msrv` key, `rustup toolchain install REL`,
/// `rustup install`/`default`/`override set REL`, and `cargo +REL`.
fn releases_named(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // The indentation of a `rust:` key whose list follows on the next lines (`- '1.36'`).
    let mut list_under: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line).trim();
        let indent = line.len() - line.trim_start().len();
        let mut found: Vec<String> = Vec::new();
        match list_under {
            Some(k) if indent > k && code.starts_with("- ") => {
                found.extend(release(code.trim_start_matches("- ").trim()));
            }
            Some(k) if indent <= k && !code.is_empty() => list_under = None,
            _ => {}
        }
        if let Some(at) = code.find("rust-toolchain@") {
            found.extend(release(
                code[at + "rust-toolchain@".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or(""),
            ));
        }
        let key = code.trim_start_matches("- ");
        if let Some((k, v)) = key.split_once(':') {
            let k = k.trim().trim_matches('"');
            if matches!(
                k,
                "toolchain" | "rust" | "rust-version" | "msrv" | "rust_version"
            ) {
                if v.trim().is_empty() {
                    list_under = Some(indent);
                }
                let v = v.trim().trim_start_matches('[').trim_end_matches(']');
                found.extend(v.split([',', ' ']).filter_map(release));
            }
        }
        let words: Vec<&str> = code.split_whitespace().collect();
        for w in words.windows(3) {
            let installs = matches!(
                (w[0], w[1]),
                ("rustup", "install")
                    | ("rustup", "default")
                    | ("toolchain", "install")
                    | ("override", "set")
            );
            if installs {
                found.extend(release(w[2]));
            }
        }
        for w in &words {
            if let Some(r) = w.strip_prefix('+') {
                found.extend(release(r));
            }
        }
        found.sort();
        found.dedup();
        out.extend(found.into_iter().map(|r| (i + 1, r)));
    }
    out
}

/// Whether `text` names `command` as a whole word (`cargo audit` is not `cargo auditable`).
fn names_command(text: &str, command: &str) -> bool {
    text.match_indices(command).any(|(i, m)| {
        !text[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_releases_ci_files_name() {
        let yml = "\
jobs:
  msrv:
    steps:
      - uses: dtolnay/rust-toolchain@1.56.0
      - uses: dtolnay/rust-toolchain@stable
      - uses: actions-rs/toolchain@v1
        with:
          toolchain: \"1.60\"
    strategy:
      matrix:
        rust: [1.61.0, stable, nightly]
  old:
    steps:
      - run: rustup toolchain install 1.45 && cargo +1.45 build
      - run: cargo build --version 1.2.3 # not a toolchain
  core-msrv:
    strategy:
      matrix:
        rust:
          - '1.36'
          - stable
        os: [1.2]
";
        let found = super::releases_named(yml);
        assert_eq!(
            found,
            vec![
                (4, "1.56.0".to_string()),
                (8, "1.60".to_string()),
                (11, "1.61.0".to_string()),
                (14, "1.45".to_string()),
                (20, "1.36".to_string()),
            ]
        );
    }

    #[test]
    fn commands_match_whole_words() {
        assert!(super::names_command("run: cargo audit\n", "cargo audit"));
        assert!(!super::names_command(
            "run: cargo auditable build",
            "cargo audit"
        ));
        assert!(super::names_command(
            "cargo-deny-action@v2",
            "cargo-deny-action"
        ));
    }
}
