//! Crate-level files of a generated client: `lib.rs`, the client, the endpoint table, the
//! operation module index and the shared types.

use acs_spec::ir::{ApiStyle, Operation, Service, TypeScope};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use crate::docs;
use crate::operation::OperationTypes;
use crate::types::ident;

/// `src/lib.rs`: crate docs, module declarations and the re-exports a caller needs, so the
/// client crate and an async runtime are all a program depends on. The modules are
/// `#[rustfmt::skip]` so `cargo fmt` leaves generated files as prettyplease wrote them.
pub struct LibRs<'a>(pub &'a Service);

impl ToTokens for LibRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let mut text = vec![format!(
            "Client for the {} API, version {}.",
            docs::one_line(&service.title),
            service.api_version
        )];
        if let Some(description) = &service.description {
            text.push(docs::sanitize(description));
        }
        text.push(
            "Each operation has a module under [`operation`] with its request, builder, response and error types, and a method on [`Client`]. Every operation is a Cargo feature (on by default), so a build can include only the operations it calls."
                .to_owned(),
        );
        if let Some(example) = crate::examples::crate_example(service) {
            text.push(example);
        }
        let crate_docs = docs::inner_doc_attrs(&docs::paragraphs(text));
        let types = (!service.types.is_empty()).then(|| {
            let module = format_ident!("{}", generated::TYPES_MODULE);
            quote! {
                #[rustfmt::skip]
                pub mod #module;
            }
        });
        let operation = format_ident!("{}", generated::OPERATION_MODULE);
        let test_util = crate::examples::TestUtil(service);
        tokens.extend(quote! {
            #crate_docs
            #![forbid(unsafe_code)]

            #[rustfmt::skip]
            mod client;
            #[rustfmt::skip]
            pub mod endpoints;
            #[rustfmt::skip]
            pub mod #operation;
            #types

            pub use client::Client;
            pub use acs_runtime::credentials::Credentials;
            pub use acs_runtime::{Config, SdkError};
            /// The runtime underneath: configuration, credential providers, retries, transport.
            pub use acs_runtime as runtime;

            /// What a program calling this client usually needs in scope: the client, its
            /// configuration (credentials, retries, time limits), errors, RAM facts and the
            /// policy recorder, paginators and, with the `test-util` feature, the mock client.
            pub mod prelude {
                pub use crate::Client;
                pub use acs_runtime::credentials::Credentials;
                pub use acs_runtime::ram::{PolicyRecorder, ResourceArns};
                // Two short lines: prettyplease and rustfmt (which formats `lib.rs`) agree on
                // them.
                pub use acs_runtime::{Config, OperationError, SdkError};
                pub use acs_runtime::{Paginator, RetryConfig, Timeouts};
                #[cfg(feature = "test-util")]
                pub use acs_runtime::mock::{Mock, Rule};
            }

            #test_util
        });
    }
}

/// `src/client.rs`: the service client with one method per operation.
pub struct ClientRs<'a>(pub &'a Service);

impl ToTokens for ClientRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let methods = service.operations.iter().map(client_method);
        let title = docs::one_line(&service.title);
        let docs = docs::doc_attrs(&format!(
            "Client for {title} {}: one method per operation. Cheap to clone; clones share connections.",
            service.api_version
        ));
        let new = format_ident!("{}", generated::CLIENT_NEW);
        let runtime = format_ident!("{}", generated::CLIENT_RUNTIME);
        tokens.extend(quote! {
            use acs_runtime as rt;

            #[allow(unused_imports)]
            use crate::operation::*;

            #docs
            #[derive(Debug, Clone)]
            pub struct Client {
                inner: rt::Client,
            }

            impl Client {
                /// A client for `config`'s region (or endpoint override); fails when the region has
                /// no endpoint, naming the regions that do.
                pub fn #new(config: &rt::Config) -> Result<Self, rt::endpoint::EndpointError> {
                    Ok(Self {
                        inner: rt::Client::new(&crate::endpoints::SERVICE, config)?,
                    })
                }

                /// The runtime client underneath, for calling operations by request value.
                pub fn #runtime(&self) -> &rt::Client {
                    &self.inner
                }

                #(#methods)*
            }
        });
    }
}

fn client_method(op: &Operation) -> TokenStream {
    let method = ident(&op.names.snake);
    let module = ident(&op.names.snake);
    let builder = OperationTypes::new(op).builder;
    let client_field = format_ident!("{}", generated::CLIENT_FIELD);
    let request_field = format_ident!("{}", generated::REQUEST_FIELD);
    let feature = &op.names.feature;
    let summary = docs::one_line(&op.summary);
    // The summary's last line gets the link, unless it ends in something a line would join.
    let link = format!(
        "(Set parameters, then `send().await`; see [`{0}`](crate::operation::{0}).)",
        op.names.bare_snake
    );
    let text = if docs::ends_in_prose(&summary) {
        format!("`{}`: {summary} {link}", op.name)
    } else {
        docs::paragraphs([format!("`{}`: {summary}", op.name), link])
    };
    let docs = docs::doc_attrs(&text);
    let deprecated = crate::types::deprecated_attr(op.deprecated);
    quote! {
        #docs
        #deprecated
        #[cfg(feature = #feature)]
        pub fn #method(&self) -> #module::#builder<rt::Client> {
            #module::#builder { #client_field: self.inner.clone(), #request_field: Default::default() }
        }
    }
}

/// `src/endpoints.rs`: the region table and service facts.
pub struct EndpointsRs<'a>(pub &'a Service);

impl ToTokens for EndpointsRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let entries = service.endpoints.iter().map(|endpoint| {
            let region = &endpoint.region;
            let public = &endpoint.public;
            let vpc = endpoint.vpc.as_deref().unwrap_or("");
            quote!(acs_runtime::endpoint::RegionEndpoint::new(#region, #public, #vpc))
        });
        let product = &service.product;
        let version = &service.api_version;
        let style = match service.style {
            ApiStyle::Rpc => quote!(Rpc),
            ApiStyle::Roa => quote!(Roa),
        };
        let gateway = match service.gateway {
            None => quote!(Acs),
            Some(acs_spec::ir::Gateway::Oss) => quote!(Oss),
            Some(acs_spec::ir::Gateway::Sls) => quote!(Sls),
        };
        tokens.extend(quote! {
            //! Where the service is reached, per region.

            /// Public and VPC endpoint hosts per region, from Alibaba's metadata. Several regions
            /// may share one central host.
            pub const ENDPOINTS: &[acs_runtime::endpoint::RegionEndpoint] = &[
                #(#entries),*
            ];

            /// Static facts about this API version.
            pub static SERVICE: acs_runtime::ServiceInfo = acs_runtime::ServiceInfo {
                product: #product,
                version: #version,
                style: acs_runtime::ApiStyle::#style,
                gateway: acs_runtime::Gateway::#gateway,
                endpoints: ENDPOINTS,
            };
        });
    }
}

/// `src/operation/mod.rs`: one feature-gated module per operation.
pub struct OperationIndex<'a>(pub &'a Service);

impl ToTokens for OperationIndex<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let modules = self.0.operations.iter().map(|op| {
            let module = ident(&op.names.snake);
            let feature = &op.names.feature;
            let docs = docs::doc_attrs(&format!("`{}`: {}", op.name, docs::one_line(&op.summary)));
            // An operation named `Operation` lives at `operation::operation`, which clippy's
            // style lint refuses; the name is the spec's, so the lint yields. Found by
            // `cargo xtask compile-batch`.
            let inception = (op.names.snake == generated::OPERATION_MODULE)
                .then(|| quote!(#[allow(clippy::module_inception)]));
            quote! {
                #docs
                #[cfg(feature = #feature)]
                #inception
                pub mod #module;
            }
        });
        tokens.extend(quote! {
            //! One module per operation: request, builder, response, error and RAM facts.
            #(#modules)*
        });
    }
}

/// `src/types.rs`: the named types operations share.
pub struct TypesRs<'a>(pub &'a Service);

impl ToTokens for TypesRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let types = self
            .0
            .types
            .iter()
            .map(|def| crate::types::type_def(def, TypeScope::Service));
        let complex = crate::operation::complex_members(&self.0.types)
            .then(crate::operation::allow_complex_types);
        tokens.extend(quote! {
            //! Named types the operations share: the API's own named schemas, and structures the
            //! metadata repeats identically in several operations.
            #complex
            use acs_runtime as rt;
            #(#types)*
        });
    }
}
