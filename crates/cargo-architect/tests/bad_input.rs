//! Bad input gives exit code 2 and a message naming the file, the line and what to do; never a
//! panic or a backtrace.

mod common;

use common::*;

fn assert_clean_error(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(2), "stdout: {}", stdout(out));
    let err = stderr(out);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("\nhelp: "), "no help line: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

#[test]
fn malformed_manifest_names_file_and_line() {
    let (_tmp, ws) = copy_fixture("bad-manifest");
    let err = assert_clean_error(&run_in(&ws, &["--offline"]));
    assert!(err.contains("bad-manifest/Cargo.toml:4:16"), "{err}");
}

#[test]
fn misspelt_rule_in_config_names_line_and_suggests() {
    let (_tmp, ws) = copy_fixture("bad-config");
    let err = assert_clean_error(&run_in(&ws, &["--offline"]));
    assert!(
        err.contains("architect.toml:2:1: unknown rule `build/monolith`"),
        "{err}"
    );
    assert!(err.contains("did you mean `build/monolith-crate`"), "{err}");
}

#[test]
fn no_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let err = assert_clean_error(&run_in(tmp.path(), &[]));
    assert!(err.contains("could not find `Cargo.toml`"), "{err}");
    let err = assert_clean_error(&run_in(tmp.path(), &["--manifest-path", "nope/Cargo.toml"]));
    assert!(err.contains("nope/Cargo.toml"), "{err}");
}

#[test]
fn unreachable_git_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("src")).unwrap();
    std::fs::write(tmp.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        "[package]\nname = \"g\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nnowhere = { git = \"file:///nonexistent/nowhere.git\" }\n",
    )
    .unwrap();
    for args in [&["--offline"][..], &[][..]] {
        let err = assert_clean_error(&run_in(tmp.path(), args));
        assert!(err.contains("nowhere"), "{err}");
        assert!(err.contains("--metadata-path"), "{err}");
    }
}

#[test]
fn corrupt_saved_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("meta.json");
    std::fs::write(&file, "{ \"packages\": [").unwrap();
    let err = assert_clean_error(&run_in(
        tmp.path(),
        &["--metadata-path", file.to_str().unwrap()],
    ));
    assert!(err.contains("meta.json"), "{err}");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = architect().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_lockfile_is_said() {
    let (_tmp, ws) = copy_fixture("clean");
    std::fs::remove_file(ws.join("Cargo.lock")).unwrap();
    let doc = json(&run_in(&ws, &["--offline", "--format", "json"]));
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("no Cargo.lock")),
        "{notes:?}"
    );
    std::fs::remove_file(ws.join("Cargo.lock")).unwrap();
    let out = run_in(&ws, &["--offline", "--locked"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--locked without a lockfile cannot pass"
    );
}
