//! The policy document: grants collected, then grouped into statements and written as JSON.

use std::collections::{BTreeMap, BTreeSet};

use crate::arn::covers;
use crate::json;

/// A RAM policy being collected: which actions are allowed on which resources. Every
/// statement allows (`"Effect": "Allow"`); the document is [`Policy::to_json`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Each action's resources as granted (normalised only when statements are made, so
    /// grants can arrive in any order).
    grants: BTreeMap<String, BTreeSet<String>>,
}

/// One statement of a policy: `actions` allowed on `resources`, both sorted and never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// RAM actions (`dbs:StartBackupPlan`).
    pub actions: Vec<String>,
    /// Resource ARNs or patterns (`acs:dbs:cn-hangzhou:*:backupplan/*`, `*`).
    pub resources: Vec<String>,
}

impl Policy {
    /// A policy allowing nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows `action` on `resources` too; no resources means every resource (`*`), as an
    /// action whose metadata names none applies to all.
    pub fn allow<R: Into<String>>(
        &mut self,
        action: impl Into<String>,
        resources: impl IntoIterator<Item = R>,
    ) -> &mut Self {
        let granted = self.grants.entry(action.into()).or_default();
        let mut resources = resources.into_iter().map(Into::into).peekable();
        if resources.peek().is_none() {
            granted.insert("*".to_owned());
        }
        granted.extend(resources);
        self
    }

    /// Everything `other` allows is allowed here too.
    pub fn merge(&mut self, other: &Policy) -> &mut Self {
        for (action, resources) in &other.grants {
            self.allow(action.clone(), resources.iter().cloned());
        }
        self
    }

    /// Whether the policy allows nothing (its document would have no statement).
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// The actions allowed, sorted.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.grants.keys().map(String::as_str)
    }

    /// The statements of the document: each action's resources without those another of them
    /// covers (see [`covers`](crate::covers)), sorted; actions with the same resources in one
    /// statement, sorted; statements in the order of their first action.
    pub fn statements(&self) -> Vec<Statement> {
        let mut by_resources: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (action, resources) in &self.grants {
            by_resources
                .entry(least(resources))
                .or_default()
                .push(action.clone());
        }
        let mut statements: Vec<Statement> = by_resources
            .into_iter()
            .map(|(resources, actions)| Statement { actions, resources })
            .collect();
        // Actions arrive sorted (from the map), so each statement's first is its smallest.
        statements.sort_by(|a, b| a.actions.cmp(&b.actions));
        statements
    }

    /// The RAM policy document: `{"Version": "1", "Statement": [...]}`, each statement
    /// `Effect`, `Action`, `Resource` in that order, indented by two spaces, no trailing
    /// newline. The same grants give the same text whatever order they came in.
    pub fn to_json(&self) -> String {
        json::document(&self.statements())
    }
}

/// `resources` without those another one covers. Of two that cover each other (`a*` and
/// `a**`), the smaller string stays.
fn least(resources: &BTreeSet<String>) -> Vec<String> {
    resources
        .iter()
        .filter(|resource| {
            !resources.iter().any(|other| {
                other != *resource
                    && covers(other, resource)
                    && (!covers(resource, other) || other < *resource)
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_deduplicated_sorted_and_covered_ones_dropped() {
        let mut policy = Policy::new();
        policy
            .allow("dbs:StartBackupPlan", ["acs:dbs:r:*:backupplan/b"])
            .allow("dbs:StartBackupPlan", ["acs:dbs:r:*:backupplan/a"])
            .allow("dbs:StartBackupPlan", ["acs:dbs:r:*:backupplan/b"])
            .allow("dbs:DescribeBackupPlanList", ["acs:dbs:r:*:backupplan/a"])
            .allow("dbs:DescribeBackupPlanList", ["acs:dbs:r:*:backupplan/*"])
            .allow("dbs:DescribeRegions", Vec::<String>::new())
            .allow("dbs:DescribeRegions", ["acs:dbs:r:*:x"])
            .allow("x:Twins", ["a**", "a*"]);
        assert_eq!(
            policy.statements(),
            [
                Statement {
                    actions: vec!["dbs:DescribeBackupPlanList".into()],
                    resources: vec!["acs:dbs:r:*:backupplan/*".into()],
                },
                Statement {
                    actions: vec!["dbs:DescribeRegions".into()],
                    resources: vec!["*".into()],
                },
                Statement {
                    actions: vec!["dbs:StartBackupPlan".into()],
                    resources: vec![
                        "acs:dbs:r:*:backupplan/a".into(),
                        "acs:dbs:r:*:backupplan/b".into()
                    ],
                },
                Statement {
                    actions: vec!["x:Twins".into()],
                    resources: vec!["a*".into()],
                },
            ]
        );
    }

    #[test]
    fn actions_with_the_same_resources_share_a_statement_in_any_grant_order() {
        let grants = [
            ("dbs:StopBackupPlan", "acs:dbs:r:*:backupplan/p"),
            ("dbs:DescribeRegions", "*"),
            ("dbs:StartBackupPlan", "acs:dbs:r:*:backupplan/p"),
            ("ram:PassRole", "*"),
        ];
        let mut forward = Policy::new();
        let mut backward = Policy::new();
        for (action, resource) in grants {
            forward.allow(action, [resource]);
        }
        for (action, resource) in grants.iter().rev() {
            backward.allow(*action, [*resource]);
        }
        assert_eq!(forward.to_json(), backward.to_json());
        assert_eq!(
            forward.statements(),
            [
                Statement {
                    actions: vec!["dbs:DescribeRegions".into(), "ram:PassRole".into()],
                    resources: vec!["*".into()],
                },
                Statement {
                    actions: vec!["dbs:StartBackupPlan".into(), "dbs:StopBackupPlan".into()],
                    resources: vec!["acs:dbs:r:*:backupplan/p".into()],
                },
            ]
        );
    }

    #[test]
    fn merged_policies_allow_what_both_allow() {
        let mut one = Policy::new();
        one.allow("a:A", ["x"]);
        let mut two = Policy::new();
        two.allow("a:A", ["y"]).allow("b:B", ["*"]);
        one.merge(&two);
        assert_eq!(one.actions().collect::<Vec<_>>(), ["a:A", "b:B"]);
        assert_eq!(one.statements()[0].resources, ["x", "y"]);
        assert!(!one.is_empty() && Policy::new().is_empty());
    }
}
