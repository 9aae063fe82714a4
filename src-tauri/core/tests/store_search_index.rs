//! The in-memory search index (`store::search_index`) against a plain SQL reference: random
//! rows, random queries, filters, sorts and pages, and changes made by this store, by another
//! `Store` on the same file (another process) and by a raw connection, between searches.

mod store_support;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use store_support::*;
use wxopen_core::store::authorizers::search_needle;
use wxopen_core::store::{
    AuthorizerInfoRecord, AuthorizerQuery, Kind, ListedAuthorizer, Sort, Status, Store, DB_FILE,
};

const WORDS: &[&str] = &[
    "深圳",
    "科技",
    "Coffee",
    "COFFEE",
    "coffee",
    "小程序",
    "官方",
    "Shop",
    "ÄpfelÖ",
    "书店",
    "a",
    "b",
    "Ab",
    "aB",
    "100%_",
    "x_y",
    "😀",
    "",
];

fn word(rng: &mut StdRng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

fn random_info(rng: &mut StdRng) -> AuthorizerInfoRecord {
    // few distinct nicknames and auth times: many ties, broken by appid
    let nick = (0..rng.random_range(0..3))
        .map(|_| word(rng))
        .collect::<String>();
    AuthorizerInfoRecord {
        nick_name: nick,
        user_name: format!("gh_{:x}", rng.random_range(0..4096u32)),
        alias: if rng.random_bool(0.3) {
            word(rng).to_uppercase()
        } else {
            String::new()
        },
        principal_name: word(rng).into(),
        kind: match rng.random_range(0..3) {
            0 => None,
            1 => Some(Kind::OfficialAccount),
            _ => Some(Kind::MiniProgram),
        },
        verify_type: match rng.random_range(0..4) {
            0 => None,
            1 => Some(-1),
            2 => Some(0),
            _ => Some(2),
        },
        auth_time: match rng.random_range(0..4) {
            0 => None,
            n => Some(1_700_000_000 + n),
        },
        ..info(0)
    }
}

fn random_appid(rng: &mut StdRng) -> String {
    format!("wxR{:05}", rng.random_range(0..100_000u32))
}

/// Random rows, statuses and open bindings, written through `store`.
fn mutate(store: &Store, pid: i64, rng: &mut StdRng, n: usize) {
    let listed: Vec<ListedAuthorizer> = (0..n)
        .map(|_| ListedAuthorizer {
            appid: random_appid(rng),
            refresh_token: None,
            auth_time: match rng.random_range(0..3) {
                0 => None,
                n => Some(1_700_000_000 + n),
            },
        })
        .collect();
    store.upsert_listed_authorizers(pid, None, &listed).unwrap();
    let mut infos = Vec::new();
    for l in &listed {
        if rng.random_bool(0.8) {
            infos.push((l.appid.clone(), random_info(rng)));
        }
    }
    store.save_authorizer_infos(pid, None, &infos).unwrap();
    for l in &listed {
        match rng.random_range(0..6) {
            0 => store
                .set_authorizer_status(pid, &l.appid, Status::Revoked)
                .unwrap(),
            1 => store
                .set_authorizer_status(pid, &l.appid, Status::NeedsReauth)
                .unwrap(),
            2 => store
                .open_binding_put(pid, &l.appid, Some("wxopen"), 1)
                .unwrap(),
            3 => store.open_binding_put(pid, &l.appid, None, 1).unwrap(),
            _ => {}
        }
    }
}

fn random_query(rng: &mut StdRng, texts: &[String]) -> AuthorizerQuery {
    let query = match rng.random_range(0..8) {
        0 => None,
        1 => Some("  ".to_string()),
        2 => Some(word(rng).to_string()),
        3 => Some(format!(" {} ", word(rng).to_uppercase())),
        4 => Some("nothing matches this".to_string()),
        _ if texts.is_empty() => None,
        _ => {
            // a substring of an existing search text, in random case
            let t: Vec<char> = texts[rng.random_range(0..texts.len())].chars().collect();
            let a = rng.random_range(0..t.len().max(1));
            let b = (a + rng.random_range(1..5)).min(t.len());
            let s: String = t[a.min(t.len())..b].iter().collect();
            Some(if rng.random_bool(0.5) {
                s.to_uppercase()
            } else {
                s
            })
        }
    };
    AuthorizerQuery {
        query,
        kind: [None, Some(Kind::OfficialAccount), Some(Kind::MiniProgram)][rng.random_range(0..3)],
        verify_type: [None, None, Some(-1), Some(0), Some(7)][rng.random_range(0..5)],
        status: [
            None,
            None,
            Some(Status::Authorized),
            Some(Status::Revoked),
            Some(Status::NeedsReauth),
        ][rng.random_range(0..5)],
        has_open: [None, None, Some(true), Some(false)][rng.random_range(0..4)],
        sort: [Sort::NickName, Sort::AuthTime, Sort::Appid][rng.random_range(0..3)],
        desc: rng.random_bool(0.5),
        limit: [0, 1, 7, 50, 5000][rng.random_range(0..5)],
        offset: [0, 0, 3, 40, 200, 100_000][rng.random_range(0..6)],
    }
}

/// The plain SQL reference: total and appids of the page.
fn reference(c: &Connection, pid: i64, q: &AuthorizerQuery) -> (u64, Vec<String>) {
    let mut filter = String::from("profile_id = ?");
    let mut args = vec![Value::Integer(pid)];
    if let Some(n) = q.query.as_deref().and_then(search_needle) {
        filter.push_str(" AND instr(search_text, ?) > 0");
        args.push(Value::Text(n));
    }
    if let Some(k) = q.kind {
        filter.push_str(" AND kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    if let Some(v) = q.verify_type {
        filter.push_str(" AND verify_type = ?");
        args.push(Value::Integer(v));
    }
    if let Some(s) = q.status {
        filter.push_str(" AND status = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(h) = q.has_open {
        filter.push_str(" AND has_open = ?");
        args.push(Value::Integer(h as i64));
    }
    let dir = if q.desc { "DESC" } else { "ASC" };
    let order = match q.sort {
        Sort::NickName => format!("nick_name {dir}, appid {dir}"),
        Sort::AuthTime => format!("auth_time {dir}, appid {dir}"),
        Sort::Appid => format!("appid {dir}"),
    };
    let total: i64 = c
        .query_row(
            &format!("SELECT count(*) FROM authorizers WHERE {filter}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )
        .unwrap();
    args.push(Value::Integer(q.limit.min(1000) as i64));
    args.push(Value::Integer(q.offset as i64));
    let appids = c
        .prepare(&format!(
            "SELECT appid FROM authorizers WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
        ))
        .unwrap()
        .query_map(params_from_iter(args.iter()), |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    (total as u64, appids)
}

fn texts(c: &Connection, pid: i64) -> Vec<String> {
    c.prepare("SELECT nick_name || ' ' || appid || ' ' || principal_name FROM authorizers WHERE profile_id = ?1")
        .unwrap()
        .query_map([pid], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn compare(store: &Store, c: &Connection, pid: i64, rng: &mut StdRng, rounds: usize) {
    let texts = texts(c, pid);
    for _ in 0..rounds {
        let q = random_query(rng, &texts);
        let fast = store.search_authorizers(pid, &q).unwrap();
        let (total, appids) = reference(c, pid, &q);
        assert_eq!(fast.total, total, "total of {q:?}");
        let got: Vec<&str> = fast.rows.iter().map(|r| r.appid.as_str()).collect();
        assert_eq!(got, appids, "page of {q:?}");
        // and the very rows of the SQL search
        assert_eq!(
            fast,
            store.search_authorizers_sql(pid, &q).unwrap(),
            "{q:?}"
        );
    }
}

fn raw(dir: &std::path::Path) -> Connection {
    Connection::open(dir.join(DB_FILE)).unwrap()
}

#[test]
fn the_index_answers_like_sql_on_random_data_and_follows_every_writer() {
    let mut rng = StdRng::seed_from_u64(0x5eed_1234);
    let (dir, store) = temp_store();
    let other_process = Store::open(dir.path()).unwrap();
    // rebuild a stale index right away (else searches just after a change go to SQL)
    store.set_search_rebuild_gap(std::time::Duration::ZERO);
    other_process.set_search_rebuild_gap(std::time::Duration::ZERO);
    let c = raw(dir.path());
    let p = profile(&store, "random");
    let q = profile(&store, "other");
    mutate(&store, p.id, &mut rng, 600);
    mutate(&store, q.id, &mut rng, 100);
    compare(&store, &c, p.id, &mut rng, 300);
    compare(&store, &c, q.id, &mut rng, 50);
    for round in 0..8 {
        match round % 4 {
            // this store
            0 => mutate(&store, p.id, &mut rng, 50),
            // another store (process) on the same file
            1 => mutate(&other_process, p.id, &mut rng, 50),
            // a writer outside the store updating columns the index holds: it moves the
            // counter itself, in its transaction (schema v4's contract)
            2 => {
                c.execute_batch(&format!(
                    "BEGIN;
                     UPDATE authorizers SET nick_name = 'Zz' || nick_name, search_text = 'zz' || search_text
                      WHERE profile_id = {pid} AND id % 7 = {r};
                     UPDATE authorizers SET verify_type = 7 WHERE profile_id = {pid} AND id % 5 = {r};
                     UPDATE authorizer_changes SET gen = gen + 1 WHERE profile_id = {pid};
                     COMMIT;",
                    pid = p.id,
                    r = round % 5
                ))
                .unwrap();
            }
            // a raw delete: the trigger moves the counter
            _ => {
                c.execute(
                    "DELETE FROM authorizers WHERE profile_id = ?1 AND id % 11 = ?2",
                    [p.id, round % 11],
                )
                .unwrap();
            }
        }
        compare(&store, &c, p.id, &mut rng, 80);
        compare(&other_process, &c, p.id, &mut rng, 20);
    }
    compare(&store, &c, q.id, &mut rng, 50);
}

/// With the default rebuild gap: a search right after a change goes to SQL, still current.
#[test]
fn a_change_is_seen_by_the_next_search_of_every_store() {
    let (dir, a) = temp_store();
    let b = Store::open(dir.path()).unwrap();
    let p = profile(&a, "p");
    seed(&a, p.id, 300);
    let q = |text: &str| AuthorizerQuery {
        query: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(a.search_authorizers(p.id, &q("Renamed")).unwrap().total, 0);
    assert_eq!(b.search_authorizers(p.id, &q("Renamed")).unwrap().total, 0);
    assert!(a.search_index_bytes(p.id).is_some());
    b.save_authorizer_info(
        p.id,
        &appid(5),
        None,
        &AuthorizerInfoRecord {
            nick_name: "RENAMED 号".into(),
            ..info(5)
        },
    )
    .unwrap();
    for s in [&a, &b] {
        let page = s.search_authorizers(p.id, &q("renamed 号")).unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.rows[0].appid, appid(5));
    }
    // a status change through the other store
    b.set_authorizer_status(p.id, &appid(5), Status::Revoked)
        .unwrap();
    let revoked = AuthorizerQuery {
        status: Some(Status::Revoked),
        ..Default::default()
    };
    assert_eq!(a.search_authorizers(p.id, &revoked).unwrap().total, 1);
    // columns the index does not hold come fresh from the table
    a.mark_details_failed(p.id, &appid(5), None, "boom")
        .unwrap();
    let page = b.search_authorizers(p.id, &q("renamed")).unwrap();
    assert_eq!(page.rows[0].details_error.as_deref(), Some("boom"));
    // deleting the profile empties the search, and a profile reusing the id starts afresh
    assert!(a.profile_delete(p.id).unwrap());
    assert_eq!(b.search_authorizers(p.id, &q("")).unwrap().total, 0);
    assert_eq!(a.search_authorizers(p.id, &q("")).unwrap().total, 0);
}

#[test]
fn an_in_memory_store_searches_through_the_index_too() {
    let store = Store::open_in_memory().unwrap();
    store.set_search_rebuild_gap(std::time::Duration::ZERO);
    let p = profile(&store, "mem");
    seed(&store, p.id, 200);
    let all = store
        .search_authorizers(p.id, &AuthorizerQuery::default())
        .unwrap();
    assert_eq!(all.total, 200);
    assert!(store.search_index_bytes(p.id).is_some());
    store
        .set_authorizer_status(p.id, &appid(1), Status::NeedsReauth)
        .unwrap();
    let q = AuthorizerQuery {
        status: Some(Status::NeedsReauth),
        ..Default::default()
    };
    assert_eq!(store.search_authorizers(p.id, &q).unwrap().total, 1);
}

#[test]
fn rows_the_index_cannot_mirror_fall_back_to_sql() {
    let (dir, store) = temp_store();
    let p = profile(&store, "odd");
    seed(&store, p.id, 50);
    let c = raw(dir.path());
    // a search text stored as a blob (no writer of ours does this)
    c.execute(
        "UPDATE authorizers SET search_text = CAST(search_text AS BLOB) WHERE profile_id = ?1 AND id % 2 = 0",
        [p.id],
    )
    .unwrap();
    let q = AuthorizerQuery {
        query: Some("wx".into()),
        ..Default::default()
    };
    let page = store.search_authorizers(p.id, &q).unwrap();
    assert_eq!(page, store.search_authorizers_sql(p.id, &q).unwrap());
    assert_eq!(store.search_index_bytes(p.id), None);
}

/// Schema v4 counts inserts and updates in the store, not by trigger: every store writer of a
/// column the index holds moves the counter in its transaction (and a write of a column the
/// index does not hold leaves it).
#[test]
fn every_store_writer_of_an_indexed_column_moves_the_counter() {
    let (dir, store) = temp_store();
    let c = raw(dir.path());
    let p = profile(&store, "writers");
    let gen = || wxopen_core::store::search_index::generation(&c, p.id).unwrap();
    let last = std::cell::Cell::new(gen());
    let moved = |what: &str| {
        let now = gen();
        assert!(
            now > last.get(),
            "{what} did not move the counter ({} → {now})",
            last.get()
        );
        last.set(now);
    };
    let run = store.sync_run_start(p.id, true).unwrap();
    store
        .record_list_page(p.id, run.id, &listed(0..10, false), 10, 10)
        .unwrap();
    moved("record_list_page");
    store
        .upsert_listed_authorizers(p.id, None, &listed(10..12, false))
        .unwrap();
    moved("upsert_listed_authorizers");
    store
        .save_authorizer_info(p.id, &appid(0), None, &info(0))
        .unwrap();
    moved("save_authorizer_info");
    store
        .save_authorizer_infos(p.id, None, &[(appid(1), info(1))])
        .unwrap();
    moved("save_authorizer_infos");
    store
        .set_authorizer_status(p.id, &appid(2), Status::NeedsReauth)
        .unwrap();
    moved("set_authorizer_status");
    // setting what is already stored changes nothing the index holds (as the v3 trigger, whose
    // WHEN clause compared old and new values)
    store
        .set_authorizer_status(p.id, &appid(2), Status::NeedsReauth)
        .unwrap();
    assert_eq!(gen(), last.get(), "a no-op status change moved the counter");
    store
        .open_binding_put(p.id, &appid(3), Some("wxopen"), 1)
        .unwrap();
    moved("open_binding_put");
    store
        .open_binding_put(p.id, &appid(3), Some("wxopen"), 2)
        .unwrap();
    assert_eq!(gen(), last.get(), "a no-op open binding moved the counter");
    store.open_binding_clear(p.id, &appid(3)).unwrap();
    moved("open_binding_clear");
    store
        .authorizer_token_put_refresh(p.id, "wxnewfromauthorization", "refresh@@@new")
        .unwrap();
    moved("authorizer_token_put_refresh (new account)");
    store
        .authorizer_token_put_access(p.id, "wxnewfromtoken", "access", 9, Some("refresh@@@t"))
        .unwrap();
    moved("authorizer_token_put_access (new account)");
    // a second run that lists only some accounts: the others are revoked
    let run = store.sync_run_start(p.id, false).unwrap();
    store
        .record_list_page(p.id, run.id, &listed(0..5, false), 5, 5)
        .unwrap();
    moved("record_list_page (known rows)");
    store.sync_run_list_done(run.id).unwrap();
    assert!(store.mark_unseen_revoked(p.id, run.id).unwrap() > 0);
    moved("mark_unseen_revoked");
    // not a column the index holds
    store
        .mark_details_failed(p.id, &appid(4), None, "errcode 61004")
        .unwrap();
    assert_eq!(gen(), last.get(), "mark_details_failed moved the counter");
    // deletes: the trigger
    assert!(store.profile_delete(p.id).unwrap());
    moved("profile_delete");
}

/// A large profile (here: from 100 rows) answers the table's plain first page in SQL at once
/// and builds its index on a thread of its own; a filtered search waits for that build and
/// answers from the index, like SQL.
#[test]
fn a_large_profile_builds_its_index_in_the_background() {
    let (_dir, store) = temp_store();
    store.set_search_background_rows(100);
    let p = profile(&store, "large");
    seed(&store, p.id, 300);
    let plain = AuthorizerQuery {
        sort: Sort::AuthTime,
        desc: true,
        offset: 40,
        ..Default::default()
    };
    let first = store.search_authorizers(p.id, &plain).unwrap();
    assert_eq!(first, store.search_authorizers_sql(p.id, &plain).unwrap());
    assert_eq!(first.total, 300);
    let filtered = AuthorizerQuery {
        query: Some("深圳".into()),
        kind: Some(Kind::MiniProgram),
        ..Default::default()
    };
    let page = store.search_authorizers(p.id, &filtered).unwrap();
    assert!(
        store.search_index_bytes(p.id).is_some(),
        "the filtered search waited for the index"
    );
    assert_eq!(page, store.search_authorizers_sql(p.id, &filtered).unwrap());
    assert!(page.total > 0);
    // Below the threshold the index is built by the search itself, as before.
    let small = profile(&store, "small");
    seed(&store, small.id, 50);
    store
        .search_authorizers(small.id, &AuthorizerQuery::default())
        .unwrap();
    assert!(store.search_index_bytes(small.id).is_some());
}

/// The index scans its texts as one arena: a query that would only match across the end of
/// one account's text and the start of the next matches neither.
#[test]
fn a_match_never_spans_two_accounts() {
    let (_dir, store) = temp_store();
    let p = profile(&store, "span");
    seed(&store, p.id, 2);
    let ends_with_q = AuthorizerInfoRecord {
        principal_name: "Acme Q".into(),
        ..info(0)
    };
    let starts_with_z = AuthorizerInfoRecord {
        nick_name: "Zebra".into(),
        ..info(1)
    };
    store
        .save_authorizer_infos(
            p.id,
            None,
            &[(appid(0), ends_with_q), (appid(1), starts_with_z)],
        )
        .unwrap();
    for (text, total) in [("qz", 0), ("q", 1), ("zebra", 1), ("acme q", 1)] {
        let q = AuthorizerQuery {
            query: Some(text.into()),
            ..Default::default()
        };
        let page = store.search_authorizers(p.id, &q).unwrap();
        assert_eq!(page.total, total, "{text}");
        assert_eq!(
            page,
            store.search_authorizers_sql(p.id, &q).unwrap(),
            "{text}"
        );
    }
    assert!(store.search_index_bytes(p.id).is_some());
}

/// A `verify_type` the compact index cannot hold (outside i32; no writer of ours stores one)
/// sends the profile's searches to SQL, with the same answers.
#[test]
fn a_verify_type_beyond_the_index_falls_back_to_sql() {
    let (dir, store) = temp_store();
    let p = profile(&store, "wide");
    seed(&store, p.id, 30);
    raw(dir.path())
        .execute(
            "UPDATE authorizers SET verify_type = 1099511627776 WHERE profile_id = ?1 AND id % 3 = 0",
            [p.id],
        )
        .unwrap();
    for v in [1_099_511_627_776i64, 0, -1] {
        let q = AuthorizerQuery {
            verify_type: Some(v),
            ..Default::default()
        };
        let page = store.search_authorizers(p.id, &q).unwrap();
        assert_eq!(page, store.search_authorizers_sql(p.id, &q).unwrap());
    }
    assert_eq!(store.search_index_bytes(p.id), None);
}
