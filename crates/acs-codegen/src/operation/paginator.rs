//! A list operation's paging: `impl rt::Paginated` (where its cursor goes, what an answer says
//! about the next page, where page numbers start) and the builder's `into_paginator()`. The
//! paging itself is in `acs_runtime::paginate`.

use acs_spec::ir::{Member, Operation, TypeRef};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use super::OperationTypes;
use crate::types::{RustType, ident};

/// `impl rt::Paginated for <Request>`, for operations that page.
pub(super) struct PaginatedImpl<'a>(pub &'a Operation);

impl ToTokens for PaginatedImpl<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let op = self.0;
        let Some(pagination) = &op.pagination else {
            return;
        };
        let request = OperationTypes::new(op).request;
        let cursor = ident(&op.params[pagination.cursor].ident);
        let item = RustType::in_operation(&pagination.item);
        let next_token = optional(pagination.next_token.as_ref(), Read::Borrowed);
        let numbers = pagination.page_numbers.as_ref();
        let page_number = optional(numbers.and_then(|n| n.echoed.as_ref()), Read::Count);
        let first_page = numbers.and_then(|n| n.first).map(|first| {
            let first = proc_macro2::Literal::i64_unsuffixed(first);
            quote! { const FIRST_PAGE: Option<i64> = Some(#first); }
        });
        let total_count = optional(pagination.total_count.as_ref(), Read::Count);
        let total_pages = optional(pagination.total_pages.as_ref(), Read::Count);
        let items = read(&pagination.items, Read::Borrowed);
        let allow = pagination.deprecated.then(|| quote!(#[allow(deprecated)]));
        tokens.extend(quote! {
            #allow
            impl rt::Paginated for #request {
                type Item = #item;
                #first_page

                fn cursor(&mut self) -> rt::CursorField<'_> {
                    (&mut self.#cursor).into()
                }

                fn page(output: &Self::Output) -> rt::Page<'_, Self::Item> {
                    rt::Page {
                        next_token: #next_token,
                        page_number: #page_number,
                        total_count: #total_count,
                        total_pages: #total_pages,
                        items: #items,
                    }
                }
            }
        });
    }
}

/// `into_paginator()`, in the builder's `impl <Builder><rt::Client>` block.
pub(super) fn into_paginator(op: &Operation) -> TokenStream {
    if op.pagination.is_none() {
        return TokenStream::new();
    }
    let OperationTypes { request, .. } = OperationTypes::new(op);
    let method = format_ident!("{}", generated::INTO_PAGINATOR);
    let build = format_ident!("{}", generated::BUILD);
    let client = format_ident!("{}", generated::CLIENT_FIELD);
    quote! {
        /// Builds the request and gives every page of the answer, each one call: a `Stream`,
        /// or `next_page().await`; `.items()` gives the items of every page. Set the page size
        /// first, with its setter.
        pub fn #method(self) -> Result<rt::Paginator<#request>, rt::BuildError> {
            let #client = self.#client.clone();
            Ok(rt::Paginator::new(#client, self.#build()?))
        }
    }
}

/// How a member is read from the answer.
#[derive(Clone, Copy)]
enum Read {
    /// `Option<&str>` / `Option<&[T]>` from an `Option<String>` / `Option<Vec<T>>`.
    Borrowed,
    /// `Option<i64>` from an integer.
    Count,
}

fn optional(member: Option<&Member>, how: Read) -> TokenStream {
    member.map_or_else(|| quote!(None), |member| read(member, how))
}

/// The member of `output`, through the optional structs above it.
fn read(member: &Member, how: Read) -> TokenStream {
    let (last, parents) = member
        .path
        .split_last()
        .expect("a member path names a member");
    let last = ident(last);
    // Counts are `i64` for the runtime; an `i32` one is widened.
    let widen = (member.ty == TypeRef::Int32).then(|| quote!(.map(i64::from)));
    let Some((first, rest)) = parents.split_first() else {
        return match how {
            Read::Borrowed => quote!(output.#last.as_deref()),
            Read::Count => quote!(output.#last #widen),
        };
    };
    let first = ident(first);
    let mut outer = quote!(output.#first.as_ref());
    for parent in rest {
        let parent = ident(parent);
        outer = quote!(#outer.and_then(|v| v.#parent.as_ref()));
    }
    match how {
        Read::Borrowed => quote!(#outer.and_then(|v| v.#last.as_deref())),
        Read::Count => quote!(#outer.and_then(|v| v.#last) #widen),
    }
}
