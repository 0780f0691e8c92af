//! Rust source as tokens, and the constructs the code rules look for.
//!
//! A full parse (syn) runs at about 10 MB/s on this project's machines; rustc's own lexer at
//! several hundred. Every construct the rules need is recognisable from tokens and bracket
//! depth alone: `mod` declarations, `unsafe`, spawn calls and their arguments, `pub` item
//! signatures, attributes. So this crate lexes (with `ra-ap-rustc_lexer`, the lexer rustc and
//! rust-analyzer use) and scans the token stream, and never builds a syntax tree. Files that
//! cannot contain what is wanted are not lexed at all (see [`Wanted`]).
//!
//! Pure: text in, facts out. The loader does the I/O and follows the module tree.

pub mod catalogue;
mod names;
mod scan;
mod tokens;

use std::sync::Arc;

pub use names::{NameQuery, NameUses, defines, formats_with, name_uses};
#[doc(hidden)]
pub use scan::analyze_counting;
pub use scan::{analyze, std_reexport};
pub use tokens::{Tok, TokKind, lex};

/// A byte range in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// What the caller needs from a file; decides how much work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wanted {
    /// Everything but build-script behaviour: a workspace member's file.
    All,
    /// Everything, build-script behaviour included: a build script's file.
    BuildScript,
    /// Module declarations, `include!`s and the unsafe inventory: a dependency's file
    /// (`--deps`). Files without `mod`, `unsafe`, `forbid` or `include` are not lexed.
    ModsAndUnsafe,
    /// The same, and the size metrics of every file (always lexed): for the cost model.
    ModsUnsafeAndMetrics,
}

/// What a file holds that makes it slow to compile, counted from tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// `fn` items (and methods).
    pub fns: u32,
    /// `fn name<...>`: generic functions, instantiated by every user.
    pub generic_fns: u32,
    /// `impl` blocks.
    pub impls: u32,
    /// `impl<T>` / `impl<const N: usize>` blocks: their methods are generic, compiled where
    /// they are used (a lifetime parameter alone does not count).
    pub generic_impls: u32,
    /// Macro invocations `name!(...)`, `name![...]`, `name! { ... }`.
    pub macro_calls: u32,
    /// Names in `#[derive(...)]` attributes.
    pub derives: u32,
}

impl Metrics {
    /// Takes `o` away, saturating at zero.
    pub fn sub(&mut self, o: &Metrics) {
        self.fns = self.fns.saturating_sub(o.fns);
        self.generic_fns = self.generic_fns.saturating_sub(o.generic_fns);
        self.impls = self.impls.saturating_sub(o.impls);
        self.generic_impls = self.generic_impls.saturating_sub(o.generic_impls);
        self.macro_calls = self.macro_calls.saturating_sub(o.macro_calls);
        self.derives = self.derives.saturating_sub(o.derives);
    }

    /// Adds `o`, saturating (a hostile file can hold more derive names than a `u32` counts).
    pub fn add(&mut self, o: &Metrics) {
        self.fns = self.fns.saturating_add(o.fns);
        self.generic_fns = self.generic_fns.saturating_add(o.generic_fns);
        self.impls = self.impls.saturating_add(o.impls);
        self.generic_impls = self.generic_impls.saturating_add(o.generic_impls);
        self.macro_calls = self.macro_calls.saturating_add(o.macro_calls);
        self.derives = self.derives.saturating_add(o.derives);
    }
}

/// A condition code is compiled under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// `cfg(..)` as written: an item's `#[cfg]`, or a `cfg_if!` branch's condition with the
    /// negation of the earlier ones of its chain.
    Cfg(String),
    /// Inside `name! { .. }`, a crate's own `cfg_*` wrapper macro (tokio's `cfg_rt!`, hyper's
    /// `cfg_feature!`), with the `#![..]` its body starts with as `cfg(..)`: what it means
    /// comes from the crate's definition of `name` ([`CfgMacro`]).
    Macro { name: String, inner: Option<String> },
}

/// Code compiled only under all of `gates` (outermost first), with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatedCode {
    pub gates: Vec<Gate>,
    pub lines: usize,
    pub metrics: Metrics,
}

/// `macro_rules! cfg_*` whose expansion puts what it is given under a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfgMacro {
    pub name: String,
    pub gate: CfgMacroGate,
}

/// The condition of a [`CfgMacro`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfgMacroGate {
    /// `#[cfg(P)] $item`: `cfg(P)` as written.
    Cfg(String),
    /// `#[cfg($meta)]`: the `#![..]` its invocation's body starts with.
    Inner,
    /// It invokes another `cfg_*` macro, with the `#![..]` it passes (if written out).
    Via { name: String, inner: Option<String> },
}

/// `mod name;`, with what decides where its file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModDecl {
    pub name: String,
    /// The `macro_rules!` whose body holds the declaration: a template, whose file rustc
    /// looks for where the macro is expanded (serde_core's `crate_root!()` declares its
    /// `de` and `ser` modules so), not next to the definition.
    pub in_macro: Option<String>,
    /// `#[path = "..."]`: the string's value as rustc reads it (escapes processed; a raw string
    /// verbatim). When the literal does not unescape ([`ModDecl::path_attr_invalid`]), the text
    /// between its quotes as written.
    pub path_attr: Option<String>,
    /// The `#[path]` literal is one rustc rejects: an invalid escape (`"\q"`, `"\u{D800}"`), a
    /// bare carriage return, a byte or C string, a suffix. rustc refuses the crate, so no file
    /// is this module's: report it rather than follow `path_attr`.
    pub path_attr_invalid: bool,
    /// `#[cfg_attr(PRED, path = "...")]`, in order: `cfg(PRED)` as written, and the path's
    /// value. The first whose predicate holds names the file, when there is no `#[path]`.
    pub cfg_paths: Vec<(String, String)>,
    /// `pub mod` (plain `pub`, not `pub(crate)` and friends).
    pub is_pub: bool,
    /// Enclosing inline modules, outermost first, with whether each is `pub`.
    pub inline_parents: InlineParents,
    /// `#[doc(hidden)]`: the module is not documented API, whatever its visibility.
    pub doc_hidden: bool,
    /// Each `#[cfg(..)]` on the declaration, as written (`cfg(feature = "x")`), and those of
    /// the items and `cfg_if!` branches around it: the module is compiled only where all of
    /// them hold.
    pub cfgs: Vec<String>,
    /// The `cfg_*!` wrapper macros around the declaration ([`Gate::Macro`] only): resolved
    /// against the crate's definitions once they are read.
    pub macro_gates: Vec<Gate>,
    pub span: Span,
}

/// `pub use path;`, `pub use path as alias;`, `pub use path::*;` (plain `pub` only: narrower
/// visibilities export nothing), one per leaf of a use tree. What makes an item of a private
/// module part of the crate's API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReExport {
    /// The path as written, groups flattened: `crate`, `self` and `super` kept, a leading `::`
    /// as an empty first segment. Paths longer than [`ReExport::MAX_SEGMENTS`] are not
    /// recorded (copying them per leaf of nested groups would not stay linear).
    pub path: Vec<String>,
    /// The name it is exported under (the alias or the last segment); `None` for a glob.
    pub name: Option<String>,
    /// The inline modules around the `pub use`, outermost first, with whether each is `pub`.
    pub inline_parents: InlineParents,
    pub span: Span,
}

impl ReExport {
    pub const MAX_SEGMENTS: usize = 16;

    pub fn is_glob(&self) -> bool {
        self.name.is_none()
    }
}

/// Where a path into the crate's own modules starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathAnchor {
    /// `crate::` (and `$crate::` in a macro body).
    Crate,
    /// `super::`, repeated this many times.
    Super(u8),
    /// `self::`.
    SelfModule,
}

/// A path naming an item of the crate's own modules, as written in one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ModuleRef {
    pub anchor: PathAnchor,
    /// The identifiers after the anchor, at most [`ModuleRef::MAX_SEGMENTS`] (a `use` group
    /// flattened: `crate::{a, b::c}` gives `a` and `b::c`).
    pub path: Vec<String>,
    /// The first occurrence in the file.
    pub span: Span,
    /// How many times the file names this path.
    pub count: u32,
}

impl ModuleRef {
    pub const MAX_SEGMENTS: usize = 3;

    /// The absolute module path this names, from the file whose module path is `from`
    /// (empty for the crate root); `None` for a `super` above the root.
    pub fn resolve(&self, from: &[&str]) -> Option<Vec<String>> {
        let base: &[&str] = match self.anchor {
            PathAnchor::Crate => &[],
            PathAnchor::SelfModule => from,
            PathAnchor::Super(n) => from.get(..from.len().checked_sub(usize::from(n))?)?,
        };
        let mut out: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        out.extend(self.path.iter().cloned());
        Some(out)
    }
}

/// `include!("path")` (also `r"..."`, `core::include!`, `::std::include!`...) whose argument is
/// one string literal: the code of that file is compiled here, as if it were written in place.
/// rustc resolves `path` relative to the directory of the file holding the `include!`.
/// Arguments that are not a literal (`concat!(env!("OUT_DIR"), ...)`: generated files) and
/// `include_str!`/`include_bytes!` (not code) are not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The string's value as rustc reads it (escapes processed; a raw string verbatim); when
    /// [`Include::invalid`], the text between its quotes as written.
    pub path: String,
    /// From the macro's path to its closing bracket.
    pub span: Span,
    /// The literal is one rustc rejects (see [`ModDecl::path_attr_invalid`]): rustc refuses the
    /// file, and nothing is included.
    pub invalid: bool,
}

/// The inline modules around a [`ModDecl`], outermost first, with whether each is `pub`.
///
/// The declarations of one file share the chain of inline modules, so a file of modules nested
/// `n` deep with a declaration at each level costs `O(n)`, not `O(n²)`. Read it like the
/// `Vec<(String, bool)>` it stands for: [`iter`](InlineParents::iter) (each call collects the
/// chain: `O(len)`), [`len`](InlineParents::len) and [`is_empty`](InlineParents::is_empty) in
/// `O(1)`; it compares equal to an array, a slice or a `Vec` of the same pairs.
#[derive(Clone, Default)]
pub struct InlineParents {
    /// Every inline module of the file, each with the index of its parent.
    nodes: Arc<[InlineNode]>,
    /// The innermost enclosing module, if any.
    innermost: Option<usize>,
    len: usize,
}

#[derive(Debug)]
struct InlineNode {
    item: (String, bool),
    parent: Option<usize>,
}

impl InlineParents {
    /// How many inline modules enclose the declaration.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `(name, is pub)` of each enclosing inline module, outermost first.
    pub fn iter(&self) -> std::vec::IntoIter<&(String, bool)> {
        let mut v: Vec<&(String, bool)> = self.innermost_first().collect();
        v.reverse();
        v.into_iter()
    }

    pub fn to_vec(&self) -> Vec<(String, bool)> {
        self.iter().cloned().collect()
    }

    fn innermost_first(&self) -> impl Iterator<Item = &(String, bool)> {
        let mut at = self.innermost;
        std::iter::from_fn(move || {
            let node = &self.nodes[at?];
            at = node.parent;
            Some(&node.item)
        })
    }
}

impl From<Vec<(String, bool)>> for InlineParents {
    fn from(chain: Vec<(String, bool)>) -> Self {
        let len = chain.len();
        let nodes: Vec<InlineNode> = chain
            .into_iter()
            .enumerate()
            .map(|(k, item)| InlineNode {
                item,
                parent: k.checked_sub(1),
            })
            .collect();
        InlineParents {
            nodes: nodes.into(),
            innermost: len.checked_sub(1),
            len,
        }
    }
}

impl<'a> IntoIterator for &'a InlineParents {
    type Item = &'a (String, bool);
    type IntoIter = std::vec::IntoIter<&'a (String, bool)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for InlineParents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for InlineParents {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.innermost_first().eq(other.innermost_first())
    }
}

impl Eq for InlineParents {}

impl PartialEq<[(String, bool)]> for InlineParents {
    fn eq(&self, other: &[(String, bool)]) -> bool {
        self.len == other.len() && self.innermost_first().eq(other.iter().rev())
    }
}

impl<const N: usize> PartialEq<[(String, bool); N]> for InlineParents {
    fn eq(&self, other: &[(String, bool); N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<(String, bool)>> for InlineParents {
    fn eq(&self, other: &Vec<(String, bool)>) -> bool {
        *self == other[..]
    }
}

/// Where an `unsafe` is and what it introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnsafeKind {
    Block,
    Fn,
    Impl,
    Trait,
    ExternBlock,
}

/// A call that may start an async task: `tokio::spawn(...)`, `set.spawn(...)`,
/// `spawn_blocking(...)`, or a call of a spawn helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spawn {
    /// The callee as written, e.g. `tokio::spawn` or `.spawn`.
    pub callee: String,
    pub span: Span,
    /// The argument carries a span: `.instrument(..)`, `.in_current_span()`, a call of an
    /// `#[instrument]`ed function (resolved by the rule), or a span entered in a closure.
    pub instrumented: bool,
    /// The name of the function called as the argument's head, e.g. `handle` in
    /// `tokio::spawn(handle(conn))`, to resolve against `#[instrument]`ed functions.
    pub calls: Option<String>,
    /// What makes the call a task spawn, as far as this file tells.
    pub via: SpawnVia,
    /// The enclosing function, when the argument starts with one of its parameters
    /// (`fn spawn(f: F) { tokio::spawn(f) }`): a helper that forwards its caller's future, so
    /// the caller is the one to instrument, and calls of the helper are spawns.
    pub forwards: Option<String>,
    /// A blocking closure (`spawn_blocking`) that calls nothing of the crate and logs
    /// nothing: only the standard library, other crates' paths and methods
    /// (`move || std::fs::read(path)`). No event of its would carry the span, so it is not
    /// worth one.
    pub quiet: bool,
    /// What the spawned argument's own tokens do (not those of a spawn nested in it, which
    /// is a task of its own): the rule tells from it, and from [`FileFacts::fn_work`], whether
    /// the task can emit an event whose span would be lost.
    pub work: Work,
}

/// What a piece of code does that a tracing span matters to: the events it emits, the code
/// it runs that the file does not show, the functions it calls (by name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Work {
    /// Emits a `log` or `tracing` event or makes a span: `debug!(..)`, `info_span!(..)`.
    pub logs: bool,
    /// Runs code that cannot be seen from here: awaits a binding (`fut.await`), calls a
    /// parameter (`callback(socket)`) or an expression (`(self.f)(x)`), or is itself a
    /// binding (`spawn(fut)`, `spawn(fut.boxed())`). Its events are unknown.
    pub opaque: bool,
    /// The names of the functions and methods it calls (not paths into `std`, `core` or
    /// `alloc`, not constructors), sorted and deduplicated: the rule resolves them against
    /// the workspace's functions by name.
    pub calls: Vec<String>,
}

/// A function with a body and what its body (closures and nested spawns included) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnWork {
    pub name: String,
    pub work: Work,
}

/// How a [`Spawn`] is known to start an async task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnVia {
    /// A runtime's spawn function (`tokio::spawn`, `async_std::task::spawn`, `smol::spawn`,
    /// imported ones included), or a method on a receiver this file declares with a runtime
    /// type (`handle: tokio::runtime::Handle`, `let set = JoinSet::new()`,
    /// `Handle::current().spawn(..)`).
    Runtime,
    /// `.spawn(..)` on a receiver named `name` (a binding, a field, or the method or function
    /// that returns it) whose type this file does not tell: a task spawn only if another file
    /// of the crate declares `name` with a runtime type (see [`FileFacts::runtime_names`]).
    /// `commands.spawn(bundle)`, `thread_builder.spawn(..)` and `scope.spawn(..)` stay
    /// unresolved and are not spawns.
    Receiver(String),
    /// A call of a function whose name has `spawn` in it and that is not a runtime's, e.g.
    /// `spawn_blocking(..)` imported from `crate::rt`: a task spawn if that function forwards
    /// to one ([`Spawn::forwards`]). `krate` is the first segment of its path through the
    /// file's imports (`crate`, `self`, `super`, `Self`, another crate's name) or `""` for a
    /// name neither imported nor qualified.
    Helper { krate: String, name: String },
}

/// A `pub` item of the file whose signature names a type from a given crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUse {
    /// `fn name`, `field name`, `trait item name`.
    pub item: String,
    /// The type path as written, e.g. `tokio::sync::mpsc::Sender` or `Result` (from anyhow).
    pub ty: String,
    /// The crate the type comes from: `tokio`, `async_std`, `anyhow`, `eyre`...
    pub krate: String,
    /// Whether the item is reachable through `pub` inline modules of this file.
    pub public: bool,
    /// The item whose reachability decides whether this is API: the function, the struct of a
    /// field, the trait, the alias, or the self type of the `impl` holding a method (`""` when
    /// the method's `impl` header was not understood).
    pub owner: String,
    /// The inline modules around the item, outermost first, with whether each is `pub`.
    pub inline_parents: InlineParents,
    /// A method `fn name(&self) -> Result<&T, ..>` (or `Result<Option<&T>, ..>`): it hands
    /// out a reference to a part its value builds on first use, as a composition root's
    /// getters do (deno's `NpmInstallerFactory::npm_cache`).
    pub lazy_getter: bool,
    pub span: Span,
}

/// A `pub enum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubEnum {
    pub name: String,
    pub non_exhaustive: bool,
    /// `#[derive(... Error ...)]` (thiserror and friends).
    pub derives_error: bool,
    pub public: bool,
    /// The inline modules around the enum, outermost first, with whether each is `pub`.
    pub inline_parents: InlineParents,
    pub span: Span,
}

/// Constructs whose meaning changes in edition 2024.
///
/// Some need a person ([`Hazard::needs_person`]); the others `cargo fix --edition` rewrites by
/// itself, and are only counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hazard {
    /// `std::env::set_var` / `remove_var` (through imports): `unsafe` in 2024.
    EnvSetVar,
    /// `&NAME`, `&mut NAME` or a method call `NAME.m(..)` (an implicit reference) where `NAME`
    /// looks like a static; the rule keeps those naming a `static mut` of the crate. Denied in
    /// 2024.
    StaticMutRef,
    /// `if let P = ..R.lock().. { .. } else { ..R.lock().. }`: the scrutinee holds a guard of
    /// `R` (`lock`, `read`, `write`, `borrow`, `borrow_mut`) that 2024 drops before the `else`
    /// block, and the `else` block takes a guard of the same `R` again (a deadlock or a
    /// `BorrowMutError` before 2024, fine after; or code that relied on it).
    IfLetGuard,
    /// `$x:expr` in a `#[macro_export]` `macro_rules!` (detail: the macro's name): `cargo fix`
    /// writes `expr_2021` (today's grammar), and adopting `expr` instead would change what
    /// the crate's users may pass: worth naming, not a decision the migration forces.
    ExportedExprFragment,
    /// `extern "C" { ... }` without `unsafe`: `cargo fix` adds it.
    ExternBlock,
    /// `#[no_mangle]`, `#[export_name]`, `#[link_section]` without `unsafe(...)`: `cargo fix`
    /// wraps them.
    UnsafeAttr,
    /// `gen` as an identifier: a keyword in 2024; `cargo fix` writes `r#gen`.
    GenIdent,
    /// `$x:expr` in a `macro_rules!` that is not exported: `cargo fix` writes `expr_2021`.
    ExprFragment,
}

impl Hazard {
    pub fn describe(self) -> &'static str {
        match self {
            Hazard::EnvSetVar => "`std::env::set_var`/`remove_var` call (unsafe in 2024)",
            Hazard::StaticMutRef => "reference to a `static mut` (denied in 2024)",
            Hazard::IfLetGuard => "`if let` whose guard 2024 drops before `else`",
            Hazard::ExportedExprFragment => {
                "`expr` fragment in a `#[macro_export]` macro (matches `const {}` and `_` in 2024)"
            }
            Hazard::ExternBlock => "`extern` block without `unsafe`",
            Hazard::UnsafeAttr => {
                "`#[no_mangle]`/`#[export_name]`/`#[link_section]` without `unsafe(...)`"
            }
            Hazard::GenIdent => "`gen` used as an identifier (a keyword in 2024)",
            Hazard::ExprFragment => {
                "`expr` fragment in `macro_rules!` (matches `const {}` and `_` in 2024)"
            }
        }
    }

    /// Whether migrating it needs a decision `cargo fix --edition` cannot make: an argument
    /// about threads, a replacement for a reference, a drop order.
    pub fn needs_person(self) -> bool {
        matches!(
            self,
            Hazard::EnvSetVar | Hazard::StaticMutRef | Hazard::IfLetGuard
        )
    }
}

/// A foreign-function boundary construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ffi {
    /// `extern "C" fn name` defined here: callable from C through a pointer, or exported with
    /// [`Ffi::NoMangle`].
    ExternFn,
    /// `extern "C" { ... }`: functions imported from C.
    ExternBlock,
    /// `#[no_mangle]` or `#[export_name]`: a symbol exported under a fixed name, the ABI the
    /// crate must keep stable. The detail is the item's name.
    NoMangle,
    /// `#[repr(C)]`: a C layout (for FFI, or for byte casts such as bytemuck's).
    ReprC,
    /// `#[link(name = "x")]` on an `extern` block: the native library it imports from. The
    /// detail is the name (`Name.framework` for `kind = "framework"`); the span is the
    /// block's, as its [`Ffi::ExternBlock`] has it.
    Link,
    /// A type named in an `extern` block (an identifier starting with an upper-case letter),
    /// once per block; the span is the block's. Against the crate's [`Ffi::ReprC`] names it
    /// tells a C struct the crate lays out by hand for the foreign side, a layout nothing
    /// checks, from a call into libc with plain integers.
    ForeignType,
}

/// What a build script does, by the paths it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Behaviour {
    /// `cc::Build`, `cmake::Config`: compiles C/C++ on the build host.
    CompilesNative,
    /// `std::process::Command`: runs programs.
    RunsPrograms,
    /// `env::var("X")` for an X cargo does not set.
    ReadsEnv,
    /// reqwest, ureq, curl, `TcpStream`: touches the network.
    Network,
    /// `fs::write`, `File::create`... of a literal path that is not under `OUT_DIR`.
    WritesOutsideOutDir,
}

impl Behaviour {
    pub fn describe(self) -> &'static str {
        match self {
            Behaviour::CompilesNative => "compiles C/C++ (cc, cmake)",
            Behaviour::RunsPrograms => "runs programs (std::process::Command)",
            Behaviour::ReadsEnv => "reads environment variables cargo does not set",
            Behaviour::Network => "touches the network",
            Behaviour::WritesOutsideOutDir => "writes files outside OUT_DIR",
        }
    }
}

/// Everything the rules want from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Lines holding code: not blank, not only comments.
    pub code_lines: usize,
    pub mods: Vec<ModDecl>,
    /// The macros this file invokes outside `macro_rules!` bodies, sorted: where a macro
    /// whose body declares modules ([`ModDecl::in_macro`]) is expanded.
    pub macro_invocations: Vec<String>,
    /// `include!` of a literal path: files compiled as part of this one.
    pub includes: Vec<Include>,
    /// `include_str!` and `include_bytes!` of a literal path: files read as data (a test
    /// fixture's text), not modules, even when they end in `.rs`.
    pub data_includes: Vec<Include>,
    /// The file holds `use` or `extern crate` and no other item (attributes aside): a library
    /// root that only links or re-exports another crate. False for an empty file (and for
    /// `Wanted::ModsAndUnsafe`).
    pub only_imports: bool,
    pub unsafes: Vec<(UnsafeKind, Span)>,
    /// `#![forbid(unsafe_code)]`.
    pub forbids_unsafe: bool,
    pub spawns: Vec<Spawn>,
    /// Names this file declares with a runtime handle type (tokio's `Runtime`, `Handle`,
    /// `JoinSet`, `LocalSet`, smol's `Executor`...): fields, parameters, statics, `let`
    /// bindings initialised from one, and functions returning one; sorted. The rule resolves
    /// [`SpawnVia::Receiver`] against the names of the whole crate.
    pub runtime_names: Vec<String>,
    /// The file's own code uses `tracing`: imports from it, a `tracing::` path, an
    /// `#[instrument]`, a `*_span!` macro. (A dependency that pulls `tracing` in does not.)
    pub uses_tracing: bool,
    /// Functions with `#[instrument]` or `#[tracing::instrument]`.
    pub instrumented_fns: Vec<String>,
    /// What each function with a body does, for the rule to tell whether a spawned task
    /// that calls it can emit events ([`Spawn::work`]).
    pub fn_work: Vec<FnWork>,
    pub api_uses: Vec<ApiUse>,
    pub pub_enums: Vec<PubEnum>,
    /// `pub use` re-exports, outside test code.
    pub re_exports: Vec<ReExport>,
    /// Types with `impl ... Error for Type` in this file.
    pub error_impls: Vec<String>,
    /// `static mut NAME` declared here.
    pub static_muts: Vec<String>,
    pub hazards: Vec<(Hazard, Span, String)>,
    pub ffi: Vec<(Ffi, Span, String)>,
    pub behaviours: Vec<(Behaviour, Span, String)>,
    /// Items and statements (a `mod` declaration too) under `#[cfg(feature = "name")]`, with
    /// the feature's name (not for `Wanted::ModsAndUnsafe`).
    pub feature_cfgs: Vec<(Span, String)>,
    /// Build scripts only: items and statements under a `#[cfg(..)]` naming the platform
    /// (`windows`, `target_os = "macos"`...), with the predicate's text (`windows`): code that
    /// runs only on such a build host.
    pub platform_cfgs: Vec<(Span, String)>,
    /// The lexer met an unterminated comment or literal at this offset.
    pub lex_error: Option<usize>,
    /// Paths into the crate's own modules (`crate::a::b`, `super::c`, `self::d`) outside test
    /// code, each once with its first place and count, sorted.
    pub module_refs: Vec<ModuleRef>,
    /// The first segments of the paths the file writes, sorted (see `Scanner::invocations_and_roots`;
    /// `Wanted::All` and build scripts only): which dependencies a binary calls into.
    pub path_roots: Vec<String>,
    /// The parts of the file compiled only under a condition, with their sizes (where size
    /// metrics are counted): the loader takes away those whose condition does not hold.
    pub gated: Vec<GatedCode>,
    /// The file's `macro_rules! cfg_*` wrappers.
    pub cfg_macros: Vec<CfgMacro>,
    /// Size metrics (not for `Wanted::ModsAndUnsafe`).
    pub metrics: Metrics,
    /// Items compiled only for tests (`#[cfg(test)]`, `#[test]` functions), in order and not
    /// overlapping.
    pub test_spans: Vec<Span>,
}

impl FileFacts {
    /// Whether `span` starts inside an item compiled only for tests.
    pub fn in_test_code(&self, span: Span) -> bool {
        starts_inside(&self.test_spans, span)
    }
}

/// Whether `span` starts inside one of `spans` (sorted, not overlapping).
pub(crate) fn starts_inside(spans: &[Span], span: Span) -> bool {
    let k = spans.partition_point(|t| t.start <= span.start);
    k > 0 && span.start < spans[k - 1].end
}

#[cfg(test)]
mod tests;
