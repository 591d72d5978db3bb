//! RAM policy files: one per operation with RAM facts, and `all.json` for the whole service.
//! Each resource has every placeholder as `*`; the document (statements, JSON) is written by
//! `acs-policy`, as the runtime's recorder and `cargo xtask policy` write theirs.
//!
//! JSON cannot carry a `@generated` header; `.gitattributes` marks these files generated and
//! the freshness check covers them like the Rust files.

use std::path::PathBuf;

use acs_policy::Policy;
use acs_spec::ir::{Ram, Service};

use crate::GeneratedFile;

/// Allows `ram`'s action on its resources, and its dependent actions on every resource.
fn allow(policy: &mut Policy, ram: &Ram) {
    policy.allow(
        ram.action.clone(),
        ram.resources.iter().map(|resource| resource.wildcard_arn()),
    );
    for dependent in &ram.dependent_actions {
        policy.allow(dependent.clone(), ["*"]);
    }
}

fn file(path: String, policy: &Policy) -> GeneratedFile {
    let mut contents = policy.to_json();
    contents.push('\n');
    GeneratedFile {
        path: PathBuf::from(path),
        contents,
    }
}

/// `policies/<Operation>.json` for each operation with RAM facts, and `policies/all.json`.
pub fn policy_files(service: &Service) -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    let mut all = Policy::new();
    for op in &service.operations {
        let Some(ram) = &op.ram else { continue };
        let mut policy = Policy::new();
        allow(&mut policy, ram);
        files.push(file(format!("policies/{}.json", op.name), &policy));
        all.merge(&policy);
    }
    if !all.is_empty() {
        files.push(file("policies/all.json".to_owned(), &all));
    }
    files
}
