//! Scans over the token stream, one per kind of construct.
//!
//! The files come from untrusted repositories (up to 8 MiB each), so every scan is linear, or
//! `n·log n`, in the number of tokens whatever the text, nested or unbalanced brackets
//! included. The rules that keep them so:
//!
//! - a question about a bracketed range ("does this attribute name `instrument`?", "how many
//!   derive names?") is answered from precomputed positions, never by walking the range again
//!   for each of the nested ranges that hold it;
//! - a walk that looks for a separator at "the same depth" jumps over bracket pairs;
//! - lookups by name go through hash maps built once (std's, with random keys: no hash
//!   flooding);
//! - the parts of the output that could repeat per level of nesting are shared
//!   ([`InlineParents`](crate::InlineParents)) or attributed once (the tokens of nested item
//!   signatures, see `api_uses`).
//!
//! Every read of a token or of the bracket pairs goes through the accessor methods of
//! [`Scanner`], which count them; [`analyze_counting`] returns the count, so the tests hold the
//! scans to a constant number of reads per token.

use std::cell::{Cell, OnceCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

mod gates;
mod public_api;
mod quoted;
mod spawn;
mod test_code;

use crate::catalogue::{ERROR_CRATES, RUNTIME_CRATES};
use crate::tokens::{Tok, TokKind, lex};
use crate::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, Include, InlineNode, InlineParents, ModDecl,
    ModuleRef, PathAnchor, PubEnum, Span, UnsafeKind, Wanted,
};
use public_api::{ModTracker, ScopedImports};

/// `(crate, module, name)`: std's own types that a runtime re-exports under its name
/// (`tokio::time::Duration` is `std::time::Duration`): naming them ties no caller to it.
const STD_REEXPORTS: &[(&str, &str, &str)] = &[
    ("tokio", "time", "Duration"),
    ("tokio", "io", "Result"),
    ("tokio", "io", "Error"),
    ("tokio", "io", "ErrorKind"),
    ("tokio", "io", "SeekFrom"),
    ("async_std", "time", "Duration"),
    ("async_std", "io", "Result"),
    ("async_std", "io", "Error"),
    ("async_std", "io", "ErrorKind"),
    ("async_std", "io", "SeekFrom"),
    ("async_std", "sync", "Arc"),
    ("async_std", "sync", "Weak"),
];
/// How many tokens after `Result<` are read to tell `Result<T>` from `Result<T, E>`; a longer
/// first argument is taken as the one-argument form (reported: the conservative side).
const MAX_RESULT_ARGS: usize = 64;

/// How far a generic parameter list (`impl<...>`) is followed: real ones are a few dozen tokens.
const MAX_GENERICS_TOKENS: usize = 512;
/// Environment variables cargo sets for build scripts (prefixes).
const CARGO_ENV: &[&str] = &[
    "CARGO",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "NUM_JOBS",
    "OPT_LEVEL",
    "DEBUG",
    "PROFILE",
    "RUSTC",
    "RUSTDOC",
    "DEP_",
    // Set by docs.rs builds; reading it to skip native work there is the documented practice.
    "DOCS_RS",
];

/// The programs cargo hands a build script through its environment: running one is running
/// cargo's own toolchain, not an extra program of the build host.
/// Programs whose job is to download: running one is touching the network.
const DOWNLOADERS: &[&str] = &["curl", "wget", "aria2c", "curl.exe", "wget.exe"];

const CARGO_TOOLS: &[&str] = &[
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_LINKER",
    "RUSTDOC",
    "CARGO",
];

/// Whether `krate::module::name` is a std type the runtime `krate` re-exports
/// (`tokio::time::Duration`), which ties no caller to the runtime.
pub fn std_reexport(krate: &str, module: &str, name: &str) -> bool {
    STD_REEXPORTS
        .iter()
        .any(|&(c, m, n)| c == krate && m == module && n == name)
}

/// Analyze one file.
pub fn analyze(src: &str, wanted: Wanted) -> FileFacts {
    run::<false>(src, wanted).0
}

/// [`analyze`], and the number of token (and bracket-pair) reads the scans made: the measure
/// the linearity tests bound, independent of the machine's speed. (A separate instantiation
/// of the scans: [`analyze`] does not count, so its loops keep no counter in memory.)
pub fn analyze_counting(src: &str, wanted: Wanted) -> (FileFacts, u64) {
    run::<true>(src, wanted)
}

fn run<const COUNT: bool>(src: &str, wanted: Wanted) -> (FileFacts, u64) {
    if wanted == Wanted::ModsAndUnsafe
        && !["mod", "unsafe", "forbid", "include"]
            .iter()
            .any(|n| memchr::memmem::find(src.as_bytes(), n.as_bytes()).is_some())
    {
        // Nothing a dependency's file is scanned for can be in it: only its size is wanted,
        // counted without lexing (lines that are not blank and not a line comment).
        let code_lines = src
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with("//")
            })
            .count();
        let facts = FileFacts {
            code_lines,
            ..FileFacts::default()
        };
        return (facts, 0);
    }
    let (toks, code_lines, lex_error) = lex(src);
    let s = Scanner::<COUNT>::new(src, &toks);
    let mut f = FileFacts {
        code_lines,
        lex_error,
        ..FileFacts::default()
    };
    let gates = s.gates();
    f.mods = s.mods(&gates);
    f.cfg_macros = s.cfg_macros();
    let (macros, roots) = s.invocations_and_roots();
    f.macro_invocations = macros;
    f.test_spans = s.test_spans();
    (f.includes, f.data_includes) = s.includes();
    (f.unsafes, f.forbids_unsafe) = s.unsafes();
    let quoted = s.quoted_spans();
    f.unsafes
        .retain(|(_, span)| !quoted::inside(&quoted, *span));
    if wanted != Wanted::ModsAndUnsafe {
        f.metrics = s.metrics();
        f.gated = s.gated_code(&gates);
    }
    if matches!(wanted, Wanted::All | Wanted::BuildScript) {
        let imports = s.imports();
        f.instrumented_fns = s.instrumented_fns();
        let runtime_names = s.runtime_names(&imports);
        (f.spawns, f.fn_work) = s.spawns(&imports, &runtime_names);
        f.runtime_names = runtime_names.into_iter().map(str::to_string).collect();
        f.runtime_names.sort();
        f.uses_tracing = !f.instrumented_fns.is_empty() || s.uses_tracing(&imports);
        let (scoped, re_exports) = s.scoped_imports(&mut s.mod_tracker(), &f.test_spans);
        f.re_exports = re_exports;
        f.api_uses = s.api_uses(&scoped, &mut s.mod_tracker());
        (f.pub_enums, f.error_impls) = s.enums(&mut s.mod_tracker());
        f.static_muts = s.static_muts();
        f.hazards = s.hazards(&imports);
        f.ffi = s.ffi();
        f.ffi.retain(|(_, span, _)| !quoted::inside(&quoted, *span));
        f.module_refs = s.module_refs(&f.test_spans);
        f.path_roots = roots;
        f.only_imports = s.only_imports();
        f.feature_cfgs = s.feature_cfgs();
        if wanted == Wanted::BuildScript {
            f.behaviours = s.behaviours();
            f.platform_cfgs = s.platform_cfgs();
        }
    }
    let reads = s.reads.get();
    (f, reads)
}

/// The scans over one file's tokens; `COUNT`: whether reads are counted.
struct Scanner<'a, const COUNT: bool> {
    src: &'a str,
    /// Read only through [`Scanner::tok`].
    t: &'a [Tok],
    /// For an opening bracket, the index of its match (or `t.len()`); for a closing one, the
    /// index of its opening (or `usize::MAX`). Read only through [`Scanner::pair_of`].
    pair: Vec<usize>,
    /// Reads of `t`, `pair` and the tables below (when `COUNT`).
    reads: Cell<u64>,
    /// Positions of the identifiers that range questions look for.
    words: OnceCell<Words>,
    /// Token ranges (inclusive) inside inline modules that are not plain `pub`, merged, sorted.
    private: OnceCell<Vec<(usize, usize)>>,
    /// For each index, where an item signature starting there ends (see `signature_end`).
    sig_ends: OnceCell<Vec<u32>>,
    /// Each `macro_rules!` definition (see `macro_rules`).
    macro_rules: OnceCell<Vec<(usize, usize, usize)>>,
}

/// Sorted positions of identifiers, so "is there one in `[a, b)`?" costs a binary search.
#[derive(Default)]
struct Words {
    unsafe_code: Vec<u32>,
    instrument: Vec<u32>,
    non_exhaustive: Vec<u32>,
    error: Vec<u32>,
    c: Vec<u32>,
    /// `.instrument`, `.in_current_span`, `.enter`, `.in_scope` and any `in_scope`: what makes
    /// a spawned future carry a span.
    span_carrier: Vec<u32>,
}

/// What a `use` import tells about a local name.
#[derive(Debug, Clone, Copy)]
struct Import<'a> {
    /// The first segment of the path of the first import of the name (`""` for `use self;`).
    krate: &'a str,
    /// Some import of the name has a path starting with `std::env`.
    from_std_env: bool,
    /// The last two segments of the path of the first import (`time`, `Duration` for `use
    /// tokio::time::Duration as D`).
    penult: Option<&'a str>,
    last: Option<&'a str>,
    /// The second segment of the path of the first import (`unsync` in
    /// `use deno_core::unsync::spawn`), for crates re-exported under a module.
    second: Option<&'a str>,
}

/// Each `use` import by local name.
type Imports<'a> = HashMap<&'a str, Import<'a>>;

/// The path of a `use` tree so far, as much of it as the scans need (copying a whole path
/// at every level of nested groups would be quadratic).
#[derive(Debug, Clone, Copy, Default)]
struct UsePath<'a> {
    first: Option<&'a str>,
    second: Option<&'a str>,
    penult: Option<&'a str>,
    last: Option<&'a str>,
    len: usize,
}

impl<'a> UsePath<'a> {
    fn push(mut self, seg: &'a str) -> Self {
        match self.len {
            0 => self.first = Some(seg),
            1 => self.second = Some(seg),
            _ => {}
        }
        self.penult = self.last;
        self.last = Some(seg);
        self.len += 1;
        self
    }

    fn import(&self) -> Import<'a> {
        Import {
            krate: self.first.unwrap_or(""),
            from_std_env: self.first == Some("std")
                && self.second.is_some_and(|s| s.starts_with("env")),
            penult: self.penult,
            last: self.last,
            second: self.second,
        }
    }
}

/// Tokens already attributed to an item signature by `api_uses`: `find(p)` is the first
/// token at or after `p` that is not (a union-find over "next", with path halving).
struct Unclaimed {
    next: Vec<u32>,
}

impl Unclaimed {
    fn new(n: usize) -> Self {
        Unclaimed {
            next: (0..=n as u32).collect(),
        }
    }

    fn find<const C: bool>(&mut self, s: &Scanner<'_, C>, p: usize) -> usize {
        let n = self.next.len() - 1;
        let mut p = p.min(n);
        while self.next[p] as usize != p {
            s.read(1);
            let q = self.next[p] as usize;
            self.next[p] = self.next[q];
            p = self.next[p] as usize;
        }
        p
    }

    /// Claims `[from, to)`.
    fn claim(&mut self, from: usize, to: usize) {
        let n = self.next.len() - 1;
        let to = to.min(n);
        for p in from..to {
            self.next[p] = to as u32;
        }
    }
}

/// A forward search whose starting points only grow: each token is looked at once in all.
struct Cursor {
    /// The answer to the last question; `None` before the first.
    at: Option<usize>,
}

impl Cursor {
    fn new() -> Self {
        Cursor { at: None }
    }

    /// The first index at or after `from` where `pred` holds, or `s.len()`. `from` must not
    /// decrease between calls: the answer to the last question stands while it is at or
    /// after `from`.
    fn find<const C: bool>(
        &mut self,
        s: &Scanner<'_, C>,
        from: usize,
        pred: impl Fn(usize) -> bool,
    ) -> usize {
        match self.at {
            Some(at) if at >= from => at,
            _ => {
                let mut at = from;
                while at < s.len() && !pred(at) {
                    at += 1;
                }
                let at = at.min(s.len());
                self.at = Some(at);
                at
            }
        }
    }
}

impl<'a, const COUNT: bool> Scanner<'a, COUNT> {
    fn new(src: &'a str, t: &'a [Tok]) -> Self {
        let mut s = Scanner {
            src,
            t,
            pair: Vec::new(),
            reads: Cell::new(0),
            words: OnceCell::new(),
            private: OnceCell::new(),
            sig_ends: OnceCell::new(),
            macro_rules: OnceCell::new(),
        };
        s.pair = s.pairs();
        s
    }

    /// Match brackets. Tolerate unbalanced input: a closer pops to the nearest opener of its
    /// kind (openers in between stay unmatched); one without any is unmatched. The opener of
    /// each kind nearest the top is kept per kind, so a closer finds it in O(1).
    fn pairs(&self) -> Vec<usize> {
        let n = self.len();
        let mut pair = vec![usize::MAX; n];
        // Open brackets, and for each kind the positions in `stack` of its openers.
        let mut stack: Vec<usize> = Vec::new();
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        let kind = |c: u8| match c {
            b'(' | b')' => 0,
            b'[' | b']' => 1,
            _ => 2,
        };
        for i in 0..n {
            match self.tok(i).map(|t| t.kind) {
                Some(TokKind::Punct(c @ (b'(' | b'[' | b'{'))) => {
                    by_kind[kind(c)].push(stack.len());
                    stack.push(i);
                }
                Some(TokKind::Punct(c @ (b')' | b']' | b'}'))) => {
                    if let Some(&pos) = by_kind[kind(c)].last() {
                        let o = stack[pos];
                        stack.truncate(pos);
                        for k in &mut by_kind {
                            while k.last().is_some_and(|&p| p >= pos) {
                                k.pop();
                            }
                        }
                        pair[o] = i;
                        pair[i] = o;
                    }
                }
                _ => {}
            }
        }
        for o in stack {
            pair[o] = n;
        }
        pair
    }

    // --- Accessors: the only places that read `t`, `pair` and the tables. ---

    // `#[inline(always)]` on the accessors every scan goes through: a debug build (the tests)
    // inlines only those, and would otherwise pay a call per layer per read.

    #[inline(always)]
    fn read(&self, n: u64) {
        if COUNT {
            self.reads.set(self.reads.get().wrapping_add(n));
        }
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.t.len()
    }

    #[inline(always)]
    fn tok(&self, i: usize) -> Option<&'a Tok> {
        self.read(1);
        self.t.get(i)
    }

    #[inline(always)]
    fn pair_of(&self, i: usize) -> usize {
        self.read(1);
        match self.pair.get(i) {
            Some(&p) => p,
            None => usize::MAX,
        }
    }

    // Plain matches below, not `Option` combinators and derived `==`: calls in a debug build.

    #[inline(always)]
    fn kind(&self, i: usize) -> Option<TokKind> {
        self.tok(i).map(|t| t.kind)
    }

    #[inline(always)]
    fn text(&self, i: usize) -> &'a str {
        match self.tok(i) {
            Some(t) => t.text(self.src),
            None => "",
        }
    }

    #[inline(always)]
    fn is_ident(&self, i: usize, name: &str) -> bool {
        match self.tok(i) {
            Some(
                t @ Tok {
                    kind: TokKind::Ident,
                    ..
                },
            ) => {
                (t.end - t.start) as usize == name.len()
                    && self.src.as_bytes()[t.start as usize..t.end as usize] == *name.as_bytes()
            }
            _ => false,
        }
    }

    #[inline(always)]
    fn ident(&self, i: usize) -> Option<&'a str> {
        match self.tok(i) {
            Some(
                t @ Tok {
                    kind: TokKind::Ident,
                    ..
                },
            ) => Some(t.text(self.src)),
            _ => None,
        }
    }

    #[inline(always)]
    fn is_str(&self, i: usize) -> bool {
        matches!(
            self.tok(i),
            Some(Tok {
                kind: TokKind::Str,
                ..
            })
        )
    }

    #[inline(always)]
    fn punct(&self, i: usize, c: u8) -> bool {
        match self.tok(i) {
            Some(Tok {
                kind: TokKind::Punct(p),
                ..
            }) => *p == c,
            _ => false,
        }
    }

    #[inline(always)]
    fn is_open(&self, i: usize) -> bool {
        matches!(
            self.tok(i),
            Some(Tok {
                kind: TokKind::Punct(b'(' | b'[' | b'{'),
                ..
            })
        )
    }

    /// `::` starting at `i`.
    #[inline(always)]
    fn path_sep(&self, i: usize) -> bool {
        self.punct(i, b':') && self.punct(i + 1, b':')
    }

    fn span(&self, from: usize, to: usize) -> Span {
        let end = self.tok(to).or(self.t.last()).map_or(0, |t| t.end as usize);
        Span {
            start: self.tok(from).map_or(0, |t| t.start as usize),
            end,
        }
    }

    #[inline(always)]
    fn close(&self, open: usize) -> usize {
        self.pair_of(open).min(self.len())
    }

    /// Whether a position of `list` (sorted) lies in `[a, b)`: a counted binary search.
    fn any_in(&self, list: &[u32], a: usize, b: usize) -> bool {
        let k = self.lower_bound(list, a);
        k < list.len() && (list[k] as usize) < b
    }

    /// The index of the first position of `list` at or after `a`.
    fn lower_bound(&self, list: &[u32], a: usize) -> usize {
        let (mut lo, mut hi) = (0, list.len());
        while lo < hi {
            self.read(1);
            let mid = lo + (hi - lo) / 2;
            if (list[mid] as usize) < a {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn words(&self) -> &Words {
        self.words.get_or_init(|| {
            let mut w = Words::default();
            for k in 0..self.len() {
                let Some(name) = self.ident(k) else { continue };
                let after_dot = || k > 0 && self.punct(k - 1, b'.');
                let at = k as u32;
                match name {
                    "unsafe_code" => w.unsafe_code.push(at),
                    "instrument" => {
                        w.instrument.push(at);
                        if after_dot() {
                            w.span_carrier.push(at);
                        }
                    }
                    "in_current_span" | "enter" if after_dot() => w.span_carrier.push(at),
                    "in_scope" => w.span_carrier.push(at),
                    "non_exhaustive" => w.non_exhaustive.push(at),
                    "Error" => w.error.push(at),
                    "C" => w.c.push(at),
                    _ => {}
                }
            }
            w
        })
    }

    /// Whether token `i` sits inside an inline module that is not `pub`.
    fn in_private_mod(&self, i: usize) -> bool {
        let ranges = self.private.get_or_init(|| self.find_private_mods());
        let (mut lo, mut hi) = (0, ranges.len());
        while lo < hi {
            self.read(1);
            let mid = lo + (hi - lo) / 2;
            if ranges[mid].0 <= i {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo > 0 && i <= ranges[lo - 1].1
    }

    /// The interiors of `mod name { ... }` that are not plain `pub`, as merged inclusive
    /// ranges in order.
    fn find_private_mods(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in 0..self.len() {
            if self.is_ident(i, "mod")
                && self.ident(i + 1).is_some()
                && self.punct(i + 2, b'{')
                && (!self.visibility(i).1 || self.doc_hidden_before(self.visibility(i).0))
            {
                let (a, b) = (i + 3, self.close(i + 2));
                if a >= b {
                    continue;
                }
                match out.last_mut() {
                    Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b - 1),
                    _ => out.push((a, b - 1)),
                }
            }
        }
        out
    }

    /// Walk back from an item keyword at `i` over qualifiers and visibility: the index where
    /// the visibility starts (or the keyword), and whether it is a plain `pub`.
    fn visibility(&self, i: usize) -> (usize, bool) {
        let mut j = i;
        while j > 0
            && matches!(
                self.ident(j - 1),
                Some("unsafe" | "async" | "const" | "default" | "extern")
            )
        {
            j -= 1;
        }
        // `extern "C" fn`: an ABI string between `extern` and the keyword.
        if j > 1 && self.is_str(j - 1) && self.is_ident(j - 2, "extern") {
            j -= 2;
            while j > 0 && matches!(self.ident(j - 1), Some("unsafe" | "async" | "const")) {
                j -= 1;
            }
        }
        if j > 0 && self.punct(j - 1, b')') {
            let open = self.pair_of(j - 1);
            if open != usize::MAX && open > 0 && self.is_ident(open - 1, "pub") {
                return (open - 1, false);
            }
        }
        if j > 0 && self.is_ident(j - 1, "pub") {
            return (j - 1, true);
        }
        (j, false)
    }

    /// The outer attributes `#[...]` right before index `i`, as token ranges of their
    /// contents (between the brackets), nearest last.
    fn attrs_before(&self, i: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut j = i;
        while j > 0 && self.punct(j - 1, b']') {
            let open = self.pair_of(j - 1);
            if open == usize::MAX || open == 0 || !self.punct(open - 1, b'#') {
                break;
            }
            out.push((open + 1, j - 1));
            j = open - 1;
        }
        out.reverse();
        out
    }

    /// The attribute in `[a, b)` if it is `cfg_attr(PRED, .., path = "..", ..)`: `cfg(PRED)`
    /// as written and the path's value (a literal rustc would reject is left out).
    fn cfg_attr_path(&self, a: usize, b: usize) -> Option<(String, String)> {
        if !self.is_ident(a, "cfg_attr") || !self.punct(a + 1, b'(') {
            return None;
        }
        let close = self.close(a + 1);
        if close > b {
            return None;
        }
        let comma = self.find_at_depth(a + 2, close, |k| self.punct(k, b','));
        if comma >= close || comma == a + 2 {
            return None;
        }
        let path = self.find_at_depth(comma + 1, close, |k| {
            self.is_ident(k, "path") && self.punct(k + 1, b'=')
        });
        let value = self
            .tok(path + 2)
            .filter(|t| path < close && t.kind == TokKind::Str)
            .and_then(|t| str_value(t.text(self.src)).ok())?;
        let pred = self.span(a + 2, comma - 1);
        Some((format!("cfg({})", &self.src[pred.start..pred.end]), value))
    }

    /// Whether one of the attribute ranges holds a position of `list`.
    fn attr_has(&self, attrs: &[(usize, usize)], list: &[u32]) -> bool {
        attrs.iter().any(|&(a, b)| self.any_in(list, a, b))
    }

    /// The last token of the item or statement that the outer attribute whose `[` is at
    /// `open` (and any attributes after it) applies to: its `;`, or the `}` of its body.
    fn attributed_item_end(&self, open: usize) -> usize {
        let mut start = self.close(open) + 1;
        while self.punct(start, b'#') && self.punct(start + 1, b'[') {
            start = self.close(start + 1) + 1;
        }
        let end = self.find_at_depth(start, self.len(), |k| {
            self.punct(k, b';') || self.punct(k, b'{')
        });
        if self.punct(end, b'{') {
            self.close(end)
        } else {
            end
        }
    }

    /// The first index in `[from, to)` at the bracket depth of `from` where `pred` holds,
    /// jumping over bracket pairs; `to` if none.
    fn find_at_depth(&self, from: usize, to: usize, pred: impl Fn(usize) -> bool) -> usize {
        let mut k = from;
        while k < to {
            if pred(k) {
                return k;
            }
            if self.is_open(k) {
                k = self.close(k);
                if k >= to {
                    return to;
                }
            }
            k += 1;
        }
        to
    }

    fn mods(&self, gates: &[gates::GateRange]) -> Vec<ModDecl> {
        let mut out = Vec::new();
        // `macro_rules!` bodies, in order: a declaration inside one is a template, expanded
        // where the macro is invoked.
        let bodies = self.macro_rules();
        // The gates around the declaration met last: the ones opened before it that reach it.
        let (mut next_gate, mut around): (usize, Vec<usize>) = (0, Vec::new());
        // Every inline module, with its parent; declarations point into this chain.
        let mut nodes: Vec<InlineNode> = Vec::new();
        let mut parents: Vec<(Option<usize>, usize)> = Vec::new();
        // Inline modules open at a point: (close index, node).
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for i in 0..self.len() {
            while stack.last().is_some_and(|(close, _)| *close < i) {
                stack.pop();
            }
            if !self.is_ident(i, "mod") {
                continue;
            }
            let Some(name) = self.ident(i + 1) else {
                continue;
            };
            let name = name.trim_start_matches("r#").to_string();
            let (vis_start, is_pub) = self.visibility(i);
            if self.punct(i + 2, b';') {
                let attrs = self.attrs_before(vis_start);
                let path_attr = attrs.iter().find_map(|&(a, b)| {
                    (self.is_ident(a, "path") && self.punct(a + 1, b'=') && a + 2 < b + 1)
                        .then(|| self.tok(a + 2))
                        .flatten()
                        .filter(|t| t.kind == TokKind::Str)
                        .map(|t| str_value(t.text(self.src)))
                });
                let path_attr_invalid = matches!(path_attr, Some(Err(_)));
                let cfg_paths = attrs
                    .iter()
                    .filter_map(|&(a, b)| self.cfg_attr_path(a, b))
                    .collect();
                let doc_hidden = attrs.iter().any(|&(a, _)| {
                    self.is_ident(a, "doc")
                        && self.punct(a + 1, b'(')
                        && self.is_ident(a + 2, "hidden")
                });
                let mut cfgs: Vec<String> = attrs
                    .iter()
                    .filter(|&&(a, b)| self.is_ident(a, "cfg") && self.punct(a + 1, b'(') && b > a)
                    .map(|&(a, b)| {
                        let s = self.span(a, b - 1);
                        self.src[s.start..s.end].to_string()
                    })
                    .collect();
                while let Some(g) = gates.get(next_gate)
                    && g.from <= i
                {
                    around.push(next_gate);
                    next_gate += 1;
                }
                around.retain(|&g| gates[g].to >= i);
                let mut macro_gates = Vec::new();
                for g in around.iter().map(|&g| &gates[g].gate) {
                    match g {
                        crate::Gate::Cfg(p) if !cfgs.contains(p) => cfgs.push(p.clone()),
                        crate::Gate::Cfg(_) => {}
                        crate::Gate::Macro { .. } => macro_gates.push(g.clone()),
                    }
                }
                let in_macro = bodies
                    .iter()
                    .rev()
                    .find(|&&(_, open, close)| open < i && i < close)
                    .and_then(|&(at, _, _)| self.ident(at + 2))
                    .map(str::to_string);
                out.push(ModDecl {
                    name,
                    in_macro,
                    path_attr: path_attr.map(|p| p.unwrap_or_else(|as_written| as_written)),
                    path_attr_invalid,
                    cfg_paths,
                    is_pub,
                    inline_parents: InlineParents::default(),
                    doc_hidden,
                    cfgs,
                    macro_gates,
                    span: self.span(vis_start, i + 2),
                });
                parents.push((stack.last().map(|&(_, node)| node), stack.len()));
            } else if self.punct(i + 2, b'{') {
                nodes.push(InlineNode {
                    item: (name, is_pub),
                    parent: stack.last().map(|&(_, node)| node),
                });
                stack.push((self.close(i + 2), nodes.len() - 1));
            }
        }
        if !nodes.is_empty() {
            let nodes: std::sync::Arc<[InlineNode]> = nodes.into();
            for (decl, (innermost, len)) in out.iter_mut().zip(parents) {
                decl.inline_parents = InlineParents {
                    nodes: nodes.clone(),
                    innermost,
                    len,
                };
            }
        }
        out
    }

    /// `include!("path")`, `core::include!(..)`, `::std::include!(..)` whose argument is one
    /// string literal (a trailing comma allowed, as rustc does); and, second, the same forms
    /// of `include_str!` and `include_bytes!`: files read as data, not compiled.
    fn includes(&self) -> (Vec<Include>, Vec<Include>) {
        let (mut out, mut data) = (Vec::new(), Vec::new());
        for i in 0..self.len() {
            let Some(name @ ("include" | "include_str" | "include_bytes")) = self.ident(i) else {
                continue;
            };
            if !self.punct(i + 1, b'!') || !self.is_open(i + 2) {
                continue;
            }
            let start = if i >= 2 && self.path_sep(i - 2) {
                // Through a path: only the builtin's own, `core::` or `std::`, optionally
                // with a leading `::`. Another path names some other macro.
                if !(i >= 3 && matches!(self.ident(i - 3), Some("core" | "std"))) {
                    continue;
                }
                if i >= 5 && self.path_sep(i - 5) {
                    i - 5
                } else {
                    i - 3
                }
            } else {
                i
            };
            let open = i + 2;
            let close = self.close(open);
            let lit = open + 1;
            if close >= self.len()
                || !self.is_str(lit)
                || !(close == lit + 1 || (close == lit + 2 && self.punct(lit + 1, b',')))
            {
                continue;
            }
            let (path, invalid) = match str_value(self.text(lit)) {
                Ok(path) => (path, false),
                Err(as_written) => (as_written, true),
            };
            let include = Include {
                path,
                span: self.span(start, close),
                invalid,
            };
            if name == "include" {
                out.push(include);
            } else {
                data.push(include);
            }
        }
        (out, data)
    }

    /// Whether the file holds `use` declarations or `extern crate`, and no other item
    /// (attributes aside): a shim that links or re-exports another crate and has no API of its
    /// own. An empty file is not one.
    fn only_imports(&self) -> bool {
        let mut imports = 0;
        let mut k = 0;
        while k < self.len() {
            if self.punct(k, b'#') {
                let open = if self.punct(k + 1, b'!') {
                    k + 2
                } else {
                    k + 1
                };
                if !self.punct(open, b'[') {
                    return false;
                }
                k = self.close(open) + 1;
                continue;
            }
            let mut j = k;
            if self.is_ident(j, "pub") {
                j += 1;
                if self.punct(j, b'(') {
                    j = self.close(j) + 1;
                }
            }
            let import = self.is_ident(j, "use")
                || (self.is_ident(j, "extern") && self.is_ident(j + 1, "crate"));
            if !import {
                return false;
            }
            imports += 1;
            k = self.find_at_depth(j, self.len(), |x| self.punct(x, b';')) + 1;
        }
        imports > 0
    }

    fn unsafes(&self) -> (Vec<(UnsafeKind, Span)>, bool) {
        let mut out = Vec::new();
        let mut forbid = false;
        for i in 0..self.len() {
            if !forbid
                && self.punct(i, b'#')
                && self.punct(i + 1, b'!')
                && self.punct(i + 2, b'[')
                && self.is_ident(i + 3, "forbid")
            {
                let close = self.close(i + 2);
                forbid = self.any_in(&self.words().unsafe_code, i + 4, close);
            }
            if !self.is_ident(i, "unsafe") {
                continue;
            }
            let kind = match self.ident(i + 1) {
                None if self.punct(i + 1, b'{') => UnsafeKind::Block,
                Some("fn") => UnsafeKind::Fn,
                Some("impl") => UnsafeKind::Impl,
                Some("trait" | "auto") => UnsafeKind::Trait,
                Some("extern") => {
                    let after = if self.is_str(i + 2) { i + 3 } else { i + 2 };
                    if self.punct(after, b'{') {
                        UnsafeKind::ExternBlock
                    } else {
                        UnsafeKind::Fn
                    }
                }
                _ => continue,
            };
            out.push((kind, self.span(i, i + 1)));
        }
        (out, forbid)
    }

    /// `use` declarations, flattened: `use tokio::{sync::mpsc, task::JoinHandle as H};` gives
    /// `mpsc` (from `tokio`) and `H` (from `tokio`). The first import of a name gives its crate.
    fn imports(&self) -> Imports<'a> {
        let mut out = Imports::new();
        let mut work = Vec::new();
        let mut i = 0;
        while i < self.len() {
            if self.is_ident(i, "use") {
                let mut end = i + 1;
                while end < self.len() && !self.punct(end, b';') {
                    end += 1;
                }
                // Depth first, in order, without recursion (groups can nest arbitrarily deep).
                work.push((i + 1, end, UsePath::default()));
                while let Some((from, to, path)) = work.pop() {
                    self.use_tree(from, to, path, &mut work, &mut out);
                }
                i = end;
            }
            i += 1;
        }
        out
    }

    /// One use tree in `[i, end)` under `path`: records its import, or queues the members of
    /// its group (last first, so they pop in order).
    fn use_tree(
        &self,
        mut i: usize,
        end: usize,
        mut path: UsePath<'a>,
        work: &mut Vec<(usize, usize, UsePath<'a>)>,
        out: &mut Imports<'a>,
    ) {
        let mut add = |local: &'a str, import: Import<'a>| {
            out.entry(local)
                .and_modify(|e| e.from_std_env |= import.from_std_env)
                .or_insert(import);
        };
        while i < end {
            if self.path_sep(i) {
                i += 2;
                continue;
            }
            if self.punct(i, b'{') {
                let close = self.close(i).min(end);
                let queued = work.len();
                let mut start = i + 1;
                while start <= close {
                    let k = self.find_at_depth(start, close, |k| self.punct(k, b','));
                    if start < k {
                        work.push((start, k, path));
                    }
                    start = k + 1;
                }
                work[queued..].reverse();
                return;
            }
            match self.ident(i) {
                Some("as") => {
                    if let Some(alias) = self.ident(i + 1) {
                        add(alias, path.import());
                    }
                    return;
                }
                Some(seg) => {
                    let before = path;
                    path = path.push(seg);
                    let last = !(self.path_sep(i + 1));
                    if last && !self.is_ident(i + 1, "as") {
                        if seg == "self" {
                            // `a::b::self` imports `b`; a lone `self` has an empty path.
                            add(before.last.unwrap_or(seg), before.import());
                        } else {
                            add(seg, path.import());
                        }
                        return;
                    }
                }
                None => {}
            }
            i += 1;
        }
    }

    /// The crate a path's first segment names, through the file's imports.
    fn crate_of(&self, first: &'a str, imports: &Imports<'a>) -> &'a str {
        let first = first.trim_start_matches("r#");
        imports.get(first).map_or(first, |im| im.krate)
    }

    /// The path ending at index `i` (an ident), e.g. `tokio::task::spawn`, and its first index.
    fn path_ending_at(&self, i: usize) -> (String, usize) {
        let mut start = i;
        while start >= 3 && self.path_sep(start - 2) && self.ident(start - 3).is_some() {
            start -= 3;
        }
        let path = (start..=i)
            .filter_map(|k| self.ident(k))
            .collect::<Vec<_>>()
            .join("::");
        (path, start)
    }

    fn instrumented_fns(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..self.len() {
            if !self.is_ident(i, "fn") {
                continue;
            }
            let (start, _) = self.visibility(i);
            let attrs = self.attrs_before(start);
            if !attrs.is_empty()
                && self.attr_has(&attrs, &self.words().instrument)
                && let Some(name) = self.ident(i + 1)
            {
                out.push(name.to_string());
            }
        }
        out
    }

    /// Types from runtime or error crates among the tokens of `[from, to)` that no earlier
    /// item claimed; claims them. Names resolve through the imports of `module`. Left out:
    /// std's types a runtime re-exports (`tokio::time::Duration`), and `Result<T, E>` of an
    /// error crate with its own `E` (only the alias's default `E` is the untyped error).
    fn foreign_types(
        &self,
        (from, to): (usize, usize),
        imports: &ScopedImports<'a>,
        module: Option<usize>,
        unclaimed: &mut Unclaimed,
    ) -> Vec<(String, &'a str, usize)> {
        let mut out = Vec::new();
        let mut k = unclaimed.find(self, from);
        while k < to {
            if let Some(seg) = self.ident(k)
                && !(k > 0 && self.path_sep(k - 2))
            {
                let mut end = k;
                while end + 3 <= to && self.path_sep(end + 1) && self.ident(end + 3).is_some() {
                    end += 3;
                }
                let path = (k..=end)
                    .filter_map(|j| self.ident(j))
                    .collect::<Vec<_>>()
                    .join("::");
                let import = imports.get(seg.trim_start_matches("r#"), module);
                let (krate, penult, last) = if end == k {
                    // A bare name counts only when imported from one of the crates.
                    import.map_or(("", None, None), |im| (im.krate, im.penult, im.last))
                } else {
                    let krate = import.map_or(seg.trim_start_matches("r#"), |im| im.krate);
                    (krate, self.ident(end - 3), self.ident(end))
                };
                let std_type = STD_REEXPORTS
                    .iter()
                    .any(|&(c, m, n)| c == krate && Some(m) == penult && Some(n) == last);
                let own_error = ERROR_CRATES.contains(&krate)
                    && last == Some("Result")
                    && self.second_type_arg(end + 1, to);
                if (RUNTIME_CRATES.contains(&krate) || ERROR_CRATES.contains(&krate))
                    && !std_type
                    && !own_error
                {
                    out.push((path, krate, k));
                }
                unclaimed.claim(k, end + 1);
                k = unclaimed.find(self, end + 1);
                continue;
            }
            unclaimed.claim(k, k + 1);
            k = unclaimed.find(self, k + 1);
        }
        out
    }

    /// Whether the `fn` at `i` (its signature ending at `end`) is `fn name(&self) ->
    /// Result<&T, ..>` or `-> Result<Option<&T>, ..>`, the result's path written any way
    /// (`anyhow::Result`, `Result`): a getter of a part built on first use.
    fn lazy_getter(&self, i: usize, end: usize) -> bool {
        let mut open = i + 2;
        // Generic parameters: `fn get<'a>(&'a self)`.
        if self.punct(open, b'<') {
            let mut depth = 0usize;
            while open < end {
                match self.kind(open) {
                    Some(TokKind::Punct(b'<')) => depth += 1,
                    Some(TokKind::Punct(b'>')) => depth = depth.saturating_sub(1),
                    _ => {}
                }
                open += 1;
                if depth == 0 {
                    break;
                }
            }
        }
        if !self.punct(open, b'(') || !self.punct(open + 1, b'&') {
            return false;
        }
        let lifetime = self.kind(open + 2) == Some(TokKind::Lifetime);
        let this = open + 2 + usize::from(lifetime);
        // `(&self)`, or `(\n &self,\n)` as rustfmt writes a long signature.
        let comma = usize::from(self.punct(this + 1, b','));
        if !self.is_ident(this, "self") || !self.punct(this + 1 + comma, b')') {
            return false;
        }
        let mut k = this + 2 + comma;
        if !(self.punct(k, b'-') && self.punct(k + 1, b'>')) {
            return false;
        }
        k += 2;
        // The result's path: `Result`, `anyhow::Result`, `std::result::Result`.
        while k < end && self.ident(k).is_some() && self.path_sep(k + 1) {
            k += 3;
        }
        if !self.is_ident(k, "Result") || !self.punct(k + 1, b'<') {
            return false;
        }
        k += 2;
        if self.is_ident(k, "Option") && self.punct(k + 1, b'<') {
            k += 2;
        }
        k < end && self.punct(k, b'&')
    }

    /// Whether `<` at `open` starts generic arguments with a second argument (a `,` at their
    /// own depth) within [`MAX_RESULT_ARGS`] tokens, before `to`.
    fn second_type_arg(&self, open: usize, to: usize) -> bool {
        if !self.punct(open, b'<') {
            return false;
        }
        let mut depth = 1usize;
        let mut k = open + 1;
        let end = to.min(open + 1 + MAX_RESULT_ARGS);
        while k < end {
            match self.kind(k) {
                Some(TokKind::Punct(b'<')) => depth += 1,
                Some(TokKind::Punct(b'>')) if !self.punct(k - 1, b'-') => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Some(TokKind::Punct(b',')) if depth == 1 => return true,
                Some(TokKind::Punct(b'(' | b'[' | b'{')) => k = self.close(k),
                _ => {}
            }
            k += 1;
        }
        false
    }

    /// The end of an item signature starting at `i`: the first `{` or `;` at its depth
    /// (`(...)` and `[...]` are jumped), or the end of the file. Computed for every index at
    /// once, from the end, so many signatures running to one `{` cost one walk.
    fn signature_end(&self, i: usize) -> usize {
        let n = self.len();
        let ends = self.sig_ends.get_or_init(|| {
            let mut e = vec![n as u32; n + 1];
            for k in (0..n).rev() {
                e[k] = match self.kind(k) {
                    Some(TokKind::Punct(b'{' | b';')) => k as u32,
                    Some(TokKind::Punct(b'(' | b'[')) => {
                        let c = self.close(k);
                        if c >= n { n as u32 } else { e[c + 1] }
                    }
                    _ => e[k + 1],
                };
            }
            e
        });
        self.read(1);
        ends.get(i).map_or(n, |&e| e as usize)
    }

    /// `pub` items whose signature names a runtime or error crate's type: functions (their
    /// `impl`'s self type is their owner), fields, trait items and supertraits, type aliases.
    /// `#[doc(hidden)]` items and `#[op2]` functions are not API. Each token is read for the
    /// first item (in the order of their keywords) whose signature range holds it: ranges
    /// overlap only when an item sits inside another's signature (a `const` block in an array
    /// length, a malformed file), and reading them again for each enclosing item would be
    /// quadratic.
    fn api_uses(&self, imports: &ScopedImports<'a>, mods: &mut ModTracker) -> Vec<ApiUse> {
        if imports.is_empty()
            && ![RUNTIME_CRATES, ERROR_CRATES]
                .concat()
                .iter()
                .any(|c| memchr::memmem::find(self.src.as_bytes(), c.as_bytes()).is_some())
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut unclaimed: Option<Unclaimed> = None;
        let mut push = |item: String,
                        (owner, lazy_getter): (&str, bool),
                        range: (usize, usize),
                        (public, parents): (bool, &InlineParents),
                        out: &mut Vec<ApiUse>| {
            let unclaimed = unclaimed.get_or_insert_with(|| Unclaimed::new(self.len()));
            for (ty, krate, at) in self.foreign_types(range, imports, parents.innermost, unclaimed)
            {
                if seen.insert((item.clone(), ty.clone())) {
                    out.push(ApiUse {
                        item: item.clone(),
                        ty,
                        krate: krate.to_string(),
                        public,
                        owner: owner.to_string(),
                        inline_parents: parents.clone(),
                        lazy_getter,
                        span: self.span(at, at),
                    });
                }
            }
        };
        let mut struct_body = Cursor::new();
        let mut trait_body = Cursor::new();
        let (mut last_struct, mut last_trait) = (usize::MAX, usize::MAX);
        // `impl` bodies open at a point: (close, self type, hidden).
        let mut impls: Vec<(usize, &'a str, bool)> = Vec::new();
        for i in 0..self.len() {
            while impls.last().is_some_and(|&(close, _, _)| close < i) {
                impls.pop();
            }
            let Some(keyword) = self.ident(i) else {
                continue;
            };
            if !matches!(keyword, "fn" | "struct" | "trait" | "type" | "impl") {
                continue;
            }
            let (start, is_pub) = self.visibility(i);
            if keyword == "impl" {
                let open = self.signature_end(i);
                if self.impl_item(i) && self.punct(open, b'{') {
                    let hidden = self.hidden_item(start);
                    impls.push((self.close(open), self.impl_owner(i, open), hidden));
                }
                continue;
            }
            if !is_pub || self.hidden_item(start) {
                continue;
            }
            let Some(name) = self.ident(i + 1) else {
                continue;
            };
            let parents = mods.parents(i);
            let public = !self.in_private_mod(i);
            match keyword {
                "fn" => {
                    let (owner, hidden) = match impls.last() {
                        Some(&(_, owner, hidden)) => (owner, hidden),
                        None => (name, false),
                    };
                    if hidden {
                        continue;
                    }
                    let end = self.signature_end(i);
                    let item = format!("fn {name}");
                    let getter = !impls.is_empty() && self.lazy_getter(i, end);
                    push(
                        item,
                        (owner, getter),
                        (i + 2, end),
                        (public, &parents),
                        &mut out,
                    );
                }
                "type" => {
                    let end = self.signature_end(i);
                    let item = format!("type {}", label(name));
                    push(
                        item,
                        (name, false),
                        (i + 2, end),
                        (public, &parents),
                        &mut out,
                    );
                }
                "struct" => {
                    let name = label(name);
                    let open = struct_body.find(self, i + 2, |k| {
                        self.punct(k, b'{') || self.punct(k, b'(') || self.punct(k, b';')
                    });
                    // No body, or the body of the struct before (`pub struct A pub struct B
                    // { .. }`): its fields are taken already.
                    if open >= self.len() || self.punct(open, b';') || open == last_struct {
                        continue;
                    }
                    last_struct = open;
                    let close = self.close(open);
                    // Fields are at the body's own depth; a `pub` inside a field's type
                    // brackets is not a field.
                    let mut k = open + 1;
                    while k < close {
                        if self.is_ident(k, "pub") && !self.punct(k + 1, b'(') {
                            let field_end =
                                self.find_at_depth(k + 1, close, |j| self.punct(j, b','));
                            let field = if self.punct(k + 2, b':') {
                                self.text(k + 1).to_string()
                            } else {
                                format!("{name}.{}", out.len())
                            };
                            let item = format!("field {name}::{field}");
                            let at = (public, &parents);
                            let owner = (self.text(i + 1), false);
                            push(item, owner, (k + 1, field_end), at, &mut out);
                            k = field_end + 1;
                            continue;
                        }
                        if self.is_open(k) {
                            k = self.close(k);
                        }
                        k += 1;
                    }
                }
                _ => {
                    let label_name = label(name);
                    let open = trait_body.find(self, i + 2, |k| self.punct(k, b'{'));
                    if open >= self.len() || open == last_trait {
                        continue;
                    }
                    last_trait = open;
                    let close = self.close(open);
                    // Supertraits and where-clauses: `pub trait Io: AsyncRead + AsyncWrite`.
                    let item = format!("trait {label_name}");
                    push(
                        item,
                        (name, false),
                        (i + 2, open),
                        (public, &parents),
                        &mut out,
                    );
                    // The trait's items: `fn`s at the body's own depth.
                    let mut k = open + 1;
                    while k < close {
                        if self.is_ident(k, "fn") {
                            let item = self.ident(k + 1).unwrap_or("?");
                            let end = self.signature_end(k).min(close);
                            let item = format!("trait {label_name}::{item}");
                            push(
                                item,
                                (name, false),
                                (k + 2, end),
                                (public, &parents),
                                &mut out,
                            );
                        }
                        if self.is_open(k) {
                            k = self.close(k);
                        }
                        k += 1;
                    }
                }
            }
        }
        out
    }

    fn enums(&self, mods: &mut ModTracker) -> (Vec<PubEnum>, Vec<String>) {
        let mut enums = Vec::new();
        let mut impls = Vec::new();
        for i in 0..self.len() {
            if self.is_ident(i, "enum") {
                let (start, is_pub) = self.visibility(i);
                let Some(name) = self.ident(i + 1) else {
                    continue;
                };
                if !is_pub {
                    continue;
                }
                let attrs = self.attrs_before(start);
                let (derives_error, non_exhaustive) = if attrs.is_empty() {
                    (false, false)
                } else {
                    let w = self.words();
                    let derives_error = attrs
                        .iter()
                        .any(|&(a, b)| self.is_ident(a, "derive") && self.any_in(&w.error, a, b));
                    (derives_error, self.attr_has(&attrs, &w.non_exhaustive))
                };
                enums.push(PubEnum {
                    name: name.to_string(),
                    non_exhaustive,
                    derives_error,
                    public: !self.in_private_mod(i) && !self.hidden_item(start),
                    inline_parents: mods.parents(i),
                    span: self.span(start, i + 1),
                });
            }
            if self.is_ident(i, "Error")
                && self.is_ident(i + 1, "for")
                && let Some(ty) = self.ident(i + 2)
            {
                // `impl ... Error for Type`: walk back to make sure this is an impl header.
                let header = (i.saturating_sub(12)..i)
                    .rev()
                    .any(|k| self.is_ident(k, "impl"));
                if header {
                    impls.push(ty.to_string());
                }
            }
        }
        (enums, impls)
    }

    fn metrics(&self) -> crate::Metrics {
        self.metrics_in(0, self.len())
    }

    /// The size metrics of the constructs that start at tokens `from..to`.
    fn metrics_in(&self, from: usize, to: usize) -> crate::Metrics {
        let mut m = crate::Metrics::default();
        // The contents of `[derive(...)]` groups; nested ones count again inside the outer.
        let mut derives: Vec<(usize, usize)> = Vec::new();
        for i in from..to {
            match self.ident(i) {
                Some("fn") if self.ident(i + 1).is_some() => {
                    m.fns += 1;
                    if self.punct(i + 2, b'<') {
                        m.generic_fns += 1;
                    }
                }
                Some("impl") => {
                    m.impls += 1;
                    if self.has_type_params(i + 1) {
                        m.generic_impls += 1;
                    }
                }
                Some("derive") if i > 0 && self.punct(i - 1, b'[') && self.punct(i + 1, b'(') => {
                    derives.push((i + 2, self.close(i + 1)));
                }
                Some(name)
                    if name != "macro_rules"
                        && self.punct(i + 1, b'!')
                        && matches!(self.kind(i + 2), Some(TokKind::Punct(b'(' | b'[' | b'{'))) =>
                {
                    m.macro_calls += 1;
                }
                _ => {}
            }
        }
        let names = self.count_in_ranges(&derives, |k| {
            self.ident(k).is_some() && !self.path_sep(k + 1)
        });
        m.derives = u32::try_from(names).unwrap_or(u32::MAX);
        m
    }

    /// Whether the generic parameter list opening at `i` (`<`) declares a type or const
    /// parameter, not only lifetimes. `false` when there is no list at `i`. Looks at most
    /// [`MAX_GENERICS_TOKENS`] tokens ahead, so that a file of unclosed `impl<` stays linear.
    fn has_type_params(&self, i: usize) -> bool {
        if !self.punct(i, b'<') {
            return false;
        }
        let mut depth = 0usize;
        let mut k = i;
        while k < self.len().min(i + MAX_GENERICS_TOKENS) {
            match self.kind(k) {
                Some(TokKind::Punct(b'<')) => depth += 1,
                // `->` in a bound (`F: Fn() -> T`) closes nothing.
                Some(TokKind::Punct(b'>')) if !self.punct(k.wrapping_sub(1), b'-') => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Some(TokKind::Punct(b'{' | b';')) => return false,
                Some(TokKind::Ident)
                    if depth == 1 && (self.punct(k - 1, b'<') || self.punct(k - 1, b',')) =>
                {
                    return true;
                }
                _ => {}
            }
            k += 1;
        }
        false
    }

    /// The sum over `ranges` (sorted by start) of the tokens in each where `pred` holds, in one
    /// sweep over their union: a token inside `d` of the ranges counts `d` times.
    fn count_in_ranges(&self, ranges: &[(usize, usize)], pred: impl Fn(usize) -> bool) -> u64 {
        let mut total = 0u64;
        let mut open: BinaryHeap<Reverse<usize>> = BinaryHeap::new();
        let mut r = 0;
        let mut p = 0;
        loop {
            if open.is_empty() {
                let Some(&(start, _)) = ranges.get(r) else {
                    break;
                };
                p = p.max(start);
            }
            while let Some(&(start, end)) = ranges.get(r)
                && start <= p
            {
                open.push(Reverse(end));
                r += 1;
            }
            while open.peek().is_some_and(|&Reverse(end)| end <= p) {
                open.pop();
            }
            if !open.is_empty() && pred(p) {
                total += open.len() as u64;
            }
            p += 1;
        }
        total
    }

    /// Paths starting with `crate::`, `super::` or `self::` outside `tests` (sorted spans),
    /// each once with its first span and count; a `super` inside an inline module counts from
    /// the file's module (the inline modules' names are not kept).
    fn module_refs(&self, tests: &[Span]) -> Vec<ModuleRef> {
        let mut found: BTreeMap<(PathAnchor, Vec<String>), (Span, u32)> = BTreeMap::new();
        let mut inline = self.mod_tracker();
        for i in 0..self.len() {
            // The first segment only: `super::super::x` is one path, `a::self` none.
            if !self.path_sep(i + 1) || (i >= 2 && self.path_sep(i - 2)) {
                continue;
            }
            let anchor = if self.is_ident(i, "crate") {
                PathAnchor::Crate
            } else if self.is_ident(i, "self") {
                PathAnchor::SelfModule
            } else if self.is_ident(i, "super") {
                let mut n = 1u8;
                while self.is_ident(i + 3 * usize::from(n), "super")
                    && self.path_sep(i + 3 * usize::from(n) + 1)
                {
                    n = n.saturating_add(1);
                }
                PathAnchor::Super(n)
            } else {
                continue;
            };
            let skip = match anchor {
                PathAnchor::Super(n) => 3 * usize::from(n),
                _ => 3,
            };
            let span = self.span(i, i);
            if crate::starts_inside(tests, span) {
                continue;
            }
            // In an inline `mod m { .. }`, `super` is the file's own module first.
            let depth = inline.at(i).1;
            let anchor = match anchor {
                PathAnchor::Super(n) if usize::from(n) <= depth => PathAnchor::SelfModule,
                PathAnchor::Super(n) => PathAnchor::Super(n - depth as u8),
                a => a,
            };
            let mut paths = Vec::new();
            self.ref_tree(i + skip, &mut Vec::new(), &mut paths, 0);
            for path in paths {
                let e = found.entry((anchor, path)).or_insert((span, 0));
                e.1 = e.1.saturating_add(1);
            }
        }
        found
            .into_iter()
            .map(|((anchor, path), (span, count))| ModuleRef {
                anchor,
                path,
                span,
                count,
            })
            .collect()
    }

    /// The paths of a use tree (or a plain path) starting at token `k` under `prefix`: `a::b`,
    /// `{a, b::{c, d}}`; at most [`ModuleRef::MAX_SEGMENTS`] segments kept, groups followed
    /// four deep.
    fn ref_tree(
        &self,
        mut k: usize,
        prefix: &mut Vec<String>,
        out: &mut Vec<Vec<String>>,
        depth: u8,
    ) {
        let base = prefix.len();
        while let Some(name) = self.ident(k) {
            if prefix.len() < ModuleRef::MAX_SEGMENTS {
                prefix.push(name.to_string());
            }
            if !self.path_sep(k + 1) {
                break;
            }
            k += 3;
        }
        if self.punct(k, b'{') && depth < 4 && self.path_sep(k.wrapping_sub(2)) {
            let close = self.close(k);
            let mut child = k + 1;
            while child < close {
                self.ref_tree(child, prefix, out, depth + 1);
                // The next child starts after a comma at this group's level.
                while child < close && !self.punct(child, b',') {
                    child = if self.is_open(child) {
                        self.close(child) + 1
                    } else {
                        child + 1
                    };
                }
                child += 1;
            }
        } else {
            // A leaf: `a::b`, or the module itself (`super::*`, `crate::{self}`).
            out.push(prefix.clone());
        }
        prefix.truncate(base);
    }

    fn static_muts(&self) -> Vec<String> {
        (0..self.len())
            .filter(|&i| self.is_ident(i, "static") && self.is_ident(i + 1, "mut"))
            .filter_map(|i| self.ident(i + 2).map(str::to_string))
            .collect()
    }

    /// The token ranges of `macro_rules!` bodies, sorted by start, each with the macro's name
    /// when it is `#[macro_export]`ed for users (not hidden): `cargo fix` rewrites the others'
    /// fragments by itself, and nobody else depends on their grammar.
    fn macro_bodies(&self) -> Vec<(usize, usize, Option<&'a str>)> {
        let mut bodies: Vec<(usize, usize, Option<&'a str>)> = self
            .macro_rules()
            .iter()
            .map(|&(i, open, close)| {
                let attrs = self.attrs_before(i);
                let exported = attrs.iter().any(|&(a, _)| self.is_ident(a, "macro_export"));
                // `#[doc(hidden)]` or `__name`: exported only so the crate's other macros can
                // reach it, not for users to call.
                let hidden = attrs.iter().any(|&(a, _)| {
                    self.is_ident(a, "doc")
                        && self.punct(a + 1, b'(')
                        && self.is_ident(a + 2, "hidden")
                });
                let name = self.ident(i + 2).unwrap_or("?");
                let public = exported && !hidden && !name.starts_with("__");
                (open, close, public.then_some(name))
            })
            .collect();
        bodies.sort_unstable();
        bodies
    }

    /// Each `macro_rules!` definition: the index of `macro_rules`, and its body's opening
    /// and closing brackets, in order (computed once).
    fn macro_rules(&self) -> &[(usize, usize, usize)] {
        self.macro_rules.get_or_init(|| {
            (0..self.len())
                .filter(|&i| self.is_ident(i, "macro_rules") && self.punct(i + 1, b'!'))
                .filter_map(|i| {
                    let open = (i + 2..(i + 5).min(self.len())).find(|&k| self.is_open(k))?;
                    Some((i, open, self.close(open)))
                })
                .collect()
        })
    }

    /// What the file names outside `macro_rules!` bodies, each sorted and once: the macros
    /// it invokes (where a macro whose body declares modules is expanded), and the first
    /// segments of its paths (`serde::Serialize`, `use tokio::..`, `::log::info!`), leaving
    /// out `crate`, `self`, `super` and `Self`: the crates it may call into, among local
    /// types and modules (the caller matches them against its dependencies' names). One read
    /// per token, more only at a `!` or a `::`.
    fn invocations_and_roots(&self) -> (Vec<String>, Vec<String>) {
        let bodies = self.macro_rules();
        let (mut opened, mut reach) = (0, 0);
        let (mut macros, mut roots): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for i in 0..self.len() {
            // Bodies come in order of their opening bracket; `reach` is where the ones opened
            // so far end.
            while let Some(&(_, open, close)) = bodies.get(opened)
                && open < i
            {
                reach = reach.max(close);
                opened += 1;
            }
            let macro_call = match self.kind(i + 1) {
                Some(TokKind::Punct(b'!')) => true,
                Some(TokKind::Punct(b':')) if self.punct(i + 2, b':') => false,
                _ => continue,
            };
            if i < reach {
                continue;
            }
            let Some(name) = self.ident(i) else { continue };
            if macro_call {
                if name != "macro_rules"
                    && matches!(self.kind(i + 2), Some(TokKind::Punct(b'(' | b'[' | b'{')))
                {
                    macros.push(name);
                }
                continue;
            }
            // `a::b`: `b` continues a path; `::b` after `use` or a bracket starts one.
            let continues = i >= 3
                && self.path_sep(i - 2)
                && (self.punct(i - 3, b'>') || self.ident(i - 3).is_some_and(|w| w != "use"));
            if !continues && !matches!(name, "crate" | "self" | "super" | "Self" | "use") {
                roots.push(name.trim_start_matches("r#"));
            }
        }
        let owned = |mut v: Vec<&str>| -> Vec<String> {
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(str::to_string).collect()
        };
        (owned(macros), owned(roots))
    }

    fn hazards(&self, imports: &Imports<'a>) -> Vec<(Hazard, Span, String)> {
        let mut out = Vec::new();
        // Whether `i` is inside a macro body: the bodies opened before `i` reach past it; and
        // inside an exported one: the exported bodies opened before `i` reach past it.
        let bodies = self.macro_bodies();
        let guards = self.guard_calls();
        let (mut opened, mut reach, mut exported) = (0, 0, (0, ""));
        for i in 0..self.len() {
            while let Some(&(open, close, name)) = bodies.get(opened)
                && open < i
            {
                reach = reach.max(close);
                if let Some(name) = name
                    && close > exported.0
                {
                    exported = (close, name);
                }
                opened += 1;
            }
            let Some(name) = self.ident(i) else {
                if self.punct(i, b'&')
                    && let Some((last, id)) = self.static_borrow(i)
                {
                    out.push((Hazard::StaticMutRef, self.span(i, last), id.to_string()));
                }
                continue;
            };
            match name {
                "set_var" | "remove_var" if self.punct(i + 1, b'(') => {
                    let (path, start) = self.path_ending_at(i);
                    if self.is_std_env(&path, imports) && !(i > 0 && self.punct(i - 1, b'.')) {
                        out.push((Hazard::EnvSetVar, self.span(start, i), path));
                    }
                }
                "if" if self.is_ident(i + 1, "let") => {
                    if let Some((close, receiver)) = self.if_let_guard(i, &guards) {
                        out.push((Hazard::IfLetGuard, self.span(i, close), receiver));
                    }
                }
                "extern" => {
                    let after = if self.is_str(i + 1) { i + 2 } else { i + 1 };
                    if self.punct(after, b'{') && !(i > 0 && self.is_ident(i - 1, "unsafe")) {
                        out.push((
                            Hazard::ExternBlock,
                            self.span(i, after),
                            self.text(i + 1).to_string(),
                        ));
                    }
                }
                "no_mangle" | "export_name" | "link_section"
                    if i >= 2 && self.punct(i - 1, b'[') && self.punct(i - 2, b'#') =>
                {
                    out.push((Hazard::UnsafeAttr, self.span(i - 2, i), name.to_string()));
                }
                "gen" => {
                    out.push((Hazard::GenIdent, self.span(i, i), "gen".to_string()));
                }
                "expr"
                    if i >= 3
                        && self.punct(i - 1, b':')
                        && self.ident(i - 2).is_some()
                        && self.punct(i - 3, b'$')
                        && reach > i =>
                {
                    let (hazard, detail) = if exported.0 > i {
                        (Hazard::ExportedExprFragment, exported.1.to_string())
                    } else {
                        (Hazard::ExprFragment, self.text(i - 2).to_string())
                    };
                    out.push((hazard, self.span(i - 3, i), detail));
                }
                _ if looks_static(name)
                    && !(i > 0 && self.punct(i - 1, b'.'))
                    && self.punct(i + 1, b'.')
                    && self.ident(i + 2).is_some()
                    && (self.punct(i + 3, b'(') || self.path_sep(i + 3)) =>
                {
                    // `NAME.method(..)`: the call takes `&NAME` or `&mut NAME` implicitly.
                    out.push((Hazard::StaticMutRef, self.span(i, i + 2), name.to_string()));
                }
                _ => {}
            }
        }
        out
    }

    /// `path` (a call's path ending in `set_var`/`remove_var`) names `std::env`'s function:
    /// written out (`std::env::set_var`), through an imported module (`use std::env;` then
    /// `env::set_var`, or an alias), or imported itself (`use std::env::set_var;`). A crate's
    /// own `env` module, `myenv::set_var` and `Command::env` are not.
    fn is_std_env(&self, path: &str, imports: &Imports<'a>) -> bool {
        let segs: Vec<&str> = path.split("::").collect();
        let from_env = |name: &str| imports.get(name).is_some_and(|im| im.from_std_env);
        match segs[..] {
            [.., "std", "env", _] => true,
            [module, _] => from_env(module),
            [function] => from_env(function),
            _ => false,
        }
    }

    /// `&NAME` / `&mut NAME` (or `&path::NAME`) at `i`, a prefix `&` (not `a & NAME`, not
    /// `a && NAME`), where `NAME` looks like a static and is not called, indexed, a field's
    /// owner or a path's prefix: the index of `NAME` and the name. `&raw const NAME` is not.
    fn static_borrow(&self, i: usize) -> Option<(usize, &'a str)> {
        if i > 0 && self.ends_operand(i - 1) {
            return None;
        }
        let mut k = i + 1;
        if self.is_ident(k, "mut") {
            k += 1;
        }
        let mut last = k;
        while self.ident(last).is_some()
            && self.path_sep(last + 1)
            && self.ident(last + 3).is_some()
        {
            last += 3;
        }
        let id = self.ident(last)?;
        let used = [b'(', b'.', b'['].iter().any(|&c| self.punct(last + 1, c));
        (looks_static(id) && !used && !self.path_sep(last + 1)).then_some((last, id))
    }

    /// Whether token `j` ends an operand, so that a `&` after it is the binary operator: a
    /// name (not a keyword that starts an expression), a literal, `)`, `]`, `?`, or the first
    /// `&` of `a && b`.
    fn ends_operand(&self, j: usize) -> bool {
        self.ends_operand_token(j)
            || (j > 0 && self.punct(j, b'&') && self.ends_operand_token(j - 1))
    }

    /// [`Scanner::ends_operand`] for one token.
    fn ends_operand_token(&self, j: usize) -> bool {
        match self.kind(j) {
            Some(TokKind::Ident) => !matches!(
                self.text(j),
                "return" | "in" | "match" | "if" | "while" | "else" | "break" | "yield" | "mut"
            ),
            Some(TokKind::Lit | TokKind::Str | TokKind::Punct(b')' | b']' | b'?')) => true,
            _ => false,
        }
    }

    /// Every guard call `R.lock()`, `R.read()`, `R.write()`, `R.borrow()`, `R.borrow_mut()`
    /// (no arguments: `io::Read::read(buf)` and `Write::write(buf)` take one) whose receiver
    /// `R` is a plain place (`self.inner`, `CACHE`, `state.map`), by receiver text, positions
    /// in order.
    fn guard_calls(&self) -> HashMap<String, Vec<u32>> {
        let mut out: HashMap<String, Vec<u32>> = HashMap::new();
        for k in 0..self.len() {
            if let Some(receiver) = self.guard_receiver(k) {
                out.entry(receiver).or_default().push(k as u32);
            }
        }
        out
    }

    /// The receiver of a guard call whose method name is at `k`, as its tokens' text.
    fn guard_receiver(&self, k: usize) -> Option<String> {
        let method = self.ident(k)?;
        if !matches!(method, "lock" | "read" | "write" | "borrow" | "borrow_mut")
            || k < 2
            || !self.punct(k - 1, b'.')
            || !self.punct(k + 1, b'(')
            || !self.punct(k + 2, b')')
        {
            return None;
        }
        // Back over `a.b.c` and `a::b`: names joined by `.` or `::`.
        let end = k - 2;
        self.ident(end)?;
        let mut start = end;
        loop {
            if start >= 2 && self.punct(start - 1, b'.') && self.ident(start - 2).is_some() {
                start -= 2;
            } else if start >= 3 && self.path_sep(start - 2) && self.ident(start - 3).is_some() {
                start -= 3;
            } else {
                break;
            }
        }
        if start > 0 && self.punct(start - 1, b'.') {
            // `f().a.lock()`: the receiver is not a place named in full.
            return None;
        }
        Some((start..=end).map(|j| self.text(j)).collect())
    }

    /// `if let P = SCRUTINEE { .. } else { .. }` at `i` whose scrutinee takes a guard of a
    /// receiver at its own depth and whose `else` block (or the condition and block of an
    /// `else if`) takes a guard of the same receiver: before 2024 the first guard is still
    /// held there. The end of the `else` part and the receiver.
    fn if_let_guard(
        &self,
        i: usize,
        guards: &HashMap<String, Vec<u32>>,
    ) -> Option<(usize, String)> {
        let eq = self.find_at_depth(i + 2, self.len(), |k| {
            self.punct(k, b'=') && !self.punct(k + 1, b'=') && !self.punct(k - 1, b'.')
        });
        let mut held: Vec<String> = Vec::new();
        let mut k = eq + 1;
        while k < self.len() && !self.punct(k, b'{') {
            if let Some(receiver) = self.guard_receiver(k) {
                held.push(receiver);
            }
            k = if self.is_open(k) { self.close(k) } else { k } + 1;
        }
        if held.is_empty() || !self.punct(k, b'{') {
            return None;
        }
        let then_close = self.close(k);
        if !self.is_ident(then_close + 1, "else") {
            return None;
        }
        let (from, to) = self.else_part(then_close + 2)?;
        held.into_iter()
            .find(|r| {
                guards.get(r).is_some_and(|at| {
                    let p = self.lower_bound(at, from);
                    p < at.len() && (at[p] as usize) < to
                })
            })
            .map(|r| (to, r))
    }

    /// The token range of what follows `else` at `k`: its block, or the condition and block of
    /// an `else if` (one link of the chain: each link is looked at once).
    fn else_part(&self, k: usize) -> Option<(usize, usize)> {
        if self.punct(k, b'{') {
            return Some((k, self.close(k)));
        }
        if !self.is_ident(k, "if") {
            return None;
        }
        let open = self.find_at_depth(k + 1, self.len(), |j| self.punct(j, b'{'));
        (open < self.len()).then(|| (k, self.close(open)))
    }

    fn ffi(&self) -> Vec<(Ffi, Span, String)> {
        let mut out = Vec::new();
        for i in 0..self.len() {
            match self.ident(i) {
                Some("extern") if !self.is_ident(i + 1, "crate") => {
                    let after = if self.is_str(i + 1) { i + 2 } else { i + 1 };
                    // `#[wasm_bindgen] extern "C" { .. }` imports JavaScript, not C.
                    let js = self
                        .attrs_before(self.visibility(i).0)
                        .iter()
                        .any(|&(a, b)| (a..=b).any(|k| self.is_ident(k, "wasm_bindgen")));
                    if self.punct(after, b'{') && !js {
                        let span = self.span(i, after);
                        out.push((Ffi::ExternBlock, span, self.text(i + 1).to_string()));
                        if let Some(lib) = self.linked_library(i) {
                            out.push((Ffi::Link, span, lib));
                        }
                        for name in self.type_names(after + 1, self.close(after)) {
                            out.push((Ffi::ForeignType, span, name.to_string()));
                        }
                    } else if self.is_ident(after, "fn")
                        && let Some(name) = self.ident(after + 1)
                    {
                        out.push((Ffi::ExternFn, self.span(i, after + 1), name.to_string()));
                    }
                }
                Some(attr @ ("no_mangle" | "export_name")) if self.is_symbol_attr(i) => {
                    // The symbol: `export_name`'s string, else the `fn` or `static` after
                    // the attribute(s).
                    let renamed = (attr == "export_name" && self.punct(i + 1, b'='))
                        .then(|| self.tok(i + 2))
                        .flatten()
                        .filter(|t| t.kind == TokKind::Str)
                        .and_then(|t| str_value(t.text(self.src)).ok());
                    let item = (i + 1..(i + 24).min(self.len()))
                        .find(|&k| matches!(self.ident(k), Some("fn" | "static")))
                        .and_then(|k| {
                            let k = if self.is_ident(k + 1, "mut") {
                                k + 1
                            } else {
                                k
                            };
                            // A `macro_rules!` template: `fn $name`, as written.
                            if self.punct(k + 1, b'$') {
                                self.ident(k + 2).map(|n| format!("${n}"))
                            } else {
                                self.ident(k + 1).map(str::to_string)
                            }
                        })
                        .unwrap_or_else(|| attr.to_string());
                    let name = renamed.unwrap_or(item);
                    out.push((Ffi::NoMangle, self.span(i, i), name));
                }
                Some("repr") if i >= 2 && self.punct(i - 1, b'[') && self.punct(i + 1, b'(') => {
                    let close = self.close(i + 1);
                    if self.any_in(&self.words().c, i + 2, close) {
                        let attr_end = self.close(i - 1);
                        let name = (attr_end + 1..(attr_end + 12).min(self.len()))
                            .find(|&k| matches!(self.ident(k), Some("struct" | "enum" | "union")))
                            .and_then(|k| self.ident(k + 1))
                            .unwrap_or("?");
                        out.push((Ffi::ReprC, self.span(i - 2, close), name.to_string()));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The library of `#[link(name = "x")]` on the `extern` block at `i` (`x.framework` for
    /// `kind = "framework"`), if it has one.
    fn linked_library(&self, i: usize) -> Option<String> {
        let attrs = self.attrs_before(self.visibility(i).0);
        let &(a, b) = attrs
            .iter()
            .find(|&&(a, _)| self.is_ident(a, "link") && self.punct(a + 1, b'('))?;
        let value = |key: &str| {
            (a + 2..b)
                .find(|&k| self.is_ident(k, key) && self.punct(k + 1, b'=') && self.is_str(k + 2))
                .and_then(|k| str_value(self.text(k + 2)).ok())
        };
        let name = value("name")?;
        Some(match value("kind").as_deref() {
            Some("framework") => format!("{name}.framework"),
            _ => name,
        })
    }

    /// The distinct identifiers starting with an upper-case letter in `[from, to)`, function
    /// names aside (Win32's are capitalised): the types an `extern` block's signatures name.
    fn type_names(&self, from: usize, to: usize) -> Vec<&'a str> {
        let mut names: Vec<&str> = (from..to)
            .filter(|&k| k == 0 || !self.is_ident(k - 1, "fn"))
            .filter_map(|k| self.ident(k))
            .filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether the identifier at `i` is the path of an attribute `#[name ..]` or
    /// `#[unsafe(name ..)]`, not a word that happens to be spelled like one (a variable, an
    /// argument of a macro that lists attribute names).
    fn is_symbol_attr(&self, i: usize) -> bool {
        let direct = i >= 2 && self.punct(i - 1, b'[') && self.punct(i - 2, b'#');
        let wrapped = i >= 4
            && self.punct(i - 1, b'(')
            && self.is_ident(i - 2, "unsafe")
            && self.punct(i - 3, b'[')
            && self.punct(i - 4, b'#');
        direct || wrapped
    }

    fn behaviours(&self) -> Vec<(Behaviour, Span, String)> {
        let mut out = Vec::new();
        let out_vars = self.out_dir_bindings();
        let tools = self.cargo_tool_bindings();
        // A script that names `"RUSTC"` (or another tool cargo hands it) and runs a program
        // from a binding named for it (`rustc`, `wrapper`, `cargo`) is running that tool,
        // through a helper, an iterator or a `match` the bindings pass does not follow
        // (proc-macro2's, anyhow's and libc's compiler probes).
        let names_cargo_tool = self.names_cargo_tool();
        let declared = self.rerun_env_declared();
        // Every token that mentions OUT_DIR, for the question "does this argument?".
        let mentions: Vec<u32> = (0..self.len())
            .filter(|&k| self.mentions_out_dir(k, &out_vars))
            .map(|k| k as u32)
            .collect();
        for i in 0..self.len() {
            let Some(name) = self.ident(i) else { continue };
            let next_is_path = self.path_sep(i + 1);
            // Every arm but the socket types wants a path around the name: skip the string
            // comparisons for the other identifiers.
            let wanted = next_is_path
                || (i >= 2 && self.path_sep(i - 2))
                || matches!(name, "TcpStream" | "UdpSocket");
            if !wanted {
                continue;
            }
            match name {
                "cc" | "cmake" | "cxx_build" if next_is_path => {
                    out.push((
                        Behaviour::CompilesNative,
                        self.span(i, i + 3),
                        format!("{name}::{}", self.text(i + 3)),
                    ));
                }
                "Command" if next_is_path && self.is_ident(i + 3, "new") => {
                    if self.runs_cargo_tool(i + 4, &tools) {
                        continue;
                    }
                    let literal = self.tok(i + 5).filter(|t| t.kind == TokKind::Str);
                    if literal.is_none() && names_cargo_tool && self.names_tool_binding(i + 4) {
                        continue;
                    }
                    let program = literal.map_or("a computed program".to_string(), |t| {
                        str_value(t.text(self.src)).unwrap_or_else(|as_written| as_written)
                    });
                    // A download tool is the network, whatever crate runs it (v8's build
                    // script fetches its prebuilt library with `curl`).
                    if DOWNLOADERS.contains(&program.as_str()) {
                        out.push((Behaviour::Network, self.span(i, i + 3), program.clone()));
                    }
                    out.push((Behaviour::RunsPrograms, self.span(i, i + 3), program));
                }
                "var" | "var_os"
                    if i >= 3
                        && self.path_sep(i - 2)
                        && self.is_ident(i - 3, "env")
                        && self.punct(i + 1, b'(') =>
                {
                    let var = self.tok(i + 2).filter(|t| t.kind == TokKind::Str).map(|t| {
                        str_value(t.text(self.src)).unwrap_or_else(|as_written| as_written)
                    });
                    let cargo_set = var
                        .as_deref()
                        .is_some_and(|v| CARGO_ENV.iter().any(|p| v.starts_with(p)));
                    // `env::var(NAME)` of a literal or a binding the script declares with
                    // `cargo:rerun-if-env-changed`: cargo reruns it when the variable changes.
                    // A constant names the variable too (`env::var(TOKEN_VAR)`); a lower-case
                    // binding or an expression does not (a helper's `key` parameter, often
                    // declared by the helper): the name is unknown, and so is whether cargo
                    // sets or the script declares it, and nothing is said.
                    let named = var.clone().or_else(|| {
                        self.ident(i + 2)
                            .filter(|n| self.punct(i + 3, b')') && is_constant_name(n))
                            .map(str::to_string)
                    });
                    let Some(named) = named else { continue };
                    if !cargo_set && !declared.contains(&named) {
                        out.push((Behaviour::ReadsEnv, self.span(i - 3, i + 1), named));
                    }
                }
                "reqwest" | "ureq" | "curl" | "attohttpc" | "isahc" | "minreq" if next_is_path => {
                    out.push((Behaviour::Network, self.span(i, i), name.to_string()));
                }
                "TcpStream" | "UdpSocket" => {
                    out.push((Behaviour::Network, self.span(i, i), name.to_string()));
                }
                "write" | "copy" | "create_dir" | "create_dir_all" | "remove_file"
                | "remove_dir_all" | "rename" | "create"
                    if i >= 3
                        && self.path_sep(i - 2)
                        && matches!(self.ident(i - 3), Some("fs" | "File"))
                        && self.punct(i + 1, b'(') =>
                {
                    if name == "create" && !self.is_ident(i - 3, "File") {
                        continue;
                    }
                    let close = self.close(i + 1);
                    // A removal whose failure is ignored (`let _ = fs::remove_file(..)`,
                    // `.ok()`) is a best-effort cleanup: it does not need a writable tree.
                    if name.starts_with("remove") && self.result_discarded(i - 3, close) {
                        continue;
                    }
                    // What is written: `copy` writes its second argument (the first is only
                    // read); `rename` changes both; the rest, their first.
                    let first_end = self.find_at_depth(i + 2, close, |k| self.punct(k, b','));
                    let written = match name {
                        "copy" => vec![(first_end + 1, close)],
                        "rename" => vec![(i + 2, first_end), (first_end + 1, close)],
                        _ => vec![(i + 2, first_end)],
                    };
                    // Only with evidence: a literal path that is not under OUT_DIR. A path
                    // computed elsewhere (a parameter, a helper's result) is not judged.
                    let outside = written.iter().any(|&(from, to)| {
                        from < to && self.literal_path_at(from) && !self.any_in(&mentions, from, to)
                    });
                    if outside {
                        out.push((
                            Behaviour::WritesOutsideOutDir,
                            self.span(i - 3, close),
                            format!("{}::{name}", self.text(i - 3)),
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether the argument starting at `a` is a literal path: a string, or `Path::new("..")`
    /// / `PathBuf::from("..")`, behind any `&`.
    fn literal_path_at(&self, mut a: usize) -> bool {
        while self.punct(a, b'&') {
            a += 1;
        }
        self.is_str(a)
            || (matches!(self.ident(a), Some("Path" | "PathBuf"))
                && self.path_sep(a + 1)
                && matches!(self.ident(a + 3), Some("new" | "from"))
                && self.punct(a + 4, b'(')
                && self.is_str(a + 5))
    }

    /// Whether the call whose path ends at `last` (the `fs` of `fs::remove_file`) and whose
    /// arguments close at `close` has its result thrown away: `let _ = std::fs::x(..)` or
    /// `fs::x(..).ok()`.
    fn result_discarded(&self, last: usize, close: usize) -> bool {
        let mut start = last;
        while start >= 3 && self.path_sep(start - 2) && self.ident(start - 3).is_some() {
            start -= 3;
        }
        let let_underscore = start >= 3
            && self.punct(start - 1, b'=')
            && self.text(start - 2) == "_"
            && self.is_ident(start - 3, "let");
        let ok = self.punct(close + 1, b'.') && self.is_ident(close + 2, "ok");
        let_underscore || ok
    }

    /// Whether the call arguments opening at `open` use a binding named for a tool cargo
    /// hands the script: `rustc`, `rustc_wrapper`, `wrapper`, `cargo`.
    fn names_tool_binding(&self, open: usize) -> bool {
        if !self.punct(open, b'(') {
            return false;
        }
        (open + 1..self.close(open)).any(|k| {
            self.ident(k).is_some_and(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("rustc") || n.contains("wrapper") || n == "cargo"
            })
        })
    }

    /// Whether the file holds a string literal naming a tool cargo hands build scripts
    /// (`"RUSTC"`, `"RUSTC_WRAPPER"`, ...).
    fn names_cargo_tool(&self) -> bool {
        if memchr::memmem::find(self.src.as_bytes(), b"\"RUSTC").is_none()
            && memchr::memmem::find(self.src.as_bytes(), b"\"CARGO\"").is_none()
        {
            return false;
        }
        (0..self.len()).any(|k| {
            self.tok(k)
                .filter(|t| t.kind == TokKind::Str)
                .and_then(|t| str_value(t.text(self.src)).ok())
                .is_some_and(|v| CARGO_TOOLS.contains(&v.as_str()))
        })
    }

    /// Variables a build script declares with `cargo:rerun-if-env-changed=NAME` (or
    /// `cargo::`): the literal names, and the identifiers of `{NAME}` inline format arguments
    /// or of the argument after a `{}` literal (`println!("cargo:rerun-if-env-changed={}", VAR)`).
    fn rerun_env_declared(&self) -> HashSet<String> {
        const KEY: &str = "rerun-if-env-changed=";
        let mut out = HashSet::new();
        for k in 0..self.len() {
            if !self.is_str(k) || !self.text(k).contains(KEY) {
                continue;
            }
            let Ok(text) = str_value(self.text(k)) else {
                continue;
            };
            let Some(at) = text.find(KEY) else { continue };
            let name = text[at + KEY.len()..].lines().next().unwrap_or("").trim();
            match name.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                Some("") if self.punct(k + 1, b',') => {
                    out.extend(self.ident(k + 2).map(str::to_string));
                }
                Some(inline) => {
                    out.insert(inline.to_string());
                }
                None if !name.is_empty() => {
                    out.insert(name.to_string());
                }
                None => {}
            }
        }
        out
    }

    /// Bindings whose value mentions OUT_DIR, transitively: `let out = env::var("OUT_DIR")`,
    /// `let dest = Path::new(&out).join(..)`. Three passes over the `let`s in order, as many
    /// as a chain of three bindings needs; a `let`'s value runs to the next `;`.
    ///
    /// The `let`s between two `;` share that end, so their values nest. The tokens are read
    /// once: for each such stretch that holds a `let`, its `let`s, its last static mention
    /// (`"..OUT_DIR.."`, `out_dir`) and the last position of each identifier in it. A `let`
    /// mentions OUT_DIR when the last mention in its stretch, static or of a binding known
    /// so far, comes after its name.
    /// Whether the arguments of `Command::new` (the bracket at `open`) name a tool cargo hands
    /// the build script (`env::var("RUSTC")`, or a binding of one): cargo's own input, not a
    /// program of the build host.
    fn runs_cargo_tool(&self, open: usize, tools: &HashSet<&str>) -> bool {
        if !self.punct(open, b'(') {
            return false;
        }
        let close = self.close(open);
        (open + 1..close).any(|k| {
            self.ident(k).is_some_and(|n| tools.contains(n)) || self.cargo_tool_var(k).is_some()
        })
    }

    /// `env::var("RUSTC")` (or `var_os`) at `k` (the `env`) of a tool cargo sets for build
    /// scripts: the compiler, its wrappers, rustdoc, cargo itself.
    fn cargo_tool_var(&self, k: usize) -> Option<()> {
        let call = self.is_ident(k, "env")
            && self.path_sep(k + 1)
            && matches!(self.ident(k + 3), Some("var" | "var_os"))
            && self.punct(k + 4, b'(');
        let name = self
            .tok(k + 5)
            .filter(|t| call && t.kind == TokKind::Str)
            .and_then(|t| str_value(t.text(self.src)).ok())?;
        CARGO_TOOLS.contains(&name.as_str()).then_some(())
    }

    /// Names `let` binds to a tool cargo sets (`let rustc = env::var("RUSTC")...;`), in one
    /// pass: the last `let` of the statement under way takes the value.
    fn cargo_tool_bindings(&self) -> HashSet<&'a str> {
        let mut out = HashSet::new();
        // Only a script that runs programs needs them: skip the pass (a byte search, no token
        // read) for the others.
        if memchr::memmem::find(self.src.as_bytes(), b"Command").is_none() {
            return out;
        }
        let mut binding: Option<&'a str> = None;
        // One read a token (its kind and text), then the few after a `let` or an `env`.
        for k in 0..self.len() {
            let Some(t) = self.tok(k) else { break };
            match (t.kind, t.text(self.src)) {
                (TokKind::Punct(b';'), _) => binding = None,
                (TokKind::Ident, "let") => {
                    let at = if self.is_ident(k + 1, "mut") {
                        k + 2
                    } else {
                        k + 1
                    };
                    binding = self.ident(at);
                }
                (TokKind::Ident, "env") => {
                    if let Some(name) = binding
                        && self.cargo_tool_var(k).is_some()
                    {
                        out.insert(name);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Items and statements under an outer `#[cfg(..)]` whose predicate names the platform
    /// (`windows`, `unix`, `target_os`...), with the predicate's text. In a build script that is
    /// code run only on such a build host. Each item end is found at its own bracket depth,
    /// jumping over bracket pairs.
    fn platform_cfgs(&self) -> Vec<(Span, String)> {
        self.cfg_items(|from, to| {
            let platform = (from..to).any(|k| {
                matches!(
                    self.ident(k),
                    Some(
                        "windows"
                            | "unix"
                            | "target_os"
                            | "target_family"
                            | "target_env"
                            | "target_vendor"
                    )
                )
            });
            platform.then(|| {
                let predicate = self.span(from, to - 1);
                self.src[predicate.start..predicate.end].to_string()
            })
        })
    }

    /// Items and statements under `#[cfg(feature = "name")]` (that one predicate alone), with
    /// the feature's name: code compiled only when the feature is on.
    fn feature_cfgs(&self) -> Vec<(Span, String)> {
        self.cfg_items(|from, to| {
            let single =
                to == from + 3 && self.is_ident(from, "feature") && self.punct(from + 1, b'=');
            single
                .then(|| self.tok(from + 2))
                .flatten()
                .filter(|t| t.kind == TokKind::Str)
                .and_then(|t| str_value(t.text(self.src)).ok())
        })
    }

    /// The items and statements under an outer `#[cfg(..)]` for which `detail` (given the
    /// predicate's token range) says something, with what it says.
    fn cfg_items(&self, detail: impl Fn(usize, usize) -> Option<String>) -> Vec<(Span, String)> {
        let mut out = Vec::new();
        if memchr::memmem::find(self.src.as_bytes(), b"cfg").is_none() {
            return out;
        }
        for i in 2..self.len() {
            let attr = self.is_ident(i, "cfg")
                && self.punct(i - 1, b'[')
                && self.punct(i - 2, b'#')
                && self.punct(i + 1, b'(');
            if !attr {
                continue;
            }
            let close = self.close(i + 1);
            if close >= self.len() {
                continue;
            }
            let Some(said) = detail(i + 2, close) else {
                continue;
            };
            let end = self.attributed_item_end(i - 1);
            out.push((self.span(i - 2, end), said));
        }
        out
    }

    fn out_dir_bindings(&self) -> HashSet<&'a str> {
        struct Stretch<'a> {
            lets: Vec<(usize, &'a str)>,
            last_static: Option<usize>,
            last_at: HashMap<&'a str, usize>,
        }
        let n = self.len();
        let mut stretches: Vec<Stretch<'a>> = Vec::new();
        let mut from = 0;
        while from < n {
            let mut end = from;
            let mut lets = Vec::new();
            while end < n && !self.punct(end, b';') {
                if self.is_ident(end, "let") {
                    let name_at = if self.is_ident(end + 1, "mut") {
                        end + 2
                    } else {
                        end + 1
                    };
                    if let Some(name) = self.ident(name_at) {
                        lets.push((name_at, name));
                    }
                }
                end += 1;
            }
            if !lets.is_empty() {
                let mut last_static = None;
                let mut last_at = HashMap::new();
                for k in from..end {
                    match self.tok(k).map(|t| (t.kind, t.text(self.src))) {
                        Some((TokKind::Str, s)) if s.contains("OUT_DIR") => last_static = Some(k),
                        Some((TokKind::Ident, s)) => {
                            if s.eq_ignore_ascii_case("out_dir") {
                                last_static = Some(k);
                            }
                            last_at.insert(s, k);
                        }
                        _ => {}
                    }
                }
                stretches.push(Stretch {
                    lets,
                    last_static,
                    last_at,
                });
            }
            from = end + 1;
        }
        let mut vars: HashSet<&'a str> = HashSet::new();
        for _ in 0..3 {
            for st in &stretches {
                let mut last_mention = st.last_static;
                if !vars.is_empty() {
                    for (&name, &at) in &st.last_at {
                        if vars.contains(name) {
                            last_mention = last_mention.max(Some(at));
                        }
                    }
                }
                for &(name_at, name) in &st.lets {
                    if last_mention.is_some_and(|m| m > name_at) && vars.insert(name) {
                        last_mention = last_mention.max(st.last_at.get(name).copied());
                    }
                }
            }
        }
        vars
    }

    fn mentions_out_dir(&self, k: usize, out_vars: &HashSet<&str>) -> bool {
        match self.tok(k).map(|t| (t.kind, t.text(self.src))) {
            Some((TokKind::Str, s)) => s.contains("OUT_DIR"),
            Some((TokKind::Ident, s)) => out_vars.contains(s) || s.eq_ignore_ascii_case("out_dir"),
            _ => false,
        }
    }
}

/// A struct's or trait's name as its field and item labels repeat it: cut to 128 bytes, so a
/// file of one enormous name and many fields does not make labels quadratic in its size.
fn label(name: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 128;
    if name.len() <= MAX {
        return name.into();
    }
    let mut cut = MAX;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &name[..cut]).into()
}

/// The value of a string literal token as rustc reads it: escapes processed in `"..."`
/// (rustc's own unescaping, `rustc-literal-escaper`), raw strings verbatim, CRLF read as LF as
/// rustc normalizes source text. `Err` with the text between the quotes as written when rustc
/// rejects the literal where a string is wanted: an invalid escape, a bare carriage return, a
/// byte or C string, a suffix, no closing quote.
pub(crate) fn str_value(lit: &str) -> Result<String, String> {
    let as_written = || {
        let s = lit.trim_start_matches(['b', 'c', 'r']).trim_matches('#');
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(s)
            .to_string()
    };
    let normalized = |s: &str| {
        if s.contains('\r') {
            s.replace("\r\n", "\n")
        } else {
            s.to_string()
        }
    };
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let closing = format!("\"{}", &raw[..hashes]);
        let Some(body) = raw[hashes..]
            .strip_prefix('"')
            .and_then(|b| b.strip_suffix(closing.as_str()))
        else {
            return Err(as_written());
        };
        let body = normalized(body);
        let mut ok = true;
        rustc_literal_escaper::check_raw_str(&body, |_, r| ok &= r.is_ok());
        return if ok { Ok(body) } else { Err(as_written()) };
    }
    let Some(body) = lit.strip_prefix('"').and_then(|b| b.strip_suffix('"')) else {
        return Err(as_written());
    };
    let body = normalized(body);
    let mut value = String::with_capacity(body.len());
    let mut ok = true;
    rustc_literal_escaper::unescape_str(&body, |_, r| match r {
        Ok(c) => value.push(c),
        Err(e) => ok &= !e.is_fatal(),
    });
    if ok { Ok(value) } else { Err(as_written()) }
}

/// Whether a name is written like a static: upper case, digits and `_`, two characters or more.
fn looks_static(name: &str) -> bool {
    name.len() > 1
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && name.chars().any(|c| c.is_ascii_uppercase())
}

/// Whether an identifier is spelled as a constant (`DEPLOY_TOKEN`, `VAR`): upper-case letters,
/// digits and underscores, with a letter.
fn is_constant_name(n: &str) -> bool {
    n.chars().any(|c| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
