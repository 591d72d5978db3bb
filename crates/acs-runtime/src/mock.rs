//! Test support (the `test-util` feature): a client that answers from rules instead of a
//! server, so code calling Alibaba Cloud is tested without one.
//!
//! A [`Rule`] matches an operation (its request type) and, optionally, a predicate on the
//! request, and answers with a typed output, a typed error, or a raw HTTP response. Rules are
//! tried in the order given; each answers once unless [`Rule::times`] or [`Rule::always`] says
//! otherwise. A call no rule answers fails with a transport error naming the operation.
//!
//! What the real client does still happens: the request's parameters are written by the
//! generated code (an unset `ClientToken` is filled) and recorded in [`Mock::calls`]; a raw
//! HTTP answer is signed for, read and decoded by the real runtime (errors, `Success: false`
//! bodies and retries included). Only the network is missing.
//!
//! ```
//! # #[cfg(feature = "test-util")] {
//! use acs_runtime::mock::{Mock, Rule};
//! # use acs_runtime::{json, FromJson, Method, Idempotency, Operation, OperationInfo, RequestParams, ServiceError, ServiceInfo, ApiStyle};
//! # #[derive(Debug, Clone, Default, PartialEq)] struct Ping { id: Option<String> }
//! # #[derive(Debug, Clone, Default, PartialEq)] struct Pong { id: Option<String> }
//! # impl FromJson for Pong {
//! #     fn from_json(json: &mut json::Reader<'_>) -> json::Result<Self> {
//! #         let mut out = Pong::default();
//! #         json.object(|member, json| match member { "Id" => json.read_into(&mut out.id), _ => json.skip() })?;
//! #         Ok(out)
//! #     }
//! # }
//! # impl Operation for Ping {
//! #     type Output = Pong; type Error = ServiceError;
//! #     const INFO: &'static OperationInfo = &OperationInfo::rpc("Ping", Method::Post, Idempotency::ReadOnly);
//! #     fn write_params(&self, params: &mut RequestParams) { params.query("Id", &self.id); }
//! # }
//! # static SERVICE: ServiceInfo = ServiceInfo { product: "demo", version: "2020-01-01", style: ApiStyle::Rpc, gateway: acs_runtime::Gateway::Acs, endpoints: &[] };
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let mock = Mock::new([
//!     Rule::of::<Ping>()
//!         .matching(|ping| ping.id.as_deref() == Some("a"))
//!         .then_output(|| Pong { id: Some("typed".into()) }),
//!     Rule::of::<Ping>().then_http(200, r#"{"Id": "decoded"}"#),
//! ]);
//! let client = acs_runtime::Client::new(&SERVICE, &mock.config()).unwrap();
//! let typed = client.call(Ping { id: Some("a".into()) }).await.unwrap();
//! assert_eq!(typed.id.as_deref(), Some("typed"));
//! let decoded = client.call(Ping { id: Some("b".into()) }).await.unwrap();
//! assert_eq!(decoded.id.as_deref(), Some("decoded"));
//! assert_eq!(mock.calls().len(), 2);
//! # });
//! # }
//! ```

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::credentials::Credentials;
use crate::error::ServiceError;
use crate::intercept::{Intercept, Intercepted};
use crate::operation::Operation;
use crate::params::RequestParams;
use crate::transport::{
    BoxFuture, HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};

type Make = Box<dyn Fn() -> Box<dyn Any + Send> + Send + Sync>;
type Matches = Box<dyn Fn(&dyn Any) -> bool + Send + Sync>;

enum Answer {
    Output(Make),
    Error(Make),
    Http(HttpResponse),
}

/// One rule: which calls it answers, and how.
pub struct Rule {
    operation: TypeId,
    action: &'static str,
    matches: Option<Matches>,
    answer: Answer,
    /// Answers left; `None` for always.
    remaining: Option<usize>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("action", &self.action)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

/// A rule being written: the operation is chosen, the answer not yet.
#[must_use = "a rule answers nothing until it is given an answer (`then_…`)"]
pub struct RuleBuilder<O: Operation> {
    matches: Option<Matches>,
    operation: std::marker::PhantomData<fn(O)>,
}

impl<O: Operation> fmt::Debug for RuleBuilder<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleBuilder")
            .field("action", &O::INFO.action)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// A rule for calls of operation `O` (a generated request type).
    pub fn of<O: Operation>() -> RuleBuilder<O> {
        RuleBuilder {
            matches: None,
            operation: std::marker::PhantomData,
        }
    }

    /// The rule answers `n` calls (instead of one).
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }

    /// The rule answers every call it matches.
    pub fn always(mut self) -> Self {
        self.remaining = None;
        self
    }
}

impl<O: Operation> RuleBuilder<O> {
    /// Only calls whose request satisfies `predicate`.
    pub fn matching(mut self, predicate: impl Fn(&O) -> bool + Send + Sync + 'static) -> Self {
        self.matches = Some(Box::new(move |request| {
            request.downcast_ref::<O>().is_some_and(&predicate)
        }));
        self
    }

    fn answer(self, answer: Answer) -> Rule {
        Rule {
            operation: TypeId::of::<O>(),
            action: O::INFO.action,
            matches: self.matches,
            answer,
            remaining: Some(1),
        }
    }

    /// Answers with the output `make` builds (not decoded: it is the value the call returns).
    pub fn then_output(self, make: impl Fn() -> O::Output + Send + Sync + 'static) -> Rule {
        self.answer(Answer::Output(Box::new(move || Box::new(make()))))
    }

    /// Answers with the operation's error `make` builds (such as
    /// `StartBackupPlanError::from(ServiceError::new(…))`).
    pub fn then_error(self, make: impl Fn() -> O::Error + Send + Sync + 'static) -> Rule {
        self.answer(Answer::Error(Box::new(move || Box::new(make()))))
    }

    /// Answers with the service error `code` and `message` at HTTP `status`, as the
    /// operation's typed error (its variant for a documented code).
    pub fn then_service_error(self, status: u16, code: &str, message: &str) -> Rule {
        let error = ServiceError::new(code, message, Some("mock-request-id".into()), status);
        self.then_error(move || O::Error::from(error.clone()))
    }

    /// Answers with an HTTP response of `status` and `body`, read and decoded by the real
    /// client (an error status becomes the typed error; retries see it too).
    pub fn then_http(self, status: u16, body: impl Into<Vec<u8>>) -> Rule {
        self.then_http_response(HttpResponse::new(
            status,
            [("content-type", "application/json")],
            body,
        ))
    }

    /// Answers with `response`, read and decoded by the real client.
    pub fn then_http_response(self, response: HttpResponse) -> Rule {
        self.answer(Answer::Http(response))
    }
}

/// A call a [`Mock`] saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Operation name (`StartBackupPlan`).
    pub action: &'static str,
    /// The parameters the request wrote, as it would have sent them.
    pub params: RequestParams,
}

/// Answers calls from [`Rule`]s. Clients made from [`Mock::config`] (or any configuration
/// sending through the mock) call no server.
#[derive(Debug)]
pub struct Mock {
    rules: Mutex<Vec<Rule>>,
    calls: Mutex<Vec<Call>>,
}

impl Mock {
    /// A mock answering with `rules`, tried in order.
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Arc<Mock> {
        Arc::new(Mock {
            rules: Mutex::new(rules.into_iter().collect()),
            calls: Mutex::new(Vec::new()),
        })
    }

    /// A configuration whose clients call this mock: region `cn-hangzhou`, a placeholder
    /// endpoint and static test credentials.
    pub fn config(self: &Arc<Self>) -> Config {
        let mut config = Config::new("cn-hangzhou")
            .with_endpoint("https://mock.invalid")
            .with_credentials(Credentials::new("MockAccessKeyId", "MockAccessKeySecret"))
            .with_transport(Arc::new(Unreachable));
        config.intercept = Some(Arc::clone(self) as Arc<dyn Intercept>);
        config
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("not poisoned").clone()
    }

    /// How many rules have answers left (rules that answer always count as one).
    pub fn unused_rules(&self) -> usize {
        self.rules
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|rule| rule.remaining != Some(0))
            .count()
    }
}

impl Intercept for Mock {
    fn answer(
        &self,
        operation: TypeId,
        action: &'static str,
        request: &dyn Any,
        params: &RequestParams,
    ) -> Intercepted {
        self.calls.lock().expect("not poisoned").push(Call {
            action,
            params: params.clone(),
        });
        let mut rules = self.rules.lock().expect("not poisoned");
        let Some(rule) = rules.iter_mut().find(|rule| {
            rule.operation == operation
                && rule.remaining != Some(0)
                && rule.matches.as_ref().is_none_or(|matches| matches(request))
        }) else {
            return Intercepted::Unanswered;
        };
        if let Some(remaining) = &mut rule.remaining {
            *remaining -= 1;
        }
        match &rule.answer {
            Answer::Output(make) => Intercepted::Output(make()),
            Answer::Error(make) => Intercepted::Error(make()),
            Answer::Http(response) => Intercepted::Http(response.clone()),
        }
    }
}

/// The transport of a mock's configuration: calls are answered per call, through a client;
/// a request reaching here was sent around the client.
#[derive(Debug)]
struct Unreachable;

impl Transport for Unreachable {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async {
            Err(TransportError::new(
                TransportErrorKind::Request,
                "mock: requests are answered per call, through a client",
            ))
        })
    }
}

/// The same response to every attempt.
#[derive(Debug)]
pub(crate) struct Canned(pub(crate) HttpResponse);

impl Transport for Canned {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.0.clone();
        Box::pin(async move { Ok(response) })
    }
}
