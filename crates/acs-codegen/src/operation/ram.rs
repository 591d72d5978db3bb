//! RAM facts of an operation: a `RAM` constant the runtime's `ResourceArns` fills from a
//! request.

use acs_spec::ir::{AccessLevel, ArnPart, Operation, Ram as RamFacts};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use crate::docs;

/// `pub const RAM: rt::ram::Facts`.
pub(super) struct Ram<'a>(pub &'a Operation);

impl ToTokens for Ram<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let Some(ram) = &self.0.ram else { return };
        let name = format_ident!("{}", generated::RAM_CONST);
        let action = &ram.action;
        let level = format_ident!(
            "{}",
            match ram.access_level {
                AccessLevel::Create => "Create",
                AccessLevel::List => "List",
                AccessLevel::Get => "Get",
                AccessLevel::Update => "Update",
                AccessLevel::Delete => "Delete",
            }
        );
        // Only what is there: empty lists are the constructor's.
        let mut facts = quote!(rt::ram::Facts::new(#action, rt::ram::AccessLevel::#level));
        // As the runtime fills them: parameters under their wire names, placeholders the spec
        // matched to no scalar parameter already `*` (the IR's decision, not the runtime's).
        let templates: Vec<String> = ram
            .resources
            .iter()
            .map(|r| r.resolved_template(&self.0.params))
            .collect();
        let templates: Vec<&str> = templates.iter().map(String::as_str).collect();
        for (method, list) in [
            ("on", &templates),
            (
                "with_condition_keys",
                &ram.condition_keys.iter().map(String::as_str).collect(),
            ),
            (
                "with_dependent_actions",
                &ram.dependent_actions.iter().map(String::as_str).collect(),
            ),
        ] {
            if !list.is_empty() {
                let method = format_ident!("{method}");
                facts.extend(quote!(.#method(&[#(#list),*])));
            }
        }
        let docs = docs::doc_attrs(&docs::paragraphs([
            "RAM authorization of this operation, for writing policies; `resource_arns` (from\nthe `prelude`) fills its templates from a request.".to_owned(),
            unfilled_placeholders(ram),
        ]));
        tokens.extend(quote! {
            #docs
            pub const #name: rt::ram::Facts = #facts;
        });
    }
}

/// What the metadata's templates hold that no request fills: its placeholders that name no
/// parameter of the operation, and text that looks like a placeholder and is not one, which
/// `resource_arns` and the policy files make `*`.
fn unfilled_placeholders(ram: &RamFacts) -> String {
    let mut unfilled: Vec<String> = Vec::new();
    let mut malformed: Vec<String> = Vec::new();
    for resource in &ram.resources {
        let template = docs::inline_code(&resource.template);
        for part in &resource.parts {
            match part {
                ArnPart::Wildcard { placeholder } => unfilled.push(format!(
                    "{} (in {template})",
                    docs::inline_code(&format!("{{#{placeholder}}}"))
                )),
                ArnPart::Malformed { text } => {
                    malformed.push(format!("{} (in {template})", docs::inline_code(text)));
                }
                _ => {}
            }
        }
    }
    let mut sentences = Vec::new();
    if !unfilled.is_empty() {
        sentences.push(format!(
            "{} name{} no parameter of this operation: `resource_arns` and the policy files put `*` there.",
            unfilled.join(", "),
            if unfilled.len() == 1 { "s" } else { "" }
        ));
    }
    if !malformed.is_empty() {
        sentences.push(format!(
            "{} {} no placeholder (`{{#Name}}`): `resource_arns` and the policy files put `*` there.",
            malformed.join(", "),
            if malformed.len() == 1 { "is" } else { "are" }
        ));
    }
    sentences.join(" ")
}

/// The `const RAM` item of the operation's `impl Operation`, when it has RAM facts.
pub(super) fn operation_const(op: &Operation) -> Option<TokenStream> {
    op.ram.as_ref()?;
    let name = format_ident!("{}", generated::RAM_CONST);
    Some(quote! {
        const RAM: Option<&'static rt::ram::Facts> = Some(&#name);
    })
}
