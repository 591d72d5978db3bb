//! The one builder of an operation. `Builder<C>` holds the parameters set so far and `C`, the
//! client (`rt::Client` when made by `Client::<operation>()`) or `()` (when made by
//! `Request::builder()`): the setters and `build()` are written once for both, and `send()`
//! exists only where there is a client to send with.

use acs_spec::ir::{Operation, TypeScope};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use super::OperationTypes;
use crate::docs;
use crate::types::{RustType, allow_deprecated, deprecated_attr, field_docs, ident};

pub(super) struct Builder<'a>(pub &'a Operation);

impl ToTokens for Builder<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let OperationTypes {
            request,
            builder,
            response,
            error,
        } = &OperationTypes::new(op);
        let client = format_ident!("{}", generated::CLIENT_FIELD);
        let build = format_ident!("{}", generated::BUILD);
        let send = format_ident!("{}", generated::SEND);
        let customize = format_ident!("{}", generated::CUSTOMIZE);
        let request_field = format_ident!("{}", generated::REQUEST_FIELD);
        let setters = op.params.iter().map(|field| {
            let docs = field_docs(field);
            let name = ident(&field.ident);
            let ty = RustType {
                ty: &field.ty,
                scope: TypeScope::Operation,
            };
            let deprecated = deprecated_attr(field.deprecated);
            quote! {
                #docs
                #deprecated
                pub fn #name(mut self, value: impl rt::IntoParam<#ty>) -> Self {
                    self.#request_field.#name = value.into_param();
                    self
                }
            }
        });
        let checks: Vec<TokenStream> = op
            .required_params()
            .map(|field| {
                let name = ident(&field.ident);
                let wire = &field.wire_name;
                let setter = field.ident.trim_start_matches("r#");
                quote! {
                    if self.#request_field.#name.is_none() {
                        return Err(missing(#wire, #setter));
                    }
                }
            })
            .collect();
        let missing = (!checks.is_empty()).then(|| {
            let operation = &op.name;
            quote! {
                let missing = |parameter, setter| rt::BuildError::missing(#operation, parameter, setter);
            }
        });
        let allow = allow_deprecated(&op.params);
        let into_paginator = super::paginator::into_paginator(op);
        let docs = docs::doc_attrs(&format!(
            "Sets the parameters of `{}`: made by `Client::{}` (then [`send`](Self::send)) or [`{request}::builder`] (then [`build`](Self::build)). Setters take a value or an `Option`; `None` clears.",
            op.name, op.names.bare_snake
        ));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default)]
            pub struct #builder<C = ()> {
                pub(crate) #client: C,
                pub(crate) #request_field: #request,
            }

            #allow
            impl<C> #builder<C> {
                #(#setters)*

                /// The request, or an error naming the first required parameter that is not set.
                pub fn #build(self) -> Result<#request, rt::BuildError> {
                    #missing
                    #(#checks)*
                    Ok(self.#request_field)
                }
            }

            impl #builder<rt::Client> {
                /// Builds the request and sends it, retrying where that is safe.
                pub async fn #send(self) -> Result<#response, rt::SdkError<#error>> {
                    let #client = self.#client.clone();
                    #client.call(self.#build()?).await
                }

                /// Settings for this call only (time limits, retries, endpoint, signature,
                /// extra headers and query parameters) over the client's, which stay as they are.
                pub fn #customize(
                    mut self,
                    settings: impl FnOnce(rt::CallSettings) -> rt::CallSettings,
                ) -> Self {
                    self.#client = self.#client.customized(settings);
                    self
                }

                #into_paginator
            }
        });
    }
}
