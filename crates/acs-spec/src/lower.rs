//! Checks a parsed service and its operations and lowers them into the [`crate::ir`].
//!
//! Every check reports into one list instead of returning early, so a user sees all problems
//! of all files in one run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};
use crate::ir::{self, ArnPart, Docs, Field, Side, TypeDef, TypeRef};
use crate::model::{
    ApiStyle, EnumValueSpec, FieldSpec, HttpMethod, ItemSpec, OperationSpec, OperationType,
    ParamStyle, ParameterSpec, Position, ServiceSpec, TypeName,
};
use crate::names;
use crate::source::{FieldPath, SourceDocument};

/// A parsed spec file: where it came from, positions, and the typed content.
pub struct Parsed<'a, T> {
    /// The file.
    pub file: &'a Path,
    /// Positions of its nodes.
    pub source: &'a SourceDocument,
    /// Its content.
    pub spec: &'a T,
}

/// Collects diagnostics for one file.
struct Reporter<'a> {
    file: &'a Path,
    source: &'a SourceDocument,
    out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    fn location(&self, path: &FieldPath) -> Option<Location> {
        self.source.value_location(path)
    }

    fn error(&mut self, path: &FieldPath, message: impl Into<String>) {
        let location = self.location(path);
        self.out.push(Diagnostic::error(
            self.file,
            location,
            path.to_string(),
            message,
        ));
    }

    fn warning(&mut self, path: &FieldPath, message: impl Into<String>) {
        let location = self.location(path);
        self.out.push(Diagnostic::warning(
            self.file,
            location,
            path.to_string(),
            message,
        ));
    }
}

/// Lowers one service and its operations. Errors and warnings go to `diagnostics`; the result
/// is only meaningful when no error was reported.
pub fn lower_service(
    service: Parsed<'_, ServiceSpec>,
    operations: &[Parsed<'_, OperationSpec>],
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Service {
    let spec = service.spec;
    let mut report = Reporter {
        file: service.file,
        source: service.source,
        out: diagnostics,
    };
    let root = FieldPath::default();
    if spec.product.is_empty()
        || !spec
            .product
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        report.error(
            &root.key("product"),
            format!(
                "`{}` is not a product code: use lower-case ASCII letters and digits, as in Alibaba's package names (`dbs`)",
                spec.product
            ),
        );
    }
    if !is_api_version(&spec.api_version) {
        report.error(
            &root.key("api_version"),
            format!(
                "`{}` is not an API version: expected YYYY-MM-DD",
                spec.api_version
            ),
        );
    }
    let mut endpoints = Vec::new();
    let mut regions = HashMap::new();
    for (index, endpoint) in spec.endpoints.iter().enumerate() {
        let path = root.key("endpoints").index(index);
        if let Some(first) = regions.insert(endpoint.region.clone(), index) {
            report.error(
                &path.key("region"),
                format!(
                    "region `{}` is listed twice (also at endpoints[{first}])",
                    endpoint.region
                ),
            );
        }
        for (key, host) in [
            ("public", Some(&endpoint.public)),
            ("vpc", endpoint.vpc.as_ref()),
        ] {
            if let Some(host) = host
                && !host.is_empty()
                && !is_host(host)
            {
                report.error(&path.key(key), format!("`{host}` is not a host name"));
            }
        }
        endpoints.push(ir::Endpoint {
            region: endpoint.region.clone(),
            public: endpoint.public.clone(),
            vpc: endpoint.vpc.clone().filter(|vpc| !vpc.is_empty()),
        });
    }
    endpoints.sort_by(|a, b| a.region.cmp(&b.region));

    let ram_code = spec.ram.as_ref().map(|ram| ram.code.clone());
    let mut lowered = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for operation in operations {
        let op = lower_operation(spec.style, operation, diagnostics);
        let mut report = Reporter {
            file: operation.file,
            source: operation.source,
            out: diagnostics,
        };
        if let Some(other) = seen.insert(op.names.snake.clone(), operation.file.to_path_buf()) {
            report.error(
                &root.key("name"),
                format!(
                    "operation `{}` becomes `{}` in Rust, as does the operation in {}",
                    op.name,
                    op.names.snake,
                    other.display()
                ),
            );
        }
        lowered.push(op);
    }
    lowered.sort_by(|a, b| a.name.cmp(&b.name));
    ir::Service {
        product: spec.product.clone(),
        title: spec.title.clone(),
        api_version: spec.api_version.clone(),
        style: spec.style,
        description: spec.description.clone(),
        package_name: format!("acs-{}{}", spec.product, spec.api_version.replace('-', "")),
        endpoints,
        ram_code,
        operations: lowered,
    }
}

fn is_api_version(version: &str) -> bool {
    let bytes = version.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

fn is_host(host: &str) -> bool {
    host.split('.').all(|label| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// Builds the Rust side of a list of fields, reporting collisions.
struct FieldLowering<'r, 'a> {
    report: &'r mut Reporter<'a>,
    op_prefix: String,
    types: Vec<TypeDef>,
    type_names: HashMap<String, String>,
}

/// Everything a field, parameter or item says about its type.
struct TypeParts<'s> {
    type_name: TypeName,
    items: Option<&'s ItemSpec>,
    fields: Option<&'s [FieldSpec]>,
    values: Option<&'s [EnumValueSpec]>,
    description: Option<&'s String>,
}

impl<'r, 'a> FieldLowering<'r, 'a> {
    fn claim_type_name(&mut self, name: &str, path: &FieldPath) -> bool {
        if let Some(other) = self.type_names.insert(name.to_owned(), path.to_string()) {
            self.report.error(
                path,
                format!("this needs the Rust type name `{name}`, which `{other}` already has"),
            );
            return false;
        }
        true
    }

    /// The Rust type of a value; nested structs and enums are named `<parent><Field>`.
    fn type_ref(
        &mut self,
        parts: TypeParts<'_>,
        type_name: &str,
        side: Side,
        path: &FieldPath,
    ) -> TypeRef {
        let allowed = |key: &str| match key {
            "items" => matches!(parts.type_name, TypeName::Array | TypeName::Map),
            "fields" => parts.type_name == TypeName::Object,
            _ => parts.type_name == TypeName::Enum,
        };
        for (key, present) in [
            ("items", parts.items.is_some()),
            ("fields", parts.fields.is_some()),
            ("values", parts.values.is_some()),
        ] {
            if present && !allowed(key) {
                self.report.error(
                    &path.key(key),
                    format!(
                        "`{key}` does not apply to type `{}`",
                        type_label(parts.type_name)
                    ),
                );
            }
        }
        match parts.type_name {
            TypeName::String => TypeRef::String,
            TypeName::Int32 => TypeRef::Int32,
            TypeName::Int64 => TypeRef::Int64,
            TypeName::Float => TypeRef::Float,
            TypeName::Double => TypeRef::Double,
            TypeName::Boolean => TypeRef::Boolean,
            TypeName::Any => TypeRef::Any,
            TypeName::Array | TypeName::Map => {
                let Some(items) = parts.items else {
                    self.report.error(
                        path,
                        format!(
                            "type `{}` needs `items` to say what it holds",
                            type_label(parts.type_name)
                        ),
                    );
                    return TypeRef::Any;
                };
                let inner = self.type_ref(
                    TypeParts {
                        type_name: items.type_name,
                        items: items.items.as_deref(),
                        fields: items.fields.as_deref(),
                        values: items.values.as_deref(),
                        description: items.description.as_ref(),
                    },
                    &format!("{type_name}Item"),
                    side,
                    &path.key("items"),
                );
                if parts.type_name == TypeName::Array {
                    TypeRef::List(Box::new(inner))
                } else {
                    TypeRef::Map(Box::new(inner))
                }
            }
            TypeName::Object => {
                let name = names::upper_camel_ident(type_name);
                if !self.claim_type_name(&name, path) {
                    return TypeRef::Any;
                }
                let members = parts.fields.unwrap_or_default();
                let fields = self.fields(members, &name, side, &path.key("fields"));
                self.types.push(TypeDef::Struct(ir::StructDef {
                    name: name.clone(),
                    side,
                    docs: Docs {
                        description: parts.description.cloned(),
                        example: None,
                    },
                    fields,
                }));
                TypeRef::Named(name)
            }
            TypeName::Enum => {
                let name = names::upper_camel_ident(type_name);
                let values = parts.values.unwrap_or_default();
                if values.is_empty() {
                    self.report
                        .error(path, "type `enum` needs a non-empty `values` list");
                }
                if !self.claim_type_name(&name, path) {
                    return TypeRef::Any;
                }
                let mut variants: HashMap<String, &str> = HashMap::new();
                let mut lowered = Vec::new();
                for (index, value) in values.iter().enumerate() {
                    let variant = names::upper_camel_ident(&value.value);
                    let value_path = path.key("values").index(index).key("value");
                    if variant == "Unknown" {
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
                self.types.push(TypeDef::Enum(ir::EnumDef {
                    name: name.clone(),
                    docs: Docs {
                        description: parts.description.cloned(),
                        example: None,
                    },
                    values: lowered,
                }));
                TypeRef::Named(name)
            }
        }
    }

    fn fields(
        &mut self,
        specs: &[FieldSpec],
        parent: &str,
        side: Side,
        path: &FieldPath,
    ) -> Vec<Field> {
        let mut claimed = NameClaims::default();
        specs
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let path = path.index(index);
                let (ident, base_name) = field_names(&spec.name);
                claimed.claim(self.report, &spec.name, &ident, &base_name, &path);
                let ty = self.type_ref(
                    TypeParts {
                        type_name: spec.type_name,
                        items: spec.items.as_deref(),
                        fields: spec.fields.as_deref(),
                        values: spec.values.as_deref(),
                        description: spec.description.as_ref(),
                    },
                    &format!("{parent}{}", names::upper_camel_ident(&spec.name)),
                    side,
                    &path,
                );
                Field {
                    wire_name: spec.name.clone(),
                    ident,
                    base_name,
                    ty,
                    required: spec.required,
                    deprecated: spec.deprecated,
                    position: None,
                    style: default_style(spec.type_name),
                    docs: Docs {
                        description: spec.description.clone(),
                        example: spec.example.as_ref().map(example_text),
                    },
                }
            })
            .collect()
    }
}

/// Rust names already taken in one struct: field names and the setter names built from them.
#[derive(Default)]
struct NameClaims {
    taken: HashMap<String, String>,
}

impl NameClaims {
    fn claim(
        &mut self,
        report: &mut Reporter<'_>,
        wire: &str,
        ident: &str,
        base: &str,
        path: &FieldPath,
    ) {
        for name in [
            ident.trim_start_matches("r#").to_owned(),
            format!("set_{base}"),
        ] {
            if let Some(other) = self.taken.insert(name.clone(), wire.to_owned()) {
                report.error(
                    &path.key("name"),
                    format!(
                        "`{wire}` and `{other}` collide after conversion to Rust: both need `{name}`"
                    ),
                );
                return;
            }
        }
    }
}

/// The field identifier and setter base for a wire name. Names that would shadow the builder's
/// own methods get a trailing underscore (`build` → `build_`).
fn field_names(wire: &str) -> (String, String) {
    let base = names::snake_base(wire);
    if names::clashes_with_builder_method(&base) {
        let renamed = format!("{base}_");
        return (renamed.clone(), renamed);
    }
    (names::snake_ident(wire), base)
}

fn default_style(type_name: TypeName) -> ParamStyle {
    match type_name {
        TypeName::Array => ParamStyle::RepeatList,
        TypeName::Object | TypeName::Map => ParamStyle::Flat,
        TypeName::Any => ParamStyle::Json,
        _ => ParamStyle::Simple,
    }
}

fn type_label(type_name: TypeName) -> &'static str {
    match type_name {
        TypeName::String => "string",
        TypeName::Int32 => "int32",
        TypeName::Int64 => "int64",
        TypeName::Float => "float",
        TypeName::Double => "double",
        TypeName::Boolean => "boolean",
        TypeName::Array => "array",
        TypeName::Object => "object",
        TypeName::Map => "map",
        TypeName::Enum => "enum",
        TypeName::Any => "any",
    }
}

fn example_text(example: &serde_json::Value) -> String {
    match example {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn lower_operation(
    style: ApiStyle,
    parsed: &Parsed<'_, OperationSpec>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Operation {
    let spec = parsed.spec;
    let mut report = Reporter {
        file: parsed.file,
        source: parsed.source,
        out: diagnostics,
    };
    let root = FieldPath::default();
    let stem = parsed
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem != spec.name {
        report.error(
            &root.key("name"),
            format!(
                "the operation is named `{}` but its file is `{stem}`; name the file after the operation",
                spec.name
            ),
        );
    }
    if spec.name.is_empty() || !spec.name.chars().all(|c| c.is_ascii_alphanumeric()) {
        report.error(
            &root.key("name"),
            format!(
                "`{}` is not an operation name: use ASCII letters and digits",
                spec.name
            ),
        );
    }
    let snake = names::snake_ident(&spec.name);
    // The generated client has these methods of its own, and `policies/all.json` is the
    // whole-service policy (compared without case for case-insensitive file systems).
    if matches!(snake.as_str(), "new" | "runtime") || spec.name.eq_ignore_ascii_case("all") {
        report.error(
            &root.key("name"),
            format!(
                "the operation name `{}` is taken by the generated client (`Client::new`, `Client::runtime`, `policies/all.json`)",
                spec.name
            ),
        );
    }
    let upper_camel = names::upper_camel_ident(&spec.name);
    let names = ir::OperationNames {
        snake,
        upper_camel: upper_camel.clone(),
        feature: names::kebab(&spec.name),
    };

    let method = match (style, spec.methods.as_slice()) {
        (_, []) => {
            report.error(&root.key("methods"), "list at least one HTTP method");
            HttpMethod::Post
        }
        (ApiStyle::Rpc, methods) if methods.contains(&HttpMethod::Post) => HttpMethod::Post,
        (_, [first, ..]) => *first,
    };
    let path = match (style, &spec.path) {
        (ApiStyle::Rpc, None) => "/".to_owned(),
        (ApiStyle::Roa, None) => {
            report.error(
                &root,
                "missing required key `path`: ROA operations need a path",
            );
            "/".to_owned()
        }
        (_, Some(path)) => {
            if !path.starts_with('/') {
                report.error(&root.key("path"), format!("`{path}` must start with `/`"));
            }
            path.clone()
        }
    };

    let mut lowering = FieldLowering {
        report: &mut report,
        op_prefix: upper_camel.clone(),
        types: Vec::new(),
        type_names: HashMap::new(),
    };
    for own in [
        "Request",
        "RequestBuilder",
        "Response",
        "Error",
        "FluentBuilder",
    ] {
        lowering.type_names.insert(
            format!("{upper_camel}{own}"),
            "(the operation itself)".to_owned(),
        );
    }
    let params = lower_params(&mut lowering, &spec.parameters, &path);
    let prefix = format!("{}Response", lowering.op_prefix);
    let response = lowering.fields(
        &spec.response,
        &prefix,
        Side::Response,
        &root.key("response"),
    );
    let types = std::mem::take(&mut lowering.types);

    let mut idempotency_token = None;
    for (index, (param, spec_param)) in params.iter().zip(&spec.parameters).enumerate() {
        if !spec_param.idempotency_token {
            continue;
        }
        let path = root.key("parameters").index(index).key("idempotency_token");
        if param.ty != TypeRef::String || param.required {
            report.error(
                &path,
                "an idempotency token must be an optional string: the client fills it when it is unset",
            );
        }
        if idempotency_token.replace(index).is_some() {
            report.error(&path, "an operation has at most one idempotency token");
        }
    }

    let errors = lower_errors(&mut report, spec);
    let ram = spec
        .ram
        .as_ref()
        .map(|ram| lower_ram(&mut report, ram, &params));
    ir::Operation {
        name: spec.name.clone(),
        names,
        summary: spec.summary.clone(),
        description: spec.description.clone(),
        style,
        method,
        path,
        read_only: spec.operation_type == OperationType::Read,
        deprecated: spec.deprecated,
        params,
        idempotency_token,
        response,
        types,
        errors,
        ram,
    }
}

fn lower_params(
    lowering: &mut FieldLowering<'_, '_>,
    specs: &[ParameterSpec],
    path_template: &str,
) -> Vec<Field> {
    let root = FieldPath::default().key("parameters");
    let mut claimed = NameClaims::default();
    let mut wire_names: HashMap<&str, usize> = HashMap::new();
    let placeholders = path_placeholders(path_template);
    let mut params = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let path = root.index(index);
        if spec.name.is_empty() {
            lowering
                .report
                .error(&path.key("name"), "a parameter needs a name");
        }
        if let Some(first) = wire_names.insert(&spec.name, index) {
            lowering.report.error(
                &path.key("name"),
                format!(
                    "parameter `{}` is listed twice (also at parameters[{first}])",
                    spec.name
                ),
            );
            continue;
        }
        let (ident, base_name) = field_names(&spec.name);
        claimed.claim(lowering.report, &spec.name, &ident, &base_name, &path);
        let type_name = format!(
            "{}{}",
            lowering.op_prefix,
            names::upper_camel_ident(&spec.name)
        );
        let ty = lowering.type_ref(
            TypeParts {
                type_name: spec.type_name,
                items: spec.items.as_deref(),
                fields: spec.fields.as_deref(),
                values: spec.values.as_deref(),
                description: spec.description.as_ref(),
            },
            &type_name,
            Side::Request,
            &path,
        );
        let style = spec.style.unwrap_or(default_style(spec.type_name));
        check_style(lowering.report, spec, style, &path);
        if spec.position == Position::Path {
            if !placeholders.contains(&spec.name.as_str()) {
                lowering.report.error(
                    &path.key("in"),
                    format!(
                        "path parameter `{}` does not appear in the path `{path_template}`",
                        spec.name
                    ),
                );
            }
            if !spec.required {
                lowering
                    .report
                    .error(&path.key("required"), "path parameters must be required");
            }
        }
        params.push(Field {
            wire_name: spec.name.clone(),
            ident,
            base_name,
            ty,
            required: spec.required,
            deprecated: spec.deprecated,
            position: Some(spec.position),
            style,
            docs: Docs {
                description: spec.description.clone(),
                example: spec.example.as_ref().map(example_text),
            },
        });
    }
    for placeholder in placeholders {
        if !specs
            .iter()
            .any(|p| p.name == placeholder && p.position == Position::Path)
        {
            lowering.report.error(
                &FieldPath::default().key("path"),
                format!("the path names `{{{placeholder}}}`, but no parameter `{placeholder}` is `in: path`"),
            );
        }
    }
    params
}

fn path_placeholders(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn check_style(
    report: &mut Reporter<'_>,
    spec: &ParameterSpec,
    style: ParamStyle,
    path: &FieldPath,
) {
    let structured = matches!(
        spec.type_name,
        TypeName::Array | TypeName::Object | TypeName::Map | TypeName::Any
    );
    let fits = match style {
        ParamStyle::Simple => !structured,
        ParamStyle::RepeatList => spec.type_name == TypeName::Array,
        ParamStyle::Flat => matches!(
            spec.type_name,
            TypeName::Object | TypeName::Map | TypeName::Array
        ),
        ParamStyle::Json => true,
    };
    if !fits {
        report.error(
            &path.key("style"),
            format!(
                "style `{}` cannot carry a value of type `{}`",
                style_label(style),
                type_label(spec.type_name)
            ),
        );
    }
    if structured
        && style != ParamStyle::Json
        && matches!(
            spec.position,
            Position::Path | Position::Header | Position::Host
        )
    {
        report.error(
            &path.key("in"),
            "a structured value can travel in the path, a header or the host only with `style: json`",
        );
    }
}

fn style_label(style: ParamStyle) -> &'static str {
    match style {
        ParamStyle::Simple => "simple",
        ParamStyle::RepeatList => "repeatList",
        ParamStyle::Flat => "flat",
        ParamStyle::Json => "json",
    }
}

fn lower_errors(report: &mut Reporter<'_>, spec: &OperationSpec) -> Vec<ir::ErrorCode> {
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    variants.insert("Unhandled".to_owned(), "(the catch-all variant)".to_owned());
    let mut errors = Vec::new();
    for (index, error) in spec.errors.iter().enumerate() {
        let path = FieldPath::default().key("errors").index(index).key("code");
        if error.code.is_empty() {
            report.error(&path, "an error needs a code");
            continue;
        }
        let variant = names::upper_camel_ident(&error.code);
        if let Some(other) = variants.insert(variant.clone(), error.code.clone()) {
            let message = if other == error.code {
                format!("error code `{other}` is listed twice")
            } else {
                format!(
                    "error codes `{other}` and `{}` both become the Rust variant `{variant}`",
                    error.code
                )
            };
            report.error(&path, message);
            continue;
        }
        errors.push(ir::ErrorCode {
            code: error.code.clone(),
            variant,
            http_status: error.http_status,
            message: error.message.clone(),
            description: error.description.clone(),
        });
    }
    errors
}

fn lower_ram(
    report: &mut Reporter<'_>,
    ram: &crate::model::OperationRamSpec,
    params: &[Field],
) -> ir::Ram {
    let root = FieldPath::default().key("ram");
    if !ram.action.contains(':') {
        report.error(
            &root.key("action"),
            format!(
                "`{}` is not a RAM action: expected `<code>:<Action>`",
                ram.action
            ),
        );
    }
    let resources = ram
        .resources
        .iter()
        .enumerate()
        .map(|(index, resource)| {
            let path = root.key("resources").index(index).key("arn");
            ir::RamResource {
                resource_type: resource.resource_type.clone(),
                template: resource.arn.clone(),
                parts: arn_parts(report, &resource.arn, params, &path),
            }
        })
        .collect();
    ir::Ram {
        action: ram.action.clone(),
        access_level: ram.access_level,
        resources,
        condition_keys: ram.condition_keys.clone(),
        dependent_actions: ram.dependent_actions.clone(),
    }
}

fn arn_parts(
    report: &mut Reporter<'_>,
    template: &str,
    params: &[Field],
    path: &FieldPath,
) -> Vec<ArnPart> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{#") {
        if start > 0 {
            parts.push(ArnPart::Literal(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            report.error(path, format!("unclosed `{{#` placeholder in `{template}`"));
            return vec![ArnPart::Literal(template.to_owned())];
        };
        let name = &after[..end];
        parts.push(match name {
            "regionId" => ArnPart::Region,
            "accountId" => ArnPart::Account,
            _ => match params
                .iter()
                .position(|p| p.wire_name == name)
                .or_else(|| params.iter().position(|p| p.wire_name.eq_ignore_ascii_case(name)))
            {
                Some(index) if is_scalar(&params[index].ty) => ArnPart::Param(index),
                _ => {
                    report.warning(
                        path,
                        format!(
                            "`{{#{name}}}` names no scalar parameter of this operation; it becomes `*` in policies"
                        ),
                    );
                    ArnPart::Wildcard
                }
            },
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(ArnPart::Literal(rest.to_owned()));
    }
    parts
}

/// Types whose value reads the same in an ARN as in the request.
fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::String
            | TypeRef::Int32
            | TypeRef::Int64
            | TypeRef::Float
            | TypeRef::Double
            | TypeRef::Boolean
    )
}
