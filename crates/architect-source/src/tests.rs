//! What the scanner finds, and what it must not.

use crate::*;

fn all(src: &str) -> FileFacts {
    analyze(src, Wanted::All)
}

#[test]
fn module_declarations_with_path_visibility_and_inline_parents() {
    let f = all(r#"
        pub mod a;
        pub(crate) mod b;
        #[path = "custom/c.rs"]
        mod c;
        #[cfg(test)]
        mod tests { mod helpers; }
        pub mod outer { pub mod inner { mod leaf; } }
        // mod commented;
        const S: &str = "mod in_string;";
        macro_rules! m { ($name:ident) => { mod $name; } }
    "#);
    let names: Vec<(&str, bool)> = f.mods.iter().map(|m| (m.name.as_str(), m.is_pub)).collect();
    assert_eq!(
        names,
        [
            ("a", true),
            ("b", false),
            ("c", false),
            ("helpers", false),
            ("leaf", false)
        ]
    );
    assert_eq!(f.mods[2].path_attr.as_deref(), Some("custom/c.rs"));
    assert_eq!(f.mods[3].inline_parents, [("tests".to_string(), false)]);
    assert_eq!(
        f.mods[4].inline_parents,
        [("outer".to_string(), true), ("inner".to_string(), true)]
    );
}

#[test]
fn unsafe_inventory() {
    let f = all(r#"
        #![forbid(unsafe_code)]
        unsafe fn a() {}
        pub unsafe extern "C" fn b() {}
        unsafe impl Send for X {}
        unsafe trait T {}
        unsafe extern "C" { fn c(); }
        fn d() { unsafe { a() } }
        #[unsafe(no_mangle)] fn e() {}
        // unsafe { not code }
    "#);
    let kinds: Vec<UnsafeKind> = f.unsafes.iter().map(|(k, _)| *k).collect();
    use UnsafeKind::*;
    assert_eq!(kinds, [Fn, Fn, Impl, Trait, ExternBlock, Block]);
    assert!(f.forbids_unsafe);
    assert!(!all("#![deny(unsafe_code)]").forbids_unsafe);
}

#[test]
fn spawns_and_their_spans() {
    let f = all(r#"
        use tokio::task::{self, spawn_blocking};
        use tracing::Instrument;
        async fn run(set: &mut tokio::task::JoinSet<()>) {
            tokio::spawn(async move { work().await });
            tokio::spawn(work().instrument(tracing::info_span!("w")));
            task::spawn(handle(conn));
            spawn_blocking(move || heavy());
            set.spawn(async { }.in_current_span());
            std::thread::spawn(|| ());
            thread_builder.spawn(move || ());
            Command::new("ls").spawn();
        }
        fn spawn(x: u8) {}
    "#);
    let got: Vec<(&str, bool, Option<&str>, &SpawnVia)> = f
        .spawns
        .iter()
        .map(|s| {
            (
                s.callee.as_str(),
                s.instrumented,
                s.calls.as_deref(),
                &s.via,
            )
        })
        .collect();
    let std_thread = SpawnVia::Helper {
        krate: "std".into(),
        name: "spawn".into(),
    };
    assert_eq!(
        got,
        [
            ("tokio::spawn", false, None, &SpawnVia::Runtime),
            ("tokio::spawn", true, Some("work"), &SpawnVia::Runtime),
            ("task::spawn", false, Some("handle"), &SpawnVia::Runtime),
            ("spawn_blocking", false, None, &SpawnVia::Runtime),
            (".spawn", true, None, &SpawnVia::Runtime),
            // Not a runtime's: left to the rule, which finds no helper of that name in std.
            ("std::thread::spawn", false, None, &std_thread),
        ]
    );
}

/// The `.spawn(` calls of a file and what their receivers resolve to.
fn receivers(src: &str) -> Vec<(String, SpawnVia)> {
    all(src)
        .spawns
        .into_iter()
        .map(|s| (s.callee, s.via))
        .collect()
}

fn named(n: &str) -> SpawnVia {
    SpawnVia::Receiver(n.into())
}

#[test]
fn method_spawns_resolve_through_the_receivers_declared_type() {
    use SpawnVia::Runtime;
    let got = receivers(
        r#"
        use tokio::runtime::{Handle, Runtime};
        use tokio::task::JoinSet;
        struct Server { rt: Runtime, tasks: std::sync::Mutex<JoinSet<()>> }
        impl Server {
            fn runtime(&self) -> &Runtime { &self.rt }
            fn go(&self, handle: Handle) {
                self.rt.spawn(a());
                self.runtime().spawn(b());
                self.tasks.lock().unwrap().spawn(c());
                handle.spawn(d());
                Handle::current().spawn(e());
                tokio::runtime::Handle::current().spawn_blocking(|| f());
                self.rt.handle().spawn(g());
                let local = tokio::runtime::Builder::new_current_thread().build().unwrap();
                local.spawn(h());
                pool.spawn(i());
            }
        }
    "#,
    );
    let want: Vec<(String, SpawnVia)> = [
        (".spawn", Runtime),
        (".spawn", Runtime),
        (".spawn", Runtime),
        (".spawn", Runtime),
        (".spawn", Runtime),
        (".spawn_blocking", Runtime),
        (".spawn", Runtime),
        (".spawn", Runtime),
        // Declared nowhere in this file: the rule looks in the crate's other files.
        (".spawn", named("pool")),
    ]
    .into_iter()
    .map(|(c, v)| (c.to_string(), v))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn spawns_that_are_not_tasks() {
    // ECS entities, processes, threads, rayon scopes, a pool of unknown crate: none is a
    // runtime's.
    let got = receivers(
        r#"
        use std::process::Command;
        fn setup(mut commands: Commands) {
            commands.spawn(Camera2d);
            commands.spawn((Sprite::default(), Transform::default())).with_children(|p| {
                p.spawn(Text::new("x"));
            });
            Command::new("ls").arg("-l").spawn().unwrap();
            std::thread::Builder::new().name("w".into()).spawn(move || work()).unwrap();
            rayon::scope(|s| { s.spawn(|_| work()); });
            TaskPool::get().spawn(async move { work() }).detach();
            self.spawn(bundle);
        }
    "#,
    );
    // Receivers with a name stay for the rule to resolve against the crate (and fail to).
    let vias: Vec<SpawnVia> = got.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        vias,
        [
            named("commands"),
            named("commands"),
            named("p"),
            named("get")
        ]
    );
}

#[test]
fn other_runtimes_spawn_functions() {
    let f = all(r#"
        use async_std::task;
        use smol::Executor;
        use async_global_executor as age;
        use bevy_tasks::AsyncComputeTaskPool;
        use deno_core::unsync::{self, spawn_blocking};
        fn run() {
            async_std::task::spawn(a());
            task::spawn_blocking(|| b());
            smol::spawn(c()).detach();
            let ex = Executor::new();
            ex.spawn(d()).detach();
            age::spawn(e());
            glommio::spawn_local(f()).detach();
            wasm_bindgen_futures::spawn_local(g());
            actix_rt::spawn(h());
            deno_core::unsync::spawn(k());
            unsync::spawn_blocking(|| l());
            spawn_blocking(|| m());
            bevy::tasks::IoTaskPool::get().spawn(i()).detach();
            let pool = AsyncComputeTaskPool::get();
            pool.spawn(j()).detach();
        }
    "#);
    let vias: Vec<(&str, &SpawnVia)> = f
        .spawns
        .iter()
        .map(|s| (s.callee.as_str(), &s.via))
        .collect();
    let runtime = &SpawnVia::Runtime;
    assert_eq!(
        vias,
        [
            ("async_std::task::spawn", runtime),
            ("task::spawn_blocking", runtime),
            ("smol::spawn", runtime),
            (".spawn", runtime),
            ("age::spawn", runtime),
            ("glommio::spawn_local", runtime),
            ("wasm_bindgen_futures::spawn_local", runtime),
            ("actix_rt::spawn", runtime),
            // deno_unsync, re-exported as `deno_core::unsync`.
            ("deno_core::unsync::spawn", runtime),
            ("unsync::spawn_blocking", runtime),
            ("spawn_blocking", runtime),
            // bevy's task pools, through `bevy::tasks` or an import from `bevy_tasks`.
            (".spawn", runtime),
            (".spawn", runtime),
        ]
    );
}

#[test]
fn spawn_helpers_their_definitions_and_their_calls() {
    let f = all(r#"
        use crate::rt::spawn_blocking;
        use other_crate::spawn_named;
        use bevy_tasks::IoTaskPool;
        pub fn spawn<F: Future + Send + 'static>(future: F) -> JoinHandle<F::Output> {
            tokio::spawn(future)
        }
        pub fn spawn_blocking_io<F, R>(mut f: F) -> JoinHandle<R> {
            tokio::task::spawn_blocking(move || f())
        }
        fn spawn_async<F: Future>(fut: F) { tokio::spawn(async move { fut.await }); }
        fn refresh(snapshot: &Snapshot) {
            tokio::task::spawn_blocking({ let snapshot = snapshot.clone(); move || snapshot.go() });
        }
        fn start_processor(processor: Processor) {
            IoTaskPool::get().spawn(async move { processor.run().await });
        }
        fn start(&self) {
            tokio::spawn(serve());
            spawn_blocking(move || heavy());
            rt::spawn(work());
            spawn_named("x", work());
        }
    "#);
    let got: Vec<(&str, &SpawnVia, Option<&str>)> = f
        .spawns
        .iter()
        .map(|s| (s.callee.as_str(), &s.via, s.forwards.as_deref()))
        .collect();
    let helper = |krate: &str, name: &str| SpawnVia::Helper {
        krate: krate.into(),
        name: name.into(),
    };
    assert_eq!(
        got,
        [
            ("tokio::spawn", &SpawnVia::Runtime, Some("spawn")),
            (
                "tokio::task::spawn_blocking",
                &SpawnVia::Runtime,
                Some("spawn_blocking_io")
            ),
            ("tokio::spawn", &SpawnVia::Runtime, Some("spawn_async")),
            // Work of its own before the parameter: the function's task, not its caller's.
            ("tokio::task::spawn_blocking", &SpawnVia::Runtime, None),
            // Uses its parameter, does not forward it.
            (".spawn", &SpawnVia::Runtime, None),
            // Spawns a future of its own: not a helper.
            ("tokio::spawn", &SpawnVia::Runtime, None),
            ("spawn_blocking", &helper("crate", "spawn_blocking"), None),
            ("rt::spawn", &helper("rt", "spawn"), None),
            ("spawn_named", &helper("other_crate", "spawn_named"), None),
        ]
    );
}

#[test]
fn blocking_closures_that_call_nothing_of_the_crate() {
    let f = all(r#"
        use std::net::ToSocketAddrs;
        use crate::resolve::resolve_blocking;
        async fn f(path: PathBuf) {
            tokio::task::spawn_blocking(move || std::fs::read(path)).await;
            tokio::task::spawn_blocking(move || { let a = (h, 1); ToSocketAddrs::to_socket_addrs(&a) });
            tokio::task::spawn_blocking(move || builder.build().map(Ok));
            tokio::task::spawn_blocking(move || heavy());
            tokio::task::spawn_blocking(move || resolve_blocking(&path));
            tokio::task::spawn_blocking(move || crate::migrate::run(&path));
            tokio::task::spawn_blocking(move || { tracing::debug!("x"); std::fs::read(path) });
            tokio::spawn(async move { std::fs::read(path) });
        }
    "#);
    let quiet: Vec<bool> = f.spawns.iter().map(|s| s.quiet).collect();
    // Only blocking closures can be quiet; one that calls the crate or logs is not.
    assert_eq!(quiet, [true, true, true, false, false, false, false, false]);
}

#[test]
fn what_a_spawned_task_does() {
    let f = all(r#"
        use tracing::error;
        async fn f(path: PathBuf, callback: C, fut: F) {
            tokio::spawn(async move { let _ = sender.broadcast(loader).await; });
            tokio::spawn(async move { if let Err(e) = load(path).await { error!("{e}"); } });
            tokio::task::spawn_blocking(move || resolve_blocking(&path));
            tokio::spawn(self.take_and_close());
            tokio::spawn(async move { callback(socket).await; });
            tokio::spawn(async move { on_upgrade.await; });
            tokio::spawn(fut);
            tokio::spawn(fut.boxed());
            tokio::spawn(async move { (self.f)(x); });
            tokio::spawn($f);
            tokio::spawn(async move { tokio::spawn(async { tracing::info!("inner") }); });
        }
    "#);
    let work: Vec<(bool, bool, Vec<&str>)> = f
        .spawns
        .iter()
        .map(|s| {
            let calls = s.work.calls.iter().map(String::as_str).collect();
            (s.work.logs, s.work.opaque, calls)
        })
        .collect();
    let awaits = ["into_future", "poll"];
    assert_eq!(
        work,
        [
            // A task that only broadcasts: a method call and an await, no event.
            (false, false, vec!["broadcast", "into_future", "poll"]),
            // A task that logs.
            (true, false, vec!["into_future", "load", "poll"]),
            // A blocking closure through a crate function, a method of the crate.
            (false, false, vec!["resolve_blocking"]),
            (false, false, vec!["take_and_close"]),
            // The caller's callback, an awaited binding, a binding, an adapted binding, a
            // called expression, a macro's fragment: code the argument does not show.
            (false, true, awaits.to_vec()),
            (false, true, awaits.to_vec()),
            (false, true, vec![]),
            (false, true, vec!["boxed"]),
            (false, true, vec![]),
            // A macro's argument.
            (false, true, vec![]),
            // The outer task only spawns (no event of its own); the inner one logs.
            (false, false, vec!["spawn"]),
            (true, false, vec![]),
        ]
    );
}

#[test]
fn what_each_function_does() {
    let f = all(r#"
        use std::fs::read;
        fn quiet(p: &Path) -> Vec<u8> { std::fs::read(p).unwrap_or_default() }
        fn loud() { log::warn!("x"); }
        fn calls_loud() { helper::loud(); }
        fn spawns_loud() { tokio::spawn(async { tracing::debug!("in a task") }); }
        fn outer() { fn inner() { info!("x") } inner() }
        fn sibling(p: &Path) { other_member::start(); read(p); }
    "#);
    let work: Vec<(&str, bool, Vec<&str>)> = f
        .fn_work
        .iter()
        .map(|f| {
            let calls = f.work.calls.iter().map(String::as_str).collect();
            (f.name.as_str(), f.work.logs, calls)
        })
        .collect();
    assert_eq!(
        work,
        [
            // Calls into std are not the crate's.
            ("quiet", false, vec!["unwrap_or_default"]),
            ("loud", true, vec![]),
            ("calls_loud", false, vec!["loud"]),
            // A function's work includes the tasks it spawns.
            ("spawns_loud", true, vec!["spawn"]),
            // A nested function's body is its own.
            ("outer", false, vec!["inner"]),
            ("inner", true, vec![]),
            // Another crate's function may be a workspace member's: kept; std's is not.
            ("sibling", false, vec!["start"]),
        ]
    );
}

#[test]
fn names_declared_with_runtime_types() {
    let f = all(r#"
        use tokio::runtime::Runtime;
        use my::Handle as MyHandle;
        static RT: once_cell::sync::Lazy<Runtime> = Lazy::new(|| Runtime::new().unwrap());
        struct S { rt: std::sync::Arc<Runtime>, other: MyHandle, set: tokio::task::JoinSet<()> }
        fn handle(&self) -> tokio::runtime::Handle { todo!() }
        fn f(ex: &smol::Executor<'static>, n: u8) {
            let tasks = tokio::task::JoinSet::new();
            let mut local = tokio::task::LocalSet::new();
            let commands = world.commands();
            if let Ok(current) = tokio::runtime::Handle::try_current() {}
            if let Some(x) = maybe { let y = tokio::runtime::Handle::current(); }
        }
    "#);
    assert_eq!(
        f.runtime_names,
        [
            "RT", "current", "ex", "handle", "local", "rt", "set", "tasks", "y"
        ]
    );
}

#[test]
fn whether_a_file_uses_tracing() {
    for src in [
        "use tracing::debug; fn f() { debug!(\"x\"); }",
        "use tracing::{Instrument, Span};",
        "fn f() { tracing::info!(\"x\"); }",
        "#[instrument]\nasync fn f() {}",
        "fn f() { let _g = info_span!(\"x\").entered(); }",
        "use bevy::log::tracing::warn;",
        "#[macro_use] extern crate tracing;",
    ] {
        assert!(all(src).uses_tracing, "{src}");
    }
    for src in [
        "use log::debug; fn f() { debug!(\"x\"); }",
        "fn f() { tokio::spawn(x); } // tracing::info!",
        "const S: &str = \"tracing::info!\";",
        "fn tracing() {} fn g(tracing: bool) {}",
    ] {
        assert!(!all(src).uses_tracing, "{src}");
    }
}

#[test]
fn instrumented_functions() {
    let f = all(
        "#[tracing::instrument(skip(x))]\npub async fn handle(x: u8) {}\n#[instrument]\nasync fn other() {}\nfn plain() {}",
    );
    assert_eq!(f.instrumented_fns, ["handle", "other"]);
}

#[test]
fn runtime_and_anyhow_types_in_public_signatures() {
    let f = all(r#"
        use tokio::sync::mpsc::Sender;
        use anyhow::Result;
        pub fn a(tx: Sender<u8>) -> Result<()> { Ok(()) }
        pub fn b() -> tokio::task::JoinHandle<()> { todo!() }
        fn private(tx: Sender<u8>) {}
        pub(crate) fn restricted(tx: Sender<u8>) {}
        pub struct S { pub rt: tokio::runtime::Handle, hidden: Sender<u8> }
        pub trait T { fn f(&self) -> anyhow::Error; }
        mod private_mod { pub fn c() -> eyre::Result<()> { todo!() } }
        pub fn fine(x: std::io::Result<()>) {}
    "#);
    let got: Vec<(&str, &str, &str, bool)> = f
        .api_uses
        .iter()
        .map(|u| (u.item.as_str(), u.ty.as_str(), u.krate.as_str(), u.public))
        .collect();
    assert_eq!(
        got,
        [
            ("fn a", "Sender", "tokio", true),
            ("fn a", "Result", "anyhow", true),
            ("fn b", "tokio::task::JoinHandle", "tokio", true),
            ("field S::rt", "tokio::runtime::Handle", "tokio", true),
            ("trait T::f", "anyhow::Error", "anyhow", true),
            ("fn c", "eyre::Result", "eyre", false),
        ]
    );
}

#[test]
fn public_error_enums() {
    let f = all(r#"
        #[derive(Debug, thiserror::Error)]
        pub enum LoadError { Io }
        #[non_exhaustive]
        pub enum ConfigError { Bad }
        pub enum Plain { A }
        enum PrivateError { A }
        impl std::error::Error for Plain {}
        impl From<io::Error> for LoadError {}
    "#);
    let got: Vec<(&str, bool, bool)> = f
        .pub_enums
        .iter()
        .map(|e| (e.name.as_str(), e.non_exhaustive, e.derives_error))
        .collect();
    assert_eq!(
        got,
        [
            ("LoadError", false, true),
            ("ConfigError", true, false),
            ("Plain", false, false)
        ]
    );
    assert_eq!(f.error_impls, ["Plain"]);
}

fn hazards_of(src: &str) -> Vec<(Hazard, String)> {
    all(src)
        .hazards
        .into_iter()
        .map(|(h, _, d)| (h, d))
        .collect()
}

fn hazard_list(items: &[(Hazard, &str)]) -> Vec<(Hazard, String)> {
    items.iter().map(|(h, d)| (*h, d.to_string())).collect()
}

#[test]
fn edition_2024_hazards() {
    let f = all(r#"
        static mut COUNTER: u32 = 0;
        extern "C" { fn ext(); }
        unsafe extern "C" { fn fine(); }
        #[no_mangle] pub extern "C" fn a() {}
        #[unsafe(no_mangle)] pub extern "C" fn b() {}
        use std::env;
        fn f() {
            std::env::set_var("K", "V");
            env::remove_var("K");
            let gen = rng.gen::<u8>();
            let r = unsafe { &COUNTER };
            let s = &mut Other::CONST;
            let t = &CONST_FN();
        }
        macro_rules! m { ($e:expr, $t:expr_2021) => { $e }; }
    "#);
    let got: Vec<(Hazard, &str)> = f.hazards.iter().map(|(h, _, d)| (*h, d.as_str())).collect();
    use Hazard::*;
    assert_eq!(
        got,
        [
            (ExternBlock, "\"C\""),
            (UnsafeAttr, "no_mangle"),
            (EnvSetVar, "std::env::set_var"),
            (EnvSetVar, "env::remove_var"),
            (GenIdent, "gen"),
            (GenIdent, "gen"),
            (StaticMutRef, "COUNTER"),
            (StaticMutRef, "CONST"),
            (ExprFragment, "e"),
        ]
    );
    assert_eq!(f.static_muts, ["COUNTER"]);
}

#[test]
fn set_var_is_resolved_through_imports() {
    use Hazard::EnvSetVar;
    // Imported function, imported module, an alias, a group, written out with a leading `::`.
    let found = hazards_of(
        r#"
        use std::env::set_var;
        use std::{env as e, fs};
        fn f() { set_var("A", "1"); e::remove_var("A"); ::std::env::set_var("B", "2"); }
    "#,
    );
    assert_eq!(
        found,
        hazard_list(&[
            (EnvSetVar, "set_var"),
            (EnvSetVar, "e::remove_var"),
            (EnvSetVar, "std::env::set_var"),
        ])
    );
    // The same calls that are not std's: a crate's own `env` module, a name that only ends in
    // `env`, a method, an unimported bare call, a definition.
    let none = hazards_of(
        r#"
        mod env { pub fn set_var(_: &str, _: &str) {} }
        fn f(cmd: &mut Command, store: &mut Store) {
            env::set_var("A", "1");
            myenv::set_var("A", "1");
            store.set_var("A", "1");
            remove_var("A");
        }
        fn set_var(_: &str, _: &str) {}
    "#,
    );
    assert_eq!(none, []);
}

#[test]
fn static_mut_references_not_reads_or_raw_pointers() {
    use Hazard::StaticMutRef;
    // Explicit references, and the implicit one of a method call (denied in 2024 too).
    let found = hazards_of(
        r#"
        static mut BUF: Vec<u8> = Vec::new();
        unsafe fn f() {
            let a = &BUF;
            g(&mut BUF, x);
            BUF.push(1);
            return &BUF;
        }
    "#,
    );
    assert_eq!(
        found,
        hazard_list(&[
            (StaticMutRef, "BUF"),
            (StaticMutRef, "BUF"),
            (StaticMutRef, "BUF"),
            (StaticMutRef, "BUF"),
        ])
    );
    // Raw pointers (`addr_of!`, `&raw`), plain reads and writes, the binary `&` and `&&`,
    // a field of it, a call, and a method call on a field.
    let none = hazards_of(
        r#"
        static mut BUF: u32 = 0;
        unsafe fn f() {
            let p = addr_of!(BUF);
            let q = addr_of_mut!(BUF);
            let r = &raw const BUF;
            BUF = 1;
            let v = BUF + 1;
            let m = mask & BUF;
            let b = ok && BUF_SET;
            let c = f(x) & BUF;
            let d = &BUF.field;
            let e = &MAKE();
            self.BUF.push(1);
        }
    "#,
    );
    assert_eq!(none, []);
}

#[test]
fn if_let_guard_held_into_else_that_takes_it_again() {
    use Hazard::IfLetGuard;
    // Before 2024 the scrutinee's guard lives through `else`, which locks again: a deadlock
    // (or a `BorrowMutError`) that 2024 removes.
    let found = hazards_of(
        r#"
        fn f(&self) {
            if let Some(x) = self.cache.lock().unwrap().get(&k) {
                use_it(x);
            } else {
                self.cache.lock().unwrap().insert(k, v);
            }
            if let Some(x) = cell.borrow().get(&k).cloned() { x } else if ok {
                cell.borrow_mut().insert(k, v);
            }
        }
    "#,
    );
    assert_eq!(
        found,
        hazard_list(&[(IfLetGuard, "self.cache"), (IfLetGuard, "cell")])
    );
    // No `else`; an `else` that takes no guard of the same receiver; a guard taken in the
    // `then` block only; `read(buf)` with an argument (io::Read); a different receiver.
    let none = hazards_of(
        r#"
        fn f(&self) {
            if let Some(x) = self.cache.lock().unwrap().get(&k) { return x; }
            self.cache.lock().unwrap().insert(k, v);
            if let Some(x) = self.cache.lock().unwrap().get(&k) { a() } else { log(k) }
            if let Some(x) = opt { self.cache.lock() } else { b() }
            if let Ok(n) = file.read(&mut buf) { n } else { file.read(&mut buf) }
            if let Some(x) = self.a.lock().get(&k) { a() } else { self.b.lock() }
        }
    "#,
    );
    assert_eq!(none, []);
}

#[test]
fn expr_fragments_of_exported_macros_name_the_macro() {
    use Hazard::{ExportedExprFragment, ExprFragment};
    let found = hazards_of(
        r#"
        /// Exported: its users see what it matches.
        #[macro_export]
        macro_rules! public { ($a:expr, $b:expr) => { $a + $b }; }
        #[macro_export(local_inner_macros)]
        macro_rules! other { ($a:expr) => { $a }; }
        macro_rules! private { ($c:expr) => { $c }; }
        #[doc(hidden)]
        #[macro_export]
        macro_rules! helper { ($d:expr) => { $d }; }
        #[macro_export]
        macro_rules! __inner { ($f:expr) => { $f }; }
    "#,
    );
    assert_eq!(
        found,
        hazard_list(&[
            (ExportedExprFragment, "public"),
            (ExportedExprFragment, "public"),
            (ExportedExprFragment, "other"),
            (ExprFragment, "c"),
            (ExprFragment, "d"),
            (ExprFragment, "f"),
        ])
    );
}

#[test]
fn ffi_surface() {
    let f = all(r#"
        extern crate core;
        #[repr(C)] pub struct Point { x: f64 }
        #[repr(C, u8)] pub enum Tag { A }
        #[repr(transparent)] pub struct W(u8);
        extern "C" { fn puts(); }
        #[unsafe(no_mangle)] pub extern "C" fn answer() -> u32 { 42 }
    "#);
    let got: Vec<(Ffi, &str)> = f.ffi.iter().map(|(k, _, d)| (*k, d.as_str())).collect();
    use Ffi::*;
    assert_eq!(
        got,
        [
            (ReprC, "Point"),
            (ReprC, "Tag"),
            (ExternBlock, "\"C\""),
            (NoMangle, "answer"),
            (ExternFn, "answer")
        ]
    );
}

#[test]
fn a_build_script_running_cargo_own_tools_runs_no_host_program() {
    let f = analyze(
        r#"
        use std::{env, process::Command};
        fn main() {
            let rustc = env::var("RUSTC").expect("cargo sets RUSTC");
            Command::new(rustc).arg("--version").output().unwrap();
            Command::new(env::var_os("CARGO").unwrap()).arg("metadata");
            let tool = find_tool();
            Command::new(tool).status().unwrap();
            Command::new("git").arg("log").status().unwrap();
        }
    "#,
        Wanted::BuildScript,
    );
    let programs: Vec<&str> = f
        .behaviours
        .iter()
        .filter(|(b, _, _)| *b == Behaviour::RunsPrograms)
        .map(|(_, _, d)| d.as_str())
        .collect();
    assert_eq!(programs, ["a computed program", "git"]);
}

#[test]
fn a_build_script_tells_code_under_a_platform_cfg() {
    let src = r#"
        fn main() {
            #[cfg(windows)]
            windows_rc::link_icon("icon.ico");
            #[cfg(feature = "x")]
            extra();
            Command::new("git").status();
        }
        #[cfg(windows)]
        #[allow(dead_code)]
        mod windows_rc {
            pub fn link_icon(p: &str) { std::process::Command::new(rc_exe()).arg(p); }
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        fn unix_only() {}
    "#;
    let f = analyze(src, Wanted::BuildScript);
    let got: Vec<(&str, &str)> = f
        .platform_cfgs
        .iter()
        .map(|(span, p)| (&src[span.start..span.end], p.as_str()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[0],
        (
            "#[cfg(windows)]\n            windows_rc::link_icon(\"icon.ico\");",
            "windows"
        )
    );
    assert!(got[1].0.starts_with("#[cfg(windows)]") && got[1].0.ends_with("}\n        }"));
    assert_eq!(got[2].1, "all(unix, not(target_os = \"macos\"))");
    let inside = |at: usize| {
        f.platform_cfgs
            .iter()
            .any(|(s, _)| s.start <= at && at < s.end)
    };
    let runs: Vec<bool> = f
        .behaviours
        .iter()
        .map(|(_, span, _)| inside(span.start))
        .collect();
    assert_eq!(
        runs,
        [false, true],
        "git runs everywhere, rc.exe only on Windows"
    );
}

#[test]
fn items_under_a_single_feature_cfg() {
    let src = r#"
        #[cfg(feature = "cpu_profiler")]
        mod google_cpu_profiler;
        #[cfg(any(feature = "a", test))]
        mod either;
        #[cfg(feature = "x")]
        #[link(name = "profiler")]
        extern "C" { fn ProfilerStart(); }
    "#;
    let f = all(src);
    let got: Vec<(&str, &str)> = f
        .feature_cfgs
        .iter()
        .map(|(span, n)| (&src[span.start..span.end], n.as_str()))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0],
        (
            "#[cfg(feature = \"cpu_profiler\")]\n        mod google_cpu_profiler;",
            "cpu_profiler"
        )
    );
    assert!(got[1].0.ends_with("fn ProfilerStart(); }") && got[1].1 == "x");
}

#[test]
fn build_script_behaviour() {
    let f = analyze(
        r#"
        use std::{env, fs, path::Path, process::Command};
        fn main() {
            let out_dir = env::var("OUT_DIR").unwrap();
            let dest = Path::new(&out_dir).join("gen.rs");
            fs::write(&dest, "x").unwrap();
            fs::write("/etc/evil", "x").unwrap();
            fs::write(helper_path(), "x").unwrap();
            fs::write(dir.join("name.h"), "x").unwrap();
            fs::write(Path::new("../up.txt"), "x").unwrap();
            let key = env::var("API_TOKEN").unwrap();
            let target = env::var("TARGET").unwrap();
            Command::new("git").arg("rev-parse").status().unwrap();
            cc::Build::new().file("a.c").compile("a");
            let body = reqwest::blocking::get("http://example.invalid");
            let s = std::net::TcpStream::connect("127.0.0.1:1");
        }
    "#,
        Wanted::BuildScript,
    );
    let got: Vec<(Behaviour, &str)> = f
        .behaviours
        .iter()
        .map(|(b, _, d)| (*b, d.as_str()))
        .collect();
    use Behaviour::*;
    assert_eq!(
        got,
        [
            (WritesOutsideOutDir, "fs::write"),
            (WritesOutsideOutDir, "fs::write"),
            (ReadsEnv, "API_TOKEN"),
            (RunsPrograms, "git"),
            (CompilesNative, "cc::Build"),
            (Network, "reqwest"),
            (Network, "TcpStream"),
        ]
    );
}

#[test]
fn dependency_files_without_wanted_words_are_not_lexed() {
    let f = analyze(
        "fn a() {\n    let x = 1;\n}\n\n// note\n",
        Wanted::ModsAndUnsafe,
    );
    assert_eq!(
        f,
        FileFacts {
            code_lines: 3,
            ..FileFacts::default()
        }
    );
    let f = analyze("mod a; fn b() { unsafe { } }", Wanted::ModsAndUnsafe);
    assert_eq!(f.mods.len(), 1);
    assert_eq!(f.unsafes.len(), 1);
    assert!(f.spawns.is_empty() && f.hazards.is_empty());
}

#[test]
fn lex_errors_are_reported() {
    assert!(all("fn a() { \"unterminated }").lex_error.is_some());
    assert!(all("fn a() {}").lex_error.is_none());
}

#[test]
fn module_references() {
    let src = "use crate::{a, b::{c, d::e::f}, self};\nuse crate::g::h;\n\
               fn f() { crate::g::h(); super::super::x::y(); self::z(); a::self::q(); }\n\
               use super::*;\n#[cfg(test)]\nmod tests { use crate::t; }\n";
    let f = all(src);
    let refs: Vec<(PathAnchor, String, u32)> = f
        .module_refs
        .iter()
        .map(|r| (r.anchor, r.path.join("::"), r.count))
        .collect();
    let c = PathAnchor::Crate;
    assert_eq!(
        refs,
        [
            (c, "a".into(), 1),
            (c, "b::c".into(), 1),
            (c, "b::d::e".into(), 1),
            (c, "g::h".into(), 2),
            (c, "self".into(), 1),
            (PathAnchor::Super(1), "".into(), 1),
            (PathAnchor::Super(2), "x::y".into(), 1),
            (PathAnchor::SelfModule, "z".into(), 1),
        ]
    );
    let g = &f.module_refs[3];
    assert_eq!(&src[g.span.start..g.span.end], "crate");
    assert_eq!(
        src[..g.span.start].lines().count(),
        2,
        "the first `crate::g::h` is line 2"
    );
    // Resolved from module `m::n`: `super::super::x::y` is `x::y`, `self::z` is `m::n::z`.
    assert_eq!(f.module_refs[6].resolve(&["m", "n"]).unwrap(), ["x", "y"]);
    assert_eq!(
        f.module_refs[7].resolve(&["m", "n"]).unwrap(),
        ["m", "n", "z"]
    );
    assert_eq!(
        f.module_refs[6].resolve(&["m"]),
        None,
        "above the crate root"
    );
}

#[test]
fn size_metrics() {
    let f = analyze(
        "#[derive(Debug, Clone, serde::Serialize)]\nstruct S;\nimpl S { fn a<T>(t: T) {} fn b() { println!(\"x\"); vec![1]; } }\nmacro_rules! m { () => {} }\n",
        Wanted::ModsUnsafeAndMetrics,
    );
    assert_eq!(
        f.metrics,
        Metrics {
            fns: 2,
            generic_fns: 1,
            impls: 1,
            generic_impls: 0,
            macro_calls: 2,
            derives: 3
        }
    );
    assert!(f.spawns.is_empty(), "no code-rule scans for dependencies");
}

#[test]
fn generic_impls_need_a_type_or_const_parameter() {
    let count = |src: &str| analyze(src, Wanted::ModsUnsafeAndMetrics).metrics;
    let m = count(
        "impl<T> A<T> {}\nimpl<'a> B<'a> {}\nimpl<'a, T: 'a> C<'a, T> {}\n\
         impl<const N: usize> D<N> {}\nimpl E {}\nimpl<F: Fn() -> u8> G<F> {}\n\
         impl<'a, 'b: 'a> H<'a, 'b> {}\n",
    );
    assert_eq!((m.impls, m.generic_impls), (7, 4));
    // An unterminated list ends at the file's end or the block, and counts nothing.
    assert_eq!(count("impl<'a").generic_impls, 0);
    assert_eq!(count("impl<'a { T }").generic_impls, 0);
}

#[test]
fn includes_of_a_literal_path() {
    let f = all(r#"
        include!("evil.rs");
        include!(r"raw.rs");
        ::core::include!("core.rs");
        std::include!("std.rs",);
        core::include! { "braces.rs" }
        include!(concat!(env!("OUT_DIR"), "/generated.rs"));
        include!(PATH);
        include!("a.rs", "b.rs");
        include_str!("text.txt");
        include_bytes!("blob.bin");
        my_macros::include!("another macro.rs");
        include!("\x65scaped.rs");
        include!("bad\q.rs");
        include!(b"bytes.rs");
    "#);
    let got: Vec<(&str, bool)> = f
        .includes
        .iter()
        .map(|i| (i.path.as_str(), i.invalid))
        .collect();
    assert_eq!(
        got,
        [
            ("evil.rs", false),
            ("raw.rs", false),
            ("core.rs", false),
            ("std.rs", false),
            ("braces.rs", false),
            ("escaped.rs", false),
            ("bad\\q.rs", true),
            ("bytes.rs", true),
        ]
    );
    let src = "fn f() -> u8 { ::std::include!(\"x.rs\") }";
    let f = all(src);
    let span = f.includes[0].span;
    assert_eq!(&src[span.start..span.end], "::std::include!(\"x.rs\")");
}

#[test]
fn include_str_and_include_bytes_name_data_files_not_modules() {
    let f = all(r#"
        const MINICORE: &str = include_str!("./minicore.rs");
        static BLOB: &[u8] = ::core::include_bytes!("blob.bin");
        include!("code.rs");
        my_macros::include_str!("another macro.rs");
        include_str!(concat!(env!("OUT_DIR"), "/x.rs"));
    "#);
    let data: Vec<&str> = f.data_includes.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(data, ["./minicore.rs", "blob.bin"]);
    let code: Vec<&str> = f.includes.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(code, ["code.rs"], "a data file is not compiled as code");
}

#[test]
fn a_file_of_imports_only_is_told_from_one_with_items() {
    let shim = all(r#"
        #![allow(unused_imports)]
        //! Links the main crate dynamically.
        #[expect(unused_imports, reason = "links it")]
        use bevy_internal;
        pub use bevy_internal::*;
        pub(crate) use self::{a, b};
        extern crate alloc;
    "#);
    assert!(shim.only_imports);
    for with_items in [
        "pub use inner::*; pub fn extra() {}",
        "pub use inner::*; mod more;",
        "use a::b; #[no_mangle] pub static X: u8 = 0;",
        "macro_rules! m { () => {} } pub use a::b;",
        "//! An empty library.\n#![allow(unused)]",
    ] {
        assert!(!all(with_items).only_imports, "{with_items}");
    }
}

#[test]
fn extern_blocks_tell_their_library_and_the_types_they_name() {
    let f = all(r#"
        #[link(name = "profiler")]
        unsafe extern "C" { fn ProfilerStart(f: *const c_char) -> i32; }
        #[link(name = "CoreFoundation", kind = "framework")]
        extern "C" { fn CFRelease(x: CFTypeRef); }
        #[repr(C)] struct DlInfo { fname: *const c_char }
        unsafe extern "C" { fn dladdr(a: *const c_void, info: *mut DlInfo) -> c_int; fn __error() -> *mut c_int; }
        #[link_name = "x"] fn not_a_block() {}
    "#);
    let got: Vec<(Ffi, &str)> = f.ffi.iter().map(|(k, _, d)| (*k, d.as_str())).collect();
    use Ffi::*;
    assert_eq!(
        got,
        [
            (ExternBlock, "\"C\""),
            (Link, "profiler"),
            (ExternBlock, "\"C\""),
            (Link, "CoreFoundation.framework"),
            (ForeignType, "CFTypeRef"),
            (ReprC, "DlInfo"),
            (ExternBlock, "\"C\""),
            (ForeignType, "DlInfo"),
        ]
    );
    let block = |n: usize| f.ffi[n].1;
    assert_eq!(block(0), block(1), "a link names its block");
    assert_eq!(block(6), block(7), "a type names its block");
}

#[test]
fn a_build_script_that_only_includes_is_seen_through() {
    for wanted in [
        Wanted::BuildScript,
        Wanted::ModsAndUnsafe,
        Wanted::ModsUnsafeAndMetrics,
    ] {
        let f = analyze("include!(\"evil.rs\");\n", wanted);
        assert_eq!(f.includes.len(), 1, "{wanted:?}");
        assert_eq!(f.includes[0].path, "evil.rs");
    }
}

#[test]
fn path_attributes_are_unescaped_as_rustc_does() {
    let f = all(r##"
        #[path = "a\\b.rs"] mod a;
        #[path = "\u{61}.rs"] mod b;
        #[path = "a\n.rs"] mod c;
        #[path = r"raw\n.rs"] mod d;
        #[path = r#"q"uote.rs"#] mod e;
        #[path = "con\
                  tinued.rs"] mod f;
        #[path = "bad\q.rs"] mod g;
        #[path = "\u{D800}.rs"] mod h;
        #[path = b"bytes.rs"] mod i;
        #[path = "plain.rs"] mod j;
    "##);
    let got: Vec<(&str, Option<&str>, bool)> = f
        .mods
        .iter()
        .map(|m| (m.name.as_str(), m.path_attr.as_deref(), m.path_attr_invalid))
        .collect();
    assert_eq!(
        got,
        [
            ("a", Some("a\\b.rs"), false),
            ("b", Some("a.rs"), false),
            ("c", Some("a\n.rs"), false),
            ("d", Some("raw\\n.rs"), false),
            ("e", Some("q\"uote.rs"), false),
            ("f", Some("continued.rs"), false),
            ("g", Some("bad\\q.rs"), true),
            ("h", Some("\\u{D800}.rs"), true),
            ("i", Some("bytes.rs"), true),
            ("j", Some("plain.rs"), false),
        ]
    );
    // rustc reads CRLF as LF.
    let f = all("#[path = \"a\\\r\n  b.rs\"] mod k;\n");
    assert_eq!(f.mods[0].path_attr.as_deref(), Some("ab.rs"));
    assert!(!f.mods[0].path_attr_invalid);
}

#[test]
fn string_values_in_build_scripts_are_unescaped() {
    let f = analyze(
        "fn main() { Command::new(\"\\x67it\"); env::var(\"API\\u{5F}TOKEN\"); }",
        Wanted::BuildScript,
    );
    let got: Vec<&str> = f.behaviours.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(got, ["git", "API_TOKEN"]);
}

#[test]
fn inline_parents_are_shared_and_compare_like_a_vec() {
    let depth = 2_000;
    let src = format!(
        "{}mod leaf;{}",
        "mod m { mod d; ".repeat(depth),
        "}".repeat(depth)
    );
    let f = all(&src);
    assert_eq!(f.mods.len(), depth + 1);
    let leaf = &f.mods[depth];
    assert_eq!(leaf.name, "leaf");
    assert_eq!(leaf.inline_parents.len(), depth);
    assert!(leaf.inline_parents.iter().all(|(n, p)| n == "m" && !p));
    let m = ("m".to_string(), false);
    assert_eq!(f.mods[1].inline_parents, [m.clone(), m.clone()]);
    assert_eq!(f.mods[1].inline_parents, vec![m; 2]);
    assert_ne!(f.mods[1].inline_parents, f.mods[2].inline_parents);
    assert!(all("mod a;").mods[0].inline_parents.is_empty());
    let built = InlineParents::from(vec![("a".to_string(), true), ("b".to_string(), false)]);
    assert_eq!(format!("{built:?}"), r#"[("a", true), ("b", false)]"#);
}

#[test]
fn nested_signatures_are_read_once() {
    // An item inside another's signature (a block in an array length): its tokens count for
    // the first item, the outer one, not again for the inner.
    let f = all(r#"
        pub fn outer() -> [u8; { pub fn inner() -> tokio::X { todo!() } 3 }] { todo!() }
        pub fn after() -> tokio::Y { todo!() }
        pub struct A pub struct B { pub x: tokio::Z }
        pub struct C { pub y: Vec<[u8; { pub fn g() {} 1 }]>, z: Wrapper<(pub tokio::W)> }
    "#);
    let got: Vec<(&str, &str)> = f
        .api_uses
        .iter()
        .map(|u| (u.item.as_str(), u.ty.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("fn outer", "tokio::X"),
            ("fn after", "tokio::Y"),
            ("field A::x", "tokio::Z"),
        ]
    );
}

#[test]
fn unbalanced_brackets_pair_as_before() {
    // A closer pops to the nearest opener of its kind; stray closers are ignored.
    let f = all("fn f() { ( ] tokio::spawn(a.instrument(s)) } ) pub mod m { mod x; }");
    assert_eq!(f.spawns.len(), 1);
    assert!(f.spawns[0].instrumented);
    assert_eq!(f.mods[0].inline_parents, [("m".to_string(), true)]);
}

#[test]
fn long_container_names_are_cut_in_labels() {
    let name = "N".repeat(1000);
    let f = all(&format!(
        "pub struct {name} {{ pub a: tokio::X, pub b: tokio::Y }}"
    ));
    let label = format!("field {}…::a", "N".repeat(128));
    assert_eq!(f.api_uses[0].item, label);
    assert_eq!(f.api_uses.len(), 2);
}

/// The text of each test-only span of `src`.
fn test_code(src: &str) -> Vec<String> {
    analyze(src, Wanted::All)
        .test_spans
        .iter()
        .map(|s| src[s.start..s.end].to_string())
        .collect()
}

#[test]
fn cfg_test_items_and_test_functions_are_test_code() {
    let src = r#"
pub fn shipped() {}
#[cfg(test)]
mod tests { #[test] fn a() { tokio::spawn(x); } }
#[cfg(all(test, feature = "x"))]
fn helper() {}
#[tokio::test]
async fn b() {}
#[cfg(any(test, fuzzing))]
fn not_only_tests() {}
#[cfg(not(test))]
fn not_in_tests() {}
#[cfg(test)]
mod file_module;
#[cfg_attr(test, derive(Debug))]
struct Shipped;
"#;
    assert_eq!(
        test_code(src),
        [
            "#[cfg(test)]\nmod tests { #[test] fn a() { tokio::spawn(x); } }",
            "#[cfg(all(test, feature = \"x\"))]\nfn helper() {}",
            "#[tokio::test]\nasync fn b() {}",
            "#[cfg(test)]\nmod file_module;",
        ]
    );
    let facts = analyze(src, Wanted::All);
    let at = |needle: &str| {
        let start = src.find(needle).unwrap();
        Span {
            start,
            end: start + needle.len(),
        }
    };
    assert!(facts.in_test_code(at("tokio::spawn")));
    assert!(!facts.in_test_code(at("pub fn shipped")));
    assert!(!facts.in_test_code(at("fn not_only_tests")));
    assert!(!facts.in_test_code(at("struct Shipped")));
}

#[test]
fn an_inner_cfg_test_makes_the_whole_file_test_code() {
    let src = "#![cfg(test)]\nuse super::*;\nfn a() {}\n";
    assert_eq!(test_code(src), [src.trim_end()]);
}

#[test]
fn environment_variables_the_build_script_declares_are_not_undeclared_reads() {
    let f = analyze(
        r#"
        const ENABLE: &str = "MY_ENABLE";
        fn main() {
            println!("cargo:rerun-if-env-changed=LITERAL_DECLARED");
            println!("cargo::rerun-if-env-changed={ENABLE}");
            println!("cargo:rerun-if-env-changed={}", OTHER);
            let a = env::var("LITERAL_DECLARED");
            let b = env::var_os(ENABLE);
            let c = std::env::var(OTHER);
            let d = env::var("DOCS_RS");
            let e = env::var("UNDECLARED");
            let g = env::var(COMPUTED);
        }
    "#,
        Wanted::BuildScript,
    );
    let got: Vec<&str> = f
        .behaviours
        .iter()
        .filter(|(b, _, _)| *b == Behaviour::ReadsEnv)
        .map(|(_, _, d)| d.as_str())
        .collect();
    assert_eq!(got, ["UNDECLARED", "COMPUTED"]);
}

#[test]
fn code_inside_quote_is_generated_for_users_not_the_crate_own() {
    let f = all(r#"
        pub fn derive(input: TokenStream) -> TokenStream {
            let body = quote! { unsafe impl Send for #name {} #[no_mangle] extern "C" fn f() {} };
            let more = quote::quote_spanned!(span => unsafe { ptr.read() });
            let ty: Type = parse_quote!(unsafe fn());
            let wrapped = gs_quote!(state(a) => { unsafe { a.get_unchecked(0) } });
            unsafe { real_unsafe() }
        }
        #[export_name = "exported"]
        pub extern "C" fn renamed() {}
    "#);
    let unsafes: Vec<UnsafeKind> = f.unsafes.iter().map(|(k, _)| *k).collect();
    assert_eq!(unsafes, [UnsafeKind::Block], "only the crate's own block");
    let ffi: Vec<(Ffi, &str)> = f.ffi.iter().map(|(k, _, d)| (*k, d.as_str())).collect();
    assert_eq!(
        ffi,
        [(Ffi::NoMangle, "exported"), (Ffi::ExternFn, "renamed")]
    );
}

#[test]
fn modules_declared_inside_macro_invocations_are_module_declarations() {
    let f = all(r#"
        cfg_feature! { pub mod sync; }
        cfg_if::cfg_if! { if #[cfg(unix)] { pub mod unix; } else { mod other; } }
    "#);
    let names: Vec<(&str, bool)> = f.mods.iter().map(|m| (m.name.as_str(), m.is_pub)).collect();
    assert_eq!(names, [("sync", true), ("unix", true), ("other", false)]);
    assert!(f.mods.iter().all(|m| m.inline_parents.is_empty()));
}

/// `(item, type)` of the file's API uses.
fn api(src: &str) -> Vec<(String, String)> {
    all(src)
        .api_uses
        .into_iter()
        .map(|u| (u.item, u.ty))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn imports_apply_to_their_module_only_and_not_from_test_code() {
    // Positive: a module-level import, also inside a `cfg_if!` at module level.
    let got = api(r#"
        use anyhow::Result;
        cfg_if::cfg_if! { if #[cfg(unix)] { use tokio::net::UnixStream; } }
        pub fn a() -> Result<()> { todo!() }
        pub fn b(s: UnixStream) {}
    "#);
    assert_eq!(got, pairs(&[("fn a", "Result"), ("fn b", "UnixStream")]));
    // Negative: `use anyhow::Result` in `mod tests`, under `#[cfg(test)]`, in a function
    // body, or in a sibling module does not make the file's `Result` anyhow's.
    let got = api(r#"
        pub fn a() -> Result<()> { use anyhow::Context; todo!() }
        pub fn b() -> Result<()> { use anyhow::Result; todo!() }
        #[cfg(test)]
        use anyhow::Error;
        pub fn c() -> Error { todo!() }
        pub mod other { use anyhow::Result; pub fn d() -> Result<()> { todo!() } }
        pub fn e() -> Result<()> { todo!() }
        #[cfg(test)]
        mod tests { use anyhow::Result; }
    "#);
    assert_eq!(got, pairs(&[("fn d", "Result")]));
    // A child module sees its parent's imports through `use super::*` only.
    let got = api(r#"
        use anyhow::Result;
        pub mod glob { use super::*; pub fn f() -> Result<()> { todo!() } }
        pub mod plain { pub fn g() -> Result<()> { todo!() } }
    "#);
    assert_eq!(got, pairs(&[("fn f", "Result")]));
}

#[test]
fn anyhow_result_with_its_own_error_type_is_typed() {
    let got = api(r#"
        pub fn a() -> anyhow::Result<u8> { todo!() }
        pub fn b() -> anyhow::Result<u8, MyError> { todo!() }
        pub fn c() -> anyhow::Result<Vec<(u8, u16)>> { todo!() }
        pub fn d() -> eyre::Result<HashMap<u8, u16>, Report> { todo!() }
    "#);
    assert_eq!(
        got,
        pairs(&[("fn a", "anyhow::Result"), ("fn c", "anyhow::Result")])
    );
}

#[test]
fn std_types_a_runtime_re_exports_are_not_the_runtime() {
    let got = api(r#"
        use tokio::time::Duration;
        use tokio::io;
        pub struct C { pub timeout: Duration, pub at: tokio::time::Instant }
        pub fn f() -> io::Result<()> { todo!() }
        pub fn g() -> tokio::io::Result<tokio::io::ReadHalf<S>> { todo!() }
        pub fn h(e: tokio::io::Error, k: async_std::io::ErrorKind) {}
    "#);
    assert_eq!(
        got,
        pairs(&[
            ("field C::at", "tokio::time::Instant"),
            ("fn g", "tokio::io::ReadHalf"),
        ])
    );
}

#[test]
fn supertraits_aliases_and_impl_methods_with_their_owner() {
    let f = all(r#"
        use tokio::io::{AsyncRead, AsyncWrite};
        pub trait Io: AsyncRead + AsyncWrite + Send {}
        pub trait Plain: Send { fn f(&self); }
        pub type Tx = tokio::sync::mpsc::Sender<u8>;
        type Private = tokio::sync::mpsc::Sender<u8>;
        impl<T: Clone> Conn<T> where T: Send { pub fn stream(&self) -> tokio::net::TcpStream { todo!() } }
        impl fmt::Display for Conn<u8> { fn fmt(&self) -> tokio::net::TcpStream { todo!() } }
    "#);
    let got: Vec<(&str, &str, &str)> = f
        .api_uses
        .iter()
        .map(|u| (u.item.as_str(), u.ty.as_str(), u.owner.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("trait Io", "AsyncRead", "Io"),
            ("trait Io", "AsyncWrite", "Io"),
            ("type Tx", "tokio::sync::mpsc::Sender", "Tx"),
            ("fn stream", "tokio::net::TcpStream", "Conn"),
        ]
    );
}

#[test]
fn hidden_and_macro_generated_items_are_not_api() {
    let f = all(r#"
        #[doc(hidden)]
        pub fn a() -> tokio::task::JoinHandle<()> { todo!() }
        #[op2(async)]
        pub async fn op_b() -> Result<tokio::net::TcpStream, AnyError> { todo!() }
        #[doc(hidden)]
        pub mod internals { pub fn c() -> tokio::net::TcpStream { todo!() } }
        #[doc(hidden)]
        impl Conn { pub fn d(&self) -> tokio::net::TcpStream { todo!() } }
        #[doc(hidden)]
        pub enum HiddenError { A }
        #[doc(hidden)]
        pub mod hidden_file;
        pub fn shown() -> tokio::net::TcpStream { todo!() }
        pub enum ShownError { A }
    "#);
    let got: Vec<(&str, bool)> = f
        .api_uses
        .iter()
        .map(|u| (u.item.as_str(), u.public))
        .collect();
    assert_eq!(got, [("fn c", false), ("fn shown", true)]);
    let enums: Vec<(&str, bool)> = f
        .pub_enums
        .iter()
        .map(|e| (e.name.as_str(), e.public))
        .collect();
    assert_eq!(enums, [("HiddenError", false), ("ShownError", true)]);
    assert!(f.mods[0].doc_hidden);
}

#[test]
fn pub_use_re_exports_flattened_with_names_and_globs() {
    let f = all(r#"
        pub use error::{Error, Kind as ErrorKind};
        pub use self::inner::*;
        pub use tokio;
        pub use ::tokio::sync::{self, mpsc::Sender as Tx};
        pub(crate) use private::Thing;
        use not_exported::Other;
        pub use hidden::Item as _;
        pub mod m { pub use super::deep::Deep; }
        #[cfg(test)]
        pub use testing::Helper;
    "#);
    let got: Vec<(String, Option<&str>, usize)> = f
        .re_exports
        .iter()
        .map(|r| (r.path.join("::"), r.name.as_deref(), r.inline_parents.len()))
        .collect();
    assert_eq!(
        got,
        [
            ("error::Error".to_string(), Some("Error"), 0),
            ("error::Kind".to_string(), Some("ErrorKind"), 0),
            ("self::inner".to_string(), None, 0),
            ("tokio".to_string(), Some("tokio"), 0),
            ("::tokio::sync".to_string(), Some("sync"), 0),
            ("::tokio::sync::mpsc::Sender".to_string(), Some("Tx"), 0),
            ("super::deep::Deep".to_string(), Some("Deep"), 1),
        ]
    );
}

#[test]
fn only_attributes_export_symbols_and_wasm_bindgen_blocks_import_javascript() {
    let f = all(r#"
        let export_name = format!("{}", name);
        for no_mangle in attrs { check(no_mangle); }
        ungated!(no_mangle, Normal, template!(Word));
        #[unsafe(no_mangle)]
        pub extern "C" fn real() {}
        macro_rules! wrap { ($name:ident) => { #[unsafe(no_mangle)] pub extern "C" fn $name() {} } }
        #[wasm_bindgen]
        extern "C" { fn alert(s: &str); }
        extern "C" { fn puts(); }
    "#);
    let got: Vec<(Ffi, &str)> = f.ffi.iter().map(|(k, _, d)| (*k, d.as_str())).collect();
    assert_eq!(
        got,
        [
            (Ffi::NoMangle, "real"),
            (Ffi::ExternFn, "real"),
            (Ffi::NoMangle, "$name"),
            (Ffi::ExternBlock, "\"C\"")
        ]
    );
}

fn plain(name: &str) -> NameQuery<'_> {
    NameQuery {
        name,
        qualifiers: &[],
        is_macro: false,
    }
}

#[test]
fn affected_function_names_are_identifiers_not_text() {
    let names = [plain("get_disjoint_mut"), plain("downcast_mut")];
    let calls = "fn f(s: &mut slab::Slab<u8>) {\n    s.get_disjoint_mut([0, 1]);\n}\n";
    let found = name_uses(calls, &names, "slab");
    assert_eq!(
        found.first,
        Some((0, calls.find("get_disjoint_mut").unwrap()))
    );
    assert!(!found.reexports);
    // In a comment, a string, or as part of a longer identifier: not a use.
    let mentions =
        "// get_disjoint_mut\nconst S: &str = \"downcast_mut\";\nfn downcast_mut_all() {}\n";
    assert_eq!(name_uses(mentions, &names, "slab").first, None);
    assert_eq!(
        name_uses("fn r#downcast_mut() {}", &names, "slab").first,
        Some((1, 3))
    );
}

#[test]
fn a_name_counts_only_in_a_file_that_mentions_one_of_its_qualifiers() {
    let anyhow = [NameQuery {
        name: "downcast_mut",
        qualifiers: &["Error", "anyhow"],
        is_macro: false,
    }];
    // deno_core's `gotham_state.rs`: `Box<dyn Any>::downcast_mut`, no anyhow in sight.
    let any = "fn get(&mut self) -> Option<&mut T> {\n    self.data.get_mut(&id).and_then(|b| b.downcast_mut())\n}\n";
    assert_eq!(name_uses(any, &anyhow, "anyhow").first, None);
    // The qualifier may come after the call, as a `use` at the end of a module would.
    let err = "fn f(e: &mut E) { e.downcast_mut::<X>(); }\nuse anyhow::Error as E;\n";
    assert_eq!(
        name_uses(err, &anyhow, "anyhow").first,
        Some((0, err.find("downcast_mut").unwrap()))
    );
}

#[test]
fn a_macro_query_counts_invocations_only() {
    let listener = [NameQuery {
        name: "listener",
        qualifiers: &[],
        is_macro: true,
    }];
    assert_eq!(
        name_uses(
            "let listener = event.listen();",
            &listener,
            "event_listener"
        )
        .first,
        None
    );
    let src = "event_listener::listener!(event => slot);";
    assert_eq!(
        name_uses(src, &listener, "event_listener").first,
        Some((0, src.find("listener!").unwrap()))
    );
}

#[test]
fn a_pub_use_of_the_crate_is_a_re_export_and_a_private_use_is_not() {
    for src in [
        "pub use slab::Slab;",
        "pub use ::slab;",
        "pub extern crate slab;",
        "pub use {slab as s, other as o};",
        "pub use {other, slab::Slab};",
    ] {
        assert!(name_uses(src, &[], "slab").reexports, "{src}");
    }
    for src in [
        "use slab::Slab;",
        "pub use slabby::Slab;",
        "pub fn slab() {}",
        "pub(crate) use slab::*;",
        "pub(in crate::a) use slab as s;",
        "pub use {other::slab, x};",
    ] {
        assert!(!name_uses(src, &[], "slab").reexports, "{src}");
    }
}

#[test]
fn definitions_are_items_not_uses() {
    let src = "pub struct StackSlot<'a, T>(T);\nimpl StackSlot<'_, u8> { pub fn wait(self) {} }\n#[macro_export]\nmacro_rules! listener { () => {} }\nfn f() { let System = 1; HeapAlloc(); }\n";
    assert_eq!(
        defines(
            src,
            &["StackSlot", "wait", "listener", "System", "HeapAlloc"]
        ),
        [true, true, true, false, false]
    );
}

#[test]
fn lazy_getters_hand_out_references_to_self() {
    let src = "pub struct F;\nimpl F {\n    pub fn a(&self) -> anyhow::Result<&A> { todo!() }\n    pub fn b<'x>(&'x self) -> Result<&'x B, anyhow::Error> { todo!() }\n    pub fn c(\n        &self,\n    ) -> anyhow::Result<Option<&C>> { todo!() }\n    pub fn d(&self) -> anyhow::Result<()> { todo!() }\n    pub fn e(&mut self) -> anyhow::Result<&E> { todo!() }\n    pub fn f(&self, x: u8) -> anyhow::Result<&E> { todo!() }\n}\npub fn g(x: &u8) -> anyhow::Result<&u8> { todo!() }\n";
    let f = analyze(src, Wanted::All);
    let getters: Vec<(&str, bool)> = f
        .api_uses
        .iter()
        .map(|u| (u.item.as_str(), u.lazy_getter))
        .collect();
    assert_eq!(
        getters,
        [
            ("fn a", true),
            ("fn b", true),
            ("fn c", true),
            ("fn d", false),
            ("fn e", false),
            ("fn f", false),
            ("fn g", false)
        ]
    );
}

#[test]
fn a_lazy_getter_of_a_generic_impl_has_the_impl_s_type_as_owner() {
    // deno_npm_installer's factory, as rustfmt lays it out.
    let src = "impl<\n  TClient: HttpClient + 'static,\n  TSys: FactorySys,\n> NpmInstallerFactory<TClient, TSys>\n{\n  pub fn lifecycle_scripts_config(\n    &self,\n  ) -> Result<&Arc<LifecycleScriptsConfig>, anyhow::Error> {\n    todo!()\n  }\n}\n";
    let f = analyze(src, Wanted::All);
    assert_eq!(f.api_uses.len(), 1);
    assert_eq!(f.api_uses[0].owner, "NpmInstallerFactory");
    assert!(f.api_uses[0].lazy_getter);
}

#[test]
fn a_pointer_format_is_a_placeholder_or_the_trait_by_path() {
    for src in [
        "fn f(a: &Atomic<u8>) { println!(\"{:p}\", a); }",
        "fn f(a: &Atomic<u8>) { format!(\"at {0:#p}\", a); }",
        "fn f(a: &Atomic<u8>, w: &mut F) { fmt::Pointer::fmt(a, w); }",
    ] {
        assert!(formats_with(src, "Pointer", 'p').is_some(), "{src}");
    }
    for src in [
        "fn f(a: &Atomic<u8>) { println!(\"{:?} {} {{:p}}\", a, a); }",
        "/// {:p}\nfn f() {}",
        "/// Pointer to the allocated memory.\nstruct Buffer { ptr: *mut u8 }",
        "fn f() { let p = \"a:p\"; }",
    ] {
        assert!(formats_with(src, "Pointer", 'p').is_none(), "{src}");
    }
}

#[test]
fn security_relevant_crates_by_name_and_family() {
    use crate::catalogue::security_relevant;
    for name in [
        "rustls",
        "aws-lc-sys",
        "aws-lc-rs",
        "sha2",
        "ring",
        "der",
        "openssl-sys",
    ] {
        assert!(security_relevant(name), "{name}");
    }
    for name in ["ringbuf", "derive_more", "serde", "shadow-rs", "base64"] {
        assert!(!security_relevant(name), "{name}");
    }
}

/// Shapes of real third-party build scripts: proc-macro2's and libc's compiler probes (a
/// wrapper chain, a `match` on `RUSTC_WRAPPER`), a helper that reads a variable by parameter,
/// libz-sys's `fs::copy` of a vendored header into OUT_DIR, blake3's best-effort cleanup.
#[test]
fn third_party_build_script_shapes() {
    let f = analyze(
        r#"
        use std::{env, fs, iter, process::Command};
        fn probe() {
            let rustc = cargo_env_var("RUSTC");
            let wrapper = env::var_os("RUSTC_WRAPPER");
            let mut rustc = wrapper.into_iter().chain(iter::once(rustc));
            let mut cmd = Command::new(rustc.next().unwrap());
            match env::var_os("RUSTC_WRAPPER") {
                Some(wrapper) => Command::new(wrapper),
                None => Command::new(env::var_os("RUSTC").unwrap()),
            };
            let tool = find_tool();
            Command::new(tool).status().unwrap();
            Command::new("curl").arg("-sSfL").arg(url).status().unwrap();
        }
        fn cargo_env_var(key: &str) -> std::ffi::OsString {
            env::var_os(key).unwrap()
        }
        fn main() {
            let dst = std::path::PathBuf::from(env::var_os("OUT_DIR").unwrap());
            fs::copy("src/zlib/zlib.h", dst.join("include/zlib.h")).unwrap();
            fs::copy(dst.join("a.h"), "include/a.h").unwrap();
            let _ = std::fs::remove_file("blake3_avx2.asm");
            std::fs::remove_file("stale.asm").ok();
            fs::remove_file("./third_party/ndk.zip").unwrap();
            fs::rename("./third_party/ndk-r26", dst.join("ndk")).unwrap();
            let token = env::var(TOKEN_VAR);
        }
    "#,
        Wanted::BuildScript,
    );
    let got: Vec<(Behaviour, &str, usize)> = f
        .behaviours
        .iter()
        .map(|(b, s, d)| (*b, d.as_str(), s.start))
        .collect();
    let what: Vec<(Behaviour, &str)> = got.iter().map(|(b, d, _)| (*b, *d)).collect();
    use Behaviour::*;
    assert_eq!(
        what,
        [
            // The computed program that is not the compiler; a download tool, also the
            // network.
            (RunsPrograms, "a computed program"),
            (Network, "curl"),
            (RunsPrograms, "curl"),
            // A copy *into* the tree, a removal that must succeed, a rename out of it.
            (WritesOutsideOutDir, "fs::copy"),
            (WritesOutsideOutDir, "fs::remove_file"),
            (WritesOutsideOutDir, "fs::rename"),
            // A constant names the variable; the helper's `key` does not.
            (ReadsEnv, "TOKEN_VAR"),
        ]
    );
}

#[test]
fn a_module_declarations_cfgs_are_kept_as_written() {
    let f = analyze(
        "#[cfg(feature = \"net\")]\nmod net;\n#[cfg(all(unix, not(test)))]\n#[path = \"p.rs\"]\npub mod plat;\n#[doc(hidden)]\nmod plain;\n",
        Wanted::All,
    );
    let cfgs: Vec<&[String]> = f.mods.iter().map(|m| m.cfgs.as_slice()).collect();
    assert_eq!(
        cfgs,
        [
            &["cfg(feature = \"net\")".to_string()][..],
            &["cfg(all(unix, not(test)))".to_string()][..],
            &[][..],
        ]
    );
}

#[test]
fn cfg_attr_paths_are_read_in_order() {
    let f = analyze(
        "#[cfg_attr(unix, path = \"sys/unix.rs\")]\n\
         #[cfg_attr(all(windows, not(feature = \"x\")), allow(dead_code), path = \"sys/win.rs\")]\n\
         #[cfg_attr(unix, allow(dead_code))]\n\
         mod sys;\n\
         #[cfg_attr(, path = \"nothing.rs\")]\nmod empty;\n",
        Wanted::All,
    );
    assert_eq!(
        f.mods[0].cfg_paths,
        [
            ("cfg(unix)".to_string(), "sys/unix.rs".to_string()),
            (
                "cfg(all(windows, not(feature = \"x\")))".to_string(),
                "sys/win.rs".to_string()
            ),
        ]
    );
    assert!(
        f.mods[1].cfg_paths.is_empty(),
        "no predicate: not an attribute rustc takes"
    );
}

#[test]
fn module_declarations_in_macro_rules_bodies_are_templates() {
    let f = all(r#"
        mod plain;
        macro_rules! crate_root {
            () => {
                mod lib { mod core {} }
                pub mod de;
                #[cfg(feature = "std")]
                mod private;
            };
        }
        crate_root!();
        fn g() { println!("x"); other::m![]; }
    "#);
    let mods: Vec<(&str, Option<&str>)> = f
        .mods
        .iter()
        .map(|m| (m.name.as_str(), m.in_macro.as_deref()))
        .collect();
    assert_eq!(
        mods,
        [
            ("plain", None),
            ("de", Some("crate_root")),
            ("private", Some("crate_root"))
        ]
    );
    assert_eq!(f.mods[2].cfgs, ["cfg(feature = \"std\")"]);
    // Invocations outside macro bodies, once each; `macro_rules` itself is not one.
    assert_eq!(f.macro_invocations, ["crate_root", "m", "println"]);
}

#[test]
fn path_roots_are_the_first_segments_of_paths() {
    let f = all(r#"
        use serde::Serialize;
        use ::tokio::spawn;
        use crate::a::b;
        use self::c;
        fn f() -> Vec<u8> { anyhow::bail!("x"); super::g(); Vec::new() }
        #[derive(clap::Parser)]
        struct S;
    "#);
    assert_eq!(f.path_roots, ["Vec", "anyhow", "clap", "serde", "tokio"]);
}

#[test]
fn gated_code_is_split_by_the_conditions_around_it() {
    let f = analyze(
        r#"
fn always() {}
#[cfg(feature = "net")]
fn net() {}
cfg_if::cfg_if! {
    if #[cfg(unix)] {
        mod unix;
        fn u() {}
    } else if #[cfg(windows)] {
        fn w() {}
    } else {
        fn other() {}
    }
}
cfg_feature! {
    #![feature = "client"]
    pub mod client;
    fn c() {}
}
#[cfg(test)]
mod tests { fn t() {} }
macro_rules! cfg_rt {
    ($($item:item)*) => { $( #[cfg(feature = "rt")] $item )* }
}
macro_rules! cfg_feature {
    (#![$meta:meta] $($item:item)*) => { $( #[cfg($meta)] $item )* }
}
macro_rules! cfg_client {
    ($($item:item)*) => { cfg_feature! { #![feature = "client"] $($item)* } }
}
"#,
        Wanted::ModsUnsafeAndMetrics,
    );
    let parts: Vec<(Vec<String>, u32)> = f
        .gated
        .iter()
        .filter(|g| g.metrics.fns > 0)
        .map(|g| {
            let gates = g
                .gates
                .iter()
                .map(|g| match g {
                    crate::Gate::Cfg(p) => p.clone(),
                    crate::Gate::Macro { name, inner } => format!("{name}! {inner:?}"),
                })
                .collect();
            (gates, g.metrics.fns)
        })
        .collect();
    let cfg = |s: &str| vec![s.to_string()];
    assert_eq!(
        parts,
        [
            (cfg("cfg(feature = \"net\")"), 1),
            (cfg("cfg(unix)"), 1),
            (cfg("cfg(all(not(any(unix)), windows))"), 1),
            (cfg("cfg(not(any(unix, windows)))"), 1),
            (
                vec!["cfg_feature! Some(\"cfg(feature = \\\"client\\\")\")".to_string()],
                1
            ),
            (cfg("cfg(test)"), 1),
        ]
    );
    // The module inside the `cfg_if!` branch takes its condition; the one inside the
    // wrapper, the wrapper.
    let unix = f.mods.iter().find(|m| m.name == "unix").unwrap();
    assert_eq!(unix.cfgs, ["cfg(unix)"]);
    let client = f.mods.iter().find(|m| m.name == "client").unwrap();
    assert!(client.cfgs.is_empty());
    assert_eq!(
        client.macro_gates,
        [crate::Gate::Macro {
            name: "cfg_feature".into(),
            inner: Some("cfg(feature = \"client\")".into())
        }]
    );
    let defs: Vec<(&str, &crate::CfgMacroGate)> = f
        .cfg_macros
        .iter()
        .map(|m| (m.name.as_str(), &m.gate))
        .collect();
    assert_eq!(
        defs,
        [
            (
                "cfg_rt",
                &crate::CfgMacroGate::Cfg("cfg(feature = \"rt\")".into())
            ),
            ("cfg_feature", &crate::CfgMacroGate::Inner),
            (
                "cfg_client",
                &crate::CfgMacroGate::Via {
                    name: "cfg_feature".into(),
                    inner: Some("cfg(feature = \"client\")".into())
                }
            ),
        ]
    );
}
