//! A V3 signature against the cost of one HMAC-SHA256 (target: at most 5x), on the official
//! SDK's StartBackupPlan request (tests/fixtures/signing/sign_v3_client_token.json).
//! `cargo xtask bench` prints the ratio.

use std::hint::black_box;

use acs_runtime::sign::{SigningKey, V3Hash, V3Request, authorization_v3, sign_v1, sign_v3};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

fn signature(c: &mut Criterion) {
    let vector: Value = serde_json::from_str(include_str!(
        "../tests/fixtures/signing/sign_v3_client_token.json"
    ))
    .expect("fixture is JSON");
    let input = &vector["input"];
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    let secret = text(&input["access_key_secret"]);
    let access_key_id = text(&input["access_key_id"]);
    let query: Vec<(String, String)> = input["parameters"]
        .as_object()
        .expect("parameters")
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect();
    let headers: acs_runtime::Headers = vector["expected"]["sdk_request"]["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .filter(|(name, _)| *name != "Authorization")
        .map(|(k, v)| (k.clone(), text(v)))
        .collect();
    let hashed_payload = text(&vector["expected"]["signing"]["hashed_request_payload"]);
    let string_to_sign = text(&vector["expected"]["signing"]["string_to_sign"]);

    let mut group = c.benchmark_group("signature");
    group.bench_function("hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(black_box(secret.as_bytes()))
                .expect("any key length");
            mac.update(black_box(string_to_sign.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    let request = || V3Request {
        method: "POST",
        canonical_uri: "/",
        query: black_box(&query),
        headers: black_box(&headers),
        hashed_payload: &hashed_payload,
    };
    // The signature as the runtime computes it for every attempt: the Authorization header,
    // with the secret keyed once per credentials (the runtime keeps the key with them).
    for (name, hash) in [
        ("v3_acs3_hmac_sha256", V3Hash::Sha256),
        ("v3_acs3_hmac_sm3", V3Hash::Sm3),
    ] {
        let key = SigningKey::new(hash, &secret);
        group.bench_function(name, |b| {
            b.iter(|| authorization_v3(&access_key_id, black_box(&key), &request()))
        });
    }
    // The same, keying the secret every time.
    group.bench_function("v3_acs3_hmac_sha256_unkeyed", |b| {
        b.iter(|| {
            let key = SigningKey::new(V3Hash::Sha256, black_box(&secret));
            authorization_v3(&access_key_id, &key, &request())
        })
    });
    // With every intermediate string kept (for debugging and the vectors).
    group.bench_function("v3_with_intermediates", |b| {
        b.iter(|| {
            sign_v3(
                V3Hash::Sha256,
                &access_key_id,
                black_box(&secret),
                &request(),
            )
        })
    });
    group.bench_function("v1_hmac_sha1", |b| {
        let mut params = query.clone();
        params.push(("AccessKeyId".into(), access_key_id.clone()));
        b.iter(|| sign_v1("POST", black_box(&params), black_box(&secret)))
    });
    group.finish();
}

criterion_group!(benches, signature);
criterion_main!(benches);
