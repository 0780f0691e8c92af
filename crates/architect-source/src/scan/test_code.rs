//! Code that is compiled only for tests: items under `#[cfg(test)]` (or `cfg(all(test, ..))`)
//! and test functions (`#[test]`, `#[tokio::test]`, `#[bench]`, ...).

use super::Scanner;
use crate::Span;

/// Last segments of attribute paths that make a function a test.
const TEST_ATTRS: &[&str] = &["test", "bench", "test_case", "rstest", "quickcheck"];

impl<const COUNT: bool> Scanner<'_, COUNT> {
    /// Byte spans of test-only items, from their first attribute to their end, in order and
    /// not overlapping; the whole file when it starts with `#![cfg(test)]`. Linear: an
    /// attribute inside a span already found is not looked at again.
    pub(super) fn test_spans(&self) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        let mut covered = 0;
        let mut i = 0;
        while i < self.len() {
            if !self.punct(i, b'#') || i < covered {
                i += 1;
                continue;
            }
            let inner = self.punct(i + 1, b'!');
            let open = i + 1 + usize::from(inner);
            if !self.punct(open, b'[') {
                i += 1;
                continue;
            }
            let close = self.close(open);
            if close >= self.len() {
                break;
            }
            if !self.is_test_attr(open + 1, close) {
                i = close + 1;
                continue;
            }
            let end = if inner {
                self.len() - 1
            } else {
                self.item_end(close + 1)
            };
            out.push(self.span(i, end));
            covered = end + 1;
            i = covered;
        }
        out
    }

    /// Whether the attribute whose contents are the tokens `[a, b)` makes its item test-only.
    fn is_test_attr(&self, a: usize, b: usize) -> bool {
        if self.is_ident(a, "cfg") && self.punct(a + 1, b'(') {
            return self.cfg_requires_test(a + 2, self.close(a + 1).min(b));
        }
        // A path `a::b::test` with optional arguments: its last segment names a test.
        let mut k = a;
        while k + 2 < b && self.ident(k).is_some() && self.path_sep(k + 1) {
            k += 3;
        }
        self.ident(k).is_some_and(|name| TEST_ATTRS.contains(&name))
            && (k + 1 == b || self.is_open(k + 1))
    }

    /// Whether the cfg predicate in tokens `[a, b)` is false outside tests: `test`, or an
    /// `all(..)` with `test` among its operands.
    fn cfg_requires_test(&self, a: usize, b: usize) -> bool {
        if self.is_ident(a, "test") && a + 1 == b {
            return true;
        }
        if !(self.is_ident(a, "all") && self.punct(a + 1, b'(')) {
            return false;
        }
        let end = self.close(a + 1).min(b);
        let mut k = a + 2;
        while k < end {
            if self.is_ident(k, "test") && (k + 1 == end || self.punct(k + 1, b',')) {
                return true;
            }
            k = self.find_at_depth(k, end, |j| self.punct(j, b',')) + 1;
        }
        false
    }

    /// The last token of the item starting at `from` (after its attributes): its `;` or the
    /// closing brace of its body, at the item's own depth.
    fn item_end(&self, from: usize) -> usize {
        let stop = self.find_at_depth(from, self.len(), |k| {
            self.punct(k, b';') || self.punct(k, b'{')
        });
        if stop >= self.len() {
            return self.len().saturating_sub(1);
        }
        if self.punct(stop, b'{') {
            self.close(stop).min(self.len() - 1)
        } else {
            stop
        }
    }
}
