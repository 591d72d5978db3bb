//! What changed between two versions of an API, and what it means for code that calls the
//! generated client.
//!
//! Both sides are lowered services ([`acs_spec::ir::Service`]), so they are compared as the
//! generator sees them (the `compare` module); each change gets a class and a reason from
//! [`verdict`], the one place the classes are decided. [`Report`] renders Markdown (for a pull
//! request) or JSON (for scripts), and says which version bump the changes call for.
#![forbid(unsafe_code)]

mod compare;
pub mod render;
pub mod verdict;

use acs_spec::ir::Service;
use serde::Serialize;

pub use verdict::{Class, Kind, Side};

/// What to report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Report description, summary and example changes too.
    pub docs: bool,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The operation it is in; `None` for the service's endpoints and for shared types.
    pub operation: Option<String>,
    /// Which side of the wire, for parameters (`request`) and response fields (`response`).
    #[serde(rename = "in", skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// What kind of change (`parameter-added`).
    pub kind: &'static str,
    /// Where, by wire names (`Items.BackupPlanDetail[].Status`); empty for the operation itself.
    pub path: String,
    /// The value before, when it has one.
    pub old: Option<String>,
    /// The value after, when it has one.
    pub new: Option<String>,
    /// Breaking, additive or docs.
    pub class: Class,
    /// Why, in one line.
    pub reason: String,
    /// The shared type (`types::…`) the change is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_type: Option<String>,
    /// The operations using that shared type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

/// Counts by class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Additive changes.
    pub additive: usize,
    /// Documentation changes.
    pub docs: usize,
}

/// The changes from one version of a service to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `product version` of the newer side.
    pub service: String,
    /// The generated crate's version on the newer side.
    pub crate_version: String,
    /// The changes, breaking first, then by operation and path.
    pub changes: Vec<Change>,
}

/// Compares `old` with `new`.
pub fn diff(old: &Service, new: &Service, options: &Options) -> Report {
    let mut differ = compare::Differ::new(options);
    differ.services(old, new);
    let mut changes = differ.changes;
    changes.sort_by(|a, b| {
        (
            a.class,
            &a.operation,
            &a.shared_type,
            a.side,
            &a.path,
            a.kind,
        )
            .cmp(&(
                b.class,
                &b.operation,
                &b.shared_type,
                b.side,
                &b.path,
                b.kind,
            ))
    });
    Report {
        service: format!("{} {}", new.product, new.api_version),
        crate_version: new.crate_version.clone(),
        changes,
    }
}

impl Report {
    /// Counts by class.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.class {
                Class::Breaking => summary.breaking += 1,
                Class::Additive => summary.additive += 1,
                Class::Docs => summary.docs += 1,
            }
        }
        summary
    }

    /// Whether anything breaks callers.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.class == Class::Breaking)
    }

    /// The version the generated crate should take, from `crate_version`, as the README's
    /// policy says: breaking changes raise the minor version of a 0.x crate (the major one
    /// from 1.0), anything else the patch version; no change keeps it.
    pub fn next_version(&self) -> String {
        let parts: Vec<u64> = self
            .crate_version
            .split(['.', '-'])
            .take(3)
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let [major, minor, patch] = [0, 1, 2].map(|i| parts.get(i).copied().unwrap_or(0));
        if self.changes.is_empty() {
            self.crate_version.clone()
        } else if self.is_breaking() && major == 0 {
            format!("0.{}.0", minor + 1)
        } else if self.is_breaking() {
            format!("{}.0.0", major + 1)
        } else {
            format!("{major}.{minor}.{}", patch + 1)
        }
    }
}
