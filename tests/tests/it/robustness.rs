//! The fuzz property (`acs_spec_fuzz::property`) in CI: over every committed fuzz corpus file
//! (`fuzz/corpus/spec/`, the inputs that once found a bug or reach code others do not), and
//! over random specs with hostile names and texts. `PROPTEST_CASES` raises the number of
//! random specs (the default keeps this test to a few seconds).

use std::path::{Path, PathBuf};

use acs_spec_fuzz::{Kind, Outcome, check_files, check_input, random_spec};
use proptest::prelude::*;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/spec")
}

#[test]
fn the_committed_fuzz_corpus_holds_the_property() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("fuzz/corpus/spec exists")
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    files.sort();
    // Fewer would mean the corpus went missing, and this test would prove nothing.
    assert!(files.len() >= 20, "only {} corpus files", files.len());
    let mut failures = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for file in &files {
        let data = std::fs::read(file).expect("corpus file reads");
        // A panic names its file rather than ending the replay.
        match std::panic::catch_unwind(|| check_input(&data)) {
            Ok(Ok(Outcome::Accepted { .. })) => accepted += 1,
            Ok(Ok(Outcome::Refused { .. })) => refused += 1,
            Ok(Err(violation)) => failures.push(format!("{}: {violation}", file.display())),
            Err(_) => failures.push(format!("{}: panicked", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Both sides of the property are exercised.
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        // The seed reproduces a failure by itself; shrinking a seed means nothing.
        max_shrink_iters: 0,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_valid_specs_are_accepted_and_generate_rust(seed in any::<u64>()) {
        let spec = random_spec(seed, Kind::Valid);
        match check_files(&spec.files) {
            Ok(Outcome::Accepted { .. }) => {}
            Ok(Outcome::Refused { .. }) => {
                let errors = refusal(&spec.files);
                prop_assert!(false, "seed {seed}: a valid random spec was refused:\n{errors}");
            }
            Err(violation) => prop_assert!(false, "seed {seed}: {violation}"),
        }
    }

    #[test]
    fn random_invalid_specs_are_refused_with_located_errors(seed in any::<u64>()) {
        let spec = random_spec(seed, Kind::Invalid);
        let mutation = spec.mutation.clone().expect("an invalid spec says how it was broken");
        match check_files(&spec.files) {
            Ok(Outcome::Refused { .. }) => {}
            Ok(Outcome::Accepted { .. }) => prop_assert!(
                !mutation.must_fail,
                "seed {seed}: accepted although broken by {}",
                mutation.what
            ),
            Err(violation) => prop_assert!(false, "seed {seed} ({}): {violation}", mutation.what),
        }
    }
}

/// The loader's errors for `files`, for a failure message.
fn refusal(files: &[acs_spec_fuzz::InputFile]) -> String {
    let text = |i: usize| String::from_utf8_lossy(&files[i].bytes).into_owned();
    let service = acs_spec::SpecFile {
        path: files[0].name.clone().into(),
        text: text(0),
    };
    let operations: Vec<acs_spec::SpecFile> = (1..files.len())
        .filter(|i| files[*i].name != acs_spec::OVERLAY_FILE)
        .map(|i| acs_spec::SpecFile {
            path: files[i].name.clone().into(),
            text: text(i),
        })
        .collect();
    match acs_spec::load_service(&service, &operations) {
        Err(errors) => errors.to_string(),
        Ok(_) => "(accepted without its overlay)".into(),
    }
}

#[test]
fn a_seed_always_gives_the_same_spec() {
    for seed in [0, 1, u64::MAX, 0x5eed] {
        let (a, b) = (
            random_spec(seed, Kind::Invalid),
            random_spec(seed, Kind::Invalid),
        );
        assert_eq!(a.files, b.files, "seed {seed}");
    }
}
