//! The details phase spends the platform's daily quota, shared with its backend: it refetches
//! only missing, stale or marked details, stops at the backend's reserve, obeys `max_calls` and
//! resumes after the daily reset (00:00 Beijing time). Real simulator over loopback, real
//! SQLite file.

mod service_support;

use service_support::*;
use std::sync::{Arc, Mutex};

use wxopen_core::service::sync::{SyncOptions, SyncOutcome, SyncPhase, SyncProgress};
use wxopen_core::service::sync_quota::{next_quota_reset, SyncStop};
use wxopen_core::service::CancelToken;
use wxopen_core::store::messages::MessageStatus;
use wxopen_core::store::sync_runs::SyncState;
use wxopen_sandbox::faults::Fault;
use wxopen_sandbox::SandboxConfig;
use wxopen_wechat::crypto::MsgCrypto;
use wxopen_wechat::push::PushQuery;

fn details() -> SyncOptions {
    SyncOptions {
        details: true,
        concurrency: Some(4),
        ..Default::default()
    }
}

async fn sync(e: &Env, opts: SyncOptions) -> SyncOutcome {
    e.console
        .sync_authorizers(&e.rt, opts, None, CancelToken::new())
        .await
        .unwrap()
}

fn info_calls(e: &Env) -> u64 {
    e.control().call_count(INFO_PATH)
}

fn sealed(e: &Env, xml: &str) -> (String, PushQuery) {
    let c = e.sandbox.credentials();
    let crypto = MsgCrypto::new(&c.token, &c.encoding_aes_key, &c.component_appid).unwrap();
    let s = crypto.seal_push(xml, "1700000000", "nonce123");
    (
        s.body,
        PushQuery {
            timestamp: s.timestamp,
            nonce: s.nonce,
            msg_signature: s.msg_signature,
            signature: None,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pass_refetches_only_missing_stale_or_marked_details() {
    let e = env(300).await;
    let first = sync(&e, details()).await;
    assert_eq!(first.run.state, SyncState::Done);
    assert_eq!(first.run.details_done, 300);
    assert_eq!(info_calls(&e), 300);
    // The quota as WeChat (the simulator) counts it, read before and after the pass.
    let before = first.quota_before.clone().unwrap();
    assert_eq!((before.daily_limit, before.used), (100_000, 0));
    assert_eq!(before.reserve, 20_000);
    let after = first.quota_after.clone().unwrap();
    assert_eq!((after.used, after.remain), (300, 99_700));

    // Right after: every account's details are fresh, none is fetched.
    let second = sync(&e, details()).await;
    assert_eq!(second.run.state, SyncState::Done);
    assert_eq!(second.run.details_total, Some(0));
    assert!(second.stop.is_none());
    assert_eq!(info_calls(&e), 300);
    assert_eq!(second.quota_before.unwrap().remain, 99_700);

    // Stale after 0 s: all of them again.
    let all = sync(
        &e,
        SyncOptions {
            stale_after_secs: Some(0),
            ..details()
        },
    )
    .await;
    assert_eq!(all.run.details_done, 300);
    assert_eq!(info_calls(&e), 600);

    // An updateauthorized push marks its account; its own fetch fails here (the quota is out
    // for that call), so the mark is what makes the next pass fetch it: just that one.
    let marked = wxopen_sandbox::seed::appid_of(1, 17);
    let (info_type, code) = reauthorize(&e, &marked).await;
    assert_eq!(info_type, "updateauthorized");
    e.control().set_fault(Fault::Errcode {
        path: Some(INFO_PATH.into()),
        errcode: 45009,
        errmsg: "reach max api daily quota limit".into(),
        times: Some(1),
    });
    let comp = e.rt.appid().to_string();
    let now = wxopen_core::clock::now();
    let (body, q) = sealed(&e, &format!("<xml><AppId>{comp}</AppId><CreateTime>{now}</CreateTime><InfoType>updateauthorized</InfoType><AuthorizerAppid>{marked}</AuthorizerAppid><AuthorizationCode>{code}</AuthorizationCode><AuthorizationCodeExpiredTime>600</AuthorizationCodeExpiredTime><PreAuthCode>x</PreAuthCode></xml>"));
    let applied = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(applied.status, MessageStatus::Failed);
    let calls = info_calls(&e);
    let next = sync(&e, details()).await;
    assert_eq!(next.run.details_total, Some(1));
    assert_eq!(info_calls(&e), calls + 1);
    // Fetched, the mark is gone.
    let again = sync(&e, details()).await;
    assert_eq!(again.run.details_total, Some(0));
    assert_eq!(info_calls(&e), calls + 1);

    // A list change marks too: an account back after a revocation.
    let back = wxopen_sandbox::seed::appid_of(1, 42);
    e.control().unauthorize(&back).unwrap();
    let list_only = SyncOptions {
        details: false,
        ..Default::default()
    };
    assert_eq!(sync(&e, list_only.clone()).await.run.revoked, 1);
    reauthorize(&e, &back).await;
    sync(&e, list_only).await;
    let calls = info_calls(&e);
    let after_return = sync(&e, details()).await;
    assert_eq!(after_return.run.details_total, Some(1));
    assert_eq!(info_calls(&e), calls + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_calls_bounds_the_info_calls_and_the_run_resumes() {
    let e = env(40).await;
    let events = Arc::new(Mutex::new(Vec::<SyncProgress>::new()));
    let ev = events.clone();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            SyncOptions {
                max_calls: Some(10),
                ..details()
            },
            Some(Arc::new(move |p: &SyncProgress| {
                ev.lock().unwrap().push(p.clone())
            })),
            CancelToken::new(),
        )
        .await
        .unwrap();
    // The progress carries the quota left: none before the details phase read it, then as
    // read before the pass, and at the end as read after it.
    let events = events.lock().unwrap().clone();
    assert_eq!(events[0].quota_remain, None);
    assert!(events
        .iter()
        .any(|p| p.phase == SyncPhase::Details && p.quota_remain == Some(100_000)));
    assert_eq!(events.last().unwrap().phase, SyncPhase::Finished);
    assert_eq!(events.last().unwrap().quota_remain, Some(99_990));
    assert_eq!(out.stop, Some(SyncStop::MaxCalls { max_calls: 10 }));
    assert_eq!(out.run.state, SyncState::Cancelled);
    assert!(out
        .run
        .last_error
        .as_deref()
        .unwrap()
        .contains("--max-calls"));
    assert_eq!(info_calls(&e), 10);
    assert_eq!(out.run.details_done, 10);
    // The next sync continues the same run with the 30 left.
    let rest = sync(&e, details()).await;
    assert!(rest.resumed);
    assert_eq!(rest.run.id, out.run.id);
    assert_eq!(rest.run.state, SyncState::Done);
    assert_eq!(rest.run.details_done, 40);
    assert_eq!(info_calls(&e), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_small_daily_limit_stops_at_the_reserve_and_resumes_after_the_reset() {
    let e = env_with(SandboxConfig {
        authorizers: 150,
        daily_quota: 100,
        ..Default::default()
    })
    .await;
    let out = sync(&e, details()).await;
    let Some(SyncStop::QuotaReserve {
        remain,
        reserve,
        daily_limit,
        resets_at,
    }) = out.stop.clone()
    else {
        panic!("not stopped at the reserve: {:?}", out.stop)
    };
    assert_eq!((remain, reserve, daily_limit), (20, 20, 100));
    assert_eq!(resets_at, next_quota_reset(wxopen_core::clock::now()));
    // Calls stay within limit × (1 − reserve), and none was refused with 45009.
    assert_eq!(info_calls(&e), 80);
    assert_eq!(out.run.errors, 0);
    assert_eq!(out.run.state, SyncState::Cancelled);
    let msg = out.run.last_error.clone().unwrap();
    assert!(msg.contains("00:00 Beijing time"), "{msg}");
    assert!(msg.contains("20 of 100"), "{msg}");

    // Before the reset a rerun spends nothing and says the same.
    let again = sync(&e, details()).await;
    assert!(again.resumed);
    assert!(matches!(again.stop, Some(SyncStop::QuotaReserve { .. })));
    assert_eq!(info_calls(&e), 80);

    // Past 00:00 Beijing time on the simulator's clock the quota is whole again and the run
    // finishes (a new ticket: the old one expired with the day).
    let now = e.control().now();
    e.control()
        .advance_clock((next_quota_reset(now) - now + 1) as u64);
    e.console
        .ticket_set(&e.rt, &e.control().issue_ticket())
        .unwrap();
    let done = sync(&e, details()).await;
    assert!(done.resumed);
    assert_eq!(done.run.id, out.run.id);
    assert!(done.stop.is_none(), "{:?}", done.stop);
    assert_eq!(done.run.state, SyncState::Done);
    assert_eq!(done.run.details_done, 150);
    assert_eq!(info_calls(&e), 150);
    assert_eq!(done.quota_after.unwrap().used, 70);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_45009_stops_the_pass_instead_of_failing_every_account() {
    let e = env(300).await;
    // The backend spent the day's quota after the reading: every info call answers 45009.
    e.control().set_fault(Fault::Errcode {
        path: Some(INFO_PATH.into()),
        errcode: 45009,
        errmsg: "reach max api daily quota limit".into(),
        times: None,
    });
    let out = sync(&e, details()).await;
    let Some(SyncStop::QuotaSpent { resets_at }) = out.stop else {
        panic!("not stopped on 45009: {:?}", out.stop)
    };
    assert!(resets_at > wxopen_core::clock::now());
    assert_eq!(out.run.state, SyncState::Cancelled);
    assert!(out.run.last_error.unwrap().contains("45009"));
    // At most one refused call per lane (4) and none recorded as the accounts' error: they
    // stay to do.
    assert!(info_calls(&e) <= 4, "{} info calls", info_calls(&e));
    assert_eq!(out.run.errors, 0);
    assert_eq!(out.run.details_done, 0);
    // Once the quota is back, the same run fetches all of them.
    e.control().clear_faults();
    let done = sync(&e, details()).await;
    assert!(done.resumed);
    assert_eq!(done.run.state, SyncState::Done);
    assert_eq!(done.run.details_done, 300);
    assert_eq!(done.run.errors, 0);
}
