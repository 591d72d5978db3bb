//! What the OSS and SLS gateway signatures share: the `aliyun_v4` signing-key chain, their two
//! date forms, and masking the STS token in `Debug` output.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::format_timestamp;

/// HMAC-SHA256 of `data` under `key`.
pub(super) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex SHA-256 of `data`.
pub(super) fn hex_sha256(data: &[u8]) -> String {
    base16ct::lower::encode_string(&Sha256::digest(data))
}

/// The key both V4 signatures sign with: `HMAC("aliyun_v4" + secret, date)`, then the region,
/// the product (`oss`, `sls`) and `aliyun_v4_request`, each keyed by the previous digest.
pub(super) fn v4_signing_key(secret: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    let mut key = hmac_sha256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes());
    for step in [region, product, "aliyun_v4_request"] {
        key = hmac_sha256(&key, step.as_bytes());
    }
    key
}

/// `yyyymmddThhmmssZ` (UTC), the form of `x-oss-date` and `x-log-date`.
pub fn compact_timestamp(unix_seconds: u64) -> String {
    format_timestamp(unix_seconds).replace(['-', ':'], "")
}

/// An HTTP `Date` (`Wed, 01 May 2024 12:34:56 GMT`, RFC 9110's IMF-fixdate) in UTC: the `Date`
/// header the V1 signatures of OSS and SLS sign.
pub fn http_date(unix_seconds: u64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // `YYYY-MM-DDThh:mm:ssZ`, already clamped to a four-digit year.
    let iso = format_timestamp(unix_seconds);
    let field = |range: std::ops::Range<usize>| -> i32 {
        iso[range].parse().expect("format_timestamp prints digits")
    };
    let (year, month, day) = (field(0..4), field(5..7), field(8..10));
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(u8::try_from(month).expect("month fits u8"))
            .expect("format_timestamp prints a valid month"),
        u8::try_from(day).expect("day fits u8"),
    )
    .expect("format_timestamp prints a valid date");
    let weekday = DAYS[usize::from(date.weekday().number_days_from_monday())];
    let month_name = MONTHS[usize::try_from(month - 1).expect("month is 1..=12")];
    format!(
        "{weekday}, {day:02} {month_name} {year:04} {} GMT",
        &iso[11..19]
    )
}

/// `text` with the value after each of `fields` replaced by `***`, up to the end of the line or
/// the next `&`: hides STS tokens in canonical headers (`x-oss-security-token:...`) and canonical
/// query strings (`x-oss-security-token=...`).
pub(super) fn mask_fields(text: &str, fields: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for field in fields {
            if let Some(after) = rest.strip_prefix(field) {
                // A field only counts at the start of the text, a line or a query pair.
                let at_boundary = out.is_empty() || out.ends_with(['\n', '&', '?']);
                if at_boundary {
                    out.push_str(field);
                    out.push_str("***");
                    let end = after.find(['\n', '&']).unwrap_or(after.len());
                    rest = &after[end..];
                    continue 'scan;
                }
            }
        }
        let mut chars = rest.chars();
        out.push(chars.next().expect("rest is not empty"));
        rest = chars.as_str();
    }
    out
}

/// The signing vectors in `tests/fixtures/signing/<service>/`, by file name, with the fields
/// the replay tests read.
#[cfg(test)]
pub(super) mod vectors {
    use serde_json::Value;

    use crate::headers::Headers;

    /// Every `*.json` vector of `service`, sorted by file name.
    pub fn load(service: &str) -> Vec<(String, Value)> {
        let dir = format!(
            "{}/tests/fixtures/signing/{service}",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
                (
                    name.clone(),
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}")),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    pub fn text<'a>(value: &'a Value, field: &str) -> &'a str {
        value[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} is not a string: {value}"))
    }

    pub fn opt_text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
        value[field].as_str()
    }

    /// `[[name, value], ...]` as pairs.
    pub fn pairs(value: &Value, field: &str) -> Vec<(String, String)> {
        value[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field} is not a list"))
            .iter()
            .map(|pair| {
                let item = |i: usize| {
                    pair[i]
                        .as_str()
                        .unwrap_or_else(|| panic!("{field}: {pair}"))
                        .to_owned()
                };
                (item(0), item(1))
            })
            .collect()
    }

    pub fn headers(value: &Value) -> Headers {
        pairs(value, "headers").into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        // 2024-05-01T12:34:56Z, a Wednesday.
        assert_eq!(compact_timestamp(1_714_566_896), "20240501T123456Z");
        assert_eq!(http_date(1_714_566_896), "Wed, 01 May 2024 12:34:56 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn masking_hides_field_values_only_at_boundaries() {
        let text = "a:1\nx-oss-security-token:SECRET\nb:2\nk=v&x-oss-security-token=SEC%2B&z=1";
        let masked = mask_fields(text, &["x-oss-security-token:", "x-oss-security-token="]);
        assert_eq!(
            masked,
            "a:1\nx-oss-security-token:***\nb:2\nk=v&x-oss-security-token=***&z=1"
        );
        assert_eq!(
            mask_fields("not-x-oss-security-token:kept", &["x-oss-security-token:"]),
            "not-x-oss-security-token:kept"
        );
    }
}
