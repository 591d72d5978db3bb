//! RAM policies end to end: every document this project writes parses as a RAM policy and
//! writes back byte for byte; the `start_backup_plan` example records the policy of the plan it
//! started, through retries; `cargo xtask policy` prints exactly the actions asked for; every
//! placeholder shape of the DBS and PrivateZone ARN templates is filled from a request or left
//! as `*`; the generated clients record their real facts through the mock; and
//! `docs/policies.md` shows the example test as it runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use acs_runtime::ram::{Policy, PolicyRecorder};
use acs_runtime::{Position, RequestParams};
use acs_test_server::{Reply, TestServer};
use serde_json::{Map, Value};

/// `text` read by the RAM policy grammar: an object of exactly `Version` ("1") and
/// `Statement`, a non-empty list of objects of exactly `Effect` ("Allow"), `Action` and
/// `Resource`, each a non-empty list of distinct strings (`product:Action` or `*`; `acs:` ARNs
/// of five colon-separated fields, or `*`). Gives the policy it allows.
fn parse_policy(text: &str) -> Result<Policy, String> {
    fn exactly<'a>(
        value: &'a Value,
        keys: &[&str],
        what: &str,
    ) -> Result<&'a Map<String, Value>, String> {
        let object = value
            .as_object()
            .ok_or(format!("{what} is not an object"))?;
        let found: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        let wanted: BTreeSet<&str> = keys.iter().copied().collect();
        if found == wanted {
            Ok(object)
        } else {
            Err(format!("{what} has {found:?}, not {wanted:?}"))
        }
    }
    fn strings<'a>(
        value: &'a Value,
        what: &str,
        valid: fn(&str) -> bool,
    ) -> Result<Vec<&'a str>, String> {
        let items = value.as_array().ok_or(format!("{what} is not a list"))?;
        if items.is_empty() {
            return Err(format!("{what} is empty"));
        }
        let mut seen = BTreeSet::new();
        items
            .iter()
            .map(|item| match item.as_str() {
                Some(text) if valid(text) && seen.insert(text) => Ok(text),
                _ => Err(format!("{what}: {item} is not a valid, distinct entry")),
            })
            .collect()
    }
    fn action(text: &str) -> bool {
        text == "*"
            || text.split_once(':').is_some_and(|(code, name)| {
                !code.is_empty()
                    && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            })
    }
    fn resource(text: &str) -> bool {
        text == "*" || (text.starts_with("acs:") && text.split(':').count() >= 5)
    }

    let document: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let document = exactly(&document, &["Version", "Statement"], "the document")?;
    if document["Version"] != "1" {
        return Err(format!("Version is {}, not \"1\"", document["Version"]));
    }
    let statements = document["Statement"]
        .as_array()
        .filter(|statements| !statements.is_empty())
        .ok_or("Statement is not a non-empty list")?;
    let mut policy = Policy::new();
    for (index, statement) in statements.iter().enumerate() {
        let what = format!("Statement[{index}]");
        let statement = exactly(statement, &["Effect", "Action", "Resource"], &what)?;
        if statement["Effect"] != "Allow" {
            return Err(format!(
                "{what}.Effect is {}, not \"Allow\"",
                statement["Effect"]
            ));
        }
        let resources = strings(
            &statement["Resource"],
            &format!("{what}.Resource"),
            resource,
        )?;
        for action in strings(&statement["Action"], &format!("{what}.Action"), action)? {
            policy.allow(action, resources.iter().copied());
        }
    }
    Ok(policy)
}

/// `text` as a RAM policy document that is the same document when written again (so its key
/// order, layout and normal form are the writer's): the policy it allows.
fn read_back(text: &str) -> Result<Policy, String> {
    let policy = parse_policy(text)?;
    if policy.to_json() == text.trim_end_matches('\n') {
        Ok(policy)
    } else {
        Err(format!(
            "written again, the document differs:\n{}",
            policy.to_json()
        ))
    }
}

fn assert_ram_policy(text: &str) -> Policy {
    read_back(text).unwrap_or_else(|error| panic!("{error}\nin:\n{text}"))
}

#[test]
fn the_grammar_check_refuses_what_is_not_a_ram_policy() {
    let valid = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": ["*"]}]}"#;
    assert!(parse_policy(valid).is_ok());
    for (broken, why) in [
        (r#"{"Version": "1", "Statement": []}"#, "empty"),
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": ["*"]}]}"#,
            "has",
        ),
        (
            r#"{"Version": "2", "Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": ["*"]}]}"#,
            "Version",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": ["dbs:A"], "Resource": ["*"]}]}"#,
            "Effect",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": ["*"]}]}"#,
            "empty",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": []}]}"#,
            "empty",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["A"], "Resource": ["*"]}]}"#,
            "valid",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:A", "dbs:A"], "Resource": ["*"]}]}"#,
            "distinct",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": ["backupplan/x"]}]}"#,
            "valid",
        ),
        (
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["dbs:A"], "Resource": ["*"], "Condition": {}}]}"#,
            "has",
        ),
    ] {
        let error = parse_policy(broken).expect_err(broken);
        assert!(error.contains(why), "{broken}: {error}");
    }
    // Valid, but not as written by this project (one line): not the same when written again.
    assert!(read_back(valid).unwrap_err().contains("differs"));
    let mut policy = Policy::new();
    policy.allow("dbs:A", ["*"]);
    assert!(read_back(&policy.to_json()).is_ok());
}

#[test]
fn every_committed_policy_file_is_a_ram_policy_document() {
    let root = xtask::workspace_root();
    let mut files = Vec::new();
    for crates in ["crates", "tests/generated"] {
        for entry in std::fs::read_dir(root.join(crates)).unwrap() {
            let policies = entry.unwrap().path().join("policies");
            if let Ok(entries) = std::fs::read_dir(&policies) {
                files.extend(entries.map(|entry| entry.unwrap().path()));
            }
        }
    }
    assert!(files.len() > 50, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let policy = assert_ram_policy(&text);
        if let Some(operation) = file.file_stem().and_then(|stem| stem.to_str())
            && operation != "all"
        {
            // The action names the operation, except where the metadata gives one action to
            // several operations.
            const SHARED: [(&str, &str); 2] = [
                ("GetCursor", "log:GetCursorOrData"),
                ("GetCursorTime", "log:GetCursorOrData"),
            ];
            assert!(
                policy.actions().any(|action| {
                    action.ends_with(&format!(":{operation}"))
                        || SHARED.contains(&(operation, action))
                }),
                "{}",
                file.display()
            );
        }
    }
}

/// Done when: the example run with `--policy-out` against a loopback server, through retries,
/// writes a policy with exactly `dbs:StartBackupPlan` on the plan it touched in its region.
#[tokio::test]
async fn the_example_writes_the_policy_of_the_plan_it_started() {
    let busy = r#"{"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R"}"#;
    let server = TestServer::start(vec![
        Reply::json(503, busy),
        Reply::json(503, busy),
        Reply::ok(),
    ])
    .await;
    server.accept_key("policyKeyId", "policyKeySecret", None);
    let scratch = std::env::temp_dir().join(format!("acs-policy-out-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let out = scratch.join("policy.json");
    let example = tests::built::example("acs-dbs20190306", "start_backup_plan");
    let output = tokio::process::Command::new(&example)
        .args([
            "--backup-plan-id",
            "dbs-plan-7",
            "--region",
            "ap-southeast-5",
        ])
        .args(["--endpoint", &server.url(), "--policy-out"])
        .arg(&out)
        .env_clear()
        .env("HOME", &scratch)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "policyKeyId")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "policyKeySecret")
        .output()
        .await
        .expect("the example runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(server.requests().len(), 3, "two retries");
    let written = std::fs::read_to_string(&out).unwrap();
    let policy = assert_ram_policy(&written);
    assert_eq!(
        policy.statements(),
        [acs_runtime::ram::Statement {
            actions: vec!["dbs:StartBackupPlan".to_owned()],
            resources: vec!["acs:dbs:ap-southeast-5:*:backupplan/dbs-plan-7".to_owned()],
        }]
    );
    // The report is on stderr, and only there.
    assert!(
        stderr.contains("dbs:StartBackupPlan on acs:dbs:ap-southeast-5:*:backupplan/dbs-plan-7: the account ID (none given)"),
        "{stderr}"
    );
    assert!(!written.contains("account ID"));
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        1,
        "no partial file left"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

/// Done when: `cargo xtask policy acs-dbs20190306 --ops StartBackupPlan,DescribeBackupPlanList`
/// prints a valid policy with exactly those two actions (and nothing else on stdout).
#[test]
fn cargo_xtask_policy_prints_the_policy_of_the_operations_asked_for() {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let output = std::process::Command::new(cargo)
        .args(["--quiet", "xtask", "policy", "acs-dbs20190306"])
        .args(["--ops", "StartBackupPlan,DescribeBackupPlanList"])
        .current_dir(xtask::workspace_root())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let policy = assert_ram_policy(&stdout);
    assert_eq!(
        policy.actions().collect::<Vec<_>>(),
        ["dbs:DescribeBackupPlanList", "dbs:StartBackupPlan"]
    );
    assert_eq!(policy.statements().len(), 1);
    assert_eq!(
        policy.statements()[0].resources,
        ["acs:dbs:*:*:backupplan/*"]
    );
    assert!(
        stderr.contains("parts of resources left as `*`"),
        "{stderr}"
    );

    // The command docs/policies.md shows, with its output as shown.
    let page = std::fs::read_to_string(xtask::workspace_root().join("docs/policies.md")).unwrap();
    let shown = fenced(&page, "```console").expect("a ```console block");
    let (command, printed) = shown.split_once('\n').unwrap();
    let arguments: Vec<&str> = command
        .strip_prefix("$ cargo xtask ")
        .expect("a cargo xtask command")
        .split(' ')
        .collect();
    let output = std::process::Command::new(cargo)
        .args(["--quiet", "xtask"])
        .args(&arguments)
        .current_dir(xtask::workspace_root())
        .output()
        .expect("cargo runs");
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), printed);
}

/// A spec folder of one operation whose RAM resources are every ARN template of DBS (both API
/// versions) and of PrivateZone, with parameters some templates name (one of them a list
/// sent as JSON, which no template may take a value from).
fn every_template_spec(dir: &Path, templates: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("service.yaml"),
        "product: placeholders\ntitle: Placeholders\napi_version: \"2000-01-01\"\nstyle: rpc\n\
         package: fixture-placeholders20000101\nendpoints:\n  - region: cn-hangzhou\n    \
         public: placeholders.cn-hangzhou.aliyuncs.com\n",
    )
    .unwrap();
    let resources: String = templates
        .iter()
        .map(|arn| {
            format!(
                "    - type: T\n      arn: {}\n",
                serde_json::to_string(arn).unwrap()
            )
        })
        .collect();
    std::fs::write(
        dir.join("Touch.yaml"),
        format!(
            "name: Touch\nsummary: Touches every resource.\nmethods: [post]\noperation_type: write\nparameters:\n\
             \x20 - {{name: BackupPlanId, in: query, type: string}}\n\
             \x20 - {{name: RestoreTaskId, in: query, type: string}}\n\
             \x20 - {{name: ZoneId, in: query, type: string}}\n\
             \x20 - {{name: RuleId, in: query, type: string}}\n\
             \x20 - {{name: EndpointId, in: query, type: array, style: json, items: {{type: string}}}}\n\
             response: []\nram:\n  action: \"placeholders:Touch\"\n  access_level: update\n  resources:\n{resources}"
        ),
    )
    .unwrap();
}

/// Every ARN template of the DBS specs (operations and resource types) and of PrivateZone's
/// resource types, distinct, sorted.
fn dbs_and_pvtz_templates(root: &Path) -> Vec<String> {
    let mut templates = BTreeSet::new();
    for version in ["specs/dbs/2019-03-06", "specs/dbs/2021-01-01"] {
        for entry in std::fs::read_dir(root.join(version)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some(arn) = line.trim().strip_prefix("arn: ") {
                    templates.insert(serde_json::from_str::<String>(arn).unwrap());
                }
            }
        }
    }
    let pvtz: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/ram/pvtz-2018-01-01-AddZone.json"))
            .unwrap(),
    )
    .unwrap();
    for resource in pvtz["ram"]["resourceTypes"].as_array().unwrap() {
        templates.insert(resource["arn"].as_str().unwrap().to_owned());
    }
    templates.into_iter().collect()
}

#[test]
fn every_placeholder_shape_of_the_dbs_and_pvtz_templates_is_filled_or_a_wildcard() {
    let root = xtask::workspace_root();
    let templates = dbs_and_pvtz_templates(&root);
    assert_eq!(templates.len(), 32, "{templates:#?}");
    let dir = std::env::temp_dir()
        .join(format!("acs-policy-templates-{}", std::process::id()))
        .join("placeholders/2000-01-01");
    every_template_spec(&dir, &templates);
    let loaded = acs_spec::load_service_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let op = &loaded.service.operations[0];
    let ram = op.ram.as_ref().unwrap();

    // The request, as the generated code writes it.
    let mut params = RequestParams::default();
    params.put(Position::Query, "BackupPlanId", &"dbs-p");
    params.put(Position::Query, "RestoreTaskId", &"rt-1");
    params.put(Position::Query, "ZoneId", &"z-1");
    params.put(Position::Query, "RuleId", &"r-1");
    params.put_json(Position::Query, "EndpointId", &vec!["e-1".to_owned()]);
    assert!(
        params
            .query
            .contains(&("EndpointId".to_owned(), r#"["e-1"]"#.to_owned()))
    );

    let filled: Vec<(String, String)> = ram
        .resources
        .iter()
        .map(|resource| {
            let template = resource.resolved_template(&op.params);
            let arn = acs_runtime::ram::fill(&[&template], "cn-hangzhou", "123", &params);
            (resource.template.clone(), arn.into_iter().next().unwrap())
        })
        .collect();
    let expected = [
        // Operation-level: the whole resource.
        ("*", "*"),
        // DBS: region and account; a resource part that is empty; `*` in the template; the
        // parameters the request sets; a placeholder naming no parameter.
        (
            "acs:dbs:{#regionId}:{#accountId}:",
            "acs:dbs:cn-hangzhou:123:",
        ),
        (
            "acs:dbs:{#regionId}:{#accountId}:backupplan/*",
            "acs:dbs:cn-hangzhou:123:backupplan/*",
        ),
        (
            "acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}",
            "acs:dbs:cn-hangzhou:123:backupplan/dbs-p",
        ),
        (
            "acs:dbs:{#regionId}:{#accountId}:restoretask/{#RestoreTaskId}",
            "acs:dbs:cn-hangzhou:123:restoretask/rt-1",
        ),
        (
            "acs:rds:{#regionId}:{#accountId}:dbinstance/{#DbInstanceId}",
            "acs:rds:cn-hangzhou:123:dbinstance/*",
        ),
        // PrivateZone: `*` as the region; the list parameter is never a value, whatever the
        // placeholder's case.
        (
            "acs:pvtz:*:{#accountId}:endpoint/*",
            "acs:pvtz:*:123:endpoint/*",
        ),
        (
            "acs:pvtz:*:{#accountId}:endpoint/{#EndpointId}",
            "acs:pvtz:*:123:endpoint/*",
        ),
        (
            "acs:pvtz:*:{#accountId}:inboundendpoint/*",
            "acs:pvtz:*:123:inboundendpoint/*",
        ),
        ("acs:pvtz:*:{#accountId}:rule/*", "acs:pvtz:*:123:rule/*"),
        (
            "acs:pvtz:*:{#accountId}:rule/{#RuleId}",
            "acs:pvtz:*:123:rule/r-1",
        ),
        // An empty region (global resources) stays empty; placeholders in lower camel case
        // match their parameter; names no parameter of the operation has are `*`.
        (
            "acs:pvtz::{#accountId}:cacheReserveDomain/{#domainId}",
            "acs:pvtz::123:cacheReserveDomain/*",
        ),
        (
            "acs:pvtz::{#accountId}:cachereservedomain/*",
            "acs:pvtz::123:cachereservedomain/*",
        ),
        (
            "acs:pvtz::{#accountId}:cachereservedomain/{#DomainId}",
            "acs:pvtz::123:cachereservedomain/*",
        ),
        (
            "acs:pvtz::{#accountId}:customLine/*",
            "acs:pvtz::123:customLine/*",
        ),
        (
            "acs:pvtz::{#accountId}:customLine/{#lineId}",
            "acs:pvtz::123:customLine/*",
        ),
        (
            "acs:pvtz::{#accountId}:customline/*",
            "acs:pvtz::123:customline/*",
        ),
        (
            "acs:pvtz::{#accountId}:endpoint/*",
            "acs:pvtz::123:endpoint/*",
        ),
        (
            "acs:pvtz::{#accountId}:endpoint/{#EndpointId}",
            "acs:pvtz::123:endpoint/*",
        ),
        (
            "acs:pvtz::{#accountId}:firewallPreciseProtectionRule/*",
            "acs:pvtz::123:firewallPreciseProtectionRule/*",
        ),
        (
            "acs:pvtz::{#accountId}:firewallThreatProtectionRule",
            "acs:pvtz::123:firewallThreatProtectionRule",
        ),
        (
            "acs:pvtz::{#accountId}:firewallThreatProtectionRule/*",
            "acs:pvtz::123:firewallThreatProtectionRule/*",
        ),
        // The metadata's own typo: not a placeholder, so not copied.
        (
            "acs:pvtz::{#accountId}:inboundendpoint/#{endpointId}",
            "acs:pvtz::123:inboundendpoint/*",
        ),
        (
            "acs:pvtz::{#accountId}:inboundendpoint/*",
            "acs:pvtz::123:inboundendpoint/*",
        ),
        (
            "acs:pvtz::{#accountId}:inboundendpooint/*",
            "acs:pvtz::123:inboundendpooint/*",
        ),
        ("acs:pvtz::{#accountId}:rule/*", "acs:pvtz::123:rule/*"),
        (
            "acs:pvtz::{#accountId}:rule/{#RuleId}",
            "acs:pvtz::123:rule/r-1",
        ),
        ("acs:pvtz::{#accountId}:zone/*", "acs:pvtz::123:zone/*"),
        (
            "acs:pvtz::{#accountId}:zone/{#ZoneId}",
            "acs:pvtz::123:zone/z-1",
        ),
        (
            "acs:pvtz::{#accountId}:zone/{#zoneId}",
            "acs:pvtz::123:zone/z-1",
        ),
        (
            "acs:pvtz:{#regionId}:{#accountId}:inboundendpoint/*",
            "acs:pvtz:cn-hangzhou:123:inboundendpoint/*",
        ),
        (
            "acs:pvtz:*:{#accountId}:inboundendpoint/{#endpointId}",
            "acs:pvtz:*:123:inboundendpoint/*",
        ),
    ];
    let expected: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(template, arn)| ((*template).to_owned(), (*arn).to_owned()))
        .collect();
    assert_eq!(filled.into_iter().collect::<BTreeSet<_>>(), expected);
    // The mistakes are said at spec load.
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    let warnings = warnings.join("\n");
    assert!(
        warnings.contains("`#{endpointId}`") && warnings.contains("`{#lineId}`"),
        "{warnings}"
    );
    let _ = std::fs::remove_dir_all(dir.ancestors().nth(2).unwrap());
}

/// The generated DBS clients of both API versions, through one mock and one recorder: the
/// facts as generated, filled from the requests.
#[tokio::test]
async fn the_generated_clients_record_their_facts_through_the_mock() {
    use acs_dbs20190306::operation::describe_backup_plan_list::DescribeBackupPlanListRequest;
    use acs_dbs20190306::operation::describe_regions::DescribeRegionsRequest;
    use acs_dbs20190306::operation::start_backup_plan::StartBackupPlanRequest;
    use acs_dbs20210101::operation::describe_download_task::DescribeDownloadTaskRequest;
    use acs_runtime::mock::{Mock, Rule};

    let mock = Mock::new([
        Rule::of::<StartBackupPlanRequest>().then_service_error(403, "Forbidden.RAM", "denied"),
        Rule::of::<DescribeRegionsRequest>().then_output(Default::default),
        Rule::of::<DescribeBackupPlanListRequest>().then_output(Default::default),
        Rule::of::<DescribeDownloadTaskRequest>().then_http(200, r#"{"Success": true}"#),
    ]);
    let recorder = PolicyRecorder::new().with_account_id("123");
    let config = mock.config().with_policy_recorder(recorder.clone());
    let v2019 = acs_dbs20190306::Client::new(&config).unwrap();
    let v2021 = acs_dbs20210101::Client::new(&config).unwrap();
    // A refused call needed its permission too.
    assert!(
        v2019
            .start_backup_plan()
            .backup_plan_id("dbs-a")
            .send()
            .await
            .is_err()
    );
    v2019.describe_regions().send().await.unwrap();
    v2019.describe_backup_plan_list().send().await.unwrap();
    v2021
        .describe_download_task()
        .region_code("cn-hangzhou")
        .instance_name("rm-1")
        .send()
        .await
        .unwrap();
    // Not built (a required parameter is missing): nothing to allow.
    assert!(v2019.start_backup_plan().send().await.is_err());
    assert_eq!(mock.calls().len(), 4);

    let policy = recorder.policy().to_json();
    assert_ram_policy(&policy);
    assert_eq!(
        policy,
        r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "dbs:DescribeBackupPlanList"
      ],
      "Resource": [
        "acs:dbs:cn-hangzhou:123:backupplan/*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "dbs:DescribeDownloadTask"
      ],
      "Resource": [
        "acs:rds:cn-hangzhou:123:dbinstance/*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "dbs:DescribeRegions"
      ],
      "Resource": [
        "*"
      ]
    },
    {
      "Effect": "Allow",
      "Action": [
        "dbs:StartBackupPlan"
      ],
      "Resource": [
        "acs:dbs:cn-hangzhou:123:backupplan/dbs-a"
      ]
    }
  ]
}"#
    );
    let report = recorder.report().to_string();
    assert!(
        report.contains("dbs:DescribeBackupPlanList on acs:dbs:cn-hangzhou:123:backupplan/*: `{#BackupPlanId}` (no value)"),
        "{report}"
    );
}

/// The text between the first line that is exactly `start` and the next line that is exactly
/// "```" in `page`.
fn fenced<'a>(page: &'a str, start: &str) -> Option<&'a str> {
    let begin = page.find(&format!("\n{start}\n"))? + start.len() + 2;
    let end = page[begin..].find("\n```\n")? + begin + 1;
    Some(&page[begin..end])
}

#[test]
fn the_docs_page_shows_the_example_test_and_its_policy_as_they_are() {
    let root: PathBuf = xtask::workspace_root();
    let page = std::fs::read_to_string(root.join("docs/policies.md")).unwrap();
    let test = std::fs::read_to_string(root.join("tests/tests/it/policy_example.rs")).unwrap();
    assert_eq!(
        fenced(&page, "```rust").expect("a ```rust block"),
        test,
        "docs/policies.md shows tests/tests/it/policy_example.rs verbatim"
    );
    let snapshot = std::fs::read_to_string(
        root.join("tests/tests/it/snapshots/it__policy_example__nightly_job_policy.snap"),
    )
    .unwrap();
    let committed = snapshot.splitn(3, "---\n").nth(2).unwrap();
    assert_ram_policy(committed);
    assert_eq!(
        fenced(&page, "```json").expect("a ```json block"),
        committed,
        "docs/policies.md shows the committed policy"
    );
}
