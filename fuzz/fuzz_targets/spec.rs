//! Bytes → spec files (`acs_spec_fuzz::property::split_input`) → load → check → generate →
//! parse back. A panic anywhere, or a broken rule of the property, is a finding.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = acs_spec_fuzz::check_input(data) {
        panic!("{violation}");
    }
});
