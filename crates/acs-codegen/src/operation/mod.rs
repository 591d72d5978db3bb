//! The module generated for one operation: request, builder, response, error, RAM facts and
//! the nested types only it uses. Everything the operations share lives in `acs-runtime`.

mod builder;
mod error;
mod paginator;
mod ram;
mod request;
mod response;

use acs_spec::ir::{Operation, ResponseShape, TypeDef, TypeRef, TypeScope};
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::docs;

/// The operation's own types, as identifiers: named by the IR ([`acs_spec::ir::OperationNames`]).
pub(crate) struct OperationTypes {
    pub request: Ident,
    pub builder: Ident,
    pub response: Ident,
    pub error: Ident,
}

impl OperationTypes {
    pub(crate) fn new(op: &Operation) -> Self {
        let names = &op.names;
        OperationTypes {
            request: format_ident!("{}", names.request),
            builder: format_ident!("{}", names.builder),
            response: format_ident!("{}", names.response),
            error: format_ident!("{}", names.error),
        }
    }
}

/// Lists, maps and boxes nested this deep make a type clippy's `type_complexity` refuses
/// (`Option<BTreeMap<String, BTreeMap<String, BTreeMap<String, i64>>>>`). Found by
/// `cargo xtask compile-batch`.
const COMPLEX_NESTING: usize = 3;

/// Whether `ty` nests [`COMPLEX_NESTING`] levels.
pub(crate) fn is_complex(ty: &TypeRef) -> bool {
    nesting(ty) >= COMPLEX_NESTING
}

fn nesting(ty: &TypeRef) -> usize {
    match ty {
        TypeRef::List(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => 1 + nesting(inner),
        _ => 0,
    }
}

/// Whether a member of one of `types` nests [`COMPLEX_NESTING`] levels.
pub(crate) fn complex_members(types: &[TypeDef]) -> bool {
    types
        .iter()
        .flat_map(|def| match def {
            TypeDef::Struct(def) => def.fields.as_slice(),
            TypeDef::Enum(_) => &[],
        })
        .any(|field| is_complex(&field.ty))
}

/// Whether any member type of the operation's module nests [`COMPLEX_NESTING`] levels.
pub(crate) fn complex_types(op: &Operation) -> bool {
    let body = match &op.response_shape {
        ResponseShape::Value(ty) => Some(ty),
        _ => None,
    };
    complex_members(&op.types)
        || op
            .params
            .iter()
            .chain(&op.response)
            .map(|field| &field.ty)
            .chain(body)
            .any(is_complex)
}

/// The spec nests lists and maps this deep; naming each level would add types the spec does
/// not have, so the lint yields.
pub(crate) fn allow_complex_types() -> TokenStream {
    quote!(#![allow(clippy::type_complexity)])
}

/// The whole module of one operation.
pub struct OperationModule<'a>(pub &'a Operation);

impl ToTokens for OperationModule<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let summary = docs::one_line(&op.summary);
        let module_docs = docs::inner_doc_attrs(&docs::paragraphs([
            format!("`{}`: {summary}", op.name),
            op.description
                .as_deref()
                .map(docs::sanitize)
                .unwrap_or_default(),
        ]));
        let request = request::Request(op);
        let builder = builder::Builder(op);
        let response = response::Response(op);
        let error = error::ErrorEnum(op);
        let ram = ram::Ram(op);
        let paginated = paginator::PaginatedImpl(op);
        let nested = op
            .types
            .iter()
            .map(|def| crate::types::type_def(def, TypeScope::Operation));
        let complex = complex_types(op).then(allow_complex_types);
        tokens.extend(quote! {
            #module_docs
            #complex
            use acs_runtime as rt;

            #request
            #builder
            #paginated
            #response
            #error
            #ram
            #(#nested)*
        });
    }
}
