//! End-to-end: the real binary on the fixture workspaces, snapshotting JSON and human output.

mod common;

use common::*;

#[test]
fn kitchen_sink_json_and_human() {
    let (tmp, ws) = copy_fixture("kitchen-sink");
    let out = run_in(&ws, &["--offline", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    validate(&doc);
    insta::assert_snapshot!("kitchen_sink_json", filter(&stdout(&out), tmp.path()));

    let human = run_in(&ws, &["--offline"]);
    assert_eq!(human.status.code(), Some(0));
    insta::assert_snapshot!("kitchen_sink_human", filter(&stdout(&human), tmp.path()));
}

#[test]
fn kitchen_sink_rules_fire_where_expected() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let one = |rule: &str| findings(&doc, rule).len();
    // Third-party `ring` is accepted in the allow-list; the workspace's own build script
    // compiles no native code: both are in the facts, neither is a finding.
    assert!(findings(&doc, "supply-chain/build-script").is_empty());
    assert_eq!(doc["facts"]["build_scripts"].as_array().unwrap().len(), 2);
    assert_eq!(
        one("supply-chain/proc-macro"),
        0,
        "an opt-in inventory (default level allow)"
    );
    assert_eq!(one("build/duplicate-versions"), 1);
    assert_eq!(one("build/monolith-crate"), 1);
    assert_eq!(
        one("msrv/missing-rust-version"),
        1,
        "one finding for three members"
    );
    assert_eq!(one("msrv/resolver"), 1);
    assert_eq!(
        one("evolution/edition"),
        0,
        "an opt-in inventory (default level allow)"
    );
    assert_eq!(one("supply-chain/path-source"), 1);
    assert_eq!(one("interop/crate-types"), 1);
    assert_eq!(
        one("interop/bindings"),
        1,
        "libloading; pyo3 is behind the off-by-default `python` feature"
    );
    assert_eq!(one("async/several-runtimes"), 2);
    assert_eq!(one("async/runtimes"), 0);
    // Both stale waivers are reported, pointing at the lines that wrote them.
    let stale = findings(&doc, "config/unused-waiver");
    assert_eq!(stale.len(), 2);
    assert!(
        stale
            .iter()
            .all(|f| f["locations"][0]["path"] == "Cargo.toml")
    );
    // The duplicate points at both declaring lines, with the inclusion paths.
    let dup = &findings(&doc, "build/duplicate-versions")[0];
    assert_eq!(dup["locations"][0]["path"], "app/Cargo.toml");
    assert_eq!(dup["locations"][0]["line"], 15);
    assert_eq!(dup["locations"][1]["path"], "core/Cargo.toml");
    // async-std is named with the member that pulls it in.
    let rt = findings(&doc, "async/several-runtimes");
    let async_std = rt
        .iter()
        .find(|f| f["packages"][0]["name"] == "async-std")
        .unwrap();
    assert_eq!(async_std["level"], "warn");
    assert_eq!(async_std["path"][0]["name"], "app");
}

#[test]
fn target_all_includes_platform_specific_dependencies() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let host = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let all = json(&run_in(
        &ws,
        &["--offline", "--format", "json", "--target", "all"],
    ));
    let windows = json(&run_in(
        &ws,
        &[
            "--offline",
            "--format",
            "json",
            "--target",
            "x86_64-pc-windows-msvc",
        ],
    ));
    let count = |d: &serde_json::Value| d["facts"]["packages"].as_u64().unwrap();
    assert_eq!(count(&all), count(&host) + 1, "winapi-only is Windows-only");
    assert_eq!(count(&windows), count(&all));
    let bad = run_in(&ws, &["--offline", "--target", "no-such-triple"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown target `no-such-triple`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn feature_flags_select_optional_dependencies() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let bindings = |args: &[&str]| {
        let mut all = vec!["--offline", "--format", "json"];
        all.extend_from_slice(args);
        let doc = json(&run_in(&ws, &all));
        let mut names: Vec<String> = ["interop/bindings"]
            .iter()
            .flat_map(|rule| findings(&doc, rule))
            .map(|f| f["packages"][0]["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(bindings(&[]), ["libloading"]);
    assert_eq!(
        bindings(&["--features", "ffi/python"]),
        ["libloading", "pyo3"]
    );
    assert_eq!(bindings(&["-F", "python"]), ["libloading", "pyo3"]);
    assert_eq!(bindings(&["--all-features"]), ["libloading", "pyo3"]);
    let out = run_in(&ws, &["--offline", "--features", "nope/python"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`nope` is not a workspace member"), "{err}");
    // The help is about features, not about target triples.
    assert!(err.contains("--features MEMBER/FEATURE"), "{err}");
    assert!(!err.contains("target triple"), "{err}");
}

#[test]
fn clean_workspace_has_no_warnings() {
    let (tmp, ws) = copy_fixture("clean");
    let out = run_in(&ws, &["--offline", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    validate(&doc);
    assert_eq!(
        doc["counts"]["warn"],
        0,
        "{}",
        filter(&stdout(&out), tmp.path())
    );
    assert_eq!(doc["counts"]["deny"], 0);
    assert!(
        findings(&doc, "supply-chain/tooling").is_empty(),
        "deny, vet and auditable are wired in"
    );
}

#[test]
fn deny_warn_escalates_and_exits_one() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let out = run_in(&ws, &["--offline", "--deny", "warn", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["counts"]["warn"], 0);
    assert!(doc["counts"]["deny"].as_u64().unwrap() > 0);
}

#[test]
fn level_overrides_and_ignores_from_architect_toml() {
    let (_tmp, ws) = copy_fixture("clean");
    std::fs::write(
        ws.join("architect.toml"),
        "[rules]\n\"build/scale\" = \"deny\"\n\n[rules.\"evolution/edition\"]\nlevel = \"allow\"\n",
    )
    .unwrap();
    let out = run_in(&ws, &["--offline", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "build/scale raised to deny");
    let doc = json(&out);
    assert_eq!(findings(&doc, "build/scale")[0]["level"], "deny");

    std::fs::write(
        ws.join("architect.toml"),
        "[[ignore]]\nrule = \"build/scale\"\nreason = \"figures are in the dashboard\"\n",
    )
    .unwrap();
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    assert!(findings(&doc, "build/scale").is_empty());
    assert!(findings(&doc, "config/unused-waiver").is_empty());
}

#[test]
fn every_format_renders_the_same_findings() {
    let (tmp, ws) = copy_fixture("kitchen-sink");
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let n = doc["findings"].as_array().unwrap().len();

    let sarif: serde_json::Value =
        serde_json::from_slice(&run_in(&ws, &["--offline", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), n);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/'), "SARIF locations are relative: {uri}");
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }

    let gh = stdout(&run_in(&ws, &["--offline", "--format", "github"]));
    assert_eq!(gh.lines().count(), n);
    assert!(
        gh.contains("::warning file=app/Cargo.toml,line=15,col=1,title=build/duplicate-versions::"),
        "{gh}"
    );

    let md = stdout(&run_in(&ws, &["--offline", "--format", "markdown"]));
    assert!(md.starts_with("# Architecture review"));
    for heading in [
        "## Summary",
        "### Top risks",
        "## Supply chain",
        "## References",
        "**Why it matters.**",
    ] {
        assert!(md.contains(heading), "markdown lacks {heading}");
    }
    insta::assert_snapshot!("kitchen_sink_markdown", filter(&md, tmp.path()));

    let file = tmp.path().join("review.json");
    let out = run_in(
        &ws,
        &[
            "--offline",
            "--format",
            "json",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written["findings"], doc["findings"]);
}

#[test]
fn output_is_deterministic() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let a = run_in(&ws, &["--offline", "--format", "json", "--target", "all"]).stdout;
    let b = run_in(&ws, &["--offline", "--format", "json", "--target", "all"]).stdout;
    assert_eq!(a, b);
}

#[test]
fn saved_metadata_gives_the_same_review() {
    let (tmp, ws) = copy_fixture("kitchen-sink");
    let meta = cargo_metadata(
        &ws.join("Cargo.toml"),
        tmp.path(),
        &["--all-features", "--offline"],
    );
    assert!(meta.status.success());
    let file = tmp.path().join("meta.json");
    std::fs::write(&file, &meta.stdout).unwrap();
    let live = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let saved = json(&run_in(
        tmp.path(),
        &[
            "--metadata-path",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(live["findings"], saved["findings"]);
    assert_eq!(live["facts"], saved["facts"]);
}

#[test]
fn rules_and_explain() {
    let out = architect().arg("rules").output().unwrap();
    assert!(out.status.success());
    let list = stdout(&out);
    assert!(list.contains("supply-chain/build-script") && list.contains("warn"));
    let out = architect()
        .args(["explain", "build/monolith-crate"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for part in [
        "What it checks",
        "Why it matters",
        "How to fix",
        "max-share = 0.6",
        "Feldera",
    ] {
        assert!(text.contains(part), "explain lacks {part}");
    }
    let out = architect()
        .args(["explain", "no/such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn runs_as_a_cargo_subcommand() {
    let (_tmp, ws) = copy_fixture("clean");
    let out = run_in(&ws, &["architect", "--offline", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    validate(&json(&out));
}

#[test]
fn readme_lists_every_rule_with_its_level() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for r in architect_rules::REGISTRY {
        let row = format!("| `{}` | {} | {} |", r.id, r.default_level, r.summary);
        assert!(readme.contains(&row), "README.md lacks the row: {row}");
    }
}

/// The human output folds: `info` findings behind `-v`, a rule's tail to one line each, long
/// location lists. Nothing is lost: the JSON holds every finding, the default output says how
/// many it folded, and `-v` prints every finding's message in full.
#[test]
fn folding_the_human_output_loses_nothing() {
    let (_tmp, ws) = copy_fixture("kitchen-sink");
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let all = doc["findings"].as_array().unwrap();
    let counts = &doc["counts"];
    let total = ["deny", "warn", "info"]
        .iter()
        .map(|l| counts[*l].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(all.len() as u64, total);
    let info = counts["info"].as_u64().unwrap();
    assert!(info > 0, "the fixture has informational findings to fold");

    let human = stdout(&run_in(&ws, &["--offline", "--color", "never"]));
    assert!(
        human.contains(&format!(
            "{info} informational findings folded: -v shows them"
        )),
        "{human}"
    );
    let verbose = stdout(&run_in(&ws, &["--offline", "--color", "never", "-v"]));
    assert!(!verbose.contains("folded"));
    for f in all {
        let message = f["message"].as_str().unwrap();
        assert!(verbose.contains(message), "-v lacks: {message}");
        if f["level"] != "info" {
            // Shown in full, or on a line of its rule's tail, cut to the screen.
            let start: String = message.chars().take(60).collect();
            assert!(
                human.contains(&start),
                "the default output lacks: {message}"
            );
        }
    }
    // The first screen: verdicts and top risks before any finding.
    let verdicts = human.find("\nVerdicts\n").expect("verdicts");
    let risks = human.find("\nTop risks").expect("top risks");
    let first_finding = human.find("warn[").expect("a finding");
    assert!(verdicts < risks && risks < first_finding);
    // One numbered line per top risk, as many as the JSON lists.
    let numbered = human[risks..first_finding]
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        })
        .count();
    assert_eq!(numbered, doc["top_risks"].as_array().unwrap().len());
}

/// The SARIF document passes Microsoft's SARIF multitool with GitHub's rules (what code
/// scanning accepts): `validate --rule-kind "Gh;Sarif"` writes a log with no result. The tool
/// is not part of the build: install it with `npm install @microsoft/sarif-multitool-linux` and
/// point `SARIF_MULTITOOL` at `node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool`
/// (or put `Sarif.Multitool` on `PATH`); without it the test says so and passes.
#[test]
fn sarif_passes_the_multitool_with_github_rules() {
    let tool = std::env::var_os("SARIF_MULTITOOL")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("Sarif.Multitool"))
                    .find(|p| p.is_file())
            })
        });
    let Some(tool) = tool else {
        eprintln!(
            "skipped: the SARIF multitool is not installed (npm install @microsoft/sarif-multitool-linux; SARIF_MULTITOOL=path/to/Sarif.Multitool)"
        );
        return;
    };
    for fixture in ["kitchen-sink", "registry-ws"] {
        let (tmp, ws) = copy_fixture(fixture);
        let sarif = tmp.path().join("review.sarif");
        let out = run_in(
            &ws,
            &[
                "--offline",
                "--format",
                "sarif",
                "-o",
                sarif.to_str().unwrap(),
            ],
        );
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        let log = tmp.path().join("validation.sarif");
        let validated = std::process::Command::new(&tool)
            .args(["validate", "--rule-kind", "Gh;Sarif", "-o"])
            .arg(&log)
            .arg(&sarif)
            .output()
            .expect("the multitool runs");
        assert!(
            validated.status.success(),
            "{}",
            String::from_utf8_lossy(&validated.stdout)
        );
        let log: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&log).unwrap()).unwrap();
        let results = log["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(results.is_empty(), "{fixture}: {results:#?}");
    }
}

/// `--offline` changes nothing in a workspace whose lockfile and sources are on disk: the JSON
/// is byte for byte the review without it, on registry-ws (a registry dependency tree,
/// advisories, the index cache), on the shared corpus (skipped when it is absent) and on this
/// repository.
#[test]
fn offline_gives_the_same_review() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let corpus = writable_corpus();
    let mut workspaces = vec![ws, repo_root()];
    workspaces.extend(corpus.as_ref().map(|(_, ws)| ws.clone()));
    for ws in &workspaces {
        let online = run_in(ws, &["--locked", "--format", "json"]);
        let offline = run_in(ws, &["--locked", "--offline", "--format", "json"]);
        assert!(
            online.status.code().is_some_and(|c| c < 2),
            "{}: {}",
            ws.display(),
            stderr(&online)
        );
        assert_eq!(online.status.code(), offline.status.code());
        assert_eq!(stdout(&online), stdout(&offline), "{}", ws.display());
    }
}

/// A git dependency that cannot be fetched, in a workspace with a lockfile: the review goes on
/// from the lockfile, with the package as an opaque stand-in (a note says so), still a git
/// dependency to the rules, its locked registry dependency in the build, and the workspace's
/// lockfile untouched; with `--offline` and without.
#[test]
fn unreachable_git_dependency_is_reviewed_from_the_lockfile() {
    let (_tmp, ws) = copy_fixture("git-unreachable");
    let lock = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"gitdep\",\n]\n\n[[package]]\nname = \"gitdep\"\nversion = \"1.2.0\"\nsource = \"git+https://git.invalid/gitdep#0123456789abcdef0123456789abcdef01234567\"\n";
    std::fs::write(ws.join("Cargo.lock"), lock).unwrap();
    for args in [&["--offline"][..], &[][..]] {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let out = run_in(&ws, &args);
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        let doc = json(&out);
        validate(&doc);
        assert_eq!(doc["facts"]["packages"], 2, "app and the stand-in");
        assert_eq!(doc["facts"]["git_dependencies"][0]["name"], "gitdep");
        assert!(
            doc["notes"]
                .to_string()
                .contains("`gitdep 1.2.0` (git+https://git.invalid/gitdep"),
            "{}",
            doc["notes"]
        );
        assert!(doc["notes"].to_string().contains("opaque package"));
        assert_eq!(doc["facts"]["opaque_packages"][0]["name"], "gitdep");
        let git = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "supply-chain/git-source");
        assert!(git, "the stand-in is still a git dependency");
        assert_eq!(
            std::fs::read_to_string(ws.join("Cargo.lock")).unwrap(),
            lock
        );
        let stray: Vec<_> = std::fs::read_dir(&ws)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            !stray.iter().any(|n| n == "target" || n.starts_with('.')),
            "{stray:?}"
        );
    }
}

/// The fallback mirrors the whole repository: a path dependency beside the workspace
/// (`../shared`, inside the same git checkout) resolves on the mirror too.
#[test]
fn the_lockfile_fallback_follows_path_dependencies_beside_the_workspace() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    copy_dir(
        &repo_root().join("fixtures/git-unreachable"),
        &repo.path().join("ws"),
    );
    let ws = repo.path().join("ws");
    std::fs::create_dir_all(repo.path().join("shared/src")).unwrap();
    std::fs::write(
        repo.path().join("shared/Cargo.toml"),
        "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(repo.path().join("shared/src/lib.rs"), "").unwrap();
    let app = std::fs::read_to_string(ws.join("app/Cargo.toml")).unwrap();
    std::fs::write(
        ws.join("app/Cargo.toml"),
        format!("{app}shared = {{ path = \"../../shared\" }}\n"),
    )
    .unwrap();
    let lock = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"gitdep\",\n \"shared\",\n]\n\n[[package]]\nname = \"gitdep\"\nversion = \"1.2.0\"\nsource = \"git+https://git.invalid/gitdep#0123456789abcdef0123456789abcdef01234567\"\n\n[[package]]\nname = \"shared\"\nversion = \"0.1.0\"\n";
    std::fs::write(ws.join("Cargo.lock"), lock).unwrap();
    let out = run_in(&ws, &["--offline", "--format", "json"]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        doc["facts"]["packages"], 3,
        "app, the stand-in and the sibling"
    );
    assert_eq!(doc["facts"]["opaque_packages"][0]["name"], "gitdep");
    assert_eq!(
        std::fs::read_to_string(ws.join("Cargo.lock")).unwrap(),
        lock
    );
}
