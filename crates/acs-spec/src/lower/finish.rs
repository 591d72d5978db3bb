//! Service-wide decisions about types, made once every operation is lowered: which side of the
//! wire each type is used on (which decides what the generator implements for it), whether it
//! can derive `Eq`, and which members must be boxed because a named type contains itself.

use std::collections::{HashMap, HashSet};

use crate::ir::{Gateway, ResponseShape, Service, Sides, TypeDef, TypeRef, TypeScope};

/// Identifies a type: its scope, the operation it belongs to (for operation types) and name.
type TypeKey = (TypeScope, usize, String);

pub(super) fn finish(service: &mut Service) {
    box_recursive_members(&mut service.types);
    mark_sides(service);
    mark_eq(service);
    mark_operations_eq(service);
}

fn key(scope: TypeScope, operation: usize, name: &str) -> TypeKey {
    match scope {
        TypeScope::Service => (scope, 0, name.to_owned()),
        TypeScope::Operation => (scope, operation, name.to_owned()),
    }
}

/// Every type of the service by key, with where it sits.
fn index(service: &Service) -> HashMap<TypeKey, (Option<usize>, usize)> {
    let mut index = HashMap::new();
    for (position, def) in service.types.iter().enumerate() {
        index.insert(key(TypeScope::Service, 0, def.name()), (None, position));
    }
    for (op, operation) in service.operations.iter().enumerate() {
        for (position, def) in operation.types.iter().enumerate() {
            index.insert(
                key(TypeScope::Operation, op, def.name()),
                (Some(op), position),
            );
        }
    }
    index
}

fn def_at(service: &Service, at: (Option<usize>, usize)) -> &TypeDef {
    match at {
        (None, position) => &service.types[position],
        (Some(op), position) => &service.operations[op].types[position],
    }
}

fn def_at_mut(service: &mut Service, at: (Option<usize>, usize)) -> &mut TypeDef {
    match at {
        (None, position) => &mut service.types[position],
        (Some(op), position) => &mut service.operations[op].types[position],
    }
}

/// The named types a type refers to, with whether the reference is direct (held inline, not
/// behind a list, map or box).
fn references(ty: &TypeRef, direct: bool, out: &mut Vec<(TypeScope, String, bool)>) {
    match ty {
        TypeRef::Named { name, scope } => out.push((*scope, name.clone(), direct)),
        TypeRef::List(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
            references(inner, false, out)
        }
        _ => {}
    }
}

/// Named types can refer to themselves (a tree node holding its children's type); a struct
/// holding its own type inline has no size, so such members are boxed. Only the crate's named
/// types can form cycles: inline types are trees.
fn box_recursive_members(types: &mut [TypeDef]) {
    let mut direct: HashMap<String, Vec<String>> = HashMap::new();
    for def in types.iter() {
        let TypeDef::Struct(def) = def else { continue };
        let mut refs = Vec::new();
        for field in &def.fields {
            references(&field.ty, true, &mut refs);
        }
        direct.insert(
            def.name.clone(),
            refs.into_iter()
                .filter(|(scope, _, direct)| *direct && *scope == TypeScope::Service)
                .map(|(_, name, _)| name)
                .collect(),
        );
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = HashSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(current) = stack.pop() {
            if current == to {
                return true;
            }
            if seen.insert(current.clone()) {
                stack.extend(direct.get(&current).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut boxed = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let TypeDef::Struct(def) = def else { continue };
        for (member, field) in def.fields.iter().enumerate() {
            if let TypeRef::Named {
                name,
                scope: TypeScope::Service,
            } = &field.ty
                && reaches(name, &def.name)
            {
                boxed.push((index, member));
            }
        }
    }
    for (index, member) in boxed {
        if let TypeDef::Struct(def) = &mut types[index] {
            let field = &mut def.fields[member];
            field.ty = TypeRef::Boxed(Box::new(field.ty.clone()));
        }
    }
}

/// A side of the wire a type is used on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Request,
    /// In a JSON answer.
    Response,
    /// In an XML answer.
    XmlResponse,
}

/// Marks every type with the sides of the wire it is reached from.
fn mark_sides(service: &mut Service) {
    let index = index(service);
    let mut seen: HashSet<(TypeKey, Side)> = HashSet::new();
    let mut pending: Vec<(TypeKey, Side)> = Vec::new();
    for (op, operation) in service.operations.iter().enumerate() {
        let request_types = operation.params.iter().map(|field| &field.ty);
        let answer = match operation.response_shape {
            ResponseShape::Xml { .. } => Side::XmlResponse,
            _ => Side::Response,
        };
        for (types, side) in [
            (request_types.collect::<Vec<_>>(), Side::Request),
            (operation.response_types().collect(), answer),
        ] {
            let mut refs = Vec::new();
            for ty in types {
                references(ty, true, &mut refs);
            }
            pending.extend(
                refs.into_iter()
                    .map(|(scope, name, _)| (key(scope, op, &name), side)),
            );
        }
    }
    propagate(service, &index, &mut seen, pending);
    // A named type no operation uses is generated for every side, and so must be every type
    // it uses (found by `cargo xtask compile-batch`: an unused struct's member of a type
    // only responses used had no request-side encoding, and the crate did not compile).
    let mut unused = Vec::new();
    for def in &mut service.types {
        let sides = match def {
            TypeDef::Struct(def) => &mut def.sides,
            TypeDef::Enum(def) => &mut def.sides,
        };
        if *sides == Sides::default() {
            unused.push(key(TypeScope::Service, 0, def.name()));
        }
    }
    let xml = service.gateway == Some(Gateway::Oss);
    let pending = unused
        .into_iter()
        .flat_map(|key| {
            let mut sides = vec![(key.clone(), Side::Request), (key.clone(), Side::Response)];
            if xml {
                sides.push((key, Side::XmlResponse));
            }
            sides
        })
        .collect();
    propagate(service, &index, &mut seen, pending);
}

/// Marks the types of `pending` with their side, and what they reach with the same side.
fn propagate(
    service: &mut Service,
    index: &HashMap<TypeKey, (Option<usize>, usize)>,
    seen: &mut HashSet<(TypeKey, Side)>,
    mut pending: Vec<(TypeKey, Side)>,
) {
    while let Some((type_key, side)) = pending.pop() {
        if !seen.insert((type_key.clone(), side)) {
            continue;
        }
        let Some(&at) = index.get(&type_key) else {
            continue;
        };
        let op = at.0.unwrap_or(0);
        match def_at_mut(service, at) {
            TypeDef::Struct(def) => {
                mark(&mut def.sides, side);
                let mut refs = Vec::new();
                for field in &def.fields {
                    references(&field.ty, true, &mut refs);
                }
                pending.extend(
                    refs.into_iter()
                        .map(|(scope, name, _)| (key(scope, op, &name), side)),
                );
            }
            TypeDef::Enum(def) => mark(&mut def.sides, side),
        }
    }
}

fn mark(sides: &mut Sides, side: Side) {
    match side {
        Side::Request => sides.request = true,
        Side::Response => sides.response = true,
        Side::XmlResponse => sides.xml = true,
    }
}

/// `Eq` holds for a struct whose members all support it (floats and untyped JSON do not),
/// computed to a fixed point so recursive types settle.
fn mark_eq(service: &mut Service) {
    let index = index(service);
    loop {
        let mut changed = Vec::new();
        for (type_key, &at) in &index {
            let TypeDef::Struct(def) = def_at(service, at) else {
                continue;
            };
            if !def.eq {
                continue;
            }
            let op = at.0.unwrap_or(0);
            let holds = def.fields.iter().all(|field| {
                is_eq(&field.ty, &|scope, name| match index
                    .get(&key(scope, op, name))
                    .map(|&at| def_at(service, at))
                {
                    Some(TypeDef::Struct(def)) => def.eq,
                    _ => true,
                })
            });
            if !holds {
                changed.push(type_key.clone());
            }
        }
        if changed.is_empty() {
            break;
        }
        for type_key in changed {
            if let TypeDef::Struct(def) = def_at_mut(service, index[&type_key]) {
                def.eq = false;
            }
        }
    }
}

fn mark_operations_eq(service: &mut Service) {
    let index = index(service);
    let mut verdicts = Vec::new();
    for (op, operation) in service.operations.iter().enumerate() {
        let named_eq = |scope, name: &str| match index
            .get(&key(scope, op, name))
            .map(|&at| def_at(service, at))
        {
            Some(TypeDef::Struct(def)) => def.eq,
            _ => true,
        };
        let request = operation.params.iter().all(|f| is_eq(&f.ty, &named_eq));
        let response = operation.response_types().all(|ty| is_eq(ty, &named_eq));
        verdicts.push((request, response));
    }
    for (operation, (request, response)) in service.operations.iter_mut().zip(verdicts) {
        operation.request_eq = request;
        operation.response_eq = response;
    }
}

/// Whether values of `ty` can be compared with `Eq`, given what named structs support.
pub(crate) fn is_eq(ty: &TypeRef, named_eq: &dyn Fn(TypeScope, &str) -> bool) -> bool {
    match ty {
        TypeRef::Float | TypeRef::Double | TypeRef::Any => false,
        TypeRef::List(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
            is_eq(inner, named_eq)
        }
        TypeRef::Named { scope, name } => named_eq(*scope, name),
        _ => true,
    }
}
