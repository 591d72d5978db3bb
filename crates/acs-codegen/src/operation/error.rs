//! The typed error of an operation: a variant per documented code and `Unhandled`, each
//! carrying the service's answer. Accessors come from `rt::OperationError`.

use acs_spec::ir::Operation;
use acs_spec::names::generated;
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};

use super::OperationTypes;
use crate::docs;
use crate::types::ident;

pub(super) struct ErrorEnum<'a>(pub &'a Operation);

impl ToTokens for ErrorEnum<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let error = OperationTypes::new(op).error;
        let unhandled = format_ident!("{}", generated::UNHANDLED);
        let variants: Vec<Ident> = op.errors.iter().map(|e| ident(&e.variant)).collect();
        let codes: Vec<&str> = op.errors.iter().map(|e| e.code.as_str()).collect();
        // Without documented codes a `match` would have only the catch-all arm, which clippy
        // rejects (`match_single_binding`); many operations document no codes.
        let from_answer = if codes.is_empty() {
            quote! { Self::#unhandled(error) }
        } else {
            quote! {
                match error.code.as_str() {
                    #( #codes => Self::#variants(error), )*
                    _ => Self::#unhandled(error),
                }
            }
        };
        let variant_docs = op.errors.iter().map(|e| {
            let status = match e.http_status {
                Some(status) => format!("HTTP {status}"),
                None => "reported in an HTTP 200 body with `Success: false`".to_owned(),
            };
            let mut head = format!("{} ({status})", docs::inline_code(&e.code));
            if let Some(message) = e.message.as_deref().filter(|m| !m.trim().is_empty()) {
                head.push_str(&format!(": {}", docs::inline_code(message.trim())));
            }
            let description = e
                .description
                .as_deref()
                .map(docs::sanitize)
                .unwrap_or_default();
            docs::doc_attrs(&docs::paragraphs([head, description]))
        });
        let docs = docs::doc_attrs(&format!(
            "Errors of `{}`: a variant per documented code, each with the service's answer (read through `OperationError`, in the `prelude`); other codes arrive as `Unhandled`.",
            op.name
        ));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum #error {
                #( #variant_docs #variants(rt::ServiceError), )*
                /// An error code this client does not know.
                #unhandled(rt::ServiceError),
            }

            impl From<rt::ServiceError> for #error {
                fn from(error: rt::ServiceError) -> Self {
                    #from_answer
                }
            }

            impl rt::OperationError for #error {
                fn service_error(&self) -> &rt::ServiceError {
                    match self {
                        #( Self::#variants(error) )|* | Self::#unhandled(error) => error,
                    }
                }
            }

            impl std::fmt::Display for #error {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    rt::OperationError::service_error(self).fmt(f)
                }
            }

            impl std::error::Error for #error {}
        });
    }
}
