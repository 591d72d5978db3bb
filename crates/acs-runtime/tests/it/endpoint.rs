//! Endpoint resolution against a table shaped like a generated client's (DBS rows).

use acs_runtime::endpoint::{
    EndpointError, EndpointKind, RegionEndpoint, ResolvedEndpoint, Scheme, resolve,
};

const TABLE: &[RegionEndpoint] = &[
    RegionEndpoint::new(
        "cn-hangzhou",
        "dbs-api.cn-hangzhou.aliyuncs.com",
        "dbs-api-vpc.cn-hangzhou.aliyuncs.com",
    ),
    // Served by the central (Hangzhou) public endpoint, but with its own VPC endpoint.
    RegionEndpoint::new(
        "cn-beijing",
        "dbs-api.cn-hangzhou.aliyuncs.com",
        "dbs-api-vpc.cn-beijing.aliyuncs.com",
    ),
    RegionEndpoint::new(
        "ap-southeast-1",
        "dbs-api.ap-southeast-1.aliyuncs.com",
        "dbs-api-vpc.ap-southeast-1.aliyuncs.com",
    ),
    // The metadata gives an empty VPC endpoint here.
    RegionEndpoint::new(
        "cn-hangzhou-finance",
        "dbs-api.cn-hangzhou.aliyuncs.com",
        "",
    ),
    // Written by hand rather than through `new`: `Some("")` must also mean "none".
    RegionEndpoint {
        region_id: "cn-shanghai-finance-1",
        public: "dbs-api.cn-hangzhou.aliyuncs.com",
        vpc: Some(""),
    },
    RegionEndpoint {
        region_id: "cn-nowhere-1",
        public: "",
        vpc: Some("dbs-api-vpc.cn-nowhere-1.aliyuncs.com"),
    },
];

fn https(host: &str) -> ResolvedEndpoint {
    ResolvedEndpoint {
        scheme: Scheme::Https,
        host: host.to_owned(),
    }
}

fn override_err(url: &str) -> (String, String) {
    match resolve(TABLE, "cn-hangzhou", EndpointKind::Public, Some(url)) {
        Err(e @ EndpointError::InvalidOverride { .. }) => {
            let EndpointError::InvalidOverride { reason, .. } = &e else {
                unreachable!()
            };
            (reason.clone(), e.to_string())
        }
        other => panic!("{url:?}: expected an invalid override, got {other:?}"),
    }
}

fn parsed(url: &str) -> ResolvedEndpoint {
    resolve(TABLE, "no-such-region", EndpointKind::Vpc, Some(url))
        .unwrap_or_else(|e| panic!("{url:?}: {e}"))
}

// --- Table lookups -------------------------------------------------------------------------------

#[test]
fn region_endpoint_new_maps_empty_vpc_to_none() {
    assert_eq!(TABLE[0].vpc, Some("dbs-api-vpc.cn-hangzhou.aliyuncs.com"));
    assert_eq!(TABLE[3].vpc, None);
    assert_eq!(TABLE[4].host(EndpointKind::Vpc), None);
    assert_eq!(
        TABLE[4].host(EndpointKind::Public),
        Some("dbs-api.cn-hangzhou.aliyuncs.com")
    );
}

#[test]
fn public_endpoint_from_table() {
    let e = resolve(TABLE, "ap-southeast-1", EndpointKind::Public, None).unwrap();
    assert_eq!(e, https("dbs-api.ap-southeast-1.aliyuncs.com"));
    assert_eq!(e.base_url(), "https://dbs-api.ap-southeast-1.aliyuncs.com");
    assert_eq!(e.host_header(), "dbs-api.ap-southeast-1.aliyuncs.com");
    assert_eq!(e.to_string(), e.base_url());
}

#[test]
fn default_kind_is_public() {
    assert_eq!(EndpointKind::default(), EndpointKind::Public);
    assert_eq!(
        resolve(TABLE, "cn-hangzhou", EndpointKind::default(), None).unwrap(),
        https("dbs-api.cn-hangzhou.aliyuncs.com")
    );
}

#[test]
fn central_endpoint_region() {
    let e = resolve(TABLE, "cn-beijing", EndpointKind::Public, None).unwrap();
    assert_eq!(e.base_url(), "https://dbs-api.cn-hangzhou.aliyuncs.com");
    assert_eq!(
        resolve(TABLE, "cn-hangzhou-finance", EndpointKind::Public, None).unwrap(),
        https("dbs-api.cn-hangzhou.aliyuncs.com")
    );
}

#[test]
fn vpc_endpoint_from_table() {
    let e = resolve(TABLE, "cn-beijing", EndpointKind::Vpc, None).unwrap();
    assert_eq!(e, https("dbs-api-vpc.cn-beijing.aliyuncs.com"));
    assert_eq!(e.base_url(), "https://dbs-api-vpc.cn-beijing.aliyuncs.com");
}

#[test]
fn vpc_missing_is_an_error() {
    for region in ["cn-hangzhou-finance", "cn-shanghai-finance-1"] {
        let err = resolve(TABLE, region, EndpointKind::Vpc, None).unwrap_err();
        assert_eq!(
            err,
            EndpointError::NoEndpoint {
                region: region.to_owned(),
                kind: EndpointKind::Vpc
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "region `{region}` has no VPC endpoint; use the public endpoint or set an \
                 endpoint override"
            )
        );
    }
}

#[test]
fn public_missing_is_an_error() {
    let err = resolve(TABLE, "cn-nowhere-1", EndpointKind::Public, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "region `cn-nowhere-1` has no public endpoint"
    );
    assert_eq!(
        resolve(TABLE, "cn-nowhere-1", EndpointKind::Vpc, None).unwrap(),
        https("dbs-api-vpc.cn-nowhere-1.aliyuncs.com")
    );
}

#[test]
fn unknown_region_lists_known_regions_sorted() {
    let err = resolve(TABLE, "mars-north-1", EndpointKind::Public, None).unwrap_err();
    let EndpointError::UnknownRegion { region, known } = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(region, "mars-north-1");
    assert_eq!(
        known,
        &[
            "ap-southeast-1",
            "cn-beijing",
            "cn-hangzhou",
            "cn-hangzhou-finance",
            "cn-nowhere-1",
            "cn-shanghai-finance-1"
        ]
    );
    assert_eq!(
        err.to_string(),
        "unknown region `mars-north-1`; known regions: ap-southeast-1, cn-beijing, cn-hangzhou, \
         cn-hangzhou-finance, cn-nowhere-1, cn-shanghai-finance-1"
    );
}

#[test]
fn region_match_is_exact() {
    assert!(matches!(
        resolve(TABLE, "CN-HANGZHOU", EndpointKind::Public, None),
        Err(EndpointError::UnknownRegion { .. })
    ));
    assert!(matches!(
        resolve(TABLE, "cn-hangzhou ", EndpointKind::Public, None),
        Err(EndpointError::UnknownRegion { .. })
    ));
}

#[test]
fn empty_region() {
    let err = resolve(TABLE, "", EndpointKind::Public, None).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no region set; known regions: ap-southeast-1,"),
        "{err}"
    );
}

#[test]
fn empty_table() {
    let err = resolve(&[], "cn-hangzhou", EndpointKind::Public, None).unwrap_err();
    assert_eq!(
        err,
        EndpointError::UnknownRegion {
            region: "cn-hangzhou".to_owned(),
            known: vec![]
        }
    );
    assert!(
        err.to_string().contains("set an endpoint override"),
        "{err}"
    );
}

#[test]
fn known_regions_are_deduplicated() {
    let table = [
        RegionEndpoint::new("b", "b.example.com", ""),
        RegionEndpoint::new("a", "a.example.com", ""),
        RegionEndpoint::new("b", "b2.example.com", ""),
    ];
    let err = resolve(&table, "c", EndpointKind::Public, None).unwrap_err();
    assert_eq!(err.to_string(), "unknown region `c`; known regions: a, b");
    // The first row of a region wins.
    assert_eq!(
        resolve(&table, "b", EndpointKind::Public, None).unwrap(),
        https("b.example.com")
    );
}

// --- Overrides ---------------------------------------------------------------------------------

#[test]
fn override_wins_over_table_kind_and_region() {
    let e = resolve(
        TABLE,
        "cn-beijing",
        EndpointKind::Vpc,
        Some("https://dbs.example.com"),
    )
    .unwrap();
    assert_eq!(e, https("dbs.example.com"));
    // Even an unknown or empty region is fine with an override.
    assert_eq!(parsed("dbs.example.com"), https("dbs.example.com"));
    assert_eq!(
        resolve(&[], "", EndpointKind::Public, Some("dbs.example.com")).unwrap(),
        https("dbs.example.com")
    );
}

#[test]
fn https_overrides() {
    for (url, host) in [
        ("https://dbs.example.com", "dbs.example.com"),
        ("https://dbs.example.com/", "dbs.example.com"),
        ("HTTPS://DBS.Example.com", "dbs.example.com"),
        ("https://dbs.example.com:8443", "dbs.example.com:8443"),
        ("https://dbs.example.com:8443/", "dbs.example.com:8443"),
        ("https://dbs.example.com:443", "dbs.example.com"),
        ("https://127.0.0.1:9000", "127.0.0.1:9000"),
        ("https://[::1]:9000/", "[::1]:9000"),
        ("https://[FE80::1]", "[fe80::1]"),
        ("https://my_host.internal.", "my_host.internal."),
        ("  https://dbs.example.com\n", "dbs.example.com"),
    ] {
        assert_eq!(parsed(url), https(host), "{url:?}");
    }
}

#[test]
fn bare_host_means_https() {
    for (url, host) in [
        ("dbs.example.com", "dbs.example.com"),
        ("dbs.example.com/", "dbs.example.com"),
        ("localhost:8080", "localhost:8080"),
        ("localhost:443", "localhost"),
        ("[::1]:8080", "[::1]:8080"),
    ] {
        let e = parsed(url);
        assert_eq!(e, https(host), "{url:?}");
        assert_eq!(e.scheme, Scheme::Https);
    }
}

#[test]
fn http_only_when_explicit() {
    let e = parsed("http://localhost:8080");
    assert_eq!(e.scheme, Scheme::Http);
    assert_eq!(e.host, "localhost:8080");
    assert_eq!(e.base_url(), "http://localhost:8080");
    assert_eq!(e.host_header(), "localhost:8080");

    let e = parsed("HTTP://Example.com:80/");
    assert_eq!(e.scheme, Scheme::Http);
    assert_eq!(e.base_url(), "http://example.com");

    // Port 80 is not a hint for plain HTTP.
    let e = parsed("example.com:80");
    assert_eq!(e.scheme, Scheme::Https);
    assert_eq!(e.base_url(), "https://example.com:80");
}

#[test]
fn scheme_helpers() {
    assert_eq!(Scheme::Https.as_str(), "https");
    assert_eq!(Scheme::Http.to_string(), "http");
    assert_eq!(Scheme::Https.default_port(), 443);
    assert_eq!(Scheme::Http.default_port(), 80);
}

#[test]
fn resolved_endpoint_parse_matches_resolve_override() {
    assert_eq!(
        ResolvedEndpoint::parse("http://a.example.com:81").unwrap(),
        parsed("http://a.example.com:81")
    );
}

#[test]
fn bad_overrides() {
    for (url, reason) in [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("ftp://dbs.example.com", "unsupported scheme `ftp`"),
        ("wss://dbs.example.com", "unsupported scheme `wss`"),
        ("https://", "the host is empty"),
        ("http:///", "the host is empty"),
        ("https://:8443", "the host is empty"),
        ("/", "the host is empty"),
        (
            "https://dbs.example.com/v1",
            "the path must be empty or `/`, found `/v1`",
        ),
        (
            "dbs.example.com//",
            "the path must be empty or `/`, found `//`",
        ),
        (
            "https://dbs.example.com?x=1",
            "query strings are not allowed",
        ),
        (
            "https://dbs.example.com/?x=1",
            "query strings are not allowed",
        ),
        (
            "https://dbs.example.com#top",
            "fragments (`#…`) are not allowed",
        ),
        (
            "https://dbs.example.com/#a?b",
            "fragments (`#…`) are not allowed",
        ),
        (
            "https://user@dbs.example.com",
            "user information (`user@`) is not allowed",
        ),
        ("https://dbs.example.com:", "the port is empty"),
        (
            "https://dbs.example.com:0",
            "the port `0` is not a number from 1 to 65535",
        ),
        (
            "https://dbs.example.com:65536",
            "the port `65536` is not a number from 1 to 65535",
        ),
        (
            "https://dbs.example.com:+80",
            "the port `+80` is not a number from 1 to 65535",
        ),
        (
            "https://dbs.example.com:https",
            "the port `https` is not a number from 1 to 65535",
        ),
        (
            "https://dbs example.com",
            "the host `dbs example.com` contains ` `, which is not allowed",
        ),
        (
            "https://dbs..example.com",
            "the host `dbs..example.com` has an empty label",
        ),
        (
            "https://.example.com",
            "the host `.example.com` has an empty label",
        ),
        (
            "::1",
            "IPv6 addresses must be written in brackets, e.g. `[::1]`",
        ),
        ("https://[::1", "the IPv6 address has no closing `]`"),
        ("https://[]", "`[]` is not a valid IPv6 address"),
        ("https://[::g]", "`[::g]` is not a valid IPv6 address"),
        ("https://[::1]x", "unexpected `x` after the IPv6 address"),
        (
            "https:dbs.example.com",
            "malformed scheme; write `https://host`",
        ),
        (
            "http:/dbs.example.com",
            "malformed scheme; write `http://host`",
        ),
    ] {
        let (got, display) = override_err(url);
        assert!(
            got.starts_with(reason),
            "{url:?}: got {got:?}, want {reason:?}"
        );
        assert!(
            display.starts_with("invalid endpoint override `"),
            "{display}"
        );
    }
}

#[test]
fn bad_override_display_quotes_the_url() {
    let (_, display) = override_err("ftp://dbs.example.com");
    assert_eq!(
        display,
        "invalid endpoint override `ftp://dbs.example.com`: unsupported scheme `ftp` (use \
         https://, http:// or a bare host)"
    );
}

#[test]
fn bad_override_errors_redact_credentials() {
    let err = ResolvedEndpoint::parse("https://user:p4ssw0rd@dbs.example.com/").unwrap_err();
    assert_eq!(
        err,
        EndpointError::InvalidOverride {
            url: "https://***@dbs.example.com/".to_owned(),
            reason: "user information (`user@`) is not allowed".to_owned()
        }
    );
    let err =
        ResolvedEndpoint::parse("https://dbs.example.com/?Signature=s3cr3t#frag").unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("#frag"),
        "{text}"
    );
    assert!(text.contains("query strings are not allowed"), "{text}");
    assert!(text.contains("`https://dbs.example.com/?***`"), "{text}");
}

#[test]
fn url_in_query_is_not_taken_for_a_scheme() {
    let (reason, _) = override_err("dbs.example.com/?next=https://x");
    assert_eq!(reason, "query strings are not allowed");
}

#[test]
fn endpoint_kind_display() {
    assert_eq!(EndpointKind::Public.to_string(), "public");
    assert_eq!(EndpointKind::Vpc.to_string(), "VPC");
}

#[test]
fn errors_are_send_sync_and_std_errors() {
    fn check<T: std::error::Error + Send + Sync + Clone + 'static>() {}
    check::<EndpointError>();
}
