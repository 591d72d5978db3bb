//! `cargo xtask diff` on real history (`tests/fixtures/history`, consecutive snapshots of four
//! products): every pair's report is what that folder's README lists, with the README's
//! verdicts, and nothing where it says "no change".

use std::collections::BTreeMap;
use std::path::PathBuf;

use acs_diff::{Class, Options, Report};

fn history(product: &str, snapshot: &str) -> PathBuf {
    xtask::workspace_root()
        .join("tests/fixtures/history")
        .join(product)
        .join(snapshot)
        .join("api-docs.json")
}

fn newest(folder: &str) -> PathBuf {
    xtask::workspace_root()
        .join("crates/acs-import/tests/fixtures/openmeta/en_us")
        .join(folder)
        .join("api-docs.json")
}

fn diff(old: PathBuf, new: PathBuf, docs: bool) -> Report {
    let mut reports = xtask::diff::diff_paths(&old, &new, &Options { docs })
        .unwrap_or_else(|e| panic!("{}", e.0));
    reports.remove(0)
}

fn pair(product: &str, old: &str, new: &str) -> Report {
    diff(history(product, old), history(product, new), false)
}

/// `class kind operation side path`, one line per change.
fn lines(report: &Report) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| {
            let side = match c.side {
                Some(acs_diff::Side::Request) => "request",
                Some(acs_diff::Side::Response) => "response",
                None => "-",
            };
            format!(
                "{} {} {} {side} {}",
                c.class.as_str(),
                c.kind,
                c.operation.as_deref().unwrap_or("-"),
                c.path
            )
            .trim_end()
            .to_owned()
        })
        .collect()
}

/// Changes counted by `class kind`.
fn counts(report: &Report) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for change in &report.changes {
        *counts
            .entry(format!("{} {}", change.class.as_str(), change.kind))
            .or_default() += 1;
    }
    counts
}

fn assert_lines(report: &Report, expected: &[&str]) {
    let mut got = lines(report);
    got.sort();
    let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(got, want, "\n{}", report.to_markdown());
}

mod dbs_2019_03_06 {
    use super::*;
    const P: &str = "dbs-2019-03-06";

    #[test]
    fn a_region_replaced_and_summaries_reworded() {
        let report = pair(P, "2024-09-23-2e8ce9f4", "2024-11-15-f570f084");
        assert_lines(
            &report,
            &[
                "breaking endpoint-removed - - endpoints.ap-southeast-2",
                "additive endpoint-added - - endpoints.cn-wulanchabu",
            ],
        );
        let docs = diff(
            history(P, "2024-09-23-2e8ce9f4"),
            history(P, "2024-11-15-f570f084"),
            true,
        );
        assert_eq!(docs.summary().docs, 11, "summaries of 11 operations");
        assert!(
            docs.changes
                .iter()
                .all(|c| c.class != Class::Docs || c.path == "summary")
        );
    }

    #[test]
    fn documentation_only() {
        let report = pair(P, "2024-11-15-f570f084", "2025-05-16-2f55af28");
        assert_lines(&report, &[]);
        let docs = diff(
            history(P, "2024-11-15-f570f084"),
            history(P, "2025-05-16-2f55af28"),
            true,
        );
        assert!(docs.summary().docs > 100, "{:?}", docs.summary());
        assert_eq!(docs.summary().breaking + docs.summary().additive, 0);
    }

    #[test]
    fn the_ram_block_appears() {
        let report = pair(P, "2025-05-16-2f55af28", "2025-12-03-a0ce861f");
        assert_eq!(
            counts(&report),
            BTreeMap::from([
                ("additive ram-added".to_owned(), 36),
                ("additive vpc-endpoint-added".to_owned(), 20),
            ])
        );
    }

    #[test]
    fn metadata_and_reordering_only() {
        assert_lines(&pair(P, "2025-12-03-a0ce861f", "2025-12-05-c37e0884"), &[]);
        let extra = diff(
            history(P, "2025-12-05-c37e0884"),
            newest("dbs/2019-03-06"),
            false,
        );
        assert_lines(&extra, &[]);
    }
}

mod dbs_2021_01_01 {
    use super::*;
    const P: &str = "dbs-2021-01-01";

    #[test]
    fn a_type_change_and_a_style_change_break() {
        let report = pair(P, "2025-09-05-4167c36d", "2025-09-19-5d12b6ad");
        let breaking: Vec<String> = lines(&report)
            .into_iter()
            .filter(|l| l.starts_with("breaking"))
            .collect();
        assert_eq!(
            breaking,
            [
                "breaking type-changed DescribeBackupPolicy response Data.AdvanceLogPolicies[].EnableLogBackup",
                "breaking style-changed ModifyBackupPolicy request AdvanceDataPolicies",
            ]
        );
        let additive = lines(&report);
        for expected in [
            "additive parameter-added ModifyBackupPolicy request AdvanceDataPolicies[].StorageClass",
            "additive parameter-added ModifyBackupPolicy request AdvanceIncPolicies",
            "additive parameter-added ModifyBackupPolicy request AdvanceLogPolicies",
            "additive parameter-added ModifyBackupPolicy request BackupMethod",
            "additive parameter-added ModifyBackupPolicy request BackupPriority",
            "additive parameter-added ModifyBackupPolicy request BackupRetentionPolicyOnClusterDeletion",
            "additive parameter-added ModifyBackupPolicy request EnableIncBackup",
            "additive response-field-added DescribeBackupPolicy response Data.AdvanceDataPolicies[].StorageClass",
            "additive response-field-added DescribeBackupPolicy response Data.AdvanceIncPolicies",
            "additive response-field-added DescribeBackupPolicy response Data.AdvanceLogPolicies[].FilterKey",
            "additive response-field-added ModifyBackupPolicy response Data.EnableIncBackup",
        ] {
            assert!(
                additive.iter().any(|l| l == expected),
                "{expected}\n{additive:#?}"
            );
        }
        assert_eq!(report.summary().breaking, 2);
    }

    #[test]
    fn new_parameters_and_error_codes() {
        let report = pair(P, "2025-09-19-5d12b6ad", "2025-10-04-795a0a80");
        let mut expected: Vec<String> = [
            "AdminDatabase",
            "ClusterName",
            "IsCluster",
            "PrimaryKeyTypeOnly",
            "UseZstd",
        ]
        .iter()
        .map(|p| format!("additive parameter-added CreateDownload request {p}"))
        .collect();
        for code in [
            "DBS.DownloadTask.CannotFind",
            "DBS.DownloadTask.JobAlreadyExist",
            "DBS.DownloadTask.OnlyOneRunningOrFailedTask",
            "DBS.DownloadTask.OssForbid",
            "DBS.DownloadTask.OssStorageTypeInvalid",
            "Forbidden.InstanceNotFound",
            "DBS.NoPermissionException",
            "DBS.NotExists",
        ] {
            expected.push(format!(
                "additive error-added CreateDownload - errors.{code}"
            ));
        }
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        assert_lines(&report, &expected);
    }

    #[test]
    fn operations_added() {
        assert_lines(
            &pair(P, "2025-10-04-795a0a80", "2025-11-08-8d94cbd5"),
            &[
                "additive operation-added DescribeCostInfoByDbsInstance -",
                "additive operation-added RetryDownloadTask -",
                "additive parameter-added DescribeDownloadBackupSetStorageInfo request ClusterName",
                "additive parameter-added DescribeDownloadSupport request ClusterName",
                "additive parameter-added DescribeDownloadTask request ClusterName",
            ],
        );
    }

    /// `required: false` made explicit means nothing.
    #[test]
    fn the_ram_block_appears_and_explicit_required_false_is_no_change() {
        let report = pair(P, "2025-11-08-8d94cbd5", "2025-12-03-a0ce861f");
        assert_eq!(
            counts(&report),
            BTreeMap::from([
                ("additive parameter-added".to_owned(), 1),
                ("additive ram-added".to_owned(), 15),
                ("additive vpc-endpoint-added".to_owned(), 20),
            ])
        );
        assert!(
            lines(&report)
                .contains(&"additive parameter-added CreateDownload request IsPhysical".to_owned())
        );
        let extra = diff(
            history(P, "2025-12-03-a0ce861f"),
            newest("dbs/2021-01-01"),
            false,
        );
        assert_lines(&extra, &[]);
    }
}

mod hsm_2023_11_13 {
    use super::*;
    const P: &str = "hsm-2023-11-13";

    #[test]
    fn optional_parameters_become_required() {
        assert_lines(
            &pair(P, "2024-12-27-e505c3fa", "2025-01-10-63b13a3c"),
            &[
                "breaking made-required ListInstances request CurrentPage",
                "breaking made-required ListInstances request PageSize",
                "breaking made-required ListInstances request RegionId",
                "additive response-field-added GetCluster response Cluster.ClusterMode",
                "additive error-added ListInstances - errors.InvalidTenantIsolationType.Error",
                "additive error-added JoinCluster - errors.Cluster.CN.ClusterModeInvalid",
                "additive error-added JoinCluster - errors.JoinCluster.InvalidDeviceVersion",
                "additive error-added SwitchClusterMaster - errors.Cluster.CN.ClusterModeInvalid",
                "additive error-added SyncCluster - errors.Cluster.CN.ClusterModeInvalid",
            ],
        );
    }

    /// A changed message is a message change, not a removal and an addition.
    #[test]
    fn error_codes_added_and_a_message_changed() {
        assert_lines(
            &pair(P, "2025-01-10-63b13a3c", "2025-05-16-2f55af28"),
            &[
                "additive error-added ConfigBackupTask - errors.Backup.ActionForbidden",
                "additive error-added EnableBackup - errors.Backup.ActionForbidden",
                "additive error-added ExportImage - errors.Backup.ActionForbidden",
                "additive error-added ResetBackup - errors.Backup.ActionForbidden",
                "additive error-added ListImages - errors.Backup.Deleted",
                "docs error-message-changed JoinCluster - errors.JoinCluster.InvalidDeviceVersion",
            ],
        );
    }

    #[test]
    fn operations_and_response_fields_added() {
        assert_lines(
            &pair(P, "2025-05-16-2f55af28", "2025-12-03-a0ce861f"),
            &[
                "additive operation-added DownloadClusterManagedCert -",
                "additive operation-added QuickDeployCluster -",
                "additive operation-added RotateClusterManagedCert -",
                "additive response-field-added GetCluster response Cluster.CertManaged",
                "additive response-field-added GetCluster response Cluster.EntityCertExpireTime",
                "additive response-field-added GetInstance response Instance.Certification",
                "additive response-field-added GetInstance response Instance.CertificationUrl",
                "additive response-field-added GetInstance response Instance.PqcEnabled",
                "additive response-field-added GetInstance response Instance.TpsEnabled",
                "additive error-added JoinCluster - errors.JoinCluster.InvalidDeviceType",
                "additive error-added JoinCluster - errors.JoinCluster.InvalidPqcStatus",
            ],
        );
    }

    #[test]
    fn a_response_field_removed() {
        assert_lines(
            &pair(P, "2025-12-03-a0ce861f", "2025-12-05-c37e0884"),
            &["breaking response-field-removed GetInstance response Instance.Certification"],
        );
    }
}

mod ehpcinstant_2023_07_01 {
    use super::*;
    const P: &str = "ehpcinstant-2023-07-01";

    #[test]
    fn request_and_response_types_change() {
        let report = pair(P, "2024-12-27-e505c3fa", "2025-01-03-7b83c777");
        let mut expected = Vec::new();
        for op in ["ListJobs", "ListExecutors", "ListJobExecutors"] {
            for param in ["PageNumber", "PageSize"] {
                expected.push(format!("breaking type-changed {op} request {param}"));
            }
        }
        for op in ["ListExecutors", "ListJobExecutors"] {
            for field in ["PageNumber", "PageSize"] {
                expected.push(format!("breaking type-changed {op} response {field}"));
            }
        }
        expected.extend(
            [
                "additive parameter-added CreateJob request SecurityPolicy",
                "additive error-added CreateJob - errors.SecurityGroupNotExists",
                "additive response-field-added ListExecutors response Executors[].AppName",
                "additive response-field-added ListExecutors response Executors[].ExpirationTime",
                "additive response-field-added ListJobExecutors response Executors[].ExpirationTime",
                "additive response-field-added ListJobs response JobList[].AppName",
                // With integer page numbers ListJobs pages.
                "additive paginator-added ListJobs -",
            ]
            .map(str::to_owned),
        );
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        assert_lines(&report, &expected);
    }

    #[test]
    fn members_and_regions_added() {
        let report = pair(P, "2025-01-03-7b83c777", "2025-05-23-c4676d31");
        assert_eq!(report.summary().breaking, 0, "{}", report.to_markdown());
        let got = lines(&report);
        for expected in [
            "additive endpoint-added - - endpoints.cn-hangzhou",
            "additive endpoint-added - - endpoints.cn-hongkong",
            "additive endpoint-added - - endpoints.ap-southeast-1",
            "additive endpoint-added - - endpoints.eu-central-1",
            "additive endpoint-added - - endpoints.us-west-1",
            "additive parameter-added CreateJob request JobScheduler",
            "additive parameter-added CreateJob request DeploymentPolicy.Level",
            "additive error-added CreateJob - errors.SecurityGroupInstanceLimitExceed",
            "additive response-field-added GetJob response JobInfo.JobScheduler",
            "additive response-field-added GetJob response JobInfo.DeploymentPolicy.Network.EnableENIMapping",
            "additive response-field-added ListJobs response JobList[].AppExtraInfo",
        ] {
            assert!(got.iter().any(|l| l == expected), "{expected}\n{got:#?}");
        }
    }

    #[test]
    fn a_request_enum_widens() {
        assert_lines(
            &pair(P, "2025-05-23-c4676d31", "2025-06-06-1c9060d6"),
            &[
                "additive endpoint-added - - endpoints.cn-wulanchabu",
                "additive enum-value-added ListExecutors request Filter.Status[]",
                "additive enum-value-added ListExecutors request Filter.Status[]",
            ],
        );
    }

    #[test]
    fn a_parameter_and_a_response_field_removed() {
        let report = pair(P, "2025-06-06-1c9060d6", "2025-06-13-b9b02af1");
        let breaking: Vec<String> = lines(&report)
            .into_iter()
            .filter(|l| l.starts_with("breaking"))
            .collect();
        assert_eq!(
            breaking,
            [
                "breaking parameter-removed CreateJob request JobScheduler",
                "breaking response-field-removed GetJob response JobInfo.JobScheduler",
            ]
        );
        assert_eq!(report.summary().additive, 8);
    }
}

/// What scripts read: the JSON shape, and `--fail-on-breaking`'s condition.
#[test]
fn json_names_every_field_scripts_read() {
    let report = pair(
        "hsm-2023-11-13",
        "2025-12-03-a0ce861f",
        "2025-12-05-c37e0884",
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["summary"],
        serde_json::json!({"breaking": 1, "additive": 0, "docs": 0})
    );
    let change = &json["changes"][0];
    for key in ["operation", "kind", "path", "old", "new", "class", "reason"] {
        assert!(change.get(key).is_some(), "{key} in {change}");
    }
    assert_eq!(change["class"], "breaking");
    assert_eq!(change["path"], "Instance.Certification");
    assert!(report.is_breaking());
    assert_eq!(report.next_version(), "0.2.0");
}

/// The version line says which rule it applies, for a breaking and a docs-only pair.
#[test]
fn the_version_line_names_the_rule() {
    let breaking = pair(
        "hsm-2023-11-13",
        "2025-12-03-a0ce861f",
        "2025-12-05-c37e0884",
    )
    .to_markdown();
    assert!(
        breaking.contains("Version: `0.1.0` → `0.2.0` (the rule in docs/maintaining.md, \"Crate versions\", published or not: breaking changes raise the minor version of a 0.x crate"),
        "{breaking}"
    );
    let docs_only = diff(
        history("dbs-2019-03-06", "2024-11-15-f570f084"),
        history("dbs-2019-03-06", "2025-05-16-2f55af28"),
        true,
    );
    assert!(!docs_only.changes.is_empty() && !docs_only.is_breaking());
    assert!(
        docs_only
            .to_markdown()
            .contains("`0.1.0` → `0.1.1` (the rule in docs/maintaining.md, \"Crate versions\", published or not: additive or documentation-only changes raise the patch version;"),
        "{}",
        docs_only.to_markdown()
    );
}

/// A revision that does not exist is named as such, not passed on as git's own output.
#[test]
fn an_unknown_base_revision_is_a_clear_error() {
    let root = xtask::workspace_root();
    let Err(xtask::diff::Unreadable(error)) =
        xtask::diff::diff_base(&root, "nosuchrev", None, &acs_diff::Options::default())
    else {
        panic!("nosuchrev is no revision");
    };
    assert!(
        error.starts_with("--base nosuchrev: no such commit, branch or tag in "),
        "{error}"
    );
    assert!(!error.contains("fatal:"), "{error}");
}
