//! `cargo architect`: an architecture review of a Cargo workspace.
//!
//! This binary is the edge of the pipeline: it parses the command line, calls the loader, the
//! rules and a renderer, and maps the outcome to an exit code (0 clean, 1 findings at `deny`,
//! 2 the tool could not run).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use architect_load::{LoadError, LoadOptions};
use architect_report::{Context, Format, HumanOptions};
use architect_rules::{REGISTRY, ReviewOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod diff;

#[derive(Parser, Debug)]
#[command(
    name = "cargo-architect",
    bin_name = "cargo-architect",
    version,
    about = "An architecture review of a Cargo workspace, backed by evidence from the workspace itself",
    long_about = "Reviews a Cargo workspace the way a systems architect would: build graph and \
                  compile-time architecture, supply chain, MSRV and toolchain, async runtimes, \
                  observability and interop. Never executes code from the reviewed workspace.",
    after_long_help = "On untrusted code (a pull request, a fork), run this binary by its own name, \
                       from outside the checkout, with --manifest-path:\n\n    \
                       cargo-architect --manifest-path /path/to/checkout/Cargo.toml --offline\n\n\
                       Typed inside the checkout, `cargo architect` is resolved by cargo and rustup \
                       first, and both obey the repository: an `[alias] architect` in its \
                       .cargo/config.toml, or a rust-toolchain.toml with `path = ...`, runs the \
                       repository's own program instead. See docs/security.md.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    review: ReviewArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Review the workspace (the default).
    Review(ReviewArgs),
    /// List every rule with its default level.
    Rules {
        /// Print a Markdown table (the one in README.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Print a rule's documentation: what it checks, why, how to fix, how to configure; or,
    /// with `ranking`, how findings are ranked.
    Explain {
        /// The rule id, e.g. `build/monolith-crate`, or `ranking`.
        rule: String,
    },
    /// Simulate a clean build with cargo's scheduler: predicted time, critical path, what-ifs.
    BuildTime(BuildTimeArgs),
    /// What a change does to the workspace: two revisions reviewed and compared as facts and
    /// findings. Fails (exit 1) only on findings the change introduces.
    Diff(DiffArgs),
    /// Clone or update the RustSec advisory database (the only command that goes online).
    Fetch {
        /// Where the database lives; default `$CARGO_HOME/advisory-db`, as cargo-audit.
        #[arg(long, value_name = "PATH")]
        advisory_db: Option<PathBuf>,
    },
}

#[derive(Args, Debug, Clone)]
struct ReviewArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Review a saved `cargo metadata --format-version 1 --all-features` JSON instead of running cargo.
    #[arg(long, value_name = "FILE", conflicts_with = "manifest_path")]
    metadata_path: Option<PathBuf>,
    /// Run without accessing the network.
    #[arg(long)]
    offline: bool,
    /// Assert that `Cargo.lock` will remain unchanged.
    #[arg(long)]
    locked: bool,
    /// Equivalent to specifying both --locked and --offline.
    #[arg(long)]
    frozen: bool,
    /// Space or comma separated list of features to activate.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    features: Vec<String>,
    /// Activate all available features.
    #[arg(long)]
    all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    no_default_features: bool,
    /// The RustSec advisory database to use; default `$CARGO_HOME/advisory-db`.
    #[arg(long, value_name = "PATH")]
    advisory_db: Option<PathBuf>,
    /// Clone or update the advisory database before the review (needs the network).
    #[arg(long)]
    fetch: bool,
    /// Also report the unsafe code of dependencies already on disk (registry cache, vendored,
    /// git checkouts). (Their sizes, for the build figures, and their build scripts are read
    /// whenever on disk.) Never downloads.
    #[arg(long)]
    deps: bool,
    /// Calibrate the build figures to this machine now: compile the tool's own reference
    /// crate with the trusted rustc (a few seconds; never the workspace's code) and cache the
    /// result per toolchain in the user's cache directory, which later reviews use.
    #[arg(long)]
    calibrate: bool,
    /// Take the custom cfg NAME as set when deciding which `cfg(...)` dependencies are built
    /// (repeatable; e.g. `tokio_unstable`). Every other custom cfg (`loom`, `docsrs`...) is
    /// false, as in a plain `cargo build`
    #[arg(long = "cfg", value_name = "NAME", value_parser = cfg_name)]
    cfgs: Vec<String>,
    /// Review for the target triple (repeatable); `all` for every platform. Default: the host.
    #[arg(long, value_name = "TRIPLE")]
    target: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Write the review to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Coloring: auto, always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Treat findings at this level and above as `deny` (e.g. `--deny warn` in CI).
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Option<DenyLevel>,
    /// Do not print progress or notes on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print what the review decided (toolchain, platforms) and every note of each finding.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Args, Debug, Clone)]
struct BuildTimeArgs {
    #[command(flatten)]
    review: ReviewArgs,
    /// A `cargo build --timings` report of this workspace (target/cargo-timings/*.html): its
    /// unit times replace the estimates.
    #[arg(long, value_name = "FILE")]
    timings: Option<PathBuf>,
    /// Model the release profile (host units built apart).
    #[arg(long)]
    release: bool,
    /// Jobs to simulate (default: this machine's parallelism, as cargo).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Re-simulate with a change: `split=CRATE:K`, `remove=PACKAGE`, `jobs=N` (repeatable).
    #[arg(long = "what-if", value_name = "CHANGE")]
    what_if: Vec<String>,
    /// Fit the cost model on the `--timings` report and print its coefficients (how
    /// `CostModel::DEV` was made, and with `--release` `CostModel::RELEASE`), instead of
    /// simulating.
    #[arg(long, requires = "timings")]
    fit: bool,
    /// With `--fit`: the report was measured on a machine this many times as slow as the
    /// model's reference (its calibration factor, measured the same day); its times are
    /// divided by it before fitting.
    #[arg(long, value_name = "F", requires = "fit", default_value_t = 1.0)]
    machine_factor: f64,
}

#[derive(Args, Debug, Clone)]
#[command(
    after_long_help = "BASE and HEAD are git revisions of the repository that holds the \
    workspace (HEAD: the working tree when not given). Each revision is written to a temporary \
    directory from the repository's objects with git's plumbing (ls-tree, cat-file): no \
    checkout, hook, filter or attribute of the repository runs, and nothing of either side is \
    executed.\n\nOn a pull request:\n\n    cargo-architect diff --manifest-path \
    pr/Cargo.toml \"$BASE_SHA\" \"$HEAD_SHA\" --format markdown -o comment.md"
)]
struct DiffArgs {
    /// The base revision (`HEAD~1`, `origin/main`, a tag, a commit id).
    #[arg(value_name = "BASE", required_unless_present = "base_dir")]
    base: Option<String>,
    /// The head revision; the working tree when not given.
    #[arg(value_name = "HEAD")]
    head: Option<String>,
    /// Take the base side from this directory (the workspace's directory in another checkout)
    /// instead of a revision.
    #[arg(long, value_name = "DIR", conflicts_with = "base")]
    base_dir: Option<PathBuf>,
    /// Take the head side from this directory instead of the working tree or a revision.
    #[arg(long, value_name = "DIR", conflicts_with = "head")]
    head_dir: Option<PathBuf>,
    #[command(flatten)]
    review: ReviewArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum OutputFormat {
    Human,
    Json,
    Markdown,
    Sarif,
    Github,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum DenyLevel {
    Warn,
}

fn main() -> ExitCode {
    // As a cargo subcommand, argv is `cargo-architect architect ...`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "architect") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Rules { markdown }) => print_rules(markdown),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Fetch { advisory_db }) => match fetch(advisory_db.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Some(Command::Review(args)) => review(&args),
        Some(Command::BuildTime(args)) => build_time(&args),
        Some(Command::Diff(args)) => diff::run(&args),
        None => review(&cli.review),
    }
}

fn print_rules(markdown: bool) -> ExitCode {
    let width = REGISTRY.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    if markdown {
        let _ = writeln!(out, "| rule | default | checks |\n|---|---|---|");
    }
    for r in REGISTRY {
        let _ = if markdown {
            writeln!(out, "| `{}` | {} | {} |", r.id, r.default_level, r.summary)
        } else {
            writeln!(
                out,
                "{:width$}  {:5}  {}",
                r.id,
                r.default_level.as_str(),
                r.summary
            )
        };
    }
    ExitCode::SUCCESS
}

fn explain(id: &str) -> ExitCode {
    if id == "ranking" {
        print!("{}", architect_rules::impact::MODEL);
        return ExitCode::SUCCESS;
    }
    let Some(r) = architect_rules::find(id) else {
        eprintln!(
            "error: no rule `{id}`\nhelp: `cargo architect rules` lists them; `cargo architect explain ranking` says how findings are ranked"
        );
        return ExitCode::from(2);
    };
    let mut s = format!(
        "{}  (default level: {}; section: {})\n\n{}\n\nWhat it checks\n  {}\n\nWhy it matters\n  {}\n\nHow to fix\n  {}\n",
        r.id,
        r.default_level,
        r.section.title(),
        r.summary,
        r.docs.what,
        r.docs.why,
        r.docs.fix
    );
    s.push_str("\nConfiguration (architect.toml or [workspace.metadata.architect])\n");
    s.push_str(&format!(
        "  [rules.\"{}\"]\n  level = \"deny\"   # or \"warn\", \"info\", \"allow\" (off)\n",
        r.id
    ));
    for o in r.options {
        s.push_str(&format!("  {} = {}   # {}\n", o.name, o.default, o.doc));
    }
    if r.allow_list {
        s.push_str("  allow = [{ package = \"NAME\", version = \"REQ\", reason = \"WHY\" }]\n");
    }
    if !r.docs.references.is_empty() {
        s.push_str("\nReferences\n");
        for (title, url) in r.docs.references {
            s.push_str(&format!("  - {title}: {url}\n"));
        }
    }
    print!("{s}");
    ExitCode::SUCCESS
}

/// Clone or fast-forward the advisory database with the user's git.
fn fetch(path: Option<&std::path::Path>) -> Result<(), ExitCode> {
    let Some(path) = path
        .map(PathBuf::from)
        .or_else(architect_load::advisories::default_db_path)
    else {
        eprintln!(
            "error: no CARGO_HOME or HOME to put the advisory database in\nhelp: pass --advisory-db PATH"
        );
        return Err(ExitCode::from(2));
    };
    let mut git = std::process::Command::new("git");
    if path.join(".git").exists() {
        eprintln!("Updating the advisory database in {}", path.display());
        git.arg("-C")
            .arg(&path)
            .args(["pull", "--ff-only", "--quiet"]);
    } else {
        eprintln!("Cloning the advisory database into {}", path.display());
        git.args([
            "clone",
            "--depth",
            "1",
            "--quiet",
            "https://github.com/rustsec/advisory-db.git",
        ])
        .arg(&path);
    }
    match git.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => {
            eprintln!(
                "error: git exited with {s} while fetching the advisory database\nhelp: check the network, or copy a database there and pass --advisory-db PATH"
            );
            Err(ExitCode::from(2))
        }
        Err(e) => {
            eprintln!(
                "error: could not run git: {e}\nhelp: install git, or pass --advisory-db PATH to an existing copy"
            );
            Err(ExitCode::from(2))
        }
    }
}

/// A custom cfg name as rustc takes it in `--cfg NAME`: an identifier.
fn cfg_name(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let ident = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric());
    if ident {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a cfg name: give an identifier such as `tokio_unstable` (key-value cfgs like `feature = \"x\"` are set with --features)"
        ))
    }
}

fn load_options(args: &ReviewArgs) -> LoadOptions {
    LoadOptions {
        manifest_path: args.manifest_path.clone(),
        metadata_path: args.metadata_path.clone(),
        offline: args.offline || args.frozen,
        locked: args.locked || args.frozen,
        frozen: args.frozen,
        features: args.features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
        targets: args.target.clone(),
        advisory_db: args.advisory_db.clone(),
        deps: args.deps,
        release: false,
        // Every crate's size, for the build figures: its code is on disk once cargo has
        // resolved the workspace (cargo's registry cache).
        metrics: true,
        calibration: if args.calibrate {
            architect_load::calibration::Mode::Measure
        } else {
            architect_load::calibration::Mode::Cached
        },
        cfgs: args.cfgs.clone(),
        scan_cache: None,
    }
}

fn build_time(args: &BuildTimeArgs) -> ExitCode {
    use architect_rules::build_time::{BuildTimeOptions, build_time, fit};
    let mut options = load_options(&args.review);
    // The unsafe inventory and sizes of every dependency.
    options.deps = true;
    options.release = args.release;
    let progress = progress(args.review.quiet);
    progress.set_message("resolving the workspace and reading its sources");
    let loaded = architect_load::load(&options, &architect_rules::schemas());
    progress.finish_and_clear();
    let mut facts = match loaded {
        Ok(f) => f,
        Err(e) => {
            report_error(&e);
            return ExitCode::from(2);
        }
    };
    let fail = |msg: String, help: &str| {
        eprintln!("error: {msg}\nhelp: {help}");
        ExitCode::from(2)
    };
    let measured = match &args.timings {
        Some(path) => {
            match architect_load::read::read_text(path, architect_load::read::TIMINGS_LIMIT)
                .map_err(|e| e.to_string())
                .and_then(|html| architect_build::parse_timings(&html))
            {
                Ok(m) => Some(m),
                Err(e) => {
                    return fail(
                        format!("{}: {e}", path.display()),
                        "pass a report written by `cargo build --timings` (target/cargo-timings/cargo-timing-*.html)",
                    );
                }
            }
        }
        None => None,
    };
    let what_ifs = match args
        .what_if
        .iter()
        .map(|w| architect_build::WhatIf::parse(w))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(w) => w,
        Err(e) => return fail(e, "e.g. --what-if split=my-crate:4 --what-if jobs=8"),
    };
    if let Some(j) = args.jobs {
        facts.jobs = j as usize;
    }
    let bt_options = BuildTimeOptions {
        release: args.release,
        measured,
        what_ifs,
        review: ReviewOptions {
            deny_warnings: args.review.deny.is_some(),
            today: today(),
        },
    };
    if args.fit {
        if !(args.machine_factor.is_finite() && args.machine_factor > 0.0) {
            return fail(
                format!(
                    "--machine-factor {}: not a positive number",
                    args.machine_factor
                ),
                "pass the calibration factor of the machine the report was measured on, e.g. 0.76",
            );
        }
        print!(
            "{}",
            fit(&facts, &bt_options, args.machine_factor).describe()
        );
        return ExitCode::SUCCESS;
    }
    let report = match build_time(&facts, &bt_options) {
        Ok(r) => r,
        Err(architect_rules::build_time::BuildTimeError::WhatIf(e)) => {
            return fail(e, "name a package of the build");
        }
        Err(e) => {
            let path = args.timings.as_deref().unwrap_or(std::path::Path::new(""));
            return fail(
                format!("{}: {e}", path.display()),
                "pass the report of a `cargo build --timings` of this workspace, with the same features, target and profile (--release for a release build)",
            );
        }
    };
    if let Some(n) = &report.model_note
        && !args.review.quiet
    {
        eprintln!("note: {n}");
    }
    let view = architect_report::build_time::BuildTimeView {
        graph: &facts.units,
        result: &report.result,
        replay: report.replay.as_ref(),
        findings: &report.findings,
        files: &facts.files,
        unknown_sizes: report.unknown_sizes,
        calibration: facts.calibration.as_ref(),
        figures: &report.figures,
        sizes: &report.sizes,
        model_note: report.model_note.as_deref(),
        what_if: report
            .what_if
            .as_ref()
            .map(|(g, r)| (args.what_if.as_slice(), g, r)),
    };
    let context = Context {
        root: &facts.root,
        files: &facts.files,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let human = HumanOptions {
        color: use_color(&args.review),
        verbose: args.review.verbose,
    };
    let text = architect_report::build_time::render(
        format_of(args.review.format),
        &view,
        &context,
        &human,
    );
    if let Err(code) = write_output(&text, args.review.output.as_deref()) {
        return code;
    }
    if report
        .findings
        .iter()
        .any(|f| f.level == architect_model::Level::Deny)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
    }
}

/// Write `text` to `output`, or to stdout; a closed pipe is not an error.
fn write_output(text: &str, output: Option<&std::path::Path>) -> Result<(), ExitCode> {
    let written = match output {
        Some(path) => std::fs::write(path, text).map_err(|e| (path.display().to_string(), e)),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| ("stdout".to_string(), e))
        }
    };
    match written {
        Ok(()) => Ok(()),
        Err((_, e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err((path, e)) => {
            eprintln!("error: could not write the output to {path}: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// Whether to color the human output: `--color`, else a terminal without `NO_COLOR`.
fn use_color(args: &ReviewArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn review(args: &ReviewArgs) -> ExitCode {
    if args.fetch
        && let Err(code) = fetch(args.advisory_db.as_deref())
    {
        return code;
    }
    let options = load_options(args);
    let progress = progress(args.quiet);
    progress.set_message("resolving the workspace with `cargo metadata`");
    let schemas = architect_rules::schemas();
    let facts = match architect_load::load(&options, &schemas) {
        Ok(f) => f,
        Err(e) => {
            progress.finish_and_clear();
            report_error(&e);
            return ExitCode::from(2);
        }
    };
    progress.set_message("running the rules");
    let started = std::time::Instant::now();
    let review = architect_rules::review(
        &facts,
        &ReviewOptions {
            deny_warnings: args.deny.is_some(),
            today: today(),
        },
    );
    let rules_took = started.elapsed();
    progress.finish_and_clear();
    if args.verbose {
        for n in &facts.log {
            eprintln!("note: {n}");
        }
        eprintln!("note: the rules took {:.2} s", rules_took.as_secs_f64());
    }

    let text = architect_report::render(
        format_of(args.format),
        &review,
        &Context {
            root: &facts.root,
            files: &facts.files,
            tool_version: env!("CARGO_PKG_VERSION"),
        },
        &HumanOptions {
            color: use_color(args),
            verbose: args.verbose,
        },
    );
    if let Err(code) = write_output(&text, args.output.as_deref()) {
        return code;
    }
    if review.has_deny() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`; `CARGO_ARCHITECT_TODAY` overrides it, for reproducible
/// runs and tests of waiver expiry.
fn today() -> String {
    if let Ok(d) = std::env::var("CARGO_ARCHITECT_TODAY") {
        return d;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    architect_model::civil_date(secs)
}

fn progress(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn report_error(e: &LoadError) {
    let mut err = anstream::stderr().lock();
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let cyan = anstyle::AnsiColor::Cyan.on_default().bold();
    let _ = writeln!(err, "{red}error{red:#}: {e}");
    let _ = writeln!(err, "{cyan}help{cyan:#}: {}", e.help());
}
