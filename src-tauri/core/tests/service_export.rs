//! `service::export`: the ids an export walks are the table's (index and SQL agree across
//! filters and sorts), rows come back in that order, and a cancel or a failure leaves neither
//! the target file nor a temp file behind.

mod store_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use store_support::*;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::MemoryStore;
use wxopen_core::service::export::{ExportColumn, ExportFormat, ExportProgress, ExportRequest};
use wxopen_core::service::{CancelToken, Console};
use wxopen_core::store::{AuthorizerQuery, Kind, Sort, Status, Store};

fn files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn export_ids_are_every_page_of_the_table_in_its_order() {
    let (_dir, store) = temp_store();
    let p = profile(&store, "ids");
    seed(&store, p.id, 5_000);
    store
        .set_authorizer_status(p.id, &appid(7), Status::Revoked)
        .unwrap();
    let queries = [
        AuthorizerQuery::default(),
        AuthorizerQuery {
            kind: Some(Kind::MiniProgram),
            sort: Sort::AuthTime,
            desc: true,
            ..Default::default()
        },
        AuthorizerQuery {
            query: Some("深圳".into()),
            verify_type: Some(-1),
            sort: Sort::Appid,
            ..Default::default()
        },
        AuthorizerQuery {
            status: Some(Status::Revoked),
            ..Default::default()
        },
    ];
    for q in &queries {
        let ids = store.authorizer_ids_matching(p.id, q).unwrap();
        assert_eq!(
            ids,
            store.authorizer_ids_matching_sql(p.id, q).unwrap(),
            "{q:?}"
        );
        // The appids of every page of the table, in order.
        let mut paged = Vec::new();
        for offset in (0..ids.len() as u32).step_by(1000) {
            let page = store
                .search_authorizers(
                    p.id,
                    &AuthorizerQuery {
                        limit: 1000,
                        offset,
                        ..q.clone()
                    },
                )
                .unwrap();
            paged.extend(page.rows.into_iter().map(|r| r.appid));
        }
        let rows = store.export_rows(p.id, &ids).unwrap();
        let exported: Vec<String> = rows.into_iter().map(|r| r.authorizer.appid).collect();
        assert_eq!(exported, paged, "{q:?}");
    }
    let revoked = store.authorizer_ids_matching(p.id, &queries[3]).unwrap();
    assert_eq!(revoked.len(), 1);
    let rows = store.export_rows(p.id, &revoked).unwrap();
    assert_eq!(rows[0].authorizer.appid, appid(7));
    assert!(
        !rows[0].permissions.is_empty(),
        "permissions come with the row"
    );
}

async fn console_with(
    n: u32,
) -> (
    tempfile::TempDir,
    Console,
    Arc<wxopen_core::service::ProfileRt>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let p = profile(&store, "export");
    seed(&store, p.id, n);
    let console = Console::new(store, Arc::new(MemoryStore::new()));
    let rt = console.profile(Some("export")).await.unwrap();
    (dir, console, rt)
}

#[tokio::test]
async fn a_cancelled_export_leaves_no_file_and_progress_counts_to_the_total() {
    let (dir, console, rt) = console_with(9_000).await;
    let out = tempfile::tempdir().unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let path = out.path().join(format!("cancelled.{format}"));
        let req = ExportRequest {
            query: AuthorizerQuery::default(),
            columns: vec![],
            format,
            path: path.display().to_string(),
        };
        // Cancelled from the progress callback once the first chunk is written.
        let cancel = CancelToken::new();
        let c2 = cancel.clone();
        let seen = Arc::new(Mutex::new(Vec::<ExportProgress>::new()));
        let s2 = seen.clone();
        let progress = Arc::new(move |p: ExportProgress| {
            s2.lock().unwrap().push(p);
            if p.done > 0 {
                c2.cancel();
            }
        });
        let e = console
            .authorizers_export_async(&rt, req.clone(), progress, cancel)
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Cancelled), "{e}");
        assert_eq!(e.code(), ErrorCode::Cancelled);
        assert!(files(out.path()).is_empty(), "{:?}", files(out.path()));
        assert_eq!(seen.lock().unwrap().last().unwrap().total, 9_000);

        // The same export, not cancelled: progress climbs to the total, the file appears.
        let last = Arc::new(AtomicU64::new(0));
        let l2 = last.clone();
        let o = console
            .authorizers_export_async(
                &rt,
                req,
                Arc::new(move |p: ExportProgress| {
                    assert!(p.done >= l2.swap(p.done, Ordering::SeqCst));
                }),
                CancelToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(o.rows, 9_000);
        assert_eq!(last.load(Ordering::SeqCst), 9_000);
        assert_eq!(o.columns, ExportColumn::DEFAULT);
        assert_eq!(files(out.path()), [format!("cancelled.{format}")]);
        std::fs::remove_file(&path).unwrap();
    }
    drop(dir);
}

#[tokio::test]
async fn an_export_replaces_the_target_only_when_complete() {
    let (_dir, console, rt) = console_with(100).await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("list.csv");
    std::fs::write(&path, "the previous export\n").unwrap();
    let req = ExportRequest {
        query: AuthorizerQuery::default(),
        columns: vec![ExportColumn::Appid],
        format: ExportFormat::Csv,
        path: path.display().to_string(),
    };
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = console
        .authorizers_export(&rt, &req, &|_| {}, &cancel)
        .unwrap_err();
    assert!(matches!(e, CoreError::Cancelled));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "the previous export\n"
    );
    let o = console
        .authorizers_export(&rt, &req, &|_| {}, &CancelToken::new())
        .unwrap();
    assert_eq!(o.rows, 100);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}appid\r\n"));
    assert_eq!(text.lines().count(), 101);
    assert_eq!(files(out.path()), ["list.csv"]);
}
