//! The `cargo xtask` commands whose dependencies would slow every cold `cargo xtask codegen`:
//! `cargo xtask` runs them through `cargo run --package xtask-tools`, which builds this
//! package the first time one of them is used.
//!
//! - [`compile_batch`] generates random hostile specs and proves their crates compile, lint,
//!   document and pass their doc tests together.
//! - [`bench`](mod@bench) runs the benchmarks.
//! - [`fetch`] is the HTTP client of `add`, `update` and `products` (`xtask::update`).

pub mod bench;
pub mod compile_batch;
pub mod fetch;
