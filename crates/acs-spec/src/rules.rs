//! Wire and retry rules shared by the lowering and by the importer, so both decide the same
//! way: which styles a type can take, how a parameter travels, which operations only read.

use crate::model::{ApiStyle, HttpMethod, OperationType, ParamStyle, Position, TypeName};

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
/// `CurrentPage`); only 1-based page numbers are recognised (`PageIndex` and `Offset` are not:
/// their base differs by product).
pub mod pagination_names {
    /// Request parameter and answer member carrying the next page's token.
    pub const TOKEN: &str = "nexttoken";
    /// Request parameters carrying a page number counted from 1.
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
    fn styles_fit_their_types() {
        assert!(ParamStyle::Simple.fits(TypeName::Array));
        assert!(!ParamStyle::Simple.fits(TypeName::Object));
        assert!(!ParamStyle::RepeatList.fits(TypeName::Object));
        assert!(ParamStyle::Flat.fits(TypeName::Map));
        assert!(ParamStyle::Json.fits(TypeName::String));
    }
}
