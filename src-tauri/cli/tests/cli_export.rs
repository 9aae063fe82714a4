//! `wxopen authorizers export`: the real binary writes CSV and XLSX files of the filtered
//! table from a real SQLite file; the tests open the files and check them against
//! `authorizers list` (same filters, same order).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;
use wxopen_core::store::authorizers::{AuthorizerInfoRecord, ListedAuthorizer};
use wxopen_core::store::{Kind, NewProfile, OptionApi, Permission, Store, TokenSourceKind};

/// A nickname with a comma, quotes and a line break.
const TRICKY: &str = "Shop, \"Best\"\nsecond line";
/// A nickname a spreadsheet would run as a formula.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    /// A data dir with one selected profile and `n` accounts (details for all).
    fn seeded(n: usize) -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let p = store
            .profile_insert(&NewProfile {
                name: "main".into(),
                component_appid: "wx00000000000000aa".into(),
                // never called: an export reads the local cache only
                api_base: "http://127.0.0.1:9".into(),
                proxy: None,
                is_sandbox: false,
                token_source: TokenSourceKind::Local,
                option_api: OptionApi::Legacy,
                redirect_uri: None,
                shared_source: None,
            })
            .unwrap();
        store.select_profile(Some(p.id)).unwrap();
        let listed: Vec<ListedAuthorizer> = (0..n)
            .map(|i| ListedAuthorizer {
                appid: appid(i),
                refresh_token: (!i.is_multiple_of(5)).then(|| format!("refresh@{i}")),
                auth_time: Some(1_700_000_000 + i as i64),
            })
            .collect();
        store
            .upsert_listed_authorizers(p.id, None, &listed)
            .unwrap();
        let infos: Vec<(String, AuthorizerInfoRecord)> =
            (0..n).map(|i| (appid(i), info(i))).collect();
        store.save_authorizer_infos(p.id, None, &infos).unwrap();
        Cli { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wxopen"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("WXOPEN_KEYCHAIN_SERVICE", "wxopen-cli-export-test-unused")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> (Value, String) {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let o = self.run(&full);
        assert!(
            o.status.success(),
            "wxopen {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (
            serde_json::from_slice(&o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    }

    fn fails(&self, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let o = self.run(&full);
        assert!(!o.status.success(), "wxopen {args:?} should fail");
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn out(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The appids `authorizers list` shows for these filters, in its order.
    fn listed(&self, filters: &[&str]) -> Vec<String> {
        let mut args = vec!["authorizers", "list", "--limit", "1000"];
        args.extend_from_slice(filters);
        let (page, _) = self.ok(&args);
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["appid"].as_str().unwrap().to_string())
            .collect()
    }
}

fn appid(i: usize) -> String {
    format!("wx{i:016x}")
}

fn info(i: usize) -> AuthorizerInfoRecord {
    let nick_name = match i {
        3 => TRICKY.to_string(),
        4 => FORMULA.to_string(),
        5 => "-1 day sale".to_string(),
        6 => "@home".to_string(),
        _ => format!("小店 {i:03}"),
    };
    AuthorizerInfoRecord {
        nick_name,
        kind: Some(if i.is_multiple_of(3) {
            Kind::MiniProgram
        } else {
            Kind::OfficialAccount
        }),
        service_type: Some(2),
        verify_type: Some(if i.is_multiple_of(2) { 0 } else { -1 }),
        user_name: format!("gh_{i:012x}"),
        principal_name: format!("深圳某某科技有限公司 {i}"),
        raw_info: "{}".into(),
        func_info: vec![1, 15, 17 + i as i64 % 3]
            .into_iter()
            .map(|funcscope_id| Permission {
                funcscope_id,
                need_confirm: None,
                already_confirm: None,
                can_confirm: None,
            })
            .collect(),
        fetched_at: 1_760_000_000,
        ..Default::default()
    }
}

/// RFC 4180 records of a CSV text (quoted fields may hold commas, quotes, line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
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
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR without LF"),
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record has no CRLF"
    );
    records
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect()
}

#[test]
fn csv_export_is_the_filtered_table_with_bom_quoting_and_formula_guard() {
    let cli = Cli::seeded(1_500);
    let path = cli.out("all.csv");
    let (done, stderr) = cli.ok(&[
        "authorizers",
        "export",
        "--format",
        "csv",
        "--out",
        &path,
        "--columns",
        "appid,nick_name,kind,verify_type,func_ids,has_refresh_token,auth_time",
    ]);
    assert_eq!(done["rows"], 1_500);
    assert!(
        stderr.contains("export   1500/1500"),
        "progress on stderr: {stderr}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(done["bytes"], bytes.len() as u64);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let records = parse_csv(&text);
    assert_eq!(
        records[0],
        [
            "appid",
            "nick_name",
            "kind",
            "verify_type",
            "func_ids",
            "has_refresh_token",
            "auth_time"
        ]
    );
    assert_eq!(records.len(), 1 + 1_500);
    // The tricky nickname travels whole, quoted; formula-looking ones are defused.
    assert!(
        text.contains("\"Shop, \"\"Best\"\"\nsecond line\""),
        "{text:.300}"
    );
    let by_appid = |i: usize| {
        records
            .iter()
            .find(|r| r[0] == appid(i))
            .unwrap_or_else(|| panic!("{} exported", appid(i)))
            .clone()
    };
    assert_eq!(by_appid(3)[1], TRICKY);
    assert_eq!(by_appid(4)[1], format!("'{FORMULA}"));
    assert_eq!(by_appid(5)[1], "'-1 day sale");
    assert_eq!(by_appid(6)[1], "'@home");
    assert_eq!(by_appid(7)[1], "小店 007");
    // Numbers stay numbers (a negative verify_type is ours, not a formula).
    assert_eq!(
        by_appid(7)[2..],
        [
            "official_account",
            "-1",
            "1;15;18",
            "true",
            "2023-11-14 22:13:27 UTC"
        ]
    );
    assert_eq!(by_appid(10)[5], "false", "no refresh token");
    // Same rows, same order as the table.
    let exported: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported[..1000], cli.listed(&[])[..]);
    assert!(leftovers(cli.dir.path()).is_empty());
}

#[test]
fn csv_export_applies_the_list_filters() {
    let cli = Cli::seeded(300);
    let path = cli.out("mini.csv");
    let (done, _) = cli.ok(&[
        "authorizers",
        "export",
        "--format",
        "csv",
        "--out",
        &path,
        "--kind",
        "mini-program",
        "--query",
        "小店",
        "--columns",
        "appid",
    ]);
    let want = cli.listed(&["--kind", "mini-program", "--query", "小店"]);
    assert_eq!(done["rows"], want.len() as u64);
    let text = std::fs::read_to_string(&path).unwrap();
    let got: Vec<String> = parse_csv(text.trim_start_matches('\u{feff}'))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(got, want);
    assert!(!got.is_empty() && got.len() < 100);
}

#[test]
fn xlsx_export_opens_with_the_rows_and_cells() {
    let cli = Cli::seeded(1_200);
    let path = cli.out("all.xlsx");
    let (done, _) = cli.ok(&[
        "authorizers",
        "export",
        "--format",
        "xlsx",
        "--out",
        &path,
        "--sort",
        "appid",
        "--desc",
    ]);
    assert_eq!(done["rows"], 1_200);
    assert_eq!(done["format"], "xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["authorizers"]);
    let range = book.worksheet_range("authorizers").unwrap();
    assert_eq!(range.height(), 1 + 1_200);
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "appid",
            "nick_name",
            "principal_name",
            "kind",
            "verify_type",
            "status",
            "auth_time",
            "func_ids",
            "has_refresh_token"
        ]
    );
    let rows: Vec<&[Data]> = range.rows().skip(1).collect();
    // --sort appid --desc: the last account first.
    assert_eq!(rows[0][0], Data::String(appid(1_199)));
    let find = |i: usize| {
        *rows
            .iter()
            .find(|r| r[0] == Data::String(appid(i)))
            .unwrap()
    };
    // Strings are strings in XLSX: no formula runs, so nothing needs a guard.
    assert_eq!(find(3)[1], Data::String(TRICKY.into()));
    assert_eq!(find(4)[1], Data::String(FORMULA.into()));
    assert_eq!(find(9)[4], Data::Float(-1.0));
    assert_eq!(find(9)[3], Data::String("mini_program".into()));
    assert_eq!(find(9)[7], Data::String("1;15;17".into()));
    assert!(leftovers(cli.dir.path()).is_empty());
}

#[test]
fn export_refuses_bad_columns_and_missing_folders_and_writes_nothing() {
    let cli = Cli::seeded(20);
    let e = cli.fails(&[
        "authorizers",
        "export",
        "--format",
        "csv",
        "--out",
        &cli.out("x.csv"),
        "--columns",
        "appid,secret",
    ]);
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("\"secret\""), "{e}");
    let nowhere = cli.dir.path().join("no-such-dir").join("x.csv");
    let e = cli.fails(&[
        "authorizers",
        "export",
        "--format",
        "xlsx",
        "--out",
        &nowhere.display().to_string(),
    ]);
    assert_eq!(e["code"], "invalid_input");
    assert!(!cli.dir.path().join("x.csv").exists());
    assert!(leftovers(cli.dir.path()).is_empty());
}
