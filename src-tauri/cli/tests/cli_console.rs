//! Every console command of the `wxopen` binary, run as a process against an in-process
//! simulator, with a real SQLite file in a tempdir and the real keychain (under a test-only
//! service name). Also checks that no output and no file holds the appsecret or the
//! EncodingAESKey.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use wxopen_sandbox::{AuthorizeRequest, Kind, Sandbox, SandboxConfig};
use wxopen_wechat::crypto::MsgCrypto;

struct Cli {
    dir: tempfile::TempDir,
    service: String,
    outputs: std::sync::Mutex<Vec<String>>,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            service: format!(
                "wxopen-cli-test-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
            outputs: Default::default(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wxopen"));
        c.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("WXOPEN_KEYCHAIN_SERVICE", &self.service)
            .env_remove("WXOPEN_APPSECRET")
            .env_remove("WXOPEN_TOKEN")
            .env_remove("WXOPEN_AES_KEY")
            .stdin(Stdio::null());
        c
    }

    fn record(&self, o: &Output) {
        self.outputs.lock().unwrap().push(format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }

    fn run_with(&self, mut c: Command, stdin: Option<&str>) -> Output {
        let o = match stdin {
            None => c.output().unwrap(),
            Some(input) => {
                let mut child = c
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
                child.wait_with_output().unwrap()
            }
        };
        self.record(&o);
        o
    }

    /// Runs `--json ARGS`, expects success, returns the document.
    fn ok(&self, args: &[&str]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let o = self.run_with(self.cmd(&full), None);
        assert!(
            o.status.success(),
            "wxopen {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "wxopen {args:?}: not one JSON document ({e}): {}",
                String::from_utf8_lossy(&o.stdout)
            )
        })
    }

    /// Runs ARGS in text mode, expects success, returns stdout.
    fn text(&self, args: &[&str]) -> String {
        let o = self.run_with(self.cmd(args), None);
        assert!(
            o.status.success(),
            "wxopen {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> (Value, String) {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let o = self.run_with(self.cmd(&full), None);
        assert!(!o.status.success(), "wxopen {args:?} should fail");
        (
            serde_json::from_slice(&o.stdout).expect("error document"),
            String::from_utf8(o.stderr).unwrap(),
        )
    }
}

fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn file_contains(path: &Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_console_command_against_the_simulator() {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 1200,
        ..Default::default()
    })
    .await
    .unwrap();
    let control = sandbox.control();
    let creds = sandbox.credentials().clone();
    let base = sandbox.base_url();
    let cli = std::sync::Arc::new(Cli::new());
    let c = cli.clone();
    let creds2 = creds.clone();
    let ticket = control.issue_ticket();
    let ctl = control.clone();
    let secrets_scan = blocking(move || {
        let cli = c;
        let creds = creds2;
        // profile add: secrets from the environment only.
        let mut add = cli.cmd(&["--json", "profile", "add", "--name", "main", "--appid", &creds.component_appid, "--api-base", &base]);
        add.env("WXOPEN_APPSECRET", &creds.appsecret)
            .env("WXOPEN_TOKEN", &creds.token)
            .env("WXOPEN_AES_KEY", &creds.encoding_aes_key);
        let o = cli.run_with(add, None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["name"], "main");
        assert_eq!(v["selected"], true);
        assert_eq!(v["secrets"]["appsecret"]["set"], true);
        // A bad AES key is refused with a clear message, never echoed.
        let mut bad = cli.cmd(&["profile", "add", "--name", "bad", "--appid", "wx1111111111111111"]);
        bad.env("WXOPEN_APPSECRET", "x").env("WXOPEN_TOKEN", "y").env("WXOPEN_AES_KEY", "tooshort");
        let o = cli.run_with(bad, None);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("43 characters"));
        let list = cli.ok(&["profile", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 1);
        cli.ok(&["profile", "use", "main"]);
        // Ticket: from stdin.
        let o = cli.run_with(cli.cmd(&["--json", "ticket", "set", "-"]), Some(&format!("{ticket}\n")));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let t = cli.ok(&["ticket", "show"]);
        assert_eq!(t["valid"], true);
        cli.ok(&["ticket", "request-push"]);
        // Tokens.
        let t = cli.ok(&["token", "refresh"]);
        assert_eq!(t["cached"], true);
        let t = cli.ok(&["--profile", "main", "token", "show"]);
        assert!(t["expires_in"].as_i64().unwrap() > 7000);
        // Sync with details; progress on stderr.
        let o = cli.run_with(cli.cmd(&["--json", "authorizers", "sync", "--details", "--concurrency", "4"]), None);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("details"));
        let s: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(s["run"]["state"], "done");
        assert_eq!(s["run"]["details_done"], 1200);
        let page = cli.ok(&["authorizers", "list", "--kind", "mini-program", "--status", "authorized", "--limit", "5"]);
        assert_eq!(page["rows"].as_array().unwrap().len(), 5);
        let first = page["rows"][0]["nick_name"].as_str().unwrap().to_string();
        let q: String = first.chars().take(2).collect();
        let found = cli.ok(&["authorizers", "list", "--query", &q]);
        assert!(found["total"].as_u64().unwrap() >= 1);
        assert!(cli.text(&["authorizers", "list", "--limit", "2", "--offset", "3"]).contains("of 1200"));
        // An account with a refresh token.
        let all = cli.ok(&["authorizers", "list", "--limit", "200"]);
        let appid = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["has_refresh_token"] == true)
            .expect("an account with a refresh token")["appid"]
            .as_str()
            .unwrap()
            .to_string();
        let show = cli.ok(&["authorizer", "show", &appid]);
        assert_eq!(show["authorizer"]["appid"], appid.as_str());
        let r = cli.ok(&["authorizer", "refresh-token", &appid]);
        assert!(r["access_expires_at"].as_i64().is_some());
        // Options.
        let o = cli.ok(&["option", "set", &appid, "location_report", "2"]);
        assert_eq!(o["value"], "2");
        assert_eq!(ctl.authorizer_option(&appid, "location_report").as_deref(), Some("2"));
        assert_eq!(cli.ok(&["option", "get", &appid, "location_report"])["value"], "2");
        // Link → authorize → complete.
        let link = cli.ok(&["link", "create", "--redirect-uri", "https://auth.example.com/cb", "--auth-type", "1"]);
        let mobile = link["mobile_link"].as_str().unwrap().to_string();
        assert!(link.get("mobile_qr_svg").is_none());
        assert!(cli.text(&["link", "create", "--redirect-uri", "https://auth.example.com/cb", "--qr"]).contains('█'));
        let q = mobile.split('?').nth(1).unwrap().split('#').next().unwrap().to_string();
        let pre = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "pre_auth_code")
            .unwrap()
            .1
            .into_owned();
        let outcome = ctl
            .authorize(AuthorizeRequest {
                pre_auth_code: pre,
                redirect_uri: Some("https://auth.example.com/cb".into()),
                kind: Some(Kind::OfficialAccount),
                auth_type: Some(1),
                ..Default::default()
            })
            .unwrap();
        let done = cli.ok(&["auth", "complete", outcome.redirect_url.as_deref().unwrap()]);
        let new_appid = outcome.authorizer_appid.clone();
        assert_eq!(done["authorizer"]["appid"], new_appid.as_str());
        assert_eq!(done["authorizer"]["status"], "authorized");
        // Open platform.
        assert!(cli.ok(&["open", "get", &new_appid])["open_appid"].is_null());
        let created = cli.ok(&["open", "create", &new_appid]);
        let open_appid = created["open_appid"].as_str().unwrap().to_string();
        let (err, stderr) = cli.fails(&["open", "unbind", &new_appid, &open_appid]);
        assert_eq!(err["code"], "refused");
        assert!(stderr.contains("--yes"));
        cli.ok(&["open", "unbind", &new_appid, &open_appid, "--yes"]);
        cli.ok(&["open", "bind", &new_appid, &open_appid]);
        let (err, stderr) = cli.fails(&["open", "bind", &new_appid, &open_appid]);
        assert_eq!(err["errcode"], 89000);
        assert!(err["explanation"]["zh"].is_string());
        assert!(stderr.contains("中文") && stderr.contains("en "));
        // Pushes from a file and from stdin.
        let crypto = MsgCrypto::new(&creds.token, &creds.encoding_aes_key, &creds.component_appid).unwrap();
        let fresh = ctl.issue_ticket();
        let sent = unix_now().to_string();
        let xml = format!("<xml><AppId>{}</AppId><CreateTime>{sent}</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>{fresh}</ComponentVerifyTicket></xml>", creds.component_appid);
        let sealed = crypto.seal_push(&xml, &sent, "n0nce");
        let body_file = cli.dir.path().join("push.xml");
        std::fs::write(&body_file, &sealed.body).unwrap();
        let pushargs = ["--timestamp", sealed.timestamp.as_str(), "--nonce", sealed.nonce.as_str(), "--msg-signature", sealed.msg_signature.as_str()];
        let mut args = vec!["push", "decrypt"];
        args.extend_from_slice(&pushargs);
        args.push(body_file.to_str().unwrap());
        let ev = cli.ok(&args);
        assert_eq!(ev["kind"], "verify_ticket");
        assert_ne!(ev["ticket"], fresh.as_str(), "the ticket is redacted in output");
        // The callback URL as pasted does as well as the three parameters; half of them do not.
        let url = format!("https://platform.example/wechat/auth-event?timestamp={}&nonce={}&msg_signature={}&encrypt_type=aes", sealed.timestamp, sealed.nonce, sealed.msg_signature);
        let ev = cli.ok(&["push", "decrypt", "--url", url.as_str(), body_file.to_str().unwrap()]);
        assert_eq!(ev["kind"], "verify_ticket");
        let (err, _) = cli.fails(&["push", "decrypt", "--timestamp", sealed.timestamp.as_str(), body_file.to_str().unwrap()]);
        assert_eq!(err["code"], "push");
        assert!(err["message"].as_str().unwrap().contains("callback URL"), "{err}");
        let mut args = vec!["--json", "push", "apply"];
        args.extend_from_slice(&pushargs);
        args.push("-");
        let o = cli.run_with(cli.cmd(&args), Some(&sealed.body));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let a: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(a["status"], "applied");
        assert_eq!(cli.ok(&["ticket", "show"])["source"], "push");
        // Quota.
        let q = cli.ok(&["quota", "clear"]);
        assert_eq!(q["resets_left"], 9);
        // errcode still works next to the console commands.
        assert!(cli.text(&["errcode", "61023"]).contains("61023"));
        // Remove the profile: its keychain entries go too.
        cli.ok(&["profile", "remove", "main"]);
        let (err, _) = cli.fails(&["token", "show"]);
        assert_eq!(err["code"], "not_found");
        cli
    })
    .await
    .unwrap();
    // Nothing printed and nothing stored holds a secret.
    for out in secrets_scan.outputs.lock().unwrap().iter() {
        assert!(!out.contains(&creds.appsecret), "appsecret printed: {out}");
        assert!(
            !out.contains(&creds.encoding_aes_key),
            "AES key printed: {out}"
        );
    }
    for entry in std::fs::read_dir(secrets_scan.dir.path()).unwrap() {
        let p = entry.unwrap().path();
        assert!(
            !file_contains(&p, &creds.appsecret),
            "appsecret in {}",
            p.display()
        );
        assert!(
            !file_contains(&p, &creds.encoding_aes_key),
            "AES key in {}",
            p.display()
        );
    }
    sandbox.shutdown().await;
}

#[test]
fn sandbox_profile_starts_its_simulator_on_demand() {
    let cli = Cli::new();
    let v = cli.ok(&["profile", "add", "--sandbox"]);
    assert_eq!(v["is_sandbox"], true);
    assert_eq!(v["secrets"]["encoding_aes_key"]["set"], true);
    let t = cli.ok(&["--profile", "sandbox", "token", "refresh"]);
    assert_eq!(t["cached"], true);
    let s = cli.ok(&["authorizers", "sync"]);
    assert_eq!(s["run"]["state"], "done");
    assert_eq!(
        cli.ok(&["authorizers", "list", "--limit", "1"])["total"],
        2000
    );
    let base_of = |list: &serde_json::Value| list[0]["api_base"].as_str().unwrap().to_string();
    let first_base = base_of(&cli.ok(&["profile", "list"]));
    // Every run starts a new simulator (new tickets and tokens): the old simulator's token is
    // dropped rather than used. It listens on the same port when that is free, so the cached
    // avatar/QR URLs (which point at it) keep working.
    let t = cli.ok(&["token", "show"]);
    assert_eq!(t["cached"], false);
    assert_eq!(cli.ok(&["token", "refresh"])["cached"], true);
    assert_eq!(base_of(&cli.ok(&["profile", "list"])), first_base);
    cli.ok(&["profile", "remove", "sandbox"]);
}

const APPID: &str = "wx0123456789abcdef";
const TOKEN: &str = "push-safety-token";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// A profile whose pushes the test can seal (no simulator needed: nothing here calls WeChat).
fn push_profile() -> (Cli, MsgCrypto) {
    let cli = Cli::new();
    let mut add = cli.cmd(&[
        "--json",
        "profile",
        "add",
        "--name",
        "p",
        "--appid",
        APPID,
        "--api-base",
        "http://127.0.0.1:9",
    ]);
    add.env("WXOPEN_APPSECRET", "s3cret")
        .env("WXOPEN_TOKEN", TOKEN)
        .env("WXOPEN_AES_KEY", AES_KEY);
    let o = cli.run_with(add, None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (cli, MsgCrypto::new(TOKEN, AES_KEY, APPID).unwrap())
}

fn ticket_xml(appid: &str, create_time: i64, ticket: &str) -> String {
    format!("<xml><AppId><![CDATA[{appid}]]></AppId><CreateTime>{create_time}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>")
}

/// `push apply BODY` with the body on stdin and the signed callback URL.
fn apply(cli: &Cli, body: &str, url: &str) -> Output {
    cli.run_with(
        cli.cmd(&["--json", "push", "apply", "--url", url, "-"]),
        Some(body),
    )
}

fn sealed_url(p: &wxopen_wechat::crypto::SealedPush) -> String {
    format!(
        "https://platform.example/event?timestamp={}&nonce={}&msg_signature={}&encrypt_type=aes",
        p.timestamp, p.nonce, p.msg_signature
    )
}

fn refused(o: &Output) -> Value {
    assert!(
        !o.status.success(),
        "should be refused: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    serde_json::from_slice(&o.stdout).expect("error document")
}

#[test]
fn push_apply_refuses_plain_foreign_and_stale_pushes() {
    let (cli, crypto) = push_profile();
    let now = unix_now();
    // A forged plain-text ticket push, even with a valid URL `signature` (it covers only the
    // timestamp and nonce), is not applied; `push decrypt` still shows it for inspection.
    let plain = ticket_xml(APPID, now, "FORGED_TICKET_1");
    let ts = now.to_string();
    let url = format!("https://platform.example/event?timestamp={ts}&nonce=n1&signature={}&msg_signature=whatever", crypto.url_signature(&ts, "n1"));
    let err = refused(&apply(&cli, &plain, &url));
    assert_eq!(err["code"], "push");
    assert!(
        err["message"].as_str().unwrap().contains("not encrypted"),
        "{err}"
    );
    assert!(
        err["hint"].as_str().unwrap().contains("push decrypt"),
        "{err}"
    );
    let o = cli.run_with(
        cli.cmd(&["--json", "push", "decrypt", "--url", &url, "-"]),
        Some(&plain),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(cli.ok(&["ticket", "show"])["present"], false);

    // Sealed with this platform's key but naming another platform inside.
    let other = crypto.seal_push(
        &ticket_xml("wx9999999999999999", now, "FOREIGN_TICKET"),
        &ts,
        "n2",
    );
    let err = refused(&apply(&cli, &other.body, &sealed_url(&other)));
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("wx9999999999999999"),
        "{err}"
    );
    // ... or addressed to another platform on the envelope.
    let envelope = crypto.seal_push(&ticket_xml(APPID, now, "T"), &ts, "n3");
    let body = envelope.body.replace(APPID, "wx9999999999999999");
    let err = refused(&apply(&cli, &body, &sealed_url(&envelope)));
    assert!(
        err["message"].as_str().unwrap().contains("envelope"),
        "{err}"
    );
    assert_eq!(cli.ok(&["ticket", "show"])["present"], false);

    // A replayed push from 13 hours ago is refused, saying how old it is.
    let old = now - 13 * 3600;
    let stale = crypto.seal_push(
        &ticket_xml(APPID, old, "STALE_TICKET"),
        &old.to_string(),
        "n4",
    );
    let err = refused(&apply(&cli, &stale.body, &sealed_url(&stale)));
    assert_eq!(err["code"], "push");
    assert!(err["message"].as_str().unwrap().contains("13 h"), "{err}");
    assert!(
        err["hint"].as_str().unwrap().contains("request-push"),
        "{err}"
    );
    assert_eq!(cli.ok(&["ticket", "show"])["present"], false);

    // Three hours old is applied, and the ticket's age is counted from when WeChat sent it.
    let earlier = now - 3 * 3600;
    let late = crypto.seal_push(
        &ticket_xml(APPID, earlier, "LATE_TICKET"),
        &earlier.to_string(),
        "n5",
    );
    let o = apply(&cli, &late.body, &sealed_url(&late));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["status"], "applied");
    assert_eq!(a["created_at"], earlier);
    assert!(a["age_secs"].as_i64().unwrap() >= 3 * 3600, "{a}");
    let t = cli.ok(&["ticket", "show"]);
    assert_eq!(t["received_at"], earlier);
    assert_eq!(t["source"], "push");
    // In text mode too.
    let again = crypto.seal_push(
        &ticket_xml(APPID, earlier, "LATE_TICKET_2"),
        &earlier.to_string(),
        "n8",
    );
    let o = cli.run_with(
        cli.cmd(&["push", "apply", "--url", &sealed_url(&again), "-"]),
        Some(&again.body),
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("sent 3 h 0 min ago"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // One stamped in the future counts as received now, not later.
    let ahead = now + 3600;
    let future = crypto.seal_push(
        &ticket_xml(APPID, ahead, "FUTURE_TICKET"),
        &ahead.to_string(),
        "n6",
    );
    let o = apply(&cli, &future.body, &sealed_url(&future));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(cli.ok(&["ticket", "show"])["received_at"].as_i64().unwrap() <= unix_now());
}

#[test]
fn codes_in_unknown_pushes_are_redacted_whatever_their_case() {
    let (cli, crypto) = push_profile();
    let now = unix_now();
    let xml = format!("<xml><AppId>{APPID}</AppId><CreateTime>{now}</CreateTime><InfoType>notify_third_fasteregister</InfoType><AuthCode>SECRETCODE_A</AuthCode><info><AuthorizationCode>SECRETCODE_B</AuthorizationCode><name>shop</name></info></xml>");
    let sealed = crypto.seal_push(&xml, &now.to_string(), "n7");
    let o = apply(&cli, &sealed.body, &sealed_url(&sealed));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["status"], "ignored");
    // Recorded (messages.decoded) without the codes: not in any file of the data dir.
    for entry in std::fs::read_dir(cli.dir.path()).unwrap() {
        let p = entry.unwrap().path();
        for code in ["SECRETCODE_A", "SECRETCODE_B"] {
            assert!(!file_contains(&p, code), "{code} stored in {}", p.display());
        }
    }
    let o = cli.run_with(
        cli.cmd(&[
            "--json",
            "push",
            "decrypt",
            "--url",
            &sealed_url(&sealed),
            "-",
        ]),
        Some(&sealed.body),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("SECRETCODE"));
}

#[test]
fn a_cleartext_api_base_is_refused_unless_loopback() {
    let cli = Cli::new();
    let mut add = cli.cmd(&[
        "--json",
        "profile",
        "add",
        "--name",
        "p",
        "--appid",
        APPID,
        "--api-base",
        "http://api.weixin.qq.com",
    ]);
    add.env("WXOPEN_APPSECRET", "s3cret")
        .env("WXOPEN_TOKEN", TOKEN)
        .env("WXOPEN_AES_KEY", AES_KEY);
    let o = cli.run_with(add, None);
    let err = refused(&o);
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"].as_str().unwrap().contains("in clear"),
        "{err}"
    );
    assert!(cli.ok(&["profile", "list"]).as_array().unwrap().is_empty());
    let (_cli, _) = push_profile(); // http://127.0.0.1 is accepted
}
