//! The names the generated code gives its own items are exactly the ones acs-spec reserves
//! (`acs_spec::names::generated`), so no spec name can collide with them: every inherent
//! method of every generated builder and client, and every Cargo feature, is either made from
//! a spec name or listed there. A method added to the generator without reserving its name
//! fails this test.

use std::collections::BTreeSet;

use acs_spec::names::generated;

/// Inherent methods of `impl` blocks whose self type's name satisfies `is_target`, per file.
fn inherent_methods(source: &str, is_target: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let file = syn::parse_file(source).expect("generated files parse");
    let mut methods = BTreeSet::new();
    for item in file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(path) = &*block.self_ty else {
            continue;
        };
        let name = path.path.segments.last().unwrap().ident.to_string();
        if !is_target(&name) {
            continue;
        }
        for member in block.items {
            if let syn::ImplItem::Fn(function) = member {
                methods.insert(function.sig.ident.unraw().to_string());
            }
        }
    }
    methods
}

fn generated_crates() -> Vec<(std::path::PathBuf, acs_spec::ir::Service)> {
    let root = xtask::workspace_root();
    let mut crates = Vec::new();
    for (specs, out) in xtask::SPEC_ROOTS {
        for dir in xtask::spec_dirs(&root.join(specs)).unwrap() {
            let service = acs_spec::load_service_dir(&dir).unwrap().service;
            crates.push((root.join(out).join(&service.package_name), service));
        }
    }
    crates
}

use syn::ext::IdentExt as _;

#[test]
fn builder_methods_are_setters_or_reserved() {
    for (dir, service) in generated_crates() {
        for op in &service.operations {
            let file = dir.join(format!("src/operation/{}.rs", op.names.bare_snake));
            let source = std::fs::read_to_string(&file).unwrap();
            let builder = &op.names.builder;
            let methods = inherent_methods(&source, |name| name == builder.as_str());
            let setters: BTreeSet<String> = op
                .params
                .iter()
                .map(|p| p.ident.trim_start_matches("r#").to_owned())
                .collect();
            for method in &methods {
                assert!(
                    setters.contains(method)
                        || generated::BUILDER_METHODS.contains(&method.as_str()),
                    "{}: `{builder}::{method}` is neither a setter nor reserved in names::generated::BUILDER_METHODS",
                    file.display()
                );
            }
            assert!(methods.contains(generated::BUILD), "{}", file.display());
            let request = &op.names.request;
            for method in inherent_methods(&source, |name| name == request.as_str()) {
                assert!(
                    generated::REQUEST_METHODS.contains(&method.as_str()),
                    "{}: `{request}::{method}` is not reserved in names::generated::REQUEST_METHODS",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn client_methods_are_operations_or_reserved() {
    for (dir, service) in generated_crates() {
        let source = std::fs::read_to_string(dir.join("src/client.rs")).unwrap();
        let methods = inherent_methods(&source, |name| name == "Client");
        let operations: BTreeSet<String> = service
            .operations
            .iter()
            .map(|op| op.names.bare_snake.clone())
            .collect();
        for method in &methods {
            assert!(
                operations.contains(method) || generated::CLIENT_METHODS.contains(&method.as_str()),
                "{}: `Client::{method}` is neither an operation nor reserved",
                dir.display()
            );
        }
    }
}

#[test]
fn cargo_features_are_operations_or_reserved() {
    for (dir, service) in generated_crates() {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let features = manifest
            .split("[features]")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap();
        let operations: BTreeSet<&str> = service
            .operations
            .iter()
            .map(|op| op.names.feature.as_str())
            .collect();
        for line in features.lines().filter(|l| l.contains('=')) {
            let feature = line.split('=').next().unwrap().trim();
            assert!(
                operations.contains(feature) || generated::CRATE_FEATURES.contains(&feature),
                "{}: feature `{feature}` is neither an operation nor reserved",
                dir.display()
            );
        }
    }
}
