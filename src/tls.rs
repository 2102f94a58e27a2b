//! Server TLS for both gRPC ports, from the PEM files of [`TlsSettings`].
//!
//! The files are read once at start-up; the main port gets them as tonic's `ServerTlsConfig`,
//! the events port (`fanout`) as a rustls acceptor built the same way (the certificate chain and
//! key, HTTP/2 offered by ALPN, and with a client CA every client must present a certificate it
//! signed). Either both ports serve TLS or neither does.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use tokio_rustls::server::TlsStream;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};

use crate::config::TlsSettings;

/// Longest a client may take to finish its TLS handshake on the events port.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why TLS could not be set up; the message names the file and never holds key material.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

impl TlsError {
    /// An error of the TLS library itself (tonic's configuration), as it words it.
    pub(crate) fn other(err: impl std::fmt::Display) -> Self {
        Self(err.to_string())
    }
}

/// The configured certificate and key for tonic, and the events port's acceptor built from the
/// same files. Holds the private key: no `Debug`.
pub struct ServerTls {
    cert: Vec<u8>,
    key: Vec<u8>,
    client_ca: Option<Vec<u8>>,
    acceptor: TlsAcceptor,
}

impl ServerTls {
    /// Reads the files `settings` names and builds the acceptor from them, which checks that
    /// they make a working configuration (certificates and key parse, the key belongs to the
    /// certificate): a bad file stops the gateway at start with an error naming it, whichever
    /// port would use it first.
    pub async fn load(settings: &TlsSettings) -> Result<Self, TlsError> {
        let read = |path: &Path| {
            let path = path.to_owned();
            async move {
                tokio::fs::read(&path)
                    .await
                    .map_err(|err| TlsError(format!("cannot read {}: {err}", path.display())))
            }
        };
        let cert = read(&settings.cert).await?;
        let key = read(&settings.key).await?;
        let client_ca = match &settings.client_ca {
            Some(path) => Some(read(path).await?),
            None => None,
        };
        let ca = client_ca.as_deref().zip(settings.client_ca.as_deref());
        let acceptor = acceptor((&cert, &settings.cert), (&key, &settings.key), ca)?;
        Ok(Self {
            cert,
            key,
            client_ca,
            acceptor,
        })
    }

    /// The main port's configuration (tonic).
    pub fn tonic(&self) -> ServerTlsConfig {
        let mut config = ServerTlsConfig::new().identity(Identity::from_pem(&self.cert, &self.key));
        if let Some(ca) = &self.client_ca {
            // With a client CA, tonic requires every client to present a certificate it signed.
            config = config.client_ca_root(Certificate::from_pem(ca));
        }
        config
    }

    /// The events port's acceptor: the same identity and client verification as [`Self::tonic`].
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }
}

/// Builds the events port's acceptor from PEM contents (each with the path it came from, for
/// errors): the certificate chain and key, ALPN `h2`, and with a client CA a verifier that
/// requires a certificate it signed.
fn acceptor(
    (cert, cert_path): (&[u8], &Path),
    (key, key_path): (&[u8], &Path),
    client_ca: Option<(&[u8], &Path)>,
) -> Result<TlsAcceptor, TlsError> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(TlsError::other)?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some((ca, path)) => builder.with_client_cert_verifier(client_verifier(ca, path, provider)?),
    };
    let chain = certificates(cert, cert_path)?;
    let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| {
        TlsError(format!(
            "{} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)",
            key_path.display()
        ))
    })?;
    let mut config = builder.with_single_cert(chain, key).map_err(|err| {
        TlsError(format!(
            "certificate {} and key {}: {err}",
            cert_path.display(),
            key_path.display()
        ))
    })?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor(tokio_rustls::TlsAcceptor::from(Arc::new(
        config,
    ))))
}

/// Accepts TLS connections for the events port.
#[derive(Clone)]
pub struct TlsAcceptor(tokio_rustls::TlsAcceptor);

impl TlsAcceptor {
    /// Runs the server side of the handshake, for at most [`HANDSHAKE_TIMEOUT`].
    pub async fn accept<IO>(&self, io: IO) -> std::io::Result<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, self.0.accept(io))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake"))?
    }
}

fn certificates(pem: &[u8], path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| TlsError(format!("{} is not PEM: {err}", path.display())))?;
    if chain.is_empty() {
        return Err(TlsError(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(chain)
}

fn client_verifier(
    ca: &[u8],
    path: &Path,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn tokio_rustls::rustls::server::danger::ClientCertVerifier>, TlsError> {
    let mut roots = RootCertStore::empty();
    let invalid =
        |err: &dyn std::fmt::Display| TlsError(format!("client CA {}: {err}", path.display()));
    let certs =
        certificates(ca, path).map_err(|TlsError(err)| TlsError(format!("client CA: {err}")))?;
    for cert in certs {
        roots.add(cert).map_err(|err| invalid(&err))?;
    }
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|err| invalid(&err))
}
