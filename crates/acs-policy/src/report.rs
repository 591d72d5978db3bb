//! What a policy document cannot say, for people to read beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::arn::Wildcard;

/// What a policy does not show: operations it could not allow, the dependent actions it
/// allows on every resource, the parts of its resources left as `*`, and the condition keys
/// its actions support. Its `Display` is text for stderr, empty when there is nothing to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Operations whose metadata has no RAM facts, as the tool names them (`ecs 2014-05-26
    /// DescribeRegions`): the policy does not allow them, and no action is guessed for them.
    pub without_facts: BTreeSet<String>,
    /// The actions each action depends on: the caller needs them too, so the policy allows
    /// them on every resource (`*`).
    pub dependent_actions: BTreeMap<String, BTreeSet<String>>,
    /// For each action, its resources with parts left as `*`, and which parts.
    pub wildcards: BTreeMap<String, BTreeMap<String, BTreeSet<Wildcard>>>,
    /// For each action, the condition keys it supports. None is written into the policy (a
    /// condition needs values no metadata knows); they can narrow a statement by hand.
    pub condition_keys: BTreeMap<String, BTreeSet<String>>,
}

impl Report {
    /// A report with nothing in it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.without_facts.is_empty()
            && self.dependent_actions.is_empty()
            && self.wildcards.is_empty()
            && self.condition_keys.is_empty()
    }

    /// Notes the operation `name`, which has no RAM facts.
    pub fn note_without_facts(&mut self, name: impl Into<String>) -> &mut Self {
        self.without_facts.insert(name.into());
        self
    }

    /// Notes that `action` depends on `dependents` (nothing when there are none).
    pub fn note_dependent_actions<S: AsRef<str>>(
        &mut self,
        action: &str,
        dependents: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        add(&mut self.dependent_actions, action, dependents);
        self
    }

    /// Notes that `action`'s resource `arn` has `wildcards` (nothing when there are none).
    pub fn note_wildcards(
        &mut self,
        action: &str,
        arn: &str,
        wildcards: impl IntoIterator<Item = Wildcard>,
    ) -> &mut Self {
        let mut wildcards = wildcards.into_iter().peekable();
        if wildcards.peek().is_some() {
            self.wildcards
                .entry(action.to_owned())
                .or_default()
                .entry(arn.to_owned())
                .or_default()
                .extend(wildcards);
        }
        self
    }

    /// Notes that `action` supports the condition keys `keys` (nothing when there are none).
    pub fn note_condition_keys<S: AsRef<str>>(
        &mut self,
        action: &str,
        keys: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        add(&mut self.condition_keys, action, keys);
        self
    }

    /// Everything `other` reports is reported here too.
    pub fn merge(&mut self, other: &Report) -> &mut Self {
        self.without_facts
            .extend(other.without_facts.iter().cloned());
        for (action, dependents) in &other.dependent_actions {
            self.note_dependent_actions(action, dependents);
        }
        for (action, resources) in &other.wildcards {
            for (arn, wildcards) in resources {
                self.note_wildcards(action, arn, wildcards.iter().cloned());
            }
        }
        for (action, keys) in &other.condition_keys {
            self.note_condition_keys(action, keys);
        }
        self
    }
}

fn add<S: AsRef<str>>(
    map: &mut BTreeMap<String, BTreeSet<String>>,
    action: &str,
    items: impl IntoIterator<Item = S>,
) {
    let mut items = items.into_iter().peekable();
    if items.peek().is_some() {
        map.entry(action.to_owned())
            .or_default()
            .extend(items.map(|item| item.as_ref().to_owned()));
    }
}

fn joined<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.without_facts.is_empty() {
            writeln!(
                f,
                "operations without RAM facts in their metadata (not in the policy: grant them by hand):"
            )?;
            for name in &self.without_facts {
                writeln!(f, "  {name}")?;
            }
        }
        if !self.dependent_actions.is_empty() {
            writeln!(f, "dependent actions (allowed on every resource):")?;
            for (action, dependents) in &self.dependent_actions {
                writeln!(f, "  {action} needs {}", joined(dependents))?;
            }
        }
        if !self.wildcards.is_empty() {
            writeln!(f, "parts of resources left as `*`:")?;
            for (action, resources) in &self.wildcards {
                for (arn, wildcards) in resources {
                    let parts: Vec<String> = wildcards.iter().map(ToString::to_string).collect();
                    writeln!(f, "  {action} on {arn}: {}", parts.join(", "))?;
                }
            }
        }
        if !self.condition_keys.is_empty() {
            writeln!(
                f,
                "condition keys (none written: a condition needs values; add one by hand to narrow a statement):"
            )?;
            for (action, keys) in &self.condition_keys {
                writeln!(f, "  {action}: {}", joined(keys))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_finding_and_is_empty_without_any() {
        assert_eq!(Report::new().to_string(), "");
        let mut report = Report::new();
        report
            .note_without_facts("ecs 2014-05-26 DescribeRegions (called by name)")
            .note_dependent_actions("edge:Match", ["edge:Other"])
            .note_dependent_actions("dbs:StartBackupPlan", Vec::<String>::new())
            .note_wildcards(
                "dbs:DescribeBackupPlanList",
                "acs:dbs:cn-hangzhou:*:backupplan/*",
                [
                    Wildcard::Account,
                    Wildcard::Parameter("BackupPlanId".into()),
                ],
            )
            .note_wildcards("dbs:StartBackupPlan", "acs:dbs:r:1:backupplan/p", [])
            .note_condition_keys("edge:Match", ["edge:Key"]);
        let mut merged = Report::new();
        merged.merge(&report);
        assert_eq!(merged, report);
        assert_eq!(
            report.to_string(),
            "operations without RAM facts in their metadata (not in the policy: grant them by hand):\n  \
             ecs 2014-05-26 DescribeRegions (called by name)\n\
             dependent actions (allowed on every resource):\n  edge:Match needs edge:Other\n\
             parts of resources left as `*`:\n  dbs:DescribeBackupPlanList on acs:dbs:cn-hangzhou:*:backupplan/*: \
             the account ID (none given), `{#BackupPlanId}` (no value)\n\
             condition keys (none written: a condition needs values; add one by hand to narrow a statement):\n  \
             edge:Match: edge:Key\n"
        );
    }
}
