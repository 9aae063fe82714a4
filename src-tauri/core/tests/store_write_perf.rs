//! CPU of the store writes of a 10,000-account sync (run with `--ignored --nocapture`, in
//! release; `make bench` does): the 20 list pages of `record_list_page` (appids in random order,
//! as WeChat lists them), then the details in row order and in batches, as the sync saves them
//! (`write_batch_for`), each account with a 700-byte raw answer, a dozen permissions and the
//! refresh token the list already stored. A sync's client CPU (`service_bench`) is this plus
//! HTTP and JSON: this says how much of it is SQLite's.

mod store_support;

use store_support::*;
use wxopen_core::service::sync::write_batch_for;
use wxopen_core::store::Permission;

fn thread_cpu_secs() -> f64 {
    // utime + stime of this thread, in clock ticks (100 Hz on Linux).
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

#[test]
#[ignore = "slow: writes 10,000 accounts; run with --ignored --nocapture (release)"]
fn store_writes_of_a_10k_details_sync() {
    let n = 10_000u32;
    let (_dir, store) = temp_store();
    let p = profile(&store, "writes");
    let run = store.sync_run_start(p.id, true).unwrap();
    let cpu0 = thread_cpu_secs();
    // Appids in random order, as WeChat lists them (the list is not sorted by appid).
    let shuffled = |i: u32| format!("wx{:016x}", mix(u64::from(i)));
    for page in 0..n / 500 {
        let mut items = listed(page * 500..(page + 1) * 500, false);
        for (k, item) in items.iter_mut().enumerate() {
            item.appid = shuffled(page * 500 + k as u32);
        }
        store
            .record_list_page(
                p.id,
                run.id,
                &items,
                i64::from(n),
                i64::from((page + 1) * 500),
            )
            .unwrap();
    }
    let list_cpu = thread_cpu_secs() - cpu0;
    let infos: Vec<_> = (0..n)
        .map(|i| {
            let mut rec = info(i);
            rec.refresh_token = Some(format!("refreshtoken@@@{i:08}"));
            rec.func_info = [1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 22, 23, 24]
                .into_iter()
                .map(|id| Permission {
                    funcscope_id: id,
                    need_confirm: (id == 23).then_some(1),
                    already_confirm: (id == 23).then_some(0),
                    can_confirm: (id == 23).then_some(1),
                })
                .collect();
            (shuffled(i), rec)
        })
        .collect();
    let cpu1 = thread_cpu_secs();
    for batch in infos.chunks(write_batch_for(n as usize)) {
        store
            .save_authorizer_infos(p.id, Some(run.id), batch)
            .unwrap();
    }
    let details_cpu = thread_cpu_secs() - cpu1;
    println!(
        "store writes of 10,000 accounts: list pages {list_cpu:.2} s, details {details_cpu:.2} s"
    );
    println!("BENCH|store writes, 10,000 listed (CPU s)|{list_cpu:.2}|(part of client CPU)");
    println!("BENCH|store writes, 10,000 details (CPU s)|{details_cpu:.2}|(part of client CPU)");
    // Not a timing: a statement re-prepared per account would show up here whatever the speed.
    let reprepares = store.statement_reprepares();
    assert!(
        reprepares < 20,
        "{reprepares} re-prepares for 10,000 accounts"
    );
    let counts = store.authorizer_counts(p.id).unwrap();
    assert_eq!(counts.total, u64::from(n));
    assert_eq!(counts.without_details, 0);
    assert_eq!(
        store.permissions_list(p.id, &shuffled(7)).unwrap().len(),
        13
    );
}
