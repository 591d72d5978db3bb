//! Alibaba's doc-center links that name an operation of the same service
//! (`[DescribeBackupPlanList](~~2869825~~)`) become links to that operation: the metadata's ids
//! resolve only on Alibaba's site, but its link texts name operations, and where one names an
//! operation of this service the generated crate has it. The text is rewritten to
//! `[Label](operation:<bare_snake>)` (`operation:describe_backup_plan_list`), which the
//! generator renders as an intra-doc link; other doc-center links stay as they are (rendered
//! as their text). A spec's own text already holding an `operation:` link to no operation of
//! the service is left its label, so every such link in lowered text resolves.

use std::collections::{HashMap, HashSet};

use crate::ir::{Docs, Field, OPERATION_LINK, Service, TypeDef};

pub(super) fn link_operations(service: &mut Service) {
    let modules: HashMap<String, String> = service
        .operations
        .iter()
        .map(|op| (op.name.clone(), op.names.bare_snake.clone()))
        .collect();
    let targets: HashSet<String> = modules.values().cloned().collect();
    let forged = format!("]({OPERATION_LINK}");
    let link = |text: &mut String| {
        if text.contains(&forged) {
            *text = unlink_unknown(text, &targets);
        }
        if text.contains("](~~") {
            *text = rewrite(text, &modules);
        }
    };
    let link_option = |text: &mut Option<String>| {
        if let Some(text) = text {
            link(text);
        }
    };
    let link_fields = |fields: &mut [Field]| {
        for field in fields {
            link_docs(&mut field.docs, &link_option);
        }
    };
    let link_types = |types: &mut [TypeDef]| {
        for def in types {
            match def {
                TypeDef::Struct(def) => {
                    link_docs(&mut def.docs, &link_option);
                    link_fields(&mut def.fields);
                }
                TypeDef::Enum(def) => {
                    link_docs(&mut def.docs, &link_option);
                    for value in &mut def.values {
                        link_option(&mut value.description);
                    }
                }
            }
        }
    };
    link_option(&mut service.description);
    link_types(&mut service.types);
    for op in &mut service.operations {
        link(&mut op.summary);
        link_option(&mut op.description);
        link_fields(&mut op.params);
        link_fields(&mut op.response);
        link_types(&mut op.types);
        for error in &mut op.errors {
            link_option(&mut error.description);
        }
    }
}

fn link_docs(docs: &mut Docs, link: &impl Fn(&mut Option<String>)) {
    link(&mut docs.description);
}

/// `text` with every `[Label](operation:…)` whose target is not one of `targets` left its
/// label.
fn unlink_unknown(text: &str, targets: &HashSet<String>) -> String {
    let opening = format!("]({OPERATION_LINK}");
    replace_links(text, &opening, ")", |label, target| {
        (!targets.contains(target)).then(|| label.to_owned())
    })
}

/// `text` with every `[Name](~~id~~)` whose label names an operation of `modules` (wire name
/// to module) rewritten.
fn rewrite(text: &str, modules: &HashMap<String, String>) -> String {
    replace_links(text, "](~~", "~~)", |label, _| {
        let module = modules.get(label.trim().trim_matches('`'))?;
        Some(format!("[{label}]({OPERATION_LINK}{module})"))
    })
}

/// `text` with each `[label]<opening>target<closing>` for which `replace(label, target)` gives
/// a replacement replaced by it; a label holding `[` is no link.
fn replace_links(
    text: &str,
    opening: &str,
    closing: &str,
    replace: impl Fn(&str, &str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let from = &rest[open..];
        let replaced = from.find(opening).and_then(|close| {
            let label = &from[1..close];
            let after = &from[close + opening.len()..];
            let end = after.find(closing)?;
            let consumed = close + opening.len() + end + closing.len();
            (!label.contains('['))
                .then(|| replace(label, &after[..end]))
                .flatten()
                .map(|replacement| (replacement, consumed))
        });
        match replaced {
            Some((replacement, consumed)) => {
                out.push_str(&replacement);
                rest = &from[consumed..];
            }
            None => {
                out.push('[');
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_labels_naming_an_operation_are_linked() {
        let modules: HashMap<String, String> = [(
            "DescribeBackupPlanList".to_owned(),
            "describe_backup_plan_list".to_owned(),
        )]
        .into();
        assert_eq!(
            rewrite(
                "Call [DescribeBackupPlanList](~~2869825~~) or see [Limits](~~123~~).",
                &modules
            ),
            "Call [DescribeBackupPlanList](operation:describe_backup_plan_list) or see [Limits](~~123~~)."
        );
        assert_eq!(
            rewrite("[`DescribeBackupPlanList`](~~1~~)", &modules),
            "[`DescribeBackupPlanList`](operation:describe_backup_plan_list)"
        );
    }

    #[test]
    fn operation_links_to_nothing_become_their_label() {
        let targets: HashSet<String> = ["start_backup_plan".to_owned()].into();
        assert_eq!(
            unlink_unknown(
                "[a](operation:start_backup_plan) [b](operation:no_such) [c](operation:../x)",
                &targets
            ),
            "[a](operation:start_backup_plan) b c"
        );
    }
}
