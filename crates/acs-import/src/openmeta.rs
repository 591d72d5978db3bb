//! Lenient serde structs for Alibaba Cloud OpenMeta `api-docs.json` files and the
//! single-operation extracts cut from them (`apiName`, `api`, `components`, `endpoints`, `ram`).
//!
//! Unknown fields are ignored and every field is optional: a field of an unexpected type (a
//! number written as a string, `null` for a list) falls back to its default instead of failing
//! the whole file. Schemas stay `serde_json::Value`s; the converter reads them key by key.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

/// Deserializes any JSON value, keeping `T`'s default when it does not fit `T`.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        // Numbers and booleans where a string is expected: keep their text.
        Value::Number(_) | Value::Bool(_) => {
            serde_json::from_value(Value::String(value.to_string())).unwrap_or_default()
        }
        other => serde_json::from_value(other).unwrap_or_default(),
    })
}

/// A whole `api-docs.json`, or a single-operation extract.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Document {
    #[serde(deserialize_with = "lenient")]
    pub info: Info,
    #[serde(deserialize_with = "lenient")]
    pub components: Components,
    /// Operation name → operation object (document order).
    #[serde(deserialize_with = "lenient")]
    pub apis: Map<String, Value>,
    #[serde(deserialize_with = "lenient")]
    pub endpoints: Vec<Value>,
    #[serde(deserialize_with = "lenient")]
    pub ram: Option<Ram>,
    /// Extracts only: the operation's name.
    #[serde(deserialize_with = "lenient")]
    pub api_name: Option<String>,
    /// Extracts only: the operation object.
    #[serde(deserialize_with = "lenient")]
    pub api: Option<Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Info {
    #[serde(deserialize_with = "lenient")]
    pub style: String,
    #[serde(deserialize_with = "lenient")]
    pub product: String,
    #[serde(deserialize_with = "lenient")]
    pub version: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Components {
    #[serde(deserialize_with = "lenient")]
    pub schemas: Map<String, Value>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Endpoint {
    #[serde(deserialize_with = "lenient")]
    pub region_id: String,
    #[serde(deserialize_with = "lenient")]
    pub public: String,
    #[serde(deserialize_with = "lenient")]
    pub endpoint: String,
    #[serde(deserialize_with = "lenient")]
    pub vpc: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Ram {
    #[serde(deserialize_with = "lenient")]
    pub product_code: String,
    #[serde(deserialize_with = "lenient")]
    pub product_name: String,
    #[serde(deserialize_with = "lenient")]
    pub ram_codes: Vec<String>,
    #[serde(deserialize_with = "lenient")]
    pub resource_types: Vec<ResourceType>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceType {
    #[serde(deserialize_with = "lenient")]
    pub resource_type: String,
    #[serde(deserialize_with = "lenient")]
    pub arn: String,
}

/// One operation (`apis[name]`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Api {
    #[serde(deserialize_with = "lenient")]
    pub title: String,
    #[serde(deserialize_with = "lenient")]
    pub summary: String,
    #[serde(deserialize_with = "lenient")]
    pub description: String,
    #[serde(deserialize_with = "lenient")]
    pub methods: Vec<String>,
    #[serde(deserialize_with = "lenient")]
    pub path: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub consumes: Vec<String>,
    #[serde(deserialize_with = "lenient")]
    pub produces: Vec<String>,
    #[serde(deserialize_with = "lenient")]
    pub operation_type: Option<String>,
    /// `true`, `false` or (rarely) a string.
    pub deprecated: Value,
    #[serde(deserialize_with = "lenient")]
    pub system_tags: SystemTags,
    /// `{name, in, style?, schema}` objects, kept raw so duplicates can be compared.
    #[serde(deserialize_with = "lenient")]
    pub parameters: Vec<Value>,
    #[serde(deserialize_with = "lenient")]
    pub responses: Map<String, Value>,
    /// HTTP status → list of `{errorCode, errorMessage, description}`.
    #[serde(deserialize_with = "lenient")]
    pub error_codes: Map<String, Value>,
    #[serde(deserialize_with = "lenient")]
    pub ram_actions: Vec<RamActionEntry>,
    /// Alternative authentication schemes, each `{"<scheme>": []}` (`AK`, `Anonymous`, …).
    #[serde(deserialize_with = "lenient")]
    pub security: Vec<Map<String, Value>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SystemTags {
    #[serde(deserialize_with = "lenient")]
    pub operation_type: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Parameter {
    #[serde(deserialize_with = "lenient")]
    pub name: String,
    #[serde(rename = "in", deserialize_with = "lenient")]
    pub position: String,
    #[serde(deserialize_with = "lenient")]
    pub style: Option<String>,
    pub schema: Value,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ErrorCode {
    #[serde(deserialize_with = "lenient")]
    pub error_code: String,
    #[serde(deserialize_with = "lenient")]
    pub error_message: String,
    #[serde(deserialize_with = "lenient")]
    pub description: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RamActionEntry {
    #[serde(deserialize_with = "lenient")]
    pub operation_type: String,
    #[serde(deserialize_with = "lenient")]
    pub ram_action: RamAction,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RamAction {
    #[serde(deserialize_with = "lenient")]
    pub action: String,
    #[serde(deserialize_with = "lenient")]
    pub action_conditions: Vec<ActionCondition>,
    #[serde(deserialize_with = "lenient")]
    pub resources: Vec<ResourceType>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ActionCondition {
    #[serde(deserialize_with = "lenient")]
    pub condition_key: String,
}
