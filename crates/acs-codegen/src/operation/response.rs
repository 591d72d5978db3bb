//! The response type: every member optional, members the service adds later ignored.

use acs_spec::ir::{Operation, TypeScope};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::OperationTypes;
use crate::docs;
use crate::types::{FromJsonImpl, eq_derive, optional_members};

pub(super) struct Response<'a>(pub &'a Operation);

impl ToTokens for Response<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let name = OperationTypes::new(op).response;
        let docs = docs::doc_attrs(&format!(
            "Response of `{}`: members the service omits are `None`, members it adds later are ignored.",
            op.name
        ));
        let members = optional_members(&op.response, TypeScope::Operation);
        let eq = eq_derive(op.response_eq);
        let from_json = FromJsonImpl {
            name: &name,
            fields: &op.response,
        };
        tokens.extend(quote! {
            #docs
            #[derive(Debug, Clone, Default, PartialEq, #eq)]
            #[non_exhaustive]
            pub struct #name {
                #members
            }

            #from_json
        });
    }
}
