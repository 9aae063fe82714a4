//! Authorizers: batched upserts, refresh-token safety, revoked marking, details bookkeeping and
//! search.

mod store_support;

use store_support::*;
use wxopen_core::store::*;

#[test]
fn batch_upsert_of_20000_rows_commits_per_500_row_page() {
    let (_d, store) = temp_store();
    let p = profile(&store, "batch");
    let items = listed(0..20_000, true);
    let sum = store.upsert_listed_authorizers(p.id, None, &items).unwrap();
    assert_eq!(sum.inserted, 20_000);
    assert_eq!(sum.missing_refresh_token, 2_000);
    assert_eq!(sum.refresh_tokens_changed, 18_000);
    let c = store.authorizer_counts(p.id).unwrap();
    assert_eq!(
        (
            c.total,
            c.authorized,
            c.missing_refresh_token,
            c.without_details
        ),
        (20_000, 20_000, 2_000, 20_000)
    );
    // the listing keeps accounts without refresh token and can list them
    let missing = store.authorizers_missing_refresh_token(p.id).unwrap();
    assert_eq!(missing.len(), 2_000);
    assert_eq!(missing[0], appid(0));
    // same call again: all updates, nothing changed
    let again = store.upsert_listed_authorizers(p.id, None, &items).unwrap();
    assert_eq!(
        (again.inserted, again.updated, again.refresh_tokens_changed),
        (0, 20_000, 0)
    );
    assert_eq!(wxopen_core::store::authorizers::PAGE_ROWS, 500);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_failing_page_rolls_back_only_that_page() {
    let (_d, store) = temp_store();
    let p = profile(&store, "rollback");
    let mut items = listed(0..1_000, false);
    // row 700 (second page) is invalid: the second page fails, the first stays committed
    items[700].appid = String::new();
    // validation happens per page before writing, so nothing of page 2 is written
    assert!(store.upsert_listed_authorizers(p.id, None, &items).is_err());
    assert_eq!(store.authorizer_counts(p.id).unwrap().total, 500);
}

#[test]
fn refresh_token_is_never_replaced_by_an_empty_one() {
    let (_d, store) = temp_store();
    let p = profile(&store, "rt");
    let a = appid(1);
    let entry = |rt: Option<&str>| ListedAuthorizer {
        appid: a.clone(),
        refresh_token: rt.map(String::from),
        auth_time: Some(5),
    };
    store
        .upsert_listed_authorizers(p.id, None, &[entry(Some("rt-1"))])
        .unwrap();
    store
        .upsert_listed_authorizers(p.id, None, &[entry(Some(""))])
        .unwrap();
    store
        .upsert_listed_authorizers(p.id, None, &[entry(None)])
        .unwrap();
    store
        .save_authorizer_info(
            p.id,
            &a,
            None,
            &AuthorizerInfoRecord {
                refresh_token: Some(String::new()),
                ..info(1)
            },
        )
        .unwrap();
    store
        .authorizer_token_put_access(p.id, &a, "at", 10, Some(""))
        .unwrap();
    assert_eq!(
        store
            .authorizer_token_get(p.id, &a)
            .unwrap()
            .unwrap()
            .refresh_token
            .expose(),
        "rt-1"
    );
    store
        .upsert_listed_authorizers(p.id, None, &[entry(Some("rt-2"))])
        .unwrap();
    assert_eq!(
        store
            .authorizer_token_get(p.id, &a)
            .unwrap()
            .unwrap()
            .refresh_token
            .expose(),
        "rt-2"
    );
    store
        .save_authorizer_info(
            p.id,
            &a,
            None,
            &AuthorizerInfoRecord {
                refresh_token: Some("rt-3".into()),
                ..info(1)
            },
        )
        .unwrap();
    assert_eq!(
        store
            .authorizer_token_get(p.id, &a)
            .unwrap()
            .unwrap()
            .refresh_token
            .expose(),
        "rt-3"
    );
    // the access token survives a list upsert
    assert_eq!(
        store
            .authorizer_token_get(p.id, &a)
            .unwrap()
            .unwrap()
            .access_token
            .unwrap()
            .expose(),
        "at"
    );
}

#[test]
fn a_new_refresh_token_cures_needs_reauth_and_listing_revives_revoked() {
    let (_d, store) = temp_store();
    let p = profile(&store, "status");
    store
        .upsert_listed_authorizers(p.id, None, &listed(0..3, false))
        .unwrap();
    store
        .set_authorizer_status(p.id, &appid(1), Status::NeedsReauth)
        .unwrap();
    store
        .set_authorizer_status(p.id, &appid(2), Status::Revoked)
        .unwrap();
    // same tokens again: needs_reauth stays, revoked is listed again → authorized
    store
        .upsert_listed_authorizers(p.id, None, &listed(0..3, false))
        .unwrap();
    let st = |i| {
        store
            .authorizer_get(p.id, &appid(i))
            .unwrap()
            .unwrap()
            .authorizer
            .status
    };
    assert_eq!(st(1), Status::NeedsReauth);
    assert_eq!(st(2), Status::Authorized);
    let fresh = ListedAuthorizer {
        appid: appid(1),
        refresh_token: Some("brand-new".into()),
        auth_time: None,
    };
    store
        .upsert_listed_authorizers(p.id, None, &[fresh])
        .unwrap();
    assert_eq!(st(1), Status::Authorized);
    // auth_time kept when the entry has none
    assert_eq!(
        store
            .authorizer_get(p.id, &appid(1))
            .unwrap()
            .unwrap()
            .authorizer
            .auth_time,
        Some(1_700_000_001)
    );
}

#[test]
fn unseen_authorizers_are_marked_revoked_after_a_complete_list_sync() {
    let (_d, store) = temp_store();
    let p = profile(&store, "revoke");
    let first = store.sync_run_start(p.id, false).unwrap();
    store
        .record_list_page(p.id, first.id, &listed(0..600, false), 1000, 500)
        .unwrap();
    store
        .record_list_page(p.id, first.id, &listed(600..1000, false), 1000, 1000)
        .unwrap();
    let run = store.sync_run_get(first.id).unwrap().unwrap();
    assert_eq!(
        (run.total_count, run.next_offset, run.list_done),
        (Some(1000), 1000, false)
    );
    assert!(
        matches!(
            store.mark_unseen_revoked(p.id, first.id),
            Err(StoreError::Conflict(_))
        ),
        "list not complete"
    );
    store.sync_run_list_done(first.id).unwrap();
    assert_eq!(store.mark_unseen_revoked(p.id, first.id).unwrap(), 0);
    store
        .sync_run_finish(first.id, SyncState::Done, None)
        .unwrap();

    let second = store.sync_run_start(p.id, false).unwrap();
    // an authorization completed during the second run (not in its list): kept
    store
        .set_authorizer_status(p.id, "wxnewlyauthorized", Status::Authorized)
        .unwrap();
    store
        .record_list_page(p.id, second.id, &listed(0..900, false), 900, 900)
        .unwrap();
    store.sync_run_list_done(second.id).unwrap();
    assert_eq!(store.mark_unseen_revoked(p.id, second.id).unwrap(), 100);
    let c = store.authorizer_counts(p.id).unwrap();
    assert_eq!((c.total, c.revoked, c.authorized), (1001, 100, 901));
    let row = store.authorizer_get(p.id, &appid(950)).unwrap().unwrap();
    assert_eq!(row.authorizer.status, Status::Revoked);
    assert!(
        store
            .authorizer_token_get(p.id, &appid(950))
            .unwrap()
            .is_some(),
        "revoked rows are kept with their data"
    );
    assert_eq!(store.sync_run_get(second.id).unwrap().unwrap().revoked, 100);
    assert_eq!(
        store
            .authorizer_get(p.id, "wxnewlyauthorized")
            .unwrap()
            .unwrap()
            .authorizer
            .status,
        Status::Authorized
    );
    assert!(matches!(
        store.mark_unseen_revoked(p.id, 9999),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn sync_runs_resume_and_details_bookkeeping() {
    let (_d, store) = temp_store();
    let p = profile(&store, "sync");
    assert!(store.sync_run_resumable(p.id).unwrap().is_none());
    let run = store.sync_run_start(p.id, true).unwrap();
    assert_eq!(
        (run.state, run.with_details, run.next_offset),
        (SyncState::Running, true, 0)
    );
    store
        .record_list_page(p.id, run.id, &listed(0..500, false), 1200, 500)
        .unwrap();
    store
        .sync_run_finish(run.id, SyncState::Cancelled, Some("cancelled by user"))
        .unwrap();
    let r = store.sync_run_resumable(p.id).unwrap().unwrap();
    assert_eq!(
        (r.id, r.state, r.next_offset, r.total_count),
        (run.id, SyncState::Cancelled, 500, Some(1200))
    );
    assert!(r.finished_at.is_some());
    let r = store.sync_run_resume(run.id).unwrap();
    assert_eq!((r.state, r.finished_at), (SyncState::Running, None));
    store
        .record_list_page(p.id, run.id, &listed(500..1000, false), 1200, 1000)
        .unwrap();
    store
        .record_list_page(p.id, run.id, &listed(1000..1200, false), 1200, 1200)
        .unwrap();
    store.sync_run_list_done(run.id).unwrap();

    assert_eq!(
        store.count_needing_details(p.id, run.id, i64::MAX).unwrap(),
        1200
    );
    store
        .sync_run_set_details_total(p.id.max(run.id), 1200)
        .unwrap();
    let first = store.appids_needing_details(p.id, run.id, 100).unwrap();
    assert_eq!(first.len(), 100);
    assert_eq!(first[0], appid(0));
    let infos: Vec<_> = first
        .iter()
        .enumerate()
        .map(|(i, a)| (a.clone(), info(i as u32)))
        .collect();
    store
        .save_authorizer_infos(p.id, Some(run.id), &infos[..99])
        .unwrap();
    store
        .mark_details_failed(p.id, &first[99], Some(run.id), "errcode 61004")
        .unwrap();
    store
        .sync_run_add_details(run.id, 99, 1, Some("errcode 61004"))
        .unwrap();
    assert_eq!(
        store.count_needing_details(p.id, run.id, i64::MAX).unwrap(),
        1100
    );
    let next = store.appids_needing_details(p.id, run.id, 5).unwrap();
    assert_eq!(next[0], appid(100));
    // by row id (the list was written in appid order here)
    let all = store
        .needing_details_after(p.id, run.id, i64::MAX, 0, 2000)
        .unwrap();
    assert_eq!(all.len(), 1100);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    let id150 = all.iter().find(|(_, a)| *a == appid(150)).unwrap().0;
    let after: Vec<String> = store
        .needing_details_after(p.id, run.id, i64::MAX, id150, 2)
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(after, [appid(151), appid(152)]);
    let failed = store
        .authorizer_get(p.id, &first[99])
        .unwrap()
        .unwrap()
        .authorizer;
    assert_eq!(failed.details_error.as_deref(), Some("errcode 61004"));
    // a revoked account needs no details
    store
        .set_authorizer_status(p.id, &appid(100), Status::Revoked)
        .unwrap();
    assert_eq!(
        store.count_needing_details(p.id, run.id, i64::MAX).unwrap(),
        1099
    );
    let r = store
        .sync_run_finish(run.id, SyncState::Done, None)
        .unwrap();
    assert_eq!(
        (r.details_done, r.errors, r.last_error.as_deref()),
        (99, 1, Some("errcode 61004"))
    );
    assert!(store.sync_run_resumable(p.id).unwrap().is_none());
    assert_eq!(store.sync_run_latest(p.id).unwrap().unwrap().id, run.id);
    assert_eq!(store.sync_runs_list(p.id, 10).unwrap().len(), 1);
    // a new run needs every non-revoked account again
    let run2 = store.sync_run_start(p.id, true).unwrap();
    assert_eq!(
        store
            .count_needing_details(p.id, run2.id, i64::MAX)
            .unwrap(),
        1199
    );
}

#[test]
fn authorizer_detail_has_info_raw_and_permissions() {
    let (_d, store) = temp_store();
    let p = profile(&store, "detail");
    let a = appid(3);
    let mut rec = info(3);
    rec.auth_time = Some(42);
    store.save_authorizer_info(p.id, &a, None, &rec).unwrap();
    let d = store.authorizer_get(p.id, &a).unwrap().unwrap();
    assert_eq!(d.authorizer.nick_name, rec.nick_name);
    assert_eq!(d.authorizer.kind, rec.kind);
    assert_eq!(d.authorizer.user_name, rec.user_name);
    assert_eq!(d.authorizer.auth_time, Some(42));
    assert_eq!(d.authorizer.info_fetched_at, Some(rec.fetched_at));
    assert!(!d.authorizer.has_refresh_token);
    assert_eq!(d.raw_info.as_deref(), Some(rec.raw_info.as_str()));
    assert_eq!(d.permissions, rec.func_info);
    // new info replaces permissions
    let rec2 = AuthorizerInfoRecord {
        func_info: vec![Permission {
            funcscope_id: 99,
            need_confirm: Some(1),
            already_confirm: Some(0),
            can_confirm: Some(1),
        }],
        ..rec.clone()
    };
    store.save_authorizer_info(p.id, &a, None, &rec2).unwrap();
    assert_eq!(store.permissions_list(p.id, &a).unwrap(), rec2.func_info);
    assert_eq!(store.authorizer_get(p.id, "wxmissing").unwrap(), None);
    // serializes for the UI
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["authorizer"]["status"], "authorized");
}

fn perm(id: i64, confirm: Option<i64>) -> Permission {
    Permission {
        funcscope_id: id,
        need_confirm: confirm,
        already_confirm: confirm.map(|c| 1 - c),
        can_confirm: None,
    }
}

#[test]
fn permissions_are_replaced_exactly_in_any_number_and_order() {
    let (_d, store) = temp_store();
    let p = profile(&store, "perms");
    let a = appid(7);
    let save = |func_info: Vec<Permission>| {
        let rec = AuthorizerInfoRecord {
            func_info,
            ..info(7)
        };
        store.save_authorizer_info(p.id, &a, None, &rec).unwrap();
        store.permissions_list(p.id, &a).unwrap()
    };
    // Many, given out of order: stored by id.
    let many: Vec<Permission> = (1..=40).rev().map(|i| perm(i, Some(i % 2))).collect();
    let mut sorted = many.clone();
    sorted.sort_by_key(|p| p.funcscope_id);
    assert_eq!(save(many.clone()), sorted);
    // The same again: unchanged.
    assert_eq!(save(many), sorted);
    // A changed confirm state and a smaller set: exactly the new set.
    assert_eq!(
        save(vec![perm(3, Some(1)), perm(2, None)]),
        vec![perm(2, None), perm(3, Some(1))]
    );
    // A repeated id: the last one wins.
    assert_eq!(
        save(vec![perm(5, Some(0)), perm(6, None), perm(5, Some(1))]),
        vec![perm(5, Some(1)), perm(6, None)]
    );
    // None at all.
    assert_eq!(save(vec![]), vec![]);
}

#[test]
fn an_unchanged_raw_answer_is_kept_and_a_changed_one_replaced() {
    let (_d, store) = temp_store();
    let p = profile(&store, "raw");
    let a = appid(8);
    let rec = info(8);
    store.save_authorizer_info(p.id, &a, None, &rec).unwrap();
    store.save_authorizer_info(p.id, &a, None, &rec).unwrap();
    let d = store.authorizer_get(p.id, &a).unwrap().unwrap();
    assert_eq!(d.raw_info.as_deref(), Some(rec.raw_info.as_str()));
    let rec2 = AuthorizerInfoRecord {
        raw_info: r#"{"nick_name":"changed"}"#.into(),
        ..rec
    };
    store.save_authorizer_info(p.id, &a, None, &rec2).unwrap();
    let d = store.authorizer_get(p.id, &a).unwrap().unwrap();
    assert_eq!(d.raw_info.as_deref(), Some(rec2.raw_info.as_str()));
}

/// Every record the seeded store holds, with its appid.
fn all_records() -> Vec<(String, AuthorizerInfoRecord)> {
    let mut v: Vec<_> = (0..2_000).map(|i| (appid(i), info(i))).collect();
    v.extend(specials());
    v
}

/// How many records a scan finds: the reference the SQL search must agree with.
fn expected(q: &str, kind: Option<Kind>) -> u64 {
    let q = q.to_lowercase();
    all_records()
        .iter()
        .filter(|(a, r)| {
            let hay = [&r.nick_name, a, &r.user_name, &r.alias, &r.principal_name]
                .iter()
                .any(|f| f.to_lowercase().contains(&q));
            hay && kind.is_none_or(|k| r.kind == Some(k))
        })
        .count() as u64
}

fn specials() -> Vec<(String, AuthorizerInfoRecord)> {
    [
        (
            "wxspecial0000001",
            "深圳腾讯计算机系统",
            "gh_abcdef123456",
            "TencentOfficial",
            "深圳市腾讯计算机系统有限公司",
            Kind::OfficialAccount,
            0,
        ),
        (
            "wxspecial0000002",
            "WeChat Pay 微信支付",
            "gh_fedcba654321",
            "wxpay",
            "财付通支付科技有限公司",
            Kind::OfficialAccount,
            0,
        ),
        (
            "wxspecial0000003",
            "100%_Discount\\Shop",
            "gh_0000aaaa1111",
            "",
            "个人",
            Kind::MiniProgram,
            -1,
        ),
    ]
    .into_iter()
    .map(|(appid, nick, gh, alias, principal, kind, verify)| {
        (
            appid.to_string(),
            AuthorizerInfoRecord {
                nick_name: nick.into(),
                user_name: gh.into(),
                alias: alias.into(),
                principal_name: principal.into(),
                kind: Some(kind),
                verify_type: Some(verify),
                ..info(0)
            },
        )
    })
    .collect()
}

fn seeded() -> (tempfile::TempDir, Store, i64) {
    let (d, store) = temp_store();
    let p = profile(&store, "search");
    seed(&store, p.id, 2_000);
    for (appid, rec) in specials() {
        store
            .save_authorizer_info(p.id, &appid, None, &rec)
            .unwrap();
    }
    (d, store, p.id)
}

fn search(store: &Store, pid: i64, q: AuthorizerQuery) -> AuthorizerPage {
    store.search_authorizers(pid, &q).unwrap()
}

fn query(text: &str) -> AuthorizerQuery {
    AuthorizerQuery {
        query: Some(text.into()),
        ..Default::default()
    }
}

#[test]
fn search_by_substring_case_insensitive_in_every_field() {
    let (_d, store, pid) = seeded();
    let one = |q: &str| {
        let page = search(&store, pid, query(q));
        assert_eq!(
            page.total,
            1,
            "query {q:?}: {:?}",
            page.rows.iter().map(|r| &r.nick_name).collect::<Vec<_>>()
        );
        page.rows[0].appid.clone()
    };
    assert_eq!(one("腾讯计算机"), "wxspecial0000001"); // Chinese nickname substring
    assert_eq!(one("wechat pay"), "wxspecial0000002"); // case-insensitive
    assert_eq!(one("WECHAT PAY 微信"), "wxspecial0000002");
    assert_eq!(one("GH_ABCDEF"), "wxspecial0000001"); // original id
    assert_eq!(one("cdef12"), "wxspecial0000001");
    assert_eq!(one("WXSPECIAL0000003"), "wxspecial0000003"); // appid
    assert_eq!(one("tencentoff"), "wxspecial0000001"); // alias
    assert_eq!(one("财付通"), "wxspecial0000002"); // principal name
    assert_eq!(one("100%_"), "wxspecial0000003"); // LIKE wildcards are literal
    assert_eq!(one("t\\s"), "wxspecial0000003");
    assert_eq!(search(&store, pid, query("%")).total, 1);
    assert_eq!(search(&store, pid, query("%_d")).total, 1);
    assert_eq!(search(&store, pid, query("no such account")).total, 0);
    // blank query = everything
    assert_eq!(search(&store, pid, query("   ")).total, 2_003);
    // a broad Chinese query matches the seeded nicknames exactly as a scan would
    for q in [
        "科技",
        "有限公司",
        "Coffee",
        "深圳",
        "gh_1",
        "ALIAS_1",
        "c",
        "小程序",
        "书店",
    ] {
        let want = expected(q, None);
        assert!(want > 0, "{q}");
        assert_eq!(search(&store, pid, query(q)).total, want, "query {q:?}");
    }
}

#[test]
fn search_filters_sort_and_pages() {
    let (_d, store, pid) = seeded();
    let mp = search(
        &store,
        pid,
        AuthorizerQuery {
            kind: Some(Kind::MiniProgram),
            limit: 1000,
            ..Default::default()
        },
    );
    let expected_mp = (0..2_000)
        .filter(|&i| info(i).kind == Some(Kind::MiniProgram))
        .count() as u64
        + 1;
    assert_eq!(mp.total, expected_mp);
    assert!(mp.rows.iter().all(|r| r.kind == Some(Kind::MiniProgram)));
    let unverified = search(
        &store,
        pid,
        AuthorizerQuery {
            verify_type: Some(-1),
            ..Default::default()
        },
    );
    let expected_unv = (0..2_000)
        .filter(|&i| info(i).verify_type == Some(-1))
        .count() as u64
        + 1;
    assert_eq!(unverified.total, expected_unv);

    store
        .set_authorizer_status(pid, &appid(5), Status::Revoked)
        .unwrap();
    store
        .set_authorizer_status(pid, &appid(6), Status::NeedsReauth)
        .unwrap();
    let revoked = search(
        &store,
        pid,
        AuthorizerQuery {
            status: Some(Status::Revoked),
            ..Default::default()
        },
    );
    assert_eq!(
        (revoked.total, revoked.rows[0].appid.as_str()),
        (1, appid(5).as_str())
    );
    let reauth = search(
        &store,
        pid,
        AuthorizerQuery {
            status: Some(Status::NeedsReauth),
            ..Default::default()
        },
    );
    assert_eq!(reauth.rows[0].appid, appid(6));

    store
        .open_binding_put(pid, &appid(7), Some("wxopen1"), 1)
        .unwrap();
    store.open_binding_put(pid, &appid(8), None, 1).unwrap();
    let with_open = search(
        &store,
        pid,
        AuthorizerQuery {
            has_open: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(
        (with_open.total, with_open.rows[0].appid.as_str()),
        (1, appid(7).as_str())
    );
    let without = search(
        &store,
        pid,
        AuthorizerQuery {
            has_open: Some(false),
            ..Default::default()
        },
    );
    assert_eq!(
        (without.total, without.rows[0].appid.as_str()),
        (1, appid(8).as_str())
    );

    // combined: query + kind
    let combo = search(
        &store,
        pid,
        AuthorizerQuery {
            query: Some("科技".into()),
            kind: Some(Kind::OfficialAccount),
            ..Default::default()
        },
    );
    assert_eq!(combo.total, expected("科技", Some(Kind::OfficialAccount)));

    // sort by appid, asc and desc, with paging
    let asc = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::Appid,
            limit: 10,
            offset: 0,
            ..Default::default()
        },
    );
    assert_eq!(asc.total, 2_003);
    assert_eq!(asc.rows.len(), 10);
    assert_eq!(asc.rows[0].appid, appid(0));
    let page2 = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::Appid,
            limit: 10,
            offset: 10,
            ..Default::default()
        },
    );
    assert_eq!(page2.rows[0].appid, appid(10));
    let desc = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::Appid,
            desc: true,
            limit: 3,
            ..Default::default()
        },
    );
    assert_eq!(desc.rows[0].appid, "wxspecial0000003");
    let last = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::Appid,
            limit: 10,
            offset: 2_000,
            ..Default::default()
        },
    );
    assert_eq!(last.rows.len(), 3);

    // sort by nick_name and auth_time: ordered
    let by_nick = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::NickName,
            limit: 200,
            ..Default::default()
        },
    );
    assert!(by_nick
        .rows
        .windows(2)
        .all(|w| (&w[0].nick_name, &w[0].appid) <= (&w[1].nick_name, &w[1].appid)));
    let by_nick_desc = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::NickName,
            desc: true,
            limit: 200,
            ..Default::default()
        },
    );
    assert!(by_nick_desc
        .rows
        .windows(2)
        .all(|w| w[0].nick_name >= w[1].nick_name));
    let by_time = search(
        &store,
        pid,
        AuthorizerQuery {
            sort: Sort::AuthTime,
            desc: true,
            limit: 100,
            ..Default::default()
        },
    );
    assert!(by_time
        .rows
        .windows(2)
        .all(|w| w[0].auth_time >= w[1].auth_time));
    assert_eq!(by_time.rows[0].appid, appid(1_999));

    // limit is capped
    let big = search(
        &store,
        pid,
        AuthorizerQuery {
            limit: 100_000,
            ..Default::default()
        },
    );
    assert_eq!(big.rows.len(), 1_000);
    // another profile sees nothing
    let other = profile(&store, "other");
    assert_eq!(
        search(&store, other.id, AuthorizerQuery::default()).total,
        0
    );
    // rows serialize for the UI in snake_case
    let json = serde_json::to_value(&asc).unwrap();
    assert_eq!(json["rows"][0]["appid"], appid(0));
    assert!(json["rows"][0]["kind"].is_string());
}

/// A sync runs the same few statements per account; SQLite re-prepares a statement whose plan
/// it thinks depends on its bound values at every execution (3.54 did so for the permissions
/// lookup, with an ORDER BY and then as a join), which costs as much as the statement. Not a
/// timing: a count.
#[test]
fn the_statements_of_a_sync_and_the_detail_view_are_prepared_once() {
    let (_d, store) = temp_store();
    let p = profile(&store, "prepared");
    let run = store.sync_run_start(p.id, true).unwrap();
    store
        .record_list_page(p.id, run.id, &listed(0..200, true), 200, 200)
        .unwrap();
    let infos: Vec<_> = (0..200).map(|i| (appid(i), info(i))).collect();
    store
        .save_authorizer_infos(p.id, Some(run.id), &infos)
        .unwrap();
    let before = store.statement_reprepares();
    // A re-sync (half the accounts changed) and the detail view of every account.
    let run = store.sync_run_start(p.id, true).unwrap();
    store
        .record_list_page(p.id, run.id, &listed(0..200, false), 200, 200)
        .unwrap();
    let infos: Vec<_> = (0..200)
        .map(|i| {
            let mut rec = info(i);
            if i % 2 == 0 {
                rec.nick_name.push_str(" 新");
                rec.func_info.pop();
            }
            (appid(i), rec)
        })
        .collect();
    store
        .save_authorizer_infos(p.id, Some(run.id), &infos)
        .unwrap();
    for i in 0..200 {
        let want = if i % 2 == 0 { 1 } else { 2 };
        assert_eq!(store.permissions_list(p.id, &appid(i)).unwrap().len(), want);
        let detail = store.authorizer_get(p.id, &appid(i)).unwrap().unwrap();
        assert_eq!(detail.permissions.len(), want);
        assert!(detail.authorizer.has_refresh_token);
    }
    let reprepared = store.statement_reprepares() - before;
    assert!(reprepared < 5, "{reprepared} re-prepares for 200 accounts");
}
