//! The safety net: whatever is written passes the spec checks, so the generator never fails on
//! an imported folder. The converted models are lowered as they are (no text in between);
//! operations the checks find errors in are refused with the checks' words.

use acs_spec::model::{OperationSpec, ServiceSpec};
use acs_spec::{Diagnostic, LoweredModels};

use crate::{ImportError, Refusal, RefusalReason};

/// The service and operations that pass the checks, with repeated structures shared.
pub(crate) struct Checked {
    pub(crate) service: ServiceSpec,
    pub(crate) operations: Vec<OperationSpec>,
    /// Operations with errors.
    pub(crate) refused: Vec<Refusal>,
    /// What the checks warn about in the operations written.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Refuses the operations with errors, then declares repeated structures as named types
/// (only among operations that are written) and checks the result again for its warnings.
pub(crate) fn checked(
    mut service: ServiceSpec,
    operations: Vec<OperationSpec>,
) -> Result<Checked, ImportError> {
    let lowered = acs_spec::lower_models(&service, &operations);
    service_must_load(&lowered)?;
    let (mut operations, refused): (Vec<_>, Vec<_>) = operations
        .into_iter()
        .partition(|op| !lowered.operation_has_errors(&op.name));
    let refused = refused
        .iter()
        .map(|op| Refusal {
            operation: op.name.clone(),
            reason: RefusalReason::Invalid,
            message: format!(
                "the converted spec would not load: {}",
                details(&lowered.operation_diagnostics[&op.name])
            ),
        })
        .collect();
    crate::shared::share_repeated_structures(&mut service.types, &mut operations);
    let lowered = acs_spec::lower_models(&service, &operations);
    service_must_load(&lowered)?;
    if let Some((name, found)) = lowered
        .operation_diagnostics
        .iter()
        .find(|(name, _)| lowered.operation_has_errors(name))
    {
        return Err(ImportError::Invalid(format!(
            "sharing repeated structures broke `{name}` (a bug in the importer): {}",
            details(found)
        )));
    }
    let warnings = lowered
        .service_diagnostics
        .into_iter()
        .chain(lowered.operation_diagnostics.into_values().flatten())
        .collect();
    Ok(Checked {
        service,
        operations,
        refused,
        warnings,
    })
}

fn service_must_load(lowered: &LoweredModels) -> Result<(), ImportError> {
    let errors: Vec<&Diagnostic> = lowered.service_errors().collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ImportError::Invalid(format!(
        "the service would not load: {}",
        errors
            .iter()
            .map(|d| d.detail())
            .collect::<Vec<_>>()
            .join("; ")
    )))
}

/// The errors among `found`, each with where it is, in one line.
fn details(found: &[Diagnostic]) -> String {
    found
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::detail)
        .collect::<Vec<_>>()
        .join("; ")
}
