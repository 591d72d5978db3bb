//! RAM (Resource Access Management) facts of operations, for writing policies.
//!
//! Every generated operation with RAM metadata has a `RAM` constant ([`Facts`]: its action,
//! access level and resource ARN templates) and, through [`ResourceArns`], fills the templates
//! from a request: `request.resource_arns(region, account)`.

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
    /// `{#Parameter}` are placeholders; empty means all resources.
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
    /// parameter `Name`; unset parameters (and placeholders naming none) become `*`. An
    /// operation without templates (or without RAM facts) applies to all resources: `["*"]`.
    fn resource_arns(&self, region_id: &str, account_id: &str) -> Vec<String>;
}

/// `templates` filled from the parameters a request writes (see [`ResourceArns`]).
pub fn fill(
    templates: &[&str],
    region_id: &str,
    account_id: &str,
    params: &RequestParams,
) -> Vec<String> {
    if templates.is_empty() {
        return vec!["*".to_owned()];
    }
    templates
        .iter()
        .map(|template| {
            let mut arn = String::with_capacity(template.len() + 32);
            let mut rest = *template;
            while let Some(start) = rest.find("{#") {
                arn.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else {
                    arn.push_str(&rest[start..]);
                    rest = "";
                    break;
                };
                match &after[..end] {
                    "regionId" => arn.push_str(region_id),
                    "accountId" => arn.push_str(account_id),
                    name => arn.push_str(value_of(params, name).unwrap_or("*")),
                }
                rest = &after[end + 1..];
            }
            arn.push_str(rest);
            arn
        })
        .collect()
}

/// The scalar value a request wrote for the parameter `name` (matched exactly, else ignoring
/// case, as the spec lowering matches placeholders to parameters).
fn value_of<'p>(params: &'p RequestParams, name: &str) -> Option<&'p str> {
    let pairs = || {
        params
            .query
            .iter()
            .chain(&params.form)
            .chain(&params.path)
            .chain(&params.headers)
    };
    let body = |exact: bool| {
        params
            .json_body
            .as_ref()
            .and_then(serde_json::Value::as_object)
            .and_then(|members| {
                members
                    .iter()
                    .find(|(key, _)| {
                        if exact {
                            key.as_str() == name
                        } else {
                            key.eq_ignore_ascii_case(name)
                        }
                    })
                    .and_then(|(_, value)| value.as_str())
            })
    };
    pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .or_else(|| body(true))
        .or_else(|| {
            pairs()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        })
        .or_else(|| body(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_wildcards() {
        let mut params = RequestParams::default();
        params.query("BackupPlanId", &"plan-1");
        params.query("Tag", &vec!["a"]);
        assert_eq!(
            fill(
                &["acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"],
                "cn-hangzhou",
                "123",
                &params,
            ),
            vec!["acs:dbs:cn-hangzhou:123:backupplan/plan-1"]
        );
        assert_eq!(
            fill(&["a/{#backupplanid}/{#Tag}/{#Other}"], "r", "a", &params),
            vec!["a/plan-1/*/*"]
        );
        assert_eq!(fill(&[], "r", "a", &params), vec!["*"]);
    }
}
