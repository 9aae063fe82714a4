//! Bulk jobs through the service, two consoles on one SQLite file (the app and `wxopen`): a job
//! running in one is refused to the other, paused by the other it stops after the accounts in
//! flight, and the other resumes only what is left. Picked rows and skip reasons.

mod service_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use service_support::*;
use wxopen_core::error::ErrorCode;
use wxopen_core::secrets::SecretStore;
use wxopen_core::service::bulk::{BulkParams, BulkRequest, SkipReason};
use wxopen_core::service::bulk_run::{BulkHooks, BulkStop};
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, Console, ConsoleOptions};
use wxopen_core::store::bulk_jobs::{BulkAction, BulkItemRow, BulkJobState, ClaimRefusal};
use wxopen_core::store::{Status, Store};

const SET_OPTION: &str = "/cgi-bin/component/api_set_authorizer_option";
const AUTHORIZER_TOKEN: &str = "/cgi-bin/component/api_authorizer_token";

fn option_request(value: &str) -> BulkRequest {
    BulkRequest {
        action: BulkAction::OptionSet,
        query: Default::default(),
        appids: None,
        params: BulkParams {
            option_name: Some("customer_service".into()),
            option_value: Some(value.into()),
            open_appid: None,
        },
    }
}

#[tokio::test]
async fn a_job_paused_from_another_console_stops_and_the_other_resumes_the_rest() {
    let e = env(30).await;
    e.console
        .sync_authorizers(&e.rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
    e.console.set_bulk_rate_per_minute(600_000).unwrap();
    let other = Arc::new(Console::with_options(
        Store::open(e.dir.path()).unwrap(),
        e.secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions::default(),
    ));
    let other_rt = other.profile(Some("test")).await.unwrap();

    let refused = e
        .console
        .bulk_create(&e.rt, &option_request("1"), false)
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Refused);
    assert!(refused.to_string().contains("for 30 accounts"), "{refused}");
    let (plan, job) = e
        .console
        .bulk_create(&e.rt, &option_request("1"), true)
        .unwrap();
    assert_eq!((plan.total, plan.will_run, job.total), (30, 30, 30));

    // The other console pauses the job once five accounts are done; meanwhile it cannot take
    // the job over from its live owner.
    let seen = Arc::new(AtomicU64::new(0));
    let (o2, rt2, id, seen2) = (other.clone(), other_rt.clone(), job.id, seen.clone());
    let item = Arc::new(move |_: &BulkItemRow| {
        let n = seen2.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 5 {
            let claim = o2
                .store()
                .bulk_job_claim(id, o2.lease_owner(), wxopen_core::clock::now(), 60, &|_| {
                    false
                })
                .unwrap();
            assert!(
                matches!(claim, Err(ClaimRefusal::Running { .. })),
                "{claim:?}"
            );
            o2.bulk_pause(&rt2, id).unwrap();
        }
    });
    let first = e
        .console
        .bulk_run(
            &e.rt,
            job.id,
            BulkHooks {
                progress: None,
                item: Some(item),
            },
            CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        first.stop,
        Some(BulkStop::Elsewhere {
            state: BulkJobState::Paused
        })
    );
    assert_eq!(first.job.state, BulkJobState::Paused);
    let done_here = first.job.counts.ok;
    let concurrency = e.console.bulk_concurrency().unwrap() as u64;
    assert!(
        (5..5 + concurrency).contains(&done_here),
        "{done_here} done: only the accounts in flight finish after the pause"
    );
    assert_eq!(e.control().call_count(SET_OPTION), done_here);

    let rest = other
        .bulk_run(&other_rt, job.id, BulkHooks::default(), CancelToken::new())
        .await
        .unwrap();
    assert_eq!(rest.stop, None);
    assert_eq!(rest.job.state, BulkJobState::Done);
    assert_eq!(rest.job.counts.ok, 30);
    assert_eq!(e.control().call_count(SET_OPTION), 30, "nothing done twice");
    let page = e
        .console
        .authorizers_search(&e.rt, &Default::default())
        .unwrap();
    for r in &page.rows {
        assert_eq!(
            e.control()
                .authorizer_option(&r.appid, "customer_service")
                .as_deref(),
            Some("1")
        );
    }
}

#[tokio::test]
async fn picked_rows_are_the_selection_and_skips_say_why() {
    let e = env(12).await;
    e.console
        .sync_authorizers(&e.rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
    let rows = e
        .console
        .authorizers_search(&e.rt, &Default::default())
        .unwrap()
        .rows;
    let without_token: Vec<&str> = rows
        .iter()
        .filter(|r| !r.has_refresh_token)
        .map(|r| r.appid.as_str())
        .collect();
    let with_token: Vec<&str> = rows
        .iter()
        .filter(|r| r.has_refresh_token)
        .map(|r| r.appid.as_str())
        .collect();
    assert!(!without_token.is_empty() && with_token.len() >= 2);
    e.console
        .authorizer_set_status(&e.rt, with_token[1], Status::NeedsReauth)
        .unwrap();
    let picked = vec![
        with_token[0].to_string(),
        with_token[1].to_string(),
        without_token[0].to_string(),
        "wx00000000000000ff".to_string(),
    ];
    let req = BulkRequest {
        action: BulkAction::RefreshTokens,
        query: Default::default(),
        appids: Some(picked.clone()),
        params: BulkParams::default(),
    };
    let plan = e.console.bulk_plan(&e.rt, &req).unwrap();
    assert_eq!((plan.total, plan.will_run), (4, 1));
    let reasons: Vec<(SkipReason, u64)> =
        plan.skipped.iter().map(|s| (s.reason, s.count)).collect();
    assert_eq!(
        reasons,
        vec![
            (SkipReason::NeedsReauth, 1),
            (SkipReason::NoRefreshToken, 1),
            (SkipReason::NotInCache, 1)
        ]
    );
    assert!(plan.summary().starts_with("4 accounts, 3 will be skipped"));
    let (_, job) = e.console.bulk_create(&e.rt, &req, true).unwrap();
    let refreshes = e.control().call_count(AUTHORIZER_TOKEN);
    let out = e
        .console
        .bulk_run(&e.rt, job.id, BulkHooks::default(), CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.job.counts.ok, 1);
    assert_eq!(out.job.counts.skipped, 3);
    assert_eq!(e.control().call_count(AUTHORIZER_TOKEN), refreshes + 1);
    let after = e
        .console
        .authorizer_token_status(&e.rt, with_token[0])
        .unwrap();
    assert!(after.access_expires_at.is_some());
    let items = e.console.bulk_results_page(&e.rt, job.id, -1, 10).unwrap();
    let appids: Vec<&str> = items.iter().map(|i| i.appid.as_str()).collect();
    assert_eq!(
        appids,
        picked.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        items[2].message.as_deref(),
        Some(SkipReason::NoRefreshToken.text())
    );
}
