//! Paginators: every page of a list operation, asked for in turn.
//!
//! A list operation's builder has `into_paginator()`, which gives a [`Paginator`]: a
//! [`Stream`] of pages (also `next_page().await` without any stream library), and
//! [`Paginator::items`] the items of every page, one by one. What a generated operation says
//! about itself ([`Paginated`]) is two small functions and a constant: where its cursor goes in
//! the request, what an answer says about the next page, and where its page numbers start.
//!
//! Page numbers (`PageNumber`, `PageNum`, `CurrentPage`) count from 0 in some products and
//! from 1 in others. The first page is the one the operation answers when asked for none, so
//! the first request sends no page number (unless the caller set one); each later page number
//! is one more than the page the answer says it holds (the page number echoed back) or, where
//! the answer says nothing, than the page asked for, counted from where the metadata says pages
//! start ([`Paginated::FIRST_PAGE`]).
//!
//! When it stops:
//!
//! - **tokens** (`NextToken`): when an answer has no token, an empty one, or one already
//!   used (a service that repeats a token would otherwise be asked forever);
//! - **page numbers**: when a page holds no items, when the items so far reach the answer's
//!   total count, or the pages so far its total pages; and, without yielding it, at a later
//!   page's answer echoing a page other than the one asked for (a service that ignores the
//!   page number, or counts its echo differently: following it could skip or repeat pages);
//! - always: after an error (the call itself retried where that was safe), and when a page is
//!   the same as the one before it (a service that ignores the page asked for).
//!
//! Every page is a separate call: an operation with an idempotency token (`ClientToken`) gets a
//! fresh token for every page after the first, never the first page's. The page size is the
//! builder's own setter (`.page_size(50)`, `.max_results(50)`), set before `into_paginator()`.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::client::Client;
use crate::error::SdkError;
use crate::operation::Operation;

/// The request field a paginator moves from page to page.
#[derive(Debug)]
pub enum CursorField<'a> {
    /// A 32-bit page number.
    Page32(&'a mut Option<i32>),
    /// A 64-bit page number.
    Page64(&'a mut Option<i64>),
    /// A token the previous answer gave.
    Token(&'a mut Option<String>),
}

impl CursorField<'_> {
    fn page(&self) -> Option<i64> {
        match self {
            CursorField::Page32(slot) => slot.map(i64::from),
            CursorField::Page64(slot) => **slot,
            CursorField::Token(_) => None,
        }
    }

    /// Asks for page `page`; `false` when the field cannot hold it.
    fn set_page(&mut self, page: i64) -> bool {
        match self {
            CursorField::Page32(slot) => match i32::try_from(page) {
                Ok(page) => {
                    **slot = Some(page);
                    true
                }
                Err(_) => false,
            },
            CursorField::Page64(slot) => {
                **slot = Some(page);
                true
            }
            CursorField::Token(_) => false,
        }
    }

    fn is_token(&self) -> bool {
        matches!(self, CursorField::Token(_))
    }
}

impl<'a> From<&'a mut Option<i32>> for CursorField<'a> {
    fn from(slot: &'a mut Option<i32>) -> Self {
        CursorField::Page32(slot)
    }
}

impl<'a> From<&'a mut Option<i64>> for CursorField<'a> {
    fn from(slot: &'a mut Option<i64>) -> Self {
        CursorField::Page64(slot)
    }
}

impl<'a> From<&'a mut Option<String>> for CursorField<'a> {
    fn from(slot: &'a mut Option<String>) -> Self {
        CursorField::Token(slot)
    }
}

/// What one answer says about paging.
#[derive(Debug)]
pub struct Page<'a, T> {
    /// The token that asks for the next page.
    pub next_token: Option<&'a str>,
    /// The number of the page this answer holds, as it says (page-number cursors).
    pub page_number: Option<i64>,
    /// How many items all pages hold together.
    pub total_count: Option<i64>,
    /// How many pages there are.
    pub total_pages: Option<i64>,
    /// This page's items.
    pub items: Option<&'a [T]>,
}

/// A list operation: implemented by generated request types whose answers page.
pub trait Paginated: Operation + Clone
where
    Self::Output: PartialEq + Clone,
{
    /// One item of a page.
    type Item: Clone;

    /// The number of the page the operation answers when asked for none (0 or 1), where the
    /// metadata says; `None` when only the answers say which page they hold.
    const FIRST_PAGE: Option<i64> = None;

    /// The request field that says which page to answer.
    fn cursor(&mut self) -> CursorField<'_>;

    /// What `output` says about paging.
    fn page(output: &Self::Output) -> Page<'_, Self::Item>;
}

type PageFuture<O> = Pin<
    Box<
        dyn Future<Output = Result<<O as Operation>::Output, SdkError<<O as Operation>::Error>>>
            + Send,
    >,
>;

/// Every page of a list operation, each asked for when the previous one has arrived.
///
/// ```no_run
/// # async fn pages<O: acs_runtime::paginate::Paginated>(mut paginator: acs_runtime::paginate::Paginator<O>)
/// # where O::Output: PartialEq + Clone {
/// while let Some(page) = paginator.next_page().await {
///     let page = page.expect("each page is a call that can fail");
///     // …
/// #   let _ = page;
/// }
/// # }
/// ```
#[must_use = "a paginator does nothing until its pages are asked for"]
pub struct Paginator<O: Paginated>
where
    O::Output: PartialEq + Clone,
{
    client: Client,
    /// The request for the next page; `None` after the last one.
    next: Option<O>,
    in_flight: Option<PageFuture<O>>,
    pages: u64,
    items_so_far: i64,
    seen_tokens: HashSet<String>,
    previous: Option<O::Output>,
    /// Whether the first request asked for no page number: the pages so far are then counted
    /// from the operation's first page, whatever number it has.
    from_first_page: bool,
}

impl<O: Paginated> std::fmt::Debug for Paginator<O>
where
    O::Output: PartialEq + Clone,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &O::INFO.action)
            .field("pages", &self.pages)
            .field("done", &self.next.is_none())
            .finish()
    }
}

impl<O: Paginated> Paginator<O>
where
    O::Output: PartialEq + Clone,
{
    /// Pages of `request`, starting with the page it asks for (the first, unless its cursor is
    /// set), sent with `client`.
    pub fn new(client: Client, request: O) -> Self {
        Paginator {
            client,
            next: Some(request),
            in_flight: None,
            pages: 0,
            items_so_far: 0,
            seen_tokens: HashSet::new(),
            previous: None,
            from_first_page: false,
        }
    }

    /// The next page; `None` after the last one (and after an error).
    pub async fn next_page(&mut self) -> Option<Result<O::Output, SdkError<O::Error>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The items of every page, one by one.
    pub fn items(self) -> Items<O> {
        Items {
            pages: self,
            buffered: VecDeque::new(),
        }
    }

    /// Decides what comes after `output`, the answer to `sent`; `false` when it is not to be
    /// yielded: it repeats the previous page, or is not the page asked for.
    fn advance(&mut self, mut sent: O, output: &O::Output) -> bool {
        if self.previous.as_ref() == Some(output) {
            return false;
        }
        let page = O::page(output);
        let mut cursor = sent.cursor();
        let asked = cursor.page();
        // A later page's number is the paginator's own; the first is the caller's, which a
        // service may correct (a page 0 it counts as 1), and paging goes on from its answer.
        if let (Some(asked), Some(answered)) = (asked, page.page_number)
            && asked != answered
            && self.pages > 0
        {
            tracing::warn!(
                operation = O::INFO.action,
                asked,
                answered,
                "the service answered another page than the one asked for; paging stops"
            );
            return false;
        }
        self.pages += 1;
        let items = page.items.map_or(0, <[_]>::len) as i64;
        self.items_so_far += items;
        let more = if cursor.is_token() {
            match page.next_token.filter(|token| !token.is_empty()) {
                Some(token) if self.seen_tokens.insert(token.to_owned()) => {
                    if let CursorField::Token(slot) = &mut cursor {
                        **slot = Some(token.to_owned());
                    }
                    true
                }
                _ => false,
            }
        } else {
            if self.pages == 1 {
                self.from_first_page = asked.is_none();
            }
            // The page the answer says it holds, else the one asked for, else (asked for none)
            // the operation's first.
            let current = page.page_number.or(asked).or(O::FIRST_PAGE);
            let reached_total = page
                .total_count
                .is_some_and(|total| self.items_so_far >= total);
            let reached_pages = page.total_pages.is_some_and(|pages| {
                if self.from_first_page {
                    self.pages as i64 >= pages
                } else {
                    // From a page the caller chose, the last page's number is `pages` when
                    // pages count from 1, one less from 0: stop late (an empty page), not early.
                    current.is_some_and(|current| current >= pages)
                }
            });
            let more = items > 0 && !reached_total && !reached_pages;
            match current {
                Some(current) if more => current
                    .checked_add(1)
                    .is_some_and(|next| cursor.set_page(next)),
                None if more => {
                    tracing::warn!(
                        operation = O::INFO.action,
                        "the answer does not say which page it holds and the metadata does not say where pages start; paging stops"
                    );
                    false
                }
                _ => false,
            }
        };
        if more {
            // A new call, so a new idempotency token: never the first page's.
            if let Some(token) = sent.idempotency_token_mut() {
                *token = None;
            }
            self.next = Some(sent);
        }
        true
    }
}

impl<O: Paginated> Unpin for Paginator<O> where O::Output: PartialEq + Clone {}

impl<O: Paginated> Stream for Paginator<O>
where
    O::Output: PartialEq + Clone,
{
    type Item = Result<O::Output, SdkError<O::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.in_flight.is_none() {
            let Some(request) = this.next.take() else {
                return Poll::Ready(None);
            };
            let client = this.client.clone();
            // Kept while in flight: the next page's request starts from it.
            this.next = Some(request.clone());
            this.in_flight = Some(Box::pin(async move { client.call(request).await }));
        }
        let future = this.in_flight.as_mut().expect("set above");
        let Poll::Ready(result) = future.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        this.in_flight = None;
        let sent = this.next.take().expect("kept while in flight");
        match result {
            Err(error) => Poll::Ready(Some(Err(error))),
            Ok(output) if this.advance(sent, &output) => {
                this.previous = Some(output.clone());
                Poll::Ready(Some(Ok(output)))
            }
            // The page repeats the one before: the service ignores the page asked for.
            Ok(_) => {
                this.next = None;
                Poll::Ready(None)
            }
        }
    }
}

/// The items of every page of a [`Paginator`], one by one.
#[must_use = "items do nothing until they are asked for"]
pub struct Items<O: Paginated>
where
    O::Output: PartialEq + Clone,
{
    pages: Paginator<O>,
    buffered: VecDeque<O::Item>,
}

impl<O: Paginated> std::fmt::Debug for Items<O>
where
    O::Output: PartialEq + Clone,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .finish()
    }
}

impl<O: Paginated> Items<O>
where
    O::Output: PartialEq + Clone,
{
    /// The next item; `None` after the last one (and after an error).
    pub async fn next_item(&mut self) -> Option<Result<O::Item, SdkError<O::Error>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<O: Paginated> Unpin for Items<O> where O::Output: PartialEq + Clone {}

impl<O: Paginated> Stream for Items<O>
where
    O::Output: PartialEq + Clone,
{
    type Item = Result<O::Item, SdkError<O::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(output))) => {
                    if let Some(items) = O::page(&output).items {
                        this.buffered.extend(items.iter().cloned());
                    }
                }
            }
        }
    }
}
