//! What each kind of change means for code compiled against the older generated crate: the one
//! place the classes are decided, from what the generator emits.
//!
//! - Request structs and the request's parameters are all `Option`s set through builders;
//!   nested request structs are built with `..Default::default()` (as the docs show), so a new
//!   optional member or parameter compiles everywhere. A new required one fails `build()` for
//!   callers that do not set it.
//! - Responses, nested response structs, error enums and string enums are `#[non_exhaustive]`
//!   (enums keep unknown values), so new members, codes and values are additive; removing one
//!   removes a field or variant callers may name.
//! - Anything that sends the same call differently (a type, position, style, method, path or
//!   signature change) breaks callers even when it compiles.

use serde::Serialize;

/// How a change affects callers of the older generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Code compiled against the old crate stops compiling or changes meaning, or the same call
    /// goes differently on the wire.
    Breaking,
    /// New things only.
    Additive,
    /// Text only: documentation, examples, error messages.
    Docs,
}

impl Class {
    /// `breaking`, `additive` or `docs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

/// Which side of the wire a member is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Sent: request parameters and their members.
    Request,
    /// Received: response fields and their members.
    Response,
}

/// A kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The HTTP method changed.
    MethodChanged,
    /// The path template changed.
    PathChanged,
    /// Signed ↔ anonymous.
    AuthChanged,
    /// The answer's shape changed (an object, an array, text, bytes).
    ResponseShapeChanged,
    /// Whether a failed attempt may be repeated changed.
    RetryChanged,
    /// The operation gained a paginator.
    PaginatorAdded,
    /// The operation lost its paginator.
    PaginatorRemoved,
    /// A request parameter or member appeared.
    MemberAdded {
        /// Request or response.
        side: Side,
        /// Whether it must be set.
        required: bool,
    },
    /// A request parameter or member, or a response field, is gone.
    MemberRemoved {
        /// Request or response.
        side: Side,
    },
    /// A value's type or format changed.
    TypeChanged,
    /// A parameter travels elsewhere (query, body, path, header).
    PositionChanged,
    /// A parameter is serialized differently (flattened, comma-joined, JSON).
    StyleChanged,
    /// An optional member became required.
    MadeRequired,
    /// A required member became optional.
    MadeOptional,
    /// An enum value appeared.
    EnumValueAdded,
    /// An enum value is gone.
    EnumValueRemoved,
    /// Marked deprecated.
    Deprecated,
    /// No longer deprecated.
    Undeprecated,
    /// A documented error code appeared.
    ErrorAdded,
    /// A documented error code is gone.
    ErrorRemoved,
    /// A code's documented message changed.
    ErrorMessageChanged,
    /// A code's documented HTTP status changed.
    ErrorStatusChanged,
    /// The operation gained RAM facts.
    RamAdded,
    /// The operation lost its RAM facts.
    RamRemoved,
    /// The RAM action changed.
    RamActionChanged,
    /// The RAM access level changed.
    RamAccessLevelChanged,
    /// A resource ARN template appeared.
    RamResourceAdded,
    /// A resource ARN template is gone.
    RamResourceRemoved,
    /// A condition key appeared.
    RamConditionKeyAdded,
    /// A condition key is gone.
    RamConditionKeyRemoved,
    /// A region gained an endpoint.
    EndpointAdded,
    /// A region lost its endpoint.
    EndpointRemoved,
    /// A region's host changed.
    EndpointChanged,
    /// A region gained a VPC endpoint.
    VpcEndpointAdded,
    /// A region lost its VPC endpoint.
    VpcEndpointRemoved,
    /// Descriptions, summaries or examples changed.
    Docs,
}

impl Kind {
    /// The kind as reports spell it (`parameter-added`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::OperationAdded => "operation-added",
            Kind::OperationRemoved => "operation-removed",
            Kind::MethodChanged => "method-changed",
            Kind::PathChanged => "path-changed",
            Kind::AuthChanged => "auth-changed",
            Kind::ResponseShapeChanged => "response-shape-changed",
            Kind::RetryChanged => "retry-changed",
            Kind::PaginatorAdded => "paginator-added",
            Kind::PaginatorRemoved => "paginator-removed",
            Kind::MemberAdded {
                side: Side::Request,
                ..
            } => "parameter-added",
            Kind::MemberAdded {
                side: Side::Response,
                ..
            } => "response-field-added",
            Kind::MemberRemoved {
                side: Side::Request,
            } => "parameter-removed",
            Kind::MemberRemoved {
                side: Side::Response,
            } => "response-field-removed",
            Kind::TypeChanged => "type-changed",
            Kind::PositionChanged => "position-changed",
            Kind::StyleChanged => "style-changed",
            Kind::MadeRequired => "made-required",
            Kind::MadeOptional => "made-optional",
            Kind::EnumValueAdded => "enum-value-added",
            Kind::EnumValueRemoved => "enum-value-removed",
            Kind::Deprecated => "deprecated",
            Kind::Undeprecated => "undeprecated",
            Kind::ErrorAdded => "error-added",
            Kind::ErrorRemoved => "error-removed",
            Kind::ErrorMessageChanged => "error-message-changed",
            Kind::ErrorStatusChanged => "error-status-changed",
            Kind::RamAdded => "ram-added",
            Kind::RamRemoved => "ram-removed",
            Kind::RamActionChanged => "ram-action-changed",
            Kind::RamAccessLevelChanged => "ram-access-level-changed",
            Kind::RamResourceAdded => "ram-resource-added",
            Kind::RamResourceRemoved => "ram-resource-removed",
            Kind::RamConditionKeyAdded => "ram-condition-key-added",
            Kind::RamConditionKeyRemoved => "ram-condition-key-removed",
            Kind::EndpointAdded => "endpoint-added",
            Kind::EndpointRemoved => "endpoint-removed",
            Kind::EndpointChanged => "endpoint-changed",
            Kind::VpcEndpointAdded => "vpc-endpoint-added",
            Kind::VpcEndpointRemoved => "vpc-endpoint-removed",
            Kind::Docs => "docs",
        }
    }

    /// The class, and why, in one line.
    pub fn verdict(self) -> (Class, &'static str) {
        use Class::{Additive, Breaking, Docs};
        match self {
            Kind::OperationAdded => (Additive, "a new client method and module"),
            Kind::OperationRemoved => (Breaking, "its client method and module are gone"),
            Kind::MethodChanged => (Breaking, "the same call is sent with another HTTP method"),
            Kind::PathChanged => (Breaking, "the same call goes to another path"),
            Kind::AuthChanged => (
                Breaking,
                "the same call is signed differently (or not at all)",
            ),
            Kind::ResponseShapeChanged => {
                (Breaking, "the response type holds the answer differently")
            }
            Kind::RetryChanged => (
                Additive,
                "failed attempts are repeated differently; no type changes",
            ),
            Kind::PaginatorAdded => (Additive, "a new `into_paginator()`"),
            Kind::PaginatorRemoved => (Breaking, "`into_paginator()` is gone"),
            Kind::MemberAdded {
                side: Side::Request,
                required: false,
            } => (
                Additive,
                "a new optional setter (request structs take `..Default::default()`)",
            ),
            Kind::MemberAdded {
                side: Side::Request,
                required: true,
            } => (Breaking, "calls that do not set it now fail to build"),
            Kind::MemberAdded {
                side: Side::Response,
                ..
            } => (Additive, "a new field of a `#[non_exhaustive]` response"),
            Kind::MemberRemoved {
                side: Side::Request,
            } => (Breaking, "its setter and field are gone"),
            Kind::MemberRemoved {
                side: Side::Response,
            } => (Breaking, "a field callers may read is gone"),
            Kind::TypeChanged => (
                Breaking,
                "its Rust type changes, and the value goes or comes differently",
            ),
            Kind::PositionChanged => (Breaking, "the same call sends it elsewhere"),
            Kind::StyleChanged => (
                Breaking,
                "the same call serializes it differently on the wire",
            ),
            Kind::MadeRequired => (Breaking, "calls that do not set it now fail to build"),
            Kind::MadeOptional => (Additive, "calls may now leave it unset"),
            Kind::EnumValueAdded => (
                Additive,
                "a new variant of a `#[non_exhaustive]` enum (unknown values are kept)",
            ),
            Kind::EnumValueRemoved => (Breaking, "a variant callers may name is gone"),
            Kind::Deprecated => (Additive, "marked `#[deprecated]`: callers get a warning"),
            Kind::Undeprecated => (Additive, "no longer deprecated"),
            Kind::ErrorAdded => (
                Additive,
                "a new variant of the `#[non_exhaustive]` error enum",
            ),
            Kind::ErrorRemoved => (Breaking, "an error variant callers may match is gone"),
            Kind::ErrorMessageChanged => (Docs, "the documented message only"),
            Kind::ErrorStatusChanged => (Docs, "the documented HTTP status only"),
            Kind::RamAdded => (Additive, "new RAM facts and policy files"),
            Kind::RamRemoved => (Breaking, "the operation's `RAM` constant is gone"),
            Kind::RamActionChanged => (Breaking, "policies written from it allow another action"),
            Kind::RamAccessLevelChanged => {
                (Breaking, "the `RAM` constant says another access level")
            }
            Kind::RamResourceAdded => (Additive, "policies may name one more resource"),
            Kind::RamResourceRemoved => (
                Breaking,
                "policies written from it name a resource the action no longer applies to",
            ),
            Kind::RamConditionKeyAdded => (Additive, "a new condition key"),
            Kind::RamConditionKeyRemoved => (Breaking, "a condition key policies may use is gone"),
            Kind::EndpointAdded => (Additive, "a new region"),
            Kind::EndpointRemoved => (
                Breaking,
                "callers of that region get no endpoint from the new crate (the old one still routes there)",
            ),
            Kind::EndpointChanged => (Breaking, "calls to that region go to another host"),
            Kind::VpcEndpointAdded => (Additive, "a new VPC endpoint"),
            Kind::VpcEndpointRemoved => (
                Breaking,
                "callers of that region's VPC endpoint get none from the new crate",
            ),
            Kind::Docs => (Docs, "documentation only"),
        }
    }
}
