//! The property every spec input must have, whoever wrote it: loading never panics; a refused
//! spec is refused with errors that name one of its files (and a line and column inside it
//! when they give one); an accepted spec generates files that are what they claim to be (Rust
//! that syn parses, JSON that parses).
//!
//! [`check_input`] takes the fuzz target's byte format; [`check_files`] takes named files, as
//! the random specs and the replay of the committed corpus give them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use acs_spec::Diagnostic;

/// Separates the files of a fuzz input. It never occurs in UTF-8, so text files need no
/// escaping, and invalid UTF-8 inside a file is still reachable through other bytes.
pub const FILE_SEPARATOR: u8 = 0xFF;

/// The most operation files a fuzz input is split into; more would only slow the fuzzer down.
pub const MAX_OPERATION_FILES: usize = 8;

/// Where the in-memory files pretend to live, so diagnostics read like real ones.
const SPEC_DIR: &str = "specs/fuzz/2000-01-01";

/// What a spec input came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Loaded and generated; `files` were generated.
    Accepted {
        /// How many files the generator wrote.
        files: usize,
    },
    /// Refused with this many errors, each located as the property requires.
    Refused {
        /// How many errors.
        errors: usize,
    },
}

/// A broken rule, in words: what went wrong and with which file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One spec file by name (`service.yaml`, `overlay.yaml`, `<Operation>.yaml`) and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file name inside the spec folder.
    pub name: String,
    /// Its contents, not necessarily UTF-8.
    pub bytes: Vec<u8>,
}

/// Splits a fuzz input into files: the service file's bytes, then, after each
/// [`FILE_SEPARATOR`], a file name on its own line and that file's bytes. A file named
/// `overlay.yaml` is the overlay; unnamed files, and names no folder can hold, get
/// `Op<N>.yaml`. A name already taken is
/// dropped with its file, as a folder cannot hold two files of one name.
pub fn split_input(data: &[u8]) -> Vec<InputFile> {
    let mut parts = data.split(|b| *b == FILE_SEPARATOR);
    let mut files = vec![InputFile {
        name: acs_spec::SERVICE_FILE.to_owned(),
        bytes: parts.next().unwrap_or_default().to_vec(),
    }];
    for (index, part) in parts.take(MAX_OPERATION_FILES).enumerate() {
        let (name, bytes) = match part.iter().position(|b| *b == b'\n') {
            Some(end) => (&part[..end], &part[end + 1..]),
            None => (part, &[][..]),
        };
        let name = String::from_utf8_lossy(name).trim().to_owned();
        // A name no folder can hold (empty, `.`, `..`, with a `/` or NUL) becomes `Op<N>.yaml`:
        // `a/` would otherwise be the same path as `a`, two files of one name.
        let impossible =
            name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']);
        let name = if impossible {
            format!("Op{index}.yaml")
        } else {
            name
        };
        if files.iter().any(|file| file.name == name) {
            continue;
        }
        files.push(InputFile {
            name,
            bytes: bytes.to_vec(),
        });
    }
    files
}

/// The inverse of [`split_input`], for writing corpus files from named files.
pub fn join_input(files: &[InputFile]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if index > 0 {
            out.push(FILE_SEPARATOR);
            out.extend_from_slice(file.name.as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(&file.bytes);
    }
    out
}

/// [`check_files`] over a fuzz input ([`split_input`]).
pub fn check_input(data: &[u8]) -> Result<Outcome, Violation> {
    check_files(&split_input(data))
}

/// Loads `files` as one spec folder, in memory, and checks the property. The first file is the
/// service file whatever its name; `overlay.yaml` is the overlay; the rest are operations, in
/// name order as a folder listing gives them.
///
/// Panics inside the loader or the generator are not caught: they are what a fuzzer reports.
pub fn check_files(files: &[InputFile]) -> Result<Outcome, Violation> {
    let dir = Path::new(SPEC_DIR);
    let mut read_errors = Vec::new();
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    let mut read = |file: &InputFile| {
        let path = dir.join(&file.name);
        match acs_spec::spec_file_from_bytes(&path, file.bytes.clone()) {
            Ok(spec) => {
                texts.push((spec.path.clone(), spec.text.clone()));
                Some(spec)
            }
            Err(error) => {
                // An encoding error points into the text as far as it is readable.
                texts.push((path, String::from_utf8_lossy(&file.bytes).into_owned()));
                read_errors.push(error);
                None
            }
        }
    };
    let Some((service_file, rest)) = files.split_first() else {
        return Err(Violation("no service file".into()));
    };
    let service = read(service_file);
    let mut overlay = None;
    let mut operations = Vec::new();
    let mut rest: Vec<&InputFile> = rest.iter().collect();
    rest.sort_by(|a, b| a.name.cmp(&b.name));
    for file in rest {
        let spec = read(file);
        if file.name == acs_spec::OVERLAY_FILE {
            overlay = spec;
        } else {
            operations.extend(spec);
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.name)).collect();
    if !read_errors.is_empty() {
        check_located(&read_errors, &paths, &texts)?;
        return Ok(Outcome::Refused {
            errors: read_errors.len(),
        });
    }
    let service = service.expect("no read errors, so the service file was read");
    match acs_spec::load_service_with_overlay(&service, &operations, overlay.as_ref()) {
        Err(errors) => {
            if errors.diagnostics.is_empty() {
                return Err(Violation("refused with no error at all".into()));
            }
            check_located(&errors.diagnostics, &paths, &texts)?;
            Ok(Outcome::Refused {
                errors: errors.diagnostics.len(),
            })
        }
        Ok(loaded) => {
            check_located(&loaded.warnings, &paths, &texts)?;
            let generated = acs_codegen::generate_service(&loaded.service, SPEC_DIR);
            check_generated(&generated)?;
            Ok(Outcome::Accepted {
                files: generated.len(),
            })
        }
    }
}

/// Every diagnostic names one of the input files, says something, and when it has a line and
/// column they lie inside that file (a column may stand just past a line's end, where a
/// missing value would go). One with a field path has a line and column: the path is in a
/// document that parsed, so the loader knows where it is.
fn check_located(
    diagnostics: &[Diagnostic],
    paths: &[PathBuf],
    texts: &[(PathBuf, String)],
) -> Result<(), Violation> {
    for diagnostic in diagnostics {
        let shown = diagnostic.to_string();
        if !paths.contains(&diagnostic.file) {
            return Err(Violation(format!(
                "names a file that is not in the spec: {shown}"
            )));
        }
        if diagnostic.message.trim().is_empty() {
            return Err(Violation(format!("says nothing: {shown}")));
        }
        if !shown.starts_with(&diagnostic.file.display().to_string()) {
            return Err(Violation(format!("does not start with its file: {shown}")));
        }
        let text = texts
            .iter()
            .find(|(path, _)| *path == diagnostic.file)
            .map(|(_, text)| text.as_str());
        match (diagnostic.location, text) {
            (None, Some(_)) if !diagnostic.field_path.is_empty() => {
                return Err(Violation(format!(
                    "has a field path but no line and column: {shown}"
                )));
            }
            (Some(location), text) => {
                let text = text.unwrap_or_default();
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let line = acs_spec::source::lines(text).nth(location.line.wrapping_sub(1));
                let fits = location.line >= 1
                    && location.column >= 1
                    && line.is_some_and(|line| location.column <= line.chars().count() + 1);
                if !fits {
                    return Err(Violation(format!(
                        "points outside its file ({} lines): {shown}",
                        acs_spec::source::lines(text).count()
                    )));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Generated Rust parses as a file (after prettyplease printed it, so this checks the printed
/// text, not only the tokens the generator built), and generated JSON as JSON.
fn check_generated(files: &[acs_codegen::GeneratedFile]) -> Result<(), Violation> {
    let mut problems = String::new();
    for file in files {
        let path = file.path.display();
        match file.path.extension().and_then(|e| e.to_str()) {
            Some("rs") => {
                if let Err(error) = syn::parse_file(&file.contents) {
                    let _ = writeln!(problems, "generated {path} does not parse: {error}");
                }
            }
            Some("json") => {
                if let Err(error) = serde_json::from_str::<serde_json::Value>(&file.contents) {
                    let _ = writeln!(problems, "generated {path} is not JSON: {error}");
                }
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Violation(problems))
    }
}
