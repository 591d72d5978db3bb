//! Value types: scalars, lists, maps, inline structs and enums, and the named types of
//! `service.yaml` that operations refer to with `ref`.
//!
//! An inline struct or enum is named after the member that holds it (`SystemDisk`, list items
//! `TagsItem`, map values `LabelsValue`), prefixed with its parent's name only when the short
//! name is taken, so names stay short and readable and do not change when unrelated parts of
//! the spec change.

use std::collections::{BTreeMap, HashMap};

use super::{Reporter, example_text};
use crate::ir::{self, Docs, Field, TypeDef, TypeRef, TypeScope};
use crate::model::{EnumValueSpec, FieldSpec, ItemSpec, NamedTypeSpec, TypeName};
use crate::names;
use crate::rules::MAX_NESTING;
use crate::source::FieldPath;

/// The named types of a service, by the name specs refer to them with.
#[derive(Default)]
pub(super) struct SharedTypes {
    by_name: HashMap<String, (String, TypeName)>,
}

/// Declares and lowers `service.yaml`'s `types`.
pub(super) fn lower_named_types(
    report: &mut Reporter<'_>,
    specs: &[NamedTypeSpec],
) -> (SharedTypes, Vec<TypeDef>) {
    let root = FieldPath::default().key("types");
    let mut shared = SharedTypes::default();
    let mut rust_names: HashMap<String, String> = HashMap::new();
    for (index, spec) in specs.iter().enumerate() {
        let path = root.index(index);
        let rust = names::upper_camel_base(&spec.name);
        if !matches!(spec.type_name, TypeName::Object | TypeName::Enum) {
            report.error(
                &path.key("type"),
                format!(
                    "a named type is an `object` or an `enum`, not `{}`",
                    spec.type_name.as_str()
                ),
            );
        }
        if spec.name.is_empty() || names::generated::PRELUDE_TYPES.contains(&rust.as_str()) {
            report.error(
                &path.key("name"),
                format!(
                    "`{}` cannot name a type: generated code uses `{rust}` from Rust's prelude",
                    spec.name
                ),
            );
            continue;
        }
        if let Some(other) = rust_names.insert(rust.clone(), spec.name.clone()) {
            report.error(
                &path.key("name"),
                format!(
                    "types `{other}` and `{}` both become the Rust type `{rust}`",
                    spec.name
                ),
            );
            continue;
        }
        shared
            .by_name
            .insert(spec.name.clone(), (rust, spec.type_name));
    }
    let mut lowering = TypeLowering::new(
        report,
        &shared,
        TypeScope::Service,
        rust_names.keys().cloned(),
    );
    let mut defs = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let Some((rust, _)) = shared.by_name.get(&spec.name) else {
            continue;
        };
        let path = root.index(index);
        let docs = Docs {
            description: spec.description.clone(),
            example: None,
        };
        match spec.type_name {
            TypeName::Object => {
                let fields = lowering.fields(
                    spec.fields.as_deref().unwrap_or_default(),
                    rust,
                    &path.key("fields"),
                    1,
                );
                defs.push(TypeDef::Struct(ir::StructDef {
                    name: rust.clone(),
                    sides: ir::Sides::default(),
                    eq: true,
                    docs,
                    fields,
                }));
            }
            TypeName::Enum => {
                let values = lowering.enum_values(spec.values.as_deref(), &path);
                defs.push(TypeDef::Enum(ir::EnumDef {
                    name: rust.clone(),
                    sides: ir::Sides::default(),
                    docs,
                    values,
                }));
            }
            _ => {}
        }
    }
    defs.extend(lowering.types);
    defs.sort_by(|a, b| a.name().cmp(b.name()));
    (shared, defs)
}

/// Everything a field, parameter or item says about its type.
pub(super) struct TypeParts<'s> {
    pub type_name: TypeName,
    pub reference: Option<&'s String>,
    pub items: Option<&'s ItemSpec>,
    pub fields: Option<&'s [FieldSpec]>,
    pub values: Option<&'s [EnumValueSpec]>,
    pub description: Option<&'s String>,
}

impl<'s> TypeParts<'s> {
    pub(super) fn of_field(spec: &'s FieldSpec) -> Self {
        TypeParts {
            type_name: spec.type_name,
            reference: spec.reference.as_ref(),
            items: spec.items.as_deref(),
            fields: spec.fields.as_deref(),
            values: spec.values.as_deref(),
            description: spec.description.as_ref(),
        }
    }

    fn of_item(spec: &'s ItemSpec) -> Self {
        TypeParts {
            type_name: spec.type_name,
            reference: spec.reference.as_ref(),
            items: spec.items.as_deref(),
            fields: spec.fields.as_deref(),
            values: spec.values.as_deref(),
            description: spec.description.as_ref(),
        }
    }
}

/// Where an inline type sits, for its name: the enclosing type's Rust name and the member's.
#[derive(Clone, Copy)]
pub(super) struct Naming<'n> {
    pub parent: &'n str,
    pub member: &'n str,
    pub suffix: &'n str,
}

/// Lowers the value types of one scope (an operation's module, or the crate's `types`).
pub(super) struct TypeLowering<'r, 'a> {
    pub report: &'r mut Reporter<'a>,
    shared: &'r SharedTypes,
    scope: TypeScope,
    /// Inline types created so far.
    pub types: Vec<TypeDef>,
    /// Rust type names taken in the scope, with who took them.
    taken: HashMap<String, String>,
}

impl<'r, 'a> TypeLowering<'r, 'a> {
    /// A lowering for `scope`, where the `reserved` names are already taken.
    pub(super) fn new(
        report: &'r mut Reporter<'a>,
        shared: &'r SharedTypes,
        scope: TypeScope,
        reserved: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut taken: HashMap<String, String> = names::generated::PRELUDE_TYPES
            .iter()
            .map(|name| ((*name).to_owned(), "Rust's prelude".to_owned()))
            .collect();
        for name in reserved {
            taken.insert(name, "the generated code".to_owned());
        }
        TypeLowering {
            report,
            shared,
            scope,
            types: Vec::new(),
            taken,
        }
    }

    /// A free name for an inline type: the member's own, else prefixed with its parent's,
    /// else numbered. Members with a generic name (`Body`, `Type`, `Items`) always get the
    /// prefix, so `CreateClusterNodePoolBody` rather than `Body`.
    fn inline_name(&mut self, naming: Naming<'_>, path: &FieldPath) -> String {
        let member = names::upper_camel_base(naming.member);
        let short = format!("{member}{}", naming.suffix);
        let long = format!("{}{member}{}", naming.parent, naming.suffix);
        let candidates = if names::GENERIC_MEMBER_NAMES.contains(&member.as_str()) {
            vec![long.clone()]
        } else {
            vec![short, long.clone()]
        };
        let name = candidates
            .into_iter()
            .find(|name| !self.taken.contains_key(name))
            .unwrap_or_else(|| {
                (2..)
                    .map(|n| format!("{long}{n}"))
                    .find(|name| !self.taken.contains_key(name))
                    .expect("some numbered name is free")
            });
        self.taken.insert(name.clone(), path.to_string());
        name
    }

    /// The Rust type of a value; `depth` counts the objects, lists and maps around it.
    pub(super) fn type_ref(
        &mut self,
        parts: TypeParts<'_>,
        naming: Naming<'_>,
        path: &FieldPath,
        depth: usize,
    ) -> TypeRef {
        let allowed = |key: &str| match key {
            "items" => matches!(parts.type_name, TypeName::Array | TypeName::Map),
            "fields" => parts.type_name == TypeName::Object && parts.reference.is_none(),
            "values" => parts.type_name == TypeName::Enum && parts.reference.is_none(),
            _ => matches!(parts.type_name, TypeName::Object | TypeName::Enum),
        };
        for (key, present) in [
            ("items", parts.items.is_some()),
            ("fields", parts.fields.is_some()),
            ("values", parts.values.is_some()),
            ("ref", parts.reference.is_some()),
        ] {
            if present && !allowed(key) {
                let reason = if parts.reference.is_some() {
                    format!("`{key}` does not apply to a value of a named type (`ref`)")
                } else {
                    format!(
                        "`{key}` does not apply to type `{}`",
                        parts.type_name.as_str()
                    )
                };
                self.report.error(&path.key(key), reason);
            }
        }
        if depth > MAX_NESTING {
            self.report.error(
                path,
                format!(
                    "types may nest at most {MAX_NESTING} levels deep; give a deeper part a named type (`ref`) or type `any`"
                ),
            );
            return TypeRef::Any;
        }
        if let Some(reference) = parts.reference {
            return self.named(reference, parts.type_name, &path.key("ref"));
        }
        match parts.type_name {
            TypeName::String => TypeRef::String,
            TypeName::Int32 => TypeRef::Int32,
            TypeName::Int64 => TypeRef::Int64,
            TypeName::Float => TypeRef::Float,
            TypeName::Double => TypeRef::Double,
            TypeName::Boolean => TypeRef::Boolean,
            TypeName::Any => TypeRef::Any,
            TypeName::Binary => {
                self.report.error(
                    &path.key("type"),
                    "type `binary` is only for a parameter that is the whole request body (`in: body`)",
                );
                TypeRef::Any
            }
            TypeName::Array | TypeName::Map => {
                let Some(items) = parts.items else {
                    self.report.error(
                        path,
                        format!(
                            "type `{}` needs `items` to say what it holds",
                            parts.type_name.as_str()
                        ),
                    );
                    return TypeRef::Any;
                };
                let suffix = if parts.type_name == TypeName::Array {
                    format!("{}Item", naming.suffix)
                } else {
                    format!("{}Value", naming.suffix)
                };
                let inner = self.type_ref(
                    TypeParts::of_item(items),
                    Naming {
                        suffix: &suffix,
                        ..naming
                    },
                    &path.key("items"),
                    depth + 1,
                );
                if parts.type_name == TypeName::Array {
                    TypeRef::List(Box::new(inner))
                } else {
                    TypeRef::Map(Box::new(inner))
                }
            }
            TypeName::Object => {
                let name = self.inline_name(naming, path);
                let fields = self.fields(
                    parts.fields.unwrap_or_default(),
                    &name,
                    &path.key("fields"),
                    depth + 1,
                );
                self.types.push(TypeDef::Struct(ir::StructDef {
                    name: name.clone(),
                    sides: ir::Sides::default(),
                    eq: true,
                    docs: Docs {
                        description: parts.description.cloned(),
                        example: None,
                    },
                    fields,
                }));
                TypeRef::Named {
                    name,
                    scope: self.scope,
                }
            }
            TypeName::Enum => {
                let values = self.enum_values(parts.values, path);
                let name = self.inline_name(naming, path);
                self.types.push(TypeDef::Enum(ir::EnumDef {
                    name: name.clone(),
                    sides: ir::Sides::default(),
                    docs: Docs {
                        description: parts.description.cloned(),
                        example: None,
                    },
                    values,
                }));
                TypeRef::Named {
                    name,
                    scope: self.scope,
                }
            }
        }
    }

    fn named(&mut self, reference: &str, type_name: TypeName, path: &FieldPath) -> TypeRef {
        match self.shared.by_name.get(reference) {
            Some((rust, kind)) if *kind == type_name => TypeRef::Named {
                name: rust.clone(),
                scope: TypeScope::Service,
            },
            Some((_, kind)) => {
                self.report.error(
                    path,
                    format!(
                        "`{reference}` is an `{}`, but the value is declared `{}`",
                        kind.as_str(),
                        type_name.as_str()
                    ),
                );
                TypeRef::Any
            }
            None => {
                let known: Vec<&str> = {
                    let mut known: Vec<&str> =
                        self.shared.by_name.keys().map(String::as_str).collect();
                    known.sort_unstable();
                    known
                };
                self.report.error(
                    path,
                    if known.is_empty() {
                        format!("`{reference}` names no type: `service.yaml` declares no `types`")
                    } else {
                        format!(
                            "`{reference}` names no type of `service.yaml` (it has {})",
                            known.join(", ")
                        )
                    },
                );
                TypeRef::Any
            }
        }
    }

    pub(super) fn enum_values(
        &mut self,
        values: Option<&[EnumValueSpec]>,
        path: &FieldPath,
    ) -> Vec<ir::EnumValue> {
        let values = values.unwrap_or_default();
        if values.is_empty() {
            self.report
                .error(path, "type `enum` needs a non-empty `values` list");
        }
        let mut variants: HashMap<String, &str> = HashMap::new();
        let mut lowered = Vec::new();
        for (index, value) in values.iter().enumerate() {
            let variant = names::upper_camel_ident(&value.value);
            let value_path = path.key("values").index(index).key("value");
            if variant == names::generated::UNKNOWN {
                self.report.error(
                    &value_path,
                    "the variant name `Unknown` is reserved for values the client does not know",
                );
            } else if let Some(other) = variants.insert(variant.clone(), &value.value) {
                self.report.error(
                    &value_path,
                    format!(
                        "values `{other}` and `{}` both become the Rust variant `{variant}`",
                        value.value
                    ),
                );
            }
            lowered.push(ir::EnumValue {
                wire: value.value.clone(),
                variant,
                description: value.description.clone(),
            });
        }
        lowered
    }

    /// The members of a struct named `parent`.
    pub(super) fn fields(
        &mut self,
        specs: &[FieldSpec],
        parent: &str,
        path: &FieldPath,
        depth: usize,
    ) -> Vec<Field> {
        let mut claimed: BTreeMap<String, String> = BTreeMap::new();
        specs
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let path = path.index(index);
                let ident = names::snake_ident(&spec.name);
                let bare = ident.trim_start_matches("r#").to_owned();
                if let Some(other) = claimed.insert(bare.clone(), spec.name.clone()) {
                    self.report.error(
                        &path.key("name"),
                        format!(
                            "`{}` and `{other}` collide after conversion to Rust: both need `{bare}`",
                            spec.name
                        ),
                    );
                }
                let ty = self.type_ref(
                    TypeParts::of_field(spec),
                    Naming {
                        parent,
                        member: &spec.name,
                        suffix: "",
                    },
                    &path,
                    depth,
                );
                Field {
                    wire_name: spec.name.clone(),
                    ident,
                    ty,
                    required: spec.required,
                    deprecated: spec.deprecated,
                    placement: None,
                    docs: Docs {
                        description: spec.description.clone(),
                        example: spec.example.as_ref().map(example_text),
                    },
                }
            })
            .collect()
    }
}
