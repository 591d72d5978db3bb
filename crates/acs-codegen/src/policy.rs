//! RAM policy files: one per operation with RAM facts, and `all.json` for the whole service.
//!
//! JSON cannot carry a `@generated` header; `.gitattributes` marks these files generated and
//! the freshness check covers them like the Rust files.

use std::path::PathBuf;

use acs_spec::ir::{Operation, Ram, Service};
use serde_json::{Value, json};

use crate::GeneratedFile;

/// Resources of an action with every placeholder as `*`; `*` alone when it has none.
fn resources(ram: &Ram) -> Vec<String> {
    let mut arns: Vec<String> = ram.resources.iter().map(|r| r.wildcard_arn()).collect();
    if arns.is_empty() {
        arns.push("*".to_owned());
    }
    arns.dedup();
    arns
}

fn statement(actions: Vec<String>, resources: Vec<String>) -> Value {
    json!({ "Effect": "Allow", "Action": actions, "Resource": resources })
}

fn policy(statements: Vec<Value>) -> String {
    let document = json!({ "Version": "1", "Statement": statements });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

fn with_ram(service: &Service) -> impl Iterator<Item = (&Operation, &Ram)> {
    service
        .operations
        .iter()
        .filter_map(|op| op.ram.as_ref().map(|ram| (op, ram)))
}

/// `policies/<Operation>.json` for each operation with RAM facts, and `policies/all.json`.
pub fn policy_files(service: &Service) -> Vec<GeneratedFile> {
    let mut files: Vec<GeneratedFile> = with_ram(service)
        .map(|(op, ram)| {
            let mut statements = vec![statement(vec![ram.action.clone()], resources(ram))];
            if !ram.dependent_actions.is_empty() {
                statements.push(statement(
                    ram.dependent_actions.clone(),
                    vec!["*".to_owned()],
                ));
            }
            GeneratedFile {
                path: PathBuf::from(format!("policies/{}.json", op.name)),
                contents: policy(statements),
            }
        })
        .collect();
    if !files.is_empty() {
        // One statement per distinct resource list keeps `all.json` short and reviewable.
        let mut grouped: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for (_, ram) in with_ram(service) {
            // Dependent actions are allowed on all resources, as in the per-operation files.
            let dependents = (!ram.dependent_actions.is_empty())
                .then(|| (vec!["*".to_owned()], ram.dependent_actions.clone()));
            for (resources, actions) in
                std::iter::once((resources(ram), vec![ram.action.clone()])).chain(dependents)
            {
                match grouped.iter_mut().find(|(r, _)| *r == resources) {
                    Some((_, existing)) => existing.extend(actions),
                    None => grouped.push((resources, actions)),
                }
            }
        }
        let statements = grouped
            .into_iter()
            .map(|(resources, mut actions)| {
                actions.sort();
                actions.dedup();
                statement(actions, resources)
            })
            .collect();
        files.push(GeneratedFile {
            path: PathBuf::from("policies/all.json"),
            contents: policy(statements),
        });
    }
    files
}
