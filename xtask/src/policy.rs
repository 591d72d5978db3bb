//! `cargo xtask policy CRATE --ops A,B… [--region R] [--account A] [--param k=v]…
//! [--features PATH/Cargo.toml]`: the least-privilege RAM policy for some operations of a
//! generated crate, from the RAM facts of its specs. Static: a template part given no value is
//! `*`. With `--features`, the operations are those a user's manifest enables (the crate's
//! per-operation Cargo features). The document is `acs-policy`'s, as the runtime's recorder
//! writes it; what it cannot say is the [`Report`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use acs_policy::{Policy, Report, fill_arn};
use acs_spec::ir::{Operation, Service};

use crate::cli::{Args, Command, Exit, repeated, valued};
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

/// The operations `manifest` enables through its dependency on the crate, as Cargo reads the
/// manifest (`cargo metadata --no-deps`: renamed dependencies and `workspace = true`
/// inheritance resolved by Cargo itself). Target-specific tables count whatever the target (the
/// service may run on any). For a virtual workspace manifest, its members' dependencies
/// together.
fn enabled_operations<'s>(
    manifest: &Path,
    service: &'s Service,
    notes: &mut Vec<String>,
) -> Result<Vec<&'s Operation>, String> {
    let crate_name = service.package_name.as_str();
    let metadata = cargo_metadata(manifest)?;
    let wanted = manifest
        .canonicalize()
        .map_err(|error| format!("cannot read {}: {error}", manifest.display()))?;
    let packages: Vec<&serde_json::Value> = metadata["packages"]
        .as_array()
        .map(|packages| packages.iter().collect())
        .unwrap_or_default();
    let own: Vec<&serde_json::Value> = packages
        .iter()
        .copied()
        .filter(|package| {
            package["manifest_path"]
                .as_str()
                .and_then(|path| Path::new(path).canonicalize().ok())
                .is_some_and(|path| path == wanted)
        })
        .collect();
    // A virtual manifest has no package of its own: its members speak for it.
    let chosen = if own.is_empty() { packages } else { own };

    let mut all = false;
    let mut features = BTreeSet::new();
    let mut found = false;
    for package in chosen {
        let mut keys = BTreeSet::new();
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            // Normal dependencies only: dev-dependencies are the tests', not the service's.
            if dependency["name"] != crate_name || !dependency["kind"].is_null() {
                continue;
            }
            found = true;
            all |= dependency["uses_default_features"]
                .as_bool()
                .unwrap_or(true);
            features.extend(strings(&dependency["features"]));
            keys.insert(
                dependency["rename"]
                    .as_str()
                    .unwrap_or(crate_name)
                    .to_owned(),
            );
        }
        own_features(&package["features"], &keys, &mut features, notes);
    }
    if !found {
        return Err(format!(
            "{}: no [dependencies] entry for `{crate_name}` (dev-dependencies do not count: the tests are not the service)",
            manifest.display()
        ));
    }
    let mut chosen = BTreeSet::new();
    for feature in &features {
        if feature == "default" {
            all = true;
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
        .filter(|op| all || chosen.contains(op.name.as_str()))
        .collect())
}

/// `cargo metadata --no-deps` of `manifest`: the manifest as Cargo reads it, without resolving
/// (or fetching) anything.
fn cargo_metadata(manifest: &Path) -> Result<serde_json::Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .map_err(|error| format!("cannot run cargo metadata: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "{}: cargo cannot read it: {}",
            manifest.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("cargo metadata gave no JSON: {error}"))
}

fn strings(value: &serde_json::Value) -> impl Iterator<Item = String> + '_ {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(str::to_owned))
}

/// The crate's features that the package's own `default` feature turns on (`dbs/x`,
/// `dbs?/x` through the dependency's `keys`); features of its own that are off by default
/// only when enabled, so they are named in a note rather than counted.
fn own_features(
    table: &serde_json::Value,
    keys: &BTreeSet<String>,
    features: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) {
    let Some(own) = table.as_object() else { return };
    let mut reached = BTreeSet::new();
    let mut queue = vec!["default".to_owned()];
    while let Some(feature) = queue.pop() {
        if reached.insert(feature.clone()) {
            let members = own.get(&feature).map(strings).into_iter().flatten();
            queue.extend(members.filter(|member| own.contains_key(member)));
        }
    }
    for (feature, members) in own {
        for member in strings(members) {
            let Some((dependency, crate_feature)) = member.split_once('/') else {
                continue;
            };
            if !keys.contains(dependency.trim_end_matches('?')) {
                continue;
            }
            if reached.contains(feature) {
                features.insert(crate_feature.to_owned());
            } else {
                notes.push(format!(
                    "your feature `{feature}` enables `{crate_feature}` only when it is on; not counted"
                ));
            }
        }
    }
}

/// `cargo xtask policy`: its options, help and parser.
pub const COMMAND: Command = Command {
    name: "policy",
    summary: "Print the least-privilege RAM policy for some operations of a generated crate.",
    details: "Static, from the RAM facts of the crate's specs: a part of an ARN template given no value is `*`. The policy document goes to stdout; the report (operations without RAM facts, dependent actions, parts left as `*`, condition keys) to stderr. Exit status: 0 with a policy, 1 when none of the operations has RAM facts, 2 for bad arguments.",
    positional: "CRATE",
    max_positional: 1,
    trailing: None,
    options: &[
        valued(
            "ops",
            "Op1,Op2,...",
            "The operations, as the API names them (comma-separated).",
        ),
        valued(
            "features",
            "PATH/Cargo.toml",
            "Instead of --ops: the operations your manifest enables of CRATE (its per-operation Cargo features), as `cargo metadata` reads it.",
        ),
        valued(
            "region",
            "R",
            "The region for `{#regionId}` [default: `*`].",
        ),
        valued(
            "account",
            "A",
            "The account ID for `{#accountId}` [default: `*`].",
        ),
        repeated(
            "param",
            "k=v",
            "A parameter's value for `{#k}` (its wire name) [default: `*`]; a name given again gives a resource per value.",
        ),
    ],
};

/// Runs `cargo xtask policy` with `args`: the document on stdout, the report and notes on
/// stderr.
pub fn command(root: &Path, args: &Args) -> Result<ExitCode, Exit> {
    let usage = |message: &str| COMMAND.usage_error(message);
    let [crate_name] = args.positional.as_slice() else {
        return Err(usage("give the crate (`acs-dbs20190306`)"));
    };
    let ops = args.list("ops");
    let features = args.value("features").map(PathBuf::from);
    if ops.is_some() == features.is_some() {
        return Err(usage("give --ops or --features (one of them)"));
    }
    let params = args
        .values("param")
        .iter()
        .map(|text| match text.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.to_owned()))
            }
            _ => Err(usage(&format!("`--param {text}`: expected `name=value`"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        crate_name: crate_name.clone(),
        ops: ops.unwrap_or_default(),
        features,
        region: args.value("region").map(str::to_owned),
        account: args.value("account").map(str::to_owned),
        params,
    };
    let outcome = match run(root, &options) {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
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
        return Ok(ExitCode::FAILURE);
    }
    println!("{}", outcome.policy.to_json());
    Ok(ExitCode::SUCCESS)
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
        let dbs = crate::workspace_root().join("crates/acs-dbs20190306");
        let package = |name: &str, rest: &str| {
            format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{}",
                rest.replace("DBS", &dbs.to_string_lossy())
            )
        };
        let only = package(
            "svc",
            r#"[dependencies]
dbs = { package = "acs-dbs20190306", path = "DBS", default-features = false, features = ["start-backup-plan", "test-util"] }

[target.'cfg(unix)'.dependencies]
dbs = { package = "acs-dbs20190306", path = "DBS", default-features = false, features = ["stop-backup-plan"] }

[dev-dependencies]
dbs = { package = "acs-dbs20190306", path = "DBS", features = ["describe-regions"] }

[features]
default = ["regions"]
regions = ["dbs/describe-regions"]
extra = ["dbs/release-backup-plan"]
"#,
        );
        let all = package(
            "all",
            "[dependencies]\nacs-dbs20190306 = { path = \"DBS\" }\n",
        );
        let workspace = format!(
            "[workspace]\nmembers = [\"member\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nacs-dbs20190306 = {{ path = \"{}\", default-features = false, features = [\"describe-backup-plan-list\"] }}\n",
            dbs.display()
        );
        let member = package(
            "member",
            "[dependencies]\nacs-dbs20190306 = { workspace = true, features = [\"start-backup-plan\", \"no-such-op\"] }\n",
        );
        let none = package(
            "none",
            "[dev-dependencies]\nacs-dbs20190306 = { path = \"DBS\" }\n",
        );
        let scratch = Scratch::new(
            "features",
            &[
                ("only/Cargo.toml", &only),
                ("only/src/lib.rs", ""),
                ("all/Cargo.toml", &all),
                ("all/src/lib.rs", ""),
                ("ws/Cargo.toml", &workspace),
                ("ws/member/Cargo.toml", &member),
                ("ws/member/src/lib.rs", ""),
                ("none/Cargo.toml", &none),
                ("none/src/lib.rs", ""),
                ("broken/Cargo.toml", "[dependencies\n"),
            ],
        );
        // Both tables of normal dependencies, the default feature of the package; not the
        // dev-dependency.
        let only = with_features(&scratch, "only/Cargo.toml").unwrap();
        assert_eq!(
            only.operations,
            ["DescribeRegions", "StartBackupPlan", "StopBackupPlan"]
        );
        assert_eq!(
            only.notes,
            ["your feature `extra` enables `release-backup-plan` only when it is on; not counted"]
        );
        assert_eq!(
            with_features(&scratch, "all/Cargo.toml")
                .unwrap()
                .operations
                .len(),
            36
        );
        // Inherited from the workspace; and the workspace's manifest for its members.
        for manifest in ["ws/member/Cargo.toml", "ws/Cargo.toml"] {
            let member = with_features(&scratch, manifest).unwrap();
            assert_eq!(
                member.operations,
                ["DescribeBackupPlanList", "StartBackupPlan"],
                "{manifest}"
            );
            assert!(
                member.notes[0].ends_with("`no-such-op` is not a feature of acs-dbs20190306"),
                "{:?}",
                member.notes
            );
        }
        let none = with_features(&scratch, "none/Cargo.toml").unwrap_err();
        assert!(none.contains("no [dependencies] entry"), "{none}");
        let broken = with_features(&scratch, "broken/Cargo.toml").unwrap_err();
        assert!(
            broken.contains("broken/Cargo.toml: cargo cannot read it"),
            "{broken}"
        );
    }
}
