//! Generated clients on the wire: a loopback server (acs-runtime's test server, which checks
//! every signature for real) receives what each operation shape sends, and the typed responses
//! decode what the metadata describes. Shapes: plain query parameters and business errors
//! (DBS), repeat lists and nested response arrays (ECS DescribeInstances), flat objects and
//! lists of objects (ECS RunInstances), path parameters and a JSON body (CS, ROA).

use std::time::Duration;

use acs_runtime::credentials::Credentials;
use acs_runtime::retry::RetryConfig;
use acs_runtime::{Config, SdkError};
use acs_test_server::{Recorded, Reply, TestServer, Verdict};

const AK_ID: &str = "testAccessKeyId";
const AK_SECRET: &str = "testAccessKeySecret";

async fn server(script: Vec<Reply>) -> TestServer {
    let server = TestServer::start(script).await;
    server.accept_key(AK_ID, AK_SECRET, None);
    server
}

fn config(server: &TestServer) -> Config {
    Config::new("cn-hangzhou")
        .with_endpoint(server.url())
        .with_credentials(Credentials::new(AK_ID, AK_SECRET))
        .with_retry(
            RetryConfig::new()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_micros(200))
                .with_max_backoff(Duration::from_millis(1)),
        )
}

fn only_request(server: &TestServer) -> Recorded {
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = requests.remove(0);
    assert!(
        !matches!(request.verdict, Verdict::Rejected(_)),
        "{:?}",
        request.verdict
    );
    request
}

fn api_params(request: &Recorded) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = request
        .query
        .iter()
        .filter(|(name, _)| name != "ClientToken")
        .cloned()
        .collect();
    params.sort();
    params
}

/// Fails unless the request carried every `(name, value)` of `expected` (among others).
fn assert_sent(request: &Recorded, expected: &[(&str, &str)]) {
    let params = api_params(request);
    for (name, value) in expected {
        assert!(
            params.contains(&((*name).to_owned(), (*value).to_owned())),
            "{name}={value} in {params:?}"
        );
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

mod dbs {
    use super::*;
    use acs_dbs20190306::Client;
    use acs_dbs20190306::operation::start_backup_plan::StartBackupPlanError;

    const SUCCESS: &str = r#"{"HttpStatusCode": 200, "RequestId": "D13761C3-9971-5C02-B789-3F3CD159****", "Success": true, "CreatedFullBackupsetId": "1h7toien3****", "BackupPlanId": "dbsqdss5tm****"}"#;

    #[tokio::test]
    async fn start_backup_plan_sends_its_parameters_and_decodes_the_documented_body() {
        let server = server(vec![Reply::json(200, SUCCESS)]).await;
        let client = Client::new(&config(&server)).unwrap();
        let response = client
            .start_backup_plan()
            .backup_plan_id("dbs plan/*~")
            .send()
            .await
            .unwrap();
        assert_eq!(response.backup_plan_id.as_deref(), Some("dbsqdss5tm****"));
        assert_eq!(response.success, Some(true));
        let request = only_request(&server);
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/")
        );
        assert_eq!(request.header("x-acs-action"), Some("StartBackupPlan"));
        assert_eq!(request.header("x-acs-version"), Some("2019-03-06"));
        assert_eq!(
            api_params(&request),
            pairs(&[("BackupPlanId", "dbs plan/*~")])
        );
        let token = request.client_token().expect("a ClientToken is filled in");
        assert_eq!(token.len(), 36, "a UUID: {token}");
    }

    #[tokio::test]
    async fn throttled_calls_are_retried_with_the_same_client_token() {
        let server = server(vec![
            Reply::json(
                400,
                r#"{"Code": "Throttling.User", "Message": "slow down", "RequestId": "A"}"#,
            ),
            Reply::json(
                503,
                r#"{"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "B"}"#,
            ),
            Reply::json(200, SUCCESS),
        ])
        .await;
        let client = Client::new(&config(&server)).unwrap();
        client
            .start_backup_plan()
            .backup_plan_id("p")
            .send()
            .await
            .unwrap();
        let requests = server.requests();
        assert_eq!(requests.len(), 3);
        let tokens: Vec<_> = requests
            .iter()
            .map(|r| r.client_token().unwrap().to_owned())
            .collect();
        assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
        let nonces: std::collections::HashSet<_> = requests
            .iter()
            .map(|r| r.nonce().unwrap().to_owned())
            .collect();
        assert_eq!(nonces.len(), 3, "every attempt is signed afresh");
    }

    #[tokio::test]
    async fn documented_errors_arrive_typed_even_inside_http_200() {
        let server = server(vec![
            Reply::json(403, r#"{"RequestId": "X", "Code": "Request.Forbidden", "Message": "Have no Permissions"}"#),
            Reply::json(200, r#"{"RequestId": "Y", "HttpStatusCode": 200, "Success": false, "ErrCode": "Param.NotFound", "ErrMessage": "The specified parameter BackupPlanId value is not valid."}"#),
        ])
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let forbidden = client
            .start_backup_plan()
            .backup_plan_id("p")
            .send()
            .await
            .unwrap_err();
        let Some(StartBackupPlanError::RequestForbidden(error)) = forbidden.as_service_error()
        else {
            panic!("expected Request.Forbidden, got {forbidden:?}");
        };
        assert_eq!(
            (error.http_status, error.request_id.as_deref()),
            (403, Some("X"))
        );
        let business = client
            .start_backup_plan()
            .backup_plan_id("p")
            .send()
            .await
            .unwrap_err();
        let Some(StartBackupPlanError::ParamNotFound(error)) = business.as_service_error() else {
            panic!("expected Param.NotFound, got {business:?}");
        };
        assert_eq!(
            error.message,
            "The specified parameter BackupPlanId value is not valid."
        );
        assert_eq!(server.requests().len(), 2, "neither is retried");
    }

    #[tokio::test]
    async fn a_missing_required_parameter_sends_nothing() {
        let server = server(vec![]).await;
        let client = Client::new(&config(&server)).unwrap();
        let error = client.start_backup_plan().send().await.unwrap_err();
        assert!(matches!(error, SdkError::Build(_)), "{error:?}");
        assert!(server.requests().is_empty());
    }
}

mod ecs {
    use super::*;
    use fixture_ecs20140526::Client;
    use fixture_ecs20140526::operation::describe_instances::{FilterItem, TagItem};
    use fixture_ecs20140526::operation::run_instances::{
        DataDiskItem, PrivatePoolOptions, SystemDisk,
    };

    #[tokio::test]
    async fn repeat_lists_go_out_numbered_and_nested_arrays_come_back_typed() {
        let body = r#"{"RequestId": "R", "TotalCount": 1, "PageNumber": 1, "Instances": {"Instance": [
            {"InstanceId": "i-1", "Tags": {"Tag": [{"TagKey": "env", "TagValue": "prod"}]}, "Unknown": {"x": 1}}]}}"#;
        let server = server(vec![Reply::json(200, body)]).await;
        let client = Client::new(&config(&server)).unwrap();
        let tag = |key: &str, value: &str| TagItem {
            key: Some(key.to_owned()),
            value: Some(value.to_owned()),
        };
        let response = client
            .describe_instances()
            .region_id("cn-hangzhou")
            .tag(vec![tag("env", "prod"), tag("team", "db")])
            .instance_ids(r#"["i-1","i-2"]"#)
            .page_size(10)
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        assert_eq!(
            api_params(&request),
            pairs(&[
                ("RegionId", "cn-hangzhou"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "prod"),
                ("Tag.2.Key", "team"),
                ("Tag.2.Value", "db"),
                ("InstanceIds", r#"["i-1","i-2"]"#),
                ("PageSize", "10"),
            ])
        );
        let instances = response.instances.unwrap().instance.unwrap();
        assert_eq!(instances[0].instance_id.as_deref(), Some("i-1"));
        let tags = instances[0].tags.as_ref().unwrap().tag.as_ref().unwrap();
        assert_eq!(tags[0].tag_value.as_deref(), Some("prod"));
        assert_eq!(response.total_count, Some(1));
    }

    const RUN_INSTANCES_ANSWER: &str =
        r#"{"RequestId": "R", "InstanceIdSets": {"InstanceIdSet": ["i-9"]}}"#;

    #[tokio::test]
    async fn flat_objects_and_lists_of_objects_are_flattened() {
        let server = server(vec![Reply::json(200, RUN_INSTANCES_ANSWER)]).await;
        let client = Client::new(&config(&server)).unwrap();
        let system_disk = SystemDisk {
            provisioned_iops: Some(5000),
            bursting_enabled: Some(true),
            ..Default::default()
        };
        let data_disk = DataDiskItem {
            size: Some(100),
            category: Some("cloud_auto".to_owned()),
            ..Default::default()
        };
        let response = client
            .run_instances()
            .region_id("cn-hangzhou")
            .system_disk(system_disk)
            .system_disk_size("40")
            .data_disk(vec![data_disk])
            .amount(1)
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        assert_sent(
            &request,
            &[
                ("SystemDisk.ProvisionedIops", "5000"),
                ("SystemDisk.BurstingEnabled", "true"),
                ("SystemDisk.Size", "40"),
                ("DataDisk.1.Size", "100"),
                ("DataDisk.1.Category", "cloud_auto"),
                ("Amount", "1"),
            ],
        );
        assert_eq!(
            request.client_token().map(str::len),
            Some(36),
            "RunInstances has a ClientToken"
        );
        assert_eq!(
            response.instance_id_sets.unwrap().instance_id_set.unwrap(),
            ["i-9"]
        );
    }

    /// `prefix.1.member` … `prefix.items.member`: the names dotted scalars in the metadata
    /// had (DescribeInstances' `Filter.1.Key` … `Filter.4.Value`), which the list folded from
    /// them keeps on the wire.
    fn metadata_names(prefix: &str, items: usize, members: &[&str]) -> Vec<String> {
        (1..=items)
            .flat_map(|n| members.iter().map(move |m| format!("{prefix}.{n}.{m}")))
            .collect()
    }

    fn names_sent(request: &Recorded, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = api_params(request)
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| name.starts_with(&format!("{prefix}.")))
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn folded_filters_go_out_as_the_numbered_scalars_did_and_take_any_number() {
        let body = r#"{"RequestId": "R", "TotalCount": 0, "Instances": {"Instance": []}}"#;
        let server = server(vec![Reply::json(200, body)]).await;
        let client = Client::new(&config(&server)).unwrap();
        let filter = |key: &str, value: &str| FilterItem {
            key: Some(key.to_owned()),
            value: Some(value.to_owned()),
        };
        let filters = vec![
            filter("CreationStartTime", "2017-12-05T22:40Z"),
            filter("CreationEndTime", "2017-12-06T22:40Z"),
            filter("ExpiredStartTime", "2017-12-07T22:40Z"),
            filter("ExpiredEndTime", "2017-12-08T22:40Z"),
            // The metadata's scalars stopped at four.
            filter("CreationStartTime", "2018-01-01T00:00Z"),
        ];
        client
            .describe_instances()
            .region_id("cn-hangzhou")
            .filter(filters)
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        let mut expected = metadata_names("Filter", 4, &["Key", "Value"]);
        expected.extend(["Filter.5.Key".to_owned(), "Filter.5.Value".to_owned()]);
        expected.sort();
        assert_eq!(names_sent(&request, "Filter"), expected);
        assert_sent(
            &request,
            &[
                ("Filter.1.Key", "CreationStartTime"),
                ("Filter.4.Value", "2017-12-08T22:40Z"),
                ("Filter.5.Value", "2018-01-01T00:00Z"),
            ],
        );
    }

    #[tokio::test]
    async fn folded_members_go_out_as_the_dotted_scalars_did() {
        let server = server(vec![Reply::json(200, RUN_INSTANCES_ANSWER)]).await;
        let client = Client::new(&config(&server)).unwrap();
        client
            .run_instances()
            .region_id("cn-hangzhou")
            .private_pool_options(PrivatePoolOptions {
                match_criteria: Some("Target".to_owned()),
                id: Some("eap-bp67acfmxazb4****".to_owned()),
            })
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        assert_eq!(
            names_sent(&request, "PrivatePoolOptions"),
            ["PrivatePoolOptions.Id", "PrivatePoolOptions.MatchCriteria"]
        );
        assert_sent(
            &request,
            &[("PrivatePoolOptions.Id", "eap-bp67acfmxazb4****")],
        );
    }

    #[tokio::test]
    async fn a_folded_numbered_scalar_goes_out_as_before_and_takes_any_number() {
        let server = server(vec![Reply::json(200, r#"{"RequestId": "R"}"#)]).await;
        let client = Client::new(&config(&server)).unwrap();
        client
            .modify_image_share_group_permission()
            .region_id("cn-hangzhou")
            .image_id("m-bp18ygjuqnwhechc****")
            .add_group(vec!["all".to_owned()])
            .remove_group(vec!["g-1".to_owned(), "g-2".to_owned()])
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        assert_eq!(
            api_params(&request),
            pairs(&[
                ("RegionId", "cn-hangzhou"),
                ("ImageId", "m-bp18ygjuqnwhechc****"),
                ("AddGroup.1", "all"),
                ("RemoveGroup.1", "g-1"),
                ("RemoveGroup.2", "g-2"),
            ])
        );
    }
}

mod cs {
    use super::*;
    use acs_cs20151215::Client;
    use acs_cs20151215::operation::create_cluster_node_pool::{
        CreateClusterNodePoolBody, NodepoolInfo, NodepoolInfoType,
    };

    #[tokio::test]
    async fn roa_path_parameters_and_json_bodies() {
        let server = server(vec![Reply::json(
            200,
            r#"{"nodepool_id": "np-1", "task_id": "T-1", "request_id": "R"}"#,
        )])
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let body = CreateClusterNodePoolBody {
            nodepool_info: Some(NodepoolInfo {
                name: Some("pool a".to_owned()),
                r#type: Some(NodepoolInfoType::Ess),
                ..Default::default()
            }),
            ..Default::default()
        };
        let response = client
            .create_cluster_node_pool()
            .cluster_id("c 1/2")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.nodepool_id.as_deref(), Some("np-1"));
        let request = only_request(&server);
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", "/clusters/c%201%2F2/nodepools")
        );
        assert_eq!(
            request.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"nodepool_info": {"name": "pool a", "type": "ess"}})
        );
        let Verdict::V3 { signed_headers, .. } = &request.verdict else {
            panic!("{:?}", request.verdict)
        };
        assert!(
            signed_headers.iter().any(|h| h == "content-type"),
            "{signed_headers:?}"
        );
    }

    /// 12 CS operations answer a bare JSON array (the official SDK's `List[...]` bodies).
    #[tokio::test]
    async fn array_answers_decode_into_the_body() {
        let server = server(vec![Reply::json(
            200,
            r#"[{"resource_id": "c-1", "role_name": "view", "is_owner": 1},
                {"resource_id": "c-2", "is_ram_role": "0"}]"#,
        )])
        .await;
        let client = Client::new(&config(&server)).unwrap();
        let response = client
            .describe_user_permission()
            .uid("2030")
            .send()
            .await
            .unwrap();
        let items = response.body.expect("an array answer");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].resource_id.as_deref(), Some("c-1"));
        assert_eq!(items[0].role_name.as_deref(), Some("view"));
        assert_eq!(items[0].is_owner, Some(1));
        assert_eq!(items[1].is_ram_role, Some(0));
        let request = only_request(&server);
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", "/permissions/users/2030")
        );
    }

    /// DescribeClusterAttachScripts answers the script itself, as text.
    #[tokio::test]
    async fn text_answers_are_kept_as_text() {
        let script = "wget http://example.invalid/attach.sh && bash attach.sh --token \"t\"";
        let server = server(vec![Reply::text(200, script)]).await;
        let client = Client::new(&config(&server)).unwrap();
        let response = client
            .describe_cluster_attach_scripts()
            .cluster_id("c-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.body, script);
        let request = only_request(&server);
        assert_eq!(request.path, "/clusters/c-1/attachscript");
    }

    /// `style: simple` on a list sends one comma-joined parameter, as the SDK does
    /// (`ClusterIds=a,b`), not `ClusterIds.1=a&ClusterIds.2=b`.
    #[tokio::test]
    async fn simple_style_lists_are_comma_joined() {
        let server = server(vec![Reply::json(200, r#"{"request_id": "R"}"#)]).await;
        let client = Client::new(&config(&server)).unwrap();
        client
            .clean_user_permissions()
            .uid("2030")
            .cluster_ids(vec!["c-1".to_owned(), "c-2".to_owned()])
            .force(true)
            .send()
            .await
            .unwrap();
        let request = only_request(&server);
        assert_eq!(request.method, "DELETE");
        assert_eq!(request.path, "/users/2030/permissions");
        assert_eq!(
            api_params(&request),
            pairs(&[("ClusterIds", "c-1,c-2"), ("Force", "true")])
        );
    }
}
