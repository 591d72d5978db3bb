//! Dotted parameters folded into the lists and structures they stand for.
//!
//! RPC metadata often spells a list or an object as scalars: ECS's `DescribeInstances` has
//! `Filter.1.Key` … `Filter.4.Value`, `RunInstances` has `PrivatePoolOptions.Id` and
//! `PrivatePoolOptions.MatchCriteria`, `ModifyImageShareGroupPermission` has `AddGroup.1`. The
//! official SDKs take a list of any length and an object. So parameters sharing a first
//! segment (`Filter`), wherever they are in the list, become one parameter named after it, at
//! the place of the first: numbered segments running `1..k` without gaps become a list (of
//! scalars, or of structures when members follow the number), named segments become the
//! members of a structure, to any depth. The folded parameter is sent flattened (`repeatList`
//! for a list, `flat` for a structure), which puts exactly the names the scalars had on the
//! wire: `Filter.1.Key`, `PrivatePoolOptions.Id`, `AddGroup.1`. A list so folded takes any
//! number of items.
//!
//! Anything that would not mean one value is left as the scalars it was, with a warning: a
//! first segment that another parameter's Rust name already has (ECS `SystemDisk` beside
//! `SystemDisk.Size`), numbers with a gap or items of different shapes (a partial set),
//! members whose Rust names collide, a name that is both a value and has members, and values
//! sent otherwise than flattened in the query or a form (JSON-encoded, comma-joined, in a
//! header).

use acs_spec::model::{
    ApiStyle, EnumValueSpec, FieldSpec, ItemSpec, ParamStyle, ParameterSpec, Position, TypeName,
};
use acs_spec::names;
use serde_json::Value;

use crate::notes::Notes;

/// `parameters` with every foldable dotted group folded (see the module docs).
pub(crate) fn fold_dotted(
    parameters: Vec<ParameterSpec>,
    style: ApiStyle,
    notes: &mut Notes,
) -> Vec<ParameterSpec> {
    let groups = groups(&parameters);
    if groups.is_empty() {
        return parameters;
    }
    // Where each folded parameter goes (the first member's place), and who is folded.
    let mut folded: Vec<Option<ParameterSpec>> = vec![None; parameters.len()];
    let mut consumed = vec![false; parameters.len()];
    for group in &groups {
        match fold(group, &parameters, style) {
            Ok(parameter) => {
                folded[group.members[0]] = Some(parameter);
                for &index in &group.members {
                    consumed[index] = true;
                }
            }
            Err(reason) => notes.warn(
                "",
                format!(
                    "{} not folded into the {} `{}`: {reason}; kept as {}",
                    member_names(group, &parameters),
                    group.kind(&parameters),
                    group.prefix,
                    if group.members.len() == 1 {
                        "it is"
                    } else {
                        "they are"
                    },
                ),
            ),
        }
    }
    let mut out = Vec::with_capacity(parameters.len());
    for (index, parameter) in parameters.into_iter().enumerate() {
        if let Some(replacement) = folded[index].take() {
            out.push(replacement);
        }
        if !consumed[index] {
            out.push(parameter);
        }
    }
    out
}

/// Dotted parameters sharing a first segment, by first appearance.
struct Group {
    prefix: String,
    /// Indices into the parameters, in document order.
    members: Vec<usize>,
}

impl Group {
    /// `list` when the segment after the prefix is a number, else `structure` (for warnings).
    fn kind(&self, parameters: &[ParameterSpec]) -> &'static str {
        let second = parameters[self.members[0]].name.split('.').nth(1);
        if second.is_some_and(is_number) {
            "list"
        } else {
            "structure"
        }
    }
}

fn groups(parameters: &[ParameterSpec]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for (index, parameter) in parameters.iter().enumerate() {
        let Some((prefix, _)) = parameter.name.split_once('.') else {
            continue;
        };
        match groups.iter_mut().find(|g| g.prefix == prefix) {
            Some(group) => group.members.push(index),
            None => groups.push(Group {
                prefix: prefix.to_owned(),
                members: vec![index],
            }),
        }
    }
    groups
}

/// `parameter `A.1` is`, `parameters `A.1`, `A.2`, `A.3`, … are`.
fn member_names(group: &Group, parameters: &[ParameterSpec]) -> String {
    let names: Vec<&str> = group
        .members
        .iter()
        .map(|&i| parameters[i].name.as_str())
        .collect();
    match names.as_slice() {
        [one] => format!("parameter `{one}` is"),
        many => format!("parameters {} are", code_list(many)),
    }
}

/// Names in backticks, the first three of a longer list then `…`.
fn code_list(names: &[&str]) -> String {
    let mut shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    if names.len() > 3 {
        shown.push("…".to_owned());
    }
    shown.join(", ")
}

/// The folded parameter's description: how it goes on the wire, which is what the metadata's
/// scalars said.
fn describe(group: &Group, parameters: &[ParameterSpec], type_name: TypeName) -> String {
    let names: Vec<&str> = group
        .members
        .iter()
        .map(|&i| parameters[i].name.as_str())
        .collect();
    if type_name != TypeName::Array {
        let list = code_list(&names);
        let end = if list.ends_with('…') { "" } else { "." };
        return format!("Sent as {list}{end}");
    }
    let first = format!("{}.1", group.prefix);
    let numbered = format!("{}.<n>", group.prefix);
    let first_item: Vec<String> = names
        .iter()
        .filter(|n| **n == first || n.starts_with(&format!("{first}.")))
        .map(|n| n.replacen(&first, &numbered, 1))
        .collect();
    let first_item: Vec<&str> = first_item.iter().map(String::as_str).collect();
    let items: std::collections::BTreeSet<&str> =
        names.iter().filter_map(|n| n.split('.').nth(1)).collect();
    format!(
        "A list of any length, each item sent as {}, numbered from 1 (the metadata lists {}).",
        code_list(&first_item),
        items.len()
    )
}

/// A segment that numbers a list item (`1`, `2`, …; `01` too, which then breaks the run).
fn is_number(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

fn rust_name(wire: &str) -> String {
    names::param_ident(wire).trim_start_matches("r#").to_owned()
}

/// The segments after the prefix, as a tree: a leaf is one of the parameters.
enum Node {
    Leaf(usize),
    Inner(Vec<(String, Node)>),
}

impl Node {
    fn insert(&mut self, segments: &[&str], leaf: usize, name: &str) -> Result<(), String> {
        let Node::Inner(children) = self else {
            return Err(format!("`{name}` has members and a value of its own"));
        };
        let (first, rest) = segments.split_first().expect("at least one segment");
        if first.is_empty() {
            return Err(format!("`{name}` has an empty segment"));
        }
        let child = match children.iter().position(|(segment, _)| segment == first) {
            Some(at) => &mut children[at].1,
            None if rest.is_empty() => {
                children.push(((*first).to_owned(), Node::Leaf(leaf)));
                return Ok(());
            }
            None => {
                children.push(((*first).to_owned(), Node::Inner(Vec::new())));
                &mut children.last_mut().expect("just pushed").1
            }
        };
        if rest.is_empty() {
            return Err(format!("`{name}` has members and a value of its own"));
        }
        child.insert(rest, leaf, name)
    }
}

/// What a folded node is: its type and parts, as parameters, members and items spell them.
struct Shape {
    type_name: TypeName,
    reference: Option<String>,
    items: Option<Box<ItemSpec>>,
    fields: Option<Vec<FieldSpec>>,
    values: Option<Vec<EnumValueSpec>>,
    description: Option<String>,
    example: Option<serde_json::Value>,
    /// Any parameter under the node is required.
    required: bool,
    /// Every parameter under the node is deprecated.
    deprecated: bool,
}

impl Shape {
    /// The shape as a list's item.
    fn item(&self) -> ItemSpec {
        ItemSpec {
            reference: self.reference.clone(),
            type_name: self.type_name,
            description: self.description.clone(),
            items: self.items.clone(),
            fields: self.fields.clone(),
            values: self.values.clone(),
        }
    }
}

fn fold(
    group: &Group,
    parameters: &[ParameterSpec],
    style: ApiStyle,
) -> Result<ParameterSpec, String> {
    let first = &parameters[group.members[0]];
    if group.prefix.is_empty() {
        return Err("their names start with a dot".to_owned());
    }
    let own = rust_name(&group.prefix);
    if let Some(other) = parameters
        .iter()
        .enumerate()
        .filter(|(index, _)| !group.members.contains(index))
        .find(|(_, p)| rust_name(p.name.split('.').next().unwrap_or(&p.name)) == own)
    {
        return Err(format!(
            "the parameter `{}` has the same Rust name (`{own}`)",
            other.1.name
        ));
    }
    for &index in &group.members {
        let parameter = &parameters[index];
        if parameter.position != first.position {
            return Err("they travel in different places".to_owned());
        }
        if !flattens(parameter, style) {
            return Err(format!(
                "`{}` is not sent flattened in the query or a form",
                parameter.name
            ));
        }
    }
    let mut root = Node::Inner(Vec::new());
    for &index in &group.members {
        let name = &parameters[index].name;
        let segments: Vec<&str> = name.split('.').skip(1).collect();
        root.insert(&segments, index, name)?;
    }
    let shape = shape(&root, parameters)?;
    let style = match shape.type_name {
        TypeName::Array => ParamStyle::RepeatList,
        _ => ParamStyle::Flat,
    };
    Ok(ParameterSpec {
        name: group.prefix.clone(),
        position: first.position,
        type_name: shape.type_name,
        reference: None,
        required: shape.required,
        style: Some(style),
        description: Some(describe(group, parameters, shape.type_name)),
        example: None,
        deprecated: shape.deprecated,
        idempotency_token: false,
        items: shape.items,
        fields: shape.fields,
        values: None,
    })
}

/// Whether the parameter goes on the wire as a member of a flattened value would: a scalar as
/// its name and its text, a list or structure flattened (`DnsConfig.Search.1`), never
/// JSON-encoded or comma-joined, in the query or a form.
fn flattens(parameter: &ParameterSpec, style: ApiStyle) -> bool {
    let scalar = !parameter.type_name.is_structured() && parameter.type_name != TypeName::Binary;
    let flattened = match parameter
        .style
        .unwrap_or(ParamStyle::default_for(parameter.type_name))
    {
        ParamStyle::Simple => scalar,
        ParamStyle::RepeatList | ParamStyle::Flat => true,
        ParamStyle::Json => false,
    };
    let place = match parameter.position {
        Position::Query | Position::FormData => true,
        Position::Body => style == ApiStyle::Rpc,
        Position::Path | Position::Header | Position::Host => false,
    };
    flattened && place && !parameter.idempotency_token
}

fn shape(node: &Node, parameters: &[ParameterSpec]) -> Result<Shape, String> {
    let children = match node {
        Node::Leaf(index) => {
            let p = &parameters[*index];
            return Ok(Shape {
                type_name: p.type_name,
                reference: p.reference.clone(),
                items: p.items.clone(),
                fields: p.fields.clone(),
                values: p.values.clone(),
                description: p.description.clone(),
                example: p.example.clone(),
                required: p.required,
                deprecated: p.deprecated,
            });
        }
        Node::Inner(children) => children,
    };
    let numbered = children.iter().filter(|(s, _)| is_number(s)).count();
    let shapes = children
        .iter()
        .map(|(_, child)| shape(child, parameters))
        .collect::<Result<Vec<Shape>, String>>()?;
    let required = shapes.iter().any(|s| s.required);
    let deprecated = shapes.iter().all(|s| s.deprecated);
    if numbered == children.len() {
        let run = (1..=children.len()).all(|n| {
            let n = n.to_string();
            children.iter().any(|(segment, _)| *segment == n)
        });
        if !run {
            return Err("the numbers do not run from 1 without gaps".to_owned());
        }
        let first_item = children
            .iter()
            .position(|(s, _)| s == "1")
            .expect("numbers start at 1");
        let item_type = signature(&shapes[first_item]);
        if shapes.iter().any(|s| signature(s) != item_type) {
            return Err("the numbered items differ in members or types".to_owned());
        }
        return Ok(Shape {
            type_name: TypeName::Array,
            reference: None,
            items: Some(Box::new(shapes[first_item].item())),
            fields: None,
            values: None,
            description: None,
            example: None,
            required,
            deprecated,
        });
    }
    if numbered > 0 {
        return Err("some segments after a common name are numbers and some are not".to_owned());
    }
    let mut taken: Vec<(String, &str)> = Vec::new();
    for (segment, _) in children {
        let rust = rust_name(segment);
        if let Some((_, other)) = taken.iter().find(|(r, _)| *r == rust) {
            return Err(format!(
                "the members `{other}` and `{segment}` need the same Rust name"
            ));
        }
        taken.push((rust, segment));
    }
    let fields = children
        .iter()
        .zip(shapes)
        .map(|((segment, _), s)| FieldSpec {
            name: segment.clone(),
            type_name: s.type_name,
            reference: s.reference,
            description: s.description,
            example: s.example,
            required: s.required,
            deprecated: s.deprecated,
            items: s.items,
            fields: s.fields,
            values: s.values,
        })
        .collect();
    Ok(Shape {
        type_name: TypeName::Object,
        reference: None,
        items: None,
        fields: Some(fields),
        values: None,
        description: None,
        example: None,
        required,
        deprecated,
    })
}

/// What makes two items the same type: member names, types and values, at every depth, in
/// any order (descriptions, examples and flags may differ).
fn signature(shape: &Shape) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for key in ["description", "example", "required", "deprecated"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
                if let Some(Value::Array(fields)) = map.get_mut("fields") {
                    fields.sort_by_key(|f| f.get("name").map(Value::to_string));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(shape.item()).expect("the spec model serializes");
    strip(&mut value);
    value
}
