//! TLS on both gRPC ports (`RALIO_TLS_CERT`/`RALIO_TLS_KEY`, and with `RALIO_TLS_CLIENT_CA`
//! mutual TLS): the main port (tonic) and the events port (`src/fanout/`) serve the same
//! certificate and verify clients the same way; plain-text clients and clients that do not trust
//! the certificate get nothing; files that cannot be used stop the gateway at start with an
//! error that names the file and never shows the key.

mod common;
mod events_support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use common::{EnvOptions, Grpc, MERCHANT_USER, TOKEN_ALL, TestEnv, gateway_config};
use events_support::{SECRET, earliest, ingest, ingest_url, next_event};
use ralio_core::Secret;
use ralio_gateway::config::TlsSettings;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::server::{Extras, Gateway};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

const WAIT: Duration = Duration::from_secs(10);

/// A throw-away certificate authority and the files the gateway reads.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate (PEM) and its private key (PEM).
struct Leaf {
    cert: String,
    key: String,
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("CA key");
        let ca_pem = params.self_signed(&key).expect("CA certificate").pem();
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            ca_pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate signed by this CA for `localhost` and 127.0.0.1 (server or client).
    fn leaf(&self) -> Leaf {
        let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("leaf params");
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        Leaf {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write PEM");
        path
    }

    /// Server settings with a fresh certificate; clients must present one of `client_ca`'s.
    fn server_settings(&self, client_ca: Option<&Pki>) -> TlsSettings {
        let server = self.leaf();
        TlsSettings {
            cert: self.write("server.crt", &server.cert),
            key: self.write("server.key", &server.key),
            client_ca: client_ca.map(|ca| self.write("clients-ca.crt", &ca.ca_pem)),
        }
    }
}

/// A gateway (and sandbox) serving both ports with `tls`, able to ingest webhooks.
async fn start(tls: TlsSettings) -> TestEnv {
    TestEnv::start_with(EnvOptions {
        gateway: Box::new(move |config| {
            config.tls = Some(tls);
            config.webhook_secret = Some(Secret::new(SECRET));
        }),
        ..EnvOptions::default()
    })
    .await
}

/// Clients on `https://addr`, trusting `trusted` (a CA's PEM) for the name `localhost`, with a
/// client certificate if given.
fn tls_client(addr: SocketAddr, trusted: &str, identity: Option<&Leaf>) -> Grpc {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(trusted))
        .domain_name("localhost");
    if let Some(leaf) = identity {
        tls = tls.identity(Identity::from_pem(&leaf.cert, &leaf.key));
    }
    let channel = Channel::from_shared(format!("https://{addr}"))
        .expect("uri")
        .tls_config(tls)
        .expect("client TLS config")
        .connect_lazy();
    Grpc::on(channel, TOKEN_ALL)
}

fn plain_client(addr: SocketAddr) -> Grpc {
    Grpc::on(
        Channel::from_shared(format!("http://{addr}"))
            .expect("uri")
            .connect_lazy(),
        TOKEN_ALL,
    )
}

async fn list_events(grpc: &Grpc) -> Result<pb::ListEventsResponse, tonic::Status> {
    tokio::time::timeout(
        WAIT,
        grpc.events().list_events(pb::ListEventsRequest::default()),
    )
    .await
    .expect("an answer or an error in time")
    .map(tonic::Response::into_inner)
}

fn ports(env: &TestEnv) -> [SocketAddr; 2] {
    [
        env.gateway.grpc_addr(),
        env.gateway.events_grpc_addr().expect("events port"),
    ]
}

#[tokio::test]
async fn both_ports_serve_tls_and_stream_events_over_it() {
    let pki = Pki::new();
    let env = start(pki.server_settings(None)).await;
    let [main, events] = ports(&env);

    let merchant = tls_client(main, &pki.ca_pem, None)
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .expect("a unary call over TLS on the main port")
        .into_inner();
    assert_eq!(merchant.user.expect("merchant").id, MERCHANT_USER);

    // Subscribe over TLS on the events port, then ingest: the events arrive on the stream.
    let mut stream = tls_client(events, &pki.ca_pem, None)
        .events()
        .subscribe(pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        })
        .await
        .expect("Subscribe over TLS on the events port")
        .into_inner();
    ingest(&ingest_url(&env), 0..3).await;
    for expected in ["evt-0", "evt-1", "evt-2"] {
        assert_eq!(next_event(&mut stream, WAIT).await.id, expected);
    }
    let listed = list_events(&tls_client(events, &pki.ca_pem, None))
        .await
        .expect("ListEvents over TLS on the events port");
    assert_eq!(listed.events.len(), 3);

    // Neither port answers plain text, nor a client that does not trust the certificate.
    let stranger = Pki::new();
    for addr in [main, events] {
        let plain = list_events(&plain_client(addr)).await;
        assert!(plain.is_err(), "{addr}: plain text answered {plain:?}");
        let untrusted = list_events(&tls_client(addr, &stranger.ca_pem, None)).await;
        assert!(
            untrusted.is_err(),
            "{addr}: a client trusting another CA was answered {untrusted:?}"
        );
    }
}

#[tokio::test]
async fn with_a_client_ca_both_ports_require_a_certificate_it_signed() {
    let pki = Pki::new();
    let clients = Pki::new();
    let env = start(pki.server_settings(Some(&clients))).await;
    let trusted_client = clients.leaf();
    let other_client = Pki::new().leaf();

    for addr in ports(&env) {
        let listed = list_events(&tls_client(addr, &pki.ca_pem, Some(&trusted_client))).await;
        assert!(
            listed.is_ok(),
            "{addr}: a client certificate the CA signed was refused: {listed:?}"
        );
        let anonymous = list_events(&tls_client(addr, &pki.ca_pem, None)).await;
        assert!(
            anonymous.is_err(),
            "{addr}: a client without a certificate was answered {anonymous:?}"
        );
        let other = list_events(&tls_client(addr, &pki.ca_pem, Some(&other_client))).await;
        assert!(
            other.is_err(),
            "{addr}: a certificate of another CA was accepted: {other:?}"
        );
    }
}

#[tokio::test]
async fn tls_files_that_cannot_be_used_stop_the_gateway_at_start() {
    let pki = Pki::new();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let start_error = |tls: TlsSettings| {
        let mut config = gateway_config("http://127.0.0.1:9", data_dir.path());
        config.tls = Some(tls);
        async move {
            match Gateway::start_with(config, Extras::default()).await {
                Ok(_) => panic!("the gateway started with unusable TLS files"),
                Err(err) => err.to_string(),
            }
        }
    };
    let good = pki.server_settings(None);

    // A missing file is named.
    let missing = pki.dir.path().join("nowhere.key");
    let err = start_error(TlsSettings {
        key: missing.clone(),
        ..good.clone()
    })
    .await;
    assert!(
        err.contains("TLS") && err.contains(&missing.display().to_string()),
        "{err}"
    );

    // A key file that is not a key, and a key that does not belong to the certificate: refused,
    // and the error shows none of the file's contents.
    let not_a_key = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n";
    let other_key = pki.leaf().key;
    for (name, contents) in [
        ("garbage.key", not_a_key),
        ("other.key", other_key.as_str()),
    ] {
        let key = pki.write(name, contents);
        let err = start_error(TlsSettings {
            key: key.clone(),
            ..good.clone()
        })
        .await;
        assert!(
            err.contains("TLS") && err.contains(&key.display().to_string()),
            "{name}: {err}"
        );
        let body: String = contents
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(
            !err.contains(&body),
            "{name}: the error shows the key: {err}"
        );
    }

    // A certificate file without a certificate, and a client CA file without one.
    let empty = pki.write("empty.crt", "no certificate here\n");
    let err = start_error(TlsSettings {
        cert: empty.clone(),
        ..good.clone()
    })
    .await;
    assert!(err.contains(&empty.display().to_string()), "{err}");
    let err = start_error(TlsSettings {
        client_ca: Some(empty.clone()),
        ..good.clone()
    })
    .await;
    assert!(
        err.contains("client CA") && err.contains(&empty.display().to_string()),
        "{err}"
    );

    // The good files start it (the checks above fail for their own reasons).
    let config = {
        let mut config = gateway_config("http://127.0.0.1:9", data_dir.path());
        config.tls = Some(good);
        config
    };
    let gateway = Gateway::start_with(config, Extras::default())
        .await
        .map_err(|err| err.to_string())
        .expect("the gateway starts with good files");
    gateway.shutdown().await.expect("stops");
}
