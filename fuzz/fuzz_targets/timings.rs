//! The `cargo build --timings` report parser (`architect_build::parse_timings`).
//!
//! Each input is parsed as it is (the search for `const UNIT_DATA = ` and the end of the array),
//! and wrapped as the body of the array, so mutations reach the JSON and the checks of each
//! unit's times without first having to find the markers. An error is a fine answer; a panic
//! is a bug.

#![no_main]

use architect_build::parse_timings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader refuses a report that is not UTF-8 before parsing it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_timings(text);
    let _ = parse_timings(&format!("const UNIT_DATA = [\n{text}\n];"));
});
