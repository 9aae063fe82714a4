//! The audit log: every WeChat API call (endpoint, appid, errcode, duration), recorded through
//! the client's observer hook ([`CallRecord`] holds no token, secret or body). Records go through
//! a channel to one writer thread that commits them in batches, so a 10,000-call sync costs a
//! few transactions, not 10,000.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use crate::store::audit::NewAudit;
use crate::store::Store;
use wxopen_wechat::client::{CallObserver, CallRecord};
use wxopen_wechat::error::redact_secrets;

enum Msg {
    Record(NewAudit),
    Flush(Sender<()>),
}

/// Handle on the writer thread.
pub struct AuditWriter {
    tx: Mutex<Sender<Msg>>,
}

const BATCH: usize = 512;
const LINGER: Duration = Duration::from_millis(200);
/// After a first record, the writer sleeps this long before draining the queue: a sender only
/// pays for waking the thread when it is blocked waiting, so during a sync that is once per
/// gather instead of once per API call.
const GATHER: Duration = Duration::from_millis(50);

impl AuditWriter {
    pub fn start(store: Store) -> AuditWriter {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("wxopen-audit".into())
            .spawn(move || writer(store, rx))
            .expect("start the audit writer thread");
        AuditWriter { tx: Mutex::new(tx) }
    }

    fn send(&self, msg: Msg) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        let _ = tx.send(msg);
    }

    /// The observer to attach to a profile's client.
    pub fn observer(&self, profile_id: i64) -> CallObserver {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let tx = Mutex::new(tx);
        Arc::new(move |rec: &CallRecord| {
            let entry = entry(profile_id, rec);
            let tx = tx.lock().unwrap_or_else(|p| p.into_inner());
            let _ = tx.send(Msg::Record(entry));
        })
    }

    /// Waits until every record sent so far is written.
    pub fn flush(&self) {
        let (done_tx, done_rx) = mpsc::channel();
        self.send(Msg::Flush(done_tx));
        let _ = done_rx.recv_timeout(Duration::from_secs(10));
    }
}

fn entry(profile_id: i64, rec: &CallRecord) -> NewAudit {
    let at = rec
        .started_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // The same JSON object `serde_json::json!` used to build (same member order), written
    // directly: this runs once per API call, on the caller's lane. Every member but the rid is a
    // static name, a number or null, so there is nothing else to escape or redact in it.
    let status = rec
        .http_status
        .map_or_else(|| "null".to_string(), |s| s.to_string());
    let error = rec
        .error
        .map_or_else(|| "null".to_string(), |k| format!("\"{}\"", k.as_str()));
    let mut detail = format!(
        "{{\"error\":{error},\"http_status\":{status},\"method\":\"{}\"",
        rec.method
    );
    // Kept for `openapi/rid/get` from Activity: the rid comes from WeChat's errmsg, so it is
    // escaped; the token kind tells which token may look it up.
    if let Some(rid) = &rec.rid {
        let rid: String = rid.chars().take(64).collect();
        detail.push_str(",\"rid\":");
        detail.push_str(&serde_json::Value::String(rid).to_string());
    }
    if let Some(t) = rec.token_param {
        detail.push_str(&format!(",\"token\":\"{t}\""));
    }
    detail.push('}');
    NewAudit {
        at,
        profile_id: Some(profile_id),
        endpoint: redact_secrets(&rec.endpoint),
        appid: rec.appid.clone(),
        errcode: rec.errcode,
        duration_ms: rec.duration.as_millis() as i64,
        detail: Some(detail),
    }
}

fn writer(store: Store, rx: Receiver<Msg>) {
    let mut pending: Vec<NewAudit> = Vec::new();
    let write = |pending: &mut Vec<NewAudit>| {
        if pending.is_empty() {
            return;
        }
        // One transaction per batch; if it fails, fall back to one write each so that a single
        // bad record does not lose the others.
        if let Err(e) = store.audit_insert_many(pending) {
            tracing::warn!("audit log: batch write failed ({e}); writing one by one");
            for a in pending.iter() {
                if let Err(e) = store.audit_insert(a) {
                    tracing::warn!("audit log: cannot write a record: {e}");
                }
            }
        }
        pending.clear();
    };
    loop {
        match rx.recv_timeout(LINGER) {
            Ok(Msg::Record(r)) => {
                pending.push(r);
                std::thread::sleep(GATHER);
                // Drain whatever is already queued without waiting, so a burst becomes one batch.
                let mut flush_waiters = Vec::new();
                let mut disconnected = false;
                loop {
                    match rx.try_recv() {
                        Ok(Msg::Record(r)) => {
                            pending.push(r);
                            if pending.len() >= BATCH {
                                write(&mut pending);
                            }
                        }
                        Ok(Msg::Flush(done)) => flush_waiters.push(done),
                        Err(mpsc::TryRecvError::Empty) => break,
                        Err(mpsc::TryRecvError::Disconnected) => {
                            disconnected = true;
                            break;
                        }
                    }
                }
                if pending.len() >= BATCH || !flush_waiters.is_empty() || disconnected {
                    write(&mut pending);
                }
                for done in flush_waiters {
                    let _ = done.send(());
                }
                if disconnected {
                    return;
                }
            }
            Ok(Msg::Flush(done)) => {
                write(&mut pending);
                let _ = done.send(());
            }
            Err(RecvTimeoutError::Timeout) => write(&mut pending),
            Err(RecvTimeoutError::Disconnected) => {
                write(&mut pending);
                return;
            }
        }
    }
}
