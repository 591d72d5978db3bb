//! Rust types and field declarations shared by requests, responses and nested types.

use acs_spec::ir::{Docs, EnumDef, Field, Side, StructDef, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::docs;

/// An identifier from the IR, which may be raw (`r#type`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type of a value.
pub struct RustType<'a>(pub &'a TypeRef);

impl ToTokens for RustType<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(match self.0 {
            TypeRef::String => quote!(String),
            TypeRef::Int32 => quote!(i32),
            TypeRef::Int64 => quote!(i64),
            TypeRef::Float => quote!(f32),
            TypeRef::Double => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Any => quote!(serde_json::Value),
            TypeRef::List(inner) => {
                let inner = RustType(inner);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = RustType(inner);
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            TypeRef::Named(name) => ident(name).into_token_stream(),
        });
    }
}

/// Whether values of the type can derive `Eq` (floats and JSON values cannot).
pub fn is_eq(ty: &TypeRef, types: &[acs_spec::ir::TypeDef]) -> bool {
    match ty {
        TypeRef::Float | TypeRef::Double | TypeRef::Any => false,
        TypeRef::List(inner) | TypeRef::Map(inner) => is_eq(inner, types),
        TypeRef::Named(name) => types.iter().all(|def| match def {
            acs_spec::ir::TypeDef::Struct(s) if &s.name == name => {
                s.fields.iter().all(|f| is_eq(&f.ty, types))
            }
            _ => true,
        }),
        _ => true,
    }
}

/// Documentation of a field: its description, example and wire name.
pub fn field_docs(field: &Field) -> TokenStream {
    let mut parts = vec![
        field
            .docs
            .description
            .as_deref()
            .map(docs::sanitize)
            .unwrap_or_else(|| {
                format!(
                    "The `{}` field.",
                    docs::sanitize(&field.wire_name).replace('`', "'")
                )
            }),
    ];
    if let Some(example) = &field.docs.example
        && !example.trim().is_empty()
    {
        parts.push(format!("Example: {}", docs::inline_code(example)));
    }
    if field.ident.trim_start_matches("r#") != acs_spec::names::snake_base(&field.wire_name) {
        parts.push(format!(
            "Wire name: {}.",
            docs::inline_code(&field.wire_name)
        ));
    }
    docs::doc_attrs(&docs::paragraphs(parts))
}

/// Documentation from `Docs`, with a fallback sentence.
pub fn item_docs(item_docs: &Docs, fallback: &str) -> TokenStream {
    let text = item_docs
        .description
        .as_deref()
        .map(docs::sanitize)
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| fallback.to_owned());
    docs::doc_attrs(&text)
}

/// `#[deprecated]` when the spec says so.
pub fn deprecated_attr(deprecated: bool) -> TokenStream {
    if deprecated {
        quote!(#[deprecated])
    } else {
        TokenStream::new()
    }
}

/// A public optional member of a serde struct, under its wire name. Received scalars decode
/// leniently (`"200"` for `200`), since services do not always send the documented type.
fn optional_member(field: &Field, side: Side) -> TokenStream {
    let docs = field_docs(field);
    let ident = ident(&field.ident);
    let ty = RustType(&field.ty);
    let wire = &field.wire_name;
    let deprecated = deprecated_attr(field.deprecated);
    let lenient = matches!(
        field.ty,
        TypeRef::Int32 | TypeRef::Int64 | TypeRef::Float | TypeRef::Double | TypeRef::Boolean
    ) && side == Side::Response;
    let lenient = lenient.then(|| quote!(deserialize_with = "acs_runtime::lenient::option",));
    quote! {
        #docs
        #deprecated
        #[serde(rename = #wire, #lenient skip_serializing_if = "Option::is_none")]
        pub #ident: Option<#ty>,
    }
}

/// A struct received in a response: every field optional, unknown fields ignored.
pub struct ResponseStruct<'a> {
    /// Rust name.
    pub name: &'a str,
    /// Documentation.
    pub docs: TokenStream,
    /// Members.
    pub fields: &'a [Field],
    /// Whether all members can be compared with `Eq`.
    pub eq: bool,
}

impl ToTokens for ResponseStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let name = ident(self.name);
        let docs = &self.docs;
        let fields = self
            .fields
            .iter()
            .map(|f| optional_member(f, Side::Response));
        let eq = self.eq.then(|| quote!(Eq,));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq serde::Serialize, serde::Deserialize)]
            #[serde(default)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }
        });
    }
}

/// A nested struct sent in a request: public optional fields, flattened member by member.
pub struct RequestStruct<'a>(pub &'a StructDef, pub bool);

impl ToTokens for RequestStruct<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let def = self.0;
        let name = ident(&def.name);
        let docs = item_docs(&def.docs, &format!("The `{}` structure.", def.name));
        let fields = def.fields.iter().map(|f| optional_member(f, Side::Request));
        let flatten = def.fields.iter().map(|field| {
            let ident = ident(&field.ident);
            let suffix = format!(".{}", field.wire_name);
            quote! {
                acs_runtime::ParamValue::flatten_into(&self.#ident, &format!("{prefix}{}", #suffix), out);
            }
        });
        let eq = self.1.then(|| quote!(Eq,));
        let allow_deprecated = def
            .fields
            .iter()
            .any(|f| f.deprecated)
            .then(|| quote!(#[allow(deprecated)]));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq serde::Serialize)]
            pub struct #name {
                #(#fields)*
            }

            #allow_deprecated
            impl acs_runtime::ParamValue for #name {
                fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
                    #(#flatten)*
                }
            }
        });
    }
}

/// A string enum that keeps unknown values.
pub struct StringEnum<'a>(pub &'a EnumDef);

impl ToTokens for StringEnum<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let def = self.0;
        let name = ident(&def.name);
        let docs = item_docs(&def.docs, &format!("Values of `{}`.", def.name));
        let variants: Vec<Ident> = def.values.iter().map(|v| ident(&v.variant)).collect();
        let wires: Vec<&str> = def.values.iter().map(|v| v.wire.as_str()).collect();
        let variant_docs = def.values.iter().map(|value| {
            let mut text = docs::inline_code(&value.wire);
            if let Some(description) = &value.description {
                text = docs::paragraphs([text, docs::sanitize(description)]);
            }
            docs::doc_attrs(&text)
        });
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #( #variant_docs #variants, )*
                /// A value this version of the client does not know.
                Unknown(String),
            }

            impl #name {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#variants => #wires, )*
                        Self::Unknown(value) => value,
                    }
                }
            }

            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #( #wires => Self::#variants, )*
                        other => Self::Unknown(other.to_owned()),
                    }
                }
            }

            impl From<String> for #name {
                fn from(value: String) -> Self {
                    Self::from(value.as_str())
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    String::deserialize(deserializer).map(Self::from)
                }
            }

            impl acs_runtime::ParamValue for #name {
                fn flatten_into(&self, prefix: &str, out: &mut Vec<(String, String)>) {
                    out.push((prefix.to_owned(), self.as_str().to_owned()));
                }
            }
        });
    }
}

/// Whether a nested struct belongs to the request side.
pub fn is_request_side(def: &StructDef) -> bool {
    def.side == Side::Request
}
