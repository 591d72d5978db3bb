//! The module generated for one operation: request, builder, response, error, RAM facts and
//! the nested types only it uses. Everything the operations share lives in `acs-runtime`.

mod builder;
mod error;
mod paginator;
mod ram;
mod request;
mod response;

use acs_spec::ir::{Operation, TypeScope};
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::docs;

/// Names of the operation's own types.
pub(crate) struct OperationTypes {
    pub request: Ident,
    pub builder: Ident,
    pub response: Ident,
    pub error: Ident,
}

impl OperationTypes {
    pub(crate) fn new(op: &Operation) -> Self {
        let base = &op.names.upper_camel;
        OperationTypes {
            request: format_ident!("{base}Request"),
            builder: format_ident!("{base}Builder"),
            response: format_ident!("{base}Response"),
            error: format_ident!("{base}Error"),
        }
    }
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
        tokens.extend(quote! {
            #module_docs
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
