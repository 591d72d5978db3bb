use super::*;

use std::collections::BTreeMap;

/// A response-like type: the shape generated code gives every struct.
#[derive(Debug, Default, PartialEq)]
struct Detail {
    n: Option<i32>,
    s: Option<String>,
}

impl FromJson for Detail {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        let mut out = Self::default();
        json.object(|member, json| match member {
            "N" => json.read_into(&mut out.n),
            "S" => json.read_into(&mut out.s),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

#[derive(Debug, Default, PartialEq)]
struct Items {
    detail: Option<Vec<Detail>>,
}

impl FromJson for Items {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        let mut out = Self::default();
        json.object(|member, json| match member {
            "Detail" => json.read_into(&mut out.detail),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// One member `V` of type `T`, read from `{"V": <json>}`.
fn read<T: FromJson>(json: &str) -> Result<Option<T>> {
    struct One<T>(Option<T>);
    impl<T: FromJson> FromJson for One<T> {
        fn from_json(json: &mut Reader<'_>) -> Result<Self> {
            let mut out = None;
            json.object(|member, json| match member {
                "V" => json.read_into(&mut out),
                _ => json.skip(),
            })?;
            Ok(One(out))
        }
    }
    decode::<One<T>>(format!(r#"{{"V": {json}}}"#).as_bytes(), None).map(|one| one.0)
}

#[test]
fn numbers_keep_their_text() {
    assert_eq!(
        read::<String>("12345678901234567890123")
            .unwrap()
            .as_deref(),
        Some("12345678901234567890123")
    );
    assert_eq!(read::<String>("1.0").unwrap().as_deref(), Some("1.0"));
    assert_eq!(read::<f64>("1e5").unwrap(), Some(100000.0));
}

#[test]
fn scalars_are_lenient_both_ways() {
    assert_eq!(read::<i32>(r#""200""#).unwrap(), Some(200));
    assert_eq!(read::<bool>(r#""true""#).unwrap(), Some(true));
    assert_eq!(read::<String>("true").unwrap().as_deref(), Some("true"));
    assert_eq!(read::<i64>(r#""""#).unwrap(), None);
    assert_eq!(read::<String>("null").unwrap(), None);
    assert_eq!(read::<i64>(r#"" 7 ""#).unwrap(), Some(7));
    let absent = decode::<Detail>(b"{}", None).unwrap();
    assert_eq!(absent, Detail::default());
}

/// One test per scalar type: what each reads, and what it refuses. The official SDKs read
/// a declared string from any JSON scalar, and numbers from strings.
#[test]
fn each_scalar_type_reads_its_json_type_and_text() {
    // String: any scalar, numbers exactly as written.
    for (json, text) in [
        (r#""x""#, "x"),
        ("123", "123"),
        ("12345678901234567890123", "12345678901234567890123"),
        ("1.0", "1.0"),
        ("-0.5e3", "-0.5e3"),
        ("true", "true"),
        ("false", "false"),
        (r#""a\"b\u00e9""#, "a\"bé"),
    ] {
        assert_eq!(
            read::<String>(json).unwrap().as_deref(),
            Some(text),
            "{json}"
        );
    }
    assert!(read::<String>("[1]").is_err());
    assert!(read::<String>(r#"{"a": 1}"#).is_err());
    // Integers: numbers and strings holding them, in range.
    assert_eq!(read::<i32>("7").unwrap(), Some(7));
    assert_eq!(read::<i32>(r#"" 7 ""#).unwrap(), Some(7));
    assert_eq!(read::<i32>(r#""""#).unwrap(), None);
    assert!(read::<i32>("2147483648").is_err());
    assert!(read::<i32>("1.5").is_err());
    assert!(read::<i32>("true").is_err());
    assert_eq!(
        read::<i64>(r#""9223372036854775807""#).unwrap(),
        Some(i64::MAX)
    );
    assert!(read::<i64>("9223372036854775808").is_err());
    // Floats: numbers and strings holding them.
    assert_eq!(read::<f64>("1e5").unwrap(), Some(100000.0));
    assert_eq!(read::<f64>(r#""1.5""#).unwrap(), Some(1.5));
    assert_eq!(read::<f32>("0.25").unwrap(), Some(0.25));
    assert!(read::<f64>(r#""abc""#).is_err());
    // Booleans: booleans and the strings `true` / `false`.
    assert_eq!(read::<bool>("false").unwrap(), Some(false));
    assert_eq!(read::<bool>(r#""true""#).unwrap(), Some(true));
    assert!(read::<bool>("1").is_err());
}

#[test]
fn errors_inside_a_map_show_no_key() {
    // A map's keys are the server's: one could quote a request's token or steer a terminal.
    let error = decode::<BTreeMap<String, Vec<i64>>>(
        b"{\"ok\": [1], \"TOKEN\\u001b[2J\": [2, \"x\"]}",
        None,
    )
    .unwrap_err();
    assert_eq!(error.path(), "[\u{2026}][1]");
    let text = error.to_string();
    assert!(
        !text.contains("TOKEN") && !text.contains('\u{1b}'),
        "{text}"
    );
}

#[test]
fn errors_name_the_path_but_not_the_value() {
    let error = decode::<Items>(
        br#"{"Detail": [{"N": 1}, null, {"N": "SENTINEL"}], "Other": [1, {"x": []}]}"#,
        None,
    )
    .unwrap_err();
    assert_eq!(error.path(), "Detail[2].N");
    let text = error.to_string();
    assert!(!text.contains("SENTINEL"), "{text}");
    assert_eq!(
        text,
        "at `Detail[2].N`: expected a 32-bit integer, found one that does not fit"
    );
}

#[test]
fn lists_leave_out_null_items_and_repeated_keys_take_the_last_value() {
    let items = decode::<Items>(
        br#"{"Detail": [{"N": 1, "N": 3}, null, {"S": "x"}], "Unknown": {"deep": [[{}]]}}"#,
        None,
    )
    .unwrap();
    assert_eq!(
        items.detail,
        Some(vec![
            Detail {
                n: Some(3),
                s: None
            },
            Detail {
                n: None,
                s: Some("x".into())
            }
        ])
    );
    let maps = read::<BTreeMap<String, i32>>(r#"{"a": 1, "b": null, "a": 2}"#).unwrap();
    assert_eq!(maps, Some(BTreeMap::from([("a".to_owned(), 2)])));
}

#[test]
fn syntax_errors_give_a_position_only() {
    let error = decode::<Detail>(b"{\"Secret\": SENTINEL}", None).unwrap_err();
    assert_eq!(error.position(), Some((1, 12)));
    assert!(!error.to_string().contains("SENTINEL"));
    assert!(validate(b"").is_err());
    assert!(decode::<Detail>(b"{} trailing", None).is_err());
    // A member the type skips is checked all the same.
    assert!(
        decode::<Detail>(br#"{"Other": [1, 2,]}"#, None)
            .unwrap_err()
            .is_syntax()
    );
}

#[test]
fn an_empty_body_reads_as_absent_members() {
    assert_eq!(decode::<Detail>(b"  \n", None).unwrap(), Detail::default());
    assert_eq!(decode::<Detail>(b"null", None).unwrap(), Detail::default());
    let error = decode::<Detail>(b"[1]", None).unwrap_err();
    assert_eq!(error.to_string(), "expected an object, found an array");
}

#[test]
fn nesting_is_bounded() {
    let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    assert_eq!(
        validate(deep.as_bytes()).unwrap_err().message(),
        "nested too deeply"
    );
    let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(validate(fine.as_bytes()).is_ok());
    let typed = format!(r#"{{"V": {deep}}}"#);
    assert!(decode::<Detail>(typed.as_bytes(), None).is_err());
}

#[test]
fn untyped_members_become_serde_values() {
    assert_eq!(
        read::<serde_json::Value>(r#"{"a": [1, 2.5, "x", null, 1e400]}"#).unwrap(),
        Some(serde_json::json!({"a": [1, 2.5, "x", null, "1e400"]}))
    );
}

#[test]
fn a_deadline_in_the_past_stops_a_large_body() {
    let body = format!("[{}0]", "0,".repeat(100_000));
    let past = Some(Instant::now());
    let error = decode::<serde_json::Value>(body.as_bytes(), past).unwrap_err();
    assert!(error.is_out_of_time(), "{error}");
    assert!(decode::<serde_json::Value>(body.as_bytes(), None).is_ok());
}

/// Checks `input` with this reader (skipping and building) and serde_json, and fails unless
/// both accept it with the same value, or both refuse it. serde_json refuses numbers beyond
/// `f64`, which this reader keeps as text; those are left out.
fn agrees_with_serde_json(input: &[u8]) {
    let skipped = validate(input);
    let ours = decode::<serde_json::Value>(input, None);
    let theirs = serde_json::from_slice::<serde_json::Value>(input);
    // `decode` reads a body of whitespace only as `null` (an empty answer); `validate` does not.
    if !input.iter().all(u8::is_ascii_whitespace) {
        assert_eq!(
            skipped.is_ok(),
            ours.is_ok(),
            "skipping and reading disagree on {:?}",
            String::from_utf8_lossy(input)
        );
    }
    match (skipped, theirs) {
        (Ok(()), Ok(theirs)) => assert_eq!(
            ours.unwrap(),
            theirs,
            "{:?}",
            String::from_utf8_lossy(input)
        ),
        (Err(_), Err(_)) => {}
        (Ok(()), Err(error)) if error.to_string().starts_with("number out of range") => {}
        (ours, theirs) => panic!(
            "{:?}: ours {ours:?}, serde_json {theirs:?}",
            String::from_utf8_lossy(input)
        ),
    }
}

const DOCUMENTS: [&str; 6] = [
    r#"{"HttpStatusCode": 200, "RequestId": "D137-61C3", "Success": true, "BackupPlanId": "dbs5****"}"#,
    r#"{"Items": {"Plan": [{"Id": "a", "Size": -12.5e+3}, {"Id": null, "Tags": []}, {}]}, "TotalCount": 0}"#,
    r#"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "名字 ünïcode", "", 0, -0, 0.5, 1E-7, true, false, null]"#,
    "  {\n\t\"a\" : [ 1 , [ 2 , { \"b\" : \"c\" } ] ] ,\r\n \"a\" : \"repeated\" }  ",
    r#""a string alone""#,
    "12345678901234567890",
];

#[test]
fn documents_read_as_serde_json_reads_them() {
    for document in DOCUMENTS {
        agrees_with_serde_json(document.as_bytes());
    }
}

#[test]
fn malformed_documents_are_refused_as_serde_json_refuses_them() {
    let cases: &[&[u8]] = &[
        b"",
        b"   ",
        b"{",
        b"{\"a\"}",
        b"{\"a\":}",
        b"{\"a\":1,}",
        b"[1,]",
        b"[,1]",
        b"{,}",
        b"{1:2}",
        b"01",
        b"-",
        b"1.",
        b".5",
        b"1e",
        b"1e+",
        b"+1",
        b"0x10",
        b"tru",
        b"nul",
        b"True",
        b"NaN",
        b"\"unterminated",
        b"\"bad \\x escape\"",
        b"\"\\u12\"",
        b"\"\\ud800\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"\"tab\there\"",
        b"\"\xff\"",
        b"\xef\xbb\xbf{}",
        b"{} {}",
        b"[1] x",
        b"\"a\"\"b\"",
        b"[\"\\",
        b"{\"a\" 1}",
        b"{\"a\":1 \"b\":2}",
        b"[[1] [2]]",
    ];
    for case in cases {
        assert!(
            validate(case).is_err(),
            "{:?}",
            String::from_utf8_lossy(case)
        );
        agrees_with_serde_json(case);
    }
}

/// Thousands of small edits of the documents above (a byte dropped, added, replaced, a slice
/// doubled, the end cut), each read by both. Seeded: a failure names its input and
/// reproduces.
#[test]
fn mutated_documents_agree_with_serde_json() {
    const INTERESTING: &[u8] = b"{}[]\",:\\/ \t\n0123456789.eE+-tfnulrsabu\x00\x1f\x7f\xc3\xa9\xff";
    let mut rng = fastrand::Rng::with_seed(0x4a53_4f4e);
    for round in 0..40_000 {
        let mut input = DOCUMENTS[round % DOCUMENTS.len()].as_bytes().to_vec();
        for _ in 0..rng.usize(1..4) {
            let at = rng.usize(0..=input.len());
            let byte = INTERESTING[rng.usize(0..INTERESTING.len())];
            match rng.u8(0..5) {
                0 if at < input.len() => {
                    input.remove(at);
                }
                1 => input.insert(at, byte),
                2 if at < input.len() => input[at] = byte,
                3 => {
                    let end = rng.usize(at..=input.len().min(at + 8));
                    let copy = input[at..end].to_vec();
                    input.splice(at..at, copy);
                }
                _ => input.truncate(at),
            }
        }
        agrees_with_serde_json(&input);
    }
}

/// A type that holds itself (generated types do, boxed, where the metadata's does).
#[derive(Debug, Default)]
struct Node {
    child: Option<Box<Node>>,
}

impl FromJson for Node {
    fn from_json(json: &mut Reader<'_>) -> Result<Self> {
        let mut out = Self::default();
        json.object(|member, json| match member {
            "c" => json.read_into(&mut out.child),
            _ => json.skip(),
        })?;
        Ok(out)
    }
}

/// Skipping and untyped values do not recurse; typed reading recurses once per container of
/// the type, so only a type that holds itself goes as deep as the document. At the depth
/// limit, everything fits in a quarter of the 2 MiB a thread (and a tokio worker) gets by
/// default, even unoptimised.
#[test]
fn the_deepest_document_reads_on_a_small_stack() {
    let chain = |depth: usize| "{\"c\":".repeat(depth) + "null" + &"}".repeat(depth);
    let (deepest_chain, too_deep_chain) = (chain(MAX_DEPTH), chain(MAX_DEPTH + 1));
    let nested = |depth: usize| {
        let mut document = String::new();
        for level in 0..depth {
            document.push_str(if level % 2 == 0 { "{\"a\":" } else { "[1," });
        }
        document.push_str("null");
        for level in (0..depth).rev() {
            document.push(if level % 2 == 0 { '}' } else { ']' });
        }
        document
    };
    let (deepest, too_deep) = (nested(MAX_DEPTH), nested(MAX_DEPTH + 1));
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            assert!(validate(deepest.as_bytes()).is_ok());
            assert!(decode::<serde_json::Value>(deepest.as_bytes(), None).is_ok());
            assert!(decode::<Node>(deepest_chain.as_bytes(), None).is_ok());
            assert!(decode::<Node>(too_deep_chain.as_bytes(), None).is_err());
            assert_eq!(
                validate(too_deep.as_bytes()).unwrap_err().message(),
                "nested too deeply"
            );
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn errors_point_at_the_offending_character() {
    let error = validate("{\n  \"名\": [1,\n  2,, 3]}".as_bytes()).unwrap_err();
    assert_eq!(
        (error.position(), error.message()),
        (Some((3, 5)), "expected a value")
    );
    let error = validate(b"\"\xff\"").unwrap_err();
    assert_eq!(
        (error.position(), error.message()),
        (Some((1, 2)), "invalid UTF-8")
    );
    assert_eq!(validate(b"").unwrap_err().message(), "empty body");
    assert_eq!(
        validate(b"{} x").unwrap_err().message(),
        "trailing characters"
    );
}
