//! The Rust source scanner (`architect_source::analyze`), with every `Wanted`.
//!
//! Besides not panicking, the facts must be usable by the rules and renderers, which slice the
//! text with them: every span lies within the text, starts before it ends, and falls on
//! character boundaries; the offset of a lex error is a character boundary within the text.

#![no_main]

use architect_source::{FileFacts, Span, Wanted, analyze};
use libfuzzer_sys::fuzz_target;

const ALL_WANTED: [Wanted; 4] = [
    Wanted::All,
    Wanted::BuildScript,
    Wanted::ModsAndUnsafe,
    Wanted::ModsUnsafeAndMetrics,
];

fuzz_target!(|data: &[u8]| {
    // The loader refuses a source file that is not UTF-8 (rustc would) before scanning it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for wanted in ALL_WANTED {
        let facts = analyze(text, wanted);
        check_offsets(text, wanted, &facts);
    }
});

fn check_offsets(text: &str, wanted: Wanted, f: &FileFacts) {
    let spans = f
        .mods
        .iter()
        .map(|m| ("mod", m.span))
        .chain(f.includes.iter().map(|i| ("include", i.span)))
        .chain(f.unsafes.iter().map(|(_, s)| ("unsafe", *s)))
        .chain(f.spawns.iter().map(|s| ("spawn", s.span)))
        .chain(f.api_uses.iter().map(|u| ("api use", u.span)))
        .chain(f.pub_enums.iter().map(|e| ("pub enum", e.span)))
        .chain(f.hazards.iter().map(|(_, s, _)| ("hazard", *s)))
        .chain(f.ffi.iter().map(|(_, s, _)| ("ffi", *s)))
        .chain(f.behaviours.iter().map(|(_, s, _)| ("behaviour", *s)))
        .chain(
            f.lex_error
                .map(|at| ("lex error", Span { start: at, end: at })),
        );
    for (what, s) in spans {
        assert!(
            s.start <= s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end),
            "{wanted:?}: {what} span {s:?} is not on character boundaries of a text of {} bytes",
            text.len()
        );
    }
}
