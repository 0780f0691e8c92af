//! Dependency intelligence end to end, on `fixtures/registry-ws` (registry packages served by a
//! local registry, offline) with the fictional `fixtures/advisory-db`, and on the real corpus
//! with the real database in `../shared/advisory-db`.

mod common;

use std::collections::BTreeSet;

use common::*;

fn review(ws: &std::path::Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["--offline", "--format", "json"];
    args.extend_from_slice(extra);
    let out = run_in(ws, &args);
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    validate(&doc);
    (out.status.code(), doc)
}

fn ids(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["advisory"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn advisories_on_the_host_with_fixes_and_evidence() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let (code, doc) = review(&ws, &[]);
    assert_eq!(
        code,
        Some(1),
        "a vulnerability and a yanked version are deny"
    );
    // The Windows-only advisory is not for this host; the withdrawn one never applies.
    assert_eq!(
        ids(&doc),
        [
            "RUSTSEC-2099-0001",
            "RUSTSEC-2099-0002",
            "RUSTSEC-2099-0005",
            "RUSTSEC-2099-0006",
            "RUSTSEC-2099-0007"
        ]
        .map(String::from)
        .into()
    );
    let vuln = &findings(&doc, "supply-chain/vulnerability")[0];
    assert_eq!(vuln["level"], "deny");
    assert_eq!(vuln["advisory"], "RUSTSEC-2099-0001");
    assert_eq!(
        vuln["help"],
        "`cargo update -p vulnlib@1.0.0 --precise 1.0.2` (semver-compatible; fixed in >=1.0.2)"
    );
    assert_eq!(vuln["locations"][0]["path"], "Cargo.lock");
    assert_eq!(vuln["path"][0]["name"], "app");
    let notes = vuln["notes"].to_string();
    assert!(
        notes.contains("CVSS 9.8")
            && notes.contains("2099-01-10")
            && notes.contains("vulnlib::parse"),
        "{notes}"
    );

    let unmaintained = findings(&doc, "supply-chain/unmaintained");
    let oldlib = unmaintained
        .iter()
        .find(|f| f["packages"][0]["name"] == "oldlib")
        .unwrap();
    assert!(
        oldlib["help"]
            .as_str()
            .unwrap()
            .contains("the advisory suggests"),
        "{oldlib}"
    );

    let unsound = &findings(&doc, "supply-chain/unsound")[0];
    assert!(
        unsound["help"]
            .as_str()
            .unwrap()
            .contains("--precise 1.40.0"),
        "{unsound}"
    );

    let yanked = findings(&doc, "supply-chain/yanked");
    assert_eq!(yanked.len(), 1);
    assert_eq!(
        yanked[0]["help"],
        "`cargo update -p yankedlib@2.0.0 --precise 2.0.1`"
    );

    let msrv = findings(&doc, "msrv/effective");
    assert!(msrv.iter().any(|f| {
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("the effective MSRV is 1.80, set by `msrvlib 3.1.0`")
    }));
    let broken = &findings(&doc, "msrv/broken-promise")[0];
    assert_eq!(broken["level"], "warn");
    assert_eq!(
        broken["message"],
        "`app` declares rust-version 1.70 but `msrvlib 3.1.0` requires 1.80: `cargo +1.70 build` fails"
    );
    assert_eq!(broken["locations"][0]["path"], "app/Cargo.toml");

    let rt = &findings(&doc, "async/discontinued-runtime")[0];
    assert!(
        rt["message"]
            .as_str()
            .unwrap()
            .contains("used directly by `app`"),
        "{rt}"
    );
    // `lib` depends on tokio itself: lock-in through reqwestish is the workspace's own choice.
    assert!(findings(&doc, "async/runtime-lock-in").is_empty());

    let outdated: Vec<String> = findings(&doc, "msrv/outdated")
        .iter()
        .flat_map(|f| f["notes"].as_array().unwrap().clone())
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert!(
        outdated
            .iter()
            .any(|n| n.starts_with("also 4 dependencies have semver-compatible")),
        "{outdated:?}"
    );
    assert!(
        outdated.contains(&"`vulnlib` 1.0.0 -> 2.0.0 (declared by app)".to_string()),
        "{outdated:?}"
    );
}

#[test]
fn os_specific_advisories_follow_the_reviewed_platforms() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let (_, windows) = review(&ws, &["--target", "x86_64-pc-windows-msvc"]);
    assert!(ids(&windows).contains("RUSTSEC-2099-0003"));
    let (_, all) = review(&ws, &["--target", "all"]);
    assert!(ids(&all).contains("RUSTSEC-2099-0003"));
    // Its advisory names no affected function: the finding says that reachability is unknown.
    let winonly = windows["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"] == "RUSTSEC-2099-0003")
        .unwrap();
    assert!(
        winonly["notes"]
            .to_string()
            .contains("the advisory names no affected function"),
        "{winonly}"
    );
    assert!(!ids(&all).contains("RUSTSEC-2099-0004"), "withdrawn");
}

#[test]
fn advisory_ignores_expire() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let ignore = |until: &str| {
        std::fs::write(
            ws.join("architect.toml"),
            format!("[[ignore]]\nadvisory = \"RUSTSEC-2099-0001\"\nuntil = {until}\nreason = \"parse is never called on untrusted input\"\n"),
        )
        .unwrap();
    };
    let run = || {
        let out = architect()
            .current_dir(&ws)
            .env("CARGO_ARCHITECT_TODAY", "2099-06-01")
            .args(["--offline", "--format", "json", "--advisory-db"])
            .arg(fixture_advisory_db())
            .output()
            .unwrap();
        json(&out)
    };
    ignore("2099-12-31");
    let doc = run();
    assert!(findings(&doc, "supply-chain/vulnerability").is_empty());
    assert!(findings(&doc, "config/unused-waiver").is_empty());

    ignore("2099-03-01");
    let doc = run();
    let back = findings(&doc, "supply-chain/vulnerability");
    assert_eq!(back.len(), 1, "an expired ignore lets the finding return");
    assert!(
        back[0]["notes"]
            .to_string()
            .contains("expired on 2099-03-01")
    );

    std::fs::write(
        ws.join("architect.toml"),
        "[[ignore]]\nadvisory = \"RUSTSEC-2099-0999\"\nreason = \"stale\"\n",
    )
    .unwrap();
    let doc = run();
    assert_eq!(findings(&doc, "config/unused-waiver").len(), 1);
}

/// The default database missing is said in the review, which goes on; an explicit
/// `--advisory-db` that cannot be used is an error, never a silent pass.
#[test]
fn a_missing_default_database_is_said_and_the_review_goes_on() {
    let (tmp, ws) = copy_fixture("registry-ws");
    // No --advisory-db, and a CARGO_HOME without one: the review says so and goes on.
    let home = tmp.path().join("empty-cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    let out = architect()
        .current_dir(&ws)
        .env("CARGO_HOME", &home)
        .args(["--offline", "--format", "json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert!(
        doc["notes"].to_string().contains("no advisory database at"),
        "{}",
        doc["notes"]
    );
    assert!(doc["notes"].to_string().contains("cargo architect fetch"));

    // An explicit path that does not exist is an error.
    let missing = tmp.path().join("no-db");
    let out = run_in(
        &ws,
        &[
            "--offline",
            "--format",
            "json",
            "--advisory-db",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an explicit path that does not exist"
    );
    let err = stderr(&out);
    assert!(
        err.contains("no-db") && err.contains("no advisory database"),
        "{err}"
    );
    assert!(err.contains("help: "), "{err}");
}

#[test]
fn one_corrupt_advisory_is_reported_and_the_rest_are_used() {
    let (tmp, ws) = copy_fixture("registry-ws");
    let db = tmp.path().join("db");
    copy_dir(&fixture_advisory_db(), &db);
    std::fs::create_dir_all(db.join("crates/x")).unwrap();
    std::fs::write(
        db.join("crates/x/RUSTSEC-2099-9999.md"),
        "```toml\n[advisory\n```\n",
    )
    .unwrap();
    let out = run_in(
        &ws,
        &[
            "--offline",
            "--format",
            "json",
            "--advisory-db",
            db.to_str().unwrap(),
        ],
    );
    let doc = json(&out);
    assert!(
        doc["notes"]
            .to_string()
            .contains("1 of the advisory database's files could not be read"),
        "{}",
        doc["notes"]
    );
    assert!(
        doc["notes"]
            .to_string()
            .contains("crates/x/RUSTSEC-2099-9999.md")
    );
    assert!(
        ids(&doc).contains("RUSTSEC-2099-0001"),
        "the other advisories are still checked: {:?}",
        ids(&doc)
    );

    // A database with nothing usable in it, given explicitly, is an error.
    let bad = tmp.path().join("bad-db");
    std::fs::create_dir_all(bad.join("crates/x")).unwrap();
    std::fs::write(bad.join("crates/x/RUSTSEC-2099-9999.md"), "not an advisory").unwrap();
    let out = run_in(
        &ws,
        &[
            "--offline",
            "--format",
            "json",
            "--advisory-db",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a RustSec advisory database"),
        "{}",
        stderr(&out)
    );
}

/// The real database and the real corpus lockfile: the ids found are those `rustsec` yields
/// for that lockfile, and those cargo-deny lists when it is installed.
#[test]
fn real_database_on_the_real_corpus() {
    let shared = repo_root().join("../shared");
    let db = shared.join("advisory-db");
    if !db.join("crates").is_dir() {
        eprintln!("skipped: ../shared/advisory-db is not present");
        return;
    }
    let Some((_tmp, ws)) = writable_corpus() else {
        return;
    };
    let out = run_in(
        &ws,
        &[
            "--locked",
            "--target",
            "all",
            "--format",
            "json",
            "--advisory-db",
            db.to_str().unwrap(),
        ],
    );
    if out.status.code() == Some(2) {
        eprintln!(
            "skipped: the corpus could not be resolved (registry unreachable?): {}",
            stderr(&out)
        );
        return;
    }
    let doc = json(&out);
    validate(&doc);
    let ours = ids(&doc);

    let database = rustsec::Database::open(&db).unwrap();
    let lockfile = rustsec::Lockfile::load(ws.join("Cargo.lock")).unwrap();
    let query = rustsec::database::Query::crate_scope();
    let expected: BTreeSet<String> = database
        .query_vulnerabilities(&lockfile, &query)
        .into_iter()
        .chain(database.query_vulnerabilities(&lockfile, &query.clone().informational(true)))
        .map(|v| v.advisory.id.to_string())
        .collect();
    assert_eq!(ours, expected);
    assert!(
        !ours.is_empty(),
        "the corpus has known advisories (async-std among them)"
    );
    eprintln!("corpus advisories: {ours:?}");
}

/// What an unsound advisory affects, told from the code: `fixtures/advisory-evidence` builds
/// soundlib 1 (through `quiet` and through `reexporter`'s `pub use`, used by `relay`), which
/// uses none of the flawed items, and soundlib 2 (through `loud`), which uses them all. Each
/// of RUSTSEC-2099-0009 to 0012 is reported on 2.0.0 and informational on 1.0.0.
#[test]
fn unsound_advisories_need_their_items_named_and_their_features_on() {
    let (_tmp, ws) = copy_fixture("advisory-evidence");
    let (_, doc) = review(&ws, &[]);
    let unsound = findings(&doc, "supply-chain/unsound");
    let on_v2: BTreeSet<&str> = unsound
        .iter()
        .inspect(|f| assert_eq!(f["packages"][0]["version"], "2.0.0", "{f}"))
        .map(|f| f["advisory"].as_str().unwrap())
        .collect();
    assert_eq!(
        on_v2,
        [
            "RUSTSEC-2099-0009",
            "RUSTSEC-2099-0010",
            "RUSTSEC-2099-0011"
        ]
        .into()
    );
    let notes =
        |id: &str| unsound.iter().find(|f| f["advisory"] == id).unwrap()["notes"].to_string();
    assert!(
        notes("RUSTSEC-2099-0009").contains("`Error::downcast_mut` is named at loud/src/lib.rs")
    );
    assert!(
        notes("RUSTSEC-2099-0010")
            .contains("which the advisory's text names, is named at loud/src/lib.rs")
    );
    assert!(
        notes("RUSTSEC-2099-0011").contains("feature `log` of `soundlib`, which the build enables")
    );

    let unbuilt = &findings(&doc, "supply-chain/unbuilt-advisory")[0];
    let notes: Vec<&str> = unbuilt["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 4, "{notes:?}");
    // `Box<dyn Any>::downcast_mut` in a file that names neither soundlib nor `Error`, and a
    // re-export whose users name nothing.
    assert!(notes[0].starts_with("RUSTSEC-2099-0009 unsound: `soundlib 1.0.0`"));
    assert!(notes[0].ends_with("named nowhere in the 3 crate(s) that depend on `soundlib` directly or through a crate that re-exports it)"));
    // Only what soundlib defines: not `System` or `HeapAlloc`.
    assert!(notes[1].contains(
        "(what the advisory's text names (`Slot`, `Slot::wait`, `slot!`) is named nowhere"
    ));
    assert!(
        notes[2].ends_with(
            "(the advisory needs feature `log` of `soundlib`; the build leaves `log` off)"
        )
    );
    // A flaw in a formatting impl: only `{:p}` runs it, and nothing formats soundlib 1's `Slot`
    // so; `loud` formats soundlib 2's, which stays a vulnerability.
    assert!(notes[3].contains("which only `{:p}` or `fmt::Pointer` calls: none of the 3 crate(s)"));
    let vuln = findings(&doc, "supply-chain/vulnerability");
    assert_eq!(vuln.len(), 1);
    assert_eq!(vuln[0]["advisory"], "RUSTSEC-2099-0012");
    assert_eq!(vuln[0]["packages"][0]["version"], "2.0.0");
    assert!(
        vuln[0]["notes"]
            .to_string()
            .contains("is used at loud/src/lib.rs:12 in `loud`")
    );
}
