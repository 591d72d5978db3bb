//! One operation: names, method and path, parameters and how each travels, retry safety, the
//! response, errors and RAM facts.

use std::collections::{BTreeMap, HashMap};

use super::types::{Naming, SharedTypes, TypeLowering, TypeParts};
use super::{Parsed, Reporter, example_text};
use crate::ir::{
    self, ArnPart, Docs, Encoding, Field, Placement, ResponseShape, RetrySafety, TypeRef, TypeScope,
};
use crate::model::{
    ApiStyle, BodyFormat, Gateway, HttpMethod, OperationRamSpec, OperationSpec, ParamStyle,
    ParameterSpec, Position, TypeName,
};
use crate::names;
use crate::rules;
use crate::source::FieldPath;

pub(super) fn lower_operation(
    report: &mut Reporter<'_>,
    style: ApiStyle,
    gateway: Option<Gateway>,
    parsed: &Parsed<'_, OperationSpec>,
    shared: &SharedTypes,
) -> ir::Operation {
    let spec = parsed.spec;
    let root = FieldPath::default();
    check_name(report, parsed, &root);
    let names = names::operation_names(&spec.name);
    let upper_camel = names.upper_camel.clone();

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
            check_path(report, path, &root.key("path"));
            path.clone()
        }
    };

    let reserved = names::generated::OPERATION_TYPE_SUFFIXES
        .iter()
        .map(|suffix| format!("{upper_camel}{suffix}"));
    let mut lowering = TypeLowering::new(report, shared, TypeScope::Operation, reserved);
    let params = lower_params(&mut lowering, style, spec, &upper_camel, &path);
    check_gateway_params(lowering.report, gateway, spec, &params);
    let response = lowering.fields(&spec.response, &upper_camel, &root.key("response"), 1);
    let response_shape = response_shape(&mut lowering, gateway, spec, &upper_camel);
    let response_headers = response_headers(&mut lowering, spec, &response, &upper_camel);
    let types = std::mem::take(&mut lowering.types);

    let idempotency_token = idempotency_token(report, spec, &params);
    let retry = retry_safety(style, spec, method, idempotency_token.is_some());
    let errors = lower_errors(report, spec);
    let ram = spec.ram.as_ref().map(|ram| lower_ram(report, ram, &params));
    ir::Operation {
        name: spec.name.clone(),
        names,
        summary: spec.summary.clone(),
        description: spec.description.clone(),
        method,
        path,
        retry,
        anonymous: spec.anonymous,
        deprecated: spec.deprecated,
        params,
        idempotency_token,
        response_shape,
        response,
        response_headers,
        request_eq: true,
        response_eq: true,
        types,
        errors,
        ram,
        pagination: None,
    }
}

/// A path template: `/`, then literal text of [`rules::is_path_literal_char`] and `{Name}`
/// placeholders, then optionally a fixed query (`?flag`, `?key=value&…`) sent with every
/// request.
fn check_path(report: &mut Reporter<'_>, template: &str, path: &FieldPath) {
    let (route, query) = template.split_once('?').unwrap_or((template, ""));
    if !route.starts_with('/') {
        report.error(path, format!("`{template}` must start with `/`"));
    }
    let mut rest = route;
    loop {
        let (literal, placeholder) = match rest.split_once('{') {
            Some((literal, after)) => (literal, Some(after)),
            None => (rest, None),
        };
        if let Some(bad) = literal.chars().find(|c| !rules::is_path_literal_char(*c)) {
            report.error(
                path,
                format!("`{template}` holds `{bad}`, which a path cannot carry as it is"),
            );
            return;
        }
        let Some(after) = placeholder else { break };
        let Some((name, tail)) = after.split_once('}') else {
            report.error(path, format!("`{template}` has an unclosed `{{`"));
            return;
        };
        if name.is_empty() || name.contains(['{', '/']) {
            report.error(
                path,
                format!("`{template}` has a placeholder that names no parameter"),
            );
            return;
        }
        rest = tail;
    }
    let query_char = |c: char| c.is_ascii_alphanumeric() || "-._~=&".contains(c);
    if let Some(bad) = query.chars().find(|c| !query_char(*c)) {
        report.error(
            path,
            format!(
                "the fixed query of `{template}` holds `{bad}`; use letters, digits, `=` and `&`"
            ),
        );
    }
}

/// How a successful answer is read: an object with the `response` members, or what
/// `response_body` says.
fn response_shape(
    lowering: &mut TypeLowering<'_, '_>,
    gateway: Option<Gateway>,
    spec: &OperationSpec,
    op_prefix: &str,
) -> ResponseShape {
    if let Some(root) = &spec.response_root {
        let path = FieldPath::default().key("response_root");
        if spec.response_body.is_some() {
            lowering.report.error(
                &path,
                "an XML answer (`response_root`) has `response` members, not a `response_body`",
            );
        }
        if !is_xml_name(root) {
            lowering
                .report
                .error(&path, format!("`{root}` is not an XML element name"));
        }
        return ResponseShape::Xml {
            root: Some(root.clone()),
        };
    }
    let Some(body) = &spec.response_body else {
        // The OSS gateway's answers are XML, whatever members the spec lists (none, often).
        if gateway == Some(Gateway::Oss) {
            return ResponseShape::Xml { root: None };
        }
        return ResponseShape::Object;
    };
    let path = FieldPath::default().key("response_body");
    if !spec.response.is_empty() {
        lowering.report.error(
            &path,
            "give either `response` (the members of a JSON object) or `response_body`, not both",
        );
    }
    let typed = [
        ("type", body.type_name.is_some()),
        ("ref", body.reference.is_some()),
        ("items", body.items.is_some()),
        ("fields", body.fields.is_some()),
        ("values", body.values.is_some()),
    ];
    match body.format {
        BodyFormat::Text | BodyFormat::Binary => {
            for (key, present) in typed {
                if present {
                    lowering.report.error(
                        &path.key(key),
                        format!("`{key}` applies only to a `json` response body"),
                    );
                }
            }
            if body.format == BodyFormat::Text {
                ResponseShape::Text
            } else {
                ResponseShape::Binary
            }
        }
        BodyFormat::Json => {
            let Some(type_name) = body.type_name else {
                lowering
                    .report
                    .error(&path, "a `json` response body needs a `type`");
                return ResponseShape::Object;
            };
            let ty = lowering.type_ref(
                TypeParts {
                    type_name,
                    reference: body.reference.as_ref(),
                    items: body.items.as_deref(),
                    fields: body.fields.as_deref(),
                    values: body.values.as_deref(),
                    description: body.description.as_ref(),
                },
                Naming {
                    parent: op_prefix,
                    member: "Body",
                    suffix: "",
                },
                &path,
                1,
            );
            ResponseShape::Value(ty)
        }
    }
}

fn check_name(report: &mut Reporter<'_>, parsed: &Parsed<'_, OperationSpec>, root: &FieldPath) {
    let spec = parsed.spec;
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
    if let Some(clash) = names::operation_name_clash(&spec.name) {
        report.error(
            &root.key("name"),
            format!(
                "the operation name `{}` is taken by {clash} in the generated crate",
                spec.name
            ),
        );
    }
}

/// Whether a failed attempt may be repeated: see [`rules::reads_by_every_sign`]; the spec's
/// `idempotent` overrides the signs.
fn retry_safety(
    style: ApiStyle,
    spec: &OperationSpec,
    method: HttpMethod,
    has_token: bool,
) -> RetrySafety {
    match spec.idempotent {
        Some(true) => RetrySafety::ReadOnly,
        Some(false) => RetrySafety::Unsafe,
        None if has_token => RetrySafety::Token,
        None if rules::reads_by_every_sign(
            style,
            &spec.name,
            spec.operation_type,
            &spec.methods,
            method,
        ) =>
        {
            RetrySafety::ReadOnly
        }
        None => RetrySafety::Unsafe,
    }
}

fn idempotency_token(
    report: &mut Reporter<'_>,
    spec: &OperationSpec,
    params: &[Field],
) -> Option<usize> {
    let mut token = None;
    for (index, param) in params.iter().enumerate() {
        let Some(spec_param) = spec
            .parameters
            .iter()
            .position(|p| p.name == param.wire_name)
            .filter(|&i| spec.parameters[i].idempotency_token)
        else {
            continue;
        };
        let path = FieldPath::default()
            .key("parameters")
            .index(spec_param)
            .key("idempotency_token");
        if param.ty != TypeRef::String || param.required {
            report.error(
                &path,
                "an idempotency token must be an optional string: the client fills it when it is unset",
            );
        }
        if token.replace(index).is_some() {
            report.error(&path, "an operation has at most one idempotency token");
        }
    }
    token
}

/// The Rust names the parameters of one operation have claimed, with who claimed them.
struct NameClaims {
    taken: HashMap<String, String>,
}

impl NameClaims {
    fn claim(&mut self, report: &mut Reporter<'_>, wire: &str, path: &FieldPath) {
        let name = names::param_ident(wire).trim_start_matches("r#").to_owned();
        if let Some(other) = self.taken.insert(name.clone(), wire.to_owned()) {
            report.error(
                &path.key("name"),
                format!(
                    "`{wire}` and `{other}` collide after conversion to Rust: both need `{name}`"
                ),
            );
        }
    }
}

fn lower_params(
    lowering: &mut TypeLowering<'_, '_>,
    style: ApiStyle,
    spec: &OperationSpec,
    op_prefix: &str,
    path_template: &str,
) -> Vec<Field> {
    let specs = &spec.parameters;
    let root = FieldPath::default().key("parameters");
    let mut claimed = NameClaims {
        taken: HashMap::new(),
    };
    let mut wire_names: HashMap<&str, usize> = HashMap::new();
    let placeholders = path_placeholders(path_template);
    let body_params = specs
        .iter()
        .filter(|p| p.position == Position::Body)
        .count();
    if style == ApiStyle::Roa
        && body_params > 0
        && let Some(form) = specs.iter().position(|p| p.position == Position::FormData)
    {
        lowering.report.error(
            &root.index(form).key("in"),
            "an ROA operation sends either a JSON body (`in: body`) or form fields (`in: formData`), not both",
        );
    }
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
        let ident = names::param_ident(&spec.name);
        claimed.claim(lowering.report, &spec.name, &path);
        if rules::is_binary_body(spec.type_name) {
            let in_body = specs
                .iter()
                .filter(|p| matches!(p.position, Position::Body | Position::FormData))
                .count();
            if spec.position != Position::Body || in_body != 1 {
                lowering.report.error(
                    &path.key("type"),
                    "a `binary` parameter is the whole request body: it must be `in: body` and the only body parameter",
                );
            }
            params.push(Field {
                wire_name: spec.name.clone(),
                ident,
                ty: TypeRef::Bytes,
                required: spec.required,
                deprecated: spec.deprecated,
                placement: Some(Placement::BinaryBody),
                docs: Docs {
                    description: spec.description.clone(),
                    example: None,
                },
            });
            continue;
        }
        let ty = lowering.type_ref(
            TypeParts {
                type_name: spec.type_name,
                reference: spec.reference.as_ref(),
                items: spec.items.as_deref(),
                fields: spec.fields.as_deref(),
                values: spec.values.as_deref(),
                description: spec.description.as_ref(),
            },
            Naming {
                parent: op_prefix,
                member: &spec.name,
                suffix: "",
            },
            &path,
            1,
        );
        let param_style = spec
            .style
            .unwrap_or(ParamStyle::default_for(spec.type_name));
        check_style(lowering.report, spec, param_style, &path);
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
        if spec.position == Position::Host && (spec.type_name != TypeName::String || !spec.required)
        {
            lowering.report.error(
                &path.key("in"),
                "a host parameter (`in: host`) is the host name's first label: it must be a required string",
            );
        }
        if param_style.is_whole_body() {
            let in_body = specs
                .iter()
                .filter(|p| matches!(p.position, Position::Body | Position::FormData))
                .count();
            if spec.position != Position::Body || in_body != 1 {
                lowering.report.error(
                    &path.key("style"),
                    format!(
                        "style `{}` makes the parameter the whole request body: it must be `in: body` and the only body parameter",
                        param_style.as_str()
                    ),
                );
            }
            if param_style == ParamStyle::Xml && !is_xml_name(&spec.name) {
                lowering.report.error(
                    &path.key("name"),
                    format!(
                        "an XML body's parameter names its root element: `{}` is not an XML element name",
                        spec.name
                    ),
                );
            }
        }
        params.push(Field {
            wire_name: spec.name.clone(),
            ident,
            ty,
            required: spec.required,
            deprecated: spec.deprecated,
            placement: Some(placement(style, spec, param_style, body_params)),
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

/// How a parameter travels: the one place this is decided.
fn placement(
    api: ApiStyle,
    spec: &ParameterSpec,
    style: ParamStyle,
    body_params: usize,
) -> Placement {
    let encoding = match style {
        ParamStyle::Json => Encoding::Json,
        ParamStyle::Simple if spec.type_name == TypeName::Array => Encoding::Join,
        _ => Encoding::Flatten,
    };
    match style {
        ParamStyle::Xml => return Placement::XmlBody,
        ParamStyle::LogGroup => return Placement::LogGroupBody,
        _ => {}
    }
    match spec.position {
        Position::Query => Placement::Query(encoding),
        Position::Path => Placement::Path,
        Position::Header => Placement::Header(encoding),
        Position::Host => Placement::Host,
        Position::FormData => Placement::Form(encoding),
        Position::Body if api == ApiStyle::Rpc => Placement::Form(encoding),
        Position::Body
            if rules::is_whole_json_body(api, spec.position, spec.type_name, body_params) =>
        {
            Placement::JsonBody
        }
        Position::Body => Placement::JsonMember,
    }
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
    if !style.fits(spec.type_name) {
        report.error(
            &path.key("style"),
            format!(
                "style `{}` cannot carry a value of type `{}`",
                style.as_str(),
                spec.type_name.as_str()
            ),
        );
    }
    if rules::needs_json(spec.position, spec.type_name) && style != ParamStyle::Json {
        report.error(
            &path.key("in"),
            "a structured value can travel in the path, a header or the host only with `style: json`",
        );
    }
}

fn lower_errors(report: &mut Reporter<'_>, spec: &OperationSpec) -> Vec<ir::ErrorCode> {
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    variants.insert(
        names::generated::UNHANDLED.to_owned(),
        "(the catch-all variant)".to_owned(),
    );
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

fn lower_ram(report: &mut Reporter<'_>, ram: &OperationRamSpec, params: &[Field]) -> ir::Ram {
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
    use acs_policy::TemplatePart;
    let mut parts = Vec::new();
    for part in acs_policy::template_parts(template) {
        parts.push(match part {
            TemplatePart::Literal(text) => ArnPart::Literal(text.to_owned()),
            TemplatePart::Malformed(text) if text.starts_with("{#") => {
                report.error(path, format!("unclosed `{{#` placeholder in `{template}`"));
                return vec![ArnPart::Literal(template.to_owned())];
            }
            TemplatePart::Malformed(text) => {
                // The metadata's own slip (PrivateZone's `#{endpointId}`): recorded in the
                // generated RAM docs, and said once when the spec is imported.
                report.note(
                    path,
                    format!(
                        "`{text}` in `{template}` is not a placeholder (`{{#Name}}`); it becomes `*` in policies"
                    ),
                );
                ArnPart::Malformed {
                    text: text.to_owned(),
                }
            }
            TemplatePart::Placeholder("regionId") => ArnPart::Region,
            TemplatePart::Placeholder("accountId") => ArnPart::Account,
            TemplatePart::Placeholder(name) => match params
                .iter()
                .position(|p| p.wire_name == name)
                .or_else(|| params.iter().position(|p| p.wire_name.eq_ignore_ascii_case(name)))
            {
                Some(index) if params[index].ty.is_scalar() => ArnPart::Param {
                    index,
                    placeholder: name.to_owned(),
                },
                _ => {
                    // Alibaba's metadata, not a mistake to fix on every run: recorded in the
                    // generated RAM docs, and said once when the spec is imported.
                    report.note(
                        path,
                        format!(
                            "`{{#{name}}}` names no scalar parameter of this operation; it becomes `*` in policies"
                        ),
                    );
                    ArnPart::Wildcard {
                        placeholder: name.to_owned(),
                    }
                }
            },
        });
    }
    parts
}

/// Whether `name` can be an XML element's name as the gateways write them: a letter or `_`,
/// then letters, digits, `_`, `-` and `.` (no namespace prefix).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// What an operation's parameters may do given its service's gateway: one host parameter at
/// most; an XML body or an SLS `LogGroup` body only where the gateway sends them.
fn check_gateway_params(
    report: &mut Reporter<'_>,
    gateway: Option<Gateway>,
    spec: &OperationSpec,
    params: &[Field],
) {
    let root = FieldPath::default().key("parameters");
    let position = |field: &Field| {
        spec.parameters
            .iter()
            .position(|p| p.name == field.wire_name)
            .unwrap_or(0)
    };
    let hosts: Vec<&Field> = params
        .iter()
        .filter(|p| p.placement == Some(Placement::Host))
        .collect();
    if let (Some(first), None) = (hosts.first(), gateway) {
        report.error(
            &root.index(position(first)).key("in"),
            "a host parameter (`in: host`) needs a product gateway (`gateway: oss` or `sls` in service.yaml), which says how it forms the host name",
        );
    }
    if let [_, second, ..] = hosts.as_slice() {
        report.error(
            &root.index(position(second)).key("in"),
            "an operation has at most one host parameter (`in: host`): it is the host name's first label",
        );
    }
    for field in params {
        let needs = match field.placement {
            Some(Placement::XmlBody) => Some(Gateway::Oss),
            Some(Placement::LogGroupBody) => Some(Gateway::Sls),
            _ => None,
        };
        if let Some(needs) = needs
            && gateway != Some(needs)
        {
            report.error(
                &root.index(position(field)).key("style"),
                format!(
                    "this body is sent only through the `{}` gateway (set `gateway: {}` in service.yaml)",
                    needs.as_str(),
                    needs.as_str()
                ),
            );
        }
    }
    if spec.response_root.is_some() && gateway != Some(Gateway::Oss) {
        report.error(
            &FieldPath::default().key("response_root"),
            "XML answers are read only through the `oss` gateway (set `gateway: oss` in service.yaml)",
        );
    }
}

/// The members of the answer's headers, named so they collide with no body member (a header
/// whose Rust name a body member has gets `_header` after it).
fn response_headers(
    lowering: &mut TypeLowering<'_, '_>,
    spec: &OperationSpec,
    body: &[Field],
    op_prefix: &str,
) -> Vec<Field> {
    let path = FieldPath::default().key("response_headers");
    let mut fields = lowering.fields(&spec.response_headers, op_prefix, &path, 1);
    for (index, field) in fields.iter_mut().enumerate() {
        if !field.ty.is_scalar() {
            lowering.report.error(
                &path.index(index).key("type"),
                "a response header is text: give it a scalar type",
            );
        }
        if !field
            .wire_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            || field.wire_name.is_empty()
        {
            lowering.report.error(
                &path.index(index).key("name"),
                format!("`{}` is not an HTTP header name", field.wire_name),
            );
        }
        if body.iter().any(|member| member.ident == field.ident) {
            field.ident = names::header_member_ident(&field.ident);
        }
    }
    fields
}
