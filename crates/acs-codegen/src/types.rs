//! Rust types, struct and enum declarations shared by operation modules and the crate's
//! `types` module.
//!
//! A type implements what its side of the wire needs: `WireStruct` (its members by wire name,
//! which the runtime flattens or JSON-encodes) when it is sent, `FromJson` (one `take` per
//! member) when it is received.

use acs_spec::ir::{Docs, EnumDef, Field, StructDef, TypeRef, TypeScope};
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

/// The Rust type of a value, as written in a module of `scope`: named types of the same scope
/// by name, the crate's shared types through `crate::types`.
pub struct RustType<'a> {
    /// The type.
    pub ty: &'a TypeRef,
    /// Where the code that names it lives.
    pub scope: TypeScope,
}

impl<'a> RustType<'a> {
    /// `ty` named from an operation module.
    pub fn in_operation(ty: &'a TypeRef) -> Self {
        RustType {
            ty,
            scope: TypeScope::Operation,
        }
    }

    fn inner(&self, ty: &'a TypeRef) -> RustType<'a> {
        RustType {
            ty,
            scope: self.scope,
        }
    }
}

impl ToTokens for RustType<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(match self.ty {
            TypeRef::String => quote!(String),
            TypeRef::Int32 => quote!(i32),
            TypeRef::Int64 => quote!(i64),
            TypeRef::Float => quote!(f32),
            TypeRef::Double => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Any => quote!(rt::serde_json::Value),
            TypeRef::Bytes => quote!(rt::ObjectBody),
            TypeRef::List(inner) => {
                let inner = self.inner(inner);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(inner) => {
                let inner = self.inner(inner);
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            TypeRef::Boxed(inner) => {
                let inner = self.inner(inner);
                quote!(Box<#inner>)
            }
            TypeRef::Named { name, scope } => {
                let name = ident(name);
                if *scope == self.scope {
                    quote!(#name)
                } else {
                    quote!(crate::types::#name)
                }
            }
        });
    }
}

/// Documentation of a field: its description, then one line of facts: "Required." where it
/// is, its example, and its wire name when the Rust name does not show it.
pub fn field_docs(field: &Field) -> TokenStream {
    let description = description(field);
    let facts = facts(field);
    // Facts continue a description that ends in prose (rendered the same as a paragraph of
    // their own would be, one line shorter).
    let text = if !facts.is_empty() && docs::ends_in_prose(&description) {
        format!("{description} {facts}")
    } else {
        docs::paragraphs([description, facts])
    };
    docs::doc_attrs(&text)
}

/// The first paragraph of a field's description, and "Required." where it is: for the
/// request's fields, whose setters carry the whole text.
pub fn field_summary(field: &Field) -> TokenStream {
    let text = description(field);
    let first = docs::first_paragraph(&text);
    if field.required && field.placement.is_some() {
        let text = if docs::ends_in_prose(first) {
            format!("{first} Required.")
        } else {
            docs::paragraphs([first, "Required."])
        };
        return docs::doc_attrs(&text);
    }
    docs::doc_attrs(first)
}

fn description(field: &Field) -> String {
    field
        .docs
        .description
        .as_deref()
        .map(docs::sanitize)
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| {
            format!(
                "The `{}` field.",
                docs::sanitize(&field.wire_name).replace('`', "'")
            )
        })
}

fn facts(field: &Field) -> String {
    let mut facts = Vec::new();
    if field.required && field.placement.is_some() {
        facts.push("Required.".to_owned());
    }
    if let Some(example) = &field.docs.example
        && !example.trim().is_empty()
    {
        facts.push(format!("Example: {}.", docs::inline_code(example)));
    }
    if field.ident.trim_start_matches("r#") != acs_spec::names::snake_base(&field.wire_name) {
        facts.push(format!(
            "Wire name: {}.",
            docs::inline_code(&field.wire_name)
        ));
    }
    facts.join(" ")
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

/// `#[allow(deprecated)]` for an impl that touches any deprecated member.
pub fn allow_deprecated(fields: &[Field]) -> TokenStream {
    if fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        TokenStream::new()
    }
}

/// `Eq` in a derive list, when the type supports it.
pub fn eq_derive(eq: bool) -> TokenStream {
    if eq { quote!(Eq,) } else { TokenStream::new() }
}

/// A struct's public members: `Option<T>` each (a member the service omits is `None`).
pub fn optional_members(fields: &[Field], scope: TypeScope) -> TokenStream {
    let members = fields.iter().map(|field| {
        let docs = field_docs(field);
        let name = ident(&field.ident);
        let ty = RustType {
            ty: &field.ty,
            scope,
        };
        let deprecated = deprecated_attr(field.deprecated);
        quote! { #docs #deprecated pub #name: Option<#ty>, }
    });
    quote!(#(#members)*)
}

/// `impl WireStruct`: the members by wire name, for the serializers.
pub struct WireImpl<'a> {
    /// The type's Rust name.
    pub name: &'a Ident,
    /// Its members.
    pub fields: &'a [Field],
}

impl ToTokens for WireImpl<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let name = self.name;
        let allow = allow_deprecated(self.fields);
        // An empty struct visits nothing; naming the closure `_visit` keeps it warning-free.
        let visit = if self.fields.is_empty() {
            quote!(_visit)
        } else {
            quote!(visit)
        };
        let visits = self.fields.iter().map(|field| {
            let wire = &field.wire_name;
            let member = ident(&field.ident);
            quote! { visit(#wire, &self.#member); }
        });
        tokens.extend(quote! {
            #allow
            impl rt::WireStruct for #name {
                fn wire_fields(&self, #visit: &mut dyn FnMut(&str, &dyn rt::WireValue)) {
                    #(#visits)*
                }
            }
        });
    }
}

/// A body format generated types read their members from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `impl FromJson`: members of a JSON object.
    Json,
    /// `impl FromXml`: child elements (a list member from each of its repeated elements).
    Xml,
}

/// `impl FromJson` or `impl FromXml`: each member read by wire name, the rest skipped. The
/// two readers share their shape (`object`/`children`, `read_into`, `skip`), so one generator
/// writes both.
pub struct MemberReaderImpl<'a> {
    /// The format read.
    pub format: Format,
    /// The type's Rust name.
    pub name: &'a Ident,
    /// Its members.
    pub fields: &'a [Field],
    /// The type has members read elsewhere (a response's headers), left at their defaults.
    pub more: bool,
}

impl ToTokens for MemberReaderImpl<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let name = self.name;
        let allow = allow_deprecated(self.fields);
        let (reader, members, trait_name, function, module) = match self.format {
            Format::Json => (
                quote!(json),
                quote!(object),
                quote!(FromJson),
                quote!(from_json),
                quote!(json),
            ),
            Format::Xml => (
                quote!(xml),
                quote!(children),
                quote!(FromXml),
                quote!(from_xml),
                quote!(xml),
            ),
        };
        let body = if self.fields.is_empty() {
            // `Self {}` for a type without members; a response whose header members are read
            // later starts from its default.
            let empty = if self.more {
                quote!(Self::default())
            } else {
                quote!(Self {})
            };
            quote! {
                #reader.#members(|_, #reader| #reader.skip())?;
                Ok(#empty)
            }
        } else {
            let arms = self.fields.iter().map(|field| {
                let wire = &field.wire_name;
                let member = ident(&field.ident);
                quote! { #wire => #reader.read_into(&mut out.#member), }
            });
            quote! {
                let mut out = Self::default();
                #reader.#members(|member, #reader| match member {
                    #(#arms)*
                    _ => #reader.skip(),
                })?;
                Ok(out)
            }
        };
        tokens.extend(quote! {
            #allow
            impl rt::#trait_name for #name {
                fn #function(#reader: &mut rt::#module::Reader<'_>) -> rt::json::Result<Self> {
                    #body
                }
            }
        });
    }
}

/// A nested or shared struct, declared in a module of `scope`.
pub struct StructItem<'a> {
    /// The struct.
    pub def: &'a StructDef,
    /// Where it is declared.
    pub scope: TypeScope,
}

impl ToTokens for StructItem<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let def = self.def;
        let name = ident(&def.name);
        let docs = item_docs(&def.docs, &format!("The `{}` structure.", def.name));
        let members = optional_members(&def.fields, self.scope);
        let eq = eq_derive(def.eq);
        // Values callers build (request members) stay constructible with struct literals
        // (`Tag { key: Some(..), ..Default::default() }`); received ones may grow.
        let non_exhaustive = (!def.sides.request).then(|| quote!(#[non_exhaustive]));
        let wire = def.sides.request.then(|| WireImpl {
            name: &name,
            fields: &def.fields,
        });
        let reader = |format| MemberReaderImpl {
            format,
            name: &name,
            fields: &def.fields,
            more: false,
        };
        let from_json = def.sides.response.then(|| reader(Format::Json));
        let from_xml = def.sides.xml.then(|| reader(Format::Xml));
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq)]
            #non_exhaustive
            pub struct #name {
                #members
            }

            #wire
            #from_json
            #from_xml
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
        let from_json = def.sides.response.then(|| {
            quote! {
                impl rt::FromJson for #name {
                    fn from_json(json: &mut rt::json::Reader<'_>) -> rt::json::Result<Self> {
                        <String as rt::FromJson>::from_json(json).map(|text| Self::from(text.as_str()))
                    }
                }
            }
        });
        let from_xml = def.sides.xml.then(|| {
            quote! {
                impl rt::FromXml for #name {
                    fn from_xml(xml: &mut rt::xml::Reader<'_>) -> rt::json::Result<Self> {
                        xml.text().map(|text| Self::from(text.as_ref()))
                    }
                }
            }
        });
        let to_wire = def.sides.request.then(|| {
            quote! {
                impl rt::WireValue for #name {
                    fn wire(&self) -> rt::WireRef<'_> {
                        rt::WireRef::Str(self.as_str())
                    }
                }

                impl rt::IntoParam<#name> for &str {
                    fn into_param(self) -> Option<#name> {
                        Some(#name::from(self))
                    }
                }
            }
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

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            #to_wire
            #from_json
            #from_xml
        });
    }
}

/// A nested or shared type, declared in a module of `scope`.
pub fn type_def(def: &acs_spec::ir::TypeDef, scope: TypeScope) -> TokenStream {
    match def {
        acs_spec::ir::TypeDef::Struct(def) => StructItem { def, scope }.into_token_stream(),
        acs_spec::ir::TypeDef::Enum(def) => StringEnum(def).into_token_stream(),
    }
}
