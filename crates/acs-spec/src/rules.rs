//! Wire and retry rules shared by the lowering and by the importer, so both decide the same
//! way: which styles a type can take, how a parameter travels, which operations only read.

use crate::model::{ApiStyle, Gateway, HttpMethod, OperationType, ParamStyle, Position, TypeName};

/// The deepest nesting of objects, lists and maps a spec may declare. Deeper types would
/// overflow the compiler's trait solver (`E0275`) when a future holding the request is checked
/// for `Send`; the deepest response in Alibaba's catalogue nests 28 levels.
pub const MAX_NESTING: usize = 40;

impl TypeName {
    /// The type as written in a spec (`int32`, `array`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TypeName::String => "string",
            TypeName::Int32 => "int32",
            TypeName::Int64 => "int64",
            TypeName::Float => "float",
            TypeName::Double => "double",
            TypeName::Boolean => "boolean",
            TypeName::Array => "array",
            TypeName::Object => "object",
            TypeName::Map => "map",
            TypeName::Enum => "enum",
            TypeName::Any => "any",
            TypeName::Binary => "binary",
        }
    }

    /// Whether values of the type have parts (so need a style saying how they are sent).
    pub fn is_structured(self) -> bool {
        matches!(
            self,
            TypeName::Array | TypeName::Object | TypeName::Map | TypeName::Any
        )
    }
}

impl ParamStyle {
    /// The style as written in a spec (`repeatList`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamStyle::Simple => "simple",
            ParamStyle::RepeatList => "repeatList",
            ParamStyle::Flat => "flat",
            ParamStyle::Json => "json",
            ParamStyle::Xml => "xml",
            ParamStyle::LogGroup => "logGroup",
        }
    }

    /// The style a parameter of `type_name` has when the spec gives none.
    pub fn default_for(type_name: TypeName) -> ParamStyle {
        match type_name {
            TypeName::Array => ParamStyle::RepeatList,
            TypeName::Object | TypeName::Map => ParamStyle::Flat,
            TypeName::Any => ParamStyle::Json,
            _ => ParamStyle::Simple,
        }
    }

    /// Whether the style can carry a value of `type_name`: `simple` takes scalars and lists
    /// (comma-joined), `repeatList` lists, `flat` lists, objects and maps, `json` anything.
    pub fn fits(self, type_name: TypeName) -> bool {
        match self {
            ParamStyle::Simple => !type_name.is_structured() || type_name == TypeName::Array,
            ParamStyle::RepeatList => type_name == TypeName::Array,
            ParamStyle::Flat => matches!(
                type_name,
                TypeName::Object | TypeName::Map | TypeName::Array
            ),
            ParamStyle::Json => true,
            // A dangling `$ref` leaves an XML body untyped (`any`): sent from its JSON form.
            ParamStyle::Xml => matches!(type_name, TypeName::Object | TypeName::Any),
            ParamStyle::LogGroup => type_name == TypeName::Object,
        }
    }

    /// Whether the style makes the parameter the whole request body (`xml`, `logGroup`).
    pub fn is_whole_body(self) -> bool {
        matches!(self, ParamStyle::Xml | ParamStyle::LogGroup)
    }
}

/// A region's VPC host when the metadata lists none, as the gateway names it: OSS's
/// `oss-{region}.aliyuncs.com` is reached from the region's VPCs as
/// `oss-{region}-internal.aliyuncs.com` (the OSS gateway's `network: internal`). SLS's metadata
/// lists its `{region}-intranet.log.aliyuncs.com` hosts itself.
/// Only a region whose public host is exactly that form gets one (OSS's finance regions list
/// other hosts).
pub fn gateway_vpc_host(gateway: Option<Gateway>, region: &str, public: &str) -> Option<String> {
    (gateway == Some(Gateway::Oss) && public == format!("oss-{region}.aliyuncs.com"))
        .then(|| format!("oss-{region}-internal.aliyuncs.com"))
}

impl Gateway {
    /// The gateway as written in a spec (`oss`, `sls`).
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Oss => "oss",
            Gateway::Sls => "sls",
        }
    }
}

/// Characters a path template may hold outside its `{placeholders}`: RFC 3986's unreserved
/// characters, `/`, and the sub-delimiters Alibaba's paths use (`/apps:search`, `resourceTypes/*`).
/// They are sent and signed exactly as written, as the official SDKs do; anything else could
/// change the request's meaning (`?`, `#`, `%`) and is refused.
pub fn is_path_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~/:@!$&'()*+,;=".contains(c)
}

/// Whether a value of this type is the whole request body as bytes: it can travel only there.
pub fn is_binary_body(type_name: TypeName) -> bool {
    type_name == TypeName::Binary
}

/// Whether a structured value in this position must travel JSON-encoded: a path segment, a
/// header or a host name holds one string.
pub fn needs_json(position: Position, type_name: TypeName) -> bool {
    type_name.is_structured()
        && type_name != TypeName::Any
        && matches!(position, Position::Path | Position::Header | Position::Host)
}

/// Whether an ROA body parameter is the whole JSON body: a structured value that is the only
/// body parameter (CS calls it `body`). Other ROA body parameters are members of the JSON
/// body object; RPC bodies are form fields.
pub fn is_whole_json_body(
    api: ApiStyle,
    position: Position,
    type_name: TypeName,
    body_params: usize,
) -> bool {
    api == ApiStyle::Roa
        && position == Position::Body
        && body_params == 1
        && type_name.is_structured()
}

/// Names that mark a list operation's pages, compared after [`pagination_name`]. Alibaba
/// spells them many ways (`NextToken`, `nextToken`, `next_token`; `PageNumber`, `PageNum`,
/// `CurrentPage`). Page numbers count from 0 or 1 depending on the product, so a page number
/// is followed only where the answer echoes it or its description documents where pages
/// start ([`documented_first_page`]); `PageIndex` and `Offset` are not recognised.
pub mod pagination_names {
    /// Request parameter and answer member carrying the next page's token.
    pub const TOKEN: &str = "nexttoken";
    /// Request parameters carrying a page number, and answer members echoing it.
    pub const PAGE_NUMBER: &[&str] = &["pagenumber", "pagenum", "currentpage", "pageno"];
    /// Answer members counting all items.
    pub const TOTAL_COUNT: &[&str] = &[
        "totalcount",
        "totalrecordcount",
        "totalelements",
        "total",
        "totalnum",
    ];
    /// Answer members counting pages.
    pub const TOTAL_PAGES: &[&str] = &["totalpages", "totalpage"];
}

/// `name` as the pagination rules compare it: lower case, without `_` and `-`.
pub fn pagination_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The number of the page a page-number parameter's description says the operation answers
/// when none is asked for, when it says so unambiguously and the number is 0 or 1.
///
/// The metadata documents it in words, dozens of ways: a default ("Default value: **1**.",
/// "The default value is 0", "default is 1"), else where pages start ("Pages start from page
/// 1.", "starting from 0", "Start value: 1", "counted from 1") or a lower bound ("greater than
/// or equal to 0", "greater than 0", "Minimum value: 1"). The default decides when there is
/// one: it is the page an operation asked for none answers. Claims of the same kind that
/// disagree, or a first page other than 0 or 1 (a default of 10 is a page size's, copied),
/// give `None`: such an operation gets no paginator unless its answer echoes the page number.
pub fn documented_first_page(description: &str) -> Option<i64> {
    let text: String = description
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '\\'))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let defaults = numbers_after(&text, FIRST_PAGE_DEFAULTS, 0);
    let mut starts = numbers_after(&text, FIRST_PAGE_STARTS, 0);
    starts.extend(numbers_after(&text, FIRST_PAGE_LOWER_BOUNDS, 0));
    starts.extend(numbers_after(&text, FIRST_PAGE_EXCLUSIVE_BOUNDS, 1));
    let agreed = |claims: &[i64]| match claims {
        [] => Ok(None),
        [first, rest @ ..] if rest.iter().all(|n| n == first) => Ok(Some(*first)),
        _ => Err(()),
    };
    let first = match agreed(&defaults).ok()? {
        Some(default) => default,
        None => agreed(&starts).ok()??,
    };
    matches!(first, 0 | 1).then_some(first)
}

/// Phrases a page parameter's default follows (lower case, without Markdown emphasis).
const FIRST_PAGE_DEFAULTS: &[&str] = &[
    "default value:",
    "default value is",
    "default value of",
    "default is:",
    "default is",
    "default:",
    "defaults to",
];

/// Phrases the first page's number follows.
const FIRST_PAGE_STARTS: &[&str] = &[
    "start from",
    "starts from:",
    "starts from",
    "starting from",
    "starting at",
    "starts at",
    "start value:",
    "start value is",
    "starting value:",
    "starting value is",
    "counted from",
    "begins at",
    "begins from",
];

/// Phrases an inclusive lower bound follows.
const FIRST_PAGE_LOWER_BOUNDS: &[&str] = &[
    "greater than or equal to",
    "minimum value:",
    "minimum value is",
];

/// Phrases an exclusive lower bound follows (the first page is one more).
const FIRST_PAGE_EXCLUSIVE_BOUNDS: &[&str] = &["greater than"];

/// The numbers that follow any of `phrases` in `text` (after an optional "page"), plus `add`.
fn numbers_after(text: &str, phrases: &[&str], add: i64) -> Vec<i64> {
    let mut numbers = Vec::new();
    for phrase in phrases {
        for (at, _) in text.match_indices(phrase) {
            let rest = text[at + phrase.len()..].trim_start();
            // "greater than or equal to" is a lower bound of its own, not "greater than".
            if *phrase == "greater than" && rest.starts_with("or equal") {
                continue;
            }
            // Whole words only ("restart from" is no start).
            if at > 0 && text[..at].ends_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            let rest = rest.strip_prefix("page ").unwrap_or(rest);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(number) = digits.parse::<i64>() {
                numbers.push(number + add);
            }
        }
    }
    numbers
}

/// Name prefixes of operations that only read. Alibaba's `operationType` alone is unreliable
/// (hundreds of `read` operations are named `Delete…` or `Create…`), so a read needs every
/// sign to agree: this prefix, `operationType: read`, and a method that does not write.
pub const READ_PREFIXES: &[&str] = &[
    "Describe", "List", "Get", "Query", "Search", "Check", "Preview", "Count",
];

/// Whether an operation is a read by every sign the spec gives: its declared type, its name
/// and its HTTP methods (an RPC operation must also be callable with GET; an ROA operation
/// must be sent with GET or HEAD).
pub fn reads_by_every_sign(
    api: ApiStyle,
    name: &str,
    operation_type: OperationType,
    methods: &[HttpMethod],
    sent_with: HttpMethod,
) -> bool {
    let named_as_read = READ_PREFIXES.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| !c.is_lowercase()))
    });
    let method_reads = match api {
        ApiStyle::Rpc => methods.contains(&HttpMethod::Get),
        ApiStyle::Roa => matches!(sent_with, HttpMethod::Get | HttpMethod::Head),
    };
    operation_type == OperationType::Read && named_as_read && method_reads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_need_every_sign() {
        use HttpMethod::*;
        let rpc = |name, ty, methods: &[HttpMethod]| {
            reads_by_every_sign(ApiStyle::Rpc, name, ty, methods, Post)
        };
        assert!(rpc(
            "DescribeBackupPlanList",
            OperationType::Read,
            &[Post, Get]
        ));
        assert!(!rpc("DescribeBackupPlanList", OperationType::Read, &[Post]));
        assert!(!rpc(
            "DescribeBackupPlanList",
            OperationType::Write,
            &[Post, Get]
        ));
        assert!(!rpc("DeleteCluster", OperationType::Read, &[Post, Get]));
        // `Listen…` is not a `List…`.
        assert!(!rpc("ListenEvents", OperationType::Read, &[Post, Get]));
        let roa = |name, method| {
            reads_by_every_sign(ApiStyle::Roa, name, OperationType::Read, &[method], method)
        };
        assert!(roa("DescribeClusterNodePools", Get));
        assert!(!roa("DescribeClusterAttachScripts", Post));
        assert!(!roa("DeleteCluster", Delete));
    }

    #[test]
    fn first_pages_are_read_from_the_description() {
        // DBS `DescribeBackupPlanList`'s `PageNum`.
        assert_eq!(
            documented_first_page(
                "The page number. The value must be greater than or equal to 0 and not exceed the maximum value of an integer. Default value: 0."
            ),
            Some(0)
        );
        assert_eq!(
            documented_first_page(
                "The page number. Pages start from page 1.\n\nDefault value: **1**."
            ),
            Some(1)
        );
        assert_eq!(
            documented_first_page("The number of the page to return. Pages start from Page 0."),
            Some(0)
        );
        assert_eq!(
            documented_first_page("The value must be an integer that is greater than 0."),
            Some(1)
        );
        assert_eq!(
            documented_first_page("Current page number, starting from **1**, default is **1**."),
            Some(1)
        );
        assert_eq!(documented_first_page("Default value: `0`."), Some(0));
        // The default decides: it is the page asked for when none is.
        assert_eq!(
            documented_first_page("Minimum value: 0. Default value: 1."),
            Some(1)
        );
        // Nothing said, disagreeing claims, or a number no page count starts from.
        assert_eq!(documented_first_page("The page number."), None);
        assert_eq!(
            documented_first_page("Pages start from 0. Pages start from 1."),
            None
        );
        assert_eq!(documented_first_page("Default value: 0. Default: 1."), None);
        assert_eq!(documented_first_page("Default value: 10."), None);
        assert_eq!(documented_first_page("Starts from the first page."), None);
    }

    #[test]
    fn oss_regions_have_internal_hosts() {
        assert_eq!(
            gateway_vpc_host(
                Some(Gateway::Oss),
                "cn-hangzhou",
                "oss-cn-hangzhou.aliyuncs.com"
            )
            .as_deref(),
            Some("oss-cn-hangzhou-internal.aliyuncs.com")
        );
        // Another gateway, or a host not of the region's usual form: none.
        for (gateway, region, public) in [
            (
                Some(Gateway::Oss),
                "cn-shanghai-finance-1",
                "oss-cn-shanghai-finance-1-internal.aliyuncs.com",
            ),
            (
                Some(Gateway::Oss),
                "cn-hangzhou-finance",
                "oss-cn-hzjbp-b-console.aliyuncs.com",
            ),
            (
                Some(Gateway::Sls),
                "cn-hangzhou",
                "oss-cn-hangzhou.aliyuncs.com",
            ),
            (None, "cn-hangzhou", "oss-cn-hangzhou.aliyuncs.com"),
        ] {
            assert_eq!(gateway_vpc_host(gateway, region, public), None, "{public}");
        }
    }

    #[test]
    fn styles_fit_their_types() {
        assert!(ParamStyle::Simple.fits(TypeName::Array));
        assert!(!ParamStyle::Simple.fits(TypeName::Object));
        assert!(!ParamStyle::RepeatList.fits(TypeName::Object));
        assert!(ParamStyle::Flat.fits(TypeName::Map));
        assert!(ParamStyle::Json.fits(TypeName::String));
    }
}
