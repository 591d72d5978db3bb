//! Your tests write your policy: a service's own test, through the mock client, records the
//! RAM policy the code under test needs, and a committed snapshot of it fails the test when
//! the code starts needing more (`docs/policies.md` shows this file).

use acs_dbs20190306::operation::describe_backup_plan_list::DescribeBackupPlanListRequest;
use acs_dbs20190306::operation::start_backup_plan::StartBackupPlanRequest;
// With the `test-util` feature, the prelude has the mock client (`Mock`, `Rule`) too.
use acs_dbs20190306::prelude::*;

/// The code under test: a nightly job starting the backup plans its configuration names,
/// those that are stopped.
async fn start_nightly_backups(
    client: &Client,
    plans: &[&str],
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut started = 0;
    for plan in plans {
        let listed = client
            .describe_backup_plan_list()
            .backup_plan_id(*plan)
            .send()
            .await?;
        let details = listed.items.and_then(|items| items.backup_plan_detail);
        let stopped = details
            .unwrap_or_default()
            .iter()
            .any(|detail| detail.backup_plan_status.as_deref() == Some("stop"));
        if stopped {
            client
                .start_backup_plan()
                .backup_plan_id(*plan)
                .send()
                .await?;
            started += 1;
        }
    }
    Ok(started)
}

#[tokio::test]
async fn the_nightly_job_needs_this_policy() {
    let mock = Mock::new([
        Rule::of::<DescribeBackupPlanListRequest>()
            .then_http(
                200,
                r#"{"Items": {"BackupPlanDetail": [{"BackupPlanStatus": "stop"}]}}"#,
            )
            .always(),
        Rule::of::<StartBackupPlanRequest>()
            .then_output(Default::default)
            .always(),
    ]);
    let recorder = PolicyRecorder::new().with_account_id("1234567890123456");
    let config = mock.config().with_policy_recorder(recorder.clone());
    let client = Client::new(&config).unwrap();

    let plans = ["dbs-nightly-orders", "dbs-nightly-users"];
    assert_eq!(start_nightly_backups(&client, &plans).await.unwrap(), 2);

    // Committed in snapshots/ beside this file; a call the job starts making, or a plan it starts
    // touching, changes the policy and fails here until the new one is reviewed
    // (`cargo insta review`).
    insta::assert_snapshot!("nightly_job_policy", recorder.policy().to_json());
    // What the policy cannot say (operations without RAM facts, `*` parts), for the log.
    eprint!("{}", recorder.report());
}
