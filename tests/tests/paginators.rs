//! Paginators against a loopback server that answers page by page: page numbers with totals
//! (DBS `DescribeBackupPlanList`: `PageNum`, `TotalElements`, items under
//! `Items.BackupPlanDetail`), tokens (ECS `DescribeInstances`), and the ways a paging loop goes
//! wrong: an empty result, a token the server repeats, a server that ignores the page asked
//! for, an error mid-way. Every page is a separate call with its own `ClientToken`.

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

/// A DBS answer holding plans `ids` (page `page` of `pages`, `total` plans in all).
fn plans(ids: &[&str], page: u32, pages: u32, total: u32) -> Reply {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"BackupPlanId": "{id}"}}"#))
        .collect();
    Reply::json(
        200,
        &format!(
            r#"{{"Success": true, "PageNum": {page}, "TotalPages": {pages}, "TotalElements": {total},
                "Items": {{"BackupPlanDetail": [{}]}}}}"#,
            items.join(",")
        ),
    )
}

mod page_numbers {
    use super::*;
    use acs_dbs20190306::Client;

    /// Five plans, two per page: three pages, the last one short, and no fourth request.
    #[tokio::test]
    async fn every_page_once_then_stop_at_the_total() {
        let server = server(|request| match param(request, "PageNum").unwrap_or("1") {
            "1" => plans(&["p1", "p2"], 1, 3, 5),
            "2" => plans(&["p3", "p4"], 2, 3, 5),
            "3" => plans(&["p5"], 3, 3, 5),
            other => panic!("page {other} was never promised"),
        })
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut items = client
            .describe_backup_plan_list()
            .page_size(2)
            .into_paginator()
            .unwrap()
            .items();
        let mut ids = Vec::new();
        while let Some(item) = items.next_item().await {
            ids.push(item.unwrap().backup_plan_id.unwrap());
        }
        assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5"]);

        let requests = server.requests();
        assert_eq!(requests.len(), 3, "one call per page, none after the last");
        let pages: Vec<Option<&str>> = requests.iter().map(|r| param(r, "PageNum")).collect();
        assert_eq!(pages, [None, Some("2"), Some("3")]);
        assert!(requests.iter().all(|r| param(r, "PageSize") == Some("2")));
        // Each page is its own call: a token of its own, never the first page's.
        let tokens: Vec<&str> = requests
            .iter()
            .map(|r| param(r, "ClientToken").expect("a token per page"))
            .collect();
        assert_eq!(tokens.len(), 3);
        assert!(tokens[0] != tokens[1] && tokens[1] != tokens[2] && tokens[0] != tokens[2]);
    }

    /// A token the caller set goes with the first page only.
    #[tokio::test]
    async fn a_callers_client_token_is_not_reused_for_later_pages() {
        let server = server(|request| match param(request, "PageNum").unwrap_or("1") {
            "1" => plans(&["p1"], 1, 2, 2),
            _ => plans(&["p2"], 2, 2, 2),
        })
        .await;
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
        assert_eq!(param(&requests[0], "ClientToken"), Some("mine"));
        let second = param(&requests[1], "ClientToken").unwrap();
        assert_ne!(second, "mine");
    }

    #[tokio::test]
    async fn an_empty_result_is_one_call_and_no_items() {
        let server = server(|_| plans(&[], 1, 0, 0)).await;
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
    /// asked forever: the repeated page ends the paging, and is not yielded twice.
    #[tokio::test]
    async fn a_server_that_ignores_the_page_number_is_not_asked_forever() {
        let server = server(at_most(5, |_| plans(&["same"], 1, 1000, 1000))).await;
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
        let server = server(|request| match param(request, "PageNum").unwrap_or("1") {
            "1" => plans(&["p1"], 1, 3, 3),
            _ => Reply::json(
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

    /// The paginator is a `Stream` too, for callers with a stream library.
    #[tokio::test]
    async fn pages_are_a_stream() {
        let server = server(|request| match param(request, "PageNum").unwrap_or("1") {
            "1" => plans(&["p1"], 1, 2, 2),
            _ => plans(&["p2"], 2, 2, 2),
        })
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let mut pages = client.describe_backup_plan_list().into_paginator().unwrap();
        let mut numbers = Vec::new();
        while let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
            numbers.push(page.unwrap().page_num.unwrap());
        }
        assert_eq!(numbers, [1, 2]);
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
