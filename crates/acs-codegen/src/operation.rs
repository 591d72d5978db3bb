//! The module generated for one operation: request, builders, response, error, RAM facts.

use acs_spec::ir::{
    AccessLevel, ApiStyle, ArnPart, Field, HttpMethod, Operation, ParamStyle, Position, TypeDef,
    TypeRef,
};
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};

use crate::docs;
use crate::types::{
    RequestStruct, ResponseStruct, RustType, StringEnum, deprecated_attr, field_docs, ident, is_eq,
};

/// Names of the operation's own types.
struct OperationTypes {
    request: Ident,
    builder: Ident,
    fluent: Ident,
    response: Ident,
    error: Ident,
}

impl OperationTypes {
    fn new(op: &Operation) -> Self {
        let base = &op.names.upper_camel;
        OperationTypes {
            request: format_ident!("{base}Request"),
            builder: format_ident!("{base}RequestBuilder"),
            fluent: format_ident!("{base}FluentBuilder"),
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
        let summary = docs::sanitize(&op.summary);
        let module_docs = docs::paragraphs([
            format!("`{}`: {summary}", op.name),
            op.description
                .as_deref()
                .map(docs::sanitize)
                .unwrap_or_default(),
        ]);
        let module_docs = docs::inner_doc_attrs(&module_docs);
        let nested = op.types.iter().map(|def| match def {
            TypeDef::Struct(s) if s.side == acs_spec::ir::Side::Request => {
                RequestStruct(s, s.fields.iter().all(|f| is_eq(&f.ty, &op.types)))
                    .into_token_stream()
            }
            TypeDef::Struct(s) => ResponseStruct {
                name: &s.name,
                docs: crate::types::item_docs(&s.docs, &format!("The `{}` structure.", s.name)),
                fields: &s.fields,
                eq: s.fields.iter().all(|f| is_eq(&f.ty, &op.types)),
            }
            .into_token_stream(),
            TypeDef::Enum(e) => StringEnum(e).into_token_stream(),
        });
        let types = OperationTypes::new(op);
        let response_docs = docs::doc_attrs(&format!(
            "Response of `{}`.\n\nFields the service adds later are ignored and fields it omits are `None`, so new versions of the API do not break decoding.",
            op.name
        ));
        let response = ResponseStruct {
            name: &types.response.to_string(),
            docs: response_docs,
            fields: &op.response,
            eq: op.response.iter().all(|f| is_eq(&f.ty, &op.types)),
        }
        .into_token_stream();
        let request = Request(op);
        let builder = Builder(op);
        let fluent = Fluent(op);
        let error = ErrorEnum(op);
        let ram = Ram(op);
        tokens.extend(quote! {
            #module_docs
            #request
            #builder
            #fluent
            #response
            #error
            #ram
            #(#nested)*
        });
    }
}

/// A parameter's Rust type on the request: required ones are plain, others optional.
fn param_type(field: &Field) -> TokenStream {
    let ty = RustType(&field.ty);
    if field.required {
        quote!(#ty)
    } else {
        quote!(Option<#ty>)
    }
}

fn allow_deprecated(op: &Operation) -> TokenStream {
    if op.params.iter().any(|p| p.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        TokenStream::new()
    }
}

/// The request type and its `Operation` implementation.
struct Request<'a>(&'a Operation);

impl ToTokens for Request<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let types = OperationTypes::new(op);
        let OperationTypes {
            request,
            builder,
            response,
            error,
            ..
        } = &types;
        let method_ident = op.names.snake.trim_start_matches("r#");
        let docs = docs::doc_attrs(&docs::paragraphs([
            format!("Request of `{}`: {}", op.name, docs::sanitize(&op.summary)),
            format!(
                "Build it with [`{request}::builder`], or call the operation through `Client::{method_ident}`."
            ),
        ]));
        let fields = op.params.iter().map(|field| {
            let docs = field_docs(field);
            let ident = ident(&field.ident);
            let ty = param_type(field);
            let deprecated = deprecated_attr(field.deprecated);
            quote! { #docs #deprecated pub #ident: #ty, }
        });
        let eq = op
            .params
            .iter()
            .all(|f| is_eq(&f.ty, &op.types))
            .then(|| quote!(Eq,));
        let writes = op.params.iter().map(|field| write_param(op, field));
        let action = &op.name;
        let method = method_tokens(op.method);
        let path = &op.path;
        let idempotency = if op.idempotency_token.is_some() {
            quote!(Token)
        } else if op.read_only {
            quote!(ReadOnly)
        } else {
            quote!(Unsafe)
        };
        let token_slot = op.idempotency_token.map(|index| {
            let field = ident(&op.params[index].ident);
            quote! {
                fn idempotency_token_mut(&mut self) -> Option<&mut Option<String>> {
                    Some(&mut self.#field)
                }
            }
        });
        // An operation without parameters writes none: name the argument `_params` so the
        // generated code has no unused-variable warning (found importing DBS 2019-03-06's
        // InitializeDbsServiceLinkedRole).
        let params_arg = if op.params.is_empty() {
            format_ident!("_params")
        } else {
            format_ident!("params")
        };
        let allow = allow_deprecated(op);
        // Deprecation is marked on the client method users call; marking the type itself would
        // make the module's own impls warn.
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #eq)]
            #[non_exhaustive]
            pub struct #request {
                #(#fields)*
            }

            impl #request {
                /// A builder for this request.
                pub fn builder() -> #builder {
                    #builder::default()
                }
            }

            #allow
            impl acs_runtime::Operation for #request {
                type Output = #response;
                type Error = #error;

                const INFO: acs_runtime::OperationInfo = acs_runtime::OperationInfo {
                    action: #action,
                    method: acs_runtime::Method::#method,
                    path: #path,
                    idempotency: acs_runtime::Idempotency::#idempotency,
                };

                fn write_params(&self, #params_arg: &mut acs_runtime::RequestParams) {
                    #(#writes)*
                }

                #token_slot
            }
        });
    }
}

fn method_tokens(method: HttpMethod) -> Ident {
    format_ident!(
        "{}",
        match method {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Delete => "Delete",
            HttpMethod::Patch => "Patch",
            HttpMethod::Head => "Head",
        }
    )
}

/// How one parameter reaches the request. ROA bodies are JSON: a lone structured body
/// parameter is the whole body (CS calls it `body`), other body parameters are its members.
/// RPC bodies are form fields, flattened like query parameters.
fn write_param(op: &Operation, field: &Field) -> TokenStream {
    let ident = ident(&field.ident);
    let wire = &field.wire_name;
    let position = field.position.unwrap_or(Position::Query);
    if position != Position::Body || op.style != ApiStyle::Roa {
        let position = format_ident!(
            "{}",
            match position {
                Position::Query => "Query",
                Position::Body => "Body",
                Position::Path => "Path",
                Position::Header => "Header",
                Position::Host => "Host",
            }
        );
        let position = quote!(acs_runtime::Position::#position);
        // Flattening skips `None` by itself; JSON encoding needs the value.
        if field.style != ParamStyle::Json {
            return quote! { params.put(#position, #wire, &self.#ident); };
        }
        return when_set(
            field,
            |value| quote! { params.put_json(#position, #wire, #value); },
        );
    }
    let body_params = op
        .params
        .iter()
        .filter(|p| p.position == Some(Position::Body))
        .count();
    let structured = matches!(
        field.ty,
        TypeRef::Named(_) | TypeRef::List(_) | TypeRef::Map(_) | TypeRef::Any
    );
    if body_params == 1 && structured {
        when_set(field, |value| quote! { params.set_json_body(#value); })
    } else {
        when_set(
            field,
            |value| quote! { params.put_json_member(#wire, #value); },
        )
    }
}

/// `write(&self.field)` for a required parameter, inside `if let Some(value)` otherwise.
fn when_set(field: &Field, write: impl Fn(TokenStream) -> TokenStream) -> TokenStream {
    let ident = ident(&field.ident);
    if field.required {
        write(quote!(&self.#ident))
    } else {
        let write = write(quote!(value));
        quote! {
            if let Some(value) = &self.#ident {
                #write
            }
        }
    }
}

/// The request builder: every parameter optional until `build()` checks the required ones.
struct Builder<'a>(&'a Operation);

/// Setter methods shared by the request builder and the fluent builder.
fn setters(op: &Operation, fluent: bool) -> TokenStream {
    let methods = op.params.iter().map(|field| {
        let docs = field_docs(field);
        let name = ident(&field.ident);
        let set_name = format_ident!("set_{}", field.base_name);
        let ty = RustType(&field.ty);
        let deprecated = deprecated_attr(field.deprecated);
        let (set_body, with_body) = if fluent {
            (
                quote! { self.inner.#set_name(value); self },
                quote! { self.inner = self.inner.#name(value); self },
            )
        } else {
            (
                quote! { self.#name = value; self },
                quote! { self.#name = Some(value.into()); self },
            )
        };
        // rustdoc cannot resolve raw identifiers in intra-doc links.
        let see = if field.ident.starts_with("r#") {
            format!("`{}()`", field.ident)
        } else {
            format!("[`Self::{}`]", field.ident)
        };
        let set_docs = docs::doc_attrs(&format!(
            "Sets or clears {}; see {see}.",
            docs::inline_code(&field.wire_name),
        ));
        quote! {
            #docs
            #deprecated
            pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                #with_body
            }

            #set_docs
            #deprecated
            pub fn #set_name(&mut self, value: Option<#ty>) -> &mut Self {
                #set_body
            }
        }
    });
    quote!(#(#methods)*)
}

impl ToTokens for Builder<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let OperationTypes {
            request, builder, ..
        } = &OperationTypes::new(op);
        let fields = op.params.iter().map(|field| {
            let ident = ident(&field.ident);
            let ty = RustType(&field.ty);
            quote! { #ident: Option<#ty>, }
        });
        let inits = op.params.iter().map(|field| {
            let ident = ident(&field.ident);
            if field.required {
                let wire = &field.wire_name;
                let setter = field.ident.trim_start_matches("r#");
                let operation = &op.name;
                quote! {
                    #ident: self.#ident.ok_or(acs_runtime::BuildError::MissingParameter {
                        operation: #operation,
                        parameter: #wire,
                        setter: #setter,
                    })?,
                }
            } else {
                quote! { #ident: self.#ident, }
            }
        });
        let setters = setters(op, false);
        let eq = op
            .params
            .iter()
            .all(|f| is_eq(&f.ty, &op.types))
            .then(|| quote!(Eq,));
        let allow = allow_deprecated(op);
        let docs = docs::doc_attrs(&format!("Builds a [`{request}`]."));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq)]
            pub struct #builder {
                #(#fields)*
            }

            #allow
            impl #builder {
                #setters

                /// The request, or an error naming the first required parameter that is not set.
                pub fn build(self) -> Result<#request, acs_runtime::BuildError> {
                    Ok(#request {
                        #(#inits)*
                    })
                }
            }
        });
    }
}

/// What `Client::<operation>()` returns: setters, then `send()`.
struct Fluent<'a>(&'a Operation);

impl ToTokens for Fluent<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let OperationTypes {
            builder,
            fluent,
            response,
            error,
            ..
        } = &OperationTypes::new(op);
        let setters = setters(op, true);
        let allow = allow_deprecated(op);
        let docs = docs::doc_attrs(&docs::paragraphs([
            format!(
                "Calls `{}` once its parameters are set: {}",
                op.name,
                docs::sanitize(&op.summary)
            ),
            "Created by the service client; finish with [`Self::send`].".to_owned(),
        ]));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone)]
            pub struct #fluent {
                client: acs_runtime::Client,
                inner: #builder,
            }

            #allow
            impl #fluent {
                pub(crate) fn new(client: acs_runtime::Client) -> Self {
                    Self { client, inner: #builder::default() }
                }

                /// The parameters set so far.
                pub fn as_input(&self) -> &#builder {
                    &self.inner
                }

                #setters

                /// Builds the request and sends it, retrying where that is safe.
                pub async fn send(self) -> Result<#response, acs_runtime::SdkError<#error>> {
                    let request = self.inner.build()?;
                    self.client.call(request).await
                }
            }
        });
    }
}

/// The typed error of the operation.
struct ErrorEnum<'a>(&'a Operation);

impl ToTokens for ErrorEnum<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let error = OperationTypes::new(op).error;
        let variants: Vec<Ident> = op.errors.iter().map(|e| ident(&e.variant)).collect();
        let codes: Vec<&str> = op.errors.iter().map(|e| e.code.as_str()).collect();
        // Without documented codes a `match` would have only the catch-all arm, which clippy
        // rejects (`match_single_binding`); many imported CS operations document no codes.
        let from_body = if codes.is_empty() {
            quote! { Self::Unhandled(error) }
        } else {
            quote! {
                match error.code.as_str() {
                    #( #codes => Self::#variants(error), )*
                    _ => Self::Unhandled(error),
                }
            }
        };
        let variant_docs = op.errors.iter().map(|e| {
            let status = match e.http_status {
                Some(status) => format!("HTTP {status}"),
                None => "reported in an HTTP 200 body with `Success: false`".to_owned(),
            };
            let mut parts = vec![format!("{} ({status})", docs::inline_code(&e.code))];
            if let Some(message) = e.message.as_deref().filter(|m| !m.trim().is_empty()) {
                parts.push(format!("Message: {}", docs::inline_code(message.trim())));
            }
            if let Some(description) = &e.description {
                parts.push(docs::sanitize(description));
            }
            docs::doc_attrs(&docs::paragraphs(parts))
        });
        let docs = docs::doc_attrs(&docs::paragraphs([
            format!("Errors of `{}` that the service documents, and any other it sends.", op.name),
            "Every variant carries the service's answer (code, message, request id, HTTP status). New codes the service adds arrive as `Unhandled`, so matching on this type stays valid as the API grows.".to_owned(),
        ]));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum #error {
                #( #variant_docs #variants(acs_runtime::ServiceError), )*
                /// An error code this client does not know.
                Unhandled(acs_runtime::ServiceError),
            }

            impl #error {
                /// The service's answer, whatever the variant.
                pub fn service_error(&self) -> &acs_runtime::ServiceError {
                    match self {
                        #( Self::#variants(error) )|* | Self::Unhandled(error) => error,
                    }
                }

                /// The error code as the service sent it.
                pub fn code(&self) -> &str {
                    &self.service_error().code
                }

                /// The error message as the service sent it.
                pub fn message(&self) -> &str {
                    &self.service_error().message
                }

                /// The request id, for Alibaba Cloud support.
                pub fn request_id(&self) -> Option<&str> {
                    self.service_error().request_id.as_deref()
                }

                /// The HTTP status of the answer.
                pub fn http_status(&self) -> u16 {
                    self.service_error().http_status
                }
            }

            impl From<acs_runtime::ServiceError> for #error {
                fn from(error: acs_runtime::ServiceError) -> Self {
                    #from_body
                }
            }

            impl std::fmt::Display for #error {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    self.service_error().fmt(f)
                }
            }

            impl std::error::Error for #error {}
        });
    }
}

/// RAM facts: the action, access level, ARN templates, and a function building concrete ARNs.
struct Ram<'a>(&'a Operation);

impl ToTokens for Ram<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let Some(ram) = &op.ram else { return };
        let request = OperationTypes::new(op).request;
        let action = &ram.action;
        let level = match ram.access_level {
            AccessLevel::Create => "create",
            AccessLevel::List => "list",
            AccessLevel::Get => "get",
            AccessLevel::Update => "update",
            AccessLevel::Delete => "delete",
        };
        let templates: Vec<&str> = ram.resources.iter().map(|r| r.template.as_str()).collect();
        let condition_keys = &ram.condition_keys;
        let dependent_actions = &ram.dependent_actions;
        let arns = ram.resources.iter().map(|resource| {
            let parts = resource.parts.iter().map(|part| match part {
                ArnPart::Literal(text) => quote!(#text),
                ArnPart::Region => quote!(region_id),
                ArnPart::Account => quote!(account_id),
                ArnPart::Wildcard => quote!("*"),
                ArnPart::Param(index) => {
                    let field = &op.params[*index];
                    let name = ident(&field.ident);
                    match (field.required, &field.ty) {
                        (true, TypeRef::String) => quote!(self.#name.as_str()),
                        (true, _) => quote!(self.#name.to_string().as_str()),
                        (false, TypeRef::String) => quote!(self.#name.as_deref().unwrap_or("*")),
                        (false, _) => {
                            quote!(self.#name.map(|v| v.to_string()).as_deref().unwrap_or("*"))
                        }
                    }
                }
            });
            quote!([#(#parts),*].concat())
        });
        let arns: Vec<TokenStream> = if ram.resources.is_empty() {
            vec![quote!("*".to_owned())]
        } else {
            arns.collect()
        };
        let allow = allow_deprecated(op);
        tokens.extend(quote! {
            /// RAM authorization of this operation, for writing policies.
            pub mod ram {
                /// The RAM action to allow.
                pub const ACTION: &str = #action;
                /// The access level (`create`, `list`, `get`, `update` or `delete`).
                pub const ACCESS_LEVEL: &str = #level;
                /// ARN templates of the resources the action applies to (`{#regionId}`, `{#accountId}` and `{#Parameter}` are placeholders); empty means all resources.
                pub const RESOURCE_ARN_TEMPLATES: &[&str] = &[#(#templates),*];
                /// Condition keys the action supports.
                pub const CONDITION_KEYS: &[&str] = &[#(#condition_keys),*];
                /// Actions the caller must also be allowed.
                pub const DEPENDENT_ACTIONS: &[&str] = &[#(#dependent_actions),*];
            }

            #allow
            impl #request {
                /// The ARNs of the resources this request acts on, for a RAM policy's `Resource`:
                /// placeholders filled from `region_id`, `account_id` and this request; parameters
                /// that are unset (or named by no parameter) become `*`.
                pub fn resource_arns(&self, region_id: &str, account_id: &str) -> Vec<String> {
                    let _ = (region_id, account_id);
                    vec![#(#arns),*]
                }
            }
        });
    }
}
