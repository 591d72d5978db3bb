//! The cross-crate tests, in one binary (one link instead of one per file): generated output is
//! fresh, deterministic and snapshot-reviewed; clients put the right requests on the wire; the
//! importer, the diff and the update loop keep their promises; RAM policies are what RAM reads
//! and what the calls needed; the README's code compiles and runs.

mod catalogue;
mod catalogue_facts;
mod codegen;
mod credentials;
mod dbs_client;
mod diff;
mod diff_compiles;
mod doc_links;
mod gateway_wire;
mod import;
mod mock;
mod names;
mod oss_sls_e2e;
mod otel;
mod paginators;
mod policy;
mod policy_example;
mod readme;
mod robustness;
mod update;
mod wire;
mod xtask_clones;
mod yaml11;
