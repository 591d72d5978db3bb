//! OpenMeta → spec model.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use acs_spec::model::{
    AccessLevel, ApiStyle, BodyFormat, EndpointSpec, EnumValueSpec, ErrorSpec, FieldSpec,
    HttpMethod, ItemSpec, NamedTypeSpec, OperationRamSpec, OperationSpec, OperationType,
    ParamStyle, ParameterSpec, Position, RamResourceSpec, ResourceTypeSpec, ResponseBodySpec,
    ServiceRamSpec, ServiceSpec, TypeName,
};
use acs_spec::{names, rules};
use serde_json::{Map, Value};

use crate::openmeta::{self, Api, Document};
use crate::{ImportError, Imported, Refusal, RefusalReason};

/// Nesting deeper than this becomes `any` (guards against pathological schemas).
const MAX_DEPTH: usize = 32;

/// Converts an OpenMeta `api-docs.json` (or a single-operation extract) into specs. `only`
/// restricts the import to the named operations.
pub fn import_openmeta(json: &str, only: Option<&[String]>) -> Result<Imported, ImportError> {
    let document: Document = serde_json::from_str(json)
        .map_err(|e| ImportError::Invalid(format!("not a JSON object: {e}")))?;
    let mut apis = document.apis.clone();
    if let (Some(name), Some(api)) = (&document.api_name, &document.api) {
        apis.insert(name.clone(), api.clone());
    }
    let product = document.info.product.trim().to_ascii_lowercase();
    let version = document.info.version.trim().to_owned();
    if product.is_empty() || version.is_empty() {
        return Err(ImportError::Invalid(
            "`info.product` and `info.version` are missing: not an OpenMeta api-docs.json".into(),
        ));
    }
    if apis.is_empty() {
        return Err(ImportError::Invalid(format!(
            "{product} {version}: the metadata lists no operations (`apis`)"
        )));
    }
    let mut selected: Vec<String> = apis.keys().cloned().collect();
    if let Some(only) = only {
        let unknown: Vec<String> = only
            .iter()
            .filter(|name| !apis.contains_key(name.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(ImportError::UnknownOperations(unknown));
        }
        selected.retain(|name| only.contains(name));
    }
    selected.sort();

    let style = match api_style(&document.info.style, &apis) {
        Ok(style) => style,
        Err(message) => {
            return Err(ImportError::Refused {
                product,
                version,
                reason: RefusalReason::Style,
                message,
                operations: selected,
            });
        }
    };

    let mut warnings = Vec::new();
    let mut service = convert_service(&document, &product, &version, style, &mut warnings);
    let converter = Converter {
        schemas: &document.components.schemas,
        style,
        nameable: nameable_components(&document.components.schemas),
        used: RefCell::default(),
    };
    let mut converted = Vec::new();
    let mut refused = Vec::new();
    for name in &selected {
        // A shape we cannot read is refused by name, never imported as an empty operation.
        let api: Api = match serde_json::from_value(apis[name.as_str()].clone()) {
            Ok(api) => api,
            Err(error) => {
                refused.push(Refusal {
                    operation: name.clone(),
                    reason: RefusalReason::Unreadable,
                    message: format!("unreadable operation metadata: {error}"),
                });
                continue;
            }
        };
        let mut op_warnings = Vec::new();
        match converter.operation(name, &api, &mut op_warnings) {
            Ok(spec) => {
                warnings.extend(op_warnings.into_iter().map(|w| format!("{name}: {w}")));
                converted.push(spec);
            }
            Err((reason, message)) => refused.push(Refusal {
                operation: name.clone(),
                reason,
                message,
            }),
        }
    }
    service.types = converter.named_types(&mut warnings);

    // Safety net: whatever is written must pass the spec checks, so the generator never fails
    // on an imported folder. Operations that do not are refused with the checks' words.
    let (mut operations, rejected, _) = validate(&service, converted)?;
    refused.extend(rejected);
    crate::shared::share_repeated_structures(&mut service.types, &mut operations);
    let (operations, rejected, load_warnings) = validate(&service, operations)?;
    if let Some(refusal) = rejected.first() {
        return Err(ImportError::Invalid(format!(
            "sharing repeated structures broke `{}` (a bug in the importer): {}",
            refusal.operation, refusal.message
        )));
    }
    warnings.extend(load_warnings);
    refused.sort();
    Ok(Imported {
        product,
        version,
        service,
        operations,
        refused,
        warnings,
    })
}

/// The spec style of an API version from its `info.style`: see the crate docs.
fn api_style(declared: &str, apis: &Map<String, Value>) -> Result<ApiStyle, String> {
    match declared.trim().to_ascii_uppercase().as_str() {
        "RPC" => Ok(ApiStyle::Rpc),
        "ROA" | "FC" => Ok(ApiStyle::Roa),
        "V3" => {
            let has_path = apis.values().any(|api| {
                api.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|path| !matches!(path.trim(), "" | "/"))
            });
            Ok(if has_path { ApiStyle::Roa } else { ApiStyle::Rpc })
        }
        "OSS" => Err("API style OSS (XML bodies, bucket host names, OSS signing) cannot be called by the runtime".to_owned()),
        "ALIGENIE" => Err("API style AliGenie authenticates with AliGenie's own schemes (AliGenie_Auth_SPI, tokens) at openapi.aligenie.com, which the runtime does not implement".to_owned()),
        "" => Err("the metadata names no API style (`info.style`)".to_owned()),
        _ => Err(format!(
            "API style `{declared}` is not supported (only RPC, ROA, V3 and FC)"
        )),
    }
}

/// Loads the service with `operations`, refusing those with errors (and loading the rest
/// again): the operations that load, the refused ones with their reasons, and the warnings.
#[allow(clippy::type_complexity)]
fn validate(
    service: &ServiceSpec,
    mut operations: Vec<OperationSpec>,
) -> Result<(Vec<OperationSpec>, Vec<Refusal>, Vec<String>), ImportError> {
    let service_file = spec_file("service.yaml", crate::service_yaml(service, "check"));
    let mut refused = Vec::new();
    loop {
        let files: Vec<acs_spec::SpecFile> = operations
            .iter()
            .map(|op| {
                spec_file(
                    &format!("{}.yaml", op.name),
                    crate::operation_yaml(op, "check"),
                )
            })
            .collect();
        let errors = match acs_spec::load_service(&service_file, &files) {
            Ok(loaded) => {
                let warnings = loaded
                    .warnings
                    .iter()
                    .map(|d| {
                        let file = d.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                        format!("{file}: {}", d.message)
                    })
                    .collect();
                return Ok((operations, refused, warnings));
            }
            Err(errors) => errors.diagnostics,
        };
        let mut by_operation: BTreeMap<String, Vec<acs_spec::Diagnostic>> = BTreeMap::new();
        for diagnostic in errors {
            let stem = diagnostic
                .file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            by_operation.entry(stem).or_default().push(diagnostic);
        }
        if let Some(service_errors) = by_operation.get("service") {
            return Err(ImportError::Invalid(format!(
                "the service would not load: {}",
                diagnostics_text(service_errors)
            )));
        }
        let before = operations.len();
        operations.retain(|op| !by_operation.contains_key(&op.name));
        for (name, diagnostics) in by_operation {
            refused.push(Refusal {
                operation: name,
                reason: RefusalReason::Invalid,
                message: format!(
                    "the converted spec would not load: {}",
                    diagnostics_text(&diagnostics)
                ),
            });
        }
        if operations.len() == before {
            return Err(ImportError::Invalid(
                "the converted specs would not load, for reasons naming no operation".into(),
            ));
        }
    }
}

fn spec_file(name: &str, text: String) -> acs_spec::SpecFile {
    acs_spec::SpecFile {
        path: PathBuf::from(name),
        text,
    }
}

fn diagnostics_text(diagnostics: &[acs_spec::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            if d.field_path.is_empty() {
                d.message.clone()
            } else {
                format!("at `{}`: {}", d.field_path, d.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn convert_service(
    document: &Document,
    product: &str,
    version: &str,
    style: ApiStyle,
    warnings: &mut Vec<String>,
) -> ServiceSpec {
    let mut endpoints: Vec<EndpointSpec> = Vec::new();
    for raw in &document.endpoints {
        let endpoint: openmeta::Endpoint = serde_json::from_value(raw.clone()).unwrap_or_default();
        let region = endpoint.region_id.trim().to_owned();
        let public = [&endpoint.public, &endpoint.endpoint]
            .into_iter()
            .map(|host| host.trim())
            .find(|host| !host.is_empty())
            .map(str::to_owned);
        let Some(public) = public.filter(|_| !region.is_empty()) else {
            warnings.push(format!(
                "service: endpoint entry for region `{region}` has no host; skipped"
            ));
            continue;
        };
        if endpoints.iter().any(|e| e.region == region) {
            warnings.push(format!(
                "service: region `{region}` is listed twice in endpoints; kept the first"
            ));
            continue;
        }
        let vpc = Some(endpoint.vpc.trim().to_owned()).filter(|vpc| !vpc.is_empty());
        endpoints.push(EndpointSpec {
            region,
            public,
            vpc,
        });
    }
    let ram = document.ram.as_ref().and_then(|ram| {
        let code = ram
            .ram_codes
            .iter()
            .map(|c| c.trim())
            .find(|c| !c.is_empty())
            .map(str::to_owned)
            .or_else(|| Some(ram.product_code.trim().to_ascii_lowercase()))
            .filter(|c| !c.is_empty())?;
        let resource_types = ram
            .resource_types
            .iter()
            .filter(|r| !r.resource_type.is_empty() && !r.arn.is_empty())
            .map(|r| ResourceTypeSpec {
                name: r.resource_type.clone(),
                arn: r.arn.clone(),
            })
            .collect();
        Some(ServiceRamSpec {
            code,
            resource_types,
        })
    });
    let title = document
        .ram
        .as_ref()
        .map(|ram| ram.product_name.trim())
        .filter(|name| !name.is_empty())
        .unwrap_or(document.info.product.trim())
        .to_owned();
    ServiceSpec {
        product: product.to_owned(),
        title,
        api_version: version.to_owned(),
        style,
        package: None,
        crate_version: None,
        description: None,
        endpoints,
        ram,
        types: Vec::new(),
    }
}

struct Converter<'a> {
    schemas: &'a Map<String, Value>,
    style: ApiStyle,
    /// Components that become named types (objects with members, string enums), by name.
    nameable: BTreeMap<String, TypeName>,
    /// Named components the converted operations refer to.
    used: RefCell<BTreeSet<String>>,
}

/// Which components become named types: objects with members and string enums whose Rust names
/// are free (unique, not a prelude name). Others are inlined where they are referred to.
fn nameable_components(schemas: &Map<String, Value>) -> BTreeMap<String, TypeName> {
    let mut by_rust: HashMap<String, Vec<&String>> = HashMap::new();
    for name in schemas.keys() {
        by_rust
            .entry(names::upper_camel_base(name))
            .or_default()
            .push(name);
    }
    let probe = Converter {
        schemas,
        style: ApiStyle::Rpc,
        nameable: BTreeMap::new(),
        used: RefCell::default(),
    };
    schemas
        .iter()
        .filter(|(name, _)| {
            let rust = names::upper_camel_base(name);
            by_rust[&rust].len() == 1
                && !names::generated::PRELUDE_TYPES.contains(&rust.as_str())
                && !name.is_empty()
        })
        .filter_map(|(name, schema)| {
            if schema.get("$ref").is_some() {
                return None;
            }
            let has_members = schema
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            let declared = schema.get("type").and_then(Value::as_str).unwrap_or("");
            if has_members && matches!(declared, "object" | "") {
                return Some((name.clone(), TypeName::Object));
            }
            let enum_like = matches!(declared, "string" | "")
                && (schema.get("enum").is_some() || schema.get("enumValueTitles").is_some());
            (enum_like
                && probe
                    .string_or_enum(schema, name, &mut Vec::new())
                    .type_name
                    == TypeName::Enum)
                .then(|| (name.clone(), TypeName::Enum))
        })
        .collect()
}

/// A converted type: what a parameter, field or item says about its value.
struct Ty {
    type_name: TypeName,
    reference: Option<String>,
    items: Option<Box<ItemSpec>>,
    fields: Option<Vec<FieldSpec>>,
    values: Option<Vec<EnumValueSpec>>,
}

impl Ty {
    fn simple(type_name: TypeName) -> Ty {
        Ty {
            type_name,
            reference: None,
            items: None,
            fields: None,
            values: None,
        }
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Examples are kept as the metadata writes them (numbers often as strings); empty ones are
/// dropped.
fn example(value: Option<&Value>) -> Option<Value> {
    match value? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(Value::String(s.trim().to_owned())),
        Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
            Some(Value::String(n.to_string()))
        }
        other => Some(other.clone()),
    }
}

fn description(schema: &Value) -> Option<String> {
    text(schema.get("description")).or_else(|| text(schema.get("title")))
}

/// Whether a member looks superseded: marked deprecated, or described as going away (ECS
/// documents its lower-case `key`/`value` tag members that way without marking them).
fn legacy(deprecated: bool, description: Option<&String>) -> bool {
    deprecated
        || description.is_some_and(|d| {
            let d = d.to_ascii_lowercase();
            d.contains("deprecated") || d.contains("will be removed") || d.contains("废弃")
        })
}

/// Drops members whose Rust names collide with another member's. Which one goes: the legacy
/// one (see [`legacy`]) when only one is; else the one whose name does not start with an
/// upper-case letter (Alibaba's names are UpperCamelCase) when only one does not; else the
/// later one.
fn drop_colliding<T>(
    items: Vec<T>,
    name: impl Fn(&T) -> &str,
    is_legacy: impl Fn(&T) -> bool,
    what: &str,
    warnings: &mut Vec<String>,
) -> Vec<T> {
    let rank = |item: &T| {
        (
            is_legacy(item),
            !name(item).starts_with(|c: char| c.is_ascii_uppercase()),
        )
    };
    let mut keep: Vec<Option<T>> = Vec::new();
    let mut taken: HashMap<String, usize> = HashMap::new();
    for item in items {
        let index = keep.len();
        let mine = [names::param_ident(name(&item))
            .trim_start_matches("r#")
            .to_owned()];
        let clash = mine.iter().find_map(|c| taken.get(c).copied());
        let Some(other) = clash else {
            for c in mine {
                taken.insert(c, index);
            }
            keep.push(Some(item));
            continue;
        };
        let other_item = keep[other].as_ref().expect("kept items are present");
        let other_name = name(other_item).to_owned();
        let item_name = name(&item).to_owned();
        if rank(other_item) > rank(&item) {
            let note = if is_legacy(other_item) { " legacy" } else { "" };
            warnings.push(format!(
                "{what} `{other_name}` and `{item_name}` need the same Rust name; dropped the{note} `{other_name}`"
            ));
            taken.retain(|_, i| *i != other);
            for c in mine {
                taken.insert(c, other);
            }
            keep[other] = Some(item);
        } else {
            let note = if is_legacy(&item) { " legacy" } else { "" };
            warnings.push(format!(
                "{what} `{item_name}` and `{other_name}` need the same Rust name; dropped the{note} `{item_name}`"
            ));
        }
    }
    keep.into_iter().flatten().collect()
}

impl Converter<'_> {
    /// Follows `$ref`s: the referenced schema with the referring node's own keys on top.
    /// `None` (type `any`, with a warning) for a dangling or recursive reference. Pushes the
    /// names followed onto `stack`; the caller pops `pushed` of them.
    fn deref(
        &self,
        schema: &Value,
        at: &str,
        stack: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> Option<(Value, usize)> {
        let mut current = schema.clone();
        let mut pushed = 0;
        while let Some(reference) = current
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or(&reference)
                .to_owned();
            let target = self.schemas.get(&name);
            let problem = if target.is_none() {
                Some(format!(
                    "{at}: `$ref` `{reference}` names no schema in the metadata; using type `any`"
                ))
            } else if stack.contains(&name) {
                Some(format!(
                    "{at}: `$ref` `{reference}` refers to itself (recursive schema); using type `any`"
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                warnings.push(problem);
                stack.truncate(stack.len() - pushed);
                return None;
            }
            stack.push(name);
            pushed += 1;
            let mut merged = target.cloned().unwrap_or_default();
            if let (Value::Object(merged), Value::Object(own)) = (&mut merged, &current) {
                for (key, value) in own {
                    if key != "$ref" {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
            current = merged;
        }
        Some((current, pushed))
    }

    /// The named type a `$ref` refers to, when its component becomes one.
    fn named_component(&self, schema: &Value) -> Option<(String, TypeName)> {
        let reference = schema.get("$ref")?.as_str()?;
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or(reference);
        let kind = *self.nameable.get(name)?;
        self.used.borrow_mut().insert(name.to_owned());
        Some((name.to_owned(), kind))
    }

    /// The named types for every component the converted operations (and those types) refer
    /// to, sorted by name.
    fn named_types(&self, warnings: &mut Vec<String>) -> Vec<NamedTypeSpec> {
        let mut done: BTreeMap<String, NamedTypeSpec> = BTreeMap::new();
        loop {
            let pending: Vec<String> = self
                .used
                .borrow()
                .iter()
                .filter(|name| !done.contains_key(*name))
                .cloned()
                .collect();
            if pending.is_empty() {
                return done.into_values().collect();
            }
            for name in pending {
                let schema = &self.schemas[&name];
                let at = format!("components.schemas.{name}");
                let ty = self.ty(schema, &at, &mut Vec::new(), warnings);
                done.insert(
                    name.clone(),
                    NamedTypeSpec {
                        name,
                        type_name: ty.type_name,
                        description: description(schema),
                        fields: ty.fields,
                        values: ty.values,
                    },
                );
            }
        }
    }

    /// The type of `schema` (after following `$ref`s) and the resolved schema.
    fn node(
        &self,
        schema: &Value,
        at: &str,
        stack: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> (Ty, Value) {
        if stack.len() > MAX_DEPTH {
            warnings.push(format!("{at}: nested too deeply; using type `any`"));
            return (Ty::simple(TypeName::Any), schema.clone());
        }
        if let Some((name, kind)) = self.named_component(schema) {
            // The value's own documentation (on the referring node) comes first.
            let resolved = match (self.schemas.get(&name), schema) {
                (Some(Value::Object(target)), Value::Object(own)) => {
                    let mut merged = target.clone();
                    merged.extend(
                        own.iter()
                            .filter(|(k, _)| *k != "$ref")
                            .map(|(k, v)| (k.clone(), v.clone())),
                    );
                    Value::Object(merged)
                }
                _ => schema.clone(),
            };
            return (
                Ty {
                    reference: Some(name),
                    ..Ty::simple(kind)
                },
                resolved,
            );
        }
        let Some((resolved, pushed)) = self.deref(schema, at, stack, warnings) else {
            return (Ty::simple(TypeName::Any), schema.clone());
        };
        // Count nesting too, so deep inline schemas stop as well.
        stack.push(String::new());
        let ty = self.ty(&resolved, at, stack, warnings);
        stack.truncate(stack.len() - pushed - 1);
        (ty, resolved)
    }

    fn ty(
        &self,
        schema: &Value,
        at: &str,
        stack: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> Ty {
        let declared = schema.get("type").and_then(Value::as_str).unwrap_or("");
        let properties = schema.get("properties").and_then(Value::as_object);
        let kind = match declared {
            "" if properties.is_some() => "object",
            "" if schema.get("items").is_some() => "array",
            "" if schema.get("enum").is_some() || schema.get("enumValueTitles").is_some() => {
                "string"
            }
            other => other,
        };
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        match kind {
            "string" => self.string_or_enum(schema, at, warnings),
            "integer" => Ty::simple(if format == "int32" {
                TypeName::Int32
            } else {
                TypeName::Int64
            }),
            "number" => Ty::simple(if format == "float" {
                TypeName::Float
            } else {
                TypeName::Double
            }),
            "boolean" => Ty::simple(TypeName::Boolean),
            "array" => {
                let items = match schema.get("items") {
                    Some(items) => self.item(items, &format!("{at}[]"), stack, warnings),
                    None => ItemSpec {
                        reference: None,
                        type_name: TypeName::Any,
                        description: None,
                        items: None,
                        fields: None,
                        values: None,
                    },
                };
                Ty {
                    items: Some(Box::new(items)),
                    ..Ty::simple(TypeName::Array)
                }
            }
            "object" => {
                if let Some(properties) = properties.filter(|p| !p.is_empty()) {
                    let fields = self.fields(schema, properties, at, stack, warnings);
                    return Ty {
                        fields: Some(fields),
                        ..Ty::simple(TypeName::Object)
                    };
                }
                match schema.get("additionalProperties") {
                    Some(Value::Object(value)) if !value.is_empty() => Ty {
                        items: Some(Box::new(self.item(
                            &Value::Object(value.clone()),
                            &format!("{at}{{}}"),
                            stack,
                            warnings,
                        ))),
                        ..Ty::simple(TypeName::Map)
                    },
                    Some(Value::Object(_) | Value::Bool(true)) => Ty {
                        items: Some(Box::new(ItemSpec {
                            reference: None,
                            type_name: TypeName::Any,
                            description: None,
                            items: None,
                            fields: None,
                            values: None,
                        })),
                        ..Ty::simple(TypeName::Map)
                    },
                    _ => Ty::simple(TypeName::Any),
                }
            }
            "any" | "" => Ty::simple(TypeName::Any),
            other => {
                warnings.push(format!("{at}: unknown type `{other}`; using type `any`"));
                Ty::simple(TypeName::Any)
            }
        }
    }

    fn string_or_enum(&self, schema: &Value, at: &str, warnings: &mut Vec<String>) -> Ty {
        let titles = schema.get("enumValueTitles").and_then(Value::as_object);
        let mut values: Vec<String> = Vec::new();
        let as_text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(list) = schema.get("enum").and_then(Value::as_array) {
            values.extend(list.iter().map(as_text));
        }
        if values.is_empty()
            && let Some(titles) = titles
        {
            values.extend(titles.keys().cloned());
        }
        let mut unique: Vec<String> = Vec::new();
        for value in values {
            if !unique.contains(&value) {
                unique.push(value);
            }
        }
        if unique.is_empty() {
            return Ty::simple(TypeName::String);
        }
        let mut variants: HashMap<String, &str> = HashMap::new();
        for value in &unique {
            let variant = names::upper_camel_ident(value);
            let clash = if variant == "Unknown" {
                Some(format!(
                    "{at}: enum value `{value}` would take the reserved variant name `Unknown`; using type `string`"
                ))
            } else {
                variants.insert(variant.clone(), value).map(|other| {
                    format!(
                        "{at}: enum values `{other}` and `{value}` both become the Rust variant `{variant}`; using type `string`"
                    )
                })
            };
            if let Some(clash) = clash {
                warnings.push(clash);
                return Ty::simple(TypeName::String);
            }
        }
        let values = unique
            .into_iter()
            .map(|value| {
                let description = titles
                    .and_then(|t| text(t.get(&value)))
                    .filter(|title| *title != value);
                EnumValueSpec { value, description }
            })
            .collect();
        Ty {
            values: Some(values),
            ..Ty::simple(TypeName::Enum)
        }
    }

    fn item(
        &self,
        schema: &Value,
        at: &str,
        stack: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> ItemSpec {
        let (ty, resolved) = self.node(schema, at, stack, warnings);
        ItemSpec {
            reference: ty.reference,
            type_name: ty.type_name,
            description: description(&resolved),
            items: ty.items,
            fields: ty.fields,
            values: ty.values,
        }
    }

    fn fields(
        &self,
        parent: &Value,
        properties: &Map<String, Value>,
        at: &str,
        stack: &mut Vec<String>,
        warnings: &mut Vec<String>,
    ) -> Vec<FieldSpec> {
        let required_list: Vec<&str> = parent
            .get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = properties
            .iter()
            .map(|(name, schema)| {
                let (ty, resolved) = self.node(schema, &format!("{at}.{name}"), stack, warnings);
                FieldSpec {
                    reference: ty.reference,
                    name: name.clone(),
                    type_name: ty.type_name,
                    description: description(&resolved),
                    example: example(resolved.get("example")),
                    required: truthy(resolved.get("required"))
                        || required_list.contains(&name.as_str()),
                    deprecated: truthy(resolved.get("deprecated")),
                    items: ty.items,
                    fields: ty.fields,
                    values: ty.values,
                }
            })
            .collect();
        drop_colliding(
            fields,
            |f| &f.name,
            |f| legacy(f.deprecated, f.description.as_ref()),
            &format!("in `{at}`, members"),
            warnings,
        )
    }

    fn operation(
        &self,
        name: &str,
        api: &Api,
        warnings: &mut Vec<String>,
    ) -> Result<OperationSpec, (RefusalReason, String)> {
        let refuse = |reason, message: String| Err((reason, message));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return refuse(
                RefusalReason::Unreadable,
                format!("`{name}` is not an operation name (ASCII letters and digits)"),
            );
        }
        let anonymous = match authentication(api) {
            Ok(anonymous) => anonymous,
            Err(message) => return refuse(RefusalReason::Auth, message),
        };
        let xml = |types: &[String]| {
            !types.is_empty()
                && types.iter().any(|t| t.contains("xml"))
                && !types
                    .iter()
                    .any(|t| t.contains("json") || t.contains("form"))
        };
        if xml(&api.consumes) {
            return refuse(
                RefusalReason::Xml,
                "XML request bodies are not supported by the runtime".into(),
            );
        }
        if xml(&api.produces) {
            return refuse(
                RefusalReason::Xml,
                "XML responses are not supported by the runtime".into(),
            );
        }
        let mut methods = Vec::new();
        for method in &api.methods {
            let parsed = match method.to_ascii_lowercase().as_str() {
                "get" => HttpMethod::Get,
                "post" => HttpMethod::Post,
                "put" => HttpMethod::Put,
                "delete" => HttpMethod::Delete,
                "patch" => HttpMethod::Patch,
                "head" => HttpMethod::Head,
                other => {
                    warnings.push(format!("unknown HTTP method `{other}` ignored"));
                    continue;
                }
            };
            if !methods.contains(&parsed) {
                methods.push(parsed);
            }
        }
        if methods.is_empty() {
            return refuse(
                RefusalReason::Unreadable,
                "the metadata lists no HTTP method".into(),
            );
        }
        let path = match self.style {
            ApiStyle::Rpc => None,
            ApiStyle::Roa => match api.path.as_deref().map(str::trim) {
                Some(path) if !path.is_empty() => Some(route_template(path)),
                _ => {
                    return refuse(
                        RefusalReason::Path,
                        "the operation has no `path`, which its API style needs".into(),
                    );
                }
            },
        };
        let operation_type = match api.operation_type.as_deref().unwrap_or("") {
            "read" => OperationType::Read,
            "write" | "readAndWrite" | "" => OperationType::Write,
            other => {
                warnings.push(format!("unknown operationType `{other}`; treated as write"));
                OperationType::Write
            }
        };
        let parameters = self.parameters(api, path.as_deref(), warnings)?;
        if let Some(path) = &path {
            check_placeholders(path, &parameters).map_err(|m| (RefusalReason::Path, m))?;
        }
        let (response, response_body) = self.response(api, warnings);
        let errors = errors(api, warnings);
        let ram = ram(api, operation_type, warnings);
        let summary = [&api.summary, &api.title]
            .into_iter()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .unwrap_or(name)
            .to_owned();
        Ok(OperationSpec {
            name: name.to_owned(),
            summary,
            description: Some(api.description.trim().to_owned()).filter(|d| !d.is_empty()),
            methods,
            path,
            operation_type,
            idempotent: None,
            deprecated: truthy(Some(&api.deprecated)),
            parameters,
            anonymous,
            response,
            response_body,
            errors,
            ram,
        })
    }

    fn parameters(
        &self,
        api: &Api,
        path: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<ParameterSpec>, (RefusalReason, String)> {
        let raw = merge_repeated_parameters(&api.parameters)
            .map_err(|message| (RefusalReason::Parameter, message))?;
        let mut specs = Vec::new();
        for parameter in raw {
            let parameter: openmeta::Parameter =
                serde_json::from_value(parameter).unwrap_or_default();
            let name = parameter.name.trim().to_owned();
            if name.is_empty() {
                return Err((RefusalReason::Unreadable, "a parameter has no name".into()));
            }
            let position = match parameter.position.as_str() {
                "query" => Position::Query,
                "body" => Position::Body,
                // RPC bodies are forms anyway; ROA ones are JSON unless they say otherwise.
                "formData" if self.style == ApiStyle::Roa => Position::FormData,
                "formData" => Position::Body,
                "path" => Position::Path,
                "header" => Position::Header,
                "host" => {
                    return Err((
                        RefusalReason::HostParameter,
                        format!(
                            "parameter `{name}` travels in the host name (`in: host`), which needs a product-specific gateway (SLS signs its own way) that the runtime does not implement"
                        ),
                    ));
                }
                other => {
                    return Err((
                        RefusalReason::Parameter,
                        format!(
                            "parameter `{name}` travels `in: {other}`, which the runtime cannot send"
                        ),
                    ));
                }
            };
            // A raw body of bytes (an image to recognise, a function's payload).
            let format = parameter.schema.get("format").and_then(Value::as_str);
            if parameter.position == "body"
                && parameter.schema.get("type").and_then(Value::as_str) == Some("string")
                && matches!(format, Some("binary" | "byte"))
            {
                specs.push(ParameterSpec {
                    reference: None,
                    name,
                    position,
                    type_name: TypeName::Binary,
                    required: truthy(parameter.schema.get("required")),
                    style: None,
                    description: description(&parameter.schema),
                    example: None,
                    deprecated: truthy(parameter.schema.get("deprecated")),
                    idempotency_token: false,
                    items: None,
                    fields: None,
                    values: None,
                });
                continue;
            }
            let mut style = match parameter.style.as_deref() {
                None | Some("") => None,
                Some("simple") => Some(ParamStyle::Simple),
                Some("repeatList") => Some(ParamStyle::RepeatList),
                Some("flat") => Some(ParamStyle::Flat),
                Some("json") => Some(ParamStyle::Json),
                Some("xml") => {
                    return Err((
                        RefusalReason::Xml,
                        format!(
                            "parameter `{name}` is an XML body (`style: xml`), which the runtime cannot send"
                        ),
                    ));
                }
                Some(other) => {
                    warnings.push(format!(
                        "parameter `{name}`: unknown style `{other}`; using the default for its type"
                    ));
                    None
                }
            };
            let mut stack = Vec::new();
            let (ty, resolved) = self.node(&parameter.schema, &name, &mut stack, warnings);
            let structured = ty.type_name.is_structured();
            // Styles the value cannot take fall back to the type's default (the lowering's rule).
            if let Some(given) = style
                && !given.fits(ty.type_name)
            {
                warnings.push(format!(
                    "parameter `{name}`: style `{}` does not fit its type `{}`; using the default",
                    parameter.style.as_deref().unwrap_or_default(),
                    ty.type_name.as_str()
                ));
                style = None;
            }
            // ROA bodies are JSON: a structured body parameter without a style (CS names it
            // `body`) is the JSON body, not form fields.
            if self.style == ApiStyle::Roa
                && position == Position::Body
                && structured
                && style.is_none()
            {
                style = Some(ParamStyle::Json);
            }
            if rules::needs_json(position, ty.type_name) && style != Some(ParamStyle::Json) {
                warnings.push(format!(
                    "parameter `{name}`: a structured value in the path, a header or the host is sent JSON-encoded"
                ));
                style = Some(ParamStyle::Json);
            }
            let mut required = truthy(resolved.get("required"));
            if position == Position::Path && !required {
                if path.is_some_and(|p| p.contains(&format!("{{{name}}}"))) {
                    required = true;
                } else {
                    warnings.push(format!(
                        "parameter `{name}` is `in: path` but the path has no `{{{name}}}`; sent in the query instead"
                    ));
                }
            }
            let position = if position == Position::Path
                && !path.is_some_and(|p| p.contains(&format!("{{{name}}}")))
            {
                Position::Query
            } else {
                position
            };
            let idempotency_token = name == "ClientToken"
                && ty.type_name == TypeName::String
                && !required
                && position != Position::Path;
            if name == "ClientToken" && !idempotency_token {
                warnings.push(
                    "parameter `ClientToken` is not an optional string; not treated as the idempotency token".into(),
                );
            }
            specs.push(ParameterSpec {
                reference: ty.reference,
                name,
                position,
                type_name: ty.type_name,
                required,
                style,
                description: description(&resolved),
                example: example(resolved.get("example")),
                deprecated: truthy(resolved.get("deprecated")),
                idempotency_token,
                items: ty.items,
                fields: ty.fields,
                values: ty.values,
            });
        }
        Ok(drop_colliding(
            specs,
            |p| &p.name,
            |p| legacy(p.deprecated, p.description.as_ref()),
            "parameters",
            warnings,
        ))
    }

    /// The members of an object answer, or what another answer holds (an array, a scalar,
    /// text, bytes), from the first 2xx response's schema.
    fn response(
        &self,
        api: &Api,
        warnings: &mut Vec<String>,
    ) -> (Vec<FieldSpec>, Option<ResponseBodySpec>) {
        let mut statuses: Vec<&String> = api
            .responses
            .keys()
            .filter(|status| status.starts_with('2'))
            .collect();
        statuses.sort();
        let Some(schema) = statuses
            .first()
            .and_then(|status| api.responses[status.as_str()].get("schema"))
        else {
            return (Vec::new(), None);
        };
        let mut stack = Vec::new();
        let (resolved, pushed) = match self.deref(schema, "response", &mut stack, warnings) {
            Some(found) => found,
            // A dangling `$ref` beside inline members: the inline part is what there is.
            None => {
                let mut own = schema.clone();
                if let Value::Object(own) = &mut own {
                    own.remove("$ref");
                }
                (own, 0)
            }
        };
        let declared = resolved.get("type").and_then(Value::as_str).unwrap_or("");
        let format = resolved.get("format").and_then(Value::as_str).unwrap_or("");
        let body = |format, type_name, items| ResponseBodySpec {
            format,
            type_name,
            reference: None,
            description: None,
            items,
            fields: None,
            values: None,
        };
        let answer = match declared {
            // An array with members too (CS DescribeClusters) is an array, as the SDKs read it.
            "array" => {
                let items_schema = resolved.get("items").unwrap_or(&Value::Null);
                let items = self.item(items_schema, "response[]", &mut stack, warnings);
                (
                    Vec::new(),
                    Some(body(
                        BodyFormat::Json,
                        Some(TypeName::Array),
                        Some(Box::new(items)),
                    )),
                )
            }
            "string" if matches!(format, "binary" | "byte") => {
                (Vec::new(), Some(body(BodyFormat::Binary, None, None)))
            }
            "string" => (Vec::new(), Some(body(BodyFormat::Text, None, None))),
            // Untyped answers are kept as bytes: they need not be JSON (aicontent's examples
            // say `BinaryData`).
            "any" => (Vec::new(), Some(body(BodyFormat::Binary, None, None))),
            "integer" | "number" | "boolean" => {
                let ty = self.ty(&resolved, "response", &mut stack, warnings);
                (
                    Vec::new(),
                    Some(body(BodyFormat::Json, Some(ty.type_name), None)),
                )
            }
            _ => match resolved.get("properties").and_then(Value::as_object) {
                Some(properties) if !properties.is_empty() => (
                    self.fields(&resolved, properties, "response", &mut stack, warnings),
                    None,
                ),
                _ => {
                    let ty = self.ty(&resolved, "response", &mut stack, warnings);
                    let map = ty.type_name == TypeName::Map;
                    (
                        Vec::new(),
                        map.then(|| body(BodyFormat::Json, Some(TypeName::Map), ty.items)),
                    )
                }
            },
        };
        stack.truncate(stack.len() - pushed);
        answer
    }
}

/// The operation's parameters with repeated entries merged: copies of one parameter (RPC
/// metadata lists some twice, once per documentation section) that agree on where it travels,
/// its style and its type become one, required when any copy is, described by the first copy
/// that says anything. Copies that disagree on those cannot mean one thing and are refused.
fn merge_repeated_parameters(parameters: &[Value]) -> Result<Vec<Value>, String> {
    let mut merged: Vec<Value> = Vec::new();
    for parameter in parameters {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        let Some(first) = merged
            .iter_mut()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        else {
            merged.push(parameter.clone());
            continue;
        };
        if first == parameter {
            continue;
        }
        let schema_key = |p: &Value, key: &str| {
            p.get("schema")
                .and_then(|schema| schema.get(key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        for (what, same) in [
            ("positions", first.get("in") == parameter.get("in")),
            ("styles", first.get("style") == parameter.get("style")),
            (
                "types",
                ["type", "format", "$ref", "items", "properties"]
                    .iter()
                    .all(|key| schema_key(first, key) == schema_key(parameter, key)),
            ),
        ] {
            if !same {
                return Err(format!(
                    "parameter `{name}` is listed more than once with different {what}"
                ));
            }
        }
        let (Some(Value::Object(kept)), Some(Value::Object(other))) =
            (first.get_mut("schema"), parameter.get("schema"))
        else {
            continue;
        };
        if truthy(other.get("required")) {
            kept.insert("required".into(), Value::Bool(true));
        }
        for (key, value) in other {
            let empty = |v: Option<&Value>| match v {
                None | Some(Value::Null) => true,
                Some(Value::String(text)) => text.trim().is_empty(),
                _ => false,
            };
            if empty(kept.get(key)) && !empty(Some(value)) {
                kept.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(merged)
}

/// Whether the operation is called without credentials (`Ok(true)`), signed with an
/// AccessKey (`Ok(false)`), or needs a scheme the runtime does not implement. The metadata
/// lists alternatives: any `AK` among them means a signature works.
fn authentication(api: &Api) -> Result<bool, String> {
    let schemes: BTreeSet<&str> = api
        .security
        .iter()
        .flat_map(|alternative| alternative.keys())
        .map(String::as_str)
        .collect();
    if schemes.is_empty() || schemes.contains("AK") {
        return Ok(false);
    }
    // `ARS_OIDC` is STS `AssumeRoleWithOIDC`'s: the OIDC token in the request is the proof.
    if schemes
        .iter()
        .all(|s| matches!(*s, "Anonymous" | "ARS_OIDC"))
    {
        return Ok(true);
    }
    Err(format!(
        "the operation authenticates with {}, which the runtime does not implement (it signs with an AccessKey or sends anonymously)",
        schemes
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// The path template as the spec writes it: starting with `/`, placeholders in braces
/// (OpenMeta also writes `[name]`).
fn route_template(path: &str) -> String {
    let mut template = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        template.push('/');
    }
    template.extend(path.chars().map(|c| match c {
        '[' => '{',
        ']' => '}',
        c => c,
    }));
    template
}

/// Every `{placeholder}` of the path must be filled by a path parameter; a path whose parts
/// come from nowhere (cloudcontrol's `{provider}` with the whole path in one `requestPath`
/// parameter) cannot be sent as the metadata describes it.
fn check_placeholders(path: &str, parameters: &[ParameterSpec]) -> Result<(), String> {
    let route = path.split('?').next().unwrap_or(path);
    for piece in route.split('{').skip(1) {
        let name = piece.split('}').next().unwrap_or(piece);
        if !parameters
            .iter()
            .any(|p| p.name == name && p.position == Position::Path)
        {
            return Err(format!(
                "the path `{path}` has the placeholder `{{{name}}}`, which no path parameter fills"
            ));
        }
    }
    Ok(())
}

fn errors(api: &Api, warnings: &mut Vec<String>) -> Vec<ErrorSpec> {
    let mut errors: Vec<ErrorSpec> = Vec::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for (status, list) in &api.error_codes {
        let http_status = match status.parse::<u16>() {
            // Errors documented under 200 are business errors in a successful response body.
            Ok(200) => None,
            Ok(code) => Some(code),
            Err(_) => {
                warnings.push(format!(
                    "error codes under HTTP status `{status}` have no exact status"
                ));
                None
            }
        };
        let list: Vec<openmeta::ErrorCode> =
            serde_json::from_value(list.clone()).unwrap_or_default();
        for entry in list {
            let code = entry.error_code.trim().to_owned();
            if code.is_empty() {
                continue;
            }
            if let Some(first) = errors.iter().find(|e| e.code == code) {
                if first.http_status != http_status {
                    warnings.push(format!(
                        "error code `{code}` is listed under HTTP {} and {}; kept the first",
                        status_text(first.http_status),
                        status_text(http_status)
                    ));
                }
                continue;
            }
            let variant = names::upper_camel_ident(&code);
            if variant == "Unhandled" {
                warnings.push(format!(
                    "error code `{code}` would take the reserved variant `Unhandled`; dropped"
                ));
                continue;
            }
            if let Some(other) = variants.insert(variant.clone(), code.clone()) {
                variants.insert(variant.clone(), other.clone());
                warnings.push(format!(
                    "error codes `{other}` and `{code}` both become the Rust variant `{variant}`; dropped `{code}`"
                ));
                continue;
            }
            errors.push(ErrorSpec {
                code,
                http_status,
                message: Some(entry.error_message.trim().to_owned()).filter(|m| !m.is_empty()),
                description: Some(entry.description.trim().to_owned()).filter(|d| !d.is_empty()),
            });
        }
    }
    errors
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "200 (in the body)".to_owned(), |s| s.to_string())
}

fn ram(
    api: &Api,
    operation_type: OperationType,
    warnings: &mut Vec<String>,
) -> Option<OperationRamSpec> {
    let entry = api.ram_actions.first()?;
    let action = entry.ram_action.action.trim().to_owned();
    if action.is_empty() {
        return None;
    }
    if api.ram_actions.len() > 1 {
        warnings.push(format!(
            "{} RAM actions listed; only the first (`{action}`) is used",
            api.ram_actions.len()
        ));
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
            warnings.push(format!(
                "RAM access level `{other}` is unknown; using `{}` (from the operation type)",
                match fallback {
                    AccessLevel::Get => "get",
                    _ => "update",
                }
            ));
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
