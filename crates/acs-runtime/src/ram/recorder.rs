//! The policy recorder: what a program's calls needed, as a RAM policy.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use acs_policy::{FilledArn, Policy, Report};

use super::{Facts, filled};
use crate::params::RequestParams;

/// Records the RAM permissions calls need, for the least-privilege policy of a program.
///
/// Attached with `Config::with_policy_recorder(recorder.clone())`, it notes each call a client
/// of that configuration makes: once per call (retries are the same request), whether the call
/// succeeds or fails (it needed the permission either way), through a server or the
/// `test-util` mock; not a call whose request could not be built. For each it notes the
/// operation's RAM action on the resources its ARN templates give for that request, filled
/// from the request's parameters, the client's region and the account ID given here; a part
/// with no value is `*`, never a guess. Dependent actions are allowed on every resource.
///
/// Cheap to clone: clones share what is recorded, across clients, tasks and threads.
///
/// ```
/// use acs_runtime::ram::PolicyRecorder;
///
/// let recorder = PolicyRecorder::new().with_account_id("1234567890");
/// let config = acs_runtime::Config::new("cn-hangzhou").with_policy_recorder(recorder.clone());
/// // … make clients from `config` and call …
/// # let _ = config;
/// println!("{}", recorder.policy().to_json());
/// eprint!("{}", recorder.report());
/// ```
#[derive(Clone, Default)]
pub struct PolicyRecorder {
    /// This handle's account, for `{#accountId}`; `*` without one.
    account_id: Option<Arc<str>>,
    recorded: Arc<Mutex<Recorded>>,
}

#[derive(Default)]
struct Recorded {
    policy: Policy,
    report: Report,
}

impl PolicyRecorder {
    /// A recorder with nothing recorded, filling `{#accountId}` with `*`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same recorder filling `{#accountId}` with `account_id` in the calls noted through
    /// it and the clones made from it afterwards.
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into().into());
        self
    }

    /// The policy every call recorded so far needed: `policy().to_json()` is its RAM policy
    /// document.
    pub fn policy(&self) -> Policy {
        self.lock().policy.clone()
    }

    /// What the policy cannot say: operations without RAM facts, dependent actions, parts of
    /// resources left as `*`, condition keys. Its `Display` is text for stderr.
    pub fn report(&self) -> Report {
        self.lock().report.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Recorded> {
        // What is recorded stays whole whatever panicked while holding the lock: every
        // change below is one insertion.
        self.recorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A call about to be made, to be recorded when it ends ([`Pending`]). Its resources are
    /// filled now, from the parameters as written, before anything is sent.
    pub(crate) fn call(&self, called: Called<'_>, region: &str, params: &RequestParams) -> Pending {
        let grant = match called.facts {
            Some(facts) => Grant::Facts {
                facts,
                arns: filled(
                    facts.resource_arn_templates,
                    Some(region),
                    self.account_id.as_deref(),
                    params,
                ),
            },
            None => Grant::Unknown(format!(
                "{} {} {}{}",
                called.product,
                called.version,
                called.action,
                if called.by_name {
                    " (called by name)"
                } else {
                    ""
                }
            )),
        };
        Pending {
            recorder: self.clone(),
            grant: Some(grant),
        }
    }

    fn record(&self, grant: Grant) {
        let mut recorded = self.lock();
        let Recorded { policy, report } = &mut *recorded;
        match grant {
            Grant::Facts { facts, arns } => {
                for FilledArn { arn, wildcards } in &arns {
                    report.note_wildcards(facts.action, arn, wildcards.iter().cloned());
                }
                policy.allow(facts.action, arns.into_iter().map(|filled| filled.arn));
                for dependent in facts.dependent_actions {
                    policy.allow(*dependent, ["*"]);
                }
                report.note_dependent_actions(facts.action, facts.dependent_actions);
                report.note_condition_keys(facts.action, facts.condition_keys);
            }
            Grant::Unknown(name) => {
                report.note_without_facts(name);
            }
        }
    }
}

impl fmt::Debug for PolicyRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyRecorder")
            .field("account_id", &self.account_id)
            .field("actions", &self.lock().policy.actions().count())
            .finish()
    }
}

/// The operation a call is of.
pub(crate) struct Called<'a> {
    pub product: &'a str,
    pub version: &'a str,
    pub action: &'a str,
    /// Its RAM facts, when its metadata has them.
    pub facts: Option<&'static Facts>,
    /// Called by name (`Client::call_api`) rather than through a generated operation.
    pub by_name: bool,
}

/// What one call needs.
enum Grant {
    Facts {
        facts: &'static Facts,
        arns: Vec<FilledArn>,
    },
    /// An operation without RAM facts, as the report names it.
    Unknown(String),
}

/// A call being made: recorded when it ends, however it ends (also when its future is dropped
/// after a request may have gone out), unless [`Pending::not_built`] says no request could be
/// built.
pub(crate) struct Pending {
    recorder: PolicyRecorder,
    grant: Option<Grant>,
}

impl Pending {
    /// No request could be built: the call needed no permission.
    pub(crate) fn not_built(mut self) {
        self.grant = None;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(grant) = self.grant.take() {
            self.recorder.record(grant);
        }
    }
}
