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

    assert_fit(&ws, &report, false, &architect_build::CostModel::DEV);
}

#[test]
fn the_release_cost_model_is_the_fit_of_the_recorded_release_build() {
    let Some((_tmp, ws)) = corpus() else { return };
    let report = repo_root().join("fixtures/timings/real-deps-release-j2.html");
    assert_replays(
        "the recorded corpus release build",
        &replay(&ws, &report, true),
    );
    assert_fit(&ws, &report, true, &architect_build::CostModel::RELEASE);
}

/// `--fit` on `report` gives the constants of `model` in the code.
fn assert_fit(
    ws: &std::path::Path,
    report: &std::path::Path,
    release: bool,
    model: &architect_build::CostModel,
) {
    let mut args = vec!["--locked", "--timings", report.to_str().unwrap(), "--fit"];
    if release {
        args.push("--release");
    }
    let out = build_time(ws, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fitted: Vec<(String, f64)> = stdout(&out)
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
        .collect();
    let ours: Vec<(String, f64)> = model
        .describe()
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
        .collect();
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

#[test]
fn the_review_has_the_build_section_of_build_time() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let review = run_in(&ws, &["--offline", "--deps", "--format", "json"]);
    let doc = json(&review);
    let b = &doc["facts"]["build"];
    assert_eq!(b["assumed_sizes"], false, "--deps reads every crate's size");
    assert_eq!(b["jobs"], 2);
    // The same simulation as `build-time` without a report.
    let bt = json(&build_time(
        &ws,
        &["--offline", "-j", "2", "--format", "json"],
    ));
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

    let human = stdout(&run_in(&ws, &["--offline", "--deps"]));
    assert!(
        human.contains("clean build (simulated, -j2): about ") && human.contains("by jobs: -j1 "),
        "{human}"
    );
    // Without --deps the figures rest on typical sizes: the review says where to get real ones.
    let human = stdout(&run_in(&ws, &["--offline"]));
    assert!(
        human.contains("`cargo architect build-time` simulates it with every crate's size"),
        "{human}"
    );
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
