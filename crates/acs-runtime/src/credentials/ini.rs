//! INI credentials files, read exactly as the official Python library reads them.
//!
//! `alibabacloud_credentials` reads `~/.alibabacloud/credentials.ini` with Python's
//! `configparser.ConfigParser()` in its default settings, takes `items(section)` of every
//! section, and cuts each value at its first `#`. Its rules, which this reader follows (a test
//! replays cases recorded from Python, `tests/fixtures/credentials/ini/`):
//!
//! - `[name]` starts a section (the name as written, spaces kept, case kept; the header runs to
//!   the line's last `]`); a repeated section is an error; `[DEFAULT]` is not a section but
//!   gives its keys to every section that lacks them;
//! - `key = value` or `key: value` (the first `=` or `:` splits); keys are lower-cased and
//!   trimmed, values trimmed; a repeated key (in any letter case) is an error, as are a key
//!   before any section, an empty key and a line that is none of these;
//! - lines starting (after spaces) with `#` or `;` are comments; `;` and `#` inside a value are
//!   not comments for the parser;
//! - a line indented deeper than its key's line continues the value (joined with line breaks;
//!   blank lines inside are kept, trailing ones dropped);
//! - `%%` is a `%`, `%(key)s` is the value of `key` in the section (or `[DEFAULT]`); any other
//!   `%` is an error, in any value of any section;
//! - finally, every value is cut at its first `#` and trimmed (the library's own step: so
//!   `SENTINEL#SECRET` reads as `SENTINEL`).
//!
//! Any error makes the whole file unreadable, as it does for the Python library. Errors give a
//! line number and what is wrong, never the text: the file holds secrets.

/// The sections of a file, in order, each with its keys and values in order.
pub(crate) type Sections = Vec<(String, Vec<(String, String)>)>;

/// Why a file is not a credentials INI file: where, and what (never quoting the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IniError {
    /// 1-based line; 0 when the problem is not one line's (interpolation).
    pub line: usize,
    pub reason: &'static str,
}

/// How deep `%(key)s` references may nest (Python's `MAX_INTERPOLATION_DEPTH`).
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// A section being read: its keys, values as lines (joined at the end).
struct Section {
    name: String,
    options: Vec<(String, Vec<String>)>,
}

/// Reads `text` (see the module documentation).
pub(crate) fn parse(text: &str) -> Result<Sections, IniError> {
    let mut defaults = Section {
        name: "DEFAULT".to_owned(),
        options: Vec::new(),
    };
    let mut sections: Vec<Section> = Vec::new();
    // Where the reader is: in `[DEFAULT]`, in the last section, or before any.
    #[derive(PartialEq)]
    enum Current {
        None,
        Defaults,
        Last,
    }
    let mut current = Current::None;
    // Section names seen, to refuse a repeat without a quadratic search.
    let mut names = std::collections::HashSet::new();
    // The option being read (its index in the current section), and its line's indent.
    let mut option: Option<usize> = None;
    let mut indent_level = usize::MAX;
    let mut first_error: Option<IniError> = None;

    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = line.trim();
        let is_comment = trimmed.starts_with('#') || trimmed.starts_with(';');
        let section = match current {
            Current::None => None,
            Current::Defaults => Some(&mut defaults),
            Current::Last => sections.last_mut(),
        };
        if trimmed.is_empty() || is_comment {
            // A blank line inside a value is kept in it (trailing ones are dropped when the
            // value is joined); a comment is skipped. Neither ends the value.
            if let (false, Some(section), Some(at)) = (is_comment, section, option) {
                section.options[at].1.push(String::new());
            }
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let (Some(section), Some(at)) = (section, option)
            && indent > indent_level
        {
            section.options[at].1.push(trimmed.to_owned());
            continue;
        }
        indent_level = indent;
        if let Some(name) = header(trimmed) {
            option = None;
            if name == "DEFAULT" {
                current = Current::Defaults;
            } else if !names.insert(name.to_owned()) {
                return Err(IniError {
                    line: line_no,
                    reason: "a section is repeated",
                });
            } else {
                sections.push(Section {
                    name: name.to_owned(),
                    options: Vec::new(),
                });
                current = Current::Last;
            }
            continue;
        }
        let section = match current {
            Current::None => {
                return Err(IniError {
                    line: line_no,
                    reason: "a key comes before any [section]",
                });
            }
            Current::Defaults => &mut defaults,
            Current::Last => sections.last_mut().expect("a section was pushed"),
        };
        let Some(split) = trimmed.find(['=', ':']) else {
            first_error.get_or_insert(IniError {
                line: line_no,
                reason: "a line is neither a [section], a key = value nor a comment",
            });
            option = None;
            continue;
        };
        let key = trimmed[..split].trim().to_lowercase();
        if key.is_empty() {
            first_error.get_or_insert(IniError {
                line: line_no,
                reason: "a key is empty",
            });
            option = None;
            continue;
        }
        if section.options.iter().any(|(existing, _)| *existing == key) {
            return Err(IniError {
                line: line_no,
                reason: "a key is repeated in its section",
            });
        }
        section
            .options
            .push((key, vec![trimmed[split + 1..].trim().to_owned()]));
        option = Some(section.options.len() - 1);
    }
    if let Some(error) = first_error {
        return Err(error);
    }

    let join = |lines: &[String]| lines.join("\n").trim_end().to_owned();
    let defaults: Vec<(String, String)> = defaults
        .options
        .iter()
        .map(|(key, lines)| (key.clone(), join(lines)))
        .collect();
    sections
        .iter()
        .map(|section| {
            // The section's own keys, then the defaults it lacks (as `items()` lists them).
            let mut raw: Vec<(String, String)> = defaults
                .iter()
                .filter(|(key, _)| !section.options.iter().any(|(own, _)| own == key))
                .cloned()
                .collect();
            raw.splice(
                0..0,
                section
                    .options
                    .iter()
                    .map(|(key, lines)| (key.clone(), join(lines))),
            );
            let values = raw
                .iter()
                .map(|(key, value)| {
                    let value = interpolate(value, &raw, 0)?;
                    let value = value.split('#').next().unwrap_or_default().trim();
                    Ok((key.clone(), value.to_owned()))
                })
                .collect::<Result<Vec<_>, IniError>>()?;
            Ok((section.name.clone(), values))
        })
        .collect()
}

/// The section name of a header line: `[` to the line's last `]`, at least one character.
fn header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let close = inner.rfind(']')?;
    (close > 0).then(|| &inner[..close])
}

/// `value` with `%%` and `%(key)s` resolved against `values` (Python's `BasicInterpolation`).
fn interpolate(value: &str, values: &[(String, String)], depth: usize) -> Result<String, IniError> {
    let error = |reason| IniError { line: 0, reason };
    if depth > MAX_INTERPOLATION_DEPTH {
        return Err(error("`%(…)s` references nest too deeply"));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(reference) = after.strip_prefix('(') {
            let close = reference
                .find(")s")
                .ok_or(error("a `%(` is not closed by `)s`"))?;
            let key = reference[..close].to_lowercase();
            let referenced = values
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| value)
                .ok_or(error("a `%(key)s` names no key of its section"))?;
            out.push_str(&interpolate(referenced, values, depth + 1)?);
            rest = &reference[close + 2..];
        } else {
            return Err(error("a `%` is neither `%%` nor `%(key)s`"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case recorded from Python's reader, read the same way here.
    #[test]
    fn cases_recorded_from_the_python_library_read_the_same() {
        let cases: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/credentials/ini/cases.json"
        ))
        .expect("the recorded cases are JSON");
        let cases = cases.as_object().expect("cases by name");
        assert!(cases.len() >= 40, "{} cases", cases.len());
        for (name, case) in cases {
            let text = case["text"].as_str().expect("text");
            let ours = parse(text);
            match case.get("sections") {
                Some(expected) => {
                    let ours = ours.unwrap_or_else(|error| panic!("{name}: {error:?}"));
                    let mut shown = serde_json::Map::new();
                    for (section, values) in ours {
                        let values: serde_json::Map<String, serde_json::Value> = values
                            .into_iter()
                            .map(|(key, value)| (key, serde_json::Value::String(value)))
                            .collect();
                        shown.insert(section, serde_json::Value::Object(values));
                    }
                    assert_eq!(&serde_json::Value::Object(shown), expected, "{name}");
                }
                None => assert!(ours.is_err(), "{name}: Python refuses it, we read {ours:?}"),
            }
        }
    }

    #[test]
    fn errors_never_quote_the_file() {
        let error = parse("[a]\nsecret line SENTINEL\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(!format!("{error:?}").contains("SENTINEL"));
    }
}
