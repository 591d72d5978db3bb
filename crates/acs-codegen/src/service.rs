//! Crate-level files of a generated client: `lib.rs`, the client, the endpoint table and the
//! operation module index.

use acs_spec::ir::{ApiStyle, Service};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::docs;
use crate::types::ident;

/// `src/lib.rs`: crate docs and module declarations. The modules are `#[rustfmt::skip]` so
/// `cargo fmt` leaves generated files as prettyplease wrote them.
pub struct LibRs<'a>(pub &'a Service);

impl ToTokens for LibRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let crate_name = service.package_name.replace('-', "_");
        let first_op = service.operations.first().map(|op| op.names.snake.clone());
        let mut text = vec![format!(
            "Client for the {} API, version {}.",
            docs::sanitize(&service.title),
            service.api_version
        )];
        if let Some(description) = &service.description {
            text.push(docs::sanitize(description));
        }
        text.push(
            "Each operation has a module under [`operation`] with its request, response and error types, and a method on [`Client`]. Every operation is a Cargo feature (on by default), so a build can include only the operations it calls."
                .to_owned(),
        );
        if let Some(op) = first_op {
            text.push(format!(
                "```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\nlet config = acs_runtime::Config::new(\"cn-hangzhou\");\nlet client = {crate_name}::Client::new(&config)?;\nlet request = client.{op}();\n# let _ = request;\n# Ok(())\n# }}\n```"
            ));
        }
        let crate_docs = docs::inner_doc_attrs(&docs::paragraphs(text));
        tokens.extend(quote! {
            #crate_docs
            #![forbid(unsafe_code)]

            #[rustfmt::skip]
            mod client;
            #[rustfmt::skip]
            pub mod endpoints;
            #[rustfmt::skip]
            pub mod operation;

            pub use client::Client;
        });
    }
}

/// `src/client.rs`: the service client with one method per operation.
pub struct ClientRs<'a>(pub &'a Service);

impl ToTokens for ClientRs<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let methods = service.operations.iter().map(|op| {
            let method = ident(&op.names.snake);
            let module = ident(&op.names.snake);
            let fluent = quote::format_ident!("{}FluentBuilder", op.names.upper_camel);
            let feature = &op.names.feature;
            let text = docs::paragraphs([
                format!("`{}`: {}", op.name, docs::sanitize(&op.summary)),
                format!("Set parameters on the returned builder, then call `send().await`. See [`crate::operation::{}`].", op.names.snake.trim_start_matches("r#")),
            ]);
            let docs = docs::doc_attrs(&text);
            let deprecated = crate::types::deprecated_attr(op.deprecated);
            quote! {
                #docs
                #deprecated
                #[cfg(feature = #feature)]
                pub fn #method(&self) -> crate::operation::#module::#fluent {
                    crate::operation::#module::#fluent::new(self.inner.clone())
                }
            }
        });
        let title = docs::sanitize(&service.title);
        let docs = docs::doc_attrs(&format!(
            "Client for {title} {}: one method per operation. Cheap to clone; clones share connections.",
            service.api_version
        ));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone)]
            pub struct Client {
                inner: acs_runtime::Client,
            }

            impl Client {
                /// A client for `config`'s region (or endpoint override); fails when the region has
                /// no endpoint, naming the regions that do.
                pub fn new(config: &acs_runtime::Config) -> Result<Self, acs_runtime::endpoint::EndpointError> {
                    Ok(Self {
                        inner: acs_runtime::Client::new(&crate::endpoints::SERVICE, config)?,
                    })
                }

                /// The runtime client underneath, for calling operations by request value.
                pub fn runtime(&self) -> &acs_runtime::Client {
                    &self.inner
                }

                #(#methods)*
            }
        });
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
            let docs = docs::doc_attrs(&format!("`{}`: {}", op.name, docs::sanitize(&op.summary)));
            quote! {
                #docs
                #[cfg(feature = #feature)]
                pub mod #module;
            }
        });
        tokens.extend(quote! {
            //! One module per operation: request, builders, response, error and RAM facts.
            #(#modules)*
        });
    }
}
