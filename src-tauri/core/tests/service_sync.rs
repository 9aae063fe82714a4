//! Authorizer sync against the simulator: list + details, cancel and resume without redoing
//! finished pages, revoked marking, transient-error retries.

mod service_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use service_support::*;
use wxopen_core::service::sync::{SyncOptions, SyncPhase, SyncProgress};
use wxopen_core::service::CancelToken;
use wxopen_core::store::audit::AuditQuery;
use wxopen_core::store::sync_runs::SyncState;
use wxopen_core::store::types::{AuthorizerQuery, Status};
use wxopen_sandbox::Fault;

fn opts(details: bool) -> SyncOptions {
    SyncOptions {
        details,
        concurrency: Some(8),
        restart: false,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn full_sync_with_details() {
    let e = env(2000).await;
    let events = Arc::new(std::sync::Mutex::new(Vec::<SyncProgress>::new()));
    let ev = events.clone();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            opts(true),
            Some(Arc::new(move |p: &SyncProgress| {
                ev.lock().unwrap().push(p.clone())
            })),
            CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Done);
    assert_eq!(out.run.total_count, Some(2000));
    assert_eq!(out.run.details_done, 2000);
    assert_eq!(out.run.errors, 0);
    assert_eq!(e.control().call_count(LIST_PATH), 4);
    assert_eq!(e.control().call_count(INFO_PATH), 2000);
    assert_eq!(e.control().call_count(TOKEN_PATH), 1);
    // The sync gave back the pages it read and wrote (2,000 accounts are a few MB of them).
    let (write_cache, _) = e.console.store().cache_bytes();
    assert!(
        write_cache < 256 * 1024,
        "{write_cache} bytes of page cache kept"
    );
    let counts = e.console.store().authorizer_counts(e.rt.id()).unwrap();
    assert_eq!(counts.total, 2000);
    assert_eq!(counts.without_details, 0);
    let last = events.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.phase, SyncPhase::Finished);
    assert_eq!(last.details_done, 2000);
    // Search works on the synced rows.
    let page = e
        .console
        .authorizers_search(
            &e.rt,
            &AuthorizerQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 2000);
    assert_eq!(page.rows.len(), 10);
    assert!(!page.rows[0].nick_name.is_empty());
    // Every API call is audited (the writer batches them): one row per simulator call.
    e.console.flush();
    let audit = |endpoint: Option<&str>| {
        e.console
            .store()
            .audit_list(&AuditQuery {
                profile_id: Some(e.rt.id()),
                endpoint: endpoint.map(String::from),
                limit: 1,
                ..Default::default()
            })
            .unwrap()
            .total
    };
    let calls = e.control().call_count(LIST_PATH)
        + e.control().call_count(INFO_PATH)
        + e.control().call_count(TOKEN_PATH)
        + e.control().call_count(QUOTA_GET_PATH);
    assert_eq!(audit(None), calls as u64);
    assert_eq!(audit(Some(INFO_PATH)), 2000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn cancel_during_list_then_resume_without_redoing_pages() {
    let e = env(2000).await;
    e.control().set_fault(Fault::Latency {
        path: Some(LIST_PATH.into()),
        millis: 50,
    });
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            opts(false),
            Some(Arc::new(move |p: &SyncProgress| {
                if p.listed >= 1000 {
                    c2.cancel();
                }
            })),
            cancel,
        )
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Cancelled);
    assert_eq!(out.run.next_offset, 1000);
    // Pages 1 and 2, plus page 3, asked for while page 2 was being written (and dropped,
    // uncommitted, at the cancel).
    assert_eq!(e.control().call_count(LIST_PATH), 3);
    let out = e
        .console
        .sync_authorizers(&e.rt, opts(false), None, CancelToken::new())
        .await
        .unwrap();
    assert!(out.resumed);
    assert_eq!(out.run.state, SyncState::Done);
    // Pages 3 and 4 only: the committed pages are not asked for again.
    assert_eq!(e.control().call_count(LIST_PATH), 5);
    assert_eq!(
        e.console
            .store()
            .authorizer_counts(e.rt.id())
            .unwrap()
            .total,
        2000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn cancel_during_details_then_resume() {
    let e = env(2000).await;
    e.control().set_fault(Fault::Latency {
        path: Some(INFO_PATH.into()),
        millis: 5,
    });
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    let fired = Arc::new(AtomicBool::new(false));
    let f2 = fired.clone();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            opts(true),
            Some(Arc::new(move |p: &SyncProgress| {
                if p.phase == SyncPhase::Details && p.details_done >= 500 {
                    f2.store(true, Ordering::SeqCst);
                    c2.cancel();
                }
            })),
            cancel,
        )
        .await
        .unwrap();
    assert!(fired.load(Ordering::SeqCst));
    assert_eq!(out.run.state, SyncState::Cancelled);
    let done_first = out.run.details_done;
    assert!((500..2000).contains(&done_first), "{done_first}");
    let info_first = e.control().call_count(INFO_PATH);
    let out = e
        .console
        .sync_authorizers(&e.rt, opts(true), None, CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Done);
    assert_eq!(out.run.details_done, 2000);
    assert_eq!(e.control().call_count(LIST_PATH), 4, "list not redone");
    // Only the accounts not finished before the cancel are fetched again.
    let info_second = e.control().call_count(INFO_PATH) - info_first;
    assert_eq!(info_second as i64, 2000 - done_first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn revoked_accounts_are_marked_and_transient_errors_retried() {
    let e = env(600).await;
    e.console
        .sync_authorizers(&e.rt, opts(false), None, CancelToken::new())
        .await
        .unwrap();
    let gone = wxopen_sandbox::seed::appid_of(1, 7);
    e.control().unauthorize(&gone).unwrap();
    e.control().set_fault(Fault::HttpStatus {
        path: Some(LIST_PATH.into()),
        status: 502,
        times: Some(2),
    });
    e.control().set_fault(Fault::Errcode {
        path: Some(INFO_PATH.into()),
        errcode: -1,
        errmsg: "system error".into(),
        times: Some(3),
    });
    let out = e
        .console
        .sync_authorizers(&e.rt, opts(true), None, CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Done);
    assert_eq!(out.run.revoked, 1);
    assert_eq!(out.run.errors, 0);
    assert_eq!(out.run.details_done, 599);
    let row = e
        .console
        .store()
        .authorizer_get(e.rt.id(), &gone)
        .unwrap()
        .unwrap();
    assert_eq!(row.authorizer.status, Status::Revoked);
    // Recover refresh tokens: a fresh list pass.
    let out = e.console.recover_refresh_tokens(&e.rt).await.unwrap();
    assert!(!out.resumed);
    assert_eq!(out.run.state, SyncState::Done);
}
