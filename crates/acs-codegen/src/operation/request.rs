//! The request type and its `rt::Operation` implementation: the operation's static
//! facts and one line per parameter saying how it travels.

use acs_spec::ir::{Encoding, Field, HttpMethod, Operation, Placement, ResponseShape, RetrySafety};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use super::OperationTypes;
use crate::docs;
use crate::types::{RustType, allow_deprecated, deprecated_attr, eq_derive, field_summary, ident};

/// The request struct, `builder()`, and `impl Operation`.
pub(super) struct Request<'a>(pub &'a Operation);

impl ToTokens for Request<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let OperationTypes {
            request,
            builder,
            response,
            error,
        } = &OperationTypes::new(op);
        let method = &op.names.bare_snake;
        let docs = docs::doc_attrs(&format!(
            "Request of `{}`, made by [`{builder}`] (`Client::{method}` or [`{request}::builder`]), which checks that the required parameters are set.",
            op.name
        ));
        let fields = op.params.iter().map(|field| {
            let docs = field_summary(field);
            let name = ident(&field.ident);
            let ty = RustType::in_operation(&field.ty);
            let deprecated = deprecated_attr(field.deprecated);
            quote! { #docs #deprecated pub #name: Option<#ty>, }
        });
        let eq = eq_derive(op.request_eq);
        let info = info(op);
        let params_arg = if op.params.is_empty() {
            // Without parameters nothing is written; `_params` keeps the code warning-free.
            format_ident!("_params")
        } else {
            format_ident!("params")
        };
        let writes = op.params.iter().map(write_param);
        let token_slot = op.idempotency_token.map(|index| {
            let field = ident(&op.params[index].ident);
            quote! {
                fn idempotency_token_mut(&mut self) -> Option<&mut Option<String>> {
                    Some(&mut self.#field)
                }
            }
        });
        let allow = allow_deprecated(&op.params);
        let ram = super::ram::operation_const(op);
        let builder_fn = format_ident!("{}", generated::REQUEST_BUILDER);
        // Deprecation is marked on the client method users call; marking the type itself would
        // make the module's own impls warn.
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq)]
            #[non_exhaustive]
            pub struct #request {
                #(#fields)*
            }

            impl #request {
                /// A builder for this request, not tied to a client.
                pub fn #builder_fn() -> #builder {
                    #builder::default()
                }
            }

            #allow
            impl rt::Operation for #request {
                type Output = #response;
                type Error = #error;

                const INFO: &'static rt::OperationInfo = &#info;
                #ram

                fn write_params(&self, #params_arg: &mut rt::RequestParams) {
                    #(#writes)*
                }

                #token_slot
            }
        });
    }
}

/// The operation's `OperationInfo` expression.
fn info(op: &Operation) -> TokenStream {
    let action = &op.name;
    let method = format_ident!(
        "{}",
        match op.method {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Delete => "Delete",
            HttpMethod::Patch => "Patch",
            HttpMethod::Head => "Head",
        }
    );
    let idempotency = format_ident!(
        "{}",
        match op.retry {
            RetrySafety::ReadOnly => "ReadOnly",
            RetrySafety::Token => "Token",
            RetrySafety::Unsafe => "Unsafe",
        }
    );
    let method = quote!(rt::Method::#method);
    let idempotency = quote!(rt::Idempotency::#idempotency);
    let mut info = if op.path == "/" {
        quote!(rt::OperationInfo::rpc(#action, #method, #idempotency))
    } else {
        let path = &op.path;
        quote!(rt::OperationInfo::roa(#action, #method, #path, #idempotency))
    };
    if op.anonymous {
        info.extend(quote!(.anonymous()));
    }
    match op.response_shape {
        ResponseShape::Text => info.extend(quote!(.answering(rt::BodyKind::Text))),
        ResponseShape::Binary => info.extend(quote!(.answering(rt::BodyKind::Binary))),
        ResponseShape::Object | ResponseShape::Value(_) => {}
    }
    info
}

/// The `RequestParams` call that sends one parameter as its placement says.
fn write_param(field: &Field) -> TokenStream {
    let member = ident(&field.ident);
    let wire = &field.wire_name;
    let (position, method) = match field.placement {
        Some(Placement::JsonBody) => return quote! { params.set_json_body(&self.#member); },
        Some(Placement::JsonMember) => {
            return quote! { params.put_json_member(#wire, &self.#member); };
        }
        Some(Placement::Path) => return quote! { params.path(#wire, &self.#member); },
        Some(Placement::BinaryBody) => {
            return quote! { params.set_binary_body(self.#member.as_deref()); };
        }
        Some(Placement::Form(encoding)) => ("Body", encoding),
        Some(Placement::Header(encoding)) => ("Header", encoding),
        Some(Placement::Query(encoding)) => ("Query", encoding),
        None => ("Query", Encoding::Flatten),
    };
    let position = format_ident!("{position}");
    match method {
        Encoding::Flatten => {
            let short = format_ident!(
                "{}",
                match field.placement {
                    Some(Placement::Form(_)) => "form",
                    Some(Placement::Header(_)) => "header",
                    _ => "query",
                }
            );
            quote! { params.#short(#wire, &self.#member); }
        }
        Encoding::Join => {
            quote! { params.put_joined(rt::Position::#position, #wire, &self.#member); }
        }
        Encoding::Json => {
            quote! { params.put_json(rt::Position::#position, #wire, &self.#member); }
        }
    }
}
