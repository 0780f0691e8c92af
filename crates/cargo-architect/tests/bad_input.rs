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
        // No lockfile: nothing on disk says what it resolves to.
        assert!(err.contains("cargo generate-lockfile"), "{err}");
    }
}

/// A git host that cannot resolve (`.invalid`), no lockfile: one attempt, not cargo's
/// retries, and the review says to make a lockfile on a trusted machine (with one, the review
/// goes on from it: `review::unreachable_git_dependency_is_reviewed_from_the_lockfile`).
#[test]
fn unresolvable_git_host_without_a_lockfile() {
    let (_tmp, ws) = copy_fixture("git-unreachable");
    for args in [&["--offline"][..], &[][..]] {
        let err = assert_clean_error(&run_in(&ws, args));
        assert!(err.contains("git.invalid"), "{err}");
        assert!(err.contains("cargo generate-lockfile"), "{err}");
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

/// A small package in a temporary directory, with extra files.
fn package(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut all: Vec<(&str, &[u8])> = vec![
        (
            "Cargo.toml",
            b"[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2024\"\nrust-version = \"1.85\"\n",
        ),
        ("src/lib.rs", b"pub fn f() {}\n"),
    ];
    all.extend_from_slice(files);
    for (path, bytes) in all {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    tmp
}

#[test]
fn option_values_out_of_range_name_the_line() {
    for (value, expected) in [
        ("max-share = nan", "a share from 0 to 1, not nan"),
        ("max-share = 5.0", "a share from 0 to 1, not 5.0"),
        ("max-share = -1.0", "a share from 0 to 1, not -1.0"),
        ("min-lines = -5", "a whole number, 0 or more, not -5"),
    ] {
        let config = format!("[rules.\"build/monolith-crate\"]\n{value}\n");
        let tmp = package(&[("architect.toml", config.as_bytes())]);
        let err = assert_clean_error(&run_in(tmp.path(), &["--offline"]));
        assert!(err.contains("architect.toml:2:1"), "{value}: {err}");
        assert!(err.contains(expected), "{value}: {err}");
    }
    let err = assert_clean_error(&run_in(
        package(&[(
            "architect.toml",
            b"[rules.\"build/scale-ceiling\"]\nmax-members = -1\n",
        )])
        .path(),
        &["--offline"],
    ));
    assert!(err.contains("architect.toml:2:1"), "{err}");
}

#[test]
fn configuration_in_the_manifest_must_be_a_table() {
    for value in ["\"x\"", "3", "[\"a\"]"] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("src")).unwrap();
        std::fs::write(tmp.path().join("src/lib.rs"), "").unwrap();
        std::fs::write(
            tmp.path().join("Cargo.toml"),
            format!("[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace.metadata]\narchitect = {value}\n"),
        )
        .unwrap();
        let err = assert_clean_error(&run_in(tmp.path(), &["--offline"]));
        assert!(err.contains("Cargo.toml:7:1"), "{value}: {err}");
        assert!(err.contains("must be a table"), "{value}: {err}");
    }
}

#[test]
fn files_cargo_or_rustup_reject_are_errors_naming_the_line() {
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "rust-toolchain.toml",
            b"[toolchain]\nchannel = \"1.8\xff\"\n",
            "rust-toolchain.toml:2: the file is not UTF-8",
        ),
        (
            "rust-toolchain.toml",
            b"[toolchain]\nchannel = 1.80\n",
            "rust-toolchain.toml:2:1: `channel` must be a string",
        ),
        (
            ".cargo/config.toml",
            b"[build]\n\xfe = 1\n",
            ".cargo/config.toml:2: the file is not UTF-8",
        ),
        // cargo reads the lockfile first, and says so itself.
        (
            "Cargo.lock",
            b"# \xff\n",
            "Cargo.lock\n\nCaused by:\n  stream did not contain valid UTF-8",
        ),
    ];
    for (name, bytes, expected) in cases {
        let tmp = package(&[(name, bytes)]);
        let err = assert_clean_error(&run_in(tmp.path(), &["--offline"]));
        assert!(err.contains(expected), "{name}: {err}");
    }
    let tmp = package(&[("rust-toolchain.toml", b"[toolchain]\nchannel = 1.80\n")]);
    let err = assert_clean_error(&run_in(tmp.path(), &["--offline"]));
    assert!(err.contains("rustup rejects this file too"), "{err}");
}

#[test]
fn a_manifest_that_is_not_utf8_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("Cargo.toml"),
        b"[package]\nname = \"p\"\nversion = \"0.1.0\"\ndescription = \"caf\xe9\"\n",
    )
    .unwrap();
    let err = assert_clean_error(&run_in(tmp.path(), &["--offline"]));
    assert!(err.contains("Cargo.toml:4: the file is not UTF-8"), "{err}");
    assert!(err.contains("save the file as UTF-8"), "{err}");
    assert!(!err.contains("permissions"), "{err}");
}

#[test]
fn saved_metadata_errors_have_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("meta.json");
    std::fs::write(&file, "{\n  \"packages\": [\n    {,\n").unwrap();
    let err = assert_clean_error(&run_in(
        tmp.path(),
        &["--metadata-path", file.to_str().unwrap()],
    ));
    assert!(err.contains("meta.json:3:6"), "{err}");
}

#[test]
fn cargo_errors_name_the_user_s_files() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    std::fs::create_dir_all(ws.join("a/src")).unwrap();
    std::fs::write(ws.join("a/src/lib.rs"), "").unwrap();
    std::fs::write(ws.join("Cargo.toml"), "[workspace]\nmembers = [\"a\"]\n").unwrap();
    std::fs::write(
        ws.join("a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = 2021\n",
    )
    .unwrap();
    let err = assert_clean_error(&run_in(ws, &["--offline"]));
    let member = ws.join("a/Cargo.toml").display().to_string();
    assert!(err.contains(&format!("--> {member}:4:11")), "{err}");
    assert!(
        !err.contains("--> .."),
        "relative to a private directory: {err}"
    );

    std::fs::write(
        ws.join("a/Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nb = { path = \"../b\" }\n",
    )
    .unwrap();
    for args in [&["--offline"][..], &[][..]] {
        let err = assert_clean_error(&run_in(ws, args));
        assert!(
            err.contains("a path dependency's `Cargo.toml` is missing"),
            "{err}"
        );
        assert!(!err.contains("cargo fetch"), "{err}");
    }
}

#[test]
fn impossible_timings_are_refused() {
    let (_tmp, ws) = copy_fixture("registry-ws");
    let report = |body: &str| {
        let path = ws.join("report.html");
        std::fs::write(
            &path,
            format!("<script>\nconst UNIT_DATA = [\n{body}\n];\n</script>"),
        )
        .unwrap();
        path
    };
    for (body, expected) in [
        (
            r#"{"name": "lib", "version": "0.1.0", "target": "", "mode": "todo", "start": 0.0, "duration": -1.5}"#,
            "cargo writes times from 0 to a week",
        ),
        (
            r#"{"name": "lib", "version": "0.1.0", "target": "", "mode": "todo", "start": 0.0, "duration": 1e308}"#,
            "cargo writes times from 0 to a week",
        ),
        (
            r#"{"name": "nothing-here", "version": "9.9.9", "target": "", "mode": "todo", "start": 0.0, "duration": 1.0}"#,
            "none of its 1 units is a unit of this workspace's build",
        ),
    ] {
        let path = report(body);
        let out = architect()
            .current_dir(&ws)
            .args(["build-time", "--offline", "--timings"])
            .arg(&path)
            .output()
            .unwrap();
        let err = assert_clean_error(&out);
        assert!(err.contains(expected), "{body}: {err}");
        assert!(err.contains("report.html"), "{err}");
    }
}

/// A feature of a package that is not a member is a `--features` error with its own help,
/// not a platform one.
#[test]
fn a_feature_of_no_member_is_said_as_such() {
    let (_tmp, ws) = copy_fixture("clean");
    let err = assert_clean_error(&run_in(&ws, &["--offline", "--features", "nope/x"]));
    assert!(err.contains("--features nope/x"), "{err}");
    assert!(err.contains("`nope` is not a workspace member"), "{err}");
    assert!(!err.contains("target triple"), "{err}");
}
