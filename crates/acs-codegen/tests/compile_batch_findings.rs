//! Generated code that `cargo xtask compile-batch` found refused by the compiler or clippy,
//! checked on the generated text (the batch itself is too slow for `cargo test`).

use acs_spec::SpecFile;

fn generate(operation: &str) -> Vec<acs_codegen::GeneratedFile> {
    let service = SpecFile {
        path: "service.yaml".into(),
        text: "product: x\ntitle: X\napi_version: \"2000-01-01\"\nstyle: rpc\n".into(),
    };
    let operation = SpecFile {
        path: "Async.yaml".into(),
        text: operation.into(),
    };
    let loaded = acs_spec::load_service(&service, &[operation]).expect("the spec is valid");
    acs_codegen::generate_service(&loaded.service, "specs/x/2000-01-01")
}

fn file<'a>(files: &'a [acs_codegen::GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path.to_str() == Some(path))
        .unwrap_or_else(|| panic!("{path} is generated"))
        .contents
}

#[test]
fn the_mock_example_names_a_keyword_module_raw() {
    let files = generate(
        "name: Async\nsummary: s\nmethods: [get]\nparameters:\n  - name: Id\n    in: query\n    type: string\n    required: true\n",
    );
    // `operation::async` does not parse: the doc test failed to compile.
    let lib = file(&files, "src/lib.rs");
    assert!(lib.contains("::operation::r#async::AsyncRequest;"), "{lib}");
}

#[test]
fn deeply_nested_members_let_type_complexity_yield() {
    let deep = "name: Async\nsummary: s\nmethods: [get]\nparameters:\n  - name: M\n    in: query\n    type: map\n    items:\n      type: map\n      items:\n        type: map\n        items:\n          type: int64\n";
    let module = "src/operation/async.rs";
    assert!(file(&generate(deep), module).contains("#![allow(clippy::type_complexity)]"));
    let shallow = "name: Async\nsummary: s\nmethods: [get]\nparameters:\n  - name: M\n    in: query\n    type: map\n    items:\n      type: int64\n";
    assert!(!file(&generate(shallow), module).contains("type_complexity"));
}

#[test]
fn what_an_unused_named_type_uses_is_encoded_for_requests_too() {
    // `Holder` is used by no operation, so it is generated for both sides; `Kind`, which only
    // a response uses, must then be encodable in requests as well, or the crate does not
    // compile (E0277, `WireValue` not implemented).
    let service = SpecFile {
        path: "service.yaml".into(),
        text: "product: x\ntitle: X\napi_version: \"2000-01-01\"\nstyle: rpc\ntypes:\n  - name: Kind\n    type: enum\n    values:\n      - value: A\n  - name: Holder\n    type: object\n    fields:\n      - name: K\n        type: enum\n        ref: Kind\n".into(),
    };
    let operation = SpecFile {
        path: "Get.yaml".into(),
        text: "name: Get\nsummary: s\nmethods: [get]\nresponse:\n  - name: K\n    type: enum\n    ref: Kind\n".into(),
    };
    let loaded = acs_spec::load_service(&service, &[operation]).expect("the spec is valid");
    for def in &loaded.service.types {
        let sides = match def {
            acs_spec::ir::TypeDef::Struct(def) => def.sides,
            acs_spec::ir::TypeDef::Enum(def) => def.sides,
        };
        assert!(sides.request && sides.response, "{}: {sides:?}", def.name());
    }
}
