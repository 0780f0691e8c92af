//! Whether a file names some functions, and whether it re-exports a crate: the evidence the
//! advisory rules need to tell an affected function that is called from one nothing names.

use crate::tokens::{TokKind, lex};

/// One name to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameQuery<'a> {
    /// What code writes: a function's, method's, type's or macro's last path segment.
    pub name: &'a str,
    /// Identifiers of which one must appear somewhere in the file for `name` to count there
    /// (empty: none is needed): the method's type and the crate, so that `downcast_mut` on a
    /// `Box<dyn Any>` in a file that never mentions `anyhow` is not `anyhow::Error`'s.
    pub qualifiers: &'a [&'a str],
    /// A macro: only an invocation, `name!`, counts.
    pub is_macro: bool,
}

/// What [`name_uses`] found in one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameUses {
    /// The first identifier token that is a use of one of the queries: the query's index and
    /// the token's byte offset.
    pub first: Option<(usize, usize)>,
    /// The file re-exports the crate with `pub use krate...` or `pub extern crate krate`, so
    /// code outside it can call the crate's items under another path.
    pub reexports: bool,
}

/// Where `src` names any of `queries` as an identifier (never inside a string or comment; `r#`
/// is stripped), and whether it re-exports crate `krate` (its name as code spells it, `-` as
/// `_`). One pass over the tokens.
pub fn name_uses(src: &str, queries: &[NameQuery<'_>], krate: &str) -> NameUses {
    let (toks, _, _) = lex(src);
    let ident = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        (t.kind == TokKind::Ident).then(|| t.text(src).trim_start_matches("r#"))
    };
    let mut out = NameUses::default();
    // The first use of each query, and which qualifiers the file mentions.
    let mut firsts: Vec<Option<usize>> = vec![None; queries.len()];
    let mut mentioned: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some(word) = ident(i) else {
            i += 1;
            continue;
        };
        for (n, q) in queries.iter().enumerate() {
            if firsts[n].is_none()
                && q.name == word
                && (!q.is_macro || toks.get(i + 1).is_some_and(|t| t.is_punct(b'!')))
            {
                firsts[n] = Some(toks[i].start as usize);
            }
            if q.qualifiers.contains(&word) && !mentioned.contains(&word) {
                mentioned.push(word);
            }
        }
        if word == "pub" {
            // A restricted `pub(crate)`, `pub(in path)` re-exports nothing to other crates:
            // its tokens up to the `)` are skipped (read once, here).
            let mut j = i + 1;
            let restricted = toks.get(j).is_some_and(|t| t.is_punct(b'('));
            if restricted {
                while j < toks.len() && !toks[j].is_punct(b')') {
                    j += 1;
                }
                j += 1;
            }
            let target = match ident(j) {
                Some("use") => {
                    let k = j + 1;
                    let k = if toks.get(k).is_some_and(|t| t.is_punct(b':'))
                        && toks.get(k + 1).is_some_and(|t| t.is_punct(b':'))
                    {
                        k + 2
                    } else {
                        k
                    };
                    if toks.get(k).is_some_and(|t| t.is_punct(b'{')) {
                        // `pub use {crossbeam_epoch as epoch, crossbeam_queue as queue};`: the
                        // first path segment after `{` or a `,` of the group.
                        let mut m = k;
                        let mut hit = None;
                        while let Some(t) = toks.get(m) {
                            if t.is_punct(b'}') || t.is_punct(b';') {
                                break;
                            }
                            if (t.is_punct(b'{') || t.is_punct(b',')) && ident(m + 1) == Some(krate)
                            {
                                hit = Some(krate);
                            }
                            m += 1;
                        }
                        hit
                    } else {
                        ident(k)
                    }
                }
                Some("extern") if ident(j + 1) == Some("crate") => ident(j + 2),
                _ => None,
            };
            if !restricted && target == Some(krate) {
                out.reexports = true;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.first = firsts
        .iter()
        .enumerate()
        .filter(|(n, _)| {
            let q = &queries[*n];
            q.qualifiers.is_empty() || q.qualifiers.iter().any(|w| mentioned.contains(w))
        })
        .filter_map(|(n, at)| at.map(|at| (n, at)))
        .min_by_key(|(_, at)| *at);
    out
}

/// Item keywords after which the next identifier is the name the item defines.
const DEFINING: &[&str] = &[
    "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod",
];

/// Which of `names` `src` defines as an item (`fn wait`, `struct StackSlot`,
/// `macro_rules! listener`), one flag per name: what tells a name in an advisory's prose that
/// is the package's own item from one that is not (`System`, `HeapAlloc`).
pub fn defines(src: &str, names: &[&str]) -> Vec<bool> {
    let (toks, _, _) = lex(src);
    let ident = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        (t.kind == TokKind::Ident).then(|| t.text(src).trim_start_matches("r#"))
    };
    let mut out = vec![false; names.len()];
    for i in 0..toks.len() {
        let defined = match ident(i) {
            Some("macro_rules") if toks.get(i + 1).is_some_and(|t| t.is_punct(b'!')) => {
                ident(i + 2)
            }
            Some(kw) if DEFINING.contains(&kw) => ident(i + 1),
            _ => None,
        };
        if let Some(name) = defined
            && let Some(n) = names.iter().position(|n| *n == name)
        {
            out[n] = true;
        }
    }
    out
}

/// Where `src` first calls a formatting trait by its specifier or by name: a string literal
/// holding a placeholder whose type is `spec` (`{:p}`, `{0:#p}`, `{ptr:p}` for `Pointer`), or
/// the trait's name in a path (`fmt::Pointer::fmt(..)`, `T: fmt::Pointer`). The byte offset;
/// `None` when the file does neither.
pub fn formats_with(src: &str, trait_name: &str, spec: char) -> Option<usize> {
    let (toks, _, _) = lex(src);
    toks.iter().enumerate().find_map(|(i, t)| {
        let text = t.text(src);
        let used = match t.kind {
            TokKind::Str => has_placeholder(text, spec),
            TokKind::Ident => {
                text == trait_name
                    && i >= 2
                    && toks[i - 1].text(src) == ":"
                    && toks[i - 2].text(src) == ":"
            }
            _ => false,
        };
        used.then_some(t.start as usize)
    })
}

/// Whether a string literal's text holds a `{..:..spec}` placeholder (`{{` escapes aside).
fn has_placeholder(text: &str, spec: char) -> bool {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let Some(close) = rest.find('}') else {
            return false;
        };
        let inner = &rest[..close];
        if let Some((_, format)) = inner.split_once(':')
            && format.ends_with(spec)
            && !format.contains('{')
        {
            return true;
        }
        rest = &rest[close + 1..];
    }
    false
}
