//! The well-known crates the scanner and the rules recognise, in one place: async runtimes,
//! error-erasing crates, interop surfaces, observability and fuzzing. Package names are
//! spelled as in `Cargo.toml` (`async-std`); crate names, as in paths (`async_std`).

/// Async runtimes a build runs on (package names).
pub const RUNTIMES: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "async-executor",
    "glommio",
    "monoio",
    "tokio-uring",
    "actix-rt",
    "embassy-executor",
];

/// The runtimes' own packages and their extensions: reviewing tokio, its spawns are its own.
pub const RUNTIME_FAMILY: &[&str] = &[
    "tokio",
    "tokio-util",
    "tokio-stream",
    "async-std",
    "smol",
    "async-executor",
    "async-global-executor",
    "async-task",
    "glommio",
    "monoio",
    "actix-rt",
    "wasm-bindgen-futures",
    "bevy_tasks",
];

/// Crates whose types in a public signature tie callers to a runtime.
pub const RUNTIME_CRATES: &[&str] = &[
    "tokio",
    "async_std",
    "smol",
    "async_executor",
    "glommio",
    "monoio",
    "actix_rt",
];

/// Crates whose spawn functions and handle types start async tasks.
pub const TASK_CRATES: &[&str] = &[
    "tokio",
    "tokio_util",
    "async_std",
    "smol",
    "async_executor",
    "async_global_executor",
    "glommio",
    "monoio",
    "actix_rt",
    "wasm_bindgen_futures",
];

/// Crates whose error types in a library's API force them on callers.
pub const ERROR_CRATES: &[&str] = &["anyhow", "eyre", "color_eyre"];

/// Interop surfaces: crate name, and what it means for the architecture.
pub const SURFACES: &[(&str, &str)] = &[
    (
        "libloading",
        "loads shared libraries at run time (dlopen): an ABI checked only when it is called",
    ),
    (
        "dlopen",
        "loads shared libraries at run time (dlopen): an ABI checked only when it is called",
    ),
    (
        "dlopen2",
        "loads shared libraries at run time (dlopen): an ABI checked only when it is called",
    ),
    ("abi_stable", "Rust-to-Rust plugins over a stable ABI"),
    (
        "bindgen",
        "generates Rust bindings to C/C++ headers at build time",
    ),
    ("cbindgen", "generates C headers for a Rust C ABI"),
    ("cxx", "a checked C++ <-> Rust bridge"),
    ("pyo3", "a Python extension or embedding surface"),
    ("napi", "a Node.js addon surface (N-API)"),
    ("uniffi", "generated bindings for Kotlin, Swift and Python"),
    ("wasm-bindgen", "a JavaScript/WebAssembly boundary"),
    ("jni", "a Java (JNI) boundary"),
];

/// Build-dependencies with which a build script compiles or finds native code (C, C++,
/// assembly): compiler drivers, build systems, library finders, binding generators.
pub const NATIVE_BUILD_TOOLS: &[&str] = &[
    "cc",
    "cmake",
    "pkg-config",
    "vcpkg",
    "system-deps",
    "bindgen",
    "cxx-build",
    "autotools",
    "nasm-rs",
    "meson",
];

/// Observability: the facades.
pub const LOG_FACADES: &[&str] = &["tracing", "log"];

/// Observability: exporting traces to OpenTelemetry.
pub const OTEL_EXPORT: &[&str] = &[
    "opentelemetry",
    "tracing-opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry-otlp",
];

/// Observability: runtime and application metrics.
pub const RUNTIME_METRICS: &[&str] = &[
    "tokio-metrics",
    "console-subscriber",
    "metrics",
    "prometheus",
    "prometheus-client",
];

/// Async runtimes whose presence makes a shipped binary a service (for the observability
/// stack).
pub const SERVICE_RUNTIMES: &[&str] = &["tokio", "async-std", "smol", "async-executor"];

/// Fuzzing engines: a package that depends on one is a fuzz harness.
pub const FUZZ_ENGINES: &[&str] = &["libfuzzer-sys", "afl", "honggfuzz"];

/// Crates whose lag matters for security: TLS stacks, certificate validation and
/// cryptography. The outdated-dependency finding lists them first. A name matches when it is
/// one of these or starts with one followed by `-` or `_` (`aws-lc-sys`, `sha2`).
pub const SECURITY_CRATES: &[&str] = &[
    "rustls",
    "tokio-rustls",
    "hyper-rustls",
    "webpki",
    "rustls-webpki",
    "native-tls",
    "openssl",
    "ring",
    "aws-lc",
    "boring",
    "x509-parser",
    "x509-cert",
    "der",
    "pkcs8",
    "rsa",
    "ed25519",
    "ed25519-dalek",
    "x25519-dalek",
    "curve25519-dalek",
    "p256",
    "p384",
    "p521",
    "ecdsa",
    "elliptic-curve",
    "aes",
    "aes-gcm",
    "aes-kw",
    "chacha20poly1305",
    "sha1",
    "sha2",
    "sha3",
    "hmac",
    "hkdf",
    "pbkdf2",
    "argon2",
    "blake2",
    "blake3",
    "cbc",
    "ctr",
    "digest",
    "signature",
    "spki",
    "sec1",
    "jsonwebtoken",
];

/// Whether `name` is a [`SECURITY_CRATES`] crate or one of its family.
pub fn security_relevant(name: &str) -> bool {
    SECURITY_CRATES.iter().any(|c| {
        name == *c
            || name
                .strip_prefix(c)
                .is_some_and(|rest| rest.starts_with(['-', '_']))
    })
}
