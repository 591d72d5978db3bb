//! Credentials and their providers. Environment variables are injected through lookups, never set
//! on the process, because tests run in parallel.

use std::collections::HashMap;
use std::error::Error as _;
use std::path::PathBuf;
use std::sync::Arc;

use acs_runtime::credentials::{
    Credentials, CredentialsError, DefaultChain, EnvironmentProvider, ProfileProvider,
    ProvideCredentials, SecretString, StaticProvider,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/credentials")
        .join(name)
}

/// A lookup over a fixed set of variables.
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn profile_from(file: &str, vars: &[(&str, &str)]) -> ProfileProvider {
    ProfileProvider::from_lookup(env(vars)).with_path(fixture(file))
}

/// Asserts that none of `secrets` shows in the error's Display or Debug, or its sources'.
fn assert_secret_free(err: &CredentialsError, secrets: &[&str]) {
    let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{err:#?}")];
    let mut source = err.source();
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    for text in &texts {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret:?} leaked into {text:?}");
        }
    }
}

// --- Credentials and SecretString ---------------------------------------------------------------

#[test]
fn static_ak_credentials() {
    let c = Credentials::new("LTAIid", "the-secret");
    assert_eq!(c.access_key_id(), "LTAIid");
    assert_eq!(c.access_key_secret(), "the-secret");
    assert_eq!(c.security_token(), None);
    assert_eq!(c.provider_name(), "static_ak");
}

#[test]
fn sts_credentials() {
    let c = Credentials::with_security_token("STS.id", "the-secret", "the-token");
    assert_eq!(c.access_key_id(), "STS.id");
    assert_eq!(c.access_key_secret(), "the-secret");
    assert_eq!(c.security_token(), Some("the-token"));
    assert_eq!(c.provider_name(), "static_sts");
}

#[test]
fn empty_security_token_means_none() {
    let c = Credentials::with_security_token("id", "secret", "");
    assert_eq!(c.security_token(), None);
    assert_eq!(c.provider_name(), "static_ak");
    assert_eq!(c, Credentials::new("id", "secret"));
}

#[test]
fn secret_string_never_prints_its_value() {
    let s = SecretString::new("hunter2");
    assert_eq!(s.expose(), "hunter2");
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "\"***\"");
    assert_eq!(format!("{s:#?}"), "\"***\"");
    assert_eq!(SecretString::from("x"), SecretString::from("x".to_owned()));
    assert!(SecretString::default().is_empty());
}

#[test]
fn credentials_debug_shows_id_but_not_secret_or_token() {
    let c = Credentials::with_security_token("LTAIvisible", "secret-value", "token-value");
    let debug = format!("{c:?}");
    assert_eq!(
        debug,
        r#"Credentials { access_key_id: "LTAIvisible", access_key_secret: "***", security_token: Some("***") }"#
    );
    let pretty = format!("{c:#?}");
    assert!(pretty.contains("LTAIvisible"));
    assert!(!pretty.contains("secret-value") && !pretty.contains("token-value"));

    let ak = Credentials::new("LTAIvisible", "secret-value");
    assert_eq!(
        format!("{ak:?}"),
        r#"Credentials { access_key_id: "LTAIvisible", access_key_secret: "***", security_token: None }"#
    );
}

#[test]
fn provider_debug_does_not_leak() {
    let p = StaticProvider::new(Credentials::with_security_token(
        "id",
        "secret-value",
        "tok",
    ));
    let debug = format!("{p:?}");
    assert!(!debug.contains("secret-value") && !debug.contains("\"tok\""));

    let e =
        EnvironmentProvider::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")]));
    assert!(!format!("{e:?}").contains("env-secret"));
    let chain =
        DefaultChain::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")]));
    assert!(!format!("{chain:?}").contains("env-secret"));
}

// --- StaticProvider and blanket impls -----------------------------------------------------------

#[test]
fn static_provider_returns_its_credentials() {
    let c = Credentials::new("id", "secret");
    let p = StaticProvider::from(c.clone());
    assert_eq!(p.provide().unwrap(), c);
    assert_eq!(p.provide().unwrap(), c);
}

#[test]
fn providers_work_behind_pointers() {
    let c = Credentials::new("id", "secret");
    let arc: Arc<dyn ProvideCredentials> = Arc::new(StaticProvider::new(c.clone()));
    let boxed: Box<dyn ProvideCredentials> = Box::new(StaticProvider::new(c.clone()));
    assert_eq!(arc.provide().unwrap(), c);
    assert_eq!(boxed.provide().unwrap(), c);
    fn by_value(p: impl ProvideCredentials) -> Credentials {
        p.provide().unwrap()
    }
    let provider = StaticProvider::new(c.clone());
    assert_eq!(by_value(&provider), c);
}

// --- EnvironmentProvider -------------------------------------------------------------------------

#[test]
fn environment_ak() {
    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
    ]));
    let c = p.provide().unwrap();
    assert_eq!(c, Credentials::new("LTAIenv", "env-secret"));
    assert_eq!(c.provider_name(), "static_ak");
}

#[test]
fn environment_sts() {
    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.env"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token"),
    ]));
    let c = p.provide().unwrap();
    assert_eq!(
        c,
        Credentials::with_security_token("STS.env", "env-secret", "env-token")
    );
    assert_eq!(c.provider_name(), "static_sts");
}

#[test]
fn environment_empty_token_is_unset() {
    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", ""),
    ]));
    assert_eq!(p.provide().unwrap().security_token(), None);
}

#[test]
fn environment_missing_id() {
    let p =
        EnvironmentProvider::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")]));
    let err = p.provide().unwrap_err();
    assert!(matches!(
        err,
        CredentialsError::EnvVarMissing {
            name: "ALIBABA_CLOUD_ACCESS_KEY_ID"
        }
    ));
    assert_eq!(
        err.to_string(),
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"
    );
    assert_secret_free(&err, &["env-secret"]);
}

#[test]
fn environment_empty_values_count_as_unset() {
    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", ""),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
    ]));
    assert_eq!(
        p.provide().unwrap_err().to_string(),
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"
    );

    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ""),
    ]));
    assert_eq!(
        p.provide().unwrap_err().to_string(),
        "environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"
    );
}

#[test]
fn environment_missing_secret_does_not_leak_token() {
    let p = EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.env"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "lonely-token"),
    ]));
    let err = p.provide().unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"
    );
    assert_secret_free(&err, &["lonely-token"]);
}

// --- ProfileProvider: selection -------------------------------------------------------------------

#[test]
fn profile_uses_current_when_nothing_else_given() {
    // config.json's `current` is "sts".
    let p = profile_from("config.json", &[]);
    let c = p.provide().unwrap();
    assert_eq!(
        c,
        Credentials::with_security_token("STS.stsFixtureId", "stsFixtureSecret", "stsFixtureToken")
    );
    assert_eq!(c.provider_name(), "static_sts");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-shanghai"));
}

#[test]
fn profile_env_var_beats_current() {
    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "default")]);
    let c = p.provide().unwrap();
    assert_eq!(
        c,
        Credentials::new("LTAIdefaultFixtureId", "defaultFixtureSecret")
    );
    assert_eq!(c.provider_name(), "static_ak");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-hangzhou"));
}

#[test]
fn explicit_profile_beats_env_var_and_current() {
    let p =
        profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "sts")]).with_profile("default");
    assert_eq!(p.provide().unwrap().access_key_id(), "LTAIdefaultFixtureId");
}

#[test]
fn empty_profile_names_fall_through() {
    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "")]).with_profile("");
    assert_eq!(p.provide().unwrap().access_key_id(), "STS.stsFixtureId");
}

#[test]
fn default_profile_when_file_has_no_current() {
    let p = ProfileProvider::from_lookup(env(&[])).with_path(fixture("home/.aliyun/config.json"));
    assert_eq!(
        p.provide().unwrap(),
        Credentials::new("LTAIhomeFixtureId", "homeFixtureSecret")
    );
    assert_eq!(p.region().unwrap().as_deref(), Some("eu-central-1"));
}

#[test]
fn first_of_duplicate_profiles_wins() {
    let p = profile_from("config.json", &[]).with_profile("duplicate");
    assert_eq!(p.provide().unwrap().access_key_id(), "LTAIfirstDuplicate");
}

// --- ProfileProvider: file location ---------------------------------------------------------------

#[test]
fn profile_path_from_home() {
    let home = fixture("home");
    let p = ProfileProvider::from_lookup(env(&[("HOME", home.to_str().unwrap())]));
    assert_eq!(
        p.config_path().unwrap(),
        home.join(".aliyun").join("config.json")
    );
    assert_eq!(p.provide().unwrap().access_key_id(), "LTAIhomeFixtureId");
}

#[test]
fn profile_path_from_config_file_var_beats_home() {
    let file = fixture("config.json");
    let p = ProfileProvider::from_lookup(env(&[
        ("HOME", fixture("home").to_str().unwrap()),
        ("ALIBABA_CLOUD_CONFIG_FILE", file.to_str().unwrap()),
    ]));
    assert_eq!(p.config_path().unwrap(), file);
    assert_eq!(p.provide().unwrap().access_key_id(), "STS.stsFixtureId");
}

#[test]
fn explicit_path_beats_config_file_var() {
    let p = ProfileProvider::from_lookup(env(&[(
        "ALIBABA_CLOUD_CONFIG_FILE",
        fixture("config.json").to_str().unwrap(),
    )]))
    .with_path(fixture("home/.aliyun/config.json"));
    assert_eq!(p.provide().unwrap().access_key_id(), "LTAIhomeFixtureId");
}

#[test]
fn no_home_no_config_file() {
    let p = ProfileProvider::from_lookup(env(&[("HOME", "")]));
    let err = p.provide().unwrap_err();
    assert!(matches!(err, CredentialsError::NoConfigFile));
    assert!(err.to_string().contains("ALIBABA_CLOUD_CONFIG_FILE"));
    assert!(err.to_string().contains("HOME"));
    assert!(matches!(p.region(), Err(CredentialsError::NoConfigFile)));
}

#[test]
fn missing_file() {
    let path = fixture("no-such-home/.aliyun/config.json");
    let p = ProfileProvider::from_lookup(env(&[])).with_path(&path);
    let err = p.provide().unwrap_err();
    assert!(matches!(err, CredentialsError::ProfileFileNotFound { .. }));
    assert_eq!(
        err.to_string(),
        format!("profile file {}: not found", path.display())
    );
    assert!(matches!(
        p.region(),
        Err(CredentialsError::ProfileFileNotFound { .. })
    ));
}

#[test]
fn unreadable_file_keeps_io_error_as_source() {
    // A directory exists but cannot be read as a file.
    let path = fixture("home");
    let err = ProfileProvider::from_lookup(env(&[]))
        .with_path(&path)
        .provide()
        .unwrap_err();
    assert!(matches!(
        err,
        CredentialsError::ProfileFileUnreadable { .. }
    ));
    assert!(err.to_string().starts_with(&format!(
        "profile file {}: cannot read it: ",
        path.display()
    )));
    assert!(err.source().is_some());
}

// --- ProfileProvider: profile errors --------------------------------------------------------------

#[test]
fn unknown_profile_lists_available_ones() {
    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "nope")]);
    let err = p.provide().unwrap_err();
    let CredentialsError::ProfileNotFound {
        profile, available, ..
    } = &err
    else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(profile, "nope");
    assert_eq!(
        available,
        &[
            "default",
            "sts",
            "role",
            "ecs",
            "no-secret",
            "sts-no-token",
            "no-mode",
            "secret-wrong-type",
            "duplicate",
            "duplicate"
        ]
    );
    let msg = err.to_string();
    assert!(msg.contains("no profile named `nope`"), "{msg}");
    assert!(msg.contains("available: default, sts, role"), "{msg}");
    assert!(matches!(
        p.region(),
        Err(CredentialsError::ProfileNotFound { .. })
    ));
}

#[test]
fn file_without_profiles() {
    let err = profile_from("no-profiles.json", &[]).provide().unwrap_err();
    assert!(matches!(err, CredentialsError::ProfileNotFound { .. }));
    assert!(
        err.to_string()
            .ends_with("no profile named `default` (the file has no profiles)"),
        "{err}"
    );
}

#[test]
fn unsupported_modes_name_profile_and_mode() {
    for (profile, mode, secrets) in [
        ("role", "RamRoleArn", &["roleFixtureSecret"][..]),
        ("ecs", "EcsRamRole", &[][..]),
    ] {
        let p = profile_from("config.json", &[]).with_profile(profile);
        let err = p.provide().unwrap_err();
        let CredentialsError::UnsupportedMode {
            profile: p_name,
            mode: p_mode,
            ..
        } = &err
        else {
            panic!("unexpected error {err:?}");
        };
        assert_eq!((p_name.as_str(), p_mode.as_str()), (profile, mode));
        let msg = err.to_string();
        assert!(msg.contains(&format!("profile `{profile}`")), "{msg}");
        assert!(msg.contains(&format!("mode `{mode}`")), "{msg}");
        assert!(msg.contains("AK, StsToken"), "{msg}");
        assert!(msg.contains("config.json"), "{msg}");
        assert_secret_free(&err, secrets);
    }
}

#[test]
fn region_is_available_for_unsupported_modes() {
    let p = profile_from("config.json", &[]).with_profile("role");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-beijing"));
}

#[test]
fn empty_region_is_none() {
    let p = profile_from("config.json", &[]).with_profile("ecs");
    assert_eq!(p.region().unwrap(), None);
    let p = profile_from("config.json", &[]).with_profile("no-mode");
    assert_eq!(p.region().unwrap(), None);
}

#[test]
fn ak_profile_with_empty_secret() {
    let err = profile_from("config.json", &[])
        .with_profile("no-secret")
        .provide()
        .unwrap_err();
    assert!(matches!(err, CredentialsError::InvalidProfile { .. }));
    assert!(
        err.to_string()
            .ends_with("profile `no-secret`: `access_key_secret` is missing or empty"),
        "{err}"
    );
}

#[test]
fn sts_profile_without_token() {
    let err = profile_from("config.json", &[])
        .with_profile("sts-no-token")
        .provide()
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("profile `sts-no-token`: `sts_token` is missing or empty"),
        "{err}"
    );
    assert_secret_free(&err, &["noTokenFixtureSecret"]);
}

#[test]
fn profile_without_mode() {
    let err = profile_from("config.json", &[])
        .with_profile("no-mode")
        .provide()
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("profile `no-mode`: `mode` is missing or empty"),
        "{err}"
    );
    assert_secret_free(&err, &["noModeFixtureSecret"]);
}

#[test]
fn secret_of_wrong_type_is_not_quoted() {
    let err = profile_from("config.json", &[])
        .with_profile("secret-wrong-type")
        .provide()
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("profile `secret-wrong-type`: `access_key_secret` is not a string"),
        "{err}"
    );
    assert_secret_free(&err, &["wrongTypeFixtureSecret"]);
}

// --- ProfileProvider: malformed files ----------------------------------------------------------

#[test]
fn syntax_error_after_secret_does_not_leak_it() {
    let p = profile_from("malformed.json", &[]);
    let err = p.provide().unwrap_err();
    let CredentialsError::ProfileFileMalformed { line, column, .. } = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(line, 8);
    assert!(column > 0);
    let msg = err.to_string();
    assert!(msg.contains("malformed.json"), "{msg}");
    assert!(msg.contains("not valid JSON"), "{msg}");
    assert!(msg.contains("line 8"), "{msg}");
    assert_secret_free(&err, &["malformedFixtureSecret", "LTAImalformedFixtureId"]);
    // `region` reads the same file and must fail the same way.
    assert_secret_free(&p.region().unwrap_err(), &["malformedFixtureSecret"]);
}

#[test]
fn truncated_file_does_not_leak_secret() {
    let err = profile_from("truncated.json", &[]).provide().unwrap_err();
    assert!(matches!(err, CredentialsError::ProfileFileMalformed { .. }));
    assert_secret_free(&err, &["truncatedFixtureSecret"]);
}

#[test]
fn wrongly_shaped_files_do_not_leak_values() {
    for (file, reason, secret) in [
        (
            "profiles-not-array.json",
            "`profiles` is not an array",
            "notArrayFixtureSecret",
        ),
        (
            "not-object.json",
            "the top level is not a JSON object",
            "notObjectFixtureSecret",
        ),
    ] {
        let err = profile_from(file, &[]).provide().unwrap_err();
        assert!(matches!(err, CredentialsError::ProfileFileInvalid { .. }));
        assert!(err.to_string().ends_with(reason), "{err}");
        assert!(err.to_string().contains(file), "{err}");
        assert_secret_free(&err, &[secret]);
    }
}

// --- DefaultChain ------------------------------------------------------------------------------

#[test]
fn chain_prefers_environment() {
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("HOME", fixture("home").to_str().unwrap()),
    ]));
    assert_eq!(
        chain.provide().unwrap(),
        Credentials::new("LTAIenv", "env-secret")
    );
}

#[test]
fn chain_falls_back_to_profile() {
    let chain = DefaultChain::from_lookup(env(&[("HOME", fixture("home").to_str().unwrap())]));
    assert_eq!(
        chain.provide().unwrap().access_key_id(),
        "LTAIhomeFixtureId"
    );
    assert_eq!(
        chain.profile_provider().region().unwrap().as_deref(),
        Some("eu-central-1")
    );
}

#[test]
fn chain_uses_profile_env_vars() {
    let chain = DefaultChain::from_lookup(env(&[
        (
            "ALIBABA_CLOUD_CONFIG_FILE",
            fixture("config.json").to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_PROFILE", "default"),
    ]));
    assert_eq!(
        chain.provide().unwrap().access_key_id(),
        "LTAIdefaultFixtureId"
    );
}

#[test]
fn chain_partial_environment_falls_through_to_profile() {
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("HOME", fixture("home").to_str().unwrap()),
    ]));
    assert_eq!(
        chain.provide().unwrap().access_key_id(),
        "LTAIhomeFixtureId"
    );
}

#[test]
fn chain_error_lists_every_source() {
    let home = fixture("no-such-home");
    let chain = DefaultChain::from_lookup(env(&[("HOME", home.to_str().unwrap())]));
    let err = chain.provide().unwrap_err();
    let expected_path = home.join(".aliyun").join("config.json");
    assert_eq!(
        err.to_string(),
        format!(
            "no credentials found: environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set; \
             profile file {}: not found",
            expected_path.display()
        )
    );
    let CredentialsError::NoCredentials { attempts } = &err else {
        panic!("unexpected error {err:?}");
    };
    assert!(matches!(
        attempts.as_slice(),
        [
            CredentialsError::EnvVarMissing { .. },
            CredentialsError::ProfileFileNotFound { .. }
        ]
    ));
}

#[test]
fn chain_error_does_not_leak_secrets_from_any_source() {
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token"),
        (
            "ALIBABA_CLOUD_CONFIG_FILE",
            fixture("malformed.json").to_str().unwrap(),
        ),
    ]));
    let err = chain.provide().unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("no credentials found: environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set; profile file "), "{msg}");
    assert!(msg.contains("malformed.json: not valid JSON"), "{msg}");
    assert_secret_free(&err, &["env-token", "malformedFixtureSecret"]);
}

#[test]
fn chain_reports_unsupported_mode() {
    let chain = DefaultChain::from_lookup(env(&[]))
        .with_profile_provider(profile_from("config.json", &[]).with_profile("role"));
    let msg = chain.provide().unwrap_err().to_string();
    assert!(
        msg.contains("profile `role` has mode `RamRoleArn`"),
        "{msg}"
    );
}

#[test]
fn chain_profile_can_be_disabled() {
    for value in ["true", "TRUE"] {
        let chain = DefaultChain::from_lookup(env(&[
            ("HOME", fixture("home").to_str().unwrap()),
            ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", value),
        ]));
        let err = chain.provide().unwrap_err();
        assert_eq!(
            err.to_string(),
            "no credentials found: environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set; \
             profile file: disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED"
        );
    }
    // Any other value leaves the profile on.
    let chain = DefaultChain::from_lookup(env(&[
        ("HOME", fixture("home").to_str().unwrap()),
        ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "false"),
    ]));
    assert!(chain.provide().is_ok());
}

#[test]
fn chain_is_usable_as_trait_object() {
    let chain: Arc<dyn ProvideCredentials> = Arc::new(DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
    ])));
    assert_eq!(chain.provide().unwrap().access_key_id(), "LTAIenv");
}

#[test]
fn errors_are_send_sync_and_std_errors() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<CredentialsError>();
}
