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
        let templates: Vec<&str> = ram.resources.iter().map(|r| r.template.as_str()).collect();
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
/// parameter of the operation, which `resource_arns` and the policy files make `*`.
fn unfilled_placeholders(ram: &RamFacts) -> String {
    let unfilled: Vec<String> = ram
        .resources
        .iter()
        .flat_map(|resource| {
            resource.parts.iter().filter_map(|part| match part {
                ArnPart::Wildcard { placeholder } => Some(format!(
                    "{} (in {})",
                    docs::inline_code(&format!("{{#{placeholder}}}")),
                    docs::inline_code(&resource.template)
                )),
                _ => None,
            })
        })
        .collect();
    if unfilled.is_empty() {
        return String::new();
    }
    format!(
        "{} name{} no parameter of this operation: `resource_arns` and the policy files put `*` there.",
        unfilled.join(", "),
        if unfilled.len() == 1 { "s" } else { "" }
    )
}

/// The `const RAM` item of the operation's `impl Operation`, when it has RAM facts.
pub(super) fn operation_const(op: &Operation) -> Option<TokenStream> {
    op.ram.as_ref()?;
    let name = format_ident!("{}", generated::RAM_CONST);
    Some(quote! {
        const RAM: Option<&'static rt::ram::Facts> = Some(&#name);
    })
}
