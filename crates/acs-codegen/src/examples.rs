//! The doc examples of a generated crate: a complete call at the top of its docs, and a test
//! through the mock client in its `test_util` module. Both call the first operation whose
//! required parameters are all scalars, with their documented examples; both are compiled as
//! doctests.

use acs_spec::ir::{Operation, Service, TypeRef};
use acs_spec::names::generated;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

use crate::docs;
use crate::operation::OperationTypes;

/// The operation the examples call.
fn example_operation(service: &Service) -> Option<&Operation> {
    service
        .operations
        .iter()
        .find(|op| op.required_params().all(|p| p.ty.is_scalar()) && !op.deprecated)
}

/// `client.<op>().<required>(<example>)…`, one call per line, ending before `.send()`.
fn builder_chain(op: &Operation, client: &str) -> String {
    let mut call = format!("{client}\n    .{}()", op.names.snake);
    for param in op.required_params() {
        let example = param.docs.example.as_deref().map(str::trim).unwrap_or("");
        let value = match &param.ty {
            TypeRef::String => format!("{:?}", if example.is_empty() { "…" } else { example }),
            TypeRef::Boolean => "true".to_owned(),
            TypeRef::Int32 | TypeRef::Int64 => example
                .parse::<i64>()
                .map_or_else(|_| "1".to_owned(), |n| n.to_string()),
            _ => example
                .parse::<f64>()
                .map_or_else(|_| "1.0".to_owned(), |n| format!("{n:?}")),
        };
        call.push_str(&format!("\n    .{}({value})", param.ident));
    }
    call
}

fn crate_name(service: &Service) -> String {
    service.package_name.replace('-', "_")
}

/// The crate docs' example: one complete call.
pub fn crate_example(service: &Service) -> Option<String> {
    let op = example_operation(service)?;
    let crate_name = crate_name(service);
    let call = builder_chain(op, "client");
    Some(format!(
        "```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\nlet config = {crate_name}::Config::new(\"cn-hangzhou\");\nlet client = {crate_name}::Client::new(&config)?;\nlet response = {call}\n    .send()\n    .await?;\nprintln!(\"{{response:?}}\");\n# Ok(())\n# }}\n```"
    ))
}

/// `pub mod test_util` (feature `test-util`): the runtime's mock client, with an example.
pub struct TestUtil<'a>(pub &'a Service);

impl ToTokens for TestUtil<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let service = self.0;
        let mut text = vec![
            "Test support (the `test-util` feature, off by default): a client that answers from rules instead of a server, so code calling this service is tested without one. Requests are still written by the generated code and recorded; raw HTTP answers are decoded by the real client. See `acs_runtime::mock`.".to_owned(),
        ];
        if let Some(op) = example_operation(service) {
            let crate_name = crate_name(service);
            // The path, not the file name: `r#async` stays raw (found by compile-batch).
            let module = &op.names.snake;
            let request = OperationTypes::new(op).request;
            let call = builder_chain(op, "client").replace('\n', "\n    ");
            text.push(format!(
                "```\nuse {crate_name}::operation::{module}::{request};\nuse {crate_name}::prelude::OperationError;\nuse {crate_name}::test_util::{{Mock, Rule}};\n\n# #[tokio::main(flavor = \"current_thread\")]\n# async fn main() -> Result<(), Box<dyn std::error::Error>> {{\nlet mock = Mock::new([\n    Rule::of::<{request}>().then_output(Default::default),\n    Rule::of::<{request}>().then_service_error(403, \"Forbidden.RAM\", \"denied\"),\n]);\nlet client = {crate_name}::Client::new(&mock.config())?;\nlet call = || {{\n    {call}\n}};\ncall().send().await?;\nlet error = call().send().await.unwrap_err();\nassert_eq!(error.into_service_error().map(|e| e.code().to_owned()).as_deref(), Some(\"Forbidden.RAM\"));\nassert_eq!(mock.calls().len(), 2);\n# Ok(())\n# }}\n```"
            ));
        }
        let docs = docs::doc_attrs(&docs::paragraphs(text));
        let module = format_ident!("{}", generated::TEST_UTIL_MODULE);
        tokens.extend(quote! {
            #docs
            #[cfg(feature = "test-util")]
            pub mod #module {
                pub use acs_runtime::mock::{Call, Mock, Rule, RuleBuilder};
            }
        });
    }
}
