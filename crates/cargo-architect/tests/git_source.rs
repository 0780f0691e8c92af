//! Git dependencies, against a real git repository made on the spot (no network).

mod common;

use common::*;

#[test]
fn branch_and_rev_git_dependencies() {
    if !have_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let upstream = tmp.path().join("upstream");
    std::fs::create_dir_all(upstream.join("src")).unwrap();
    std::fs::write(
        upstream.join("Cargo.toml"),
        "[package]\nname = \"upstream\"\nversion = \"0.3.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(upstream.join("src/lib.rs"), "").unwrap();
    git(&upstream, &["init", "-q"]);
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-qm", "init"]);
    let rev = git(&upstream, &["rev-parse", "HEAD"]);
    git(&upstream, &["tag", "v0.3.0"]);

    let ws = tmp.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let url = format!("file://{}", upstream.display());
    let write = |dep: &str| {
        std::fs::write(
            ws.join("Cargo.toml"),
            format!("[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{dep}\n"),
        )
        .unwrap()
    };
    // Cargo fetches file:// git sources into CARGO_HOME; keep that inside the temp dir.
    let home = tmp.path().join("cargo-home");
    let review = || {
        let out = architect()
            .current_dir(&ws)
            .env("CARGO_HOME", &home)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        json(&out)
    };

    write(&format!("upstream = {{ git = \"{url}\" }}"));
    let doc = review();
    let f = findings(&doc, "supply-chain/git-source");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["level"], "warn");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("follows the default branch")
    );
    assert_eq!(f[0]["locations"][0]["path"], "Cargo.toml");
    assert_eq!(f[0]["locations"][0]["line"], 7);
    assert_eq!(doc["facts"]["git_dependencies"][0]["name"], "upstream");
    assert!(findings(&doc, "supply-chain/pinned-git-source").is_empty());

    std::fs::remove_file(ws.join("Cargo.lock")).unwrap();
    write(&format!(
        "upstream = {{ git = \"{url}\", rev = \"{rev}\" }}"
    ));
    let doc = review();
    assert!(findings(&doc, "supply-chain/git-source").is_empty());
    let f = findings(&doc, "supply-chain/pinned-git-source");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["level"], "info", "pinned to a rev");

    std::fs::remove_file(ws.join("Cargo.lock")).unwrap();
    write(&format!(
        "upstream = {{ git = \"{url}\", tag = \"v0.3.0\" }}"
    ));
    let doc = review();
    let f = findings(&doc, "supply-chain/git-source");
    assert_eq!(f[0]["level"], "warn", "a tag can be moved");
    assert!(f[0]["message"].as_str().unwrap().contains("tag `v0.3.0`"));
}
