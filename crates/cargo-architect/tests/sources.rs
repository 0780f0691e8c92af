//! The source pass end to end on `fixtures/source-rules`: what each code rule finds, what it
//! must not, and byte-identical output whatever the thread count.

mod common;

use common::*;

fn review(ws: &std::path::Path, threads: &str) -> (String, serde_json::Value) {
    let out = architect()
        .current_dir(ws)
        .env("RAYON_NUM_THREADS", threads)
        .args(["--offline", "--format", "json", "--advisory-db"])
        .arg(fixture_advisory_db())
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
    let doc = json(&out);
    validate(&doc);
    (stdout(&out), doc)
}

fn messages(doc: &serde_json::Value, rule: &str) -> Vec<String> {
    findings(doc, rule)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn code_rules_on_the_fixture() {
    let (tmp, ws) = copy_fixture("source-rules");
    let (text, doc) = review(&ws, "2");
    insta::assert_snapshot!("source_rules_json", filter(&text, tmp.path()));

    // Spawns: the handle's spawn, spawn_blocking, the one inside a macro, the crate's helper,
    // async-std's and smol's, a JoinSet's, a handle field's, the test's; not the instrumented
    // ones, not the call of an #[instrument]ed fn, not threads, processes, ECS entities or
    // rayon scopes, not the helper's definition, not the crate without tracing of its own;
    // tasks that can log (a callback, an event, a logging function), not the quiet ones
    // next to them (a channel send, a silent function, a blocking read).
    // One finding for the crate; JSON keeps every site.
    let spawns = findings(&doc, "async/untraced-spawn");
    assert_eq!(spawns.len(), 1);
    let at: Vec<String> = spawns[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}:{}", l["path"].as_str().unwrap(), l["line"]))
        .collect();
    assert_eq!(
        at,
        [
            "svc/src/lib.rs:24",
            "svc/src/lib.rs:27",
            "svc/src/lib.rs:65",
            "svc/src/spawns.rs:24",
            "svc/src/spawns.rs:25",
            "svc/src/spawns.rs:26",
            "svc/src/spawns.rs:28",
            "svc/src/spawns.rs:29",
            "svc/src/spawns.rs:30",
            "svc/src/spawns.rs:38",
            "svc/src/spawns.rs:40",
            "svc/src/spawns.rs:42"
        ]
    );

    assert_eq!(
        messages(&doc, "async/runtime-in-public-api"),
        [
            "`svc` exposes tokio types in 3 public items: `trait Source::receiver` (`Receiver`), `fn start` (`tokio::runtime::Handle`), `field Server::runtime` (`tokio::runtime::Runtime`)",
        ]
    );
    assert_eq!(messages(&doc, "errors/anyhow-in-library-api").len(), 1);
    let errors = findings(&doc, "errors/exhaustive-public-error");
    assert_eq!(errors.len(), 1, "one finding for the crate: {errors:?}");
    assert_eq!(
        errors[0]["notes"].as_array().unwrap().len(),
        2,
        "{errors:?}"
    );
    let errors = messages(&doc, "errors/exhaustive-public-error");
    assert!(errors.iter().all(|m| !m.contains("FineError")));

    let hazards = findings(&doc, "evolution/edition-2024-hazards");
    assert_eq!(
        hazards.len(),
        3,
        "set_var, a static mut reference, an if-let guard"
    );
    assert!(hazards.iter().all(|f| f["packages"][0]["name"] == "legacy"));
    assert!(hazards.iter().all(|f| f["level"] == "warn"));
    let automatic = findings(&doc, "evolution/edition-2024-automatic");
    assert_eq!(automatic.len(), 1, "one count for the workspace");
    assert_eq!(automatic[0]["level"], "info");
    assert!(
        automatic[0]["message"]
            .as_str()
            .unwrap()
            .contains("7 sites in 1 crate")
    );

    assert_eq!(
        messages(&doc, "interop/ffi-surface"),
        // Its one `extern` block imports a platform function with plain values: a note.
        ["`legacy` exports 1 C symbol under fixed names: `legacy_answer`"]
    );
    // One warning for what reaches outside the build (each occurrence a location), the rest
    // in the inventory; not the OUT_DIR write.
    let behaviour = findings(&doc, "supply-chain/build-script-behaviour");
    assert_eq!(behaviour.len(), 1);
    assert_eq!(behaviour[0]["level"], "warn");
    let at: Vec<&str> = behaviour[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        ["builder/build.rs", "builder/build.rs"],
        "network, write outside OUT_DIR"
    );
    let inventory = findings(&doc, "supply-chain/build-script");
    assert_eq!(inventory.len(), 1);
    let message = inventory[0]["message"].as_str().unwrap();
    assert!(
        message.contains("1 runs programs (`builder`)")
            && message.contains("1 reads undeclared environment variables (`builder`)"),
        "{message}"
    );

    let unreadable = messages(&doc, "source/unreadable");
    assert!(
        unreadable
            .iter()
            .any(|m| m.contains("latin1.rs") && m.contains("not UTF-8"))
    );
    assert!(
        unreadable
            .iter()
            .any(|m| m.contains("module `missing` has no file"))
    );
    assert!(
        unreadable
            .iter()
            .any(|m| m.contains("1 `.rs` file in its module directories that no module declares"))
    );

    // Lines of code come from the module trees: orphan.rs is not counted.
    assert!(doc["facts"]["lines_of_rust_workspace"].as_u64().unwrap() > 50);
}

#[test]
fn identical_output_with_one_thread_or_many() {
    let (tmp, ws) = copy_fixture("source-rules");
    let (one, _) = review(&ws, "1");
    let (many, _) = review(&ws, "8");
    assert_eq!(filter(&one, tmp.path()), filter(&many, tmp.path()));
    let (tmp2, ks) = copy_fixture("kitchen-sink");
    let (one, _) = review(&ks, "1");
    let (many, _) = review(&ks, "8");
    assert_eq!(filter(&one, tmp2.path()), filter(&many, tmp2.path()));
}

#[test]
fn human_output_shows_the_source_line() {
    let (tmp, ws) = copy_fixture("source-rules");
    let out = run_in(&ws, &["--offline"]);
    let text = filter(&stdout(&out), tmp.path());
    assert!(text.contains("warn[async/untraced-spawn]"), "{text}");
    assert!(
        text.contains("    handle.spawn(async move { serve().await });"),
        "{text}"
    );
}

/// A file that a library and an integration test both reach (`#[path]`) is the library's, at
/// any thread count: its `unsafe` block is shipped code. Targets of one package are walked
/// library first, so which target owns a shared file never depends on scheduling.
#[test]
fn a_file_the_library_and_a_test_share_is_the_librarys() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    tree(
        ws,
        &[
            ("Cargo.toml", &package_manifest("lib1")),
            ("src/lib.rs", "pub mod shared;\n"),
            (
                "src/shared.rs",
                "pub fn f(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n",
            ),
            (
                "tests/a.rs",
                "#[path = \"../src/shared.rs\"]\nmod shared;\n",
            ),
            (
                "tests/b.rs",
                "#[path = \"../src/shared.rs\"]\nmod shared;\n",
            ),
        ],
    );
    review(ws, "1"); // writes the lockfile, which the note of the first review mentions
    let mut outputs = Vec::new();
    for threads in ["1", "2", "8"] {
        let (text, doc) = review(ws, threads);
        let unsafe_sites: Vec<String> = findings(&doc, "safety/unsafe-inventory")
            .iter()
            .flat_map(|f| f["locations"].as_array().unwrap().iter())
            .map(|l| format!("{}:{}", l["path"].as_str().unwrap(), l["line"]))
            .collect();
        assert_eq!(unsafe_sites, ["src/shared.rs:2"], "{threads} threads");
        outputs.push(text);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

/// A module whose file `#[cfg_attr(PRED, path = "..")]` names: the alternative that holds on
/// the reviewed platform is compiled and sized, the others are read as cfg-off modules, and
/// none is a stray file or a module without a file.
/// `lib1 0.1.0`'s unit in `build-time --format json` of the workspace at `ws`.
fn lib1_unit(ws: &std::path::Path) -> serde_json::Value {
    let out = architect()
        .current_dir(ws)
        .args(["build-time", "--offline", "--format", "json"])
        .output()
        .unwrap();
    json(&out)["unit_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "lib1 0.1.0")
        .unwrap()
        .clone()
}

#[test]
fn cfg_attr_paths_choose_the_module_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let many = |n: usize| "pub fn f() {}\n".repeat(n);
    tree(
        ws,
        &[
            ("Cargo.toml", &package_manifest("lib1")),
            (
                "src/lib.rs",
                "#[cfg_attr(unix, path = \"sys/unix.rs\")]\n#[cfg_attr(windows, path = \"sys/windows.rs\")]\npub mod sys;\n",
            ),
            ("src/sys/unix.rs", &many(40)),
            ("src/sys/windows.rs", &many(7)),
        ],
    );
    let (_, doc) = review(ws, "1");
    assert!(messages(&doc, "source/unreadable").is_empty(), "{doc}");
    let lib = lib1_unit(ws);
    let expected = if cfg!(windows) { 7 + 3 } else { 40 + 3 };
    assert_eq!(lib["size"]["lines"], expected, "{lib}");
}

#[test]
fn modules_declared_in_a_macro_are_read_where_it_is_invoked() {
    // serde_core's shape: `crate_root!()`, defined in `crate_root.rs`, declares the crate's
    // modules; rustc looks for their files where the macro is expanded (`lib.rs`), not next
    // to the definition.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let many = |n: usize| "pub fn f() {}\n".repeat(n);
    tree(
        ws,
        &[
            ("Cargo.toml", &package_manifest("lib1")),
            (
                "src/lib.rs",
                "#[macro_use]\nmod crate_root;\ncrate_root!();\n",
            ),
            (
                "src/crate_root.rs",
                "macro_rules! crate_root {\n    () => {\n        pub mod de;\n        #[cfg(feature = \"never\")]\n        mod off;\n    };\n}\n",
            ),
            ("src/de/mod.rs", &many(30)),
            ("src/off.rs", &many(9)),
        ],
    );
    let (_, doc) = review(ws, "1");
    assert!(messages(&doc, "source/unreadable").is_empty(), "{doc}");
    assert!(
        messages(&doc, "source/not-in-module-tree").is_empty(),
        "{doc}"
    );
    let lib = lib1_unit(ws);
    // lib.rs 3 lines, crate_root.rs 7 (less the 2 of `off`, cfg'd out), de 30.
    assert_eq!(lib["size"]["lines"], 3 + 7 - 2 + 30, "{lib}");
}

#[test]
fn a_crate_is_sized_by_the_code_its_features_compile() {
    // tokio's and hyper's shapes: modules and items inside the crate's own `cfg_*!`
    // wrappers, `#[cfg(feature)]` items, `cfg_if!` branches and inline tests. Only what the
    // enabled features compile counts; a module declared twice under opposite conditions is
    // read as the compiled one, whatever the thread count.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let many = |n: usize| "pub fn f() {}\n".repeat(n);
    let manifest = format!(
        "{}\n[features]\ndefault = [\"rt\"]\nrt = []\nnet = []\n",
        package_manifest("lib1")
    );
    tree(
        ws,
        &[
            ("Cargo.toml", &manifest),
            (
                "src/lib.rs",
                concat!(
                    "#[macro_use]\nmod cfg;\n",
                    "cfg_rt! {\n    pub mod rt;\n}\n",
                    "cfg_net! {\n    pub mod net;\n}\n",
                    "#[cfg(feature = \"net\")]\nmod shared;\n",
                    "#[cfg(not(feature = \"net\"))]\nmod shared;\n",
                    "#[cfg(feature = \"net\")]\npub fn gated() {}\n",
                    "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n",
                ),
            ),
            (
                "src/cfg.rs",
                concat!(
                    "macro_rules! cfg_rt {\n    ($($item:item)*) => { $( #[cfg(feature = \"rt\")] $item )* }\n}\n",
                    "macro_rules! cfg_net {\n    ($($item:item)*) => { $( #[cfg(feature = \"net\")] $item )* }\n}\n",
                ),
            ),
            ("src/rt.rs", &many(20)),
            // A wrapper inside a module the features leave out: read, as cfg-off.
            (
                "src/net.rs",
                &format!("cfg_rt! {{\n    mod inner;\n}}\n{}", many(47)),
            ),
            ("src/net/inner.rs", &many(9)),
            ("src/shared.rs", &many(4)),
        ],
    );
    let sizes: Vec<serde_json::Value> = (0..3).map(|_| lib1_unit(ws)["size"].clone()).collect();
    // lib.rs: 18 lines, of which the `cfg_net!` block (3), the `net` declaration of
    // `shared` (2), `gated` (2) and the tests (4) do not compile; cfg.rs 6; rt 20; shared 4;
    // not net.
    assert_eq!(
        sizes[0]["lines"],
        18 - 3 - 2 - 2 - 4 + 6 + 20 + 4,
        "{}",
        sizes[0]
    );
    assert_eq!(sizes[0]["fns"], 24, "{}", sizes[0]);
    assert!(sizes.iter().all(|s| s == &sizes[0]), "{sizes:?}");
    // The review still reads the modules the features leave out, as cfg-off, and what they
    // declare inside wrappers.
    let (_, doc) = review(ws, "1");
    assert!(messages(&doc, "source/unreadable").is_empty(), "{doc}");
    assert!(
        messages(&doc, "source/not-in-module-tree").is_empty(),
        "{doc}"
    );
}
