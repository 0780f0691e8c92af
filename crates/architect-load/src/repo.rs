//! Repository files that are not manifests: the toolchain pin, supply-chain tooling, and lines of
//! Rust. All read as data.

use std::collections::BTreeMap;
use std::path::Path;

use architect_model::{SourceFile, ToolchainPin, ToolingFacts};
use toml_edit::Item;

use crate::LoadError;
use crate::tomlspan::TomlFile;

/// The `rust-toolchain.toml` (or legacy `rust-toolchain`) pin at the workspace root.
pub(crate) fn toolchain_pin(root: &Path) -> Result<Option<(ToolchainPin, SourceFile)>, LoadError> {
    for name in ["rust-toolchain.toml", "rust-toolchain"] {
        let Ok(text) = std::fs::read_to_string(root.join(name)) else {
            continue;
        };
        let trimmed = text.trim();
        // A legacy file may hold just a channel name.
        if name == "rust-toolchain" && !trimmed.contains('[') && !trimmed.contains('=') {
            let file = SourceFile::new(name, text.clone());
            let start = text.find(trimmed).unwrap_or(0);
            let pin = ToolchainPin {
                channel: Some(trimmed.to_string()),
                path: None,
                location: location(&file, start..start + trimmed.len(), "pinned here"),
            };
            return Ok(Some((pin, file)));
        }
        let toml = TomlFile::parse(name, text)?;
        let Some(t) = toml.doc.get("toolchain").and_then(Item::as_table_like) else {
            let pin = ToolchainPin {
                channel: None,
                path: None,
                location: toml.location(0..0, Some("no [toolchain] table")),
            };
            return Ok(Some((pin, toml.file)));
        };
        let get = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
        let key = if t.contains_key("path") {
            "path"
        } else {
            "channel"
        };
        let location = toml
            .key_location(t, key, "pinned here")
            .unwrap_or_else(|| toml.location(0..0, Some("pinned here")));
        let pin = ToolchainPin {
            channel: get("channel"),
            path: get("path"),
            location,
        };
        return Ok(Some((pin, toml.file)));
    }
    Ok(None)
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
const CI_GLOBS: &[&str] = &[
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
            // Scripts are small; anything over 1 MiB is not a CI script.
            if file.metadata().map_or(true, |m| m.len() > 1 << 20) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let rel = crate::relative(root, &file);
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
    ToolingFacts {
        cargo_deny: exists(&["deny.toml", ".deny.toml", ".cargo/deny.toml"]),
        cargo_audit: exists(&[".cargo/audit.toml", "audit.toml"]),
        cargo_vet: exists(&["supply-chain/config.toml"]),
        mentions,
    }
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
