//! Walks two lowered services side by side and lists what differs, by wire name: the
//! generator's view of the API, so what means the same thing (entries reordered, an explicit
//! `required: false`) compares equal.
//!
//! Values are compared through their types, nested structs member by member under paths like
//! `Items.BackupPlanDetail[].Status`. A struct both sides declare as the same shared type of the
//! crate (`types::Tag`) is compared once, on its own, and the change lists the operations that
//! use it; any other nesting is compared where it is used.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use acs_spec::ir::{
    Docs, EnumDef, Field, Operation, Placement, ResponseShape, Service, StructDef, TypeDef,
    TypeRef, TypeScope,
};

use crate::verdict::{Kind, Side};
use crate::{Change, Options};

/// Where names resolve: a service and, inside an operation, its own types.
#[derive(Clone, Copy)]
struct Scope<'a> {
    service: &'a Service,
    op: Option<&'a Operation>,
}

impl<'a> Scope<'a> {
    fn lookup(&self, ty: &TypeRef) -> Option<&'a TypeDef> {
        let TypeRef::Named { name, scope } = ty else {
            return None;
        };
        let types = match (scope, self.op) {
            (TypeScope::Operation, Some(op)) => &op.types,
            _ => &self.service.types,
        };
        types.iter().find(|def| def.name() == name)
    }
}

/// Collects changes, and which operations use which shared types.
pub(crate) struct Differ<'a> {
    options: &'a Options,
    pub(crate) changes: Vec<Change>,
    /// Shared type name → operations that use it (on either side).
    shared_users: BTreeMap<String, BTreeSet<String>>,
    /// The operation being compared (`None` inside a shared type).
    operation: Option<String>,
    /// Pairs of types being walked, against recursion.
    walking: HashSet<(String, String)>,
    /// The side of the wire being compared.
    side: Option<Side>,
}

fn unboxed(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Boxed(inner) => unboxed(inner),
        other => other,
    }
}

fn operations_by_name(service: &Service) -> BTreeMap<&str, &Operation> {
    service
        .operations
        .iter()
        .map(|op| (op.name.as_str(), op))
        .collect()
}

fn by_wire_name<'f>(fields: &'f [Field], name: &str) -> Option<&'f Field> {
    fields.iter().find(|f| f.wire_name == name)
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

impl<'a> Differ<'a> {
    pub(crate) fn new(options: &'a Options) -> Self {
        Differ {
            options,
            changes: Vec::new(),
            shared_users: BTreeMap::new(),
            operation: None,
            walking: HashSet::new(),
            side: None,
        }
    }

    fn push(&mut self, kind: Kind, path: &str, old: Option<String>, new: Option<String>) {
        if kind == Kind::Docs && !self.options.docs {
            return;
        }
        let (class, reason) = kind.verdict();
        self.changes.push(Change {
            operation: self.operation.clone(),
            side: self.side,
            kind: kind.name(),
            path: path.to_owned(),
            old,
            new,
            class,
            reason: reason.to_owned(),
            shared_type: None,
            operations: Vec::new(),
        });
    }

    fn describe(scope: Scope<'_>, ty: &TypeRef) -> String {
        match unboxed(ty) {
            TypeRef::String => "string".into(),
            TypeRef::Int32 => "int32".into(),
            TypeRef::Int64 => "int64".into(),
            TypeRef::Float => "float".into(),
            TypeRef::Double => "double".into(),
            TypeRef::Boolean => "boolean".into(),
            TypeRef::Any => "any".into(),
            TypeRef::Bytes => "binary".into(),
            TypeRef::List(inner) => format!("array of {}", Self::describe(scope, inner)),
            TypeRef::Map(inner) => format!("map of {}", Self::describe(scope, inner)),
            named => match scope.lookup(named) {
                Some(TypeDef::Enum(_)) => "enum".into(),
                _ => "object".into(),
            },
        }
    }

    /// The whole service: endpoints, operations, then the shared types the operations use.
    pub(crate) fn services(&mut self, old: &Service, new: &Service) {
        self.endpoints(old, new);
        let (old_ops, new_ops) = (operations_by_name(old), operations_by_name(new));
        let names: BTreeSet<&str> = old_ops.keys().chain(new_ops.keys()).copied().collect();
        for name in names {
            self.operation = Some(name.to_owned());
            match (old_ops.get(name), new_ops.get(name)) {
                (Some(_), None) => self.push(Kind::OperationRemoved, "", None, None),
                (None, Some(_)) => self.push(Kind::OperationAdded, "", None, None),
                (Some(o), Some(n)) => self.operation_pair(
                    Scope {
                        service: old,
                        op: Some(o),
                    },
                    Scope {
                        service: new,
                        op: Some(n),
                    },
                ),
                (None, None) => {}
            }
        }
        self.shared_types(old, new);
    }

    fn endpoints(&mut self, old: &Service, new: &Service) {
        self.operation = None;
        let regions: BTreeSet<&str> = old
            .endpoints
            .iter()
            .chain(&new.endpoints)
            .map(|e| e.region.as_str())
            .collect();
        for region in regions {
            let path = format!("endpoints.{region}");
            let find = |s: &Service| s.endpoints.iter().position(|e| e.region == region);
            match (
                find(old).map(|i| &old.endpoints[i]),
                find(new).map(|i| &new.endpoints[i]),
            ) {
                (Some(o), None) => {
                    self.push(Kind::EndpointRemoved, &path, Some(o.public.clone()), None)
                }
                (None, Some(n)) => {
                    self.push(Kind::EndpointAdded, &path, None, Some(n.public.clone()))
                }
                (Some(o), Some(n)) => {
                    if o.public != n.public {
                        self.push(
                            Kind::EndpointChanged,
                            &path,
                            Some(o.public.clone()),
                            Some(n.public.clone()),
                        );
                    }
                    match (&o.vpc, &n.vpc) {
                        (None, Some(vpc)) => {
                            self.push(
                                Kind::VpcEndpointAdded,
                                &format!("{path}.vpc"),
                                None,
                                Some(vpc.clone()),
                            );
                        }
                        (Some(a), None) => self.push(
                            Kind::VpcEndpointRemoved,
                            &format!("{path}.vpc"),
                            Some(a.clone()),
                            None,
                        ),
                        (Some(a), Some(b)) if a != b => self.push(
                            Kind::EndpointChanged,
                            &format!("{path}.vpc"),
                            Some(a.clone()),
                            Some(b.clone()),
                        ),
                        _ => {}
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn operation_pair(&mut self, old: Scope<'_>, new: Scope<'_>) {
        let (o, n) = (old.op.expect("an operation"), new.op.expect("an operation"));
        let text = |value: &dyn std::fmt::Debug| format!("{value:?}").to_ascii_lowercase();
        if o.method != n.method {
            self.push(
                Kind::MethodChanged,
                "",
                Some(text(&o.method)),
                Some(text(&n.method)),
            );
        }
        if o.path != n.path {
            self.push(
                Kind::PathChanged,
                "",
                Some(o.path.clone()),
                Some(n.path.clone()),
            );
        }
        if o.anonymous != n.anonymous {
            let auth = |anonymous| if anonymous { "anonymous" } else { "signed" }.to_owned();
            self.push(
                Kind::AuthChanged,
                "",
                Some(auth(o.anonymous)),
                Some(auth(n.anonymous)),
            );
        }
        if o.retry != n.retry {
            self.push(
                Kind::RetryChanged,
                "",
                Some(text(&o.retry)),
                Some(text(&n.retry)),
            );
        }
        if o.deprecated != n.deprecated {
            let kind = if n.deprecated {
                Kind::Deprecated
            } else {
                Kind::Undeprecated
            };
            self.push(kind, "", None, None);
        }
        self.docs("summary", &o.summary, &n.summary);
        self.docs(
            "description",
            o.description.as_deref().unwrap_or(""),
            n.description.as_deref().unwrap_or(""),
        );
        self.side = Some(Side::Request);
        self.fields(old, new, &o.params, &n.params, "", Side::Request, true);
        self.side = Some(Side::Response);
        match (&o.response_shape, &n.response_shape) {
            (ResponseShape::Object, ResponseShape::Object)
            | (ResponseShape::Xml { .. }, ResponseShape::Xml { .. }) => {
                self.fields(
                    old,
                    new,
                    &o.response,
                    &n.response,
                    "",
                    Side::Response,
                    false,
                );
            }
            (ResponseShape::Value(a), ResponseShape::Value(b)) => {
                self.types(old, new, a, b, "body", Side::Response);
            }
            (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => {}
            (a, b) => {
                let shape = |s: &ResponseShape| match s {
                    ResponseShape::Object => "object".to_owned(),
                    ResponseShape::Value(ty) => Self::describe(old, ty),
                    ResponseShape::Text => "text".to_owned(),
                    ResponseShape::Binary => "binary".to_owned(),
                    ResponseShape::Xml { .. } => "XML".to_owned(),
                };
                self.push(
                    Kind::ResponseShapeChanged,
                    "",
                    Some(shape(a)),
                    Some(shape(b)),
                );
            }
        }
        self.side = None;
        match (&o.pagination, &n.pagination) {
            (None, Some(_)) => self.push(Kind::PaginatorAdded, "", None, None),
            (Some(_), None) => self.push(Kind::PaginatorRemoved, "", None, None),
            _ => {}
        }
        self.errors(o, n);
        self.ram(o, n);
    }

    fn docs(&mut self, path: &str, old: &str, new: &str) {
        if old.trim() != new.trim() {
            self.push(Kind::Docs, path, Some(old.to_owned()), Some(new.to_owned()));
        }
    }

    fn field_docs(&mut self, path: &str, old: &Docs, new: &Docs) {
        if self.options.docs {
            self.docs(
                path,
                old.description.as_deref().unwrap_or(""),
                new.description.as_deref().unwrap_or(""),
            );
            self.docs(
                &format!("{path} (example)"),
                old.example.as_deref().unwrap_or(""),
                new.example.as_deref().unwrap_or(""),
            );
        }
    }

    /// Members matched by wire name. `parameters` marks an operation's own parameters, whose
    /// position and style are compared too.
    #[allow(clippy::too_many_arguments)]
    fn fields(
        &mut self,
        old: Scope<'_>,
        new: Scope<'_>,
        old_fields: &[Field],
        new_fields: &[Field],
        path: &str,
        side: Side,
        parameters: bool,
    ) {
        let names: Vec<&str> = {
            let mut seen = BTreeSet::new();
            old_fields
                .iter()
                .chain(new_fields)
                .map(|f| f.wire_name.as_str())
                .filter(|name| seen.insert(*name))
                .collect()
        };
        for name in names {
            let member = join(path, name);
            match (
                by_wire_name(old_fields, name),
                by_wire_name(new_fields, name),
            ) {
                (Some(_), None) => self.push(Kind::MemberRemoved { side }, &member, None, None),
                (None, Some(added)) => self.push(
                    Kind::MemberAdded {
                        side,
                        required: side == Side::Request && added.required,
                    },
                    &member,
                    None,
                    Some(Self::describe(new, &added.ty)),
                ),
                (Some(o), Some(n)) => {
                    if side == Side::Request && o.required != n.required {
                        let kind = if n.required {
                            Kind::MadeRequired
                        } else {
                            Kind::MadeOptional
                        };
                        self.push(kind, &member, None, None);
                    }
                    if o.deprecated != n.deprecated {
                        let kind = if n.deprecated {
                            Kind::Deprecated
                        } else {
                            Kind::Undeprecated
                        };
                        self.push(kind, &member, None, None);
                    }
                    if parameters {
                        self.placement(&member, o.placement, n.placement);
                    }
                    self.field_docs(&member, &o.docs, &n.docs);
                    self.types(old, new, &o.ty, &n.ty, &member, side);
                }
                (None, None) => {}
            }
        }
    }

    fn placement(&mut self, path: &str, old: Option<Placement>, new: Option<Placement>) {
        let (Some(old), Some(new)) = (old, new) else {
            return;
        };
        let position = |p: Placement| match p {
            Placement::Query(_) => "query",
            Placement::Form(_) => "form body",
            Placement::Path => "path",
            Placement::Header(_) => "header",
            Placement::JsonBody => "JSON body",
            Placement::JsonMember => "JSON body member",
            Placement::BinaryBody => "binary body",
            Placement::Host => "host",
            Placement::XmlBody => "XML body",
            Placement::LogGroupBody => "LogGroup body",
        };
        let encoding = |p: Placement| match p {
            Placement::Query(e) | Placement::Form(e) | Placement::Header(e) => Some(e),
            _ => None,
        };
        if position(old) != position(new) {
            self.push(
                Kind::PositionChanged,
                path,
                Some(position(old).to_owned()),
                Some(position(new).to_owned()),
            );
        } else if encoding(old) != encoding(new) {
            let style = |e: Option<acs_spec::ir::Encoding>| match e {
                Some(acs_spec::ir::Encoding::Flatten) => "flattened (repeatList/flat)",
                Some(acs_spec::ir::Encoding::Join) => "comma-joined (simple)",
                Some(acs_spec::ir::Encoding::Json) => "JSON (json)",
                None => "",
            };
            self.push(
                Kind::StyleChanged,
                path,
                Some(style(encoding(old)).to_owned()),
                Some(style(encoding(new)).to_owned()),
            );
        }
    }

    /// Two values' types, member by member where they are structs.
    fn types(
        &mut self,
        old: Scope<'_>,
        new: Scope<'_>,
        old_ty: &TypeRef,
        new_ty: &TypeRef,
        path: &str,
        side: Side,
    ) {
        let (a, b) = (unboxed(old_ty), unboxed(new_ty));
        match (a, b) {
            (TypeRef::List(x), TypeRef::List(y)) => {
                return self.types(old, new, x, y, &format!("{path}[]"), side);
            }
            (TypeRef::Map(x), TypeRef::Map(y)) => {
                return self.types(old, new, x, y, &format!("{path}{{}}"), side);
            }
            (
                TypeRef::Named {
                    name: x,
                    scope: TypeScope::Service,
                },
                TypeRef::Named {
                    name: y,
                    scope: TypeScope::Service,
                },
            ) if x == y => {
                // The same shared type: compared once, on its own.
                if let Some(op) = &self.operation {
                    self.shared_users
                        .entry(x.clone())
                        .or_default()
                        .insert(op.clone());
                }
                return;
            }
            _ => {}
        }
        match (old.lookup(a), new.lookup(b)) {
            (Some(TypeDef::Struct(x)), Some(TypeDef::Struct(y))) => {
                self.structs(old, new, x, y, path, side);
            }
            (Some(TypeDef::Enum(x)), Some(TypeDef::Enum(y))) => self.enums(x, y, path),
            (None, None) if a == b => {}
            _ => {
                let (was, is) = (Self::describe(old, a), Self::describe(new, b));
                if was != is || old.lookup(a).is_some() != new.lookup(b).is_some() {
                    self.push(Kind::TypeChanged, path, Some(was), Some(is));
                }
            }
        }
    }

    fn structs(
        &mut self,
        old: Scope<'_>,
        new: Scope<'_>,
        x: &StructDef,
        y: &StructDef,
        path: &str,
        side: Side,
    ) {
        let key = (format!("{:p}", x), format!("{:p}", y));
        if !self.walking.insert(key.clone()) {
            return;
        }
        self.fields(old, new, &x.fields, &y.fields, path, side, false);
        self.walking.remove(&key);
    }

    fn enums(&mut self, x: &EnumDef, y: &EnumDef, path: &str) {
        let values = |def: &EnumDef| -> BTreeSet<String> {
            def.values.iter().map(|v| v.wire.clone()).collect()
        };
        let (was, is) = (values(x), values(y));
        for removed in was.difference(&is) {
            self.push(Kind::EnumValueRemoved, path, Some(removed.clone()), None);
        }
        for added in is.difference(&was) {
            self.push(Kind::EnumValueAdded, path, None, Some(added.clone()));
        }
    }

    fn errors(&mut self, o: &Operation, n: &Operation) {
        let codes: BTreeSet<&str> = o
            .errors
            .iter()
            .chain(&n.errors)
            .map(|e| e.code.as_str())
            .collect();
        for code in codes {
            let path = format!("errors.{code}");
            let find = |op: &Operation| op.errors.iter().position(|e| e.code == code);
            match (find(o).map(|i| &o.errors[i]), find(n).map(|i| &n.errors[i])) {
                (Some(_), None) => {
                    self.push(Kind::ErrorRemoved, &path, Some(code.to_owned()), None)
                }
                (None, Some(_)) => self.push(Kind::ErrorAdded, &path, None, Some(code.to_owned())),
                (Some(a), Some(b)) => {
                    if a.message != b.message {
                        self.push(
                            Kind::ErrorMessageChanged,
                            &path,
                            a.message.clone(),
                            b.message.clone(),
                        );
                    }
                    if a.http_status != b.http_status {
                        let status = |s: Option<u16>| {
                            Some(s.map_or("200 (in the body)".to_owned(), |s| s.to_string()))
                        };
                        self.push(
                            Kind::ErrorStatusChanged,
                            &path,
                            status(a.http_status),
                            status(b.http_status),
                        );
                    }
                    if self.options.docs {
                        self.docs(
                            &path,
                            a.description.as_deref().unwrap_or(""),
                            b.description.as_deref().unwrap_or(""),
                        );
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn ram(&mut self, o: &Operation, n: &Operation) {
        let (a, b) = match (&o.ram, &n.ram) {
            (None, None) => return,
            (None, Some(b)) => {
                return self.push(Kind::RamAdded, "ram", None, Some(b.action.clone()));
            }
            (Some(a), None) => {
                return self.push(Kind::RamRemoved, "ram", Some(a.action.clone()), None);
            }
            (Some(a), Some(b)) => (a, b),
        };
        if a.action != b.action {
            self.push(
                Kind::RamActionChanged,
                "ram.action",
                Some(a.action.clone()),
                Some(b.action.clone()),
            );
        }
        if a.access_level != b.access_level {
            let level = |l: acs_spec::ir::AccessLevel| Some(format!("{l:?}").to_ascii_lowercase());
            self.push(
                Kind::RamAccessLevelChanged,
                "ram.access_level",
                level(a.access_level),
                level(b.access_level),
            );
        }
        let (was, is): (BTreeSet<&str>, BTreeSet<&str>) = (
            a.resources.iter().map(|r| r.template.as_str()).collect(),
            b.resources.iter().map(|r| r.template.as_str()).collect(),
        );
        for removed in was.difference(&is) {
            self.push(
                Kind::RamResourceRemoved,
                "ram.resources",
                Some((*removed).to_owned()),
                None,
            );
        }
        for added in is.difference(&was) {
            self.push(
                Kind::RamResourceAdded,
                "ram.resources",
                None,
                Some((*added).to_owned()),
            );
        }
        let (was, is): (BTreeSet<&str>, BTreeSet<&str>) = (
            a.condition_keys.iter().map(String::as_str).collect(),
            b.condition_keys.iter().map(String::as_str).collect(),
        );
        for removed in was.difference(&is) {
            self.push(
                Kind::RamConditionKeyRemoved,
                "ram.condition_keys",
                Some((*removed).to_owned()),
                None,
            );
        }
        for added in is.difference(&was) {
            self.push(
                Kind::RamConditionKeyAdded,
                "ram.condition_keys",
                None,
                Some((*added).to_owned()),
            );
        }
    }

    /// The shared types operations use, each compared once; its changes name the type and the
    /// operations using it.
    fn shared_types(&mut self, old: &Service, new: &Service) {
        let mut done: BTreeSet<String> = BTreeSet::new();
        loop {
            let Some((name, users)) = self
                .shared_users
                .iter()
                .find(|(name, _)| !done.contains(*name))
                .map(|(name, users)| (name.clone(), users.clone()))
            else {
                return;
            };
            done.insert(name.clone());
            let scope = |service| Scope { service, op: None };
            let ty = TypeRef::Named {
                name: name.clone(),
                scope: TypeScope::Service,
            };
            let (Some(a), Some(b)) = (scope(old).lookup(&ty), scope(new).lookup(&ty)) else {
                continue;
            };
            let side = match a {
                TypeDef::Struct(def) if def.sides.request => Side::Request,
                TypeDef::Enum(def) if def.sides.request => Side::Request,
                _ => Side::Response,
            };
            let before = self.changes.len();
            // Shared types nested in this one are used by the same operations.
            self.operation = None;
            let nested_users = users.clone();
            match (a, b) {
                (TypeDef::Struct(x), TypeDef::Struct(y)) => {
                    let mut inner = Differ::new(self.options);
                    inner.operation = Some(String::new());
                    inner.side = Some(side);
                    inner.structs(scope(old), scope(new), x, y, "", side);
                    for (nested, _) in std::mem::take(&mut inner.shared_users) {
                        self.shared_users
                            .entry(nested)
                            .or_default()
                            .extend(nested_users.iter().cloned());
                    }
                    for mut change in inner.changes {
                        change.operation = None;
                        self.changes.push(change);
                    }
                }
                (TypeDef::Enum(x), TypeDef::Enum(y)) => {
                    self.side = Some(side);
                    self.enums(x, y, "");
                    self.side = None;
                }
                _ => self.push(
                    Kind::TypeChanged,
                    "",
                    Some("type".into()),
                    Some("type".into()),
                ),
            }
            for change in &mut self.changes[before..] {
                change.shared_type = Some(name.clone());
                change.operations = users.iter().cloned().collect();
            }
        }
    }
}
