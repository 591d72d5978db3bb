//! The TLS configuration of [`super::DefaultTransport`]: ring crypto, chosen here rather than
//! installed process-wide, and servers verified against the operating system's trust store.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use webpki::ring as algorithms;

/// HTTP/1.1 over TLS 1.2 or 1.3, verifying servers with [`SystemTrustStore`].
pub(super) fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(ring_provider());
    let verifier = Arc::new(SystemTrustStore::new(Arc::clone(&provider)));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The *ring* crypto provider, put together from rustls's public parts.
///
/// rustls 0.23.48 deprecated `rustls::crypto::ring::default_provider` (it offers no
/// post-quantum key exchange) in favour of aws-lc-rs, whose C build would more than double a
/// user's cold build of a client crate. The parts stay public and supported: the cipher suites
/// and key exchange groups rustls ships for ring, webpki's ring verification algorithms, and
/// ring's system random generator. This is the provider rustls's function returns, field for
/// field (a test compares them), without the deprecated call.
pub(crate) fn ring_provider() -> CryptoProvider {
    CryptoProvider {
        cipher_suites: rustls::crypto::ring::DEFAULT_CIPHER_SUITES.to_vec(),
        kx_groups: rustls::crypto::ring::DEFAULT_KX_GROUPS.to_vec(),
        signature_verification_algorithms: SIGNATURE_ALGORITHMS,
        secure_random: &RingRandom,
        key_provider: &RingKeys,
    }
}

/// The signature algorithms servers may use, as rustls's ring provider lists them.
static SIGNATURE_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        algorithms::ECDSA_P256_SHA256,
        algorithms::ECDSA_P256_SHA384,
        algorithms::ECDSA_P384_SHA256,
        algorithms::ECDSA_P384_SHA384,
        algorithms::ED25519,
        algorithms::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        algorithms::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        algorithms::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        algorithms::RSA_PKCS1_2048_8192_SHA256,
        algorithms::RSA_PKCS1_2048_8192_SHA384,
        algorithms::RSA_PKCS1_2048_8192_SHA512,
        algorithms::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        algorithms::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        algorithms::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    mapping: &[
        // For TLS 1.2 the curve is not fixed by the scheme; for TLS 1.3 it is.
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[algorithms::ECDSA_P384_SHA384, algorithms::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[algorithms::ECDSA_P256_SHA256, algorithms::ECDSA_P384_SHA256],
        ),
        (SignatureScheme::ED25519, &[algorithms::ED25519]),
        (
            SignatureScheme::RSA_PSS_SHA512,
            &[algorithms::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA384,
            &[algorithms::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[algorithms::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[algorithms::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[algorithms::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[algorithms::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

/// ring's system random generator (the operating system's).
#[derive(Debug)]
struct RingRandom;

impl SecureRandom for RingRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| GetRandomFailed)
    }
}

/// Private keys through ring (for client certificates, which this crate does not send).
#[derive(Debug)]
struct RingKeys;

impl KeyProvider for RingKeys {
    fn load_private_key(
        &self,
        key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
        rustls::crypto::ring::sign::any_supported_type(&key_der)
    }
}

/// The platform verifier, with the system's root certificates read on the first TLS handshake
/// rather than when the client is built: a client of plain-HTTP endpoints (the ECS metadata
/// service, a loopback test server) never reads them, and a client's first call no longer
/// spends 20 million instructions on it before any byte is sent.
///
/// Without a usable trust store (say, a container without CA certificates), plain-HTTP
/// endpoints still work and every TLS handshake fails with the reason.
#[derive(Debug)]
struct SystemTrustStore {
    provider: Arc<CryptoProvider>,
    roots: OnceLock<Result<rustls_platform_verifier::Verifier, String>>,
    /// Roots trusted besides the system's, for the tests.
    #[cfg(test)]
    extra_roots: Vec<CertificateDer<'static>>,
}

impl SystemTrustStore {
    fn new(provider: Arc<CryptoProvider>) -> Self {
        SystemTrustStore {
            provider,
            roots: OnceLock::new(),
            #[cfg(test)]
            extra_roots: Vec::new(),
        }
    }

    fn load(&self) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
        let provider = Arc::clone(&self.provider);
        #[cfg(test)]
        if !self.extra_roots.is_empty() {
            return rustls_platform_verifier::Verifier::new_with_extra_roots(
                self.extra_roots.clone(),
                provider,
            );
        }
        rustls_platform_verifier::Verifier::new(provider)
    }
}

impl ServerCertVerifier for SystemTrustStore {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let roots = self
            .roots
            .get_or_init(|| self.load().map_err(|error| error.to_string()));
        match roots {
            Ok(verifier) => verifier.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            Err(reason) => Err(rustls::Error::General(format!(
                "cannot verify the server: no trusted root certificates ({reason})"
            ))),
        }
    }

    // The handshake signatures are checked with the provider's algorithms, as the platform
    // verifier checks them: no root certificate is involved.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::pem::PemObject as _;

    use super::*;

    fn certificate(pem: &[u8]) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem).expect("a PEM certificate")
    }

    const LOOPBACK_CA: &[u8] = include_bytes!("../../tests/fixtures/tls/loopback/ca.crt");
    const LOOPBACK_SERVER: &[u8] = include_bytes!("../../tests/fixtures/tls/loopback/server.crt");
    const SELF_SIGNED: &[u8] = include_bytes!("../../tests/fixtures/tls/self-signed.crt");

    /// The roots, read on first use, accept what they issued for the name it was issued for,
    /// and nothing else.
    #[test]
    fn a_trusted_root_vouches_for_its_certificate_only() {
        let mut store = SystemTrustStore::new(Arc::new(ring_provider()));
        store.extra_roots.push(certificate(LOOPBACK_CA));
        let verify = |pem: &[u8], name: &'static str| {
            store.verify_server_cert(
                &certificate(pem),
                &[],
                &ServerName::try_from(name).expect("a server name"),
                &[],
                UnixTime::now(),
            )
        };
        assert!(
            store.roots.get().is_none(),
            "nothing is read before a handshake"
        );
        assert!(verify(LOOPBACK_SERVER, "127.0.0.1").is_ok());
        assert!(verify(LOOPBACK_SERVER, "localhost").is_ok());
        assert!(verify(LOOPBACK_SERVER, "example.com").is_err());
        assert!(verify(SELF_SIGNED, "localhost").is_err());
    }

    /// Field for field what rustls's deprecated constructor gives: the same suites, groups,
    /// verification algorithms and scheme mapping.
    #[test]
    fn the_provider_is_rustls_ring_provider() {
        #[allow(deprecated)]
        let theirs = rustls::crypto::ring::default_provider();
        let ours = ring_provider();
        let suites =
            |p: &CryptoProvider| -> Vec<_> { p.cipher_suites.iter().map(|s| s.suite()).collect() };
        let groups =
            |p: &CryptoProvider| -> Vec<_> { p.kx_groups.iter().map(|g| g.name()).collect() };
        assert_eq!(suites(&ours), suites(&theirs));
        assert_eq!(groups(&ours), groups(&theirs));
        assert_eq!(
            format!("{:?}", ours.signature_verification_algorithms),
            format!("{:?}", theirs.signature_verification_algorithms)
        );
        let mut random = [0u8; 32];
        ours.secure_random.fill(&mut random).unwrap();
        assert_ne!(random, [0u8; 32]);
    }
}
