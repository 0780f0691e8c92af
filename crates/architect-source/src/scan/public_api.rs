//! What decides whether an item is public API, from tokens: the inline modules around it, the
//! `use` imports in scope where its signature is, `pub use` re-exports, `#[doc(hidden)]` and
//! macro-generated items, and the self type of an `impl`.
//!
//! Imports are scoped as rustc scopes them: a `use` applies to the module (file or inline
//! `mod { }`) it is in, not to the modules inside it (unless they `use super::*`), and a `use`
//! in a function body or block applies to that block only, so never to a `pub` signature. A
//! `use` in test code (`#[cfg(test)]`, `mod tests`) is not looked at. Braces of macro
//! invocations (`cfg_if! { .. }`) do not make a scope: their `use`s belong to the module.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Import, Imports, Scanner, UsePath};
use crate::{InlineNode, InlineParents, ReExport, Span};

/// How many `use super::*` links a name lookup follows up the inline modules of a file.
const MAX_GLOB_CHAIN: usize = 8;
/// How many tokens of an `impl` header are read to find its self type.
const MAX_IMPL_HEADER: usize = 256;

/// The inline modules of a file, walked in token order: which ones enclose a position.
pub(super) struct ModTracker {
    nodes: Arc<[InlineNode]>,
    /// `(open, close)` of each node's body, in node order (the order of `open`).
    bodies: Vec<(usize, usize)>,
    next: usize,
    stack: Vec<usize>,
}

impl ModTracker {
    /// The innermost inline module around token `i` and how many enclose it. `i` must not
    /// decrease between calls: each body is pushed and popped once.
    pub(super) fn at(&mut self, i: usize) -> (Option<usize>, usize) {
        while let Some(&(open, _)) = self.bodies.get(self.next)
            && open < i
        {
            self.pop_closed(open);
            self.stack.push(self.next);
            self.next += 1;
        }
        self.pop_closed(i);
        (self.stack.last().copied(), self.stack.len())
    }

    fn pop_closed(&mut self, i: usize) {
        while let Some(&top) = self.stack.last()
            && self.bodies[top].1 < i
        {
            self.stack.pop();
        }
    }

    /// [`ModTracker::at`] as the chain a fact carries.
    pub(super) fn parents(&mut self, i: usize) -> InlineParents {
        let (innermost, len) = self.at(i);
        InlineParents {
            nodes: self.nodes.clone(),
            innermost,
            len,
        }
    }

    /// The body of an inline module: its `{` index.
    fn body_open(&self, node: usize) -> usize {
        self.bodies[node].0
    }
}

/// The `use` imports of each module of a file (module-level, not test code).
pub(super) struct ScopedImports<'a> {
    by_module: HashMap<(Option<usize>, &'a str), Import<'a>>,
    /// Modules holding `use super::*;`: their parent's names are in scope too.
    super_glob: HashSet<Option<usize>>,
    parents: Vec<Option<usize>>,
}

impl<'a> ScopedImports<'a> {
    /// What `name` refers to in `module`, if a `use` imported it there.
    pub(super) fn get(&self, name: &str, module: Option<usize>) -> Option<Import<'a>> {
        let mut m = module;
        for _ in 0..MAX_GLOB_CHAIN {
            if let Some(im) = self.by_module.get(&(m, name)) {
                return Some(*im);
            }
            match m {
                Some(n) if self.super_glob.contains(&m) => m = self.parents[n],
                _ => return None,
            }
        }
        None
    }

    pub(super) fn is_empty(&self) -> bool {
        self.by_module.is_empty()
    }
}

/// A `{` on the brace stack.
#[derive(Clone, Copy)]
struct Brace {
    close: usize,
    kind: BraceKind,
}

/// Whether a `use` directly inside a brace belongs to the enclosing module.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BraceKind {
    /// An inline module's body: a new module.
    Module,
    /// A macro invocation at module level, or a brace inside one (`cfg_if!` branches): still
    /// the module.
    Macro,
    /// A function body, a block, an item body: a `use` there scopes to it.
    Block,
}

impl<'a, const COUNT: bool> Scanner<'a, COUNT> {
    /// Every inline module `mod name { .. }` of the file, as a tracker.
    pub(super) fn mod_tracker(&self) -> ModTracker {
        let mut nodes: Vec<InlineNode> = Vec::new();
        let mut bodies: Vec<(usize, usize)> = Vec::new();
        let mut stack: Vec<usize> = Vec::new();
        for i in 0..self.len() {
            while stack.last().is_some_and(|&n| bodies[n].1 < i) {
                stack.pop();
            }
            if self.is_ident(i, "mod")
                && let Some(name) = self.ident(i + 1)
                && self.punct(i + 2, b'{')
            {
                let is_pub = self.visibility(i).1 && !self.doc_hidden_before(self.visibility(i).0);
                nodes.push(InlineNode {
                    item: (name.trim_start_matches("r#").to_string(), is_pub),
                    parent: stack.last().copied(),
                });
                bodies.push((i + 2, self.close(i + 2)));
                stack.push(nodes.len() - 1);
            }
        }
        ModTracker {
            nodes: nodes.into(),
            bodies,
            next: 0,
            stack: Vec::new(),
        }
    }

    /// Whether the outer attributes before index `start` include `#[doc(hidden)]`.
    pub(super) fn doc_hidden_before(&self, start: usize) -> bool {
        self.attrs_before(start).iter().any(|&(a, _)| {
            self.is_ident(a, "doc") && self.punct(a + 1, b'(') && self.is_ident(a + 2, "hidden")
        })
    }

    /// Whether the item starting at `start` is not API: `#[doc(hidden)]`, or the input of an
    /// attribute macro that replaces it (deno's `#[op2]`: the function becomes a generated
    /// op struct).
    pub(super) fn hidden_item(&self, start: usize) -> bool {
        self.attrs_before(start).iter().any(|&(a, b)| {
            (self.is_ident(a, "doc") && self.punct(a + 1, b'(') && self.is_ident(a + 2, "hidden"))
                || (a..b.min(a + 6)).any(|k| self.is_ident(k, "op2"))
        })
    }

    /// Module-level `use` imports by module, and the file's `pub use` re-exports; `use`s that
    /// start inside `test_spans` are left out.
    pub(super) fn scoped_imports(
        &self,
        mods: &mut ModTracker,
        test_spans: &[Span],
    ) -> (ScopedImports<'a>, Vec<ReExport>) {
        let mut scoped = ScopedImports {
            by_module: HashMap::new(),
            super_glob: HashSet::new(),
            parents: mods.nodes.iter().map(|n| n.parent).collect(),
        };
        let mut re_exports = Vec::new();
        let mut braces: Vec<Brace> = Vec::new();
        let mut work = Vec::new();
        let mut tests = 0;
        let mut i = 0;
        while i < self.len() {
            while braces.last().is_some_and(|b| b.close < i) {
                braces.pop();
            }
            if self.punct(i, b'{') {
                let (module, _) = mods.at(i + 1);
                let parent = braces.last().map(|b| b.kind);
                let kind = if module.is_some_and(|m| mods.body_open(m) == i) {
                    BraceKind::Module
                } else if parent == Some(BraceKind::Macro)
                    || (parent.is_none_or(|p| p == BraceKind::Module) && self.macro_brace(i))
                {
                    BraceKind::Macro
                } else {
                    BraceKind::Block
                };
                braces.push(Brace {
                    close: self.close(i),
                    kind,
                });
            }
            if !self.is_ident(i, "use") {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while end < self.len() && !self.punct(end, b';') {
                end += 1;
            }
            let start = self.tok(i).map_or(0, |t| t.start as usize);
            while tests < test_spans.len() && test_spans[tests].end <= start {
                tests += 1;
            }
            let in_test = test_spans
                .get(tests)
                .is_some_and(|t| t.start <= start && start < t.end);
            if !in_test && braces.last().is_none_or(|b| b.kind != BraceKind::Block) {
                let (module, _) = mods.at(i);
                let mut one = Imports::new();
                work.push((i + 1, end, UsePath::default()));
                while let Some((from, to, path)) = work.pop() {
                    self.use_tree(from, to, path, &mut work, &mut one);
                }
                for (name, im) in one {
                    scoped.by_module.entry((module, name)).or_insert(im);
                }
                if self.is_ident(i + 1, "super") && self.path_sep(i + 2) && self.punct(i + 4, b'*')
                {
                    scoped.super_glob.insert(module);
                }
                let (vis, plain_pub) = self.visibility(i);
                if plain_pub {
                    let parents = mods.parents(i);
                    for (path, name) in self.use_leaves(i + 1, end) {
                        re_exports.push(ReExport {
                            path,
                            name,
                            inline_parents: parents.clone(),
                            span: self.span(vis, end.saturating_sub(1)),
                        });
                    }
                }
            }
            i = end + 1;
        }
        (scoped, re_exports)
    }

    /// Whether the `{` at `i` opens a macro invocation's input: `name! {` or `name! ident {`.
    fn macro_brace(&self, i: usize) -> bool {
        (i >= 1 && self.punct(i - 1, b'!'))
            || (i >= 2 && self.punct(i - 2, b'!') && self.ident(i - 1).is_some())
    }

    /// The leaves of the use tree in `[from, to)`: full path (groups flattened) and exported
    /// name (`None` for a glob). `a::{self, b as c}` gives `a` as `a` and `a::b` as `c`; an
    /// alias `_` exports no name and is left out, as are paths over
    /// [`ReExport::MAX_SEGMENTS`].
    fn use_leaves(&self, from: usize, to: usize) -> Vec<(Vec<String>, Option<String>)> {
        let mut out = Vec::new();
        let mut work: Vec<(usize, usize, Vec<&'a str>)> = vec![(from, to, Vec::new())];
        while let Some((mut i, to, mut path)) = work.pop() {
            while i < to {
                if self.path_sep(i) {
                    if path.is_empty() && i == from {
                        path.push("");
                    }
                    i += 2;
                    continue;
                }
                if self.punct(i, b'{') {
                    let close = self.close(i).min(to);
                    let queued = work.len();
                    let mut start = i + 1;
                    while start <= close {
                        let k = self.find_at_depth(start, close, |k| self.punct(k, b','));
                        if start < k {
                            work.push((start, k, path.clone()));
                        }
                        start = k + 1;
                    }
                    work[queued..].reverse();
                    break;
                }
                if self.punct(i, b'*') {
                    out.push((path.iter().map(|s| s.to_string()).collect(), None));
                    break;
                }
                let Some(seg) = self.ident(i) else {
                    i += 1;
                    continue;
                };
                if seg == "as" {
                    let alias = self.ident(i + 1).filter(|a| *a != "_");
                    if let Some(alias) = alias
                        && !path.is_empty()
                    {
                        let path = path.iter().map(|s| s.to_string()).collect();
                        out.push((path, Some(alias.to_string())));
                    }
                    break;
                }
                if seg != "self" || path.is_empty() {
                    path.push(seg);
                }
                if path.len() > ReExport::MAX_SEGMENTS {
                    break;
                }
                if !self.path_sep(i + 1) && !self.is_ident(i + 1, "as") {
                    let name = path.last().map(|s| s.to_string());
                    out.push((path.iter().map(|s| s.to_string()).collect(), name));
                    break;
                }
                i += 1;
            }
        }
        out
    }

    /// Whether the `impl` keyword at `i` starts an item (not `impl Trait` in a type).
    pub(super) fn impl_item(&self, i: usize) -> bool {
        i == 0
            || matches!(
                self.kind(i - 1),
                Some(super::TokKind::Punct(b';' | b'}' | b'{' | b']'))
            )
            || matches!(self.ident(i - 1), Some("unsafe" | "default"))
    }

    /// The self type's name of the `impl` header in `(i, open)`: the last identifier outside
    /// angle brackets after `for` (or after the generics), before `where`.
    pub(super) fn impl_owner(&self, i: usize, open: usize) -> &'a str {
        let mut depth = 0usize;
        let mut owner = "";
        let mut k = i + 1;
        let end = open.min(i + 1 + MAX_IMPL_HEADER);
        while k < end {
            match self.kind(k) {
                Some(super::TokKind::Punct(b'<')) => depth += 1,
                Some(super::TokKind::Punct(b'>')) if !self.punct(k - 1, b'-') => {
                    depth = depth.saturating_sub(1)
                }
                Some(super::TokKind::Punct(b'(' | b'[')) => k = self.close(k),
                Some(super::TokKind::Ident) if depth == 0 => match self.text(k) {
                    "for" => owner = "",
                    "where" => break,
                    "dyn" | "unsafe" | "const" => {}
                    name => owner = name,
                },
                _ => {}
            }
            k += 1;
        }
        owner
    }
}
