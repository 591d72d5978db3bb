//! Alibaba Cloud RAM policy documents, written one way by every tool of this project: the
//! runtime's policy recorder, the generated crates' `policies/` files and `cargo xtask policy`.
//!
//! - [`fill_arn`] turns an operation's ARN template (`acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}`)
//!   into a resource ARN; a part with no known value becomes `*`, never a guess, and the
//!   [`Wildcard`]s say which parts those were.
//! - [`Policy`] collects grants (an action on resources) and writes the document: each action's
//!   resources deduplicated, sorted, and without those another of its resources already covers
//!   (`backupplan/p-1` under `backupplan/*`, anything under `*`); actions with the same
//!   resources share one statement; JSON with `Version` first, the same bytes for the same
//!   grants on every build.
//! - [`Report`] is what a document cannot say: operations with no RAM facts, dependent actions,
//!   parts left as `*`, condition keys. Tools print it apart from the document (on stderr).
//!
//! ```
//! use acs_policy::{Policy, fill_arn};
//!
//! let template = "acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}";
//! let filled = fill_arn(template, Some("cn-hangzhou"), None, |name| {
//!     (name == "BackupPlanId").then_some("dbs-plan-1")
//! });
//! assert_eq!(filled.arn, "acs:dbs:cn-hangzhou:*:backupplan/dbs-plan-1");
//!
//! let mut policy = Policy::new();
//! policy.allow("dbs:StartBackupPlan", [filled.arn]);
//! policy.allow("dbs:DescribeBackupPlanList", ["*"]);
//! assert_eq!(policy.statements().len(), 2);
//! assert!(policy.to_json().starts_with("{\n  \"Version\": \"1\",\n  \"Statement\": ["));
//! ```
#![forbid(unsafe_code)]

mod arn;
mod document;
mod json;
mod report;

pub use arn::{FilledArn, TemplatePart, Wildcard, covers, fill_arn, template_parts};
pub use document::{Policy, Statement};
pub use report::Report;
