//! Which operations page, and how: decided once every type is known, from the names
//! [`rules::pagination_names`] lists.
//!
//! A list operation has a cursor parameter (a token, or a page number) and an object answer
//! that says when to stop: the next token for token cursors, the total count or the number of
//! pages for page numbers, on the answer itself or one level down (`PageInfo`, `Data`). Its
//! items are the one list beside those members, or the one list inside a member that holds
//! nothing else (XML-style wrappers such as `Items.BackupPlanDetail`). A page number also needs
//! a way to the next page's number, as products count from 0 or 1: the answer echoing the page
//! it holds (`PageNum`, beside the totals or on the answer), or the cursor's description saying
//! where pages start. Operations where any of this is missing or ambiguous (two lists) get no
//! paginator rather than a wrong one.

use crate::ir::{Field, Member, Operation, PageNumbers, Pagination, ResponseShape, Service};
use crate::ir::{StructDef, TypeDef, TypeRef, TypeScope};
use crate::rules::{self, pagination_names as names};

pub(super) fn mark(service: &mut Service) {
    let decided: Vec<Option<Pagination>> = service
        .operations
        .iter()
        .map(|op| pagination(op, &|ty| struct_of(service, op, ty)))
        .collect();
    for (op, pagination) in service.operations.iter_mut().zip(decided) {
        op.pagination = pagination;
    }
}

fn struct_of<'s>(service: &'s Service, op: &'s Operation, ty: &TypeRef) -> Option<&'s StructDef> {
    let TypeRef::Named { name, scope } = ty else {
        return None;
    };
    let types = match scope {
        TypeScope::Operation => &op.types,
        TypeScope::Service => &service.types,
    };
    types.iter().find_map(|def| match def {
        TypeDef::Struct(def) if def.name == *name => Some(def),
        _ => None,
    })
}

/// A struct whose members may hold paging facts, and how it is reached from the answer.
struct Container<'a> {
    path: Vec<String>,
    fields: &'a [Field],
    deprecated: bool,
}

fn is_integer(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Int32 | TypeRef::Int64)
}

fn named<'f>(fields: &'f [Field], names: &[&str], fits: fn(&TypeRef) -> bool) -> Option<&'f Field> {
    fields
        .iter()
        .find(|f| fits(&f.ty) && names.contains(&rules::pagination_name(&f.wire_name).as_str()))
}

fn pagination<'s>(
    op: &'s Operation,
    struct_of: &dyn Fn(&TypeRef) -> Option<&'s StructDef>,
) -> Option<Pagination> {
    if op.response_shape != ResponseShape::Object {
        return None;
    }
    let param = |names: &[&str], fits: fn(&TypeRef) -> bool| {
        op.params.iter().position(|p| {
            fits(&p.ty) && names.contains(&rules::pagination_name(&p.wire_name).as_str())
        })
    };
    let token_param = param(&[names::TOKEN], |ty| *ty == TypeRef::String);
    let page_param = param(names::PAGE_NUMBER, is_integer);

    let mut containers = vec![Container {
        path: Vec::new(),
        fields: &op.response,
        deprecated: false,
    }];
    for field in &op.response {
        if let Some(def) = struct_of(&field.ty) {
            containers.push(Container {
                path: vec![field.ident.clone()],
                fields: &def.fields,
                deprecated: field.deprecated,
            });
        }
    }
    let member = |container: &Container<'_>, field: &Field| {
        let mut path = container.path.clone();
        path.push(field.ident.clone());
        Member {
            path,
            ty: field.ty.clone(),
        }
    };

    let token = token_param.and_then(|cursor| {
        containers.iter().find_map(|c| {
            named(c.fields, &[names::TOKEN], |ty| *ty == TypeRef::String)
                .map(|f| (cursor, c, member(c, f), f.deprecated))
        })
    });
    let (cursor, container, next_token, page_numbers, total_count, total_pages, marks_deprecated) =
        if let Some((cursor, container, path, deprecated)) = token {
            (cursor, container, Some(path), None, None, None, deprecated)
        } else {
            let cursor = page_param?;
            let (container, count, pages) = containers.iter().find_map(|c| {
                let count = named(c.fields, names::TOTAL_COUNT, is_integer);
                let pages = named(c.fields, names::TOTAL_PAGES, is_integer);
                (count.is_some() || pages.is_some()).then_some((c, count, pages))
            })?;
            // The echo sits beside the totals, or on the answer itself.
            let echoed = [container, &containers[0]]
                .into_iter()
                .find_map(|c| echo(c.fields, &op.params[cursor]).map(|f| (c, f)));
            let first = op.params[cursor]
                .docs
                .description
                .as_deref()
                .and_then(rules::documented_first_page);
            if echoed.is_none() && first.is_none() {
                return None;
            }
            let deprecated = count.is_some_and(|f| f.deprecated)
                || pages.is_some_and(|f| f.deprecated)
                || echoed.is_some_and(|(c, f)| c.deprecated || f.deprecated);
            let page_numbers = PageNumbers {
                echoed: echoed.map(|(c, f)| member(c, f)),
                first,
            };
            (
                cursor,
                container,
                None,
                Some(page_numbers),
                count.map(|f| member(container, f)),
                pages.map(|f| member(container, f)),
                deprecated,
            )
        };

    // The items sit beside the paging facts, or on the answer itself.
    let mut places = vec![container];
    if !container.path.is_empty() {
        places.push(&containers[0]);
    }
    let (items, item, items_deprecated) =
        places.into_iter().find_map(|c| items_in(c, struct_of))?;
    Some(Pagination {
        cursor,
        next_token,
        page_numbers,
        total_count,
        total_pages,
        items,
        item,
        deprecated: op.params[cursor].deprecated
            || container.deprecated
            || marks_deprecated
            || items_deprecated,
    })
}

/// The member of `fields` that echoes the page number `cursor` asked for: an integer named as
/// the cursor is, or else the one named as a page number is.
fn echo<'f>(fields: &'f [Field], cursor: &Field) -> Option<&'f Field> {
    let cursor_name = rules::pagination_name(&cursor.wire_name);
    let same_name = fields
        .iter()
        .find(|f| is_integer(&f.ty) && rules::pagination_name(&f.wire_name) == cursor_name);
    let page_numbers: Vec<&Field> = fields
        .iter()
        .filter(|f| {
            is_integer(&f.ty)
                && names::PAGE_NUMBER.contains(&rules::pagination_name(&f.wire_name).as_str())
        })
        .collect();
    same_name.or(match page_numbers.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// The one list of `container`, or the one list of its one wrapper member; `None` when there
/// is none or more than one.
fn items_in<'s>(
    container: &Container<'_>,
    struct_of: &dyn Fn(&TypeRef) -> Option<&'s StructDef>,
) -> Option<(Member, TypeRef, bool)> {
    let lists: Vec<&Field> = container
        .fields
        .iter()
        .filter(|f| matches!(f.ty, TypeRef::List(_)))
        .collect();
    let (path, list, deprecated) = match lists.as_slice() {
        [list] => (vec![list.ident.clone()], *list, list.deprecated),
        [] => {
            let wrapped: Vec<(&Field, &Field)> = container
                .fields
                .iter()
                .filter_map(|wrapper| {
                    let def = struct_of(&wrapper.ty)?;
                    match def.fields.as_slice() {
                        [inner] if matches!(inner.ty, TypeRef::List(_)) => Some((wrapper, inner)),
                        _ => None,
                    }
                })
                .collect();
            let [(wrapper, inner)] = wrapped.as_slice() else {
                return None;
            };
            (
                vec![wrapper.ident.clone(), inner.ident.clone()],
                *inner,
                wrapper.deprecated || inner.deprecated,
            )
        }
        _ => return None,
    };
    let TypeRef::List(item) = &list.ty else {
        return None;
    };
    let mut full = container.path.clone();
    full.extend(path);
    let items = Member {
        path: full,
        ty: list.ty.clone(),
    };
    Some((items, (**item).clone(), container.deprecated || deprecated))
}
