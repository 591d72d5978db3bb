//! What a call and a regeneration cost apart from the network: request building and parameter
//! serialization, response decoding of a small and a large body, and generating the DBS and CS
//! clients from their specs.

use std::hint::black_box;
use std::path::Path;

use acs_runtime::json;
use acs_runtime::{Operation, RequestParams};
use acs_spec::ir::{self, TypeDef, TypeRef};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value};
use tests::bench_support::{BACKUP_PLAN_ID, BODY};

fn specs() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../specs"))
}

fn serialization(c: &mut Criterion) {
    let mut group = c.benchmark_group("request");
    group.bench_function("start_backup_plan_build_and_write", |b| {
        b.iter(|| {
            let request =
                acs_dbs20190306::operation::start_backup_plan::StartBackupPlanRequest::builder()
                    .backup_plan_id(black_box(BACKUP_PLAN_ID))
                    .client_token(black_box("0d8f0b3e-4c2a-4f6e-9a55-0c9f2b1d7e42"))
                    .build()
                    .expect("built");
            let mut params = RequestParams::default();
            request.write_params(&mut params);
            black_box(params)
        })
    });
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let large = describe_cluster_node_pools_body(100);
    let mut group = c.benchmark_group("decode");
    group.bench_function("start_backup_plan_small", |b| {
        b.iter(|| {
            black_box(
                json::decode::<
                    acs_dbs20190306::operation::start_backup_plan::StartBackupPlanResponse,
                >(black_box(BODY.as_bytes()), None)
                .expect("decoded"),
            )
        })
    });
    group.throughput(criterion::Throughput::Bytes(large.len() as u64));
    group.bench_function("validate_only_large", |b| {
        b.iter(|| json::validate(black_box(large.as_bytes())).expect("JSON"))
    });
    group.bench_function("serde_json_value_large", |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<Value>(black_box(large.as_bytes())).expect("JSON"))
        })
    });
    group.bench_function("describe_cluster_node_pools_large", |b| {
        b.iter(|| {
            black_box(
                json::decode::<acs_cs20151215::operation::describe_cluster_node_pools::DescribeClusterNodePoolsResponse>(
                    black_box(large.as_bytes()),
                    None,
                )
                .expect("decoded"),
            )
        })
    });
    group.finish();
}

fn codegen(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    for (name, dir) in [("dbs", "dbs/2019-03-06"), ("cs", "cs/2015-12-15")] {
        let dir = specs().join(dir);
        group.bench_function(name, |b| {
            b.iter(|| {
                let loaded = acs_spec::load_service_dir(&dir).expect("the spec loads");
                black_box(acs_codegen::generate_service(&loaded.service, "specs"))
            })
        });
    }
    group.finish();
}

/// A DescribeClusterNodePools answer with `pools` node pools, every member filled from the
/// spec's examples: the shape and size of a real answer of a large cluster.
fn describe_cluster_node_pools_body(pools: usize) -> String {
    let loaded =
        acs_spec::load_service_dir(&specs().join("cs/2015-12-15")).expect("the CS spec loads");
    let service = &loaded.service;
    let operation = service
        .operations
        .iter()
        .find(|operation| operation.name == "DescribeClusterNodePools")
        .expect("the operation is in the spec");
    let body = Synthesis {
        service,
        operation,
        items: pools,
    }
    .object(&operation.response, 0);
    let text = body.to_string();
    assert!(text.len() > 100_000, "a large body: {} bytes", text.len());
    text
}

struct Synthesis<'a> {
    service: &'a ir::Service,
    operation: &'a ir::Operation,
    /// Items of the outermost lists; nested lists get two.
    items: usize,
}

impl Synthesis<'_> {
    fn object(&self, fields: &[ir::Field], depth: usize) -> Value {
        let members: Map<String, Value> = fields
            .iter()
            .map(|field| {
                let value = self.value(&field.ty, field.docs.example.as_deref(), depth);
                (field.wire_name.clone(), value)
            })
            .collect();
        Value::Object(members)
    }

    fn value(&self, ty: &TypeRef, example: Option<&str>, depth: usize) -> Value {
        let example = example.unwrap_or_default();
        match ty {
            TypeRef::String | TypeRef::Any | TypeRef::Bytes => Value::from(example),
            TypeRef::Int32 | TypeRef::Int64 => Value::from(example.parse::<i64>().unwrap_or(3)),
            TypeRef::Float | TypeRef::Double => Value::from(example.parse::<f64>().unwrap_or(0.5)),
            TypeRef::Boolean => Value::from(example == "true"),
            TypeRef::List(item) => {
                let count = if depth == 0 { self.items } else { 2 };
                Value::Array(
                    (0..count)
                        .map(|_| self.value(item, None, depth + 1))
                        .collect(),
                )
            }
            TypeRef::Map(value) => Value::Object(Map::from_iter([(
                "key".to_owned(),
                self.value(value, None, depth + 1),
            )])),
            TypeRef::Boxed(_) if depth > 4 => Value::Null,
            TypeRef::Boxed(inner) => self.value(inner, Some(example), depth + 1),
            TypeRef::Named { name, .. } => {
                let definition = self
                    .operation
                    .types
                    .iter()
                    .chain(&self.service.types)
                    .find(|definition| definition.name() == name)
                    .expect("a named type is defined");
                match definition {
                    TypeDef::Struct(def) => self.object(&def.fields, depth),
                    TypeDef::Enum(def) => Value::from(def.values[0].wire.as_str()),
                }
            }
        }
    }
}

criterion_group!(benches, serialization, decoding, codegen);
criterion_main!(benches);
