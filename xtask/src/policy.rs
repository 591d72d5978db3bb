//! `cargo xtask policy CRATE --ops A,B… [--region R] [--account A] [--param k=v]…
//! [--features PATH/Cargo.toml]`: the least-privilege RAM policy for some operations of a
//! generated crate, from the RAM facts of its specs. Static: a template part given no value is
//! `*`. With `--features`, the operations are those a user's manifest enables (the crate's
//! per-operation Cargo features). The document is `acs-policy`'s, as the runtime's recorder
//! writes it; what it cannot say is the [`Report`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use acs_policy::{Policy, Report, fill_arn};
use acs_spec::ir::{Operation, Service};

use crate::codegen::{SPEC_ROOTS, spec_dirs};
use crate::relative;

/// What to write a policy for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The generated crate (`acs-dbs20190306`).
    pub crate_name: String,
    /// Its operations by wire name (`StartBackupPlan`).
    pub ops: Vec<String>,
    /// A user's manifest whose dependency on the crate says which operations are enabled.
    pub features: Option<PathBuf>,
    /// The region for `{#regionId}`.
    pub region: Option<String>,
    /// The account ID for `{#accountId}`.
    pub account: Option<String>,
    /// Values of parameters for `{#Name}`, by wire name; a name given twice gives a resource
    /// per value.
    pub params: Vec<(String, String)>,
}

/// The policy, and what goes beside it on stderr.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The operations the policy is for, by wire name.
    pub operations: Vec<String>,
    /// The document.
    pub policy: Policy,
    /// What the document cannot say.
    pub report: Report,
    /// Remarks on the arguments (`--param` values no template uses, features not counted).
    pub notes: Vec<String>,
}

/// More resources than this from one template (the product of `--param` values) is a mistake.
const MAX_ARNS_PER_TEMPLATE: usize = 1000;

/// The policy `options` ask for, from the specs under `root`.
pub fn run(root: &Path, options: &Options) -> Result<Outcome, String> {
    let service = find_service(root, &options.crate_name)?;
    let mut notes = Vec::new();
    let operations: Vec<&Operation> = match &options.features {
        Some(manifest) => enabled_operations(manifest, &service, &mut notes)?,
        None => named_operations(&service, &options.ops)?,
    };
    if operations.is_empty() {
        return Err(format!(
            "no operation of {} is chosen: give --ops or --features",
            service.package_name
        ));
    }
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in &options.params {
        let known = values.entry(name.as_str()).or_default();
        if !known.contains(&value.as_str()) {
            known.push(value.as_str());
        }
    }
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut policy = Policy::new();
    let mut report = Report::new();
    for op in &operations {
        let Some(ram) = &op.ram else {
            report.note_without_facts(format!(
                "{} {} {}",
                service.product, service.api_version, op.name
            ));
            continue;
        };
        let mut arns = Vec::new();
        for resource in &ram.resources {
            let template = resource.resolved_template(&op.params);
            for filled in fill_each(&template, options, &values, &mut used)? {
                report.note_wildcards(&ram.action, &filled.arn, filled.wildcards);
                arns.push(filled.arn);
            }
        }
        if arns.is_empty() {
            let filled = fill_arn("", None, None, |_| None::<&str>);
            report.note_wildcards(&ram.action, &filled.arn, filled.wildcards);
            arns.push(filled.arn);
        }
        policy.allow(ram.action.clone(), arns);
        for dependent in &ram.dependent_actions {
            policy.allow(dependent.clone(), ["*"]);
        }
        report.note_dependent_actions(&ram.action, &ram.dependent_actions);
        report.note_condition_keys(&ram.action, &ram.condition_keys);
    }
    for name in values.keys() {
        if !used.contains(*name) {
            notes.push(format!(
                "--param {name}: no ARN template of these operations names `{{#{name}}}`"
            ));
        }
    }
    Ok(Outcome {
        operations: operations.iter().map(|op| op.name.clone()).collect(),
        policy,
        report,
        notes,
    })
}

/// `template` filled once per combination of the values given for its placeholders.
fn fill_each(
    template: &str,
    options: &Options,
    values: &BTreeMap<&str, Vec<&str>>,
    used: &mut BTreeSet<String>,
) -> Result<Vec<acs_policy::FilledArn>, String> {
    let region = options.region.as_deref();
    let account = options.account.as_deref();
    // The placeholders with values, in template order (asked for by a first fill).
    let mut named: Vec<(&str, &[&str])> = Vec::new();
    fill_arn(template, region, account, |name| {
        if let Some((key, list)) = values.get_key_value(name)
            && !named.iter().any(|(seen, _)| seen == key)
        {
            named.push((key, list));
        }
        None::<&str>
    });
    used.extend(named.iter().map(|(name, _)| (*name).to_owned()));
    let combinations = named
        .iter()
        .try_fold(1usize, |product, (_, list)| product.checked_mul(list.len()))
        .filter(|&n| n <= MAX_ARNS_PER_TEMPLATE)
        .ok_or_else(|| {
            format!("the --param values make more than {MAX_ARNS_PER_TEMPLATE} resources of `{template}`")
        })?;
    Ok((0..combinations)
        .map(|mut index| {
            let mut chosen: BTreeMap<&str, &str> = BTreeMap::new();
            for (name, list) in named.iter().rev() {
                chosen.insert(name, list[index % list.len()]);
                index /= list.len();
            }
            fill_arn(template, region, account, |name| chosen.get(name).copied())
        })
        .collect())
}

/// The service whose generated crate is `crate_name`.
fn find_service(root: &Path, crate_name: &str) -> Result<Service, String> {
    let mut packages = Vec::new();
    let mut unreadable = Vec::new();
    for (specs, _) in SPEC_ROOTS {
        for dir in spec_dirs(&root.join(specs))? {
            match acs_spec::load_service_dir(&dir) {
                Ok(loaded) if loaded.service.package_name == crate_name => {
                    return Ok(loaded.service);
                }
                Ok(loaded) => packages.push(loaded.service.package_name),
                Err(_) => unreadable.push(relative(root, &dir)),
            }
        }
    }
    let mut message = format!(
        "no spec generates the crate `{crate_name}`; the specs generate {}",
        packages.join(", ")
    );
    if !unreadable.is_empty() {
        message.push_str(&format!(
            " (and these spec folders have errors: {}; `cargo xtask codegen` names them)",
            unreadable.join(", ")
        ));
    }
    Err(message)
}

/// The operations named (wire names), each once, in the crate's order.
fn named_operations<'s>(
    service: &'s Service,
    names: &[String],
) -> Result<Vec<&'s Operation>, String> {
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| !service.operations.iter().any(|op| op.name == *name))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{} has no operation {} (operations are named as the API names them: {})",
            service.package_name,
            unknown
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            service
                .operations
                .iter()
                .take(3)
                .map(|op| op.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
                + ", …"
        ));
    }
    Ok(service
        .operations
        .iter()
        .filter(|op| names.contains(&op.name))
        .collect())
}

/// What a manifest enables of the crate: features per dependency entry.
#[derive(Debug, Default)]
struct Enabled {
    /// Whether the crate's default features (every operation) are on.
    default: bool,
    /// Features named.
    features: BTreeSet<String>,
}

/// The operations `manifest` enables through its dependency on the crate.
fn enabled_operations<'s>(
    manifest: &Path,
    service: &'s Service,
    notes: &mut Vec<String>,
) -> Result<Vec<&'s Operation>, String> {
    let table = read_toml(manifest)?;
    let crate_name = service.package_name.as_str();
    let mut entries: Vec<(String, toml::Value)> = Vec::new();
    let mut tables: Vec<&toml::Table> = Vec::new();
    if let Some(dependencies) = table.get("dependencies").and_then(toml::Value::as_table) {
        tables.push(dependencies);
    }
    if let Some(targets) = table.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            if let Some(dependencies) = target.get("dependencies").and_then(toml::Value::as_table) {
                tables.push(dependencies);
            }
        }
    }
    for dependencies in tables {
        for (key, value) in dependencies {
            let package = value
                .get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            if package == crate_name {
                entries.push((key.clone(), value.clone()));
            }
        }
    }
    if entries.is_empty() {
        return Err(format!(
            "{}: no [dependencies] entry for `{crate_name}` (dev-dependencies do not count: tests are not the service)",
            manifest.display()
        ));
    }
    let mut enabled = Enabled::default();
    let keys: BTreeSet<String> = entries.iter().map(|(key, _)| key.clone()).collect();
    for (key, entry) in &entries {
        add_entry(manifest, key, entry, &mut enabled)?;
    }
    add_own_features(&table, &keys, &mut enabled, notes);

    let mut chosen = BTreeSet::new();
    for feature in &enabled.features {
        if feature == "default" {
            enabled.default = true;
        } else if let Some(op) = service
            .operations
            .iter()
            .find(|op| op.names.feature == *feature)
        {
            chosen.insert(op.name.as_str());
        } else if !acs_spec::names::generated::CRATE_FEATURES.contains(&feature.as_str()) {
            notes.push(format!(
                "{}: `{feature}` is not a feature of {crate_name}",
                manifest.display()
            ));
        }
    }
    Ok(service
        .operations
        .iter()
        .filter(|op| enabled.default || chosen.contains(op.name.as_str()))
        .collect())
}

/// One dependency entry's features (and the workspace's, for `workspace = true`).
fn add_entry(
    manifest: &Path,
    key: &str,
    entry: &toml::Value,
    enabled: &mut Enabled,
) -> Result<(), String> {
    let mut default = true;
    let mut features = Vec::new();
    if let Some(entry) = entry.as_table() {
        if entry.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
            let (workspace_manifest, inherited) = workspace_entry(manifest, key)?;
            default = default_features(&inherited).unwrap_or(true);
            features.extend(feature_list(&workspace_manifest, &inherited)?);
        } else {
            default = default_features(entry).unwrap_or(true);
        }
        features.extend(feature_list(manifest, entry)?);
    }
    enabled.default |= default;
    enabled.features.extend(features);
    Ok(())
}

fn default_features(entry: &toml::Table) -> Option<bool> {
    entry
        .get("default-features")
        .or_else(|| entry.get("default_features"))
        .and_then(toml::Value::as_bool)
}

fn feature_list(manifest: &Path, entry: &toml::Table) -> Result<Vec<String>, String> {
    let Some(list) = entry.get("features") else {
        return Ok(Vec::new());
    };
    list.as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| {
            format!(
                "{}: `features` of a dependency must be a list of strings",
                manifest.display()
            )
        })
}

/// The `[workspace.dependencies]` entry `key` of the workspace above `manifest`.
fn workspace_entry(manifest: &Path, key: &str) -> Result<(PathBuf, toml::Table), String> {
    let start = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    for dir in start.ancestors().skip(1) {
        let candidate = dir.join("Cargo.toml");
        if !candidate.is_file() {
            continue;
        }
        let table = read_toml(&candidate)?;
        let Some(workspace) = table.get("workspace") else {
            continue;
        };
        return match workspace
            .get("dependencies")
            .and_then(|dependencies| dependencies.get(key))
        {
            Some(toml::Value::Table(entry)) => Ok((candidate, entry.clone())),
            Some(_) => Ok((candidate, toml::Table::new())),
            None => Err(format!(
                "{}: `{key}` inherits from the workspace, whose [workspace.dependencies] has no `{key}`",
                candidate.display()
            )),
        };
    }
    Err(format!(
        "{}: `{key}` inherits from a workspace, but no workspace manifest is above it",
        manifest.display()
    ))
}

/// Features the manifest's own `default` feature turns on in the crate (`dbs/start-backup-plan`
/// through the dependency's key); its other features only when enabled, so they are named in a
/// note rather than counted.
fn add_own_features(
    table: &toml::Table,
    keys: &BTreeSet<String>,
    enabled: &mut Enabled,
    notes: &mut Vec<String>,
) {
    let Some(own) = table.get("features").and_then(toml::Value::as_table) else {
        return;
    };
    let members = |feature: &str| -> Vec<String> {
        own.get(feature)
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    // What `default` reaches, through the manifest's features.
    let mut reached = BTreeSet::new();
    let mut queue = vec!["default".to_owned()];
    while let Some(feature) = queue.pop() {
        if !reached.insert(feature.clone()) {
            continue;
        }
        for member in members(&feature) {
            if own.contains_key(&member) {
                queue.push(member);
            }
        }
    }
    for (feature, _) in own {
        for member in members(feature) {
            let Some((dependency, crate_feature)) = member.split_once('/') else {
                continue;
            };
            if !keys.contains(dependency.trim_end_matches('?')) {
                continue;
            }
            if reached.contains(feature) {
                enabled.features.insert(crate_feature.to_owned());
            } else {
                notes.push(format!(
                    "your feature `{feature}` enables `{crate_feature}` only when it is on; not counted"
                ));
            }
        }
    }
}

fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    text.parse::<toml::Table>()
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// `cargo xtask policy`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The generated crate (`acs-dbs20190306`).
    #[arg(value_name = "CRATE")]
    crate_name: String,
    /// Its operations, as the API names them (comma-separated).
    #[arg(
        long,
        value_name = "Op1,Op2,...",
        value_delimiter = ',',
        required_unless_present = "features",
        conflicts_with = "features"
    )]
    ops: Vec<String>,
    /// The operations your manifest enables of CRATE (its per-operation Cargo features).
    #[arg(long, value_name = "PATH/Cargo.toml")]
    features: Option<PathBuf>,
    /// The region for `{#regionId}` [default: `*`].
    #[arg(long, value_name = "R")]
    region: Option<String>,
    /// The account ID for `{#accountId}` [default: `*`].
    #[arg(long, value_name = "A")]
    account: Option<String>,
    /// A parameter's value for `{#k}` (wire name); repeat it, also for more values of one
    /// parameter (a resource each) [default: `*`].
    #[arg(long = "param", value_name = "k=v", value_parser = param)]
    params: Vec<(String, String)>,
}

fn param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!("`{text}` is not `name=value`")),
    }
}

/// Runs `cargo xtask policy`: the document on stdout, the report and notes on stderr; exit 1
/// when the policy allows nothing, 2 on bad arguments.
pub fn command(root: &Path, args: Args) -> std::process::ExitCode {
    let options = Options {
        crate_name: args.crate_name,
        ops: args
            .ops
            .into_iter()
            .map(|op| op.trim().to_owned())
            .filter(|op| !op.is_empty())
            .collect(),
        features: args.features,
        region: args.region,
        account: args.account,
        params: args.params,
    };
    let outcome = match run(root, &options) {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    eprint!("{}", outcome.report);
    if outcome.policy.is_empty() {
        eprintln!(
            "error: none of {} has RAM facts: there is no policy to write",
            outcome.operations.join(", ")
        );
        return std::process::ExitCode::FAILURE;
    }
    println!("{}", outcome.policy.to_json());
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(crate_name: &str, ops: &[&str]) -> Options {
        Options {
            crate_name: crate_name.to_owned(),
            ops: ops.iter().map(|op| (*op).to_owned()).collect(),
            ..Options::default()
        }
    }

    fn run_ok(options: &Options) -> Outcome {
        run(&crate::workspace_root(), options).unwrap()
    }

    /// A scratch folder with `files` written into it, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str, files: &[(&str, &str)]) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("acs-xtask-policy-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for (path, text) in files {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn with_features(scratch: &Scratch, manifest: &str) -> Result<Outcome, String> {
        let mut options = options("acs-dbs20190306", &[]);
        options.features = Some(scratch.0.join(manifest));
        run(&crate::workspace_root(), &options)
    }

    #[test]
    fn region_account_and_parameters_fill_the_templates_one_resource_per_value() {
        let mut options = options(
            "acs-dbs20190306",
            &[
                "StartBackupPlan",
                "DescribeBackupPlanList",
                "StartBackupPlan",
            ],
        );
        options.region = Some("cn-hangzhou".to_owned());
        options.account = Some("123".to_owned());
        options.params = [
            ("BackupPlanId", "dbs-b"),
            ("BackupPlanId", "dbs-a"),
            ("Nope", "x"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let outcome = run_ok(&options);
        assert_eq!(
            outcome.operations,
            ["DescribeBackupPlanList", "StartBackupPlan"]
        );
        let statements = outcome.policy.statements();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0].actions,
            ["dbs:DescribeBackupPlanList", "dbs:StartBackupPlan"]
        );
        assert_eq!(
            statements[0].resources,
            [
                "acs:dbs:cn-hangzhou:123:backupplan/dbs-a",
                "acs:dbs:cn-hangzhou:123:backupplan/dbs-b"
            ]
        );
        assert!(outcome.report.is_empty(), "{}", outcome.report);
        assert_eq!(
            outcome.notes,
            ["--param Nope: no ARN template of these operations names `{#Nope}`"]
        );
    }

    #[test]
    fn unknown_crates_and_operations_are_refused_by_name() {
        let error = run(&crate::workspace_root(), &options("acs-nope", &["X"])).unwrap_err();
        assert!(
            error.contains("no spec generates the crate `acs-nope`")
                && error.contains("acs-dbs20190306"),
            "{error}"
        );
        let error = run(
            &crate::workspace_root(),
            &options("acs-dbs20190306", &["StartBackupPlan", "Nope"]),
        )
        .unwrap_err();
        assert!(error.contains("no operation `Nope`"), "{error}");
    }

    #[test]
    fn operations_without_ram_facts_are_reported_not_guessed() {
        let outcome = run_ok(&options("fixture-ecs20140526", &["DescribeInstances"]));
        assert!(outcome.policy.is_empty());
        assert!(
            outcome
                .report
                .without_facts
                .iter()
                .eq(["ecs 2014-05-26 DescribeInstances"])
        );
    }

    #[test]
    fn dependent_actions_are_statements_of_their_own() {
        let mut options = options("fixture-edgecases20000101", &["Match"]);
        options.params = vec![("type".to_owned(), "t".to_owned())];
        let outcome = run_ok(&options);
        let statements = outcome.policy.statements();
        assert_eq!(statements[0].actions, ["edge:Match"]);
        // `{#NoSuchParam}` names no parameter: `*`, whatever is given.
        assert_eq!(statements[0].resources, ["acs:edge:*:*:thing/t/*/*"]);
        assert_eq!(statements[1].actions, ["edge:Other"]);
        assert_eq!(statements[1].resources, ["*"]);
        assert!(
            outcome.report.dependent_actions["edge:Match"]
                .iter()
                .eq(["edge:Other"])
        );
    }

    #[test]
    fn dependent_actions_from_an_overlay_reach_the_policy() {
        let root = crate::workspace_root();
        let spec = root.join("specs/dbs/2019-03-06");
        let files: Vec<(String, String)> = std::fs::read_dir(&spec)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let mut text = std::fs::read_to_string(&path).unwrap();
                if name == acs_spec::OVERLAY_FILE {
                    text.push_str(
                        "  StopBackupPlan:\n    ram:\n      dependent_actions: [\"ram:PassRole\"]\n",
                    );
                }
                (format!("specs/dbs/2019-03-06/{name}"), text)
            })
            .collect();
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let scratch = Scratch::new("overlay", &files);
        let outcome = run(&scratch.0, &options("acs-dbs20190306", &["StopBackupPlan"])).unwrap();
        let statements = outcome.policy.statements();
        assert_eq!(statements[0].actions, ["dbs:StopBackupPlan"]);
        assert_eq!(statements[1].actions, ["ram:PassRole"]);
        assert_eq!(statements[1].resources, ["*"]);
        assert!(
            outcome
                .report
                .to_string()
                .contains("dbs:StopBackupPlan needs ram:PassRole")
        );
    }

    #[test]
    fn features_of_a_dependency_choose_the_operations() {
        let scratch = Scratch::new(
            "features",
            &[
                (
                    "only/Cargo.toml",
                    r#"
[package]
name = "svc"
[dependencies]
dbs = { package = "acs-dbs20190306", path = "x", default-features = false, features = ["start-backup-plan", "test-util"] }
[target.'cfg(unix)'.dependencies]
dbs = { package = "acs-dbs20190306", path = "x", default-features = false, features = ["stop-backup-plan"] }
[dev-dependencies]
dbs = { package = "acs-dbs20190306", path = "x", features = ["describe-regions"] }
[features]
default = ["regions"]
regions = ["dbs/describe-regions"]
optional = ["dbs?/release-backup-plan", "dep:dbs"]
"#,
                ),
                (
                    "all/Cargo.toml",
                    "[dependencies]\nacs-dbs20190306 = \"0.1\"\n",
                ),
                (
                    "ws/Cargo.toml",
                    "[workspace]\nmembers = [\"member\"]\n[workspace.dependencies]\nacs-dbs20190306 = { path = \"x\", default-features = false, features = [\"describe-backup-plan-list\"] }\n",
                ),
                (
                    "ws/member/Cargo.toml",
                    "[dependencies]\nacs-dbs20190306 = { workspace = true, features = [\"start-backup-plan\", \"no-such-op\"] }\n",
                ),
                (
                    "none/Cargo.toml",
                    "[dev-dependencies]\nacs-dbs20190306 = \"0.1\"\n",
                ),
                ("broken/Cargo.toml", "[dependencies\n"),
            ],
        );
        let only = with_features(&scratch, "only/Cargo.toml").unwrap();
        assert_eq!(
            only.operations,
            ["DescribeRegions", "StartBackupPlan", "StopBackupPlan"]
        );
        assert_eq!(
            only.notes,
            [
                "your feature `optional` enables `release-backup-plan` only when it is on; not counted"
            ]
        );
        assert_eq!(
            with_features(&scratch, "all/Cargo.toml")
                .unwrap()
                .operations
                .len(),
            36
        );
        let member = with_features(&scratch, "ws/member/Cargo.toml").unwrap();
        assert_eq!(
            member.operations,
            ["DescribeBackupPlanList", "StartBackupPlan"]
        );
        assert!(member.notes[0].ends_with("`no-such-op` is not a feature of acs-dbs20190306"));
        let none = with_features(&scratch, "none/Cargo.toml").unwrap_err();
        assert!(none.contains("no [dependencies] entry"), "{none}");
        let broken = with_features(&scratch, "broken/Cargo.toml").unwrap_err();
        assert!(
            broken.contains("broken/Cargo.toml") && broken.contains("line 1"),
            "{broken}"
        );
    }
}
