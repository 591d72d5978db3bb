//! Dotted parameters (`Filter.1.Key`, `PrivatePoolOptions.Id`, `AddGroup.1`) folded into the
//! lists and structures they stand for, and left alone, with a warning, when they do not make
//! one value.

use acs_import::{Imported, import_openmeta};
use acs_spec::model::{ParamStyle, ParameterSpec, Position, TypeName};
use serde_json::{Value, json};

/// An RPC operation `Op` with `parameters` (`(name, schema)`, in the query unless the schema
/// says `in`).
fn import(style: &str, parameters: &[(&str, Value)]) -> Imported {
    let parameters: Vec<Value> = parameters
        .iter()
        .map(|(name, schema)| {
            let mut schema = schema.clone();
            let position = schema
                .as_object_mut()
                .and_then(|s| s.remove("in"))
                .unwrap_or(json!("query"));
            let param_style = schema.as_object_mut().and_then(|s| s.remove("style"));
            let mut parameter = json!({"name": name, "in": position, "schema": schema});
            if let Some(param_style) = param_style {
                parameter["style"] = param_style;
            }
            parameter
        })
        .collect();
    let document = json!({
        "info": {"style": style, "product": "Demo", "version": "2020-01-01"},
        "apis": {"Op": {
            "methods": ["post"],
            "path": "/op",
            "parameters": parameters,
            "responses": {"200": {"schema": {"type": "object", "properties": {
                "RequestId": {"type": "string"}}}}}
        }},
        "endpoints": [{"regionId": "cn-hangzhou", "endpoint": "demo.cn-hangzhou.aliyuncs.com"}]
    });
    let imported = import_openmeta(&document.to_string(), None).unwrap();
    assert!(imported.refused.is_empty(), "{:?}", imported.refused);
    imported
}

fn string() -> Value {
    json!({"type": "string", "description": "text"})
}

fn parameters(imported: &Imported) -> &[ParameterSpec] {
    &imported.operations[0].parameters
}

fn names(imported: &Imported) -> Vec<&str> {
    parameters(imported)
        .iter()
        .map(|p| p.name.as_str())
        .collect()
}

fn warnings(imported: &Imported) -> Vec<String> {
    imported
        .warnings
        .iter()
        .map(|w| w.message.clone())
        .collect()
}

#[test]
fn numbered_members_fold_into_a_list_of_structures_where_the_first_was() {
    let imported = import(
        "RPC",
        &[
            ("RegionId", string()),
            ("Filter.1.Key", json!({"type": "string", "required": true})),
            ("Filter.2.Key", string()),
            ("PageSize", json!({"type": "integer", "format": "int32"})),
            ("Filter.1.Value", string()),
            ("Filter.2.Value", string()),
        ],
    );
    assert_eq!(names(&imported), ["RegionId", "Filter", "PageSize"]);
    let filter = &parameters(&imported)[1];
    assert_eq!(filter.type_name, TypeName::Array);
    assert_eq!(filter.style, Some(ParamStyle::RepeatList));
    assert_eq!(filter.position, Position::Query);
    assert!(filter.required, "a member was required");
    let item = filter.items.as_deref().unwrap();
    assert_eq!(item.type_name, TypeName::Object);
    let members: Vec<(&str, TypeName, bool)> = item
        .fields
        .as_ref()
        .unwrap()
        .iter()
        .map(|f| (f.name.as_str(), f.type_name, f.required))
        .collect();
    assert_eq!(
        members,
        [
            ("Key", TypeName::String, true),
            ("Value", TypeName::String, false)
        ]
    );
    assert!(warnings(&imported).is_empty(), "{:?}", warnings(&imported));
}

#[test]
fn numbered_scalars_fold_into_a_list_and_named_members_into_structures() {
    let imported = import(
        "RPC",
        &[
            ("AddGroup.1", string()),
            ("Pool.Id", string()),
            (
                "Pool.MatchCriteria",
                json!({"type": "string", "enum": ["Open", "Target"]}),
            ),
            ("Escalations.Critical.Times", json!({"type": "integer"})),
            ("Escalations.Warn.Times", json!({"type": "integer"})),
            (
                "Dns.Search",
                json!({"type": "array", "style": "repeatList", "items": {"type": "string"}}),
            ),
        ],
    );
    assert_eq!(names(&imported), ["AddGroup", "Pool", "Escalations", "Dns"]);
    let [add_group, pool, escalations, dns] = parameters(&imported) else {
        panic!()
    };
    assert_eq!(add_group.type_name, TypeName::Array);
    assert_eq!(
        add_group.items.as_ref().unwrap().type_name,
        TypeName::String
    );
    assert_eq!(pool.type_name, TypeName::Object);
    assert_eq!(pool.style, Some(ParamStyle::Flat));
    let pool_members = pool.fields.as_ref().unwrap();
    assert_eq!(pool_members[1].name, "MatchCriteria");
    assert_eq!(pool_members[1].type_name, TypeName::Enum);
    let levels = escalations.fields.as_ref().unwrap();
    assert_eq!(levels.len(), 2);
    assert_eq!(levels[0].name, "Critical");
    // `Critical` and `Warn` have the same members: shared as one named type.
    let shared = levels[0].reference.as_deref().unwrap();
    assert_eq!(levels[1].reference.as_deref(), Some(shared));
    let level = imported
        .service
        .types
        .iter()
        .find(|t| t.name == shared)
        .unwrap();
    assert_eq!(level.fields.as_ref().unwrap()[0].name, "Times");
    // A list member stays a list, flattened as before (`Dns.Search.1`).
    assert_eq!(dns.fields.as_ref().unwrap()[0].type_name, TypeName::Array);
}

#[test]
fn what_does_not_make_one_value_stays_as_it_was_with_a_warning() {
    let imported = import(
        "RPC",
        &[
            // A gap.
            ("Gap.1", string()),
            ("Gap.3", string()),
            // The name is taken.
            (
                "SystemDisk",
                json!({"type": "object", "style": "flat", "properties": {"Iops": {"type": "integer"}}}),
            ),
            ("SystemDisk.Size", string()),
            // Items of different types.
            ("Disk.1.Size", json!({"type": "integer"})),
            ("Disk.2.Size", string()),
            // Numbers and names after one prefix.
            ("Mixed.1", string()),
            ("Mixed.Name", string()),
            // A leading zero breaks the run.
            ("Zero.01", string()),
            // Sent JSON-encoded, which a member of a flattened value is not.
            (
                "Config.Data",
                json!({"type": "object", "style": "json", "properties": {"A": {"type": "string"}}}),
            ),
            // Both a value and a structure.
            ("Both.A", string()),
            ("Both.A.B", string()),
        ],
    );
    assert_eq!(
        names(&imported),
        [
            "Gap.1",
            "Gap.3",
            "SystemDisk",
            "SystemDisk.Size",
            "Disk.1.Size",
            "Disk.2.Size",
            "Mixed.1",
            "Mixed.Name",
            "Zero.01",
            "Config.Data",
            "Both.A",
            "Both.A.B"
        ]
    );
    let warnings = warnings(&imported);
    for expected in [
        "parameters `Gap.1`, `Gap.3` are not folded into the list `Gap`: the numbers do not run from 1 without gaps; kept as they are",
        "parameter `SystemDisk.Size` is not folded into the structure `SystemDisk`: the parameter `SystemDisk` has the same Rust name (`system_disk`); kept as it is",
        "parameters `Disk.1.Size`, `Disk.2.Size` are not folded into the list `Disk`: the numbered items differ in members or types; kept as they are",
        "parameters `Mixed.1`, `Mixed.Name` are not folded into the list `Mixed`: some segments after a common name are numbers and some are not; kept as they are",
        "parameter `Zero.01` is not folded into the list `Zero`: the numbers do not run from 1 without gaps; kept as it is",
        "parameter `Config.Data` is not folded into the structure `Config`: `Config.Data` is not sent flattened in the query or a form; kept as it is",
        "parameters `Both.A`, `Both.A.B` are not folded into the structure `Both`: `Both.A.B` has members and a value of its own; kept as they are",
    ] {
        assert!(
            warnings.iter().any(|w| w == expected),
            "{expected}\nin {warnings:#?}"
        );
    }
}

/// ROA bodies are JSON, where `A.B` names no member of anything: left alone. RPC bodies are
/// forms, flattened like the query.
#[test]
fn only_flattened_places_fold() {
    let in_body = json!({"type": "string", "in": "body"});
    let roa = import("ROA", &[("A.B", in_body.clone()), ("A.C", in_body.clone())]);
    assert_eq!(names(&roa), ["A.B", "A.C"]);
    let rpc = import("RPC", &[("A.B", in_body.clone()), ("A.C", in_body)]);
    assert_eq!(names(&rpc), ["A"]);
    assert_eq!(parameters(&rpc)[0].position, Position::Body);
}
