//! Code a proc-macro crate writes for its users: the bodies of `quote!` and friends. Tokens
//! there are not the crate's own code (an `unsafe` inside `quote!` runs in the user's crate,
//! and is counted, if at all, where it expands).

use super::Scanner;
use crate::Span;

/// Macros whose body is code generated for another crate.
const QUOTING: &[&str] = &[
    "quote",
    "quote_spanned",
    "parse_quote",
    "parse_quote_spanned",
];

/// Whether a macro named `name` quotes code: one of [`QUOTING`], or a crate's own wrapper
/// of them named so (deno_ops' `gs_quote!`).
fn quoting(name: &str) -> bool {
    QUOTING.contains(&name) || name.ends_with("_quote")
}

impl<const COUNT: bool> Scanner<'_, COUNT> {
    /// Byte spans of the bodies of `quote!`, `quote_spanned!`, `parse_quote!`,
    /// `parse_quote_spanned!` and `*_quote!` invocations, in order and not overlapping (a nested one lies
    /// inside its parent and is skipped). Linear: each body is jumped over once.
    pub(super) fn quoted_spans(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.len() {
            let quoting = self.ident(i).is_some_and(quoting)
                && self.punct(i + 1, b'!')
                && self.is_open(i + 2);
            if !quoting {
                i += 1;
                continue;
            }
            let close = self.close(i + 2);
            out.push(self.span(i + 2, close.min(self.len().saturating_sub(1))));
            i = close.saturating_add(1);
        }
        out
    }
}

/// Whether `span` starts inside one of `spans` (sorted, not overlapping).
pub(super) fn inside(spans: &[Span], span: Span) -> bool {
    let k = spans.partition_point(|s| s.start <= span.start);
    k > 0 && span.start < spans[k - 1].end
}
