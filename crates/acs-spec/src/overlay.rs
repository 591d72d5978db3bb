//! `overlay.yaml`: local corrections applied on top of imported spec files.
//!
//! `cargo xtask import` rewrites `service.yaml` and the operation files from Alibaba's
//! metadata; corrections that must survive a re-import live in `overlay.yaml` in the same
//! folder, which the importer never writes:
//!
//! ```yaml
//! service:                      # merged into service.yaml
//!   title: Database Backup (DBS)
//! operations:
//!   StartBackupPlan:            # merged into StartBackupPlan.yaml
//!     summary: This operation starts a DBS backup plan.
//!     parameters:               # a mapping: patches by parameter name
//!       ClientToken:
//!         idempotency_token: false
//!     errors:                   # a mapping: patches by error code; new codes are appended
//!       Param.NotFound:
//!         message: The specified parameter %s value is not valid.
//!       Request.Forbidden: null # null removes
//! ```
//!
//! Patches follow JSON merge patch (RFC 7396) at the level of parsed documents: a mapping is
//! merged key by key, `null` removes a key, anything else (including a list) replaces the value.
//! One addition: under `parameters`, `response` and `errors` (and an object's nested `fields`),
//! a mapping instead of a list patches the elements by `name` (`code` for errors); a name the
//! list does not have appends a new element, `null` removes one.
//!
//! The overlay is applied before the schema check, so a patched value that breaks the format is
//! reported at its line and column in `overlay.yaml`; problems in untouched nodes keep their
//! positions in the patched file.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostics::{Diagnostic, Location};
use crate::source::{FieldPath, SourceDocument};

/// The overlay file of a spec folder.
pub const OVERLAY_FILE: &str = "overlay.yaml";

/// A parsed overlay.
#[derive(Debug)]
pub(crate) struct Overlay {
    file: PathBuf,
    source: SourceDocument,
}

/// Where the patched values of one document came from: (path in the document, path in the
/// overlay), for values the overlay inserted or replaced.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    entries: Vec<(FieldPath, FieldPath)>,
}

impl Origins {
    /// The overlay location of `path` when the overlay supplied the value there.
    pub(crate) fn locate<'o>(
        &self,
        overlay: Option<&'o Overlay>,
        path: &FieldPath,
        at_key: bool,
    ) -> Option<(&'o Path, Option<Location>)> {
        let overlay = overlay?;
        let (doc_prefix, overlay_prefix) = self
            .entries
            .iter()
            .filter(|(doc, _)| path.0.starts_with(&doc.0))
            .max_by_key(|(doc, _)| doc.0.len())?;
        let mut segments = overlay_prefix.0.clone();
        segments.extend_from_slice(&path.0[doc_prefix.0.len()..]);
        let in_overlay = FieldPath(segments);
        let location = if at_key {
            overlay.source.key_location(&in_overlay)
        } else {
            overlay.source.value_location(&in_overlay)
        };
        Some((overlay.file.as_path(), location))
    }
}

impl Origins {
    /// Whether the overlay supplied nothing in this document.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Points `diagnostic` (reported in the patched document, at a value) into the overlay
    /// when the overlay supplied the value at its field path. Used for problems the lowering
    /// finds after the schema check.
    pub(crate) fn relocate(&self, overlay: &Overlay, diagnostic: &mut Diagnostic) {
        let path = parse_field_path(&diagnostic.field_path);
        if let Some((file, location)) = self.locate(Some(overlay), &path, false) {
            diagnostic.file = file.to_path_buf();
            diagnostic.location = location;
        } else if let Some((_, inside)) = self
            .entries
            .iter()
            .find(|(doc, _)| doc.0.starts_with(&path.0))
        {
            // The node was patched inside: say where, since the fix is probably there.
            let location = overlay
                .source
                .key_location(inside)
                .map(|l| format!(":{}:{}", l.line, l.column))
                .unwrap_or_default();
            diagnostic.message.push_str(&format!(
                " (`{inside}` is set by {}{location})",
                overlay.file.display()
            ));
        }
    }
}

/// Reads a rendered field path (`parameters[1].items.type`) back into segments. Paths in
/// spec documents name model keys, which hold no `.` or `[`.
fn parse_field_path(text: &str) -> FieldPath {
    let mut path = FieldPath::default();
    if text.is_empty() {
        return path;
    }
    for part in text.split('.') {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next()
            && !key.is_empty()
        {
            path = path.key(key);
        }
        for index in pieces {
            match index.trim_end_matches(']').parse() {
                Ok(index) => path = path.index(index),
                Err(_) => return path,
            }
        }
    }
    path
}

/// Element keys of the lists that a mapping can patch by name.
fn list_key(list: &str) -> Option<&'static str> {
    match list {
        "parameters" | "response" | "fields" => Some("name"),
        "errors" => Some("code"),
        _ => None,
    }
}

impl Overlay {
    /// Parses `text` and checks its outline; `operations` are the operation names of the
    /// folder. Problems go to `diagnostics`; `None` when the overlay cannot be used.
    pub(crate) fn parse(
        file: &Path,
        text: &str,
        operations: &[String],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Overlay> {
        // The same text rules as every spec file (a BOM dropped, NUL refused): the overlay
        // skipped them until the random specs put a NUL in one.
        let text = match crate::source::checked_text(file, text) {
            Ok(text) => text,
            Err(error) => {
                diagnostics.push(error);
                return None;
            }
        };
        let source = match crate::source::parse_document(file, text) {
            Ok(source) => source,
            Err(error) => {
                diagnostics.push(error);
                return None;
            }
        };
        let root = FieldPath::default();
        let before = diagnostics.len();
        let mut error = |path: &FieldPath, at_key: bool, message: String| {
            let location = if at_key {
                source.key_location(path)
            } else {
                source.value_location(path)
            };
            diagnostics.push(Diagnostic::error(file, location, path.to_string(), message));
        };
        match &source.value {
            Value::Null => {}
            Value::Object(map) => {
                for (key, value) in map {
                    let path = root.key(key);
                    match (key.as_str(), value) {
                        ("service", Value::Object(_) | Value::Null) => {}
                        ("operations", Value::Null) => {}
                        ("operations", Value::Object(ops)) => {
                            for (name, patch) in ops {
                                let op_path = path.key(name);
                                if !operations.contains(name) {
                                    // Operation names are long: a fifth of one mistyped is
                                    // still a likely slip.
                                    let edits = (name.chars().count() / 5).max(1);
                                    let suggestion =
                                        crate::schema::closest(name, operations, edits)
                                            .map(|known| format!(" (did you mean `{known}`?)"))
                                            .unwrap_or_default();
                                    error(
                                        &op_path,
                                        true,
                                        format!(
                                            "the overlay patches operation `{name}`, which has no spec file in this folder{suggestion}"
                                        ),
                                    );
                                } else if !matches!(patch, Value::Object(_) | Value::Null) {
                                    error(
                                        &op_path,
                                        false,
                                        "an operation's patch must be a mapping of its keys".into(),
                                    );
                                }
                            }
                        }
                        ("service" | "operations", _) => {
                            error(&path, false, format!("`{key}` must be a mapping"));
                        }
                        _ => error(
                            &path,
                            true,
                            format!(
                                "unknown key `{key}`: an overlay has `service` and `operations`"
                            ),
                        ),
                    }
                }
            }
            _ => error(
                &root,
                false,
                "an overlay is a mapping with `service` and `operations`".into(),
            ),
        }
        (diagnostics.len() == before).then(|| Overlay {
            file: file.to_path_buf(),
            source,
        })
    }

    /// Applies the service patch (`operation: None`) or an operation's patch to `document`.
    pub(crate) fn apply(
        &self,
        operation: Option<&str>,
        document: &mut Value,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Origins {
        let mut origins = Origins::default();
        let mut at = FieldPath::default();
        let patch = match operation {
            None => {
                at = at.key("service");
                self.source.value.get("service")
            }
            Some(name) => {
                at = at.key("operations").key(name);
                self.source
                    .value
                    .get("operations")
                    .and_then(|ops| ops.get(name))
            }
        };
        // A document that is not a mapping (an empty file, a list, a scalar) is broken where
        // it is: left unpatched, the schema check reports it in its own file. Merging would
        // turn it into a mapping of the overlay's keys and blame the overlay for the rest.
        if !document.is_object() {
            return origins;
        }
        if let Some(patch @ Value::Object(_)) = patch {
            let mut context = Context {
                overlay: self,
                origins: &mut origins,
                diagnostics,
            };
            context.merge(document, patch, &FieldPath::default(), &at);
        }
        origins
    }
}

struct Context<'a> {
    overlay: &'a Overlay,
    origins: &'a mut Origins,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Context<'_> {
    /// RFC 7396 merge of `patch` into `target`, with keyed list patches.
    fn merge(&mut self, target: &mut Value, patch: &Value, doc: &FieldPath, at: &FieldPath) {
        let Value::Object(patch_map) = patch else {
            *target = patch.clone();
            self.origins.entries.push((doc.clone(), at.clone()));
            return;
        };
        if !target.is_object() {
            *target = Value::Object(Map::new());
            self.origins.entries.push((doc.clone(), at.clone()));
        }
        let Value::Object(target_map) = target else {
            unreachable!("made an object above")
        };
        for (key, value) in patch_map {
            let doc_key = doc.key(key);
            let at_key = at.key(key);
            if value.is_null() {
                target_map.remove(key);
                continue;
            }
            if let (Some(id), Value::Object(elements)) = (list_key(key), value) {
                let list = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = list {
                    self.merge_keyed(items, id, elements, &doc_key, &at_key);
                    continue;
                }
            }
            let slot = target_map.entry(key.clone()).or_insert(Value::Null);
            if value.is_object() && slot.is_object() {
                self.merge(slot, value, &doc_key, &at_key);
            } else {
                *slot = value.clone();
                self.origins.entries.push((doc_key, at_key));
            }
        }
    }

    /// Patches list elements by their `id` key (`name` or `code`).
    fn merge_keyed(
        &mut self,
        items: &mut Vec<Value>,
        id: &str,
        elements: &Map<String, Value>,
        doc: &FieldPath,
        at: &FieldPath,
    ) {
        for (name, patch) in elements {
            let at_element = at.key(name);
            let found = items
                .iter()
                .position(|item| item.get(id).and_then(Value::as_str) == Some(name.as_str()));
            match (found, patch) {
                (Some(index), Value::Null) => {
                    items.remove(index);
                }
                (None, Value::Null) => self.error(
                    &at_element,
                    format!("`{name}` is not in the list, so there is nothing to remove"),
                ),
                (Some(index), Value::Object(_)) => {
                    self.merge(&mut items[index], patch, &doc.index(index), &at_element);
                }
                (None, Value::Object(fields)) => {
                    let mut element = Map::new();
                    element.insert(id.to_owned(), Value::String(name.clone()));
                    let mut element = Value::Object(element);
                    let index = items.len();
                    // The whole new element comes from the overlay.
                    self.origins
                        .entries
                        .push((doc.index(index), at_element.clone()));
                    self.merge(
                        &mut element,
                        &Value::Object(fields.clone()),
                        &doc.index(index),
                        &at_element,
                    );
                    items.push(element);
                }
                (_, _) => self.error(
                    &at_element,
                    format!("the patch of `{name}` must be a mapping, or null to remove it"),
                ),
            }
        }
    }

    fn error(&mut self, at: &FieldPath, message: String) {
        let location = self.overlay.source.value_location(at);
        self.diagnostics.push(Diagnostic::error(
            &self.overlay.file,
            location,
            at.to_string(),
            message,
        ));
    }
}
