//! Timing of an export of 1,000,000 cached accounts, CSV and XLSX (ignored by default, and
//! skipped unless `BENCH_LARGE=1`: seeding a million rows takes a while; `BENCH_LARGE=1 make
//! bench`). Prints `BENCH|<metric>|<value>|<aim>` rows for `make bench`; a missed aim is
//! reported, not failed.

mod store_support;

use std::sync::Arc;

use store_support::*;
use wxopen_core::secrets::MemoryStore;
use wxopen_core::service::export::{ExportColumn, ExportFormat, ExportRequest};
use wxopen_core::service::{CancelToken, Console};
use wxopen_core::store::{AuthorizerQuery, Store};

const N: u32 = 1_000_000;

#[tokio::test]
#[ignore]
async fn export_1m_csv_and_xlsx() {
    if std::env::var("BENCH_LARGE").as_deref() != Ok("1") {
        println!("export of 1,000,000 rows: skipped (BENCH_LARGE=1 runs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let p = profile(&store, "bench");
    let t = std::time::Instant::now();
    // In slices, so that the seed itself never holds a million records.
    for start in (0..N).step_by(50_000) {
        let end = (start + 50_000).min(N);
        store
            .upsert_listed_authorizers(p.id, None, &listed(start..end, true))
            .unwrap();
        let infos: Vec<_> = (start..end).map(|i| (appid(i), info(i))).collect();
        store.save_authorizer_infos(p.id, None, &infos).unwrap();
    }
    println!("seeded {N} accounts in {:.1} s", t.elapsed().as_secs_f64());
    let console = Console::new(store, Arc::new(MemoryStore::new()));
    let rt = console.profile(Some("bench")).await.unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let path = dir.path().join(format!("all.{format}"));
        let req = ExportRequest {
            query: AuthorizerQuery::default(),
            columns: ExportColumn::DEFAULT.to_vec(),
            format,
            path: path.display().to_string(),
        };
        let t = std::time::Instant::now();
        let o = console
            .authorizers_export(&rt, &req, &|_| {}, &CancelToken::new())
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(o.rows, u64::from(N));
        println!(
            "export of {N} rows as {format}: {secs:.2} s, {} MB",
            o.bytes / 1_000_000
        );
        println!("BENCH|export 1,000,000 rows {format} (s)|{secs:.1}|< 30");
        std::fs::remove_file(&path).unwrap();
    }
}
