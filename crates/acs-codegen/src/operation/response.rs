//! The response type: for an object answer every member optional, members the service adds
//! later ignored; for any other answer its one `body`.

use acs_spec::ir::{Operation, ResponseShape, TypeScope};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::OperationTypes;
use crate::docs;
use crate::types::{Format, MemberReaderImpl, RustType, eq_derive, optional_members};

pub(super) struct Response<'a>(pub &'a Operation);

impl ToTokens for Response<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let name = OperationTypes::new(op).response;
        let eq = eq_derive(op.response_eq);
        let headers = optional_members(&op.response_headers, TypeScope::Operation);
        // The header members are filled after the body: `body` is the one member set here.
        let rest = (!op.response_headers.is_empty()).then(|| quote!(..Self::default()));
        let mut derives = quote!(Debug, Clone, Default, PartialEq, #eq);
        let (docs, members, decode) = match &op.response_shape {
            ResponseShape::Object => (
                format!(
                    "Response of `{}`: members the service omits are `None`, members it adds later are ignored.",
                    op.name
                ),
                optional_members(&op.response, TypeScope::Operation),
                MemberReaderImpl {
                    format: Format::Json,
                    name: &name,
                    fields: &op.response,
                    more: !op.response_headers.is_empty(),
                }
                .into_token_stream(),
            ),
            ResponseShape::Value(ty) => {
                let ty = RustType::in_operation(ty);
                (
                    format!("Response of `{}`: the JSON value it answers.", op.name),
                    quote! {
                        /// The answer; `None` when the body is empty or `null`.
                        pub body: Option<#ty>,
                    },
                    quote! {
                        impl rt::FromJson for #name {
                            fn from_json(json: &mut rt::json::Reader<'_>) -> rt::json::Result<Self> {
                                Ok(Self { body: rt::FromJson::from_optional_json(json)?, #rest })
                            }
                        }
                    },
                )
            }
            ResponseShape::Text => (
                format!("Response of `{}`: the text it answers.", op.name),
                quote! {
                    /// The answer's text.
                    pub body: String,
                },
                quote! {
                    impl rt::FromResponse for #name {
                        fn from_response(body: rt::ResponseBody) -> rt::json::Result<Self> {
                            Ok(Self { body: body.into_text(), #rest })
                        }
                    }
                },
            ),
            ResponseShape::Binary => {
                // A stream is read once: the response is neither cloned nor compared.
                derives = quote!(Debug, Default);
                (
                    format!(
                        "Response of `{}`: the bytes it answers, as a stream read as they arrive (no size limit).",
                        op.name
                    ),
                    quote! {
                        /// The answer's bytes, as they arrive: read them with
                        /// [`ByteStream::next_chunk`](rt::ByteStream::next_chunk), as a
                        /// `futures` stream, or whole with
                        /// [`ByteStream::collect`](rt::ByteStream::collect).
                        pub body: rt::ByteStream,
                    },
                    quote! {
                        impl rt::FromResponse for #name {
                            fn from_response(body: rt::ResponseBody) -> rt::json::Result<Self> {
                                Ok(Self { body: body.into_stream(), #rest })
                            }
                        }
                    },
                )
            }
            ResponseShape::Xml { root } => (
                match root {
                    Some(root) => format!(
                        "Response of `{}`: the members of its XML answer (`<{root}>`); members the service omits are `None`, members it adds later are ignored.",
                        op.name
                    ),
                    None => format!(
                        "Response of `{}`: members the service omits are `None`, members it adds later are ignored.",
                        op.name
                    ),
                },
                optional_members(&op.response, TypeScope::Operation),
                {
                    let from_xml = MemberReaderImpl {
                        format: Format::Xml,
                        name: &name,
                        fields: &op.response,
                        more: !op.response_headers.is_empty(),
                    };
                    quote! {
                        impl rt::FromResponse for #name {
                            fn from_response(body: rt::ResponseBody) -> rt::json::Result<Self> {
                                body.decode_xml()
                            }
                        }

                        #from_xml
                    }
                },
            ),
        };
        let docs = docs::doc_attrs(&docs);
        tokens.extend(quote! {
            #docs
            #[derive(#derives)]
            #[non_exhaustive]
            pub struct #name {
                #members
                #headers
            }

            #decode
        });
    }
}
