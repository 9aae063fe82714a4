//! A proxy URL's password (`http://user:pass@host:port`) lives in the keychain: not in the SQLite
//! file, not in `profile list --json`; and it is still sent to the proxy (Proxy-Authorization).
//! Runs the real `wxopen` binary with a real SQLite file and the real keychain (under a test-only
//! service name); the proxy is a loopback listener that records what it receives.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{channel, Receiver};

const APPID: &str = "wx0123456789abcdef";
const PASSWORD: &str = "p4ss";

fn wxopen(dir: &Path, service: &str, args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("WXOPEN_KEYCHAIN_SERVICE", service)
        .env("WXOPEN_APPSECRET", "appsecret-0123456789")
        .env("WXOPEN_TOKEN", "msgtoken")
        .env("WXOPEN_AES_KEY", "k".repeat(43))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!all.contains(PASSWORD), "wxopen {args:?} printed it: {all}");
    o
}

fn ok(dir: &Path, service: &str, args: &[&str]) -> String {
    let o = wxopen(dir, service, args);
    assert!(
        o.status.success(),
        "wxopen {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// A proxy that records each request head and answers 502.
fn recording_proxy() -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            // Recorded before answering: once the client has its answer, the head is here.
            let _ = tx.send(head);
            let _ = stream.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, rx)
}

fn files_contain(dir: &Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            std::fs::read(e.path())
                .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn proxy_password_goes_to_the_keychain_and_still_reaches_the_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("wxopen-cli-proxy-test-{}", std::process::id());
    let (port, heads) = recording_proxy();
    let proxy = format!("http://u:{PASSWORD}@127.0.0.1:{port}/");
    ok(
        dir.path(),
        &service,
        &[
            "profile",
            "add",
            "--name",
            "p",
            "--appid",
            APPID,
            "--api-base",
            "http://127.0.0.1:9",
            "--proxy",
            &proxy,
        ],
    );

    let files = files_contain(dir.path(), PASSWORD);
    assert!(files.is_empty(), "the password is in {files:?}");

    let list: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &service, &["--json", "profile", "list"])).unwrap();
    assert_eq!(
        list[0]["proxy"],
        format!("http://u:••••@127.0.0.1:{port}/"),
        "{list}"
    );

    // A call to WeChat goes through the proxy with the password put back.
    // (The ticket comes on stdin: `ticket set` refuses it in argv.)
    let mut set = Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["ticket", "set"])
        .env("WXOPEN_KEYCHAIN_SERVICE", &service)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    set.stdin
        .take()
        .unwrap()
        .write_all(b"ticket@@@proxytest\n")
        .unwrap();
    assert!(set.wait().unwrap().success());
    let o = wxopen(dir.path(), &service, &["--json", "token", "refresh"]);
    assert!(!o.status.success(), "the recording proxy answers 502");
    let head = heads.try_recv().expect("a request reached the proxy");
    // base64("u:p4ss")
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic dtpwnhnz"),
        "{head}"
    );

    ok(dir.path(), &service, &["profile", "remove", "p"]);
}
