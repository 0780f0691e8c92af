//! Reads a hostile repository controls: files that are FIFOs or devices, files outside the
//! workspace reached through `#[path]`, symlinks or a target path, and files padded past the
//! scan limit to hide what they hold.
//!
//! Each test first shows that the vector is live (a control: what a plain read, a size check
//! or rustc itself does with the file), then that the review finishes, reads nothing it must
//! not, and says what it could not see.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// A review must finish well within this, whatever the repository holds.
const DEADLINE: Duration = Duration::from_secs(60);

fn package(root: &Path, lib: &str) {
    tree(
        root,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            ("src/lib.rs", lib),
        ],
    );
}

/// `mkfifo PATH`; `false` (with the reason printed) where there is no mkfifo.
fn mkfifo(path: &Path) -> bool {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
    }
    made
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Control: a plain read of a FIFO nobody writes to does not return (`timeout 2 cat`).
fn plain_read_blocks(fifo: &Path) -> bool {
    Command::new("timeout")
        .arg("2")
        .arg("cat")
        .arg(fifo)
        .status()
        .is_ok_and(|s| s.code() == Some(124))
}

/// Run the review from outside the checkout, within [`DEADLINE`].
fn review(outside: &Path, extra: &[&str]) -> std::process::Output {
    let start = Instant::now();
    let mut cmd = architect();
    cmd.current_dir(outside)
        .timeout(DEADLINE)
        .args(["--offline", "--advisory-db"])
        .arg(fixture_advisory_db())
        .args(extra);
    let out = cmd.output().unwrap();
    assert!(
        start.elapsed() < DEADLINE,
        "the review did not finish: {}",
        stderr(&out)
    );
    out
}

fn manifest_arg(ws: &Path) -> Vec<String> {
    vec![
        "--manifest-path".into(),
        ws.join("Cargo.toml").display().to_string(),
    ]
}

fn args<'a>(v: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    v.iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .collect()
}

#[test]
fn a_fifo_module_is_reported_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    package(&ws, "mod stuck;\npub fn f() {}\n");
    if !mkfifo(&ws.join("src/stuck.rs")) {
        return;
    }
    assert!(plain_read_blocks(&ws.join("src/stuck.rs")), "control");
    let m = manifest_arg(&ws);
    let out = review(tmp.path(), &args(&m, &["--format", "json"]));
    let doc = json(&out);
    let unreadable = findings(&doc, "source/unreadable");
    assert!(
        unreadable.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("`src/stuck.rs`: not read: it is a FIFO, not a regular file")),
        "{unreadable:?}"
    );
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    assert!(
        unsafe_[0]["message"]
            .as_str()
            .unwrap()
            .contains("whether it has unsafe code is unknown"),
        "a file not read makes the claim unknown: {unsafe_:?}"
    );
}

/// Every configuration file the review reads, as a FIFO and as a link to `/dev/zero`: a clear
/// error naming the file, in time.
#[cfg(unix)]
#[test]
fn fifos_and_devices_as_configuration_are_errors_naming_the_file() {
    // Control: the size `metadata()` reports for /dev/zero is 0, so a size cap on it passes,
    // and a read of it never ends (one capped at 1 MiB here fills the cap).
    assert_eq!(std::fs::metadata("/dev/zero").unwrap().len(), 0);
    let mut buf = Vec::new();
    use std::io::Read;
    std::fs::File::open("/dev/zero")
        .unwrap()
        .take(1 << 20)
        .read_to_end(&mut buf)
        .unwrap();
    assert_eq!(buf.len(), 1 << 20);

    for name in [
        "architect.toml",
        "rust-toolchain.toml",
        "rust-toolchain",
        ".cargo/config.toml",
        ".cargo/config",
        "Cargo.lock",
    ] {
        for kind in ["fifo", "zero"] {
            let tmp = tempfile::tempdir().unwrap();
            let ws = tmp.path().join("ws");
            package(&ws, "pub fn f() {}\n");
            let path = ws.join(name);
            match kind {
                "fifo" => {
                    if !mkfifo(&path) {
                        return;
                    }
                }
                _ => symlink("/dev/zero", &path),
            }
            let m = manifest_arg(&ws);
            let out = review(tmp.path(), &args(&m, &[]));
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} as {kind}: {}",
                stderr(&out)
            );
            let err = stderr(&out);
            assert!(err.contains(name), "{name} as {kind}: {err}");
            assert!(
                err.contains("not a regular file")
                    || err.contains("FIFO")
                    || err.contains("device"),
                "{name} as {kind}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_given_on_the_command_line_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    package(&ws, "pub fn f() {}\n");
    let fifo = tmp.path().join("report.fifo");
    if !mkfifo(&fifo) {
        return;
    }
    let m = manifest_arg(&ws);
    for input in [fifo.display().to_string(), "/dev/zero".to_string()] {
        let out = review(tmp.path(), &["--metadata-path", &input]);
        assert_eq!(out.status.code(), Some(2), "{input}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );

        let mut cmd = architect();
        cmd.current_dir(tmp.path())
            .timeout(DEADLINE)
            .args(["build-time", "--offline", "--timings", &input])
            .args(&m);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{input}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_fifo_member_manifest_is_refused_before_cargo_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        &ws,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"m\"]\n"),
            ("m/src/lib.rs", ""),
        ],
    );
    if !mkfifo(&ws.join("m/Cargo.toml")) {
        return;
    }
    // Control: cargo itself waits forever on it.
    let control = Command::new("timeout")
        .args([
            "3",
            env!("CARGO"),
            "metadata",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(ws.join("Cargo.toml"))
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert_eq!(
        control.code(),
        Some(124),
        "cargo metadata should hang on a FIFO manifest"
    );
    let m = manifest_arg(&ws);
    let out = review(tmp.path(), &args(&m, &[]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("m/Cargo.toml"), "{}", stderr(&out));
}

#[test]
fn cargo_metadata_has_a_deadline() {
    // A member outside the directories checked before cargo runs (a path dependency above the
    // workspace) that is a FIFO: only the deadline stops cargo.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        &ws,
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nelsewhere = { path = \"../elsewhere\" }\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    if !mkfifo(&tmp.path().join("elsewhere/Cargo.toml")) {
        return;
    }
    let m = manifest_arg(&ws);
    let start = Instant::now();
    let mut cmd = architect();
    cmd.current_dir(tmp.path())
        .timeout(DEADLINE)
        .env("CARGO_ARCHITECT_TIMEOUT", "3")
        .arg("--offline")
        .args(&m);
    let out = cmd.output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did not finish within 3 s"), "{err}");
    assert!(err.contains("CARGO_ARCHITECT_TIMEOUT"), "{err}");
}

/// Every output format of a review, concatenated.
fn all_formats(outside: &Path, ws: &Path) -> String {
    let m = manifest_arg(ws);
    ["human", "json", "markdown", "sarif", "github"]
        .iter()
        .map(|f| stdout(&review(outside, &args(&m, &["--format", f, "-v"]))))
        .collect()
}

#[cfg(unix)]
#[test]
fn files_outside_the_workspace_are_named_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    // What the review must never show: an item name from a file outside the workspace.
    tree(
        tmp.path(),
        &[(
            "secret.rs",
            "pub fn top_secret_item_name() { unsafe { std::hint::unreachable_unchecked() } }\n",
        )],
    );
    let secret = tmp.path().join("secret.rs").display().to_string();
    package(
        &ws,
        &format!(
            "#[path = \"../../secret.rs\"]\nmod relative;\n#[path = \"{secret}\"]\nmod absolute;\nmod linked;\n"
        ),
    );
    symlink(&secret, &ws.join("src/linked.rs"));
    // Control: rustc reads all three (it reports the same function three times over).
    let rustc = Command::new("rustc")
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--emit",
            "metadata",
            "-o",
        ])
        .arg(tmp.path().join("out.rmeta"))
        .arg(ws.join("src/lib.rs"))
        .env_remove("RUSTUP_TOOLCHAIN")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        rustc.status.success(),
        "{}",
        String::from_utf8_lossy(&rustc.stderr)
    );

    let text = all_formats(tmp.path(), &ws);
    assert!(
        !text.contains("top_secret_item_name"),
        "content of an out-of-tree file leaked"
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let out_of_tree: Vec<String> = findings(&doc, "source/out-of-tree")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(out_of_tree.len(), 3, "{out_of_tree:?}");
    assert!(
        out_of_tree.iter().all(|m| m.contains(&secret)),
        "{out_of_tree:?}"
    );
    assert!(
        out_of_tree
            .iter()
            .any(|m| m.contains("through `src/linked.rs`"))
    );
    for f in findings(&doc, "source/out-of-tree") {
        assert_eq!(f["level"], "warn");
        assert_eq!(f["locations"][0]["path"], "src/lib.rs", "{f}");
    }
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    assert!(
        unsafe_[0]["message"].as_str().unwrap().contains("unknown"),
        "{unsafe_:?}"
    );
}

#[test]
fn a_target_path_outside_the_workspace_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        tmp.path(),
        &[
            ("outside/lib.rs", "pub fn top_secret_item_name() {}\n"),
            (
                "ws/Cargo.toml",
                "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[lib]\npath = \"../outside/lib.rs\"\n",
            ),
        ],
    );
    let text = all_formats(tmp.path(), &ws);
    assert!(!text.contains("top_secret_item_name"));
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let f = findings(&doc, "source/out-of-tree");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("the target's root file")
    );
    // Never `//tmp/...`: a path outside the workspace is shown as it is.
    assert!(!doc.to_string().contains("\"//"), "{doc}");
}

/// A file padded past the scan limit with a comment: what it hides is unknown, never "none".
#[test]
fn padding_past_the_scan_limit_makes_claims_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let padding = format!("// {}\n", "x".repeat(9 << 20));
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            (
                "src/lib.rs",
                &format!("{padding}pub fn f() {{ unsafe {{}} }}\n"),
            ),
            (
                "build.rs",
                &format!(
                    "{padding}fn main() {{ std::process::Command::new(\"curl\").status().unwrap(); }}\n"
                ),
            ),
        ],
    );
    // Control: rustc compiles the padded file and sees its unsafe block.
    let rustc = Command::new("rustc")
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--emit",
            "metadata",
            "-D",
            "unsafe-code",
            "-o",
        ])
        .arg(tmp.path().join("out.rmeta"))
        .arg(ws.join("src/lib.rs"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&rustc.stderr).contains("usage of an `unsafe` block"),
        "control: rustc sees the unsafe block past the padding"
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    let message = unsafe_[0]["message"].as_str().unwrap();
    assert!(!message.contains("no unsafe code"), "{message}");
    assert!(message.contains("unknown"), "{message}");
    let behaviour = findings(&doc, "supply-chain/build-script-behaviour");
    assert!(
        behaviour.iter().any(|f| f["level"] == "warn"
            && f["message"].as_str().unwrap().contains("not read in full")
            && f["message"].as_str().unwrap().contains("is unknown")),
        "{behaviour:?}"
    );
}

/// `include!("evil.rs")` in a build script is followed like a module.
#[test]
fn an_included_file_is_read_like_a_module() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        &ws,
        &[
            ("Cargo.toml", &package_manifest("victim")),
            ("src/lib.rs", "include!(\"inner.rs\");\n"),
            ("src/inner.rs", "pub fn f() { unsafe {} }\n"),
            ("build.rs", "include!(\"evil.rs\");\n"),
            (
                "evil.rs",
                "fn main() { std::process::Command::new(\"curl\").arg(\"https://example.com\").status().unwrap(); }\n",
            ),
        ],
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let inventory: Vec<String> = findings(&doc, "supply-chain/build-script")
        .iter()
        .flat_map(|f| f["notes"].as_array().unwrap().clone())
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert!(
        inventory
            .iter()
            .any(|n| n.starts_with("run programs") && n.contains("evil.rs:1: curl")),
        "{inventory:?}"
    );
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    assert!(
        unsafe_[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 unsafe item"),
        "{unsafe_:?}"
    );
    let stray: Vec<_> = findings(&doc, "source/unreadable")
        .into_iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("no module tree reaches")
        })
        .collect();
    assert!(stray.is_empty(), "included files are compiled: {stray:?}");
}

/// `#[path]` literals are read as rustc reads them: escapes processed.
#[test]
fn path_attributes_are_unescaped_as_rustc_does() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    package(
        &ws,
        "#[path = \"escaped\\u{5f}name\\x2ers\"]\nmod a;\n#[path = \"bad\\q.rs\"]\nmod b;\n",
    );
    tree(
        &ws,
        &[("src/escaped_name.rs", "pub fn f() { unsafe {} }\n")],
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    assert!(
        unsafe_[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 unsafe item"),
        "the unescaped path is the module's file: {unsafe_:?}"
    );
    let unreadable: Vec<&str> = findings(&doc, "source/unreadable")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        unreadable
            .iter()
            .any(|m| m.contains("module `b` has a `#[path]` literal rustc rejects")),
        "{unreadable:?}"
    );
}

/// An advisory file that is a FIFO or a link to `/dev/zero`: that advisory is reported as
/// unreadable, the others are used, and the review finishes.
#[cfg(unix)]
#[test]
fn a_fifo_or_device_in_the_advisory_database_costs_one_advisory() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    package(&ws, "pub fn f() {}\n");
    let db = tmp.path().join("db");
    copy_dir(&fixture_advisory_db(), &db);
    if !mkfifo(&db.join("crates/x/RUSTSEC-2099-9998.md")) {
        return;
    }
    symlink("/dev/zero", &db.join("crates/y/RUSTSEC-2099-9997.md"));
    let m = manifest_arg(&ws);
    let mut cmd = architect();
    cmd.current_dir(tmp.path())
        .timeout(DEADLINE)
        .args(["--offline", "--format", "json", "--advisory-db"])
        .arg(&db)
        .args(&m);
    let out = cmd.output().unwrap();
    let doc = json(&out);
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("2 of the advisory database's files could not be read"),
        "{notes}"
    );
    let readable = walkdir_count(&fixture_advisory_db().join("crates"))
        + walkdir_count(&fixture_advisory_db().join("rust"));
    assert_eq!(
        doc["facts"]["advisories"]["in_database"], readable,
        "the other {readable} advisories were read: {}",
        doc["facts"]["advisories"]
    );
}

/// A `#[path]` module whose file is not there (tests left out of a published crate) is a
/// module a cfg excludes, as `mod name;` without a file is: it makes nothing unknown.
#[test]
fn a_missing_path_module_is_not_a_blind_spot() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    package(
        &ws,
        "pub fn f() {}\n#[cfg(test)]\n#[path = \"tests/gone.rs\"]\nmod tests;\n",
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(tmp.path(), &args(&m, &["--format", "json"])));
    let unsafe_ = findings(&doc, "safety/unsafe-inventory");
    assert_eq!(
        unsafe_[0]["message"], "1 crate has no unsafe code but does not forbid it: `victim`",
        "{unsafe_:?}"
    );
    let unreadable = findings(&doc, "source/unreadable");
    assert!(
        unreadable[0]["message"]
            .as_str()
            .unwrap()
            .contains("`src/tests/gone.rs`: does not exist; a cfg may exclude the module"),
        "{unreadable:?}"
    );
}

/// A dependency whose sources are not on disk (`--deps` before `cargo fetch`): what it holds
/// is unknown, and the review says how to get it.
#[test]
fn a_dependency_not_on_disk_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tree(
        tmp.path(),
        &[
            (
                "ws/Cargo.toml",
                "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nelsewhere = { path = \"../elsewhere\" }\n",
            ),
            ("ws/src/lib.rs", "pub fn f() {}\n"),
            (
                "elsewhere/Cargo.toml",
                "[package]\nname = \"elsewhere\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[lib]\npath = \"src/lib.rs\"\n",
            ),
        ],
    );
    let m = manifest_arg(&ws);
    let doc = json(&review(
        tmp.path(),
        &args(&m, &["--deps", "--format", "json"]),
    ));
    let unsafe_: Vec<&str> = findings(&doc, "safety/unsafe-inventory")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        unsafe_.iter().any(|m| m.starts_with(
            "`elsewhere 0.1.0`: whether it has unsafe code is unknown: 1 file was not scanned"
        )),
        "{unsafe_:?}"
    );
    assert!(
        doc["notes"]
            .to_string()
            .contains("`cargo fetch` brings missing sources"),
        "{}",
        doc["notes"]
    );
}

/// The advisory files under `dir`, counted.
fn walkdir_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                walkdir_count(&p)
            } else {
                usize::from(p.extension().is_some_and(|e| e == "md"))
            }
        })
        .sum()
}
