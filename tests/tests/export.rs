//! Export from the real window: the Authorizers table filtered by a search, exported as CSV and
//! as XLSX through the Export dialog; the files on disk are opened and checked against the
//! app's SQLite file (read-only) and the documented search rule. Run with `make e2e`.

use calamine::{open_workbook, Data, Reader, Xlsx};
use wxopen_e2e::flows::{db, start_sandbox, wait_first_sync};
use wxopen_e2e::Desktop;

/// (appid, nick_name, user_name, alias, principal_name) of every stored account.
fn stored(desktop: &Desktop) -> Vec<[String; 5]> {
    let conn = db(desktop);
    let mut s = conn
        .prepare("SELECT appid, nick_name, user_name, alias, principal_name FROM authorizers")
        .unwrap();
    s.query_map([], |r| {
        Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// A query matching more than one page of the table (50 rows) but not everything, and the
/// appids it matches (case-insensitive substring of the searched fields), sorted.
fn pick_query(rows: &[[String; 5]]) -> (String, Vec<String>) {
    let matches = |q: &str| -> Vec<String> {
        let q = q.to_lowercase();
        let mut hits: Vec<String> = rows
            .iter()
            .filter(|r| r.iter().any(|f| f.to_lowercase().contains(&q)))
            .map(|r| r[0].clone())
            .collect();
        hits.sort();
        hits
    };
    for r in rows {
        let q: String = r[1].chars().take(2).collect();
        let hits = matches(&q);
        if hits.len() > 60 && hits.len() < rows.len() / 2 {
            return (q, hits);
        }
    }
    panic!("no nickname prefix matches between 60 and half of the accounts");
}

/// Opens the dialog, picks the format, types the path and exports; waits for the result toast.
async fn export(desktop: &Desktop, format: &str, path: &std::path::Path, step: &str) {
    desktop.click("export-button").await;
    desktop.wait_exists("export-dialog").await;
    desktop.click(&format!("export-format-{format}")).await;
    desktop
        .fill("export-path", &path.display().to_string())
        .await;
    desktop.screenshot(step).await;
    desktop.click("export-start").await;
    desktop
        .wait_until(&format!("the {format} export's result toast"), || async {
            desktop.attr("export-done", "data-path").await.as_deref()
                == Some(&path.display().to_string()[..])
        })
        .await;
}

/// CSV records (RFC 4180: quoted fields may hold commas, quotes and line breaks).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field, mut quoted) = (vec![], vec![], String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'));
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn csv_and_xlsx_export_of_a_filtered_table() {
    let (desktop, _sim) = start_sandbox("export").await;
    wait_first_sync(&desktop).await;
    let (query, want) = pick_query(&stored(&desktop));
    desktop.fill("authorizers-search", &query).await;
    desktop
        .wait_until("the filtered total", || async {
            desktop
                .attr("authorizers-total", "data-total")
                .await
                .as_deref()
                == Some(&want.len().to_string()[..])
        })
        .await;
    let out = desktop.data_dir().parent().unwrap().join("exports");
    std::fs::create_dir_all(&out).unwrap();

    // CSV: BOM, header, every match (not only the page on screen), nothing else.
    let csv = out.join("filtered.csv");
    export(&desktop, "csv", &csv, "csv-dialog").await;
    let bytes = std::fs::read(&csv).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let records = csv_records(std::str::from_utf8(&bytes[3..]).unwrap());
    assert_eq!(records[0][..2], ["appid", "nick_name"]);
    let mut got: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
    got.sort();
    assert_eq!(got, want, "the CSV holds exactly the matches of {query:?}");
    desktop.screenshot("csv-done").await;

    // XLSX of the same filter, opened as a workbook.
    let xlsx = out.join("filtered.xlsx");
    export(&desktop, "xlsx", &xlsx, "xlsx-dialog").await;
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("authorizers").unwrap();
    assert_eq!(range.height(), want.len() + 1);
    let header = range.rows().next().unwrap();
    assert_eq!(header[0], Data::String("appid".into()));
    let mut got: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    got.sort();
    assert_eq!(got, want, "the XLSX holds exactly the matches of {query:?}");
    desktop.screenshot("xlsx-done").await;
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "no temp files left: {left:?}");
    desktop.close().await;
}
