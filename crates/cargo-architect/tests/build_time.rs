//! `cargo architect build-time`: replay of real measured builds, the cost model's fit, and
//! what-ifs.

mod common;

use common::*;

fn build_time(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    architect()
        .current_dir(dir)
        .arg("build-time")
        .args(args)
        .output()
        .unwrap()
}

/// A writable copy of the shared corpus, resolved; `None` (with the reason printed) when the
/// shared folder or the registry is not there.
fn corpus() -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let (tmp, ws) = writable_corpus()?;
    let meta = cargo_metadata(&ws.join("Cargo.toml"), tmp.path(), &["--locked"]);
    if !meta.status.success() {
        eprintln!(
            "skipped: the corpus could not be resolved: {}",
            stderr(&meta)
        );
        return None;
    }
    Some((tmp, ws))
}

/// `build-time --format json` at -j2 with the unit times of `report`.
fn replay(ws: &std::path::Path, report: &std::path::Path, release: bool) -> serde_json::Value {
    let mut args = vec![
        "--locked",
        "-j",
        "2",
        "--format",
        "json",
        "--timings",
        report.to_str().unwrap(),
    ];
    if release {
        args.push("--release");
    }
    let out = build_time(ws, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)
}

/// A replay of a measured report: the total within 5%, the chain that ended the build the
/// measured one, and the units started when they were (90% within 1% of the build's time).
fn assert_replays(report: &str, doc: &serde_json::Value) {
    let predicted = doc["predicted_total_s"].as_f64().unwrap();
    let measured = doc["measured_total_s"].as_f64().unwrap();
    let error = (predicted - measured).abs() / measured;
    eprintln!(
        "{report}: predicted {predicted} s, measured {measured} s, error {:.2}%, replay {}",
        error * 100.0,
        doc["replay"]
    );
    assert!(error < 0.05, "{report}: {predicted} s against {measured} s");
    assert_eq!(
        doc["estimated_units"], 0,
        "{report}: every unit of the graph is in the report"
    );
    assert_eq!(
        doc["replay"]["unmatched_report_units"],
        serde_json::json!([]),
        "{report}: every unit of the report is in the graph"
    );
    assert_eq!(
        doc["chain_at_jobs"], doc["measured_chain"],
        "{report}: the simulated build ends with the measured chain"
    );
    assert_eq!(doc["replay"]["chain_matches"], true);
    let p90 = doc["replay"]["start_error_p90_s"].as_f64().unwrap();
    assert!(
        p90 <= 0.01 * measured,
        "{report}: units start {p90} s off the measured starts (90th percentile)"
    );
}

#[test]
fn replaying_measured_builds_reproduces_their_time() {
    let Some((_tmp, ws)) = corpus() else { return };
    for (report, release) in [
        ("real-deps-debug-j2.html", false),
        ("real-deps-release-j2.html", true),
    ] {
        let doc = replay(
            &ws,
            &repo_root().join("../shared/timings").join(report),
            release,
        );
        assert_replays(report, &doc);
        let predicted = doc["predicted_total_s"].as_f64().unwrap();
        assert!(doc["lower_bounds"]["critical_path_s"].as_f64().unwrap() <= predicted);
        assert!(doc["lower_bounds"]["work_over_jobs_s"].as_f64().unwrap() <= predicted + 1e-6);
    }
}

#[test]
fn build_scripts_compiling_c_are_estimated_from_their_c_sources() {
    let Some((_tmp, ws)) = corpus() else { return };
    // No report: every time is estimated. The corpus's slowest units are build scripts that
    // compile bundled C (aws-lc-sys, libsqlite3-sys, zstd-sys: 7 to 32 s when measured); the
    // median build-script run (0.01 s) would hide them all.
    let doc = json(&build_time(
        &ws,
        &["--locked", "-j", "2", "--format", "json"],
    ));
    let path = doc["critical_path"].as_array().unwrap();
    let native = path
        .iter()
        .find(|u| {
            let unit = u["unit"].as_str().unwrap();
            ["aws-lc-sys", "libsqlite3-sys", "zstd-sys"]
                .iter()
                .any(|p| unit.starts_with(p))
                && unit.ends_with("(build script run)")
        })
        .unwrap_or_else(|| panic!("no C-compiling build script on {path:?}"));
    assert!(native["duration_s"].as_f64().unwrap() > 5.0, "{native}");
}

#[test]
fn the_cost_model_is_the_fit_of_the_recorded_corpus_build() {
    let Some((_tmp, ws)) = corpus() else { return };
    let report = repo_root().join("fixtures/timings/real-deps-debug-j2.html");
    let doc = replay(&ws, &report, false);
    assert_replays("the recorded corpus build", &doc);
    // The build rules run on the replayed build: the long pole is the measured one.
    let long_pole: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "build/long-pole")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        long_pole
            .iter()
            .any(|m| m.contains("aws-lc-sys 0.47.0 (build script run)")),
        "{long_pole:?}"
    );

    assert_fit(
        &ws,
        &report,
        false,
        &architect_build::CostModel::DEV,
        None,
        "",
    );
}

#[test]
fn the_release_cost_model_is_the_fit_of_the_recorded_release_build() {
    let Some((_tmp, ws)) = corpus() else { return };
    let report = repo_root().join("fixtures/timings/real-deps-release-j2.html");
    assert_replays(
        "the recorded corpus release build",
        &replay(&ws, &report, true),
    );
    assert_fit(
        &ws,
        &report,
        true,
        &architect_build::CostModel::RELEASE,
        None,
        "",
    );
}

/// `fixtures/native-corpus` with its sources fetched (the native model reads their C files),
/// or `None` with the reason printed.
fn native_corpus() -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let (tmp, ws) = copy_fixture("native-corpus");
    let fetch = std::process::Command::new(env!("CARGO"))
        .args(["fetch", "--locked", "--manifest-path"])
        .arg(ws.join("Cargo.toml"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    if !fetch.status.success() {
        eprintln!(
            "skipped: the native corpus's sources could not be fetched: {}",
            stderr(&fetch)
        );
        return None;
    }
    Some((tmp, ws))
}

#[test]
fn native_build_scripts_are_the_fit_of_the_native_corpus() {
    let Some((_tmp, ws)) = native_corpus() else {
        return;
    };
    // Measured on a machine 0.764 times as slow as the reference (its calibration the same
    // day: 1.972 s against 2.58 s).
    for (release, report, model) in [
        (
            false,
            "native-corpus-debug-j2.html",
            architect_build::CostModel::DEV,
        ),
        (
            true,
            "native-corpus-release-j2.html",
            architect_build::CostModel::RELEASE,
        ),
    ] {
        let report = repo_root().join("fixtures/timings").join(report);
        assert_replays(
            "the recorded native corpus build",
            &replay(&ws, &report, release),
        );
        assert_fit(&ws, &report, release, &model, Some("0.764"), "native_run");
    }
}

/// `--fit` on `report` (with `--machine-factor`) gives the constants of `model` in the code
/// whose names start with `only`.
fn assert_fit(
    ws: &std::path::Path,
    report: &std::path::Path,
    release: bool,
    model: &architect_build::CostModel,
    machine_factor: Option<&str>,
    only: &str,
) {
    let mut args = vec!["--locked", "--timings", report.to_str().unwrap(), "--fit"];
    if release {
        args.push("--release");
    }
    if let Some(f) = machine_factor {
        args.extend(["--machine-factor", f]);
    }
    let out = build_time(ws, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let constants = |text: &str| -> Vec<(String, f64)> {
        text.lines()
            .filter_map(|l| l.split_once(" = "))
            .filter(|(k, _)| k.starts_with(only))
            .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
            .collect()
    };
    let (fitted, ours) = (constants(&stdout(&out)), constants(&model.describe()));
    assert!(!ours.is_empty());
    assert_eq!(fitted.len(), ours.len());
    for ((k, f), (_, o)) in fitted.iter().zip(&ours) {
        assert!(
            (f - o).abs() <= 0.0011 + 0.001 * f.abs(),
            "{k}: fitted {f}, in the code {o}"
        );
    }
}

#[test]
fn a_recorded_report_of_the_registry_fixture() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let report = repo_root().join("fixtures/timings/registry-ws-debug-j2.html");
    let out = build_time(
        &ws,
        &[
            "--offline",
            "-j",
            "2",
            "--format",
            "json",
            "--timings",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["units"], 11);
    assert_replays("the recorded registry-ws build", &doc);
    let chain = doc["chain_at_jobs"].as_array().unwrap();
    assert_eq!(chain.last().unwrap(), "app 0.1.0 (bin app)");
    let by_jobs = doc["by_jobs"].as_array().unwrap();
    assert_eq!(by_jobs.len(), 7);
    let t = |i: usize| by_jobs[i]["total_s"].as_f64().unwrap();
    assert!(
        t(0) >= t(1) && t(1) >= t(2),
        "more jobs never slow the build: {by_jobs:?}"
    );
}

#[test]
fn build_rules_come_with_the_simulation_and_deny_sets_the_exit_code() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    // The fixture's path has one workspace crate; the rule's default wants a longer spine.
    std::fs::write(
        ws.join("architect.toml"),
        "[rules.\"build/critical-path\"]\nmin-workspace-units = 1\n",
    )
    .unwrap();
    let out = build_time(&ws, &["--offline", "-j", "2", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"build/critical-path"), "{rules:?}");
    assert!(
        rules.iter().all(|r| r.starts_with("build/")),
        "only the build section: {rules:?}"
    );
    let human = stdout(&build_time(&ws, &["--offline", "-j", "2"]));
    assert!(
        human.contains("info[build/critical-path]: the critical path is "),
        "{human}"
    );

    std::fs::write(
        ws.join("architect.toml"),
        "[rules.\"build/critical-path\"]\nlevel = \"deny\"\nmin-workspace-units = 1\n",
    )
    .unwrap();
    let out = build_time(&ws, &["--offline", "-j", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("deny[build/critical-path]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_profiles_debug_setting_scales_the_estimate_where_measured() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let predicted = |extra: &[&str]| {
        let mut args = vec!["--offline", "-j", "2", "--format", "json"];
        args.extend_from_slice(extra);
        let out = build_time(&ws, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        (
            json(&out)["predicted_total_s"].as_f64().unwrap(),
            stderr(&out),
        )
    };
    let manifest = ws.join("Cargo.toml");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let (plain, note) = predicted(&["--release"]);
    assert!(!note.contains("not modelled"), "{note}");

    std::fs::write(
        &manifest,
        format!("{original}\n[profile.release]\ndebug = 1\n"),
    )
    .unwrap();
    let (limited, note) = predicted(&["--release"]);
    assert!(limited > plain, "{limited} against {plain}");
    assert!(!note.contains("not modelled"), "{note}");

    // No measurement covers full debug information in release: said, and not applied.
    std::fs::write(
        &manifest,
        format!("{original}\n[profile.release]\ndebug = true\n"),
    )
    .unwrap();
    let (full, note) = predicted(&["--release"]);
    assert_eq!(full, plain);
    assert!(
        note.contains("[profile.release] `debug = \"full\"` is not modelled"),
        "{note}"
    );

    // In the dev profile, turning debug information off makes the estimate smaller.
    let (dev, _) = predicted(&[]);
    std::fs::write(&manifest, format!("{original}\n[profile.dev]\ndebug = 0\n")).unwrap();
    let (dev_none, _) = predicted(&[]);
    assert!(dev_none < dev, "{dev_none} against {dev}");
}

#[test]
fn what_ifs() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let run = |extra: &[&str]| {
        let mut args = vec!["--offline", "-j", "2", "--format", "json"];
        args.extend_from_slice(extra);
        json(&build_time(&ws, &args))
    };
    let base = run(&[]);
    let one = run(&["--what-if", "jobs=1"]);
    assert_eq!(one["what_if"]["jobs"], 1);
    assert!(
        one["what_if"]["predicted_total_s"].as_f64().unwrap()
            >= base["predicted_total_s"].as_f64().unwrap()
    );
    let removed = run(&["--what-if", "remove=vulnlib"]);
    assert!(removed["what_if"]["delta_total_s"].as_f64().unwrap() <= 0.0);
    // A split is bounded by the crate's modules: `vulnlib` is one file.
    for parts in ["4", "20000000", "4294967295", "18446744073709551615"] {
        let bad = build_time(
            &ws,
            &["--offline", "--what-if", &format!("split=vulnlib:{parts}")],
        );
        assert_eq!(bad.status.code(), Some(2), "split into {parts}");
        assert!(
            stderr(&bad)
                .contains("`vulnlib` has 1 module file(s): it can be split into at most 1 crates"),
            "{}",
            stderr(&bad)
        );
    }
    for jobs in [&["--what-if", "jobs=0"][..], &["-j", "0"][..]] {
        let bad = build_time(&ws, &[&["--offline"][..], jobs].concat());
        assert_eq!(bad.status.code(), Some(2), "{jobs:?} is refused");
    }
    // Four modules in the workspace's library: a split into four is allowed.
    let lib = ws.join("lib/src");
    let text = std::fs::read_to_string(lib.join("lib.rs")).unwrap();
    std::fs::write(
        lib.join("lib.rs"),
        format!("mod a;\nmod b;\nmod c;\n{text}"),
    )
    .unwrap();
    for m in ["a", "b", "c"] {
        std::fs::write(lib.join(format!("{m}.rs")), "pub fn f() {}\n").unwrap();
    }
    let base = run(&[]);
    let split = run(&["--what-if", "split=lib:4"]);
    assert!(
        split["what_if"]["predicted_total_s"].as_f64().unwrap()
            <= base["predicted_total_s"].as_f64().unwrap() + 1e-9
    );
    let bad = build_time(&ws, &["--offline", "--what-if", "split=lib:5"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = build_time(&ws, &["--offline", "--what-if", "split=nope:2"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("no library `nope`"),
        "{}",
        stderr(&bad)
    );
    let bad = build_time(&ws, &["--offline", "--what-if", "explode"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = build_time(&ws, &["--offline", "--timings", "/nonexistent/report.html"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The review's header and `build-time` are one computation: with the same defaults (every
/// crate's size read from disk, the machine's job count), the same figures.
#[test]
fn the_review_has_the_build_section_of_build_time() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let review = run_in(&ws, &["--offline", "--format", "json"]);
    let doc = json(&review);
    let b = &doc["facts"]["build"];
    assert_eq!(b["assumed_sizes"], false, "every crate's code is on disk");
    assert_eq!(b["unknown_size_units"], 0);
    // The same simulation as `build-time` without a report, at the same job count.
    let bt = json(&build_time(&ws, &["--offline", "--format", "json"]));
    assert_eq!(b["jobs"], bt["jobs"]);
    let close = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() <= 0.051
    };
    assert!(
        close(&b["predicted_s"], &bt["predicted_total_s"]),
        "{b} / {bt}"
    );
    assert!(close(
        &b["critical_path_s"],
        &bt["lower_bounds"]["critical_path_s"]
    ));
    assert!(close(
        &b["work_over_jobs_s"],
        &bt["lower_bounds"]["work_over_jobs_s"]
    ));
    let by_jobs: Vec<f64> = b["by_jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["predicted_s"].as_f64().unwrap())
        .collect();
    assert_eq!(by_jobs.len(), 7);
    assert!(by_jobs.windows(2).all(|w| w[0] >= w[1]), "{by_jobs:?}");
    let path: Vec<&str> = b["critical_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit"].as_str().unwrap())
        .collect();
    let bt_path: Vec<&str> = bt["critical_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit"].as_str().unwrap())
        .collect();
    assert!(!path.is_empty());
    assert_eq!(path, bt_path);
    assert_eq!(b["parallelism_profile"].as_array().unwrap().len(), 10);

    let human = stdout(&run_in(&ws, &["--offline"]));
    let header = format!(
        "clean build (simulated, -j{}, not calibrated to this machine): about ",
        b["jobs"]
    );
    assert!(
        human.contains(&header)
            && human.contains("(held-out builds: ")
            && human.contains("by jobs: -j1 "),
        "{human}"
    );
}

/// A crate whose code is not on disk (here a package reviewed from the lockfile) counts as an
/// empty crate, and every figure says it is a lower bound.
#[test]
fn figures_resting_on_unread_crates_are_lower_bounds() {
    let (_tmp, ws) = copy_fixture("git-locked");
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let b = &doc["facts"]["build"];
    assert_eq!(b["assumed_sizes"], true);
    assert_eq!(b["unknown_size_units"], 1, "gitdep's library");
    let human = stdout(&run_in(&ws, &["--offline"]));
    assert!(human.contains("): at least "), "{human}");
    let bt = build_time(&ws, &["--offline"]);
    let text = stdout(&bt);
    assert!(text.contains("predicted at -j"), "{text}");
    assert!(text.contains(": at least "), "{text}");
    assert!(
        text.contains("1 units of crates whose code was not read"),
        "{text}"
    );
    let bt = json(&build_time(&ws, &["--offline", "--format", "json"]));
    assert_eq!(bt["unknown_size_units"], 1);
    // The review rounds to a tenth of a second, build-time to a hundredth.
    let (review, command) = (
        b["predicted_s"].as_f64().unwrap(),
        bt["predicted_total_s"].as_f64().unwrap(),
    );
    assert!((review - command).abs() <= 0.051, "{review} / {command}");
}

/// `build-time` honours `-o` and every `--format`: the file is written, nothing goes to
/// stdout, and SARIF is the review's SARIF (the build findings).
#[test]
fn build_time_writes_every_format_to_a_file() {
    let (tmp, ws) = copy_fixture("registry-ws");
    for format in ["human", "json", "markdown", "sarif", "github"] {
        let file = tmp.path().join(format!("bt.{format}"));
        let out = build_time(
            &ws,
            &[
                "--offline",
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{format}: {}", stdout(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        match format {
            "json" => {
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert!(doc["predicted_total_s"].as_f64().unwrap() > 0.0);
            }
            "markdown" => assert!(text.starts_with("# Clean build"), "{text}"),
            "sarif" => {
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(doc["version"], "2.1.0");
            }
            "human" => assert!(text.starts_with("Clean build, simulated"), "{text}"),
            _ => {}
        }
    }
}

#[test]
fn the_human_critical_path_lists_as_many_units_as_it_says() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let out = build_time(&ws, &["--offline", "-j", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text
        .lines()
        .find(|l| l.trim_start().starts_with("critical path ("))
        .expect("a critical path header");
    let said: usize = header
        .trim_start()
        .trim_start_matches("critical path (")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let listed = text
        .lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .count();
    let json = json(&build_time(
        &ws,
        &["--offline", "-j", "2", "--format", "json"],
    ));
    assert_eq!(said, listed, "{text}");
    assert_eq!(listed, json["critical_path"].as_array().unwrap().len());
}

/// The unit set is cargo's: in a virtual workspace, a member with only `[[example]]` targets,
/// one with only `[[bench]]` targets and a binary whose `required-features` are off build
/// nothing under `cargo build`, and the dependencies only they use are not built either. A
/// real `cargo build --timings` of the workspace is replayed with every unit matched and no
/// unit of the report left over.
#[test]
fn the_unit_set_is_the_one_cargo_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let lib = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    tree(
        &ws,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\", \"examples\", \"benches\"]\nresolver = \"2\"\n",
            ),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\ncli = []\n\n[[bin]]\nname = \"tool\"\npath = \"src/bin/tool.rs\"\nrequired-features = [\"cli\"]\n",
            ),
            ("app/src/lib.rs", "pub fn f() {}\n"),
            ("app/src/main.rs", "fn main() { app::f() }\n"),
            ("app/src/bin/tool.rs", "fn main() {}\n"),
            (
                "examples/Cargo.toml",
                &format!(
                    "{}autoexamples = false\n\n[dependencies]\nheavy = {{ path = \"../../heavy\" }}\n\n[[example]]\nname = \"demo\"\npath = \"demo.rs\"\n",
                    lib("examples")
                ),
            ),
            ("examples/demo.rs", "fn main() { heavy::f() }\n"),
            (
                "benches/Cargo.toml",
                &format!(
                    "{}autobenches = false\n\n[dependencies]\nheavy2 = {{ path = \"../../heavy2\" }}\n\n[[bench]]\nname = \"speed\"\npath = \"speed.rs\"\nharness = false\n",
                    lib("benches")
                ),
            ),
            ("benches/speed.rs", "fn main() { heavy2::f() }\n"),
        ],
    );
    // Outside the workspace's directory, so that they are not members themselves.
    tree(
        tmp.path(),
        &[
            ("heavy/Cargo.toml", &lib("heavy")),
            ("heavy/src/lib.rs", "pub fn f() {}\n"),
            ("heavy2/Cargo.toml", &lib("heavy2")),
            ("heavy2/src/lib.rs", "pub fn f() {}\n"),
        ],
    );
    let report = timings_of(&ws, &tmp.path().join("target"));
    let doc = replay(&ws, &report, false);
    assert_eq!(doc["units"], 2, "app's library and its `app` binary: {doc}");
    assert_eq!(doc["estimated_units"], 0);
    assert_eq!(
        doc["replay"]["unmatched_report_units"],
        serde_json::json!([])
    );
}

/// Where cargo builds a library once for the host and the target (dev profile, not cross
/// compiling): below both copies the same proc-macro and the same build dependency. And a
/// binary-only member's build script runs before its binary. The replay matches every unit.
#[test]
fn host_and_target_copies_are_one_unit_where_cargo_builds_one() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let package = |name: &str, rest: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{rest}")
    };
    let shared = "shared = { path = \"../../shared\" }\n";
    tree(
        &ws,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"tool\"]\nresolver = \"2\"\n",
            ),
            (
                "tool/Cargo.toml",
                &package(
                    "tool",
                    &format!("\n[dependencies]\n{shared}\n[build-dependencies]\n{shared}"),
                ),
            ),
            ("tool/build.rs", "fn main() { shared::f() }\n"),
            ("tool/src/main.rs", "fn main() { shared::f() }\n"),
        ],
    );
    tree(
        tmp.path(),
        &[
            (
                "shared/Cargo.toml",
                &package(
                    "shared",
                    "\n[dependencies]\nmacros = { path = \"../macros\" }\n\n[build-dependencies]\nhelper = { path = \"../helper\" }\n",
                ),
            ),
            ("shared/build.rs", "fn main() { helper::g() }\n"),
            ("shared/src/lib.rs", "macros::nothing!();\npub fn f() {}\n"),
            (
                "macros/Cargo.toml",
                &package("macros", "\n[lib]\nproc-macro = true\n"),
            ),
            (
                "macros/src/lib.rs",
                "use proc_macro::TokenStream;\n#[proc_macro]\npub fn nothing(_: TokenStream) -> TokenStream { TokenStream::new() }\n",
            ),
            ("helper/Cargo.toml", &package("helper", "")),
            ("helper/src/lib.rs", "pub fn g() {}\n"),
        ],
    );
    let report = timings_of(&ws, &tmp.path().join("target"));
    let doc = replay(&ws, &report, false);
    // macros, helper, shared's build script (compile, run) and library, tool's build script
    // (compile, run) and binary.
    assert_eq!(doc["units"], 8, "{doc}");
    assert_eq!(doc["estimated_units"], 0);
    // The binary compiles against `shared` and the proc-macro below it; `helper` only runs in
    // a build script. Its size is its own module tree's.
    let bin = doc["unit_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "tool 0.1.0 (bin tool)")
        .unwrap();
    assert_eq!(bin["size"]["crates_used"], 2, "{bin}");
    assert_eq!(bin["size"]["lines"], 1, "{bin}");
    assert_eq!(
        doc["replay"]["unmatched_report_units"],
        serde_json::json!([])
    );
}

/// `cargo build --timings -j2` of `ws` into `target`: the report it wrote.
fn timings_of(ws: &std::path::Path, target: &std::path::Path) -> std::path::PathBuf {
    let built = std::process::Command::new(env!("CARGO"))
        .args(["build", "--offline", "--timings", "-j", "2"])
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", stderr(&built));
    std::fs::read_dir(target.join("cargo-timings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "html"))
        .expect("cargo wrote a timings report")
}

/// `--calibrate` compiles the tool's reference crate with the trusted rustc, caches the time
/// per toolchain, and scales every estimate by it; later runs use the cached figure and say
/// so; without a cache the figures say they are not calibrated.
#[test]
fn calibration_scales_the_estimates_and_is_cached() {
    let (tmp, ws) = copy_fixture("registry-ws");
    let cache = tmp.path().join("cache");
    let run = |args: &[&str], cache: &std::path::Path| {
        let out = architect()
            .current_dir(&ws)
            .env("CARGO_ARCHITECT_CACHE", cache)
            .args(["build-time", "--offline", "-j", "2", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)
    };
    let plain = run(&[], &tmp.path().join("empty"));
    assert!(plain["calibration"].is_null());
    let measured = run(&["--calibrate"], &cache);
    let c = &measured["calibration"];
    assert_eq!(c["cached"], false);
    let factor = c["factor"].as_f64().unwrap();
    assert!(factor > 0.05 && factor < 20.0, "{c}");
    let file = std::fs::read_to_string(cache.join("calibration.json")).unwrap();
    assert!(file.contains(c["toolchain"].as_str().unwrap()), "{file}");
    let again = run(&[], &cache);
    assert_eq!(again["calibration"]["cached"], true);
    assert_eq!(again["calibration"]["factor"], c["factor"]);
    // Every unit is estimated here, so the whole build scales by the factor.
    let (p0, p1) = (
        plain["predicted_total_s"].as_f64().unwrap(),
        again["predicted_total_s"].as_f64().unwrap(),
    );
    assert!(
        (p1 - p0 * factor).abs() <= 0.02 + 0.02 * p1,
        "{p0} × {factor} against {p1}"
    );
    let human = stdout(
        &architect()
            .current_dir(&ws)
            .env("CARGO_ARCHITECT_CACHE", &cache)
            .args(["--offline"])
            .output()
            .unwrap(),
    );
    assert!(human.contains("calibrated to this machine, ×"), "{human}");
}

/// A `-sys` build script compiles the C of the `-src` crate it drives (a build-dependency
/// without a build script of its own that depends on `cc`, as `openssl-src` for
/// `openssl-sys` with `vendored`): its run is estimated from that crate's C, not as a script
/// that compiles nothing. Without the `-src` build-dependency, the same script costs the
/// median run.
#[test]
fn a_sys_build_script_compiles_the_c_of_the_src_crate_it_drives() {
    let run_time = |with_src: bool| -> f64 {
        let tmp = tempfile::tempdir().unwrap();
        let src_dep = if with_src {
            "foo-src = { path = \"../foo-src\" }\n"
        } else {
            ""
        };
        let big_c = "int f(int x) { return x + 1; }\n".repeat(2000);
        tree(
            tmp.path(),
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
                ),
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nfoo-sys = { path = \"../foo-sys\" }\n",
                ),
                ("app/src/lib.rs", ""),
                (
                    "foo-sys/Cargo.toml",
                    &format!(
                        "[package]\nname = \"foo-sys\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n\n[build-dependencies]\ncc = {{ path = \"../cc\" }}\n{src_dep}"
                    ),
                ),
                ("foo-sys/build.rs", "fn main() {}\n"),
                ("foo-sys/src/lib.rs", ""),
                (
                    "foo-src/Cargo.toml",
                    "[package]\nname = \"foo-src\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncc = { path = \"../cc\" }\n",
                ),
                ("foo-src/src/lib.rs", ""),
                ("foo-src/c/big.c", &big_c),
                ("cc/Cargo.toml", &package_manifest("cc")),
                ("cc/src/lib.rs", ""),
            ],
        );
        let doc = json(&build_time(
            tmp.path(),
            &["--offline", "-j", "2", "--format", "json"],
        ));
        doc["unit_times"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == "foo-sys 0.1.0 (build script run)")
            .map(|u| u["duration_s"].as_f64().unwrap())
            .expect("the build script's run is a unit")
    };
    let (with, without) = (run_time(true), run_time(false));
    assert!(
        without <= 0.05,
        "a script that compiles nothing: {without} s"
    );
    // One file of 64 KB: the native model's few tenths, ten times the median run at least.
    assert!(
        with > 0.2 && with > 10.0 * without,
        "64 KB of C through foo-src: {with} s"
    );
}

/// A feature with the name of an optional dependency keeps its own definition, as in cargo:
/// faststr's `serde = ["serde/alloc"]` builds serde with `alloc`. guppy replaced it with the
/// implicit `dep:serde` feature, and helix's serde units did not match its measured build.
#[test]
fn a_feature_named_like_an_optional_dependency_keeps_its_definition() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = |name: &str, rest: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{rest}")
    };
    tree(
        tmp.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
            ),
            (
                "app/Cargo.toml",
                &manifest(
                    "app",
                    "[dependencies]\nmid = { path = \"../mid\", features = [\"leaf\"] }\n",
                ),
            ),
            (
                "mid/Cargo.toml",
                &manifest(
                    "mid",
                    "[dependencies]\nleaf = { path = \"../leaf\", optional = true, default-features = false }\n\n[features]\nleaf = [\"leaf/alloc\"]\nstd = [\"leaf?/std\"]\n",
                ),
            ),
            (
                "leaf/Cargo.toml",
                &manifest("leaf", "[features]\nalloc = []\nstd = []\n"),
            ),
            ("app/src/lib.rs", ""),
            ("mid/src/lib.rs", ""),
            ("leaf/src/lib.rs", ""),
        ],
    );
    let doc = json(&build_time(
        tmp.path(),
        &["--offline", "-j", "2", "--format", "json"],
    ));
    let units: Vec<(String, String)> = doc["unit_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().unwrap().to_string(),
                u["features"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // `cargo tree -e features` on the same workspace: leaf with `alloc`.
    assert!(
        units.contains(&("leaf 0.1.0".into(), "alloc".into())),
        "{units:?}"
    );
}
