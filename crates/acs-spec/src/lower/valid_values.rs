//! Descriptions keep the lists they introduce. The metadata writes a member's values twice:
//! in its description ("The status. Valid values:" and a list) and as the enum itself (`enum`,
//! with `enumValueTitles`). Where the description does not name every value of its member's
//! enum, the values are listed under "Valid values:", each with its title (an enum type's own
//! docs get the list where they end in "Valid values:"; elsewhere its variants show them);
//! where a description ends in "Valid values:" and neither it nor an enum gives the list, the
//! phrase that introduces nothing is dropped, so no doc ends in a dangling colon.

use std::collections::HashMap;

use crate::ir::{EnumValue, Field, Service, TypeDef, TypeRef, TypeScope};

/// The phrase a list of values follows, as the metadata writes it.
const INTRODUCTION: &str = "Valid values:";

pub(super) fn list_valid_values(service: &mut Service) {
    let shared = enums(&service.types);
    complete_fields_of(&mut service.types, &shared, &HashMap::new());
    for op in &mut service.operations {
        let own = enums(&op.types);
        for field in op.params.iter_mut().chain(op.response.iter_mut()) {
            complete(field, &shared, &own);
        }
        complete_fields_of(&mut op.types, &shared, &own);
    }
}

/// The values of each enum among `types`, by name.
fn enums(types: &[TypeDef]) -> HashMap<String, Vec<EnumValue>> {
    types
        .iter()
        .filter_map(|def| match def {
            TypeDef::Enum(def) => Some((def.name.clone(), def.values.clone())),
            TypeDef::Struct(_) => None,
        })
        .collect()
}

fn complete_fields_of(
    types: &mut [TypeDef],
    shared: &HashMap<String, Vec<EnumValue>>,
    own: &HashMap<String, Vec<EnumValue>>,
) {
    for def in types {
        match def {
            TypeDef::Struct(def) => {
                for field in &mut def.fields {
                    complete(field, shared, own);
                }
                // A list's item type sometimes carries its member's description, whose
                // values belong to the member.
                complete_text(&mut def.docs.description, None);
            }
            TypeDef::Enum(def) => {
                if def.docs.description.as_deref().is_some_and(dangling) {
                    complete_text(&mut def.docs.description, Some(&def.values));
                }
            }
        }
    }
}

/// The enum values a member of type `ty` takes (each item's, for a list).
fn values_of<'e>(
    ty: &TypeRef,
    shared: &'e HashMap<String, Vec<EnumValue>>,
    own: &'e HashMap<String, Vec<EnumValue>>,
) -> Option<&'e [EnumValue]> {
    match ty {
        TypeRef::Named { name, scope } => match scope {
            TypeScope::Service => shared.get(name).map(Vec::as_slice),
            TypeScope::Operation => own.get(name).map(Vec::as_slice),
        },
        TypeRef::List(inner) | TypeRef::Boxed(inner) => values_of(inner, shared, own),
        _ => None,
    }
}

fn complete(
    field: &mut Field,
    shared: &HashMap<String, Vec<EnumValue>>,
    own: &HashMap<String, Vec<EnumValue>>,
) {
    let values = values_of(&field.ty, shared, own);
    complete_text(&mut field.docs.description, values);
}

fn complete_text(description: &mut Option<String>, values: Option<&[EnumValue]>) {
    let values = values.filter(|values| !values.is_empty());
    let text = description.take().unwrap_or_default();
    *description = Some(with_valid_values(&text, values)).filter(|text| !text.is_empty());
}

/// Whether `text` ends in "Valid values:".
fn dangling(text: &str) -> bool {
    text.trim_end().ends_with(INTRODUCTION)
}

/// `description` with `values` listed under "Valid values:" unless it names each already, and
/// without a closing "Valid values:" that nothing follows.
fn with_valid_values(description: &str, values: Option<&[EnumValue]>) -> String {
    let text = description.trim_end();
    let dangling = dangling(text);
    // Descriptions capitalise values at will ("Namespaces" for `namespaces`).
    let lower = text.to_lowercase();
    let listed = values.is_none_or(|values| {
        values
            .iter()
            .all(|v| lower.contains(&v.wire.to_lowercase()))
    });
    match values {
        Some(values) if !listed => {
            let list: Vec<String> = values.iter().map(list_item).collect();
            let head = if dangling || text.is_empty() {
                text.to_owned()
            } else if ends_in_prose(text) {
                format!("{text} {INTRODUCTION}")
            } else {
                // After a list or a quote, a paragraph of its own rather than a line that
                // would join the last item.
                format!("{text}\n\n{INTRODUCTION}")
            };
            let head = if head.is_empty() { INTRODUCTION } else { &head };
            format!("{head}\n\n{}", list.join("\n"))
        }
        _ if dangling => text[..text.len() - INTRODUCTION.len()]
            .trim_end()
            .to_owned(),
        _ => description.to_owned(),
    }
}

/// Whether the last line of `text` is a paragraph's: not a list item, a quote, a heading, a
/// table row or inside a code fence, so a sentence appended to it continues it.
fn ends_in_prose(text: &str) -> bool {
    let Some(last) = text.lines().last().map(str::trim_start) else {
        return false;
    };
    let digits = last.chars().take_while(char::is_ascii_digit).count();
    let numbered =
        digits > 0 && (last[digits..].starts_with(". ") || last[digits..].starts_with(") "));
    let marked = ["- ", "* ", "+ ", ">", "#", "|"]
        .iter()
        .any(|marker| last.starts_with(marker));
    !last.is_empty() && !numbered && !marked && !text.contains("```") && !text.contains("~~~")
}

/// `- `value`: title`, the value as code unless it holds a backtick.
fn list_item(value: &EnumValue) -> String {
    let wire = if value.wire.contains('`') || value.wire.trim().is_empty() {
        value.wire.clone()
    } else {
        format!("`{}`", value.wire)
    };
    match value.description.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => format!("- {wire}: {}", one_line(title)),
        _ => format!("- {wire}"),
    }
}

/// A title on one line, so it stays inside its list item.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(wire: &str, title: Option<&str>) -> EnumValue {
        EnumValue {
            wire: wire.to_owned(),
            variant: wire.to_owned(),
            description: title.map(str::to_owned),
        }
    }

    #[test]
    fn an_enum_missing_from_its_description_is_listed_under_valid_values() {
        let values = [value("node", Some("A node.")), value("pod", None)];
        assert_eq!(
            with_valid_values("The type.", Some(&values)),
            "The type. Valid values:\n\n- `node`: A node.\n- `pod`"
        );
        assert_eq!(
            with_valid_values("The type. Valid values:\n", Some(&values)),
            "The type. Valid values:\n\n- `node`: A node.\n- `pod`"
        );
        assert_eq!(
            with_valid_values("", Some(&values)),
            "Valid values:\n\n- `node`: A node.\n- `pod`"
        );
        // Listed already (in any case): left as written.
        let listed = "The type. Valid values:\n\n- **Node**\n- **pod**";
        assert_eq!(with_valid_values(listed, Some(&values)), listed);
        // After a list, a paragraph of its own.
        assert_eq!(
            with_valid_values("The type:\n\n- a node", Some(&values)),
            "The type:\n\n- a node\n\nValid values:\n\n- `node`: A node.\n- `pod`"
        );
    }

    #[test]
    fn valid_values_that_introduce_nothing_are_dropped() {
        assert_eq!(
            with_valid_values("The resource type. Valid values:\n", None),
            "The resource type."
        );
        assert_eq!(with_valid_values("Valid values:", None), "");
        assert_eq!(with_valid_values("Plain text.", None), "Plain text.");
    }
}
