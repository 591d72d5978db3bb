//! Specs read by YAML 1.1 tools (PyYAML, Ruby's Psych, go-yaml v2, editors' plugins) read as
//! the spec loader (YAML 1.2 core schema) reads them: every spec the importer writes for the
//! catalogue slice, and every committed spec. A plain scalar YAML 1.1 takes for a timestamp,
//! a boolean such as `on`, an octal number, `=` or `<<` would change type (or, for a date that
//! does not exist, fail to load) in those tools.
//!
//! The YAML 1.1 rules are spelled out below as the type repository
//! (<https://yaml.org/type/>) and PyYAML's resolver write them, over the same parser's events;
//! `.ci/run` also loads the same files with PyYAML itself when Python is at hand.

use std::path::{Path, PathBuf};

use regex::Regex;
use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Number, Value};

/// YAML 1.1's implicit types for plain scalars, each with the expression that claims it.
struct Yaml11 {
    rules: Vec<(&'static str, Regex)>,
}

impl Yaml11 {
    fn new() -> Self {
        let rule = |name, pattern: &str| (name, Regex::new(&format!("^(?:{pattern})$")).unwrap());
        Yaml11 {
            rules: vec![
                // https://yaml.org/type/bool.html (PyYAML leaves out the one-letter forms).
                rule(
                    "bool",
                    "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
                ),
                // https://yaml.org/type/float.html, as PyYAML's resolver writes it.
                rule(
                    "float",
                    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
                ),
                // https://yaml.org/type/int.html
                rule(
                    "int",
                    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
                ),
                // https://yaml.org/type/merge.html
                rule("merge", "<<"),
                // https://yaml.org/type/null.html
                rule("null", "~|null|Null|NULL|"),
                // https://yaml.org/type/timestamp.html
                rule(
                    "timestamp",
                    r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?",
                ),
                // https://yaml.org/type/value.html
                rule("value", "="),
            ],
        }
    }

    /// A plain scalar as YAML 1.1 reads it. Values the spec loader could not mean (a
    /// timestamp, octal) become a marker no spec value equals.
    fn plain(&self, text: &str) -> Value {
        let Some((kind, _)) = self.rules.iter().find(|(_, rule)| rule.is_match(text)) else {
            return Value::String(text.to_owned());
        };
        let decimal = Regex::new(r"^[-+]?(?:0|[1-9][0-9]*)$").unwrap();
        let float = Regex::new(r"^[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?$").unwrap();
        match *kind {
            "bool" => Value::Bool(matches!(
                text.to_ascii_lowercase().as_str(),
                "y" | "yes" | "true" | "on"
            )),
            "null" => Value::Null,
            "int" if decimal.is_match(text) => text
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(format!("<YAML 1.1 int {text}>"))),
            "float" if float.is_match(text) => text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or_else(
                    || Value::String(format!("<YAML 1.1 float {text}>")),
                    Value::Number,
                ),
            other => Value::String(format!("<YAML 1.1 {other} {text}>")),
        }
    }

    /// The document as YAML 1.1 reads it.
    fn read(&self, text: &str) -> Value {
        let mut parser = Parser::new_from_str(text);
        let mut next = || parser.next_event().expect("a complete document").unwrap().0;
        loop {
            match next() {
                Event::DocumentStart(_) => {
                    let first = next();
                    return self.node(first, &mut next);
                }
                Event::StreamStart => {}
                other => panic!("unexpected {other:?} before the document"),
            }
        }
    }

    fn node<'a>(&self, event: Event<'a>, next: &mut impl FnMut() -> Event<'a>) -> Value {
        match event {
            Event::Scalar(text, ScalarStyle::Plain, _, None) => self.plain(&text),
            Event::Scalar(text, _, _, None) => Value::String(text.into_owned()),
            Event::SequenceStart(_, None) => {
                let mut items = Vec::new();
                loop {
                    match next() {
                        Event::SequenceEnd => return Value::Array(items),
                        item => items.push(self.node(item, next)),
                    }
                }
            }
            Event::MappingStart(_, None) => {
                let mut entries = serde_json::Map::new();
                loop {
                    let key = match next() {
                        Event::MappingEnd => return Value::Object(entries),
                        key => self.node(key, next),
                    };
                    let key = match key {
                        Value::String(key) => key,
                        other => format!("<YAML 1.1 non-string key {other}>"),
                    };
                    let value = next();
                    entries.insert(key, self.node(value, next));
                }
            }
            other => panic!("specs hold no {other:?}"),
        }
    }
}

/// What the spec loader reads.
fn yaml12(path: &str, text: &str) -> Value {
    acs_spec::source::parse_document(Path::new(path), text)
        .unwrap_or_else(|e| panic!("{e}"))
        .value
}

/// The files that read differently, each with the first difference.
fn misread(yaml11: &Yaml11, files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .filter_map(|(name, text)| {
            let loader = yaml12(name, text);
            let tools = yaml11.read(text);
            (loader != tools).then(|| format!("{name}: {}", first_difference(&loader, &tools, "")))
        })
        .collect()
}

fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .find(|(x, y)| x != y)
            .map(|((key, x), (_, y))| first_difference(x, y, &format!("{at}.{key}")))
            .unwrap_or_default(),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]")))
            .unwrap_or_default(),
        _ => format!("at `{at}` the loader reads {a}, YAML 1.1 {b}"),
    }
}

fn yaml_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn committed_specs_read_the_same_in_yaml_1_1() {
    let root = xtask::workspace_root();
    let mut paths = Vec::new();
    for dir in ["specs", "tests/specs"] {
        yaml_files_under(&root.join(dir), &mut paths);
    }
    paths.sort();
    assert!(paths.len() > 180, "{} spec files", paths.len());
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|path| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let wrong = misread(&Yaml11::new(), &files);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn imported_catalogue_specs_read_the_same_in_yaml_1_1() {
    let slice = xtask::workspace_root().join("tests/fixtures/catalogue/en_us");
    let mut files = Vec::new();
    let mut versions = 0;
    for product in std::fs::read_dir(&slice).unwrap() {
        let product = product.unwrap().path();
        if !product.is_dir() {
            continue;
        }
        for version in std::fs::read_dir(&product).unwrap() {
            let source = version.unwrap().path().join("api-docs.json");
            let json = std::fs::read_to_string(&source).unwrap();
            let Ok(mut imported) = acs_import::import_openmeta(&json, None) else {
                continue;
            };
            if let Some(products) = xtask::import::products_json(&source) {
                xtask::import::set_title(&mut imported, &products);
            }
            versions += 1;
            for (name, text) in xtask::import::spec_files(&imported, &source) {
                files.push((
                    format!("{}/{name}", source.parent().unwrap().display()),
                    text,
                ));
            }
        }
    }
    assert!(
        versions >= 12 && files.len() > 200,
        "{versions} versions, {} files",
        files.len()
    );
    let yaml11 = Yaml11::new();
    let wrong = misread(&yaml11, &files);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The reader above tells the types apart (so the tests can fail).
#[test]
fn the_yaml_1_1_reader_knows_the_implicit_types() {
    let yaml11 = Yaml11::new();
    let read = |text: &str| yaml11.read(&format!("a: {text}\n"))["a"].clone();
    for (text, expected) in [
        (
            "2017-11-31T06:32:31Z",
            "<YAML 1.1 timestamp 2017-11-31T06:32:31Z>",
        ),
        ("2019-03-06", "<YAML 1.1 timestamp 2019-03-06>"),
        ("=", "<YAML 1.1 value =>"),
        ("0755", "<YAML 1.1 int 0755>"),
        ("1:30", "<YAML 1.1 int 1:30>"),
        ("\"on\"", "on"),
        ("2017-11-31z", "2017-11-31z"),
    ] {
        assert_eq!(read(text), Value::String(expected.into()), "{text}");
    }
    assert_eq!(read("off"), Value::Bool(false));
    assert_eq!(read("~"), Value::Null);
    assert_eq!(read("12"), Value::from(12));
    assert_eq!(read("1.5"), Value::from(1.5));
    // YAML 1.1 floats need a dot: the loader's `1e5` is a number, YAML 1.1's a string.
    assert_eq!(read("1e5"), Value::String("1e5".into()));
}
