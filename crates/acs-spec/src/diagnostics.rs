//! Errors, warnings and notes about spec files, each naming the file, the field path and a
//! line and column, so a user can jump straight to the problem.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The spec cannot be used.
    Error,
    /// The spec is used, with a documented fallback.
    Warning,
    /// A fact of the spec worth knowing when it is imported or changed, recorded in the
    /// generated code (so `cargo xtask codegen` need not repeat it on every run).
    Note,
}

/// One problem found in a spec file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// The spec file.
    pub file: PathBuf,
    /// Where in the file; `None` when the problem concerns the file as a whole.
    pub location: Option<Location>,
    /// Error, warning or note.
    pub severity: Severity,
    /// Field path inside the document, such as `parameters[1].type`; empty for the document.
    pub field_path: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location` in `file`.
    pub fn error(
        file: &Path,
        location: Option<Location>,
        field_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            location,
            severity: Severity::Error,
            field_path: field_path.into(),
            message: message.into(),
        }
    }

    /// A warning at `location` in `file`.
    pub fn warning(
        file: &Path,
        location: Option<Location>,
        field_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(file, location, field_path, message)
        }
    }

    /// Whether this is an error (rather than a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// What is wrong and where inside the document, without the file: ``at `path`: message``,
    /// or the message alone for the whole document.
    pub fn detail(&self) -> String {
        if self.field_path.is_empty() {
            self.message.clone()
        } else {
            format!("at `{}`: {}", self.field_path, self.message)
        }
    }
}

/// `file:line:col: error: at `path`: message`, the shape compilers use so editors and terminals
/// turn it into a link.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(location) = self.location {
            write!(f, ":{}:{}", location.line, location.column)?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, ": {severity}: {}", self.detail())
    }
}

/// Every error found in a set of spec files (warnings travel with the successful result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors {
    /// The errors, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecErrors {
    /// Sorts the diagnostics so output does not depend on the order checks ran in.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort();
        diagnostics.dedup();
        SpecErrors { diagnostics }
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.diagnostics {
            writeln!(f, "{diagnostic}")?;
        }
        let count = self.diagnostics.len();
        write!(
            f,
            "{count} error{} in spec files",
            if count == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for SpecErrors {}
