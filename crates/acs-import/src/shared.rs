//! Structures the metadata repeats become named types.
//!
//! Alibaba's metadata inlines the same structure wherever it is used: CS spells out its node
//! pool configuration in every operation that takes or returns one. An object (or string enum)
//! that appears in two or more places with the same shape — the same members, types,
//! requiredness and values; descriptions and examples may differ — is declared once in
//! `service.yaml`'s `types` and referred to with `ref` everywhere it was. The largest repeated
//! structures are shared first, then what repeats inside and around them.
//!
//! A shared type is named after the member that holds it at its first appearance (operations
//! in name order, members in document order): `KubeletConfig`, list items `TaintsItem`. Generic
//! member names (`Body`, `Items`) are prefixed with the enclosing member's name, and a name
//! already taken is prefixed with the operation's. Re-importing the same metadata gives the
//! same names; new metadata renames a type only when its shape or a colliding name changes.

use std::collections::{BTreeMap, BTreeSet};

use acs_spec::model::{
    EnumValueSpec, FieldSpec, ItemSpec, NamedTypeSpec, OperationSpec, ParameterSpec, TypeName,
};
use acs_spec::names;
use serde_json::{Value, json};

/// Where a structure sits: a tree (an operation's parameter or response member, or a named
/// type's member) and the steps down to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Root {
    Param(usize, usize),
    Response(usize, usize),
    Named(usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Field(usize),
    Items,
}

#[derive(Debug, Clone)]
struct Site {
    root: Root,
    steps: Vec<Step>,
    /// The member holding the structure (the list or map's name for items).
    holder: String,
    /// The member holding the holder's parent, or the operation for top-level members.
    parent: String,
    /// `Item`, `Value`, `ItemItem`, …: what the structure is of its holder.
    suffix: String,
    /// The operation it sits in (the first user, for named types' members).
    operation: String,
}

/// A mutable view of the three spec node types that carry a type.
enum NodeMut<'a> {
    Param(&'a mut ParameterSpec),
    Field(&'a mut FieldSpec),
    Item(&'a mut ItemSpec),
}

/// The parts of a node that sharing reads and rewrites.
struct NodeParts<'a> {
    type_name: TypeName,
    reference: &'a mut Option<String>,
    fields: &'a mut Option<Vec<FieldSpec>>,
    values: &'a mut Option<Vec<EnumValueSpec>>,
    description: &'a Option<String>,
}

impl NodeMut<'_> {
    fn parts(&mut self) -> NodeParts<'_> {
        match self {
            NodeMut::Param(p) => NodeParts {
                type_name: p.type_name,
                reference: &mut p.reference,
                fields: &mut p.fields,
                values: &mut p.values,
                description: &p.description,
            },
            NodeMut::Field(f) => NodeParts {
                type_name: f.type_name,
                reference: &mut f.reference,
                fields: &mut f.fields,
                values: &mut f.values,
                description: &f.description,
            },
            NodeMut::Item(i) => NodeParts {
                type_name: i.type_name,
                reference: &mut i.reference,
                fields: &mut i.fields,
                values: &mut i.values,
                description: &i.description,
            },
        }
    }
}

/// Declares every repeated structure of `operations` as a named type (appended to `types`) and
/// refers to it from every place it was.
pub(crate) fn share_repeated_structures(
    types: &mut Vec<NamedTypeSpec>,
    operations: &mut [OperationSpec],
) {
    let mut taken: BTreeSet<String> = types
        .iter()
        .flat_map(|t| [t.name.clone(), names::upper_camel_base(&t.name)])
        .collect();
    // An operation's own types (`DescribeTaskInfoError`) would be confusing names for a
    // shared one, although they live in another module.
    let own: BTreeSet<String> = operations
        .iter()
        .flat_map(|op| {
            let camel = names::upper_camel_base(&op.name);
            names::generated::OPERATION_TYPE_SUFFIXES
                .iter()
                .map(move |suffix| format!("{camel}{suffix}"))
        })
        .collect();
    let first_named = types.len();
    loop {
        let mut groups: BTreeMap<String, (usize, Vec<Site>)> = BTreeMap::new();
        collect(types, first_named, operations, &mut groups);
        // The largest structure that repeats; ties go to the one appearing first.
        let Some((_, (_, sites))) = groups
            .into_iter()
            .filter(|(_, (_, sites))| sites.len() >= 2)
            .max_by(|(_, (size_a, sites_a)), (_, (size_b, sites_b))| {
                size_a
                    .cmp(size_b)
                    .then_with(|| order(&sites_b[0]).cmp(&order(&sites_a[0])))
            })
        else {
            return;
        };
        let name = choose_name(&sites[0], &taken, &own);
        taken.insert(name.clone());
        let mut declared = None;
        for site in &sites {
            let mut node = locate(types, operations, site);
            let parts = node.parts();
            if declared.is_none() {
                declared = Some(NamedTypeSpec {
                    name: name.clone(),
                    type_name: parts.type_name,
                    description: parts.description.clone(),
                    fields: parts.fields.clone(),
                    values: parts.values.clone(),
                });
            }
            *parts.reference = Some(name.clone());
            *parts.fields = None;
            *parts.values = None;
        }
        types.extend(declared);
    }
}

fn order(site: &Site) -> (Root, Vec<Step>) {
    (site.root.clone(), site.steps.clone())
}

/// A name for the structure first seen at `site` (see the module documentation).
fn choose_name(site: &Site, taken: &BTreeSet<String>, own: &BTreeSet<String>) -> String {
    let member = names::upper_camel_base(&site.holder);
    let mut base = format!("{member}{}", site.suffix);
    if names::GENERIC_MEMBER_NAMES.contains(&member.as_str())
        || names::generated::PRELUDE_TYPES.contains(&base.as_str())
    {
        base = format!("{}{base}", names::upper_camel_base(&site.parent));
    }
    if own.contains(&base) {
        base.push_str("Detail");
    }
    if !taken.contains(&base) {
        return base;
    }
    let longer = format!("{}{base}", names::upper_camel_base(&site.operation));
    if !taken.contains(&longer) {
        return longer;
    }
    (2..)
        .map(|n| format!("{longer}{n}"))
        .find(|name| !taken.contains(name))
        .expect("some numbered name is free")
}

/// Every object and enum, grouped by shape: shape → (size, sites in document order).
fn collect(
    types: &[NamedTypeSpec],
    first_shared: usize,
    operations: &[OperationSpec],
    groups: &mut BTreeMap<String, (usize, Vec<Site>)>,
) {
    for (op, spec) in operations.iter().enumerate() {
        for (index, param) in spec.parameters.iter().enumerate() {
            visit(
                Shape::of_param(param),
                Root::Param(op, index),
                Vec::new(),
                Context {
                    holder: &param.name,
                    parent: &spec.name,
                    suffix: String::new(),
                    operation: &spec.name,
                },
                groups,
            );
        }
        for (index, field) in spec.response.iter().enumerate() {
            visit(
                Shape::of_field(field),
                Root::Response(op, index),
                Vec::new(),
                Context {
                    holder: &field.name,
                    parent: &spec.name,
                    suffix: String::new(),
                    operation: &spec.name,
                },
                groups,
            );
        }
    }
    // Members of the types shared so far can repeat elsewhere too. (The metadata's own
    // components are left as written.)
    for (index, named) in types.iter().enumerate().skip(first_shared) {
        for (member, field) in named.fields.iter().flatten().enumerate() {
            visit(
                Shape::of_field(field),
                Root::Named(index, member),
                Vec::new(),
                Context {
                    holder: &field.name,
                    parent: &named.name,
                    suffix: String::new(),
                    operation: &named.name,
                },
                groups,
            );
        }
    }
}

/// The naming context of a node being visited.
#[derive(Clone)]
struct Context<'a> {
    holder: &'a str,
    parent: &'a str,
    suffix: String,
    operation: &'a str,
}

/// The parts of a node that make up its shape.
struct Shape<'a> {
    type_name: TypeName,
    reference: Option<&'a String>,
    items: Option<&'a ItemSpec>,
    fields: Option<&'a [FieldSpec]>,
    values: Option<&'a [EnumValueSpec]>,
}

impl<'a> Shape<'a> {
    fn of_param(p: &'a ParameterSpec) -> Self {
        Shape {
            type_name: p.type_name,
            reference: p.reference.as_ref(),
            items: p.items.as_deref(),
            fields: p.fields.as_deref(),
            values: p.values.as_deref(),
        }
    }

    fn of_field(f: &'a FieldSpec) -> Self {
        Shape {
            type_name: f.type_name,
            reference: f.reference.as_ref(),
            items: f.items.as_deref(),
            fields: f.fields.as_deref(),
            values: f.values.as_deref(),
        }
    }

    fn of_item(i: &'a ItemSpec) -> Self {
        Shape {
            type_name: i.type_name,
            reference: i.reference.as_ref(),
            items: i.items.as_deref(),
            fields: i.fields.as_deref(),
            values: i.values.as_deref(),
        }
    }
}

/// Visits a node and what it holds; returns its shape (as JSON, documentation left out) and
/// its size in nodes.
fn visit(
    shape: Shape<'_>,
    root: Root,
    steps: Vec<Step>,
    context: Context<'_>,
    groups: &mut BTreeMap<String, (usize, Vec<Site>)>,
) -> (Value, usize) {
    if let Some(reference) = shape.reference {
        return (json!({"ref": reference}), 1);
    }
    let mut size = 1;
    let canonical = match shape.type_name {
        TypeName::Array | TypeName::Map => {
            let inner = shape.items.map(|items| {
                let suffix = if shape.type_name == TypeName::Array {
                    "Item"
                } else {
                    "Value"
                };
                let mut inner_steps = steps.clone();
                inner_steps.push(Step::Items);
                visit(
                    Shape::of_item(items),
                    root.clone(),
                    inner_steps,
                    Context {
                        suffix: format!("{}{suffix}", context.suffix),
                        ..context.clone()
                    },
                    groups,
                )
            });
            let (inner, inner_size) = inner.unwrap_or((Value::Null, 0));
            size += inner_size;
            json!({"type": shape.type_name.as_str(), "items": inner})
        }
        TypeName::Object => {
            let mut members = Vec::new();
            for (index, field) in shape.fields.unwrap_or_default().iter().enumerate() {
                let mut member_steps = steps.clone();
                member_steps.push(Step::Field(index));
                let (member, member_size) = visit(
                    Shape::of_field(field),
                    root.clone(),
                    member_steps,
                    Context {
                        holder: &field.name,
                        parent: context.holder,
                        suffix: String::new(),
                        operation: context.operation,
                    },
                    groups,
                );
                size += member_size;
                members.push(json!({
                    "name": field.name,
                    "required": field.required,
                    "deprecated": field.deprecated,
                    "type": member,
                }));
            }
            json!({"type": "object", "fields": members})
        }
        TypeName::Enum => {
            let values: Vec<&str> = shape
                .values
                .unwrap_or_default()
                .iter()
                .map(|v| v.value.as_str())
                .collect();
            json!({"type": "enum", "values": values})
        }
        scalar => json!(scalar.as_str()),
    };
    let shareable = match shape.type_name {
        TypeName::Object => shape.fields.is_some_and(|f| !f.is_empty()),
        TypeName::Enum => shape.values.is_some_and(|v| !v.is_empty()),
        _ => false,
    };
    if shareable {
        let entry = groups
            .entry(canonical.to_string())
            .or_insert_with(|| (size, Vec::new()));
        entry.1.push(Site {
            root,
            steps,
            holder: context.holder.to_owned(),
            parent: context.parent.to_owned(),
            suffix: context.suffix,
            operation: context.operation.to_owned(),
        });
    }
    (canonical, size)
}

/// The node at `site`.
fn locate<'a>(
    types: &'a mut [NamedTypeSpec],
    operations: &'a mut [OperationSpec],
    site: &Site,
) -> NodeMut<'a> {
    let mut node = match site.root {
        Root::Param(op, index) => NodeMut::Param(&mut operations[op].parameters[index]),
        Root::Response(op, index) => NodeMut::Field(&mut operations[op].response[index]),
        Root::Named(named, member) => {
            NodeMut::Field(&mut types[named].fields.as_mut().expect("an object")[member])
        }
    };
    for step in &site.steps {
        node = match (node, step) {
            (NodeMut::Param(p), Step::Items) => {
                NodeMut::Item(p.items.as_deref_mut().expect("items"))
            }
            (NodeMut::Field(f), Step::Items) => {
                NodeMut::Item(f.items.as_deref_mut().expect("items"))
            }
            (NodeMut::Item(i), Step::Items) => {
                NodeMut::Item(i.items.as_deref_mut().expect("items"))
            }
            (NodeMut::Param(p), Step::Field(index)) => {
                NodeMut::Field(&mut p.fields.as_mut().expect("fields")[*index])
            }
            (NodeMut::Field(f), Step::Field(index)) => {
                NodeMut::Field(&mut f.fields.as_mut().expect("fields")[*index])
            }
            (NodeMut::Item(i), Step::Field(index)) => {
                NodeMut::Field(&mut i.fields.as_mut().expect("fields")[*index])
            }
        };
    }
    node
}
