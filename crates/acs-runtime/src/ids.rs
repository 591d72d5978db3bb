//! Fresh identifiers: request nonces and idempotency tokens.
//!
//! Both must be unique, not secret (the signature is what proves a request), so they come from
//! the thread's fast generator (`fastrand`, seeded from the operating system once per thread):
//! asking the operating system for randomness on every call cost a system call each.

/// A version-4 UUID.
fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

/// A signature nonce: 32 lower-case hex digits, fresh for every attempt.
pub(crate) fn nonce() -> String {
    random_uuid().simple().to_string()
}

/// An idempotency token (`ClientToken`): a hyphenated version-4 UUID, made once per call.
pub(crate) fn idempotency_token() -> String {
    random_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_32_lower_hex_digits_and_fresh() {
        let first = nonce();
        assert_eq!(first.len(), 32);
        assert!(first.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(first, nonce());
    }

    #[test]
    fn tokens_are_version_4_uuids() {
        let token = idempotency_token();
        let parsed = uuid::Uuid::parse_str(&token).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_ne!(token, idempotency_token());
    }
}
