//! Cross-crate tests live in `tests/tests/it/`. This library holds what the per-call benchmarks
//! share: `benches/call.rs` (criterion) and `examples/wire_baselines.rs` (the baselines
//! `cargo xtask bench` runs against nginx); and what several tests run as a user would
//! ([`built`]).

pub mod bench_support;
pub mod built;
