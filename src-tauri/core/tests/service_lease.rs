//! Sync-run leases: two consoles (as the app and `wxopen` would be) on one SQLite file never
//! run one profile's sync at once; a lease whose owner went silent is taken over.

use std::sync::mpsc;
use std::sync::Arc;

use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::{MemoryStore, SecretStore};
use wxopen_core::service::profiles::ProfileInput;
use wxopen_core::service::sync::{SyncOptions, SyncPhase, SyncProgress};
use wxopen_core::service::{now, CancelToken, Console, ConsoleOptions};
use wxopen_core::store::sync_runs::{LeaseRequest, SyncState};
use wxopen_core::store::{Store, StoreError};
use wxopen_sandbox::{Sandbox, SandboxConfig};

struct Two {
    _dir: tempfile::TempDir,
    _sandbox: Sandbox,
    a: Arc<Console>,
    b: Arc<Console>,
}

/// Two consoles over one data dir (each with its own connections, as two processes have) and
/// one simulator, with a profile and a ticket.
async fn two_consoles(authorizers: usize) -> Two {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let console = |label: &str| {
        Arc::new(Console::with_options(
            Store::open(dir.path()).unwrap(),
            secrets.clone(),
            ConsoleOptions {
                retry_base_ms: 10,
                owner_label: label.into(),
                ..Default::default()
            },
        ))
    };
    let (a, b) = (console("first"), console("second"));
    let c = sandbox.credentials().clone();
    a.profile_add(ProfileInput {
        name: "lease".into(),
        component_appid: c.component_appid.clone(),
        api_base: Some(sandbox.base_url()),
        proxy: None,
        option_v2: false,
        appsecret: Some(c.appsecret.clone()),
        token: Some(c.token.clone()),
        encoding_aes_key: Some(c.encoding_aes_key.clone()),
        shared: None,
    })
    .unwrap();
    let rt = a.profile(Some("lease")).await.unwrap();
    a.ticket_set(&rt, &sandbox.control().issue_ticket())
        .unwrap();
    Two {
        _dir: dir,
        _sandbox: sandbox,
        a,
        b,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_console_is_refused_while_the_first_one_syncs() {
    let t = two_consoles(1_500).await;
    // The first console's sync stops after its first committed page until released.
    let (reached_tx, reached_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(Some((reached_tx, release_rx)));
    let progress = Arc::new(move |p: &SyncProgress| {
        if p.phase == SyncPhase::List && p.listed > 0 {
            if let Some((reached, release)) = gate.lock().unwrap().take() {
                reached.send(()).unwrap();
                release.recv().unwrap();
            }
        }
    });
    let a = t.a.clone();
    let first = tokio::spawn(async move {
        let rt = a.profile(Some("lease")).await.unwrap();
        a.sync_authorizers(
            &rt,
            SyncOptions::default(),
            Some(progress),
            CancelToken::new(),
        )
        .await
    });
    tokio::task::spawn_blocking(move || reached_rx.recv().unwrap())
        .await
        .unwrap();

    let rt_b = t.b.profile(Some("lease")).await.unwrap();
    for restart in [false, true] {
        let opts = SyncOptions {
            restart,
            ..Default::default()
        };
        let err =
            t.b.sync_authorizers(&rt_b, opts, None, CancelToken::new())
                .await
                .unwrap_err();
        let CoreError::SyncLeased {
            owner, expires_at, ..
        } = &err
        else {
            panic!("expected SyncLeased, got {err:?}");
        };
        assert_eq!(owner, t.a.lease_owner());
        assert!(*expires_at > now());
        let body = err.body();
        assert_eq!(body.code, ErrorCode::Refused);
        assert!(body.message.contains(t.a.lease_owner()), "{}", body.message);
        assert!(body.message.contains(" UTC"), "{}", body.message);
        assert!(body.hint.is_some());
    }

    release_tx.send(()).unwrap();
    let done = first.await.unwrap().unwrap();
    assert_eq!(done.run.state, SyncState::Done);
    assert_eq!(done.run.next_offset, 1_500);
    let lease = t.a.store().sync_run_lease(done.run.id).unwrap().unwrap();
    assert_eq!(
        lease.lease_expires_at, None,
        "a finished run holds no lease"
    );
    // Once it is over, the second console syncs (a new run).
    let again =
        t.b.sync_authorizers(&rt_b, SyncOptions::default(), None, CancelToken::new())
            .await
            .unwrap();
    assert_eq!(again.run.state, SyncState::Done);
    assert!(!again.resumed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_silent_past_its_expiry_is_taken_over() {
    let t = two_consoles(600).await;
    let rt = t.a.profile(Some("lease")).await.unwrap();
    // The first console took the run two minutes ago with a one-minute lease and never beat
    // again (suspended, or on another machine: its pid says nothing here).
    let stale = LeaseRequest {
        owner: t.a.lease_owner(),
        now: now() - 120,
        ttl_secs: 60,
    };
    let claimed =
        t.a.store()
            .sync_run_claim(rt.id(), false, false, stale, &|_| false)
            .unwrap();
    let out =
        t.b.sync_authorizers(&rt, SyncOptions::default(), None, CancelToken::new())
            .await
            .unwrap();
    assert!(out.resumed, "the second console took the same run over");
    assert_eq!(out.run.id, claimed.run.id);
    assert_eq!(out.run.state, SyncState::Done);
    let lease = t.b.store().sync_run_lease(out.run.id).unwrap().unwrap();
    assert_eq!(lease.owner.as_deref(), Some(t.b.lease_owner()));
    // The first console, back, finds it lost the run: it neither renews nor finishes it.
    let back = LeaseRequest {
        owner: t.a.lease_owner(),
        now: now(),
        ttl_secs: 60,
    };
    let err =
        t.a.store()
            .sync_run_heartbeat(out.run.id, back)
            .unwrap_err();
    assert!(
        matches!(&err, StoreError::LeaseLost { owner, .. } if owner == t.b.lease_owner()),
        "{err:?}"
    );
    let err =
        t.a.store()
            .sync_run_finish_owned(out.run.id, t.a.lease_owner(), SyncState::Failed, Some("x"))
            .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err:?}");
    assert_eq!(
        t.a.store().sync_run_get(out.run.id).unwrap().unwrap().state,
        SyncState::Done
    );
}

#[tokio::test]
async fn a_crashed_owner_on_this_machine_is_taken_over_at_once() {
    let t = two_consoles(100).await;
    let rt = t.a.profile(Some("lease")).await.unwrap();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    // A live lease (a minute left) of a process of this machine that no longer runs.
    let owner = wxopen_core::service::lease::Owner {
        pid: dead_pid,
        ..wxopen_core::service::lease::Owner::parse(t.a.lease_owner()).unwrap()
    }
    .to_string();
    let fresh = LeaseRequest {
        owner: &owner,
        now: now(),
        ttl_secs: 60,
    };
    t.a.store()
        .sync_run_claim(rt.id(), false, false, fresh, &|_| false)
        .unwrap();
    let out =
        t.b.sync_authorizers(&rt, SyncOptions::default(), None, CancelToken::new())
            .await
            .unwrap();
    assert!(out.resumed);
    assert_eq!(out.run.state, SyncState::Done);
}
