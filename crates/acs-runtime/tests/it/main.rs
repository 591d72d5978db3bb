//! The runtime's integration tests, in one binary (one link instead of one per file): calls end
//! to end against the signature-checking loopback server (`acs-test-server`), credentials and
//! credential services, endpoints, fault injection, the policy recorder, secret hygiene,
//! serialization, signing, and the layering of the runtime's modules.

mod call;
mod call_settings;
mod credential_services;
mod credentials;
mod endpoint;
mod fault_injection;
mod layering;
mod manual_clock;
mod ops;
mod oss_sls_interop;
mod policy;
mod production;
mod secret_hygiene;
mod serialization;
mod signing;
mod timing;
mod uploads;
