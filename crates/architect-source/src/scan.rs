//! Scans over the token stream, one per kind of construct.

use crate::tokens::{Tok, TokKind, lex};
use crate::{
    ApiUse, Behaviour, Ffi, FileFacts, Hazard, ModDecl, PubEnum, Span, Spawn, UnsafeKind, Wanted,
};

/// Crates whose types in a public signature tie callers to a runtime.
const RUNTIME_CRATES: &[&str] = &[
    "tokio",
    "async_std",
    "smol",
    "async_executor",
    "glommio",
    "monoio",
    "actix_rt",
];
/// Crates whose error types in a library's API force them on callers.
const ERROR_CRATES: &[&str] = &["anyhow", "eyre", "color_eyre"];
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
];

/// Analyze one file.
pub fn analyze(src: &str, wanted: Wanted) -> FileFacts {
    if wanted == Wanted::ModsAndUnsafe
        && !["mod", "unsafe", "forbid"]
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
        return FileFacts {
            code_lines,
            ..FileFacts::default()
        };
    }
    let (toks, code_lines, lex_error) = lex(src);
    let s = Scanner::new(src, &toks);
    let mut f = FileFacts {
        code_lines,
        lex_error,
        ..FileFacts::default()
    };
    f.mods = s.mods();
    (f.unsafes, f.forbids_unsafe) = s.unsafes();
    if wanted != Wanted::ModsAndUnsafe {
        f.metrics = s.metrics();
    }
    if matches!(wanted, Wanted::All | Wanted::BuildScript) {
        let imports = s.imports();
        f.spawns = s.spawns(&imports);
        f.instrumented_fns = s.instrumented_fns();
        f.api_uses = s.api_uses(&imports);
        (f.pub_enums, f.error_impls) = s.enums();
        f.static_muts = s.static_muts();
        f.hazards = s.hazards(&imports);
        f.ffi = s.ffi();
        f.crate_refs = s.crate_refs();
        if wanted == Wanted::BuildScript {
            f.behaviours = s.behaviours();
        }
    }
    f
}

struct Scanner<'a> {
    src: &'a str,
    t: &'a [Tok],
    /// For an opening bracket, the index of its match (or `t.len()`); for a closing one, the
    /// index of its opening (or `usize::MAX`).
    pair: Vec<usize>,
    /// Token ranges of inline modules that are not plain `pub`.
    private_mods: Vec<(usize, usize)>,
}

/// `(local name, full path)` of each `use` import.
type Imports = Vec<(String, String)>;

impl<'a> Scanner<'a> {
    fn new(src: &'a str, t: &'a [Tok]) -> Self {
        let mut pair = vec![usize::MAX; t.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (i, tok) in t.iter().enumerate() {
            match tok.kind {
                TokKind::Punct(b'(' | b'[' | b'{') => stack.push(i),
                TokKind::Punct(c @ (b')' | b']' | b'}')) => {
                    let open = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    // Tolerate unbalanced input: pop to the nearest matching opener.
                    if let Some(pos) = stack.iter().rposition(|&o| t[o].is_punct(open)) {
                        let o = stack[pos];
                        stack.truncate(pos);
                        pair[o] = i;
                        pair[i] = o;
                    }
                }
                _ => {}
            }
        }
        for o in stack {
            pair[o] = t.len();
        }
        let mut s = Scanner {
            src,
            t,
            pair,
            private_mods: Vec::new(),
        };
        s.private_mods = s.find_private_mods();
        s
    }

    fn text(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| t.text(self.src))
    }

    fn is_ident(&self, i: usize, name: &str) -> bool {
        self.t
            .get(i)
            .is_some_and(|t| t.kind == TokKind::Ident && t.text(self.src) == name)
    }

    fn ident(&self, i: usize) -> Option<&'a str> {
        self.t
            .get(i)
            .filter(|t| t.kind == TokKind::Ident)
            .map(|t| t.text(self.src))
    }

    fn punct(&self, i: usize, c: u8) -> bool {
        self.t.get(i).is_some_and(|t| t.is_punct(c))
    }

    /// `::` starting at `i`.
    fn path_sep(&self, i: usize) -> bool {
        self.punct(i, b':') && self.punct(i + 1, b':')
    }

    fn span(&self, from: usize, to: usize) -> Span {
        let end = self
            .t
            .get(to)
            .or(self.t.last())
            .map_or(0, |t| t.end as usize);
        Span {
            start: self.t.get(from).map_or(0, |t| t.start as usize),
            end,
        }
    }

    fn close(&self, open: usize) -> usize {
        self.pair
            .get(open)
            .copied()
            .unwrap_or(self.t.len())
            .min(self.t.len())
    }

    /// Whether token `i` sits inside an inline module that is not `pub`.
    fn in_private_mod(&self, i: usize) -> bool {
        self.private_mods.iter().any(|&(a, b)| a < i && i < b)
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
        if j > 1 && self.t[j - 1].kind == TokKind::Str && self.is_ident(j - 2, "extern") {
            j -= 2;
            while j > 0 && matches!(self.ident(j - 1), Some("unsafe" | "async" | "const")) {
                j -= 1;
            }
        }
        if j > 0 && self.punct(j - 1, b')') {
            let open = self.pair[j - 1];
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
            let open = self.pair[j - 1];
            if open == usize::MAX || open == 0 || !self.punct(open - 1, b'#') {
                break;
            }
            out.push((open + 1, j - 1));
            j = open - 1;
        }
        out.reverse();
        out
    }

    fn attr_has(&self, attrs: &[(usize, usize)], name: &str) -> bool {
        attrs
            .iter()
            .any(|&(a, b)| (a..b).any(|k| self.is_ident(k, name)))
    }

    fn find_private_mods(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for i in 0..self.t.len() {
            if self.is_ident(i, "mod")
                && self.ident(i + 1).is_some()
                && self.punct(i + 2, b'{')
                && !self.visibility(i).1
            {
                out.push((i + 2, self.close(i + 2)));
            }
        }
        out
    }

    fn mods(&self) -> Vec<ModDecl> {
        let mut out = Vec::new();
        // Inline modules open at a point: (close index, name, is pub).
        let mut stack: Vec<(usize, String, bool)> = Vec::new();
        for i in 0..self.t.len() {
            while stack.last().is_some_and(|(close, _, _)| *close < i) {
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
                        .then(|| self.t.get(a + 2))
                        .flatten()
                        .filter(|t| t.kind == TokKind::Str)
                        .map(|t| unquote(t.text(self.src)))
                });
                out.push(ModDecl {
                    name,
                    path_attr,
                    is_pub,
                    inline_parents: stack.iter().map(|(_, n, p)| (n.clone(), *p)).collect(),
                    span: self.span(vis_start, i + 2),
                });
            } else if self.punct(i + 2, b'{') {
                stack.push((self.close(i + 2), name, is_pub));
            }
        }
        out
    }

    fn unsafes(&self) -> (Vec<(UnsafeKind, Span)>, bool) {
        let mut out = Vec::new();
        let mut forbid = false;
        for i in 0..self.t.len() {
            if self.punct(i, b'#')
                && self.punct(i + 1, b'!')
                && self.punct(i + 2, b'[')
                && self.is_ident(i + 3, "forbid")
            {
                let close = self.close(i + 2);
                forbid |= (i + 4..close).any(|k| self.is_ident(k, "unsafe_code"));
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
                    let after = if self.t.get(i + 2).is_some_and(|t| t.kind == TokKind::Str) {
                        i + 3
                    } else {
                        i + 2
                    };
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
    /// `(mpsc, tokio::sync::mpsc)` and `(H, tokio::task::JoinHandle)`.
    fn imports(&self) -> Imports {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.t.len() {
            if self.is_ident(i, "use") {
                let end = (i + 1..self.t.len())
                    .find(|&k| self.punct(k, b';'))
                    .unwrap_or(self.t.len());
                self.use_tree(i + 1, end, String::new(), &mut out);
                i = end;
            }
            i += 1;
        }
        out
    }

    fn use_tree(&self, mut i: usize, end: usize, prefix: String, out: &mut Imports) {
        let mut path = prefix;
        while i < end {
            if self.path_sep(i) {
                i += 2;
                continue;
            }
            if self.punct(i, b'{') {
                let close = self.close(i).min(end);
                let mut start = i + 1;
                for k in i + 1..=close {
                    let at_top =
                        k == close || (self.punct(k, b',') && self.depth_between(i + 1, k) == 0);
                    if at_top {
                        if start < k {
                            self.use_tree(start, k, path.clone(), out);
                        }
                        start = k + 1;
                    }
                }
                return;
            }
            match self.ident(i) {
                Some("as") => {
                    if let Some(alias) = self.ident(i + 1) {
                        out.push((alias.to_string(), path.clone()));
                    }
                    return;
                }
                Some(seg) => {
                    if !path.is_empty() {
                        path.push_str("::");
                    }
                    path.push_str(seg);
                    let last = !(self.path_sep(i + 1));
                    if last && !self.is_ident(i + 1, "as") {
                        let local = if seg == "self" {
                            path.rsplit("::").nth(1).unwrap_or(seg).to_string()
                        } else {
                            seg.to_string()
                        };
                        if seg == "self" {
                            path.truncate(path.len() - "::self".len().min(path.len()));
                        }
                        out.push((local, path.clone()));
                        return;
                    }
                }
                None => {}
            }
            i += 1;
        }
    }

    /// Bracket depth of `k` relative to `from` (0 when not inside a nested bracket).
    fn depth_between(&self, from: usize, k: usize) -> usize {
        let mut depth: usize = 0;
        for j in from..k {
            match self.t[j].kind {
                TokKind::Punct(b'(' | b'[' | b'{') => depth += 1,
                TokKind::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        depth
    }

    /// The crate a path's first segment names, through the file's imports.
    fn crate_of(&self, first: &str, imports: &Imports) -> String {
        let first = first.trim_start_matches("r#");
        match imports.iter().find(|(local, _)| local == first) {
            Some((_, full)) => full.split("::").next().unwrap_or(first).to_string(),
            None => first.to_string(),
        }
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

    fn spawns(&self, imports: &Imports) -> Vec<Spawn> {
        let mut out = Vec::new();
        for i in 0..self.t.len() {
            let Some(name) = self.ident(i) else { continue };
            if !matches!(name, "spawn" | "spawn_local" | "spawn_blocking")
                || !self.punct(i + 1, b'(')
            {
                continue;
            }
            if i > 0 && self.is_ident(i - 1, "fn") {
                continue;
            }
            let open = i + 1;
            let close = self.close(open);
            if close <= open + 1 {
                // `.spawn()` without arguments: a process or a thread builder, not a task.
                continue;
            }
            let (callee, start) = if i > 0 && self.punct(i - 1, b'.') {
                // A method: a runtime handle or a JoinSet. A closure argument means a thread.
                if name != "spawn_blocking"
                    && (self.punct(open + 1, b'|')
                        || (self.is_ident(open + 1, "move") && self.punct(open + 2, b'|')))
                {
                    continue;
                }
                (format!(".{name}"), i)
            } else {
                let (path, start) = self.path_ending_at(i);
                let first = path.split("::").next().unwrap_or("");
                let krate = if path == name {
                    imports
                        .iter()
                        .find(|(local, _)| local == name)
                        .map(|(_, full)| full.split("::").next().unwrap_or("").to_string())
                        .unwrap_or_default()
                } else {
                    self.crate_of(first, imports)
                };
                if !RUNTIME_CRATES.contains(&krate.as_str()) {
                    continue;
                }
                (path, start)
            };
            let arg = open + 1..close;
            let instrumented = arg.clone().any(|k| {
                (self.punct(k.saturating_sub(1), b'.')
                    && matches!(
                        self.ident(k),
                        Some("instrument" | "in_current_span" | "enter" | "in_scope")
                    ))
                    || self.is_ident(k, "in_scope")
            });
            let mut head = open + 1;
            if self.is_ident(head, "self") && self.punct(head + 1, b'.') {
                head += 2;
            }
            let calls = (head..close)
                .take_while(|&k| self.ident(k).is_some() || self.path_sep(k) || self.punct(k, b':'))
                .last()
                .filter(|&k| self.punct(k + 1, b'(') && self.ident(k).is_some())
                .and_then(|k| self.ident(k))
                .map(str::to_string);
            out.push(Spawn {
                callee,
                span: self.span(start, close),
                instrumented,
                calls,
            });
        }
        out
    }

    fn instrumented_fns(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..self.t.len() {
            if !self.is_ident(i, "fn") {
                continue;
            }
            let (start, _) = self.visibility(i);
            let attrs = self.attrs_before(start);
            if self.attr_has(&attrs, "instrument")
                && let Some(name) = self.ident(i + 1)
            {
                out.push(name.to_string());
            }
        }
        out
    }

    /// Types from runtime or error crates in the token range `[from, to)`.
    fn foreign_types(
        &self,
        from: usize,
        to: usize,
        imports: &Imports,
    ) -> Vec<(String, String, usize)> {
        let mut out = Vec::new();
        let mut k = from;
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
                let krate = if end == k {
                    // A bare name counts only when imported from one of the crates.
                    imports
                        .iter()
                        .find(|(local, _)| local == seg)
                        .map(|(_, full)| full.split("::").next().unwrap_or("").to_string())
                        .unwrap_or_default()
                } else {
                    self.crate_of(seg, imports)
                };
                if RUNTIME_CRATES.contains(&krate.as_str())
                    || ERROR_CRATES.contains(&krate.as_str())
                {
                    out.push((path, krate, k));
                }
                k = end + 1;
                continue;
            }
            k += 1;
        }
        out
    }

    /// The end of an item signature starting at `i`: the first `{`, `;` or `=` at its depth.
    fn signature_end(&self, i: usize) -> usize {
        let mut k = i;
        while k < self.t.len() {
            match self.t[k].kind {
                TokKind::Punct(b'{' | b';') => return k,
                TokKind::Punct(b'(' | b'[') => k = self.close(k),
                _ => {}
            }
            k += 1;
        }
        k
    }

    fn api_uses(&self, imports: &Imports) -> Vec<ApiUse> {
        if imports.is_empty()
            && ![RUNTIME_CRATES, ERROR_CRATES]
                .concat()
                .iter()
                .any(|c| memchr::memmem::find(self.src.as_bytes(), c.as_bytes()).is_some())
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        let push = |item: String, from: usize, to: usize, public: bool, out: &mut Vec<ApiUse>| {
            for (ty, krate, at) in self.foreign_types(from, to, imports) {
                if !out.iter().any(|u: &ApiUse| u.item == item && u.ty == ty) {
                    out.push(ApiUse {
                        item: item.clone(),
                        ty,
                        krate,
                        public,
                        span: self.span(at, at),
                    });
                }
            }
        };
        for i in 0..self.t.len() {
            match self.ident(i) {
                Some("fn") => {
                    let (_, is_pub) = self.visibility(i);
                    let Some(name) = self.ident(i + 1) else {
                        continue;
                    };
                    if is_pub {
                        let end = self.signature_end(i);
                        push(
                            format!("fn {name}"),
                            i + 2,
                            end,
                            !self.in_private_mod(i),
                            &mut out,
                        );
                    }
                }
                Some("struct") => {
                    let (_, is_pub) = self.visibility(i);
                    if !is_pub {
                        continue;
                    }
                    let Some(name) = self.ident(i + 1) else {
                        continue;
                    };
                    let body = (i + 2..self.t.len()).find(|&k| {
                        self.punct(k, b'{') || self.punct(k, b'(') || self.punct(k, b';')
                    });
                    let Some(open) = body.filter(|&k| !self.punct(k, b';')) else {
                        continue;
                    };
                    let close = self.close(open);
                    let mut k = open + 1;
                    while k < close {
                        if self.is_ident(k, "pub") && !self.punct(k + 1, b'(') {
                            let field_end = (k + 1..close)
                                .find(|&j| {
                                    self.punct(j, b',') && self.depth_between(open + 1, j) == 0
                                })
                                .unwrap_or(close);
                            let field = if self.punct(k + 2, b':') {
                                self.text(k + 1).to_string()
                            } else {
                                format!("{name}.{}", out.len())
                            };
                            push(
                                format!("field {name}::{field}"),
                                k + 1,
                                field_end,
                                !self.in_private_mod(i),
                                &mut out,
                            );
                            k = field_end;
                        }
                        k += 1;
                    }
                }
                Some("trait") => {
                    let (_, is_pub) = self.visibility(i);
                    if !is_pub {
                        continue;
                    }
                    let Some(name) = self.ident(i + 1) else {
                        continue;
                    };
                    let Some(open) = (i + 2..self.t.len()).find(|&k| self.punct(k, b'{')) else {
                        continue;
                    };
                    let close = self.close(open);
                    for k in open + 1..close {
                        if self.is_ident(k, "fn") && self.depth_between(open + 1, k) == 0 {
                            let item = self.ident(k + 1).unwrap_or("?");
                            let end = self.signature_end(k).min(close);
                            push(
                                format!("trait {name}::{item}"),
                                k + 2,
                                end,
                                !self.in_private_mod(i),
                                &mut out,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn enums(&self) -> (Vec<PubEnum>, Vec<String>) {
        let mut enums = Vec::new();
        let mut impls = Vec::new();
        for i in 0..self.t.len() {
            if self.is_ident(i, "enum") {
                let (start, is_pub) = self.visibility(i);
                let Some(name) = self.ident(i + 1) else {
                    continue;
                };
                if !is_pub {
                    continue;
                }
                let attrs = self.attrs_before(start);
                let derives_error = attrs.iter().any(|&(a, b)| {
                    self.is_ident(a, "derive") && (a..b).any(|k| self.is_ident(k, "Error"))
                });
                enums.push(PubEnum {
                    name: name.to_string(),
                    non_exhaustive: self.attr_has(&attrs, "non_exhaustive"),
                    derives_error,
                    public: !self.in_private_mod(i),
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
        let mut m = crate::Metrics::default();
        for i in 0..self.t.len() {
            match self.ident(i) {
                Some("fn") if self.ident(i + 1).is_some() => {
                    m.fns += 1;
                    if self.punct(i + 2, b'<') {
                        m.generic_fns += 1;
                    }
                }
                Some("impl") => m.impls += 1,
                Some("derive") if i > 0 && self.punct(i - 1, b'[') && self.punct(i + 1, b'(') => {
                    let close = self.close(i + 1);
                    m.derives += (i + 2..close)
                        .filter(|&k| self.ident(k).is_some() && !self.path_sep(k + 1))
                        .count() as u32;
                }
                Some(name)
                    if name != "macro_rules"
                        && self.punct(i + 1, b'!')
                        && matches!(
                            self.t.get(i + 2).map(|t| t.kind),
                            Some(TokKind::Punct(b'(' | b'[' | b'{'))
                        ) =>
                {
                    m.macro_calls += 1;
                }
                _ => {}
            }
        }
        m
    }

    fn crate_refs(&self) -> Vec<String> {
        let mut out: Vec<String> = (0..self.t.len())
            .filter(|&i| self.is_ident(i, "crate") && self.path_sep(i + 1))
            .filter_map(|i| self.ident(i + 3).map(str::to_string))
            .collect();
        // `use crate::{a, b::c}`: the names inside the group.
        for i in 0..self.t.len() {
            if self.is_ident(i, "crate") && self.path_sep(i + 1) && self.punct(i + 3, b'{') {
                let close = self.close(i + 3);
                let mut k = i + 4;
                while k < close {
                    if let Some(name) = self.ident(k)
                        && (self.punct(k - 1, b'{') || self.punct(k - 1, b','))
                    {
                        out.push(name.to_string());
                    }
                    k += 1;
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn static_muts(&self) -> Vec<String> {
        (0..self.t.len())
            .filter(|&i| self.is_ident(i, "static") && self.is_ident(i + 1, "mut"))
            .filter_map(|i| self.ident(i + 2).map(str::to_string))
            .collect()
    }

    /// The token ranges of `macro_rules!` bodies.
    fn macro_bodies(&self) -> Vec<(usize, usize)> {
        (0..self.t.len())
            .filter(|&i| self.is_ident(i, "macro_rules") && self.punct(i + 1, b'!'))
            .filter_map(|i| {
                let open = (i + 2..(i + 5).min(self.t.len()))
                    .find(|&k| matches!(self.t[k].kind, TokKind::Punct(b'{' | b'(' | b'[')))?;
                Some((open, self.close(open)))
            })
            .collect()
    }

    fn hazards(&self, imports: &Imports) -> Vec<(Hazard, Span, String)> {
        let mut out = Vec::new();
        let bodies = self.macro_bodies();
        for i in 0..self.t.len() {
            let Some(name) = self.ident(i) else {
                // `&NAME` / `&mut NAME` where NAME looks like a static.
                if self.punct(i, b'&') {
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
                    if let Some(id) = self.ident(last)
                        && id.len() > 1
                        && id
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                        && !self.punct(last + 1, b'(')
                        && !self.path_sep(last + 1)
                    {
                        out.push((Hazard::StaticMutRef, self.span(i, last), id.to_string()));
                    }
                }
                continue;
            };
            match name {
                "set_var" | "remove_var" if self.punct(i + 1, b'(') => {
                    let (path, start) = self.path_ending_at(i);
                    let from_env = path.contains("env::")
                        || imports
                            .iter()
                            .any(|(l, full)| l == name && full.starts_with("std::env"));
                    if from_env && !(i > 0 && self.punct(i - 1, b'.')) {
                        out.push((Hazard::EnvSetVar, self.span(start, i), path));
                    }
                }
                "extern" => {
                    let after = if self.t.get(i + 1).is_some_and(|t| t.kind == TokKind::Str) {
                        i + 2
                    } else {
                        i + 1
                    };
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
                "gen" if self.t[i].end - self.t[i].start == 3 => {
                    out.push((Hazard::GenIdent, self.span(i, i), "gen".to_string()));
                }
                "expr"
                    if i >= 3
                        && self.punct(i - 1, b':')
                        && self.ident(i - 2).is_some()
                        && self.punct(i - 3, b'$')
                        && bodies.iter().any(|&(a, b)| a < i && i < b) =>
                {
                    out.push((
                        Hazard::ExprFragment,
                        self.span(i - 3, i),
                        self.text(i - 2).to_string(),
                    ));
                }
                _ => {}
            }
        }
        out
    }

    fn ffi(&self) -> Vec<(Ffi, Span, String)> {
        let mut out = Vec::new();
        for i in 0..self.t.len() {
            match self.ident(i) {
                Some("extern") if !self.is_ident(i + 1, "crate") => {
                    let after = if self.t.get(i + 1).is_some_and(|t| t.kind == TokKind::Str) {
                        i + 2
                    } else {
                        i + 1
                    };
                    if self.punct(after, b'{') {
                        out.push((
                            Ffi::ExternBlock,
                            self.span(i, after),
                            self.text(i + 1).to_string(),
                        ));
                    } else if self.is_ident(after, "fn")
                        && let Some(name) = self.ident(after + 1)
                    {
                        out.push((Ffi::ExternFn, self.span(i, after + 1), name.to_string()));
                    }
                }
                Some("no_mangle")
                    if i >= 1 && (self.punct(i - 1, b'[') || self.punct(i - 1, b'(')) =>
                {
                    out.push((Ffi::NoMangle, self.span(i, i), "no_mangle".to_string()));
                }
                Some("repr") if i >= 2 && self.punct(i - 1, b'[') && self.punct(i + 1, b'(') => {
                    let close = self.close(i + 1);
                    if (i + 2..close).any(|k| self.is_ident(k, "C")) {
                        let attr_end = self.close(i - 1);
                        let name = (attr_end + 1..(attr_end + 12).min(self.t.len()))
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

    fn behaviours(&self) -> Vec<(Behaviour, Span, String)> {
        let mut out = Vec::new();
        // Bindings whose value mentions OUT_DIR, transitively: `let out = env::var("OUT_DIR")`,
        // `let dest = Path::new(&out).join(..)`.
        let mut out_vars: Vec<&str> = Vec::new();
        for _ in 0..3 {
            for i in 0..self.t.len() {
                if !self.is_ident(i, "let") {
                    continue;
                }
                let name_at = if self.is_ident(i + 1, "mut") {
                    i + 2
                } else {
                    i + 1
                };
                let Some(name) = self.ident(name_at) else {
                    continue;
                };
                let end = (name_at..self.t.len())
                    .find(|&k| self.punct(k, b';'))
                    .unwrap_or(self.t.len());
                if (name_at + 1..end).any(|k| self.mentions_out_dir(k, &out_vars))
                    && !out_vars.contains(&name)
                {
                    out_vars.push(name);
                }
            }
        }
        for i in 0..self.t.len() {
            let Some(name) = self.ident(i) else { continue };
            let next_is_path = self.path_sep(i + 1);
            match name {
                "cc" | "cmake" | "cxx_build" if next_is_path => {
                    out.push((
                        Behaviour::CompilesNative,
                        self.span(i, i + 3),
                        format!("{name}::{}", self.text(i + 3)),
                    ));
                }
                "Command" if next_is_path && self.is_ident(i + 3, "new") => {
                    let program = self
                        .t
                        .get(i + 5)
                        .filter(|t| t.kind == TokKind::Str)
                        .map_or("a computed program".to_string(), |t| {
                            unquote(t.text(self.src))
                        });
                    out.push((Behaviour::RunsPrograms, self.span(i, i + 3), program));
                }
                "var" | "var_os"
                    if i >= 3
                        && self.path_sep(i - 2)
                        && self.is_ident(i - 3, "env")
                        && self.punct(i + 1, b'(') =>
                {
                    let var = self
                        .t
                        .get(i + 2)
                        .filter(|t| t.kind == TokKind::Str)
                        .map(|t| unquote(t.text(self.src)));
                    let cargo_set = var
                        .as_deref()
                        .is_some_and(|v| CARGO_ENV.iter().any(|p| v.starts_with(p)));
                    if !cargo_set {
                        out.push((
                            Behaviour::ReadsEnv,
                            self.span(i - 3, i + 1),
                            var.unwrap_or_else(|| "a computed name".into()),
                        ));
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
                    let first_arg_end = (i + 2..close)
                        .find(|&k| self.punct(k, b',') && self.depth_between(i + 2, k) == 0)
                        .unwrap_or(close);
                    // Only with evidence: a literal path that is not under OUT_DIR. A path
                    // computed elsewhere (a parameter, a helper's result) is not judged.
                    let mut a = i + 2;
                    while self.punct(a, b'&') {
                        a += 1;
                    }
                    let literal = self.t.get(a).is_some_and(|t| t.kind == TokKind::Str)
                        || (matches!(self.ident(a), Some("Path" | "PathBuf"))
                            && self.path_sep(a + 1)
                            && matches!(self.ident(a + 3), Some("new" | "from"))
                            && self.punct(a + 4, b'(')
                            && self.t.get(a + 5).is_some_and(|t| t.kind == TokKind::Str));
                    if literal
                        && !(i + 2..first_arg_end).any(|k| self.mentions_out_dir(k, &out_vars))
                    {
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

    fn mentions_out_dir(&self, k: usize, out_vars: &[&str]) -> bool {
        match self.t.get(k).map(|t| (t.kind, t.text(self.src))) {
            Some((TokKind::Str, s)) => s.contains("OUT_DIR"),
            Some((TokKind::Ident, s)) => out_vars.contains(&s) || s.eq_ignore_ascii_case("out_dir"),
            _ => false,
        }
    }
}

/// The value of a simple string literal token.
fn unquote(lit: &str) -> String {
    let s = lit.trim_start_matches('r').trim_matches('#');
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
        .to_string()
}
