//! RAM facts of an operation: a `RAM` constant the runtime's `ResourceArns` fills from a
//! request.

use acs_spec::ir::{AccessLevel, Operation};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

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
        tokens.extend(quote! {
            /// RAM authorization of this operation, for writing policies; `resource_arns` (from
            /// the `prelude`) fills its templates from a request.
            pub const #name: rt::ram::Facts = #facts;
        });
    }
}

/// The `const RAM` item of the operation's `impl Operation`, when it has RAM facts.
pub(super) fn operation_const(op: &Operation) -> Option<TokenStream> {
    op.ram.as_ref()?;
    let name = format_ident!("{}", generated::RAM_CONST);
    Some(quote! {
        const RAM: Option<&'static rt::ram::Facts> = Some(&#name);
    })
}
