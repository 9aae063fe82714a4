//! Team mode's secret scan: the Redis password and every token borrowed or refreshed in the
//! shared store never reach the SQLite file or its WAL, the log (everything the core traces, at
//! every level, written to a file as the app's log is), the answers that cross IPC (`--json`), or
//! the error messages of the faults — while a shared console does all it does: sync, an
//! authorizer call, *Test*, the token status, a refresh written back, a rejection, a bad password.

mod redis_support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use redis_support::*;
use wxopen_core::service::profiles::SharedInput;
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, ConsoleOptions};
use wxopen_sandbox::{Sandbox, SandboxConfig};

const PASSWORD: &str = "Redis-Pw-never-shown-8123";

/// Every tracing event and span field the core emits, at every level, appended to a file.
struct FileLog {
    file: Mutex<std::fs::File>,
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }
}

impl FileLog {
    fn write(&self, line: String) {
        let _ = writeln!(self.file.lock().unwrap(), "{line}");
    }
}

impl tracing::Subscriber for FileLog {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut f = Fields(format!("span {}", span.metadata().name()));
        span.record(&mut f);
        self.write(f.0);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut f = Fields("record".into());
        values.record(&mut f);
        self.write(f.0);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let m = event.metadata();
        let mut f = Fields(format!("{} {}", m.level(), m.target()));
        event.record(&mut f);
        self.write(f.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_redis_password_or_borrowed_token_in_sqlite_logs_answers_or_errors() {
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("wxopen.log");
    tracing::subscriber::set_global_default(FileLog {
        file: Mutex::new(std::fs::File::create(&log_path).unwrap()),
    })
    .unwrap();

    let redis = Redis::start_with(Some(PASSWORD), &[]);
    let sb = Sandbox::start(SandboxConfig {
        authorizers: 20,
        ..Default::default()
    })
    .await
    .unwrap();
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (ct1, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &ct1, expires_in);
    let (a, refresh) = backend.authorizers(&ct1, 20).await.remove(0);
    let (at1, at_expires, _) = backend.authorizer_token(&ct1, &a, &refresh).await;
    redis.cli(&[
        "SET",
        &wx::authorizer_token(&c, &a),
        &at1,
        "EX",
        &wx::token_ex(at_expires),
    ]);
    redis.cli(&["SET", &wx::refresh_token(&c, &a), &refresh]);

    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), true));
    spec.redis_password = Some(PASSWORD);
    spec.appsecret = true;
    spec.options = ConsoleOptions {
        shared_read_secs: 3600,
        ..options()
    };
    let team = shared_console(spec).await;
    let (console, rt) = (&team.console, &team.rt);
    let mut answers: Vec<String> = Vec::new();
    let mut json = |v: &dyn erased::Json| answers.push(v.json());

    // Everything a shared console does, each answer as IPC would carry it.
    let out = console
        .sync_authorizers(
            rt,
            SyncOptions {
                details: true,
                concurrency: Some(4),
                restart: false,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    json(&out);
    json(&console.open_get(rt, &a).await.unwrap());
    json(&console.authorizer_fetch(rt, &a).await.unwrap());
    json(&console.shared_test(rt, Some(&a)).await.unwrap());
    let source = rt.profile.shared_source.clone().unwrap();
    let form = SharedInput {
        source,
        redis_password: Some(PASSWORD.into()),
        header_value: None,
    };
    json(
        &console
            .shared_test_settings(&c, &form, Some(&a))
            .await
            .unwrap(),
    );
    json(&console.component_token_status(rt).unwrap());
    json(&console.profile_list().unwrap());
    json(&console.refresh_component_token(rt).await.unwrap());
    json(&console.refresh_authorizer_token(rt, &a).await.unwrap());
    json(&console.authorizer_token_status(rt, &a).unwrap());
    json(&console.shared_info(rt).unwrap());
    let ct2 = redis.get(&wx::component_token(&c)).unwrap();
    let at2 = redis.get(&wx::authorizer_token(&c, &a)).unwrap();
    assert_ne!(ct2, ct1);
    assert_ne!(at2, at1);

    // Faults: a token the backend rotated without writing it (Rejected), a wrong password.
    let (_ct3, _) = backend.component_token(&ticket).await;
    ctl.advance_clock(301);
    let mut errors = vec![console.authorizer_fetch(rt, &a).await.unwrap_err()];
    let mut wrong = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    wrong.redis_password = Some("wrong-pw-also-secret-5555");
    let wrong = shared_console(wrong).await;
    errors.push(wrong.console.component_token(&wrong.rt).await.unwrap_err());
    let mut form_wrong = form.clone();
    form_wrong.redis_password = Some("wrong-pw-also-secret-5555".into());
    json(
        &console
            .shared_test_settings(&c, &form_wrong, None)
            .await
            .unwrap(),
    );
    for e in &errors {
        answers.push(serde_json::to_string(&e.body()).unwrap());
        answers.push(format!("{e} {e:?}"));
    }

    console.flush();
    let secrets = [
        ("the Redis password", PASSWORD),
        ("a wrong Redis password", "wrong-pw-also-secret-5555"),
        ("the backend's component token", ct1.as_str()),
        ("the component token refreshed in the store", ct2.as_str()),
        ("the backend's authorizer token", at1.as_str()),
        ("the authorizer token refreshed in the store", at2.as_str()),
    ];
    let mut files = files_under(team.dir.path());
    files.extend(files_under(wrong.dir.path()));
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "no WAL: {files:?}"
    );
    files.push(log_path.clone());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("rejected"),
        "the log holds nothing of this session: {log}"
    );
    // The scan sees what is there: the refresh token, which SQLite keeps by design, is found.
    let sqlite_bytes: Vec<u8> = files_under(team.dir.path())
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    assert!(contains(&sqlite_bytes, &refresh), "the scan reads nothing");
    for (what, s) in secrets {
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            assert!(!contains(&bytes, s), "{what} in {}", f.display());
        }
        for a in &answers {
            assert!(!a.contains(s), "{what} in an answer: {a}");
        }
    }
}

/// `serde_json::to_string` of whatever answer a command returns.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
