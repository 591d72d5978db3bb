//! docs/observability.md's example, run: the client's spans exported through
//! `tracing-opentelemetry` carry OpenTelemetry's RPC, cloud and HTTP attributes, and no secret.

use acs_dbs20190306::prelude::*;
use acs_test_server::{Reply, TestServer};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;

// ANCHOR: setup
/// A `tracing` subscriber exporting the client's spans to OpenTelemetry through `exporter`
/// (in production an OTLP exporter; here the SDK's in-memory one).
fn tracing_to_opentelemetry(
    exporter: InMemorySpanExporter,
) -> (SdkTracerProvider, impl tracing::Subscriber + Send + Sync) {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .build();
    let tracer = provider.tracer("my-service");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    (provider, subscriber)
}
// ANCHOR_END: setup

#[tokio::test]
async fn spans_export_to_opentelemetry_with_its_attribute_names() {
    let server = TestServer::start(vec![
        Reply::json(
            429,
            r#"{"Code":"Throttling.User","Message":"slow down","RequestId":"R-1"}"#,
        ),
        Reply::ok(),
    ])
    .await;
    server.accept_key("otelKeyId", "otelKeySecret", Some("otelToken"));
    let exporter = InMemorySpanExporter::default();
    let (provider, subscriber) = tracing_to_opentelemetry(exporter.clone());
    // Callsites cache their interest per dispatcher: a second live one keeps them asking.
    let _other = tracing::Dispatch::new(tracing_subscriber::registry());
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = Config::new("cn-hangzhou")
        .with_endpoint(server.url())
        .with_credentials(Credentials::with_security_token(
            "otelKeyId",
            "otelKeySecret",
            "otelToken",
        ))
        .with_retry(RetryConfig::new().with_initial_backoff(std::time::Duration::from_millis(1)));
    Client::new(&config)
        .unwrap()
        .start_backup_plan()
        .backup_plan_id("plan-1")
        .send()
        .await
        .expect("the second attempt answers");
    provider.force_flush().unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    let call = spans
        .iter()
        .find(|span| span.name == "dbs/StartBackupPlan")
        .unwrap_or_else(|| {
            panic!(
                "no call span in {:#?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        });
    assert_eq!(call.span_kind, opentelemetry::trace::SpanKind::Client);
    let attribute = |span: &opentelemetry_sdk::trace::SpanData, key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    for (key, value) in [
        ("rpc.system", "alibaba_cloud"),
        ("rpc.service", "dbs"),
        ("rpc.method", "StartBackupPlan"),
        ("cloud.provider", "alibaba_cloud"),
        ("cloud.region", "cn-hangzhou"),
        ("server.address", "127.0.0.1"),
        ("acs.api_version", "2019-03-06"),
        ("acs.request_id", "OK-REQUEST"),
    ] {
        assert_eq!(
            attribute(call, key).as_deref(),
            Some(value),
            "{key} on {call:#?}"
        );
    }
    let attempts: Vec<&opentelemetry_sdk::trace::SpanData> = spans
        .iter()
        .filter(|span| span.parent_span_id == call.span_context.span_id())
        .collect();
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    let statuses: Vec<Option<String>> = attempts
        .iter()
        .map(|span| attribute(span, "http.response.status_code"))
        .collect();
    assert!(statuses.contains(&Some("429".to_owned())), "{statuses:?}");
    assert!(statuses.contains(&Some("200".to_owned())), "{statuses:?}");
    assert!(
        attempts
            .iter()
            .any(|span| attribute(span, "error.type").as_deref() == Some("Throttling.User"))
    );
    let everything = format!("{spans:?}");
    for secret in ["otelKeySecret", "otelToken"] {
        assert!(!everything.contains(secret), "a span shows {secret}");
    }
}
