//! Code compiled only under a condition: items under `#[cfg(..)]`, the branches of
//! `cfg_if!`, and the bodies of a crate's own `cfg_*!` wrapper macros (tokio's `cfg_rt!`,
//! hyper's `cfg_feature!`). The loader, which knows the package's features and platforms,
//! leaves out of a crate's size what does not hold.

use super::Scanner;
use crate::{CfgMacro, CfgMacroGate, Gate, GatedCode, Metrics};

/// A gated token range, `from..=to`.
pub(super) struct GateRange {
    pub from: usize,
    pub to: usize,
    pub gate: Gate,
}

impl<const COUNT: bool> Scanner<'_, COUNT> {
    /// The gated ranges of the file, sorted by start; they nest but do not overlap otherwise.
    pub(super) fn gates(&self) -> Vec<GateRange> {
        let mut out = Vec::new();
        if memchr::memmem::find(self.src.as_bytes(), b"cfg").is_none() {
            return out;
        }
        for i in 0..self.len() {
            let Some(name) = self.ident(i) else { continue };
            if name == "cfg" {
                if let Some(g) = self.cfg_item(i) {
                    out.push(g);
                }
            } else if name == "cfg_if" && self.punct(i + 1, b'!') && self.is_open(i + 2) {
                self.cfg_if_branches(i + 2, &mut out);
            } else if name.starts_with("cfg_") && self.punct(i + 1, b'!') && self.is_open(i + 2) {
                let close = self.close(i + 2);
                if close < self.len() {
                    out.push(GateRange {
                        from: i,
                        to: close,
                        gate: Gate::Macro {
                            name: name.to_string(),
                            inner: self.inner_cfg(i + 3),
                        },
                    });
                }
            }
        }
        out.sort_by_key(|g| (g.from, std::cmp::Reverse(g.to)));
        out
    }

    /// `#[cfg(P)] item` with `cfg` at `i`: the item, from the `#` to its end. Not a `cfg_if!`
    /// condition (`if #[cfg(P)] {`), nor an inner attribute (`#![cfg(P)]`).
    fn cfg_item(&self, i: usize) -> Option<GateRange> {
        let attr = i >= 2
            && self.punct(i - 1, b'[')
            && self.punct(i - 2, b'#')
            && self.punct(i + 1, b'(')
            && !(i >= 3 && self.is_ident(i - 3, "if"));
        if !attr {
            return None;
        }
        let pred = self.cfg_text(i)?;
        let end = self.attributed_item_end(i - 1);
        (end < self.len()).then(|| GateRange {
            from: i - 2,
            to: end,
            gate: Gate::Cfg(pred),
        })
    }

    /// `cfg(P)` as written, for `cfg` at `i` followed by `(P)`.
    fn cfg_text(&self, i: usize) -> Option<String> {
        let close = self.close(i + 1);
        if close >= self.len() || close <= i + 2 {
            return None;
        }
        let s = self.span(i, close);
        Some(self.src[s.start..s.end].to_string())
    }

    /// `#![P]` at `i` (the start of a macro body), as `cfg(P)`.
    fn inner_cfg(&self, i: usize) -> Option<String> {
        if !(self.punct(i, b'#') && self.punct(i + 1, b'!') && self.punct(i + 2, b'[')) {
            return None;
        }
        let close = self.close(i + 2);
        if close >= self.len() || close <= i + 3 {
            return None;
        }
        let s = self.span(i + 3, close - 1);
        Some(format!("cfg({})", &self.src[s.start..s.end]))
    }

    /// The branches of the `cfg_if!` invocation whose body opens at `open`: `if #[cfg(P)]
    /// { .. } else if #[cfg(Q)] { .. } else { .. }`, each under its own condition and not any
    /// earlier one of its chain.
    fn cfg_if_branches(&self, open: usize, out: &mut Vec<GateRange>) {
        let end = self.close(open);
        let mut k = open + 1;
        let mut earlier: Vec<String> = Vec::new();
        while k < end {
            let chained = self.is_ident(k, "else");
            if chained {
                k += 1;
            } else {
                earlier.clear();
            }
            let cond = if self.is_ident(k, "if") {
                let cfg = k + 3;
                let ok = self.punct(k + 1, b'#')
                    && self.punct(k + 2, b'[')
                    && self.is_ident(cfg, "cfg")
                    && self.punct(cfg + 1, b'(');
                let Some(pred) = ok.then(|| self.cfg_text(cfg)).flatten() else {
                    return;
                };
                k = self.close(k + 2) + 1;
                Some(pred)
            } else {
                None
            };
            if !self.punct(k, b'{') {
                return;
            }
            let body_end = self.close(k);
            let inner = |p: &str| p["cfg(".len()..p.len() - 1].to_string();
            let not_earlier = (!earlier.is_empty()).then(|| {
                let list: Vec<String> = earlier.iter().map(|p| inner(p)).collect();
                format!("not(any({}))", list.join(", "))
            });
            let pred = match (&cond, not_earlier) {
                (Some(p), None) => p.clone(),
                (Some(p), Some(n)) => format!("cfg(all({n}, {}))", inner(p)),
                (None, Some(n)) => format!("cfg({n})"),
                (None, None) => {
                    k = body_end + 1;
                    continue;
                }
            };
            if body_end < end {
                out.push(GateRange {
                    from: k,
                    to: body_end,
                    gate: Gate::Cfg(pred),
                });
            }
            earlier.extend(cond);
            k = body_end + 1;
        }
    }

    /// The file's gated code, split where the set of enclosing gates changes: each part with
    /// every gate around it, outermost first, its code lines and what it holds. Together
    /// with the ungated rest they make up the file once.
    pub(super) fn gated_code(&self, gates: &[GateRange]) -> Vec<GatedCode> {
        let mut out: Vec<GatedCode> = Vec::new();
        let mut bounds: Vec<usize> = gates.iter().flat_map(|g| [g.from, g.to + 1]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut active: Vec<usize> = Vec::new();
        let mut next = 0;
        for pair in bounds.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            active.retain(|&g| gates[g].to >= from);
            while let Some(g) = gates.get(next)
                && g.from <= from
            {
                if g.to >= from {
                    active.push(next);
                }
                next += 1;
            }
            if active.is_empty() || from >= self.len() {
                continue;
            }
            let metrics = self.metrics_in(from, to.min(self.len()));
            let lines = self.code_lines_in(from, to.min(self.len()) - 1);
            if lines == 0 && metrics == Metrics::default() {
                continue;
            }
            out.push(GatedCode {
                gates: active.iter().map(|&g| gates[g].gate.clone()).collect(),
                lines,
                metrics,
            });
        }
        out
    }

    /// Lines holding code between tokens `from` and `to` (inclusive): not blank, not only a
    /// line comment.
    fn code_lines_in(&self, from: usize, to: usize) -> usize {
        let (Some(a), Some(b)) = (self.tok(from), self.tok(to)) else {
            return 0;
        };
        let start = self.src[..a.start as usize]
            .rfind('\n')
            .map_or(0, |n| n + 1);
        self.src[start..b.end as usize]
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with("//")
            })
            .count()
    }

    /// `macro_rules! cfg_*` definitions that wrap what they are given in a `#[cfg]`.
    pub(super) fn cfg_macros(&self) -> Vec<CfgMacro> {
        let mut out = Vec::new();
        for &(at, open, close) in self.macro_rules() {
            let Some(name) = self.ident(at + 2).filter(|n| n.starts_with("cfg_")) else {
                continue;
            };
            if let Some(gate) = self.cfg_macro_gate(open, close) {
                out.push(CfgMacro {
                    name: name.to_string(),
                    gate,
                });
            }
        }
        out
    }

    /// What the body `open..close` of a `cfg_*` macro puts its items under: the first
    /// `#[cfg(..)]` it writes, or the first `cfg_*!` it invokes.
    fn cfg_macro_gate(&self, open: usize, close: usize) -> Option<CfgMacroGate> {
        for k in open + 1..close {
            if self.is_ident(k, "cfg")
                && self.punct(k - 1, b'[')
                && self.punct(k - 2, b'#')
                && self.punct(k + 1, b'(')
            {
                let fragment = self.punct(k + 2, b'$') && self.close(k + 1) <= k + 4;
                return if fragment {
                    Some(CfgMacroGate::Inner)
                } else {
                    self.cfg_text(k).map(CfgMacroGate::Cfg)
                };
            }
            if let Some(inner) = self.ident(k).filter(|n| n.starts_with("cfg_"))
                && self.punct(k + 1, b'!')
                && self.is_open(k + 2)
            {
                let given = self.inner_cfg(k + 3).filter(|p| !p.contains('$'));
                return Some(CfgMacroGate::Via {
                    name: inner.to_string(),
                    inner: given,
                });
            }
        }
        None
    }
}
