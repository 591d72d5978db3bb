//! The spec crate's integration tests, in one binary: located error messages (snapshots),
//! overlays, and lowering from models.

mod errors;
mod models;
mod overlay;
