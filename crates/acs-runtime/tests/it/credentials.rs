//! Credentials and the providers that need no network: static keys, the environment, the aliyun
//! CLI profile, the credentials file and the default chain's local sources. Environment
//! variables are injected through lookups, never set on the process, because tests run in
//! parallel. (Providers that call STS, the metadata service or a credentials URI are tested
//! against loopback servers in `credential_services.rs`.)

use std::collections::HashMap;
use std::error::Error as _;
use std::path::PathBuf;
use std::sync::Arc;

use acs_runtime::credentials::{
    CliProfileProvider, Credentials, CredentialsError, CredentialsFileProvider, DefaultChain,
    EnvironmentProvider, ProvideCredentials, SecretString,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/credentials")
        .join(name)
}

/// A lookup over a fixed set of variables. The chain's metadata-service source is turned off
/// unless a test says otherwise: off ECS it only waits for a timeout.
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let mut vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vars.entry("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into())
        .or_insert_with(|| "true".into());
    move |name| vars.get(name).cloned()
}

fn profile_from(file: &str, vars: &[(&str, &str)]) -> CliProfileProvider {
    CliProfileProvider::from_lookup(env(vars)).with_path(fixture(file))
}

async fn provide(provider: &impl ProvideCredentials) -> Result<Credentials, CredentialsError> {
    provider.provide_credentials().await
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
    assert_eq!(c.expiry(), None);
}

#[test]
fn sts_credentials() {
    let c = Credentials::with_security_token("STS.id", "the-secret", "the-token");
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
        r#"Credentials { access_key_id: "LTAIvisible", access_key_secret: "***", security_token: Some("***"), expiry: None, provider_name: "static_sts" }"#
    );
    let pretty = format!("{c:#?}");
    assert!(pretty.contains("LTAIvisible"));
    assert!(!pretty.contains("secret-value") && !pretty.contains("token-value"));
}

#[tokio::test]
async fn credentials_are_their_own_provider_also_behind_pointers() {
    let c = Credentials::new("id", "secret");
    assert_eq!(provide(&c).await.unwrap(), c);
    let arc: Arc<dyn ProvideCredentials> = Arc::new(c.clone());
    let boxed: Box<dyn ProvideCredentials> = Box::new(c.clone());
    assert_eq!(arc.provide_credentials().await.unwrap(), c);
    assert_eq!(boxed.provide_credentials().await.unwrap(), c);
}

#[test]
fn provider_debug_does_not_leak() {
    let e =
        EnvironmentProvider::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")]));
    assert!(!format!("{e:?}").contains("env-secret"));
    let chain =
        DefaultChain::from_lookup(env(&[("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")]));
    assert!(!format!("{chain:?}").contains("env-secret"));
}

// --- EnvironmentProvider -------------------------------------------------------------------------

#[tokio::test]
async fn environment_ak_and_sts() {
    let c = provide(&EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
    ])))
    .await
    .unwrap();
    assert_eq!(
        (c.access_key_id(), c.access_key_secret(), c.security_token()),
        ("LTAIenv", "env-secret", None)
    );
    assert_eq!(c.provider_name(), "env");
    let c = provide(&EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.env"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token"),
    ])))
    .await
    .unwrap();
    assert_eq!(c.security_token(), Some("env-token"));
    let c = provide(&EnvironmentProvider::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", ""),
    ])))
    .await
    .unwrap();
    assert_eq!(c.security_token(), None, "an empty token is no token");
}

#[tokio::test]
async fn environment_missing_or_empty_values() {
    for (vars, missing) in [
        (
            vec![("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")],
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ),
        (
            vec![
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", ""),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
            ],
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ),
        (
            vec![
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.env"),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", "lonely-token"),
            ],
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ),
    ] {
        let err = provide(&EnvironmentProvider::from_lookup(env(&vars)))
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("environment: {missing} is not set")
        );
        assert_secret_free(&err, &["env-secret", "lonely-token"]);
    }
}

// --- CliProfileProvider: selection and location --------------------------------------------------

#[tokio::test]
async fn profile_uses_current_env_var_or_explicit_name() {
    // config.json's `current` is "sts".
    let p = profile_from("config.json", &[]);
    let c = provide(&p).await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.security_token()),
        ("STS.stsFixtureId", Some("stsFixtureToken"))
    );
    assert_eq!(c.provider_name(), "cli_profile/static_sts");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-shanghai"));

    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "default")]);
    let c = provide(&p).await.unwrap();
    assert_eq!(c.access_key_id(), "LTAIdefaultFixtureId");
    assert_eq!(c.provider_name(), "cli_profile/static_ak");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-hangzhou"));

    let p =
        profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "sts")]).with_profile("default");
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIdefaultFixtureId"
    );

    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "")]).with_profile("");
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "STS.stsFixtureId"
    );

    let p = profile_from("config.json", &[]).with_profile("duplicate");
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIfirstDuplicate"
    );
}

#[tokio::test]
async fn profile_file_location() {
    let home = fixture("home");
    let p = CliProfileProvider::from_lookup(env(&[("HOME", home.to_str().unwrap())]));
    assert_eq!(
        p.config_path().unwrap(),
        home.join(".aliyun").join("config.json")
    );
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIhomeFixtureId"
    );
    assert_eq!(p.region().unwrap().as_deref(), Some("eu-central-1"));

    let file = fixture("config.json");
    let p = CliProfileProvider::from_lookup(env(&[
        ("HOME", home.to_str().unwrap()),
        ("ALIBABA_CLOUD_CONFIG_FILE", file.to_str().unwrap()),
    ]));
    assert_eq!(p.config_path().unwrap(), file);

    let p = CliProfileProvider::from_lookup(env(&[(
        "ALIBABA_CLOUD_CONFIG_FILE",
        fixture("config.json").to_str().unwrap(),
    )]))
    .with_path(fixture("home/.aliyun/config.json"));
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIhomeFixtureId"
    );
}

#[tokio::test]
async fn profile_file_problems() {
    let err = provide(&CliProfileProvider::from_lookup(env(&[("HOME", "")])))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_CONFIG_FILE"),
        "{err}"
    );
    assert!(err.to_string().contains("HOME"), "{err}");

    let path = fixture("no-such-home/.aliyun/config.json");
    let err = provide(&CliProfileProvider::from_lookup(env(&[])).with_path(&path))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("aliyun CLI profile file {}: not found", path.display())
    );

    // A directory is not a configuration file (nor is a FIFO or a device).
    let path = fixture("home");
    let err = provide(&CliProfileProvider::from_lookup(env(&[])).with_path(&path))
        .await
        .unwrap_err();
    assert!(err.to_string().ends_with("not a regular file"), "{err}");

    let err = provide(&profile_from("no-profiles.json", &[]))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("no profile named `default` (the file has no profiles)"),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_profile_lists_available_ones() {
    let p = profile_from("config.json", &[("ALIBABA_CLOUD_PROFILE", "nope")]);
    let err = provide(&p).await.unwrap_err();
    let CredentialsError::ProfileNotFound {
        profile, available, ..
    } = &err
    else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(profile, "nope");
    assert_eq!(&available[..3], &["default", "sts", "role"]);
    assert!(
        err.to_string().contains("available: default, sts, role"),
        "{err}"
    );
    assert!(matches!(
        p.region(),
        Err(CredentialsError::ProfileNotFound { .. })
    ));
}

#[tokio::test]
async fn profile_field_problems_name_the_field_not_the_value() {
    for (profile, ending, secret) in [
        (
            "no-secret",
            "profile `no-secret`: `access_key_secret` is missing or empty",
            "",
        ),
        (
            "sts-no-token",
            "profile `sts-no-token`: `sts_token` is missing or empty",
            "noTokenFixtureSecret",
        ),
        (
            "no-mode",
            "profile `no-mode`: `mode` is missing or empty",
            "noModeFixtureSecret",
        ),
        (
            "secret-wrong-type",
            "profile `secret-wrong-type`: `access_key_secret` is not a string",
            "wrongTypeFixtureSecret",
        ),
    ] {
        let err = provide(&profile_from("config.json", &[]).with_profile(profile))
            .await
            .unwrap_err();
        assert!(err.to_string().ends_with(ending), "{err}");
        if !secret.is_empty() {
            assert_secret_free(&err, &[secret]);
        }
    }
}

#[tokio::test]
async fn unsupported_modes_name_profile_and_mode() {
    let err = provide(&profile_from("config.json", &[]).with_profile("external"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("profile `external` has mode `External`, which is not supported"),
        "{err}"
    );
}

#[tokio::test]
async fn chained_profiles_that_loop_are_refused() {
    let err = provide(&profile_from("config.json", &[]).with_profile("loop-a"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("profiles loop-a → loop-b form a loop"),
        "{err}"
    );
}

#[tokio::test]
async fn oidc_profile_reads_its_token_file() {
    let err = provide(&profile_from("config.json", &[]).with_profile("oidc"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "OIDC token file OIDC_TOKEN_FILE: not found",
        "{err:?}"
    );
}

#[tokio::test]
async fn region_is_read_whatever_the_mode() {
    let p = profile_from("config.json", &[]).with_profile("role");
    assert_eq!(p.region().unwrap().as_deref(), Some("cn-beijing"));
    let p = profile_from("config.json", &[]).with_profile("ecs");
    assert_eq!(p.region().unwrap(), None, "an empty region is none");
}

#[tokio::test]
async fn malformed_files_do_not_leak_secrets() {
    let p = profile_from("malformed.json", &[]);
    let err = provide(&p).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("malformed.json"), "{msg}");
    assert!(msg.contains("does not parse (error at line 8"), "{msg}");
    assert_secret_free(&err, &["malformedFixtureSecret", "LTAImalformedFixtureId"]);
    assert_secret_free(&p.region().unwrap_err(), &["malformedFixtureSecret"]);

    let err = provide(&profile_from("truncated.json", &[]))
        .await
        .unwrap_err();
    assert_secret_free(&err, &["truncatedFixtureSecret"]);

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
        let err = provide(&profile_from(file, &[])).await.unwrap_err();
        assert!(err.to_string().ends_with(reason), "{err}");
        assert_secret_free(&err, &[secret]);
    }
}

#[tokio::test]
async fn an_edited_profile_is_picked_up() {
    let dir = std::env::temp_dir().join(format!("acs-cli-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    let write = |id: &str| {
        std::fs::write(
            &path,
            format!(
                r#"{{"current":"p","profiles":[{{"name":"p","mode":"AK","access_key_id":"{id}","access_key_secret":"s"}}]}}"#
            ),
        )
        .unwrap();
    };
    write("LTAIfirst");
    let p = CliProfileProvider::from_lookup(env(&[])).with_path(&path);
    assert_eq!(provide(&p).await.unwrap().access_key_id(), "LTAIfirst");
    write("LTAIsecond");
    assert_eq!(provide(&p).await.unwrap().access_key_id(), "LTAIsecond");
    std::fs::remove_dir_all(&dir).unwrap();
}

// --- CredentialsFileProvider ---------------------------------------------------------------------

#[tokio::test]
async fn credentials_file_access_keys_and_errors() {
    let ini = fixture("credentials.ini");
    let file = |profile: &str| {
        CredentialsFileProvider::from_lookup(env(&[("ALIBABA_CLOUD_PROFILE", profile)]))
            .with_path(&ini)
    };
    let c = provide(&file("")).await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.access_key_secret()),
        ("LTAIiniDefaultId", "iniDefaultSecret"),
        "inline comments are dropped"
    );
    assert_eq!(c.provider_name(), "profile/static_ak");

    let err = provide(&file("no-secret")).await.unwrap_err();
    assert!(
        err.to_string()
            .ends_with("profile `no-secret`: `access_key_secret` is missing or empty"),
        "{err}"
    );
    let err = provide(&file("weird")).await.unwrap_err();
    assert!(err.to_string().contains("has mode `rsa_key_pair`"), "{err}");
    let err = provide(&file("absent")).await.unwrap_err();
    assert!(
        err.to_string().contains("no profile named `absent`"),
        "{err}"
    );
    assert_secret_free(&err, &["iniDefaultSecret", "iniRoleSourceSecret"]);
}

#[tokio::test]
async fn credentials_file_location() {
    let dir = std::env::temp_dir().join(format!("acs-ini-home-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".alibabacloud")).unwrap();
    // Python and Java look for `credentials.ini`, Go for `credentials`: both are found.
    std::fs::copy(
        fixture("credentials.ini"),
        dir.join(".alibabacloud/credentials.ini"),
    )
    .unwrap();
    let p = CredentialsFileProvider::from_lookup(env(&[("HOME", dir.to_str().unwrap())]));
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIiniDefaultId"
    );
    let p = CredentialsFileProvider::from_lookup(env(&[(
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        fixture("credentials.ini").to_str().unwrap(),
    )]));
    assert_eq!(
        provide(&p).await.unwrap().access_key_id(),
        "LTAIiniDefaultId"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// --- DefaultChain (local sources) -----------------------------------------------------------------

#[tokio::test]
async fn chain_prefers_environment_then_profile() {
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret"),
        ("HOME", fixture("home").to_str().unwrap()),
    ]));
    let c = provide(&chain).await.unwrap();
    assert_eq!(c.access_key_id(), "LTAIenv");
    assert_eq!(c.provider_name(), "default/env");

    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("HOME", fixture("home").to_str().unwrap()),
    ]));
    let c = provide(&chain).await.unwrap();
    assert_eq!(
        c.access_key_id(),
        "LTAIhomeFixtureId",
        "a partial environment falls through"
    );
    assert_eq!(c.provider_name(), "default/cli_profile/static_ak");
    assert_eq!(
        chain.profile_provider().region().unwrap().as_deref(),
        Some("eu-central-1")
    );
}

#[tokio::test]
async fn chain_reads_the_credentials_file_after_the_cli_profile() {
    let chain = DefaultChain::from_lookup(env(&[
        ("HOME", fixture("no-such-home").to_str().unwrap()),
        (
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            fixture("credentials.ini").to_str().unwrap(),
        ),
    ]));
    let c = provide(&chain).await.unwrap();
    assert_eq!(c.access_key_id(), "LTAIiniDefaultId");
    assert_eq!(c.provider_name(), "default/profile/static_ak");
}

#[tokio::test]
async fn chain_error_lists_every_source_in_order() {
    let home = fixture("no-such-home");
    let chain = DefaultChain::from_lookup(env(&[("HOME", home.to_str().unwrap())]));
    let err = provide(&chain).await.unwrap_err();
    let CredentialsError::NoCredentials { attempts } = &err else {
        panic!("unexpected error {err:?}");
    };
    let sources: Vec<String> = attempts
        .iter()
        .map(|a| a.to_string().split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        sources,
        [
            "environment",
            "OIDC role",
            &format!(
                "aliyun CLI profile file {}",
                home.join(".aliyun/config.json").display()
            ),
            &format!(
                "credentials file {}",
                home.join(".alibabacloud/credentials.ini").display()
            ),
            "ECS RAM role",
            "environment",
        ]
    );
    let text = err.to_string();
    assert!(
        text.ends_with("ECS RAM role: disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED; environment: ALIBABA_CLOUD_CREDENTIALS_URI is not set"),
        "{text}"
    );
}

#[tokio::test]
async fn chain_errors_do_not_leak_secrets_from_any_source() {
    let chain = DefaultChain::from_lookup(env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token"),
        (
            "ALIBABA_CLOUD_CONFIG_FILE",
            fixture("malformed.json").to_str().unwrap(),
        ),
        ("HOME", fixture("no-such-home").to_str().unwrap()),
    ]));
    let err = provide(&chain).await.unwrap_err();
    assert!(
        err.to_string().contains("malformed.json: does not parse"),
        "{err}"
    );
    assert_secret_free(&err, &["env-token", "malformedFixtureSecret"]);
}

#[tokio::test]
async fn chain_profile_can_be_disabled_in_any_case() {
    for value in ["true", "TRUE", "True"] {
        let chain = DefaultChain::from_lookup(env(&[
            ("HOME", fixture("home").to_str().unwrap()),
            ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", value),
        ]));
        let err = provide(&chain).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("aliyun CLI profile: disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED"),
            "{err}"
        );
    }
    let chain = DefaultChain::from_lookup(env(&[
        ("HOME", fixture("home").to_str().unwrap()),
        ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "false"),
    ]));
    assert!(provide(&chain).await.is_ok());
}

#[test]
fn errors_are_send_sync_and_std_errors() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<CredentialsError>();
}
