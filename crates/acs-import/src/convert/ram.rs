//! An operation's RAM facts: its action, access level, resources and condition keys.

use acs_spec::model::{AccessLevel, OperationRamSpec, OperationType, RamResourceSpec};

use crate::notes::Notes;
use crate::openmeta::Api;

/// The first RAM action the metadata lists for the operation, if any.
pub(crate) fn convert_ram(
    api: &Api,
    operation_type: OperationType,
    notes: &mut Notes,
) -> Option<OperationRamSpec> {
    let entry = api.ram_actions.first()?;
    let action = entry.ram_action.action.trim().to_owned();
    if action.is_empty() {
        return None;
    }
    if api.ram_actions.len() > 1 {
        notes.warn(
            "",
            format!(
                "{} RAM actions listed; only the first (`{action}`) is used",
                api.ram_actions.len()
            ),
        );
    }
    let level = [&entry.operation_type, &api.system_tags.operation_type]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let fallback = match operation_type {
        OperationType::Read => AccessLevel::Get,
        OperationType::Write => AccessLevel::Update,
    };
    let access_level = match level {
        "get" | "read" => AccessLevel::Get,
        "list" => AccessLevel::List,
        "create" => AccessLevel::Create,
        "update" | "write" => AccessLevel::Update,
        "delete" => AccessLevel::Delete,
        other => {
            notes.warn(
                "",
                format!(
                    "RAM access level `{other}` is unknown; using `{}` (from the operation type)",
                    match fallback {
                        AccessLevel::Get => "get",
                        _ => "update",
                    }
                ),
            );
            fallback
        }
    };
    let mut resources: Vec<RamResourceSpec> = Vec::new();
    for resource in &entry.ram_action.resources {
        let spec = RamResourceSpec {
            resource_type: resource.resource_type.trim().to_owned(),
            arn: resource.arn.trim().to_owned(),
        };
        if !spec.arn.is_empty() && !resources.contains(&spec) {
            resources.push(spec);
        }
    }
    let mut condition_keys: Vec<String> = Vec::new();
    for condition in &entry.ram_action.action_conditions {
        let key = condition.condition_key.trim().to_owned();
        if !key.is_empty() && !condition_keys.contains(&key) {
            condition_keys.push(key);
        }
    }
    Some(OperationRamSpec {
        action,
        access_level,
        resources,
        condition_keys,
        dependent_actions: Vec::new(),
    })
}
