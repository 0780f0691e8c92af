//! The scans stay linear in the file size on hostile input.
//!
//! The measure is the number of token reads the scans make (`analyze_counting`): it does not
//! depend on the machine, so the bounds cannot be flaky. `tests/wall_clock.rs` adds a plain
//! time guard on the two files of the security sweep.

#[path = "common/shapes.rs"]
mod shapes;

use architect_source::{FileFacts, Span, Wanted, analyze_counting, lex};
use proptest::prelude::*;

/// Reads per token no input may exceed. The shapes measure 22 to 32 at both sizes (the table
/// `reads_per_token_are_bounded_and_grow_linearly` prints with `--nocapture`), but for
/// `open_lets`, 81 at both sizes: hundreds of `let`s in one statement stretch, which the
/// OUT_DIR bindings of a build script read in three passes. The property test found it (65
/// reads a token at 86 tokens) after some 60,000 random files had stayed under 64; linear
/// (8.00 times the reads for 8 times the tokens), so the ceiling is 96, not the scan.
const READS_PER_TOKEN: u64 = 96;

/// Token reads and tokens of one analysis with every scan on.
fn reads(text: &str) -> (u64, u64) {
    let (_, reads) = analyze_counting(text, Wanted::BuildScript);
    (reads, lex(text).0.len() as u64)
}

#[test]
fn reads_per_token_are_bounded_and_grow_linearly() {
    let mut failures = Vec::new();
    eprintln!(
        "shape: tokens n, reads/token at n; tokens 8n, reads/token at 8n; reads(8n)/reads(n)"
    );
    for &(name, shape) in shapes::SHAPES {
        let (r1, t1) = reads(&shape(16 << 10));
        let (r8, t8) = reads(&shape(128 << 10));
        let ratio = r8 as f64 / r1.max(1) as f64;
        eprintln!(
            "{name}: {t1} {:.1}; {t8} {:.1}; {ratio:.2}",
            r1 as f64 / (t1 + 1) as f64,
            r8 as f64 / (t8 + 1) as f64,
        );
        assert!(
            (7..=9).contains(&(t8 / t1.max(1))),
            "{name}: the sizes must be n and about 8n tokens ({t1}, {t8})"
        );
        if r1 > READS_PER_TOKEN * (t1 + 1) || r8 > READS_PER_TOKEN * (t8 + 1) || ratio >= 10.0 {
            failures.push(format!("{name}: {r1} reads for {t1} tokens, {r8} for {t8}"));
        }
    }
    assert!(failures.is_empty(), "not linear: {failures:#?}");
}

/// Every byte offset the facts hold is inside the text and on a character boundary.
fn spans_in_bounds(text: &str, f: &FileFacts) -> Result<(), String> {
    let mut spans: Vec<(&str, Span)> = Vec::new();
    spans.extend(f.mods.iter().map(|m| ("mod", m.span)));
    spans.extend(f.includes.iter().map(|m| ("include", m.span)));
    spans.extend(f.unsafes.iter().map(|(_, s)| ("unsafe", *s)));
    spans.extend(f.spawns.iter().map(|s| ("spawn", s.span)));
    spans.extend(f.api_uses.iter().map(|u| ("api use", u.span)));
    spans.extend(f.pub_enums.iter().map(|e| ("enum", e.span)));
    spans.extend(f.hazards.iter().map(|(_, s, _)| ("hazard", *s)));
    spans.extend(f.ffi.iter().map(|(_, s, _)| ("ffi", *s)));
    spans.extend(f.behaviours.iter().map(|(_, s, _)| ("behaviour", *s)));
    if let Some(at) = f.lex_error {
        spans.push(("lex error", Span { start: at, end: at }));
    }
    for (what, s) in spans {
        if !(s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end))
        {
            return Err(format!(
                "{what} span {s:?} in a text of {} bytes",
                text.len()
            ));
        }
    }
    Ok(())
}

/// Pieces of hostile files: each made some scan quadratic, overflow, or index out of range
/// before, or touches an edge (non-ASCII text, unterminated literals, unbalanced brackets).
fn fragment() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "pub",
        "fn",
        "mod",
        "struct",
        "trait",
        "enum",
        "use",
        "let",
        "mut",
        "unsafe",
        "extern",
        "\"C\"",
        "crate",
        "self",
        "super",
        "as",
        "impl",
        "for",
        "Error",
        "derive",
        "repr",
        "C",
        "gen",
        "expr",
        "set_var",
        "env",
        "var",
        "fs",
        "write",
        "File",
        "create",
        "Command",
        "new",
        "static",
        "spawn",
        "tokio",
        "anyhow",
        "instrument",
        "in_scope",
        "include",
        "include_str",
        "core",
        "std",
        "macro_rules",
        "forbid",
        "unsafe_code",
        "non_exhaustive",
        "path",
        "OUT_DIR",
        "out_dir",
        "é",
        "日本",
        "r#type",
        "'a",
        "'x'",
        "1.5e3",
        "b\"x\"",
        "\"ü.rs\"",
        "r#\"x\"#",
        "\"a\\q\"",
        "\"\\u{D800}\"",
        "$",
        "_",
    ]);
    let punct = prop::sample::select(vec![
        "(", ")", "[", "]", "{", "}", ";", ",", "::", ":", "#", "!", "&", ".", "=", "<", ">", "|",
        "->", "\"", "'", "/*", "*/", "//", "\n",
    ]);
    prop_oneof![
        (1..40usize).prop_map(|k| format!("{}x{}", "tokio::spawn(".repeat(k), ")".repeat(k))),
        (1..40usize).prop_map(|k| "tokio::spawn(a.instrument(".repeat(k)),
        "[a-z]{1,3}".prop_map(|n| format!("use tokio::{n} as {n}; pub fn f() -> {n} {{}}\n")),
        (1..30usize).prop_map(|k| format!(
            "use a::{{{}x, self, y as z{}}};",
            "b::{".repeat(k),
            "}".repeat(k)
        )),
        (1..30usize).prop_map(|k| format!(
            "{}#[path = \"p\\u{{61}}.rs\"] mod d; pub fn f() -> tokio::X {{}}{}",
            "mod m { ".repeat(k),
            "}".repeat(k)
        )),
        (1..20usize).prop_map(|k| "#[derive(Debug, Error, #[repr(C, #[non_exhaustive(".repeat(k)),
        (1..20usize).prop_map(|k| "#![forbid(unsafe_code, #[instrument(".repeat(k)),
        (1..20usize).prop_map(|k| format!(
            "{}OUT_DIR; fs::write(a0, \"x\");",
            "let mut a0 = ".repeat(k)
        )),
        (1..20usize).prop_map(|k| format!(
            "pub struct S {{ {} }}",
            "pub f: (tokio::X, [u8; 2]), ".repeat(k)
        )),
        (1..20usize).prop_map(|k| format!(
            "pub trait T {{ {} }}",
            "fn f(&self) -> anyhow::Error; ".repeat(k)
        )),
        (1..20usize).prop_map(|k| "pub fn a() -> tokio::X pub struct S ".repeat(k)),
        (1..20usize)
            .prop_map(|k| format!("macro_rules! m {{ {} }}", "($e:expr) => {}; ".repeat(k))),
        (1..20usize).prop_map(|k| format!(
            "use crate::{{{}z{}}};",
            "a, crate::{".repeat(k),
            "}".repeat(k)
        )),
        (1..20usize).prop_map(|k| format!("{}\"x.rs\"{}", "include!(".repeat(k), ",)".repeat(k))),
        Just(
            "::core::include!(r\"a.rs\"); std::include!(\"\\x62.rs\",); include!(concat!(\"a\"));"
                .to_string()
        ),
        Just(
            "std::env::set_var(\"K\", 1); static mut S: u8 = 0; &mut S; extern \"C\" {}"
                .to_string()
        ),
        prop::collection::vec(words, 1..12).prop_map(|v| v.join(" ")),
        prop::collection::vec(punct, 1..12).prop_map(|v| v.concat()),
    ]
}

/// Fragments in sequence, some wrapped in brackets (not always closed).
fn file() -> impl Strategy<Value = String> {
    let leaf = prop::collection::vec(fragment(), 1..6).prop_map(|v| v.join(" "));
    leaf.prop_recursive(4, 64, 8, |inner| {
        (
            prop::sample::select(vec![
                ("(", ")"),
                ("[", "]"),
                ("{", "}"),
                ("{", ""),
                ("", ")"),
            ]),
            prop::collection::vec(inner, 1..4),
        )
            .prop_map(|((open, close), parts)| format!("{open}{}{close}", parts.join(" ")))
    })
}

proptest! {
    // Debug builds run this in CI: 200 cases take about a second. A failure prints the input
    // (shrunk); nothing is written next to the sources.
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_files_never_panic_read_linearly_and_give_spans_in_bounds(text in file()) {
        let tokens = lex(&text).0.len() as u64;
        for wanted in [Wanted::BuildScript, Wanted::ModsAndUnsafe] {
            let (facts, reads) = analyze_counting(&text, wanted);
            prop_assert!(
                reads <= READS_PER_TOKEN * (tokens + 1),
                "{reads} reads for {tokens} tokens"
            );
            if let Err(e) = spans_in_bounds(&text, &facts) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
