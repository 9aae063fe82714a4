//! The change log (schema v8) through the store's real sync writes on a real SQLite file: what
//! each sync records, the first sync's single baseline line, and the queries.

mod store_support;

use store_support::{appid, info, listed, profile, temp_store};
use wxopen_core::store::{
    ChangeKind, ChangeQuery, ChangeRow, Permission, Status, Store, StoreError, SyncState,
};

/// A list pass of `items` as a sync runs it (pages, list done, unseen revoked); returns the run.
fn list_pass(store: &Store, pid: i64, items: &[wxopen_core::store::ListedAuthorizer]) -> i64 {
    let run = store.sync_run_start(pid, true).unwrap().id;
    let total = items.len() as i64;
    for (i, page) in items.chunks(2).enumerate() {
        let next = (i * 2 + page.len()) as i64;
        store.record_list_page(pid, run, page, total, next).unwrap();
    }
    store.sync_run_list_done(run).unwrap();
    store.mark_unseen_revoked(pid, run).unwrap();
    run
}

fn of_run(store: &Store, pid: i64, run: i64) -> Vec<ChangeRow> {
    let mut rows = store
        .changes_list(
            pid,
            &ChangeQuery {
                sync_run_id: Some(run),
                ..Default::default()
            },
        )
        .unwrap()
        .rows;
    rows.reverse();
    rows
}

fn short(rows: &[ChangeRow]) -> Vec<(String, ChangeKind, Option<String>, Option<String>)> {
    rows.iter()
        .map(|c| (c.appid.clone(), c.kind, c.old.clone(), c.new.clone()))
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn syncs_record_what_changed_and_the_first_sync_only_a_baseline_line() {
    let (_d, store) = temp_store();
    let pid = profile(&store, "p").id;
    // The first sync: one baseline line, whatever the size; a first details fetch is no change.
    let run1 = list_pass(&store, pid, &listed(0..5, false));
    let infos: Vec<_> = (0..5).map(|i| (appid(i), info(i))).collect();
    store
        .save_authorizer_infos(pid, Some(run1), &infos)
        .unwrap();
    store.sync_run_finish(run1, SyncState::Done, None).unwrap();
    assert_eq!(
        short(&of_run(&store, pid, run1)),
        vec![(String::new(), ChangeKind::Baseline, None, s("5"))]
    );
    // The second: 0 gone, 5 new, 2 authorized again (a new auth_time).
    let mut items = listed(1..6, false);
    items[1].auth_time = Some(1_800_000_000);
    let run2 = list_pass(&store, pid, &items);
    let mut changed = vec![
        (appid(1), info(1)),
        (appid(3), info(3)),
        (appid(4), info(4)),
    ];
    changed[0].1.nick_name = "新名字".into();
    changed[1].1.func_info.retain(|p| p.funcscope_id != 15);
    changed[1].1.func_info.push(Permission {
        funcscope_id: 17,
        need_confirm: None,
        already_confirm: None,
        can_confirm: None,
    });
    changed[2].1.verify_type = Some(7);
    changed[2].1.principal_name = "另一家公司".into();
    // a confirm state alone is not a change of what the platform may do
    let mut confirm_only = (appid(2), info(2));
    confirm_only.1.func_info[0].already_confirm = Some(1);
    changed.push(confirm_only);
    store
        .save_authorizer_infos(pid, Some(run2), &changed)
        .unwrap();
    let i4 = info(4);
    let got = short(&of_run(&store, pid, run2));
    assert_eq!(
        got,
        vec![
            (
                appid(2),
                ChangeKind::Reauthorized,
                s("1700000002"),
                s("1800000000")
            ),
            (appid(5), ChangeKind::Authorized, None, s("authorized")),
            (appid(0), ChangeKind::Revoked, s("authorized"), s("revoked")),
            (
                appid(1),
                ChangeKind::Renamed,
                Some(info(1).nick_name),
                s("新名字")
            ),
            (appid(3), ChangeKind::Permissions, s("[15]"), s("[17]")),
            (
                appid(4),
                ChangeKind::VerifyType,
                i4.verify_type.map(|v| v.to_string()),
                s("7")
            ),
            (
                appid(4),
                ChangeKind::Principal,
                Some(i4.principal_name),
                s("另一家公司")
            ),
        ]
    );
    let perms = of_run(&store, pid, run2)
        .into_iter()
        .find(|c| c.kind == ChangeKind::Permissions)
        .unwrap();
    assert_eq!((perms.added, perms.removed), (vec![17], vec![15]));
    store.sync_run_finish(run2, SyncState::Done, None).unwrap();
    // The third: 0 is back.
    let mut items = listed(0..6, false);
    items[2].auth_time = Some(1_800_000_000);
    let run3 = list_pass(&store, pid, &items);
    assert_eq!(
        short(&of_run(&store, pid, run3)),
        vec![(
            appid(0),
            ChangeKind::Reauthorized,
            s("revoked"),
            s("authorized")
        )]
    );
    // Per-sync counts.
    let syncs = store.changes_by_sync(pid, 10).unwrap();
    let ids: Vec<i64> = syncs.iter().map(|s| s.sync_run_id).collect();
    assert_eq!(ids, vec![run3, run2, run1]);
    assert_eq!(syncs[2].baseline_accounts, Some(5));
    assert_eq!(syncs[2].total, 0);
    let c = syncs[1].counts;
    assert_eq!(
        (
            c.authorized,
            c.revoked,
            c.reauthorized,
            c.renamed,
            c.permissions
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!((c.verify_type, c.principal, c.service_type), (1, 1, 0));
    assert_eq!(syncs[1].total, 7);
    assert_eq!(syncs[0].counts.reauthorized, 1);
}

#[test]
fn queries_filter_by_kind_account_text_and_since() {
    let (_d, store) = temp_store();
    let pid = profile(&store, "p").id;
    let run1 = list_pass(&store, pid, &listed(0..4, false));
    let infos: Vec<_> = (0..4).map(|i| (appid(i), info(i))).collect();
    store
        .save_authorizer_infos(pid, Some(run1), &infos)
        .unwrap();
    let run2 = list_pass(&store, pid, &listed(1..6, false));
    let mut renamed = info(2);
    renamed.nick_name = "Renamed Shop".into();
    store
        .save_authorizer_infos(pid, Some(run2), &[(appid(2), renamed)])
        .unwrap();
    let run3 = list_pass(&store, pid, &listed(1..5, false));
    let q = |q: ChangeQuery| store.changes_list(pid, &q).unwrap();
    let all = q(ChangeQuery::default());
    // run1: the baseline line; run2: authorized 4 and 5, revoked 0, renamed 2; run3: revoked
    // 5; newest first
    assert_eq!(all.total, 6);
    assert_eq!(all.rows[0].appid, appid(5));
    assert_eq!(all.rows[0].kind, ChangeKind::Revoked);
    let kind = q(ChangeQuery {
        kind: Some(ChangeKind::Revoked),
        ..Default::default()
    });
    assert_eq!(kind.total, 2);
    let one = q(ChangeQuery {
        appid: Some(appid(5)),
        ..Default::default()
    });
    assert_eq!(one.total, 2, "authorized in run2, revoked in run3");
    // the text matches the account's current name, its appid or a changed value
    let text = q(ChangeQuery {
        query: Some("renamed SHOP".into()),
        ..Default::default()
    });
    assert_eq!(text.total, 1);
    assert_eq!(text.rows[0].nick_name, "Renamed Shop");
    assert_eq!(text.rows[0].account_kind, info(2).kind);
    let since = q(ChangeQuery {
        since_sync: Some(run3),
        ..Default::default()
    });
    assert_eq!(since.total, 1);
    let since_run2 = q(ChangeQuery {
        since_sync: Some(run2),
        ..Default::default()
    });
    assert_eq!(since_run2.total, 5);
    let future = q(ChangeQuery {
        since: Some(i64::MAX),
        ..Default::default()
    });
    assert_eq!(future.total, 0);
    let paged = q(ChangeQuery {
        limit: 2,
        offset: 5,
        ..Default::default()
    });
    assert_eq!((paged.total, paged.rows.len()), (6, 1));
    assert_eq!(paged.rows[0].kind, ChangeKind::Baseline);
}

#[test]
fn a_failed_page_leaves_neither_its_rows_nor_their_changes() {
    let (_d, store) = temp_store();
    let pid = profile(&store, "p").id;
    list_pass(&store, pid, &listed(0..2, false));
    // A page for a run that is not there fails after its upserts: the transaction goes whole.
    let err = store
        .record_list_page(pid, 9_999, &listed(2..4, false), 4, 4)
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(
        store
            .changes_list(pid, &ChangeQuery::default())
            .unwrap()
            .total,
        1
    );
    assert!(store.authorizer_get(pid, &appid(2)).unwrap().is_none());
}

#[test]
fn changes_seen_between_syncs_belong_to_the_next_one() {
    let (_d, store) = temp_store();
    let pid = profile(&store, "p").id;
    list_pass(&store, pid, &listed(0..3, false));
    // Between two syncs: a push revokes 0, an authorization adds 7, a refresh token is refused
    // for 1 (61023: not a change of the account), and 1 authorizes again.
    store
        .set_authorizer_status(pid, &appid(0), Status::Revoked)
        .unwrap();
    store
        .authorizer_token_put_refresh(pid, &appid(7), "refreshtoken@@@new")
        .unwrap();
    store
        .set_authorizer_status(pid, &appid(7), Status::Authorized)
        .unwrap();
    store
        .set_authorizer_status(pid, &appid(1), Status::NeedsReauth)
        .unwrap();
    store
        .set_authorizer_status(pid, &appid(1), Status::Authorized)
        .unwrap();
    let waiting = store.changes_list(pid, &ChangeQuery::default()).unwrap();
    assert!(waiting.rows.iter().take(3).all(|c| c.sync_run_id.is_none()));
    // The next sync lists 1, 2 and 7: 0 stays revoked (recorded once, by the push).
    let mut items = listed(1..3, false);
    items.extend(listed(7..8, false));
    let run2 = list_pass(&store, pid, &items);
    assert_eq!(
        short(&of_run(&store, pid, run2)),
        vec![
            (appid(0), ChangeKind::Revoked, s("authorized"), s("revoked")),
            (appid(7), ChangeKind::Authorized, None, s("authorized")),
            (
                appid(1),
                ChangeKind::Reauthorized,
                s("needs_reauth"),
                s("authorized")
            ),
        ]
    );
}
