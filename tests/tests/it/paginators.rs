//! Paginators against a loopback server that answers page by page: page numbers with totals
//! (DBS `DescribeBackupPlanList`: `PageNum`, counted from 0 as DBS documents and echoed back,
//! `TotalElements`, items under `Items.BackupPlanDetail`), pages counted from 0 or 1 that the
//! answer echoes or only the metadata documents (the `fixture-pages` operations), tokens (ECS
//! `DescribeInstances`), and the ways a paging loop goes wrong: an empty result, a token the
//! server repeats, a server that ignores the page asked for, an error mid-way. Every page is a
//! separate call with its own `ClientToken`.

use std::pin::Pin;
use std::time::Duration;

use acs_runtime::credentials::Credentials;
use acs_runtime::paginate::Stream;
use acs_runtime::retry::RetryConfig;
use acs_runtime::{Config, OperationError};
use acs_test_server::{Recorded, Reply, TestServer};

const AK_ID: &str = "pagerKeyId";
const AK_SECRET: &str = "pagerKeySecret";

async fn server(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
    let server = TestServer::start_with(handler).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    server
}

fn config(server: &TestServer) -> Config {
    Config::new("cn-hangzhou")
        .with_endpoint(server.url())
        .with_credentials(Credentials::new(AK_ID, AK_SECRET))
        .with_retry(
            RetryConfig::new()
                .with_max_attempts(1)
                .with_initial_backoff(Duration::from_millis(1)),
        )
}

fn param<'a>(request: &'a Recorded, name: &str) -> Option<&'a str> {
    request
        .query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// `handler` for the first `limit` requests, then an error: a paging loop that does not stop
/// fails its test instead of hanging it.
fn at_most(
    limit: usize,
    handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    move |request| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= limit {
            Reply::json(
                500,
                r#"{"Code": "TooManyPages", "Message": "the client did not stop"}"#,
            )
        } else {
            handler(request)
        }
    }
}

/// Plans `p1` … `p5`, the catalogue of every paging server here.
const FIVE: &[&str] = &["p1", "p2", "p3", "p4", "p5"];

/// A server holding `ids`, `per_page` of them on each page, pages counted from `first`: it
/// answers the page the request's `cursor` parameter asks for (the first when it asks for
/// none, or one before the first), with `answer(the page's ids, page number, pages, total)`;
/// pages past the end are empty.
fn pages_from(
    first: u32,
    per_page: usize,
    ids: &'static [&'static str],
    cursor: &'static str,
    answer: fn(&[&str], u32, u32, u32) -> Reply,
) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |request| {
        let page = param(request, cursor)
            .map_or(first, |n| n.parse().expect("a page number"))
            .max(first);
        let pages = ids.len().div_ceil(per_page) as u32;
        let index = (page - first) as usize;
        let on_page: Vec<&str> = ids
            .iter()
            .copied()
            .skip(index * per_page)
            .take(per_page)
            .collect();
        answer(&on_page, page, pages, ids.len() as u32)
    }
}

/// A DBS answer holding plans `ids` (page `page` of `pages`, `total` plans in all).
fn plans(ids: &[&str], page: u32, pages: u32, total: u32) -> Reply {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"BackupPlanId": "{id}"}}"#))
        .collect();
    Reply::json(
        200,
        &format!(
            r#"{{"Success": true, "RequestId": "R{page}", "PageNum": {page}, "TotalPages": {pages}, "TotalElements": {total},
                "Items": {{"BackupPlanDetail": [{}]}}}}"#,
            items.join(",")
        ),
    )
}

/// A DBS answer as [`plans`], without the count of all plans: only `TotalPages` says when
/// to stop.
fn plans_in_pages(ids: &[&str], page: u32, pages: u32, _total: u32) -> Reply {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"BackupPlanId": "{id}"}}"#))
        .collect();
    Reply::json(
        200,
        &format!(
            r#"{{"RequestId": "R{page}", "PageNum": {page}, "TotalPages": {pages}, "Items": {{"BackupPlanDetail": [{}]}}}}"#,
            items.join(",")
        ),
    )
}

/// The page numbers the requests asked for, in order.
fn asked(server: &TestServer, param_name: &str) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| param(r, param_name).map(str::to_owned))
        .collect()
}

fn some(pages: &[&str]) -> Vec<Option<String>> {
    pages.iter().map(|p| Some((*p).to_owned())).collect()
}

mod page_numbers {
    use super::*;
    use acs_dbs20190306::Client;
    use acs_dbs20190306::operation::describe_backup_plan_list::DescribeBackupPlanListBuilder;

    /// The id of every plan the paginator of `list` yields, two a page.
    async fn all_plans(list: DescribeBackupPlanListBuilder<acs_runtime::Client>) -> Vec<String> {
        let mut items = list.page_size(2).into_paginator().unwrap().items();
        let mut ids = Vec::new();
        while let Some(item) = items.next_item().await {
            ids.push(item.unwrap().backup_plan_id.unwrap());
        }
        ids
    }

    /// DBS documents `PageNum` as "greater than or equal to 0 … Default value: 0" and echoes
    /// it: five plans, two per page, are three pages 0, 1 and 2, each asked for once, and no
    /// fourth request.
    #[tokio::test]
    async fn every_plan_once_from_pages_counted_from_0() {
        let server = server(pages_from(0, 2, FIVE, "PageNum", plans)).await;
        let client = Client::new(&config(&server)).unwrap();
        assert_eq!(all_plans(client.describe_backup_plan_list()).await, FIVE);

        let requests = server.requests();
        assert_eq!(requests.len(), 3, "one call per page, none after the last");
        let mut expected = vec![None];
        expected.extend(some(&["1", "2"]));
        assert_eq!(asked(&server, "PageNum"), expected);
        assert!(requests.iter().all(|r| param(r, "PageSize") == Some("2")));
        // Each page is its own call: a token of its own, never the first page's.
        let tokens: Vec<&str> = requests
            .iter()
            .map(|r| param(r, "ClientToken").expect("a token per page"))
            .collect();
        assert_eq!(tokens.len(), 3);
        assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2] && tokens[0] != tokens[2]);
    }

    /// What the answer says beats what the metadata says: a DBS that counts from 1 after all
    /// is paged from the page it echoes.
    #[tokio::test]
    async fn the_echoed_page_number_beats_the_documented_start() {
        let server = server(pages_from(1, 2, FIVE, "PageNum", plans)).await;
        let client = Client::new(&config(&server)).unwrap();
        assert_eq!(all_plans(client.describe_backup_plan_list()).await, FIVE);
        let mut expected = vec![None];
        expected.extend(some(&["2", "3"]));
        assert_eq!(asked(&server, "PageNum"), expected);
    }

    /// A caller's own first page is where paging starts. From there the paginator cannot
    /// count the pages against the total from the first page, and 2 of 3 pages could be the
    /// last (counted from 0) or not (from 1): it asks once more, for an empty page, rather
    /// than stop early.
    #[tokio::test]
    async fn a_page_the_caller_sets_is_the_first_asked_for() {
        let server = server(at_most(4, pages_from(0, 2, FIVE, "PageNum", plans))).await;
        let client = Client::new(&config(&server)).unwrap();
        let ids = all_plans(client.describe_backup_plan_list().page_num(1)).await;
        assert_eq!(ids, ["p3", "p4", "p5"]);
        assert_eq!(asked(&server, "PageNum"), some(&["1", "2", "3"]));
    }

    /// The total of pages ends the paging after the last, counted from the first page
    /// whatever its number.
    #[tokio::test]
    async fn the_total_of_pages_ends_the_paging_from_0_or_1() {
        for first in [0, 1] {
            let server = server(at_most(
                3,
                pages_from(first, 2, FIVE, "PageNum", plans_in_pages),
            ))
            .await;
            let client = Client::new(&config(&server)).unwrap();
            assert_eq!(all_plans(client.describe_backup_plan_list()).await, FIVE);
            assert_eq!(server.requests().len(), 3, "pages from {first}");
        }
    }

    /// A first page the caller sets and the service corrects (DBS counting from 1 after all,
    /// asked for page 0) is yielded, and paging goes on from the page it says it is.
    #[tokio::test]
    async fn a_callers_first_page_the_service_corrects_is_followed() {
        let server = server(at_most(4, pages_from(1, 2, FIVE, "PageNum", plans))).await;
        let client = Client::new(&config(&server)).unwrap();
        let ids = all_plans(client.describe_backup_plan_list().page_num(0)).await;
        assert_eq!(ids, FIVE);
        assert_eq!(asked(&server, "PageNum"), some(&["0", "2", "3"]));
    }

    /// A token the caller set goes with the first page only.
    #[tokio::test]
    async fn a_callers_client_token_is_not_reused_for_later_pages() {
        let server = server(pages_from(0, 1, &["p1", "p2"], "PageNum", plans)).await;
        let client = Client::new(&config(&server)).unwrap();
        let mut pages = client
            .describe_backup_plan_list()
            .client_token("mine")
            .into_paginator()
            .unwrap();
        while let Some(page) = pages.next_page().await {
            page.unwrap();
        }
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(param(&requests[0], "ClientToken"), Some("mine"));
        let second = param(&requests[1], "ClientToken").unwrap();
        assert_ne!(second, "mine");
    }

    #[tokio::test]
    async fn an_empty_result_is_one_call_and_no_items() {
        let server = server(|_| plans(&[], 0, 0, 0)).await;
        let client = Client::new(&config(&server)).unwrap();
        let mut items = client
            .describe_backup_plan_list()
            .into_paginator()
            .unwrap()
            .items();
        assert!(items.next_item().await.is_none());
        assert!(items.next_item().await.is_none(), "and stays finished");
        assert_eq!(server.requests().len(), 1);
    }

    /// A server that ignores the page asked for and claims more pages would otherwise be
    /// asked forever: the answer echoing another page than the one asked for ends the paging,
    /// and is not yielded (following it would repeat a page, or skip some).
    #[tokio::test]
    async fn a_server_that_ignores_the_page_number_is_not_asked_forever() {
        let calls = std::sync::atomic::AtomicU32::new(0);
        let server = server(at_most(5, move |_| {
            // A new request id each time, so the pages are not equal as a whole.
            let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Reply::json(
                200,
                &format!(
                    r#"{{"RequestId": "R{n}", "PageNum": 0, "TotalPages": 1000, "TotalElements": 1000,
                        "Items": {{"BackupPlanDetail": [{{"BackupPlanId": "same"}}]}}}}"#
                ),
            )
        }))
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut pages = client.describe_backup_plan_list().into_paginator().unwrap();
        let mut count = 0;
        while let Some(page) = pages.next_page().await {
            page.unwrap();
            count += 1;
        }
        assert_eq!(count, 1);
        assert_eq!(server.requests().len(), 2);
    }

    /// An error ends the pages after it is handed over.
    #[tokio::test]
    async fn an_error_mid_way_is_yielded_and_ends_the_pages() {
        let server = server(|request| match param(request, "PageNum") {
            None => plans(&["p1"], 0, 3, 3),
            Some(_) => Reply::json(
                403,
                r#"{"Code": "Request.Forbidden", "Message": "no", "RequestId": "R"}"#,
            ),
        })
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut pages = client.describe_backup_plan_list().into_paginator().unwrap();
        assert!(pages.next_page().await.unwrap().is_ok());
        let error = pages.next_page().await.unwrap().unwrap_err();
        assert_eq!(
            error.as_service_error().map(OperationError::code),
            Some("Request.Forbidden")
        );
        assert!(pages.next_page().await.is_none());
        assert_eq!(server.requests().len(), 2);
    }

    /// The prelude names what a paging program and its tests need: the paginator, retries and
    /// time limits, and (with `test-util`) the mock client.
    #[tokio::test]
    async fn the_prelude_has_what_a_paging_program_names() {
        use acs_dbs20190306::operation::describe_backup_plan_list::DescribeBackupPlanListRequest;
        use acs_dbs20190306::prelude::{Mock, Paginator, RetryConfig, Rule, Timeouts};
        let mock =
            Mock::new([Rule::of::<DescribeBackupPlanListRequest>().then_output(Default::default)]);
        let config = mock
            .config()
            .with_retry(RetryConfig::new())
            .with_timeouts(Timeouts::default());
        let client = Client::new(&config).unwrap();
        let mut pages: Paginator<DescribeBackupPlanListRequest> =
            client.describe_backup_plan_list().into_paginator().unwrap();
        assert!(pages.next_page().await.unwrap().is_ok());
        assert!(
            pages.next_page().await.is_none(),
            "a page without items is the last"
        );
        assert_eq!(mock.calls().len(), 1);
    }

    /// The paginator is a `Stream` too, for callers with a stream library.
    #[tokio::test]
    async fn pages_are_a_stream() {
        let server = server(pages_from(0, 1, &["p1", "p2"], "PageNum", plans)).await;
        let client = Client::new(&config(&server)).unwrap();
        let mut pages = client.describe_backup_plan_list().into_paginator().unwrap();
        let mut numbers = Vec::new();
        while let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
            numbers.push(page.unwrap().page_num.unwrap());
        }
        assert_eq!(numbers, [0, 1]);
    }
}

/// Pages counted from 0 or 1, said by the answer (`ListEchoed`) or only by the page
/// parameter's description (`ListFromZero`: "Pages start from page 0", `ListFromOne`: "Default
/// value: 1"). Each server holds five things, two per page.
mod bases {
    use super::*;
    use fixture_pages20000101::Client;

    fn things(ids: &[&str], page: u32, echo: bool, total: u32) -> Reply {
        let items: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"Id": "{id}"}}"#))
            .collect();
        let echoed = if echo {
            format!(r#""PageNumber": {page}, "#)
        } else {
            String::new()
        };
        Reply::json(
            200,
            &format!(
                r#"{{"RequestId": "R{page}", {echoed}"TotalCount": {total}, "Things": [{}]}}"#,
                items.join(",")
            ),
        )
    }

    fn echoing(ids: &[&str], page: u32, _pages: u32, total: u32) -> Reply {
        things(ids, page, true, total)
    }

    fn silent(ids: &[&str], page: u32, _pages: u32, total: u32) -> Reply {
        things(ids, page, false, total)
    }

    /// Pages a server holding five things, two a page, counted from `first` and answering
    /// with `answer`, through `method`'s paginator: every thing once, and the pages asked for
    /// after the first (which asks for none) are `later`.
    macro_rules! every_thing_once {
        ($first:expr, $answer:expr, $method:ident, $later:expr) => {{
            let server = server(at_most(
                4,
                pages_from($first, 2, FIVE, "PageNumber", $answer),
            ))
            .await;
            let client = Client::new(&config(&server)).unwrap();
            let mut items = client
                .$method()
                .page_size(2)
                .into_paginator()
                .unwrap()
                .items();
            let mut ids = Vec::new();
            while let Some(item) = items.next_item().await {
                ids.push(item.unwrap().id.unwrap());
            }
            assert_eq!(ids, FIVE);
            let mut expected = vec![None];
            expected.extend(some($later));
            assert_eq!(asked(&server, "PageNumber"), expected);
        }};
    }

    #[tokio::test]
    async fn echoed_pages_counted_from_0() {
        every_thing_once!(0, echoing, list_echoed, &["1", "2"]);
    }

    #[tokio::test]
    async fn echoed_pages_counted_from_1() {
        every_thing_once!(1, echoing, list_echoed, &["2", "3"]);
    }

    #[tokio::test]
    async fn documented_pages_counted_from_0() {
        every_thing_once!(0, silent, list_from_zero, &["1", "2"]);
    }

    #[tokio::test]
    async fn documented_pages_counted_from_1() {
        every_thing_once!(1, silent, list_from_one, &["2", "3"]);
    }

    /// Where neither the answer nor the metadata says where pages start, a paginator would
    /// guess, and a wrong guess skips a page: `ListUncounted` gets none.
    #[test]
    fn no_paginator_where_nothing_says_where_pages_start() {
        let dir = xtask::workspace_root().join("tests/specs/pages/2000-01-01");
        let service = acs_spec::load_service_dir(&dir).unwrap().service;
        let paginated: Vec<(&str, Option<i64>, bool)> = service
            .operations
            .iter()
            .filter_map(|op| {
                let numbers = op.pagination.as_ref()?.page_numbers.as_ref()?;
                Some((op.name.as_str(), numbers.first, numbers.echoed.is_some()))
            })
            .collect();
        assert_eq!(
            paginated,
            [
                ("ListEchoed", None, true),
                ("ListFromOne", Some(1), false),
                ("ListFromZero", Some(0), false),
            ]
        );
    }
}

mod tokens {
    use super::*;
    use fixture_ecs20140526::Client;

    fn instances(ids: &[&str], next: &str) -> Reply {
        let items: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"InstanceId": "{id}"}}"#))
            .collect();
        Reply::json(
            200,
            &format!(
                r#"{{"RequestId": "R", "NextToken": "{next}", "Instances": {{"Instance": [{}]}}}}"#,
                items.join(",")
            ),
        )
    }

    #[tokio::test]
    async fn tokens_are_followed_until_the_last_page() {
        let server = server(|request| match param(request, "NextToken") {
            None => instances(&["i-1", "i-2"], "t1"),
            Some("t1") => instances(&["i-3"], "t2"),
            Some("t2") => instances(&["i-4"], ""),
            Some(other) => panic!("token {other} was never given"),
        })
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut items = client
            .describe_instances()
            .region_id("cn-hangzhou")
            .max_results(2)
            .into_paginator()
            .unwrap()
            .items();
        let mut ids = Vec::new();
        while let Some(item) = items.next_item().await {
            ids.push(item.unwrap().instance_id.unwrap());
        }
        assert_eq!(ids, ["i-1", "i-2", "i-3", "i-4"]);
        let requests = server.requests();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| param(r, "MaxResults") == Some("2")));
    }

    /// A server that hands back a token it gave before would loop forever.
    #[tokio::test]
    async fn a_repeated_token_ends_the_pages() {
        let server = server(at_most(5, |request| match param(request, "NextToken") {
            None => instances(&["i-1"], "t1"),
            Some(_) => instances(&["i-2"], "t1"),
        }))
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut items = client
            .describe_instances()
            .region_id("cn-hangzhou")
            .into_paginator()
            .unwrap()
            .items();
        let mut ids = Vec::new();
        while let Some(item) = items.next_item().await {
            ids.push(item.unwrap().instance_id.unwrap());
        }
        assert_eq!(ids, ["i-1", "i-2"]);
        assert_eq!(server.requests().len(), 2);
    }
}
