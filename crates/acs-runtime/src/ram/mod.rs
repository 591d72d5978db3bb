//! RAM (Resource Access Management) facts of operations, and the policies calls need.
//!
//! Every generated operation with RAM metadata has a `RAM` constant ([`Facts`]: its action,
//! access level, resource ARN templates, condition keys and dependent actions) and, through
//! [`ResourceArns`], fills the templates from a request: `request.resource_arns(region, account)`.
//!
//! A [`PolicyRecorder`] attached to a configuration (`Config::with_policy_recorder`) notes
//! what each call needed and gives the least-privilege [`Policy`] of a program's calls, and a
//! [`PolicyReport`] of what the policy cannot say. The document's rules (statements, JSON) are
//! the `acs-policy` crate's, shared with the generated `policies/` files and
//! `cargo xtask policy`.

mod recorder;

pub use acs_policy::{Policy, Report as PolicyReport, Statement, Wildcard};
pub use recorder::PolicyRecorder;
pub(crate) use recorder::{Called, Pending};

use crate::params::RequestParams;

/// RAM access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessLevel {
    /// Creates resources.
    Create,
    /// Lists resources.
    List,
    /// Reads one resource.
    Get,
    /// Changes resources.
    Update,
    /// Deletes resources.
    Delete,
}

impl AccessLevel {
    /// `create`, `list`, `get`, `update` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Create => "create",
            AccessLevel::List => "list",
            AccessLevel::Get => "get",
            AccessLevel::Update => "update",
            AccessLevel::Delete => "delete",
        }
    }
}

/// The RAM authorization of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The RAM action to allow (`dbs:StartBackupPlan`).
    pub action: &'static str,
    /// The access level.
    pub access_level: AccessLevel,
    /// ARN templates of the resources the action applies to: `{#regionId}`, `{#accountId}` and
    /// `{#Parameter}` (a parameter's wire name) are placeholders; a placeholder of the metadata
    /// that names no scalar parameter of the operation is already `*`. Empty means all
    /// resources.
    pub resource_arn_templates: &'static [&'static str],
    /// Condition keys the action supports.
    pub condition_keys: &'static [&'static str],
    /// Actions the caller must also be allowed.
    pub dependent_actions: &'static [&'static str],
}

impl Facts {
    /// The facts of `action` at `access_level`, on all resources, with no condition keys or
    /// dependent actions.
    pub const fn new(action: &'static str, access_level: AccessLevel) -> Facts {
        Facts {
            action,
            access_level,
            resource_arn_templates: &[],
            condition_keys: &[],
            dependent_actions: &[],
        }
    }

    /// The same facts on the resources of `templates`.
    pub const fn on(mut self, templates: &'static [&'static str]) -> Facts {
        self.resource_arn_templates = templates;
        self
    }

    /// The same facts with `keys` as condition keys.
    pub const fn with_condition_keys(mut self, keys: &'static [&'static str]) -> Facts {
        self.condition_keys = keys;
        self
    }

    /// The same facts with `actions` as dependent actions.
    pub const fn with_dependent_actions(mut self, actions: &'static [&'static str]) -> Facts {
        self.dependent_actions = actions;
        self
    }
}

/// The ARNs of the resources a request acts on, for a RAM policy's `Resource`; implemented for
/// every operation (in the generated crates' `prelude`).
pub trait ResourceArns {
    /// Each template of the operation's [`Facts`] with `{#regionId}` and `{#accountId}`
    /// replaced by `region_id` and `account_id`, and `{#Name}` by this request's value of the
    /// parameter `Name`; unset parameters and empty values become `*`. An operation without
    /// templates (or without RAM facts) applies to all resources: `["*"]`.
    fn resource_arns(&self, region_id: &str, account_id: &str) -> Vec<String>;
}

/// `templates` filled from the parameters a request writes (see [`ResourceArns`]).
pub fn fill(
    templates: &[&str],
    region_id: &str,
    account_id: &str,
    params: &RequestParams,
) -> Vec<String> {
    filled(templates, Some(region_id), Some(account_id), params)
        .into_iter()
        .map(|filled| filled.arn)
        .collect()
}

/// `templates` filled, with the parts left as `*`; one `*` when there are no templates.
pub(crate) fn filled(
    templates: &[&str],
    region_id: Option<&str>,
    account_id: Option<&str>,
    params: &RequestParams,
) -> Vec<acs_policy::FilledArn> {
    if templates.is_empty() {
        return vec![acs_policy::fill_arn("", None, None, |_| None::<&str>)];
    }
    templates
        .iter()
        .map(|template| {
            acs_policy::fill_arn(template, region_id, account_id, |name| {
                value_of(params, name)
            })
        })
        .collect()
}

/// The scalar value a request wrote for the parameter whose wire name is `name`. Generated
/// templates name parameters exactly as they travel (and hold `*` where the spec matched a
/// placeholder to no scalar parameter), so no other spelling is looked for: a list's
/// `Name.1`, or a JSON-encoded value under another parameter's name, is never taken.
fn value_of(params: &RequestParams, name: &str) -> Option<String> {
    let found = params
        .query
        .iter()
        .chain(&params.form)
        .chain(&params.path)
        .chain(&params.headers)
        .chain(&params.host)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone());
    found.or_else(|| {
        let member = params.json_body.as_ref()?.as_object()?.get(name)?;
        match member {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            serde_json::Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_wildcards() {
        let mut params = RequestParams::default();
        params.query("BackupPlanId", &"plan-1");
        params.query("Tag", &vec!["a"]);
        params.path("ClusterId", &"c-1");
        params.host.push(("project".to_owned(), "logs".to_owned()));
        params.json_body = Some(serde_json::json!({"Size": 3, "Name": "n", "Nested": {"a": 1}}));
        assert_eq!(
            fill(
                &["acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"],
                "cn-hangzhou",
                "123",
                &params,
            ),
            vec!["acs:dbs:cn-hangzhou:123:backupplan/plan-1"]
        );
        // Exact wire names only; a list parameter (`Tag.1`) and a structure are no values.
        assert_eq!(
            fill(
                &["a/{#backupplanid}/{#Tag}/{#Other}/{#Nested}"],
                "r",
                "a",
                &params
            ),
            vec!["a/*/*/*/*"]
        );
        assert_eq!(
            fill(
                &["{#ClusterId}/{#project}/{#Size}/{#Name}"],
                "r",
                "",
                &params
            ),
            vec!["c-1/logs/3/n"]
        );
        assert_eq!(
            fill(&["acs:x:{#regionId}:{#accountId}:y"], "", "", &params),
            vec!["acs:x:*:*:y"]
        );
        assert_eq!(fill(&[], "r", "a", &params), vec!["*"]);
    }
}
