//! Calls that start async tasks, resolved through the file's imports and the declared types
//! of their receivers; names declared with runtime types; whether the file uses `tracing`.
//!
//! `.spawn(` alone says little: bevy's `commands.spawn(bundle)`, `std::process::Command`,
//! thread builders and rayon scopes all have one. A call is a task spawn when its path
//! resolves to a runtime's spawn function, or its receiver to a runtime handle type; a
//! receiver whose type the file does not tell is left to the rule (it may be declared in
//! another file of the crate), and nothing else is a spawn.
//!
//! Every look-around here reads a bounded window of tokens, so the scans stay linear.

use std::collections::HashSet;

use super::{Imports, Scanner};
use crate::catalogue::TASK_CRATES;
use crate::{FnWork, Spawn, SpawnVia, Work};

/// Task crates that another crate re-exports as a module: `deno_core::unsync` is
/// `deno_unsync`, whose `spawn` and `spawn_blocking` are tokio's behind a wrapper.
const REEXPORTED_TASK_CRATES: &[(&str, &str)] = &[("deno_core", "unsync")];

/// Free functions of [`TASK_CRATES`] that start a task.
const SPAWN_FNS: &[&str] = &["spawn", "spawn_local", "spawn_blocking"];

/// Methods of runtime handle types that start a task.
const SPAWN_METHODS: &[&str] = &[
    "spawn",
    "spawn_local",
    "spawn_blocking",
    "spawn_on",
    "spawn_local_on",
    "spawn_blocking_on",
];

/// Types of [`TASK_CRATES`] whose `spawn` methods start tasks: tokio's `Runtime`, `Handle`,
/// `JoinSet`, `LocalSet`, task and runtime `Builder`s, tokio-util's `TaskTracker` and
/// `JoinMap`, smol's and async-executor's `Executor`s.
const RUNTIME_TYPES: &[&str] = &[
    "Runtime",
    "LocalRuntime",
    "Handle",
    "JoinSet",
    "LocalSet",
    "Builder",
    "TaskTracker",
    "JoinMap",
    "Executor",
    "LocalExecutor",
];

/// bevy's task pools (bevy_tasks, on async-executor): their `spawn` starts an async task on
/// bevy's executor. Named through `bevy_tasks` or its re-export `bevy::tasks`; their names
/// are bevy's own, so `bevy` as a first segment is not ambiguous here as it would be for
/// `Handle` (an asset handle in bevy).
const POOL_TYPES: &[&str] = &[
    "TaskPool",
    "IoTaskPool",
    "AsyncComputeTaskPool",
    "ComputeTaskPool",
];
const POOL_CRATES: &[&str] = &["bevy_tasks", "bevy", "bevy_internal"];

/// Methods that hand back (a guard of, a clone of, the handle of) their receiver:
/// `rt.handle().spawn(..)`, `self.tasks.lock().unwrap().spawn(..)`.
const PASS_THROUGH: &[&str] = &[
    "unwrap",
    "expect",
    "clone",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "lock",
    "read",
    "write",
    "get",
    "deref",
    "handle",
];

/// `tracing` macros that make a span.
const SPAN_MACROS: &[&str] = &[
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

/// How many tokens of a blocking closure are read to tell it calls nothing of the crate.
const QUIET_WINDOW: usize = 128;

/// Macros that emit log or tracing events.
const EVENT_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event", "log"];

/// Methods that adapt the future they are called on (`fut.boxed()`): a spawn of
/// `binding.<adapter>()` runs the binding's code, which the argument does not show.
const FUTURE_ADAPTERS: &[&str] = &[
    "boxed",
    "boxed_local",
    "fuse",
    "map",
    "then",
    "map_err",
    "map_ok",
    "and_then",
    "catch_unwind",
    "into_future",
];

/// What an `.await` calls on the awaited value: a crate's own future type logging in its
/// `poll` makes every await in the crate possibly logging (by name, as other calls).
const AWAIT_CALLS: [&str; 2] = ["poll", "into_future"];

/// How far a `let` initialiser, generics or a receiver chain is read.
const WINDOW: usize = 40;
/// How far a declared or returned type is read.
const TYPE_WINDOW: usize = 16;
/// How many tokens of a spawn's argument are read for a parameter of the enclosing function.
const HEAD: usize = 12;
/// Parameters of a function kept to recognise a forwarding spawn helper.
const MAX_PARAMS: usize = 8;

/// A function item with a body, for the spawns inside it.
struct FnItem<'a> {
    name: &'a str,
    params: Vec<&'a str>,
    body: (usize, usize),
}

/// What the receiver of a `.spawn(` is, as far as the file tells.
enum Receiver<'a> {
    Runtime,
    Named(&'a str),
    Unknown,
}

impl<'a, const COUNT: bool> Scanner<'a, COUNT> {
    /// The file's task spawns, and what each of its functions does.
    pub(super) fn spawns(
        &self,
        imports: &Imports<'a>,
        names: &HashSet<&'a str>,
    ) -> (Vec<Spawn>, Vec<FnWork>) {
        let fns = self.fn_items();
        let mut spawns = self.spawn_calls(&fns, imports, names);
        let args: Vec<(usize, usize)> = spawns
            .iter()
            .map(|(_, open, close)| (*open, *close))
            .collect();
        let (fn_work, arg_work) = self.work(&fns, &args, imports);
        for ((s, _, _), work) in spawns.iter_mut().zip(arg_work) {
            s.work = work;
        }
        // A function that neither logs nor calls anything can never make a task loud: not
        // recorded.
        let fn_work = fns
            .iter()
            .zip(fn_work)
            .filter(|(_, work)| work.logs || !work.calls.is_empty())
            .map(|(f, work)| FnWork {
                name: f.name.to_string(),
                work,
            })
            .collect();
        (spawns.into_iter().map(|(s, _, _)| s).collect(), fn_work)
    }

    /// The task spawns, with the brackets of their arguments, in order.
    fn spawn_calls(
        &self,
        fns: &[FnItem<'a>],
        imports: &Imports<'a>,
        names: &HashSet<&'a str>,
    ) -> Vec<(Spawn, usize, usize)> {
        let mut next_fn = 0;
        let mut stack: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for i in 0..self.len() {
            let Some(name) = self.ident(i) else { continue };
            if !name.contains("spawn") || !self.punct(i + 1, b'(') {
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
            let Some((callee, start, via)) = self.spawn_call(i, imports, names) else {
                continue;
            };
            while next_fn < fns.len() && fns[next_fn].body.0 < i {
                while stack
                    .last()
                    .is_some_and(|&k| fns[k].body.1 < fns[next_fn].body.0)
                {
                    stack.pop();
                }
                stack.push(next_fn);
                next_fn += 1;
            }
            while stack.last().is_some_and(|&k| fns[k].body.1 < i) {
                stack.pop();
            }
            let forwards = stack
                .last()
                .map(|&k| &fns[k])
                .filter(|f| self.head_names_param(open + 1, close, &f.params))
                .map(|f| f.name.to_string());
            let quiet = name.contains("blocking") && self.quiet_closure(open + 1, close, imports);
            let spawn = Spawn {
                quiet,
                callee,
                span: self.span(start, close),
                instrumented: self.any_in(&self.words().span_carrier, open + 1, close),
                calls: self.head_call(open + 1, close),
                via,
                forwards,
                work: Work::default(),
            };
            out.push((spawn, open, close));
        }
        out
    }

    /// What each function body and each spawn argument `(open, close)` does, in one pass: a
    /// token counts for the innermost function and the innermost argument around it (a
    /// spawn nested in an argument is a task of its own; a function's work includes the
    /// tasks it spawns, so a call of it is never taken for quieter than it is).
    fn work(
        &self,
        fns: &[FnItem<'a>],
        args: &[(usize, usize)],
        imports: &Imports<'a>,
    ) -> (Vec<Work>, Vec<Work>) {
        // Vectors, sorted and deduplicated at the end: cheaper than a set per function.
        let mut fn_calls: Vec<Vec<&'a str>> = vec![Vec::new(); fns.len()];
        let mut fn_logs = vec![false; fns.len()];
        let mut arg_calls: Vec<Vec<&'a str>> = vec![Vec::new(); args.len()];
        let mut arg_work = vec![Work::default(); args.len()];
        for (k, &(open, close)) in args.iter().enumerate() {
            arg_work[k].opaque = self.binding_argument(open + 1, close);
        }
        let mut in_fn = Innermost::default();
        let mut in_arg = Innermost::default();
        for i in 0..self.len() {
            let f = in_fn.at(i, fns.len(), |k| fns[k].body);
            let a = in_arg.at(i, args.len(), |k| (args[k].0 + 1, args[k].1));
            if f.is_none() && a.is_none() {
                continue;
            }
            let params = f.map_or(&[][..], |k| fns[k].params.as_slice());
            match self.doing(i, params, imports) {
                Doing::Nothing => {}
                Doing::Logs => {
                    if let Some(k) = f {
                        fn_logs[k] = true;
                    }
                    if let Some(k) = a {
                        arg_work[k].logs = true;
                    }
                }
                Doing::Opaque => {
                    if let Some(k) = a {
                        arg_work[k].opaque = true;
                    }
                }
                Doing::Calls(name) => {
                    if let Some(k) = f {
                        fn_calls[k].push(name);
                    }
                    if let Some(k) = a {
                        arg_calls[k].push(name);
                    }
                }
                Doing::Awaits => {
                    for name in AWAIT_CALLS {
                        if let Some(k) = f {
                            fn_calls[k].push(name);
                        }
                        if let Some(k) = a {
                            arg_calls[k].push(name);
                        }
                    }
                }
            }
        }
        let fn_work = fn_calls
            .into_iter()
            .zip(fn_logs)
            .map(|(calls, logs)| Work {
                logs,
                opaque: false,
                calls: sorted(calls),
            })
            .collect();
        for (w, calls) in arg_work.iter_mut().zip(arg_calls) {
            w.calls = sorted(calls);
        }
        (fn_work, arg_work)
    }

    /// What the token at `i` does, inside a function whose parameters are `params`.
    fn doing(&self, i: usize, params: &[&str], imports: &Imports<'a>) -> Doing<'a> {
        if self.punct(i, b')') && self.punct(i + 1, b'(') {
            // `(self.callback)(x)`, `make()()`: a call of a value.
            return Doing::Opaque;
        }
        let Some(name) = self.ident(i) else {
            return Doing::Nothing;
        };
        if i > 0 && self.punct(i - 1, b'$') {
            // `tokio::spawn($f)` in a macro: the macro's caller's code.
            return Doing::Opaque;
        }
        if self.punct(i + 1, b'!') {
            let event = EVENT_MACROS.contains(&name) || name.ends_with("span");
            return if event { Doing::Logs } else { Doing::Nothing };
        }
        let after_dot = i > 0 && self.punct(i - 1, b'.');
        let in_path = i > 1 && self.path_sep(i - 2);
        if self.punct(i + 1, b'.') && self.is_ident(i + 2, "await") {
            // `fut.await`: a future made elsewhere.
            let bare = !after_dot && !in_path && name != "self";
            return if bare { Doing::Opaque } else { Doing::Nothing };
        }
        if name == "await" && after_dot {
            // `serve(listener).await` runs the returned future's `poll` (or `into_future`),
            // which may be where the work and its events are.
            return Doing::Awaits;
        }
        if !self.punct(i + 1, b'(') || (i > 0 && self.is_ident(i - 1, "fn")) {
            return Doing::Nothing;
        }
        if after_dot {
            return Doing::Calls(name);
        }
        if name.starts_with(char::is_uppercase) || self.is_std_fn(i, imports) {
            return Doing::Nothing;
        }
        if !in_path && params.contains(&name) {
            // `callback(socket)`: the caller's code.
            return Doing::Opaque;
        }
        Doing::Calls(name)
    }

    /// Whether the argument in `[from, to)` is a binding rather than code: `fut`,
    /// `fut.boxed()`, `task.fuse()` (its code is wherever the binding was made).
    fn binding_argument(&self, from: usize, to: usize) -> bool {
        let Some(name) = self.ident(from) else {
            return false;
        };
        if matches!(name, "self" | "async" | "move") || self.punct(from + 1, b'(') {
            return false;
        }
        if from + 1 >= to || self.punct(from + 1, b',') {
            return true;
        }
        self.punct(from + 1, b'.')
            && self
                .ident(from + 2)
                .is_some_and(|m| FUTURE_ADAPTERS.contains(&m))
    }

    /// The callee, its first token and how it starts a task, for a call of `name` at `i`;
    /// `None` when it is not a task spawn.
    fn spawn_call(
        &self,
        i: usize,
        imports: &Imports<'a>,
        names: &HashSet<&'a str>,
    ) -> Option<(String, usize, SpawnVia)> {
        let name = self.ident(i)?;
        let open = i + 1;
        if i > 0 && self.punct(i - 1, b'.') {
            if !SPAWN_METHODS.contains(&name) {
                return None;
            }
            // A closure argument means a thread (or a rayon scope), except for blocking tasks.
            if !name.starts_with("spawn_blocking")
                && (self.punct(open + 1, b'|')
                    || (self.is_ident(open + 1, "move") && self.punct(open + 2, b'|')))
            {
                return None;
            }
            let via = match self.receiver(i - 1, imports, names) {
                Receiver::Runtime => SpawnVia::Runtime,
                Receiver::Named(n) => SpawnVia::Receiver(n.to_string()),
                Receiver::Unknown => return None,
            };
            return Some((format!(".{name}"), i, via));
        }
        let (path, start) = self.path_ending_at(i);
        let (krate, module) = if path == name {
            imports
                .get(name)
                .map_or(("", None), |im| (im.krate, im.second))
        } else {
            let first = self.ident(start).unwrap_or("");
            match imports.get(first.trim_start_matches("r#")) {
                Some(im) => (im.krate, im.second),
                None if start + 3 < i => (first, self.ident(start + 3)),
                None => (first, None),
            }
        };
        let reexported = module.is_some_and(|m| REEXPORTED_TASK_CRATES.contains(&(krate, m)));
        let via = if TASK_CRATES.contains(&krate) || reexported {
            if !SPAWN_FNS.contains(&name) {
                return None;
            }
            SpawnVia::Runtime
        } else {
            SpawnVia::Helper {
                krate: krate.to_string(),
                name: name.to_string(),
            }
        };
        Some((path, start, via))
    }

    /// Resolves the receiver of the method call whose `.` is at `dot`, walking back over
    /// pass-through calls, `?` and `.await` (a bounded number of steps).
    fn receiver(
        &self,
        dot: usize,
        imports: &Imports<'a>,
        names: &HashSet<&'a str>,
    ) -> Receiver<'a> {
        let Some(mut r) = dot.checked_sub(1) else {
            return Receiver::Unknown;
        };
        for _ in 0..WINDOW {
            if self.punct(r, b'?') && r > 0 {
                r -= 1;
                continue;
            }
            if self.is_ident(r, "await") && r >= 2 && self.punct(r - 1, b'.') {
                r -= 2;
                continue;
            }
            if self.punct(r, b')') {
                let open = self.pair_of(r);
                if open == usize::MAX || open == 0 {
                    return Receiver::Unknown;
                }
                let callee = open - 1;
                let Some(name) = self.ident(callee) else {
                    return Receiver::Unknown;
                };
                let method = callee > 0 && self.punct(callee - 1, b'.');
                if method && PASS_THROUGH.contains(&name) && callee >= 2 {
                    r = callee - 2;
                    continue;
                }
                if !method && self.path_names_runtime_type(callee, imports) {
                    // `Handle::current()`, `tokio::runtime::Builder::new_multi_thread()`.
                    return Receiver::Runtime;
                }
                return self.named(name, names);
            }
            return match self.ident(r) {
                Some("self" | "Self") | None => Receiver::Unknown,
                Some(_) if self.is_runtime_type(r, imports) => Receiver::Runtime,
                Some(name) => self.named(name, names),
            };
        }
        Receiver::Unknown
    }

    /// Whether token `j` is one of the punctuation characters `set`, in one read.
    fn punct_in(&self, j: usize, set: &[u8]) -> bool {
        match self.kind(j) {
            Some(crate::TokKind::Punct(c)) => set.contains(&c),
            _ => false,
        }
    }

    fn named(&self, name: &'a str, names: &HashSet<&'a str>) -> Receiver<'a> {
        if names.contains(name) {
            Receiver::Runtime
        } else {
            Receiver::Named(name)
        }
    }

    /// Whether a segment of the path ending at `i` (up to a few segments back) is a runtime
    /// type: `tokio::runtime::Handle::current`, `Runtime::new`.
    fn path_names_runtime_type(&self, i: usize, imports: &Imports<'a>) -> bool {
        let mut k = i;
        for _ in 0..8 {
            if self.is_runtime_type(k, imports) {
                return true;
            }
            if k < 3 || !self.path_sep(k - 2) || self.ident(k - 3).is_none() {
                return false;
            }
            k -= 3;
        }
        false
    }

    /// Whether the identifier at `k` is a runtime type: one of [`RUNTIME_TYPES`] whose path
    /// (or import) starts with one of [`TASK_CRATES`], or a bevy task pool.
    fn is_runtime_type(&self, k: usize, imports: &Imports<'a>) -> bool {
        let Some(name) = self.ident(k) else {
            return false;
        };
        let crates = if RUNTIME_TYPES.contains(&name) {
            TASK_CRATES
        } else if POOL_TYPES.contains(&name) {
            POOL_CRATES
        } else {
            return false;
        };
        let mut first = k;
        for _ in 0..8 {
            if first < 3 || !self.path_sep(first - 2) || self.ident(first - 3).is_none() {
                break;
            }
            first -= 3;
        }
        let krate = if first == k {
            imports.get(name).map_or("", |im| im.krate)
        } else {
            self.crate_of(self.ident(first).unwrap_or(""), imports)
        };
        crates.contains(&krate)
    }

    /// Whether one of the identifiers in `[from, to)`, up to `len` of them, before a stop
    /// token, is a runtime type.
    fn window_has_runtime_type(
        &self,
        from: usize,
        to: usize,
        imports: &Imports<'a>,
        len: usize,
        stop: impl Fn(usize) -> bool,
    ) -> bool {
        (from..to.min(from + len))
            .take_while(|&k| !stop(k))
            .any(|k| self.is_runtime_type(k, imports))
    }

    /// Names declared with a runtime type: `name: Type` (fields, parameters, statics, typed
    /// `let`s), `let name = <expression naming a runtime type>;`, `fn name(..) -> Type`.
    pub(super) fn runtime_names(&self, imports: &Imports<'a>) -> HashSet<&'a str> {
        let mut out = HashSet::new();
        let n = self.len();
        for k in 0..n {
            let Some(name) = self.ident(k) else { continue };
            let typed = self.punct(k + 1, b':')
                && !self.punct(k + 2, b':')
                && !(k > 0 && self.punct(k - 1, b':'));
            if typed {
                let stop = |j: usize| self.punct_in(j, b",;={)");
                if self.window_has_runtime_type(k + 2, n, imports, TYPE_WINDOW, stop) {
                    out.insert(name);
                }
                continue;
            }
            if let Some(init) = self.let_initialiser(k) {
                let stop = |j: usize| self.punct(j, b';') || self.punct(j, b'{');
                if self.window_has_runtime_type(init, n, imports, WINDOW, stop) {
                    out.insert(name);
                }
                continue;
            }
            if k > 0 && self.is_ident(k - 1, "fn") && self.returns_runtime_type(k, imports) {
                out.insert(name);
            }
        }
        out
    }

    /// Where the initialiser starts when the identifier at `k` is bound by `let k =`,
    /// `let mut k =` or `let Ok(k) =` / `if let Some(k) =` (`Handle::try_current()`).
    fn let_initialiser(&self, k: usize) -> Option<usize> {
        let after_let = |j: usize| {
            j > 0
                && (self.is_ident(j - 1, "let")
                    || (j > 1 && self.is_ident(j - 1, "mut") && self.is_ident(j - 2, "let")))
        };
        let (eq, bound) = if self.punct(k + 1, b')') {
            let wrapped = k > 2 && self.punct(k - 1, b'(') && self.ident(k - 2).is_some();
            (k + 2, wrapped && after_let(k - 2))
        } else {
            (k + 1, after_let(k))
        };
        (bound && self.punct(eq, b'=') && !self.punct(eq + 1, b'=')).then_some(eq + 1)
    }

    /// Whether the function named at `k` returns a runtime type (`-> &Handle`).
    fn returns_runtime_type(&self, k: usize, imports: &Imports<'a>) -> bool {
        let Some(open) = self.params_open(k) else {
            return false;
        };
        let close = self.close(open);
        if !(self.punct(close + 1, b'-') && self.punct(close + 2, b'>')) {
            return false;
        }
        let stop = |j: usize| self.punct_in(j, b"{;") || self.is_ident(j, "where");
        self.window_has_runtime_type(close + 3, self.len(), imports, TYPE_WINDOW, stop)
    }

    /// The `(` of the parameters of the function named at `k`, after its generics (read for
    /// a bounded number of tokens).
    fn params_open(&self, k: usize) -> Option<usize> {
        let mut j = k + 1;
        if self.punct(j, b'<') {
            let mut depth = 0usize;
            let end = (j + WINDOW).min(self.len());
            while j < end {
                if self.punct(j, b'<') {
                    depth += 1;
                } else if self.punct(j, b'>') && !self.punct(j - 1, b'-') {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                } else if self.is_open(j) {
                    j = self.close(j);
                }
                j += 1;
            }
            j += 1;
        }
        self.punct(j, b'(').then_some(j)
    }

    /// Functions with a body, in order of their bodies, with the names of their parameters.
    fn fn_items(&self) -> Vec<FnItem<'a>> {
        let mut out = Vec::new();
        for k in 0..self.len() {
            if !self.is_ident(k, "fn") {
                continue;
            }
            let Some(name) = self.ident(k + 1) else {
                continue;
            };
            let Some(open) = self.params_open(k + 1) else {
                continue;
            };
            let close = self.close(open);
            let end = (close + 1 + WINDOW).min(self.len());
            // Stops at the next item's `fn` too, so runs of bodiless signatures read each
            // token once.
            let body = self.find_at_depth(close + 1, end, |j| {
                self.punct_in(j, b"{;") || self.is_ident(j, "fn")
            });
            if !self.punct(body, b'{') {
                continue;
            }
            out.push(FnItem {
                name,
                params: self.param_names(open, close),
                body: (body, self.close(body)),
            });
        }
        out
    }

    /// The names bound by the first parameters in `(open, close)`: `f` in `mut f: F`.
    fn param_names(&self, open: usize, close: usize) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut k = open + 1;
        while k < close && out.len() < MAX_PARAMS {
            let comma = self.find_at_depth(k, close, |j| self.punct(j, b','));
            if let Some(name) = self
                .ident(k)
                .filter(|&n| n != "mut")
                .or_else(|| self.ident(k + 1))
                && self.punct(k + 1 + usize::from(self.is_ident(k, "mut")), b':')
            {
                out.push(name);
            }
            k = comma + 1;
        }
        out
    }

    /// Whether the argument in `[from, to)` is one of `params`, or a closure or async block
    /// that starts by using it: `f`, `fut.boxed()`, `move || f()`, `async move { fut.await }`.
    /// A block that first does work of its own (`{ let s = snapshot.clone(); .. }`) is a
    /// task of the function's, not its caller's.
    fn head_names_param(&self, from: usize, to: usize, params: &[&str]) -> bool {
        let mut k = from;
        while k < to.min(from + HEAD)
            && (self.is_ident(k, "async") || self.is_ident(k, "move") || self.punct_in(k, b"{|"))
        {
            k += 1;
        }
        if k >= to || !self.ident(k).is_some_and(|n| params.contains(&n)) {
            return false;
        }
        // Inside a block or closure the parameter must be the work itself: awaited or called
        // (`async move { processor.run().await }` uses a parameter, it does not forward it).
        k == from
            || (self.punct(k + 1, b'.') && self.is_ident(k + 2, "await"))
            || self.punct(k + 1, b'(')
    }

    /// Whether the closure in `[from, to)` (read up to [`QUIET_WINDOW`] tokens; a longer one
    /// is not quiet) calls no function of the crate and emits no event: its calls are
    /// methods, constructors (`Ok(..)`) and paths into `std` or other imported crates.
    fn quiet_closure(&self, from: usize, to: usize, imports: &Imports<'a>) -> bool {
        if to > from + QUIET_WINDOW {
            return false;
        }
        !(from..to).any(|k| {
            let Some(name) = self.ident(k) else {
                return false;
            };
            if self.punct(k + 1, b'!') {
                return EVENT_MACROS.contains(&name) || name.ends_with("span");
            }
            let call = self.punct(k + 1, b'(')
                && !(k > 0 && self.punct(k - 1, b'.'))
                && !name.starts_with(char::is_uppercase);
            call && self.is_crate_fn(k, imports)
        })
    }

    /// The first segment of the path that ends at `k` (`std` in `std::env::var`), up to eight
    /// segments back; the name itself when it is not a path.
    fn path_head(&self, k: usize) -> &'a str {
        let mut first = k;
        for _ in 0..8 {
            if first < 3 || !self.path_sep(first - 2) || self.ident(first - 3).is_none() {
                break;
            }
            first -= 3;
        }
        self.ident(first).unwrap_or("")
    }

    /// Whether the function called at `k` is the standard library's: a path through `std`,
    /// `core` or `alloc`, or a name imported from one. (Other crates' functions are kept: a
    /// workspace member's may log, and the rule resolves names against the members.)
    fn is_std_fn(&self, k: usize, imports: &Imports<'a>) -> bool {
        let head = self.path_head(k);
        let krate = imports.get(head).map_or(head, |im| im.krate);
        matches!(krate, "std" | "core" | "alloc")
    }

    /// Whether the function called at `k` may be the crate's own: a bare name not imported
    /// from another crate, or a path from `crate`, `self`, `super`, `Self` or a module that
    /// is not `std`, `core`, `alloc` or imported from another crate.
    fn is_crate_fn(&self, k: usize, imports: &Imports<'a>) -> bool {
        let head = self.path_head(k);
        match imports.get(head) {
            Some(im) => matches!(im.krate, "crate" | "self" | "super"),
            None => !matches!(head, "std" | "core" | "alloc"),
        }
    }

    /// The function called as the head of the argument in `[from, to)`: `handle` in
    /// `handle(conn)`, `self.run(..)`, `crate::worker::run(..)`.
    fn head_call(&self, from: usize, to: usize) -> Option<String> {
        let mut head = from;
        if self.is_ident(head, "self") && self.punct(head + 1, b'.') {
            head += 2;
        }
        (head..to)
            .take_while(|&k| self.ident(k).is_some() || self.path_sep(k) || self.punct(k, b':'))
            .last()
            .filter(|&k| self.punct(k + 1, b'(') && self.ident(k).is_some())
            .and_then(|k| self.ident(k))
            .map(str::to_string)
    }

    /// Whether the file's own code uses `tracing`: an import from it, a path through it
    /// (`tracing::debug!`, `bevy::log::tracing::..`), `extern crate tracing`, a span macro.
    /// (`#[instrument]` is counted by the caller from the instrumented functions.)
    pub(super) fn uses_tracing(&self, imports: &Imports<'a>) -> bool {
        if imports.values().any(|im| im.krate == "tracing") {
            return true;
        }
        (0..self.len()).any(|k| match self.ident(k) {
            Some("tracing") => self.path_sep(k + 1) || (k > 0 && self.is_ident(k - 1, "crate")),
            Some(name) => SPAN_MACROS.contains(&name) && self.punct(k + 1, b'!'),
            None => false,
        })
    }
}

/// What one token of a body does, as far as spans go.
enum Doing<'a> {
    Nothing,
    Logs,
    Opaque,
    Calls(&'a str),
    /// `.await`: calls [`AWAIT_CALLS`] of the awaited value.
    Awaits,
}

fn sorted(mut names: Vec<&str>) -> Vec<String> {
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(str::to_string).collect()
}

/// The innermost of a list of properly nested ranges, sorted by start, around each index of
/// an increasing walk: each range is pushed and popped once.
#[derive(Default)]
struct Innermost {
    next: usize,
    stack: Vec<usize>,
}

impl Innermost {
    /// The innermost range of `len` (range `k` is `range(k)`, inclusive) holding `i`.
    fn at(
        &mut self,
        i: usize,
        len: usize,
        range: impl Fn(usize) -> (usize, usize),
    ) -> Option<usize> {
        while self.next < len && range(self.next).0 <= i {
            while self
                .stack
                .last()
                .is_some_and(|&k| range(k).1 < range(self.next).0)
            {
                self.stack.pop();
            }
            self.stack.push(self.next);
            self.next += 1;
        }
        while self.stack.last().is_some_and(|&k| range(k).1 < i) {
            self.stack.pop();
        }
        self.stack.last().copied()
    }
}
