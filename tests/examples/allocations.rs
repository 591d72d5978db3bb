//! Heap allocations per StartBackupPlan call, counted by a global allocator: through the
//! client against a server, through the client with a transport that answers at once (the
//! client's own share), and through the bare reqwest loop sending the same request.
//!
//! ```text
//! allocations --endpoint URL [--repeat N]
//! ```
//!
//! Prints `ours=<n> ours_offline=<n> bare=<n>` (allocations per call) on stdout.
//! `ACS_DHAT_PROFILE=1` also writes `dhat-heap.json`: where each allocation was made.

use std::sync::Arc;

use acs_runtime::Config;
use tests::bench_support::{self, BACKUP_PLAN_ID};

// dhat's allocator counts every block; the workspace forbids the `unsafe` a hand-written
// counting allocator needs.
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn allocations() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Allocations per run of `call`, over `repeat` runs after one warm-up (connection, caches).
async fn per_call<F: Future<Output = ()>>(repeat: u32, mut call: impl FnMut() -> F) -> f64 {
    call().await;
    let before = allocations();
    for _ in 0..repeat {
        call().await;
    }
    (allocations() - before) as f64 / f64::from(repeat)
}

fn main() {
    // Statistics in memory only, unless a profile of where the allocations happen is asked for
    // (`ACS_DHAT_PROFILE=1` writes dhat-heap.json, for dhat's viewer).
    let _profiler = match std::env::var_os("ACS_DHAT_PROFILE") {
        Some(_) => dhat::Profiler::new_heap(),
        None => dhat::Profiler::builder().testing().build(),
    };
    let mut args = std::env::args().skip(1);
    let (mut endpoint, mut repeat) = (None, 1000);
    while let (Some(flag), Some(value)) = (args.next(), args.next()) {
        match flag.as_str() {
            "--endpoint" => endpoint = Some(value),
            "--repeat" => repeat = value.parse().expect("--repeat needs a number"),
            _ => panic!("unknown argument {flag}"),
        }
    }
    let endpoint = endpoint.expect("usage: allocations --endpoint URL [--repeat N]");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let config = Config::new("cn-hangzhou").with_endpoint(&endpoint);
        let client = acs_dbs20190306::Client::new(&config).expect("a client");
        let offline = acs_dbs20190306::Client::new(
            &config
                .clone()
                .with_transport(Arc::new(bench_support::Canned)),
        )
        .expect("a client");
        let request = bench_support::recorded_request(&config).await;
        let headers = bench_support::header_map(&request);
        let bare = bench_support::bare_client();

        let ours = per_call(repeat, || async {
            let call = client.start_backup_plan().backup_plan_id(BACKUP_PLAN_ID);
            call.send().await.expect("the call succeeds");
        })
        .await;
        let ours_offline = per_call(repeat, || async {
            let call = offline.start_backup_plan().backup_plan_id(BACKUP_PLAN_ID);
            call.send().await.expect("the call succeeds");
        })
        .await;
        let bare = per_call(repeat, || async {
            let response = bare
                .post(request.url.clone())
                .headers(headers.clone())
                .send()
                .await;
            let body = response.expect("sent").bytes().await.expect("a body");
            std::hint::black_box(body);
        })
        .await;
        println!("ours={ours:.1} ours_offline={ours_offline:.1} bare={bare:.1}");
    });
}
