//! The in-process sandbox profile leaves no bulk page cache behind: restarting its simulator
//! resets every access token of the profile (a write over all its token rows), and the app then
//! sits idle on that memory unless the store gives it back.

mod service_support;

use std::sync::Arc;

use service_support::test_service_name;
use wxopen_core::secrets::{KeyringStore, SecretStore};
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, Console, ConsoleOptions};
use wxopen_core::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sandbox_restart_gives_back_the_page_cache_of_its_token_reset() {
    let dir = tempfile::tempdir().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::with_service(test_service_name()));
    let open = || {
        Console::with_options(
            Store::open(dir.path()).unwrap(),
            secrets.clone(),
            ConsoleOptions {
                sandbox_authorizers: 5000,
                ..Default::default()
            },
        )
    };
    let console = open();
    console.profile_add_sandbox(None).await.unwrap();
    let rt = console.profile(None).await.unwrap();
    // 5,000 refresh tokens stored.
    console
        .sync_authorizers(&rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
    console.shutdown().await;
    drop(rt);
    drop(console);

    // A new app: its first use of the profile starts a new simulator and resets the tokens.
    let console = open();
    let rt = console.profile(None).await.unwrap();
    assert!(rt.profile.is_sandbox);
    let (write, read) = console.store().cache_bytes();
    assert!(
        write < 64 * 1024,
        "{write} bytes of write cache kept after the reset"
    );
    assert!(read < 256 * 1024, "{read} bytes of read cache");
    console.shutdown().await;
}
