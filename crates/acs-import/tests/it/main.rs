//! The importer's integration tests, in one binary: OpenMeta fixtures imported, and dotted
//! parameters folded.

mod dotted;
mod import;
