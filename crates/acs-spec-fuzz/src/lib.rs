//! Robustness checks of the spec loader and the generator, shared by the fuzz target
//! (`fuzz/`), the tests (`tests/tests/it/robustness.rs`: the committed fuzz corpus replayed, and a
//! proptest of random specs) and `cargo xtask compile-batch`.
//!
//! - [`property`]: what must hold for any input: no panic, located errors, output that parses.
//! - [`random`]: seeded random spec folders, valid or broken, with hostile names and texts.
#![forbid(unsafe_code)]

pub mod property;
pub mod random;

pub use property::{InputFile, Outcome, Violation, check_files, check_input};
pub use random::{Kind, Mutation, RandomSpec, random_spec};
