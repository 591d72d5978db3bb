//! ARN templates filled into resource ARNs, and which ARN patterns cover which.

use std::fmt;

/// A part of a resource ARN left as `*`, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wildcard {
    /// The action is not resource-level: the metadata gives no ARN template, so the resource
    /// is `*` as a whole.
    AllResources,
    /// `{#regionId}`: no region was given.
    Region,
    /// `{#accountId}`: no account ID was given.
    Account,
    /// `{#Name}`: the parameter `Name` had no value.
    Parameter(String),
    /// `{#Name}`: the value of `Name` holds `*`, which RAM reads as a wildcard: the grant is
    /// broader than the value the call used.
    ValueWithWildcard(String),
    /// A `*` in the template itself: the metadata's own, or a placeholder the spec could match
    /// to no (scalar) parameter of the operation.
    Template,
}

impl fmt::Display for Wildcard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wildcard::AllResources => {
                f.write_str("every resource (the action is not resource-level)")
            }
            Wildcard::Region => f.write_str("the region (none given)"),
            Wildcard::Account => f.write_str("the account ID (none given)"),
            Wildcard::Parameter(name) => write!(f, "`{{#{name}}}` (no value)"),
            Wildcard::ValueWithWildcard(name) => {
                write!(f, "`{{#{name}}}` (its value holds `*`, a wildcard to RAM)")
            }
            Wildcard::Template => f.write_str("`*` in the ARN template"),
        }
    }
}

/// A template filled by [`fill_arn`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledArn {
    /// The resource ARN.
    pub arn: String,
    /// The parts left as `*`, in template order (empty when every part is known).
    pub wildcards: Vec<Wildcard>,
}

/// A piece of an ARN template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplatePart<'a> {
    /// Text copied as is.
    Literal(&'a str),
    /// `{#Name}`: the name (`regionId`, `accountId`, or a parameter's).
    Placeholder(&'a str),
    /// Text that looks like a placeholder and is not one: `#{endpointId}` (written so in
    /// PrivateZone's metadata), `{name}`, or an unclosed `{#…`. It stands for a part nobody
    /// knows, so it is never copied into a resource.
    Malformed(&'a str),
}

/// `template` split into literal text, `{#Name}` placeholders and malformed ones: the one
/// reading of ARN templates, for the spec's lowering and for filling.
pub fn template_parts(template: &str) -> Vec<TemplatePart<'_>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let placeholder = rest[open + 1..].starts_with('#');
        // `#{name}`: the `#` belongs to the mistake, not to the text before it.
        let start = if !placeholder && rest[..open].ends_with('#') {
            open - 1
        } else {
            open
        };
        if start > 0 {
            parts.push(TemplatePart::Literal(&rest[..start]));
        }
        let Some(close) = rest[open..].find('}').map(|close| open + close) else {
            parts.push(TemplatePart::Malformed(&rest[start..]));
            return parts;
        };
        parts.push(if placeholder {
            TemplatePart::Placeholder(&rest[open + 2..close])
        } else {
            TemplatePart::Malformed(&rest[start..=close])
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Literal(rest));
    }
    parts
}

/// `template` with `{#regionId}` replaced by `region`, `{#accountId}` by `account` and
/// `{#Name}` by `param("Name")`. A part with no value (or an empty one) becomes `*`, and so
/// does a malformed placeholder ([`TemplatePart::Malformed`]): a wider resource, never a wrong
/// one. An empty template, or `*` alone, is the resource `*` ([`Wildcard::AllResources`]).
pub fn fill_arn<V: AsRef<str>>(
    template: &str,
    region: Option<&str>,
    account: Option<&str>,
    mut param: impl FnMut(&str) -> Option<V>,
) -> FilledArn {
    if template.is_empty() || template == "*" {
        return FilledArn {
            arn: "*".to_owned(),
            wildcards: vec![Wildcard::AllResources],
        };
    }
    let mut arn = String::with_capacity(template.len() + 32);
    let mut wildcards = Vec::new();
    let mut note = |wildcard: Wildcard| {
        if !wildcards.contains(&wildcard) {
            wildcards.push(wildcard);
        }
    };
    for part in template_parts(template) {
        match part {
            TemplatePart::Literal(text) => {
                if text.contains('*') {
                    note(Wildcard::Template);
                }
                arn.push_str(text);
            }
            TemplatePart::Malformed(_) => {
                note(Wildcard::Template);
                arn.push('*');
            }
            TemplatePart::Placeholder(name) => {
                let (value, unknown) = match name {
                    "regionId" => (region.map(str::to_owned), Wildcard::Region),
                    "accountId" => (account.map(str::to_owned), Wildcard::Account),
                    _ => (
                        param(name).map(|value| value.as_ref().to_owned()),
                        Wildcard::Parameter(name.to_owned()),
                    ),
                };
                match value.filter(|value| !value.is_empty()) {
                    Some(value) => {
                        if value.contains('*') {
                            note(Wildcard::ValueWithWildcard(name.to_owned()));
                        }
                        arn.push_str(&value);
                    }
                    None => {
                        note(unknown);
                        arn.push('*');
                    }
                }
            }
        }
    }
    FilledArn { arn, wildcards }
}

/// Whether every resource `arn` matches is also matched by `pattern`, where `*` in `pattern`
/// stands for any text (RAM's wildcard) and `*` in `arn` is taken the same way. Decided by
/// matching `pattern` against `arn`'s text: each `*` of `arn` then falls inside a `*` of
/// `pattern`. `?` is compared literally (so never found covering where it does not).
pub fn covers(pattern: &str, arn: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), arn.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the last `*` of the pattern was, and where the text stood when it was reached.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` take one more character, and try again after it.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<&'static str> {
        None
    }

    #[test]
    fn every_placeholder_kind_is_filled_or_left_as_a_wildcard() {
        let params = |name: &str| match name {
            "BackupPlanId" => Some("dbs-plan-1"),
            "project" => Some("logs"),
            "Empty" => Some(""),
            _ => None,
        };
        let fill = |template| fill_arn(template, Some("cn-hangzhou"), Some("123"), params);
        assert_eq!(
            fill("acs:dbs:{#regionId}:{#accountId}:backupplan/{#BackupPlanId}"),
            FilledArn {
                arn: "acs:dbs:cn-hangzhou:123:backupplan/dbs-plan-1".to_owned(),
                wildcards: vec![],
            }
        );
        // Two parameters, one unset; an empty value is no value.
        assert_eq!(
            fill(
                "acs:log:{#regionId}:{#accountId}:project/{#project}/logstore/{#logstore}/{#Empty}"
            ),
            FilledArn {
                arn: "acs:log:cn-hangzhou:123:project/logs/logstore/*/*".to_owned(),
                wildcards: vec![
                    Wildcard::Parameter("logstore".to_owned()),
                    Wildcard::Parameter("Empty".to_owned()),
                ],
            }
        );
        // PrivateZone's global resources: an empty region stays empty; `*` in the template.
        assert_eq!(
            fill("acs:pvtz::{#accountId}:zone/*"),
            FilledArn {
                arn: "acs:pvtz::123:zone/*".to_owned(),
                wildcards: vec![Wildcard::Template],
            }
        );
        // DBS's template with no resource part.
        assert_eq!(
            fill("acs:dbs:{#regionId}:{#accountId}:").arn,
            "acs:dbs:cn-hangzhou:123:"
        );
        // PrivateZone's `#{endpointId}`, other braces, an unclosed placeholder: never copied.
        for malformed in [
            "acs:pvtz::{#accountId}:inboundendpoint/#{endpointId}",
            "acs:pvtz::{#accountId}:inboundendpoint/{endpointId}",
            "acs:pvtz::{#accountId}:inboundendpoint/{#endpointId",
            "acs:pvtz::{#accountId}:inboundendpoint/#{endpointId",
        ] {
            assert_eq!(
                fill(malformed),
                FilledArn {
                    arn: "acs:pvtz::123:inboundendpoint/*".to_owned(),
                    wildcards: vec![Wildcard::Template],
                },
                "{malformed}"
            );
        }
        for all in ["", "*"] {
            assert_eq!(
                fill(all),
                FilledArn {
                    arn: "*".to_owned(),
                    wildcards: vec![Wildcard::AllResources],
                }
            );
        }
    }

    #[test]
    fn templates_split_into_text_placeholders_and_mistakes() {
        use TemplatePart::*;
        assert_eq!(
            template_parts("a:{#regionId}:b#{x}c{y}{#z}#"),
            [
                Literal("a:"),
                Placeholder("regionId"),
                Literal(":b"),
                Malformed("#{x}"),
                Literal("c"),
                Malformed("{y}"),
                Placeholder("z"),
                Literal("#"),
            ]
        );
        assert_eq!(
            template_parts("x/{#open"),
            [Literal("x/"), Malformed("{#open")]
        );
        assert_eq!(template_parts(""), []);
    }

    #[test]
    fn unknown_region_and_account_are_wildcards() {
        let filled = fill_arn(
            "acs:dbs:{#regionId}:{#accountId}:backupplan/x",
            None,
            Some(""),
            none,
        );
        assert_eq!(filled.arn, "acs:dbs:*:*:backupplan/x");
        assert_eq!(filled.wildcards, [Wildcard::Region, Wildcard::Account]);
    }

    #[test]
    fn a_value_holding_a_wildcard_is_reported() {
        let filled = fill_arn("acs:dbs:r:1:backupplan/{#BackupPlanId}", None, None, |_| {
            Some("dbs-*")
        });
        assert_eq!(filled.arn, "acs:dbs:r:1:backupplan/dbs-*");
        assert_eq!(
            filled.wildcards,
            [Wildcard::ValueWithWildcard("BackupPlanId".into())]
        );
    }

    #[test]
    fn patterns_cover_what_they_match() {
        assert!(covers("*", "acs:dbs:r:1:backupplan/p"));
        assert!(covers("*", "*"));
        assert!(covers(
            "acs:dbs:*:*:backupplan/*",
            "acs:dbs:r:1:backupplan/p"
        ));
        assert!(covers(
            "acs:dbs:r:*:backupplan/*",
            "acs:dbs:r:*:backupplan/*"
        ));
        assert!(covers("a*", "a**"));
        assert!(covers("a*b*c", "axbyc"));
        assert!(covers("a*b", "a*xb"));
        assert!(!covers(
            "acs:dbs:r:1:backupplan/p",
            "acs:dbs:r:1:backupplan/*"
        ));
        assert!(!covers(
            "acs:dbs:r:*:backupplan/*",
            "acs:dbs:s:1:backupplan/p"
        ));
        assert!(!covers("a*b", "a*"));
        assert!(!covers("a?", "ab"));
        assert!(!covers("", "a"));
        assert!(covers("", ""));
    }
}
