//! Random spec folders from a seed: the same seed gives the same files on every machine and
//! run, so a failure is reproduced by its seed alone (`cargo xtask compile-batch --seed S
//! --count 1`, or the seed a proptest failure prints).
//!
//! [`Kind::Valid`] specs are meant to be accepted; their names and texts are as hostile as the
//! format allows: Rust keywords, `Self`, the generated code's own item names, leading digits,
//! unicode, names that collide once converted to Rust, code fences of every length, HTML,
//! comment terminators, control and bidi characters. [`Kind::Invalid`] specs are valid ones
//! with a [`Mutation`] applied, most of which the loader must refuse.

use serde_json::{Map, Value, json};

use crate::property::InputFile;

/// Whether a random spec should be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Meant to be accepted.
    Valid,
    /// Broken on purpose.
    Invalid,
}

/// How an invalid spec was broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    /// What was done, for failure messages.
    pub what: &'static str,
    /// The loader must refuse the result (some text mutations can leave a valid spec).
    pub must_fail: bool,
}

/// A random spec folder.
#[derive(Debug, Clone)]
pub struct RandomSpec {
    /// The seed it came from.
    pub seed: u64,
    /// Its product code: the folder under `specs/`.
    pub product: String,
    /// Its API version: the folder under the product.
    pub version: String,
    /// `service.yaml` first, then the operations and maybe `overlay.yaml`.
    pub files: Vec<InputFile>,
    /// `None` for a valid spec.
    pub mutation: Option<Mutation>,
}

/// Names that have broken, or could break, a generator of Rust: keywords (strict, reserved,
/// the ones that cannot be raw), the generated code's own items, prelude types, leading
/// digits, separators, unicode, and case variants that meet once converted.
const HOSTILE_NAMES: &[&str] = &[
    "type",
    "Type",
    "TYPE",
    "Self",
    "self",
    "super",
    "crate",
    "_",
    "__",
    "Default",
    "default",
    "build",
    "Build",
    "send",
    "client",
    "request",
    "builder",
    "new",
    "runtime",
    "RAM",
    "Unknown",
    "Unhandled",
    "3DES",
    "9",
    "1st",
    "Key",
    "key",
    "KEY",
    "ClientToken",
    "NextToken",
    "PageNumber",
    "PageSize",
    "TotalCount",
    "MaxResults",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "std",
    "core",
    "fmt",
    "clone",
    "eq",
    "hash",
    "into",
    "from",
    "as_str",
    "数据库",
    "Ünïcödé",
    "naïve",
    "Ωmega",
    "emoji🚀",
    "a-b",
    "a.b",
    "a b",
    "x$y",
    "fn",
    "async",
    "await",
    "dyn",
    "gen",
    "try",
    "union",
    "macro_rules",
    "Body",
    "Data",
    "Items",
    "Item",
    "Error",
    "Response",
    "Request",
    "Builder",
    "Paginator",
    "Tag",
    "Tags",
    "tag",
    "HTTPStatus",
    "HttpStatus",
    "http_status",
    "ID",
    "Id",
    "id",
    "URLs",
    "Urls",
    "r#type",
    "loop",
    "match",
    "ref",
    "static",
    "abstract",
    "yield",
    "code",
    "message",
    "request_id",
    "into_paginator",
    "with_client",
    "resource_arns",
    "is_unhandled",
    "as_service_error",
    "A",
    "a",
    "x",
    "X_",
    "_x",
    "Tag.N",
    "Tag[0]",
    "Name/Value",
    "\u{202e}rtl",
    "zero\u{200b}w",
];

/// Operation names: ASCII letters and digits, as the format requires, chosen to collide with
/// generated items, keywords and each other after case conversion.
const OPERATION_NAMES: &[&str] = &[
    "Type",
    "Self",
    "Default",
    "Build",
    "Send",
    "New",
    "Match",
    "Async",
    "Box",
    "Option",
    "Result",
    "Client",
    "Operation",
    "Types",
    "Prelude",
    "Crate",
    "Super",
    "A",
    "Z9",
    "Do",
    "DescribeAB",
    "DescribeThings",
    "ListThings",
    "GetThing",
    "QueryX",
    "Describe",
    "List",
    "Listen",
    "DeleteThing",
    "CreateThing",
    "RunInstances",
    "Fn",
    "Loop",
    "Yield",
    "Gen",
    "Try",
    "Dyn",
    "Ref",
    "Where",
    "Impl",
    "Trait",
    "Union",
    "Use",
    "Mod",
    "Static",
];

/// Named type names for `service.yaml`'s `types`.
const TYPE_NAMES: &[&str] = &[
    "Node",
    "Self",
    "Type",
    "Default",
    "Client",
    "Config",
    "Error",
    "Result",
    "Tag",
    "Option",
    "String",
    "Vec",
    "IntoParam",
    "Request",
    "Builder",
    "Unknown",
    "Thing",
    "ThingItem",
    "Box",
    "Sized",
    "Send",
    "Sync",
    "Copy",
    "Fn",
    "Future",
    "Stream",
    "RAM",
    "Prelude",
];

/// Pieces of hostile descriptions, joined at random.
const TEXT_PIECES: &[&str] = &[
    "```\nfn main() { panic!(\"doc test ran\") }\n```",
    "````rust\n```\nnested fence\n```\n````",
    "```rust\nlet unclosed = 1;",
    "``` rust\ncompile_error!(\"ran\");\n```",
    "```compile_fail\nx\n```",
    "```should_panic\npanic!()\n```",
    "```no_run\nloop {}\n```",
    "```ignore\nnot rust\n```",
    "~~~\ntilde fence\n~~~",
    "~~~~~~rust\n~~~\n",
    "    indented code\n    panic!()",
    "\tTabbed line",
    "<script>alert(1)</script>",
    "<b>bold",
    "</div>",
    "<!-- unclosed comment",
    "&amp; &lt; &#x41;",
    "*/",
    "/*",
    "/**",
    "//!",
    "#[doc = \"x\"]",
    "#![allow(warnings)]",
    "\"quoted\"",
    "\\",
    "ends in a backslash\\",
    "\u{7} bell",
    "\u{1b}[31mred\u{1b}[0m",
    "carriage\rreturn",
    "crlf\r\nline",
    "\u{b}\u{c}",
    "\u{85}next line",
    "line\u{2028}separator\u{2029}",
    "\u{202e}abc\u{202c}",
    "\u{2066}isolate\u{2069}",
    "\u{200f}rlm",
    "zero\u{feff}width",
    "e\u{301}",
    "[link](javascript:alert(1))",
    "[Vec]",
    "[`Self`]",
    "[broken][ref]",
    "<https://example.com>",
    "https://example.com/x?y=1&z=2",
    "{#regionId}",
    "{{}}",
    "{}",
    "%s %d",
    "$(rm -rf /)",
    "`",
    "``",
    "```",
    "`````",
    "# Heading",
    "> quote",
    "- list",
    "1. item",
    "| table | x |\n|---|---|\n| 1 | 2 |",
    "---",
    "***",
    "\n\n\n",
    " ",
    "数据库 — Ω 🚀",
    "\"#",
    "r#\"",
    "\"###",
    "}",
    "{",
    "';--",
    "   leading spaces",
    "trailing spaces   ",
];

/// One character more than a Cargo package name may have.
const TOO_LONG_PACKAGE: &str = "p1234567890123456789012345678901234567890123456789012345678901234";

const REGIONS: &[&str] = &["cn-hangzhou", "cn-shanghai", "ap-southeast-1", "us-west-1"];

struct Gen {
    rng: fastrand::Rng,
    /// Named types declared so far: (name, `object` or `enum`).
    types: Vec<(String, &'static str)>,
}

impl Gen {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.rng.u8(..100) < percent
    }

    /// A member or parameter name: hostile three times out of four, otherwise made up.
    fn name(&mut self) -> String {
        if self.chance(75) {
            self.pick(HOSTILE_NAMES).to_owned()
        } else {
            self.camel_word()
        }
    }

    fn camel_word(&mut self) -> String {
        let syllables = ["Ba", "Ko", "Ri", "Zen", "Tu", "Mo", "Xi", "Qu", "Lan", "Pe"];
        let count = self.rng.usize(1..4);
        (0..count)
            .map(|_| self.pick(&syllables).to_owned())
            .collect()
    }

    fn text(&mut self) -> String {
        let count = self.rng.usize(1..5);
        let mut out = String::new();
        for index in 0..count {
            if index > 0 {
                out.push_str(self.pick(&[" ", "\n", "\n\n", ""]));
            }
            out.push_str(self.pick(TEXT_PIECES));
        }
        out
    }

    fn maybe_text(&mut self, map: &mut Map<String, Value>, key: &str, percent: u8) {
        if self.chance(percent) {
            let text = self.text();
            map.insert(key.into(), Value::String(text));
        }
    }

    fn scalar_type(&mut self) -> &'static str {
        self.pick(&["string", "int32", "int64", "float", "double", "boolean"])
    }

    fn example(&mut self, type_name: &str) -> Option<Value> {
        if !self.chance(40) {
            return None;
        }
        Some(match type_name {
            "string" => Value::String(self.text()),
            "int32" | "int64" => json!(self.rng.i32(..)),
            "float" | "double" => json!(1.5),
            "boolean" => json!(true),
            _ => return None,
        })
    }

    fn enum_values(&mut self) -> Value {
        let count = self.rng.usize(1..5);
        let mut variants: Vec<String> = vec![acs_spec::names::generated::UNKNOWN.to_owned()];
        let mut values: Vec<Value> = Vec::new();
        for _ in 0..count {
            let name = self.name();
            // Values meeting in one variant, or taking the catch-all's name, are refused.
            let variant = acs_spec::names::upper_camel_ident(&name);
            if variants.contains(&variant) {
                continue;
            }
            variants.push(variant);
            let mut value = Map::new();
            value.insert("value".into(), Value::String(name));
            self.maybe_text(&mut value, "description", 30);
            values.push(Value::Object(value));
        }
        if values.is_empty() {
            values.push(json!({"value": "V"}));
        }
        Value::Array(values)
    }

    /// The type keys of a member (`type`, `items`, `fields`, `values`, `ref`), nesting at most
    /// `depth` more levels.
    fn member_type(&mut self, map: &mut Map<String, Value>, depth: usize) {
        let roll = self.rng.u8(..100);
        if depth == 0 || roll < 45 {
            let type_name = self.scalar_type();
            map.insert("type".into(), json!(type_name));
            if let Some(example) = self.example(type_name) {
                map.insert("example".into(), example);
            }
            return;
        }
        match roll {
            45..=59 => {
                map.insert("type".into(), json!("array"));
                map.insert("items".into(), self.item(depth - 1));
            }
            60..=71 => {
                map.insert("type".into(), json!("object"));
                map.insert("fields".into(), self.fields(depth - 1, 3));
            }
            72..=77 => {
                map.insert("type".into(), json!("map"));
                map.insert("items".into(), self.item(depth - 1));
            }
            78..=87 => {
                map.insert("type".into(), json!("enum"));
                map.insert("values".into(), self.enum_values());
            }
            88..=91 => {
                map.insert("type".into(), json!("any"));
            }
            _ => {
                if self.types.is_empty() {
                    map.insert("type".into(), json!("string"));
                } else {
                    let (name, kind) = self.types[self.rng.usize(..self.types.len())].clone();
                    map.insert("type".into(), json!(kind));
                    map.insert("ref".into(), json!(name));
                }
            }
        }
    }

    fn item(&mut self, depth: usize) -> Value {
        let mut item = Map::new();
        self.member_type(&mut item, depth);
        item.remove("example");
        self.maybe_text(&mut item, "description", 10);
        Value::Object(item)
    }

    fn fields(&mut self, depth: usize, most: usize) -> Value {
        let count = self.rng.usize(1..=most);
        let fields: Vec<Value> = (0..count).map(|_| self.field(depth)).collect();
        Value::Array(dedupe(fields, acs_spec::names::snake_ident))
    }

    fn field(&mut self, depth: usize) -> Value {
        let mut field = Map::new();
        field.insert("name".into(), Value::String(self.name()));
        self.member_type(&mut field, depth);
        self.maybe_text(&mut field, "description", 40);
        if self.chance(20) {
            field.insert("required".into(), json!(true));
        }
        if self.chance(10) {
            field.insert("deprecated".into(), json!(true));
        }
        Value::Object(field)
    }

    fn named_types(&mut self) -> Vec<Value> {
        let count = self.rng.usize(..4);
        let mut out = Vec::new();
        for _ in 0..count {
            let name = self.pick(TYPE_NAMES).to_owned();
            // Prelude names are refused as type names (they would shadow what generated code
            // uses); the invalid specs try them.
            if self.types.iter().any(|(n, _)| *n == name)
                || acs_spec::names::generated::PRELUDE_TYPES.contains(&name.as_str())
            {
                continue;
            }
            let mut named = Map::new();
            named.insert("name".into(), Value::String(name.clone()));
            self.maybe_text(&mut named, "description", 50);
            if self.chance(60) {
                named.insert("type".into(), json!("object"));
                // Declared first, so its own fields may refer to it (a boxed recursive type).
                self.types.push((name, "object"));
                named.insert("fields".into(), self.fields(2, 4));
            } else {
                named.insert("type".into(), json!("enum"));
                named.insert("values".into(), self.enum_values());
                self.types.push((name, "enum"));
            }
            out.push(Value::Object(named));
        }
        out
    }

    /// A parameter; `body` is where body parameters go (an ROA operation sends a JSON body or
    /// form fields, never both).
    fn parameter(&mut self, roa: bool, body: &'static str) -> Value {
        let mut param = Map::new();
        param.insert("name".into(), Value::String(self.name()));
        let position = if roa {
            self.pick(&["query", body, body, "header"])
        } else {
            self.pick(&["query", "body", "formData"])
        };
        param.insert("in".into(), json!(position));
        if position == "header" {
            let type_name = self.scalar_type();
            param.insert("type".into(), json!(type_name));
        } else {
            self.member_type(&mut param, 3);
            let type_name = param["type"].as_str().unwrap_or("string").to_owned();
            if self.chance(30) {
                let styles: &[&str] = match type_name.as_str() {
                    "array" => &["repeatList", "flat", "json", "simple"],
                    "object" | "map" => &["flat", "json"],
                    "any" => &["json"],
                    _ => &["simple", "json"],
                };
                let style = self.pick(styles);
                param.insert("style".into(), json!(style));
            }
        }
        if self.chance(30) {
            param.insert("required".into(), json!(true));
        }
        if self.chance(10) {
            param.insert("deprecated".into(), json!(true));
        }
        self.maybe_text(&mut param, "description", 50);
        Value::Object(param)
    }

    fn operation(&mut self, name: &str, roa: bool, ram_code: Option<&str>) -> Value {
        let mut op = Map::new();
        op.insert("name".into(), json!(name));
        let summary = self.text();
        op.insert("summary".into(), Value::String(summary));
        self.maybe_text(&mut op, "description", 60);
        let methods: Vec<&str> = match self.rng.u8(..4) {
            0 => vec!["get"],
            1 => vec!["post"],
            2 => vec!["get", "post"],
            _ => vec![self.pick(&["put", "delete", "patch", "head", "post"])],
        };
        op.insert("methods".into(), json!(methods));
        let mut parameters: Vec<Value> = Vec::new();
        if roa {
            let mut path = String::from("/things");
            if self.chance(50) {
                let param = self.pick(&["ThingId", "type", "Self", "3DES", "数据库"]);
                path.push_str(&format!("/{{{param}}}"));
                parameters
                    .push(json!({"name": param, "in": "path", "type": "string", "required": true}));
            }
            if self.chance(30) {
                path.push_str(self.pick(&["/apps:search", "/x-y_z~", "/*"]));
            }
            op.insert("path".into(), json!(path));
        }
        op.insert(
            "operation_type".into(),
            json!(self.pick(&["read", "write"])),
        );
        if self.chance(10) {
            op.insert("deprecated".into(), json!(true));
        }
        if self.chance(10) {
            op.insert("idempotent".into(), json!(self.chance(50)));
        }
        if self.chance(5) {
            op.insert("anonymous".into(), json!(true));
        }
        // Fixed parameters first: where a random one has the same name, it is the one dropped.
        if self.chance(30) {
            parameters.push(json!({"name": "ClientToken", "in": "query", "type": "string", "idempotency_token": true}));
        }
        let pages = self.chance(25);
        if pages {
            if self.chance(50) {
                parameters.push(json!({"name": "NextToken", "in": "query", "type": "string"}));
            } else {
                parameters.push(json!({"name": "PageNumber", "in": "query", "type": "int32"}));
            }
            parameters.push(json!({"name": "PageSize", "in": "query", "type": "int32"}));
        }
        let body = self.pick(&["body", "formData"]);
        let count = self.rng.usize(..6);
        for _ in 0..count {
            let param = self.parameter(roa, body);
            parameters.push(param);
        }
        if roa && self.chance(10) {
            // Bytes as the whole body: the only body parameter.
            parameters.retain(|p| p["in"] != "body" && p["in"] != "formData");
            parameters.push(json!({"name": self.name(), "in": "body", "type": "binary"}));
        }
        let parameters = dedupe(parameters, acs_spec::names::param_ident);
        op.insert("parameters".into(), Value::Array(parameters));
        if !pages && self.chance(15) {
            let body = match self.rng.u8(..4) {
                0 => json!({"format": "text"}),
                1 => json!({"format": "binary"}),
                2 => json!({"type": "array", "items": self.item(2)}),
                _ => json!({"type": self.scalar_type()}),
            };
            op.insert("response_body".into(), body);
        } else {
            let mut response: Vec<Value> = vec![json!({"name": "RequestId", "type": "string"})];
            if pages {
                response.push(json!({"name": "NextToken", "type": "string"}));
                response.push(json!({"name": "TotalCount", "type": "int32"}));
                response.push(json!({"name": "Items", "type": "array", "items": {"type": "object", "fields": self.fields(1, 3)}}));
            }
            let count = self.rng.usize(..5);
            for _ in 0..count {
                response.push(self.field(3));
            }
            let response = dedupe(response, acs_spec::names::snake_ident);
            op.insert("response".into(), Value::Array(response));
        }
        let count = self.rng.usize(..4);
        let errors: Vec<Value> = (0..count)
            .map(|index| {
                let mut error = Map::new();
                // A counter keeps codes distinct: two errors with one code is a spec error.
                let code = format!("{}{index}", self.name());
                error.insert("code".into(), Value::String(code));
                if self.chance(60) {
                    let status = self.pick(&["400", "403", "404", "409", "500", "503"]);
                    error.insert(
                        "http_status".into(),
                        json!(status.parse::<u16>().unwrap_or(400)),
                    );
                }
                self.maybe_text(&mut error, "message", 50);
                self.maybe_text(&mut error, "description", 30);
                Value::Object(error)
            })
            .collect();
        op.insert("errors".into(), Value::Array(errors));
        if let Some(code) = ram_code.filter(|_| self.chance(70)) {
            let mut ram = Map::new();
            ram.insert("action".into(), json!(format!("{code}:{name}")));
            ram.insert(
                "access_level".into(),
                json!(self.pick(&["create", "list", "get", "update", "delete"])),
            );
            if self.chance(50) {
                ram.insert(
                    "resources".into(),
                    json!([{"type": "Thing", "arn": format!("acs:{code}:{{#regionId}}:{{#accountId}}:thing/{{#ClientToken}}/*")}]),
                );
            }
            if self.chance(30) {
                ram.insert(
                    "condition_keys".into(),
                    json!([format!("{code}:Weird\"Key")]),
                );
            }
            op.insert("ram".into(), Value::Object(ram));
        }
        Value::Object(op)
    }

    fn service(&mut self, product: &str, version: &str, roa: bool) -> Value {
        let mut service = Map::new();
        service.insert("product".into(), json!(product));
        let title = self.text();
        service.insert("title".into(), Value::String(title));
        service.insert("api_version".into(), json!(version));
        service.insert("style".into(), json!(if roa { "roa" } else { "rpc" }));
        // Outside `acs-`, as test fixtures are, so a random crate never takes a real one's name.
        service.insert(
            "package".into(),
            json!(format!("fixture-{product}{}", version.replace('-', ""))),
        );
        if self.chance(20) {
            service.insert("crate_version".into(), json!("0.2.0-rc.1"));
        }
        self.maybe_text(&mut service, "description", 70);
        let count = self.rng.usize(..3);
        let endpoints: Vec<Value> = REGIONS[..count]
            .iter()
            .map(|region| {
                let mut endpoint =
                    json!({"region": region, "public": format!("{product}.{region}.aliyuncs.com")});
                if self.chance(50) {
                    endpoint["vpc"] = json!(format!("{product}-vpc.{region}.aliyuncs.com"));
                }
                endpoint
            })
            .collect();
        service.insert("endpoints".into(), Value::Array(endpoints));
        if self.chance(70) {
            service.insert(
                "ram".into(),
                json!({"code": product, "resource_types": [{"name": "Thing", "arn": format!("acs:{product}:{{#regionId}}:{{#accountId}}:thing/*")}]}),
            );
        }
        let types = self.named_types();
        if !types.is_empty() {
            service.insert("types".into(), Value::Array(types));
        }
        Value::Object(service)
    }
}

/// Keeps the first of the members in `list` whose names meet once converted by `rust`: the
/// format refuses siblings that collide in Rust (the importer drops one; a valid random spec
/// has done the same). Exact repeats are dropped the same way.
fn dedupe(list: Vec<Value>, rust: fn(&str) -> String) -> Vec<Value> {
    let mut seen: Vec<String> = Vec::new();
    list.into_iter()
        .filter(|member| {
            let name = member["name"].as_str().unwrap_or_default();
            let converted = rust(name);
            let fresh = !seen.contains(&converted);
            seen.push(converted);
            fresh
        })
        .collect()
}

/// Writes a document as YAML (the importer's writer) or, sometimes, as JSON.
fn render(rng: &mut fastrand::Rng, value: &Value, json_allowed: bool) -> (String, &'static str) {
    if json_allowed && rng.u8(..100) < 20 {
        let mut text = serde_json::to_string_pretty(value).expect("a JSON value serializes");
        text.push('\n');
        (text, "json")
    } else {
        (acs_import::yaml::to_yaml_document(value, &[]), "yaml")
    }
}

/// The spec folder of `seed`.
pub fn random_spec(seed: u64, kind: Kind) -> RandomSpec {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
        types: Vec::new(),
    };
    // Letters and digits only, so every seed gives a distinct product code and crate.
    let product = if g.chance(20) {
        format!("r{seed:x}-public")
    } else {
        format!("r{seed:x}")
    };
    let version = if g.chance(80) {
        "2000-01-01"
    } else {
        "20000101"
    }
    .to_owned();
    let roa = g.chance(35);
    let mut service = g.service(&product, &version, roa);
    let ram_code = service["ram"]["code"].as_str().map(str::to_owned);
    let count = g.rng.usize(1..5);
    let mut names: Vec<String> = Vec::new();
    let mut snakes: Vec<String> = Vec::new();
    for _ in 0..count {
        let name = if g.chance(60) {
            g.pick(OPERATION_NAMES).to_owned()
        } else {
            format!("Describe{}", g.camel_word())
        };
        // Two operations meeting in one Rust name, or one taking a name the crate uses for
        // itself, is a spec error (the invalid specs try it), not a hostile name.
        let snake = acs_spec::names::snake_ident(&name);
        if !snakes.contains(&snake) && acs_spec::names::operation_name_clash(&name).is_none() {
            snakes.push(snake);
            names.push(name);
        }
    }
    if names.is_empty() {
        names.push("DescribeThings".into());
    }
    let mut operations: Vec<(String, Value)> = names
        .iter()
        .map(|name| (name.clone(), g.operation(name, roa, ram_code.as_deref())))
        .collect();
    let mut overlay = g.chance(15).then(|| {
        let (name, _) = &operations[0];
        json!({"service": {"title": g.text()}, "operations": {name.as_str(): {"summary": g.text()}}})
    });
    let mutation = match kind {
        Kind::Valid => None,
        Kind::Invalid => Some(mutate_value(
            &mut g,
            &mut service,
            &mut operations,
            &mut overlay,
        )),
    };
    let mut files = Vec::new();
    let (text, _) = render(&mut g.rng, &service, false);
    files.push(InputFile {
        name: acs_spec::SERVICE_FILE.into(),
        bytes: text.into_bytes(),
    });
    for (name, op) in &operations {
        let (text, extension) = render(&mut g.rng, op, true);
        files.push(InputFile {
            name: format!("{name}.{extension}"),
            bytes: text.into_bytes(),
        });
    }
    if let Some(overlay) = &overlay {
        files.push(InputFile {
            name: acs_spec::OVERLAY_FILE.into(),
            bytes: acs_import::yaml::to_yaml_document(overlay, &[]).into_bytes(),
        });
    }
    let mutation = match mutation {
        Some(None) => Some(mutate_text(&mut g, &mut files)),
        Some(Some(mutation)) => Some(mutation),
        None => None,
    };
    RandomSpec {
        seed,
        product,
        version,
        files,
        mutation,
    }
}

/// Breaks one document; `None` to break the text instead, once written.
fn mutate_value(
    g: &mut Gen,
    service: &mut Value,
    operations: &mut [(String, Value)],
    overlay: &mut Option<Value>,
) -> Option<Mutation> {
    let fails = |what| {
        Some(Mutation {
            what,
            must_fail: true,
        })
    };
    let index = g.rng.usize(..operations.len());
    let op = &mut operations[index].1;
    match g.rng.u8(..20) {
        0 => {
            let key = g.pick(&["product", "title", "api_version", "style"]);
            service.as_object_mut()?.remove(key);
            // The overlay could put a title or summary back.
            *overlay = None;
            fails("a required service key removed")
        }
        1 => {
            let key = g.pick(&["name", "summary", "methods"]);
            op.as_object_mut()?.remove(key);
            *overlay = None;
            fails("a required operation key removed")
        }
        2 => {
            op["methods"] = json!(g.pick(&["get", "GET"]));
            fails("methods is a string")
        }
        3 => {
            op["parameters"] = json!([{"name": "X", "in": "query", "type": "integer"}]);
            fails("a parameter of an unknown type")
        }
        4 => {
            op["colour"] = json!("red");
            fails("an unknown operation key")
        }
        5 => {
            service["product"] = json!(g.pick(&["Bad_Product", "", "-x", "x--y", "数据"]));
            fails("a product code that is not one")
        }
        6 => {
            service["api_version"] = json!(g.pick(&["2000-1-1", "v1", "", "2000_01_01"]));
            fails("an API version that is not one")
        }
        7 => {
            op["name"] = json!(g.pick(&["Other", "Type2", "self"]));
            fails("an operation named unlike its file")
        }
        8 => {
            service["style"] = json!("roa");
            op.as_object_mut()?.remove("path");
            fails("an ROA operation without a path")
        }
        9 => {
            op["path"] = json!("/x/{Missing}");
            service["style"] = json!("roa");
            fails("a path placeholder no parameter fills")
        }
        10 => {
            op["parameters"] = json!([{"name": "E", "in": "query", "type": "enum", "values": []}]);
            fails("an enum without values")
        }
        11 => {
            op["response"] = json!([{"name": "R", "type": "object", "ref": "NoSuchType"}]);
            op.as_object_mut()?.remove("response_body");
            fails("a reference to a missing type")
        }
        12 => {
            op["parameters"] = json!([
                {"name": "ClientToken", "in": "query", "type": "string", "idempotency_token": true},
                {"name": "Token2", "in": "query", "type": "string", "idempotency_token": true},
            ]);
            fails("two idempotency tokens")
        }
        13 => {
            op["methods"] = json!([]);
            fails("no HTTP method")
        }
        14 => {
            let mut deep = json!({"type": "string"});
            for _ in 0..=acs_spec::rules::MAX_NESTING {
                deep = json!({"type": "array", "items": deep});
            }
            op["response"] = json!([{"name": "Deep", "type": "array", "items": deep}]);
            op.as_object_mut()?.remove("response_body");
            fails("nesting deeper than the limit")
        }
        15 => {
            service["crate_version"] = json!(g.pick(&["1.0", "one", "1.0.0+meta data"]));
            fails("a crate version that is not one")
        }
        16 => {
            service["package"] = json!(g.pick(&["9bad", "a b", TOO_LONG_PACKAGE]));
            fails("a package name that is not one")
        }
        17 => {
            *overlay = Some(json!({"operations": {"NoSuchOperation": {"summary": "x"}}}));
            fails("an overlay naming a missing operation")
        }
        18 => {
            // Meet in one Rust name: `describe_ab`.
            op["name"] = json!("DescribeAB");
            operations[index].0 = "DescribeAB".into();
            let mut twin = operations[index].1.clone();
            twin["name"] = json!("DescribeAb");
            // Only one operation can be the copy target; the twin replaces another, or the
            // first again when alone (then this mutation leaves one of the pair).
            let other = (index + 1) % operations.len();
            if other == index {
                return Some(Mutation {
                    what: "an operation renamed DescribeAB",
                    must_fail: false,
                });
            }
            operations[other] = ("DescribeAb".into(), twin);
            fails("two operations colliding in Rust (DescribeAB, DescribeAb)")
        }
        _ => None,
    }
}

/// Breaks a written file's text.
fn mutate_text(g: &mut Gen, files: &mut [InputFile]) -> Mutation {
    let index = g.rng.usize(..files.len());
    let file = &mut files[index];
    match g.rng.u8(..7) {
        0 => {
            // Cut at a character boundary: sometimes still valid.
            let text = String::from_utf8_lossy(&file.bytes).into_owned();
            let cut = g.rng.usize(..=text.len());
            let cut = (0..=cut)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            file.bytes.truncate(cut);
            Mutation {
                what: "a file cut short",
                must_fail: false,
            }
        }
        1 => {
            let at = g.rng.usize(..=file.bytes.len());
            file.bytes.insert(at, 0);
            Mutation {
                what: "a NUL byte",
                must_fail: true,
            }
        }
        2 => {
            let at = g.rng.usize(..=file.bytes.len());
            file.bytes.insert(at, 0xC3);
            file.bytes.insert(at + 1, b'(');
            Mutation {
                what: "invalid UTF-8",
                must_fail: true,
            }
        }
        3 => {
            file.bytes.splice(0..0, "\u{feff}".bytes());
            Mutation {
                what: "a byte-order mark",
                must_fail: false,
            }
        }
        4 if !file.name.ends_with(".json") => {
            let key = if index == 0 { "title" } else { "summary" };
            file.bytes
                .extend_from_slice(format!("\n{key}: repeated\n").as_bytes());
            Mutation {
                what: "a key repeated",
                must_fail: true,
            }
        }
        5 => {
            let at = g.rng.usize(..=file.bytes.len());
            let junk = g.pick(&["\t- : [", "&a *b", "!!binary x", "{[}]", ": :", "'", "\""]);
            file.bytes.splice(at..at, junk.bytes());
            Mutation {
                what: "YAML syntax inserted",
                must_fail: false,
            }
        }
        _ => {
            file.bytes = b"[]\n".to_vec();
            Mutation {
                what: "a document that is a list",
                must_fail: true,
            }
        }
    }
}
