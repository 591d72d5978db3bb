//! Which product versions a command works on: `PRODUCT@VERSION` names matched against
//! upstream's product list (`add`) or against the spec folders `cargo xtask import` wrote here
//! (`update`, `products`).

use std::path::{Path, PathBuf};

use super::Failure;
use super::source::{self, Product, Resource};

/// A product version to add or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The product code as OpenMeta spells it (`EhpcInstant`).
    pub code: String,
    /// The API version (`2023-07-01`).
    pub version: String,
}

impl Target {
    /// Its spec folder, relative to the workspace root.
    pub fn folder(&self) -> PathBuf {
        Path::new("specs")
            .join(self.code.to_ascii_lowercase())
            .join(&self.version)
    }

    /// `EhpcInstant 2023-07-01`, as messages name it.
    pub(super) fn label(&self) -> String {
        format!("{} {}", self.code, self.version)
    }

    /// Its `api-docs.json`.
    pub(super) fn resource(&self) -> Resource<'_> {
        Resource::ApiDocs {
            code: &self.code,
            version: &self.version,
        }
    }
}

/// Spec folders under `specs/` that `cargo xtask import` wrote, as (product folder, version).
pub fn imported_folders(root: &Path) -> Result<Vec<(String, String)>, String> {
    let specs = root.join("specs");
    if !specs.is_dir() {
        return Ok(Vec::new());
    }
    let mut folders = Vec::new();
    for dir in crate::spec_dirs(&specs)? {
        let service = std::fs::read_to_string(dir.join(acs_spec::SERVICE_FILE))
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let header_says_imported = service
            .lines()
            .take_while(|line| line.starts_with('#'))
            .any(|line| line.contains(acs_import::IMPORT_MARKER));
        let name = |path: &Path| path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let (true, Some(product), Some(version)) = (
            header_says_imported,
            dir.parent().and_then(name),
            name(&dir),
        ) {
            folders.push((product, version));
        }
    }
    Ok(folders)
}

fn find_product<'a>(products: &'a [Product], name: &str) -> Result<&'a Product, String> {
    products
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let close = source::close_matches(name, products.iter().map(|p| p.code.as_str()));
            if close.is_empty() {
                format!("no product `{name}` upstream (`cargo xtask products` lists them)")
            } else {
                format!("no product `{name}` upstream; close: {}", close.join(", "))
            }
        })
}

/// `PRODUCT@VERSION` (or `PRODUCT`, its default version) for `add`: each must exist upstream
/// and not be here yet.
pub fn resolve_add(
    root: &Path,
    products: &[Product],
    names: &[String],
) -> Result<Vec<Target>, Failure> {
    if names.is_empty() {
        return Err(Failure::Arguments(
            "name at least one PRODUCT@VERSION to add".into(),
        ));
    }
    let mut targets = Vec::new();
    for name in names {
        let (product, version) = match name.split_once('@') {
            Some((product, version)) => (product, Some(version)),
            None => (name.as_str(), None),
        };
        let product = find_product(products, product).map_err(Failure::Arguments)?;
        let version = match version.or(product.default_version.as_deref()) {
            Some(version) if product.versions.iter().any(|v| v == version) => version,
            Some(version) => {
                return Err(Failure::Arguments(format!(
                    "{} has no version `{version}` upstream; it has {}",
                    product.code,
                    product.versions.join(", ")
                )));
            }
            None => {
                return Err(Failure::Arguments(format!(
                    "{name}: name a version ({})",
                    product.versions.join(", ")
                )));
            }
        };
        let target = Target {
            code: product.code.clone(),
            version: version.to_owned(),
        };
        if root
            .join(target.folder())
            .join(acs_spec::SERVICE_FILE)
            .is_file()
        {
            return Err(Failure::Arguments(format!(
                "{} is here already ({}); `cargo xtask update {}@{}` takes upstream's changes",
                target.label(),
                target.folder().display(),
                target.code,
                target.version
            )));
        }
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
}

/// An imported product version paired with its product upstream, or with the reason it has
/// none.
pub type Resolved = Result<Target, (Target, String)>;

/// The imported product versions `names` select (`PRODUCT` or `PRODUCT@VERSION`, any case),
/// or all of them; each paired with its product upstream, or the reason it has none.
pub fn resolve_update(
    root: &Path,
    products: &[Product],
    names: &[String],
) -> Result<Vec<Resolved>, Failure> {
    let folders = imported_folders(root).map_err(Failure::Run)?;
    let mut selected: Vec<(String, String)> = Vec::new();
    if names.is_empty() {
        selected = folders.clone();
    }
    for name in names {
        let (product, version) = match name.split_once('@') {
            Some((product, version)) => (product, Some(version)),
            None => (name.as_str(), None),
        };
        let matching: Vec<&(String, String)> = folders
            .iter()
            .filter(|(p, v)| p.eq_ignore_ascii_case(product) && version.is_none_or(|w| w == v))
            .collect();
        if matching.is_empty() {
            let here: Vec<String> = folders.iter().map(|(p, v)| format!("{p}@{v}")).collect();
            return Err(Failure::Arguments(format!(
                "`{name}` is not imported here (imported: {}); `cargo xtask add` adds a product",
                if here.is_empty() {
                    "none".to_owned()
                } else {
                    here.join(", ")
                }
            )));
        }
        for found in matching {
            if !selected.contains(found) {
                selected.push(found.clone());
            }
        }
    }
    Ok(selected
        .into_iter()
        .map(|(folder, version)| match find_product(products, &folder) {
            Ok(product) if product.versions.contains(&version) => Ok(Target {
                code: product.code.clone(),
                version,
            }),
            Ok(product) => Err((
                Target {
                    code: product.code.clone(),
                    version: version.clone(),
                },
                format!(
                    "upstream no longer lists version {version} of {} (it has {})",
                    product.code,
                    product.versions.join(", ")
                ),
            )),
            Err(reason) => Err((
                Target {
                    code: folder,
                    version,
                },
                reason,
            )),
        })
        .collect())
}
