//! `cargo architect diff`: maps the arguments to two loads, two reviews and their comparison.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use architect_load::revision::{self, Materialized};
use architect_load::scancache::ScanCache;
use architect_report::{Context, HumanOptions};
use architect_rules::ReviewOptions;
use architect_rules::diff::Side;
use std::sync::Arc;

use super::{DiffArgs, ReviewArgs};

/// Where one side's workspace is, and what keeps it on disk.
struct Place {
    label: String,
    manifest: PathBuf,
    /// The revision's temporary directory, removed when the side is dropped.
    _tree: Option<Materialized>,
    notes: Vec<String>,
}

fn fail(message: String, help: &str) -> ExitCode {
    eprintln!("error: {message}\nhelp: {help}");
    ExitCode::from(2)
}

pub fn run(args: &DiffArgs) -> ExitCode {
    if args.review.metadata_path.is_some() {
        return fail(
            "--metadata-path reviews one saved resolution; a diff needs two workspaces".into(),
            "pass --manifest-path, and BASE (a revision) or --base-dir DIR",
        );
    }
    let given = args.head_dir.as_ref().filter(|_| args.base_dir.is_some());
    let manifest = match given.map_or_else(
        || workspace_manifest(&args.review),
        |dir| canonical(&dir.join("Cargo.toml")),
    ) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let progress = super::progress(args.review.quiet);
    progress.set_message("writing the revisions and reviewing both sides");
    // The sides are independent until they are compared: each is written and reviewed on a
    // thread of its own (cargo metadata and the source pass leave cores idle in turns).
    // A file the same on both sides is scanned once.
    let cache = Arc::new(ScanCache::new());
    let (base, head) = std::thread::scope(|scope| {
        let (manifest, cache) = (&manifest, &cache);
        let spawn = |rev: Option<&'_ str>, dir: Option<&'_ Path>, which: &'static str| {
            let (rev, dir) = (rev.map(str::to_owned), dir.map(Path::to_path_buf));
            scope.spawn(move || {
                side(
                    manifest,
                    rev.as_deref(),
                    dir.as_deref(),
                    which,
                    &args.review,
                    cache,
                )
            })
        };
        let base = spawn(args.base.as_deref(), args.base_dir.as_deref(), "base");
        let head = spawn(args.head.as_deref(), args.head_dir.as_deref(), "head");
        let join = |t: std::thread::ScopedJoinHandle<'_, Result<Loaded, ExitCode>>| {
            t.join().unwrap_or(Err(ExitCode::from(2)))
        };
        (join(base), join(head))
    });
    progress.finish_and_clear();
    let ((base, bf, br), (head, hf, hr)) = match (base, head) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let d = architect_rules::diff::diff(
        &Side {
            label: base.label.clone(),
            facts: &bf,
            review: &br,
            notes: base.notes.clone(),
        },
        &Side {
            label: head.label.clone(),
            facts: &hf,
            review: &hr,
            notes: head.notes.clone(),
        },
    );
    // Paths are workspace-relative on both sides; SARIF's base is the user's checkout.
    let root = manifest
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = architect_report::diff::render(
        super::format_of(args.review.format),
        &d,
        &Context {
            root: &root,
            files: &hf.files,
            tool_version: env!("CARGO_PKG_VERSION"),
        },
        &HumanOptions {
            color: super::use_color(&args.review),
            verbose: args.review.verbose,
        },
    );
    if let Err(code) = super::write_output(&text, args.review.output.as_deref()) {
        return code;
    }
    if d.fails() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The workspace's `Cargo.toml`: `--manifest-path`, else the current directory's.
fn workspace_manifest(args: &ReviewArgs) -> Result<PathBuf, ExitCode> {
    let manifest = match &args.manifest_path {
        Some(p) => p.clone(),
        None => std::env::current_dir()
            .map(|d| d.join("Cargo.toml"))
            .map_err(|e| {
                fail(
                    format!("the current directory: {e}"),
                    "pass --manifest-path",
                )
            })?,
    };
    canonical(&manifest)
}

fn canonical(manifest: &Path) -> Result<PathBuf, ExitCode> {
    std::fs::canonicalize(manifest).map_err(|e| {
        fail(
            format!("{}: {e}", manifest.display()),
            "pass --manifest-path to the workspace's Cargo.toml (the root one)",
        )
    })
}

/// One side: a directory given, a revision written to a temporary directory, or the working
/// tree.
fn place(
    manifest: &Path,
    rev: Option<&str>,
    dir: Option<&Path>,
    which: &str,
) -> Result<Place, ExitCode> {
    if let Some(dir) = dir {
        return Ok(Place {
            label: dir.display().to_string(),
            manifest: dir.join("Cargo.toml"),
            _tree: None,
            notes: Vec::new(),
        });
    }
    let Some(rev) = rev else {
        return Ok(Place {
            label: "the working tree".into(),
            manifest: manifest.to_path_buf(),
            _tree: None,
            notes: Vec::new(),
        });
    };
    let workspace = manifest.parent().unwrap_or(Path::new("."));
    let tree = revision::repository_root(workspace)
        .and_then(|repo| {
            let rel = std::fs::canonicalize(&repo)
                .ok()
                .and_then(|r| manifest.strip_prefix(r).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
            revision::materialize_for_review(&repo, rev).map(|m| (m, rel))
        })
        .map_err(|e| fail(format!("{which} `{rev}`: {e}"), &e.help()))?;
    let (m, rel) = tree;
    let short: String = m.commit.chars().take(10).collect();
    Ok(Place {
        label: format!("{rev} ({short})"),
        manifest: m.dir.path().join(rel),
        notes: m.notes.clone(),
        _tree: Some(m),
    })
}

/// A side placed and reviewed.
type Loaded = (Place, architect_model::Facts, architect_model::Review);

fn side(
    manifest: &Path,
    rev: Option<&str>,
    dir: Option<&Path>,
    which: &str,
    args: &ReviewArgs,
    cache: &Arc<ScanCache>,
) -> Result<Loaded, ExitCode> {
    let place = place(manifest, rev, dir, which)?;
    let (facts, review) = load(args, &place, cache).ok_or(ExitCode::from(2))?;
    Ok((place, facts, review))
}

fn load(
    args: &ReviewArgs,
    place: &Place,
    cache: &Arc<ScanCache>,
) -> Option<(architect_model::Facts, architect_model::Review)> {
    let mut options = super::load_options(args);
    options.manifest_path = Some(place.manifest.clone());
    options.scan_cache = Some(cache.clone());
    let facts = match architect_load::load(&options, &architect_rules::schemas()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: could not review {}", place.label);
            super::report_error(&e);
            return None;
        }
    };
    let review = architect_rules::review(
        &facts,
        &ReviewOptions {
            deny_warnings: args.deny.is_some(),
            today: super::today(),
        },
    );
    Some((facts, review))
}
