//! The app's in-process simulator takes its control token from the options
//! (`WXOPEN_SANDBOX_CONTROL_TOKEN`), so a test driving the app from outside can use the
//! simulator's `/sandbox/*` routes, and nobody else can.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wxopen_core::secrets::{MemoryStore, SecretStore};
use wxopen_core::service::{Console, ConsoleOptions};
use wxopen_core::store::Store;

/// `GET path` over a plain loopback socket; the answer's status code.
async fn status_of(base: &str, path: &str, token: Option<&str>) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let token = token.map_or(String::new(), |t| format!("X-Sandbox-Token: {t}\r\n"));
    let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{token}Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_profile_simulator_uses_the_configured_control_token() {
    let dir = tempfile::tempdir().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let token = "e2e-3f9a1c0b7d2e4f6a8b0c1d2e3f4a5b6c";
    let console = Console::with_options(
        Store::open(dir.path()).unwrap(),
        secrets,
        ConsoleOptions {
            sandbox_authorizers: 10,
            sandbox_control_token: Some(token.into()),
            ..Default::default()
        },
    );
    let view = console.profile_add_sandbox(None).await.unwrap();
    let base = view.profile.api_base.clone();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert_eq!(
        status_of(&base, "/sandbox/credentials", Some(token)).await,
        200
    );
    assert_eq!(status_of(&base, "/sandbox/credentials", None).await, 403);
    assert_eq!(
        status_of(&base, "/sandbox/credentials", Some("guess")).await,
        403
    );
    console.shutdown().await;
}
