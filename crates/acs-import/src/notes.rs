//! What the importer adapts on the way, as warnings naming the spec file each concerns.

use std::path::PathBuf;

use acs_spec::Diagnostic;

/// Warnings about one document the importer writes (`service.yaml` or `<Operation>.yaml`),
/// each at a path in the metadata (`response.Data[]`, `components.schemas.Tag`, a parameter's
/// name) or at none.
pub(crate) struct Notes {
    file: PathBuf,
    warnings: Vec<Diagnostic>,
}

impl Notes {
    /// Warnings about `service.yaml` (endpoints, shared types).
    pub(crate) fn service() -> Notes {
        Notes::about(PathBuf::from(acs_spec::SERVICE_FILE))
    }

    /// Warnings about the operation named `name`.
    pub(crate) fn operation(name: &str) -> Notes {
        Notes::about(PathBuf::from(format!("{name}.yaml")))
    }

    fn about(file: PathBuf) -> Notes {
        Notes {
            file,
            warnings: Vec::new(),
        }
    }

    /// A warning at `at` (empty: the document as a whole).
    pub(crate) fn warn(&mut self, at: &str, message: impl Into<String>) {
        self.warnings
            .push(Diagnostic::warning(&self.file, None, at, message));
    }

    /// The warnings, in the order they were found.
    pub(crate) fn into_warnings(self) -> Vec<Diagnostic> {
        self.warnings
    }
}
