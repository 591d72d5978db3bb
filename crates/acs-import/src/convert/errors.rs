//! An operation's documented error codes, each once, each a distinct Rust variant.

use std::collections::BTreeMap;

use acs_spec::model::ErrorSpec;
use acs_spec::names;

use crate::notes::Notes;
use crate::openmeta::{self, Api};

/// The error codes by HTTP status (200: in a successful answer's body), in document order.
pub(crate) fn convert_errors(api: &Api, notes: &mut Notes) -> Vec<ErrorSpec> {
    let mut errors: Vec<ErrorSpec> = Vec::new();
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for (status, list) in &api.error_codes {
        let http_status = match status.parse::<u16>() {
            // Errors documented under 200 are business errors in a successful response body.
            Ok(200) => None,
            Ok(code) => Some(code),
            Err(_) => {
                notes.warn(
                    "",
                    format!("error codes under HTTP status `{status}` have no exact status"),
                );
                None
            }
        };
        let list: Vec<openmeta::ErrorCode> =
            serde_json::from_value(list.clone()).unwrap_or_default();
        for entry in list {
            let code = entry.error_code.trim().to_owned();
            if code.is_empty() {
                continue;
            }
            if let Some(first) = errors.iter().find(|e| e.code == code) {
                if first.http_status != http_status {
                    notes.warn(
                        "",
                        format!(
                            "error code `{code}` is listed under HTTP {} and {}; kept the first",
                            status_text(first.http_status),
                            status_text(http_status)
                        ),
                    );
                }
                continue;
            }
            let variant = names::upper_camel_ident(&code);
            if variant == "Unhandled" {
                notes.warn(
                    "",
                    format!(
                        "error code `{code}` would take the reserved variant `Unhandled`; dropped"
                    ),
                );
                continue;
            }
            if let Some(other) = variants.insert(variant.clone(), code.clone()) {
                variants.insert(variant.clone(), other.clone());
                notes.warn(
                    "",
                    format!(
                        "error codes `{other}` and `{code}` both become the Rust variant `{variant}`; dropped `{code}`"
                    ),
                );
                continue;
            }
            errors.push(ErrorSpec {
                code,
                http_status,
                message: Some(entry.error_message.trim().to_owned()).filter(|m| !m.is_empty()),
                description: Some(entry.description.trim().to_owned()).filter(|d| !d.is_empty()),
            });
        }
    }
    errors
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "200 (in the body)".to_owned(), |s| s.to_string())
}
