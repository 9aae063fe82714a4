//! HTTP surface: the WeChat API paths under `/cgi-bin/` (one handler: faults, then
//! [`Shared::call`]) and the test-only control surface under `/sandbox/`.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::conn::Conn;
use super::control::SandboxControl;
use super::faults::{Action, Fault};
use super::guard;
use super::state::{masked_query, new_rid, Request, RidRecord, APIS};
use super::state::{AuthorizeRequest, AuthorizerEdit};

const JSON_TYPE: &str = "application/json; encoding=utf-8";

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, JSON_TYPE)], body).into_response()
}

pub fn router(ctl: SandboxControl) -> Router {
    let control = Router::new()
        .route("/sandbox/credentials", get(credentials))
        .route("/sandbox/ticket", post(ticket))
        .route("/sandbox/push_ticket", post(push_ticket))
        .route("/sandbox/clock", get(clock))
        .route("/sandbox/clock/advance", post(advance))
        .route(
            "/sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/stats", get(stats))
        .route("/sandbox/calls", get(calls))
        .route("/sandbox/authorize", post(authorize))
        .route("/sandbox/unauthorize", post(unauthorize))
        .route("/sandbox/edit_authorizer", post(edit_authorizer))
        .route("/sandbox/authorizers/{appid}/options", get(options))
        .route("/sandbox/authorizers/{appid}/open", get(open))
        .route("/sandbox/open_accounts", get(open_accounts))
        .route_layer(middleware::from_fn_with_state(ctl.clone(), guard::control));
    Router::new()
        .route("/cgi-bin/{*rest}", get(api).post(api))
        // The authorization pages themselves (PC and mobile link paths, reference §2.2): visiting
        // one plays the admin who approves, then redirects like WeChat does.
        .route("/cgi-bin/componentloginpage", get(login_page))
        .route("/safe/bindcomponent", get(login_page))
        .route("/wxaopen/safe/bindcomponent", get(login_page))
        // Loaded by the app's <img> tags, which cannot send a token; they only serve pictures.
        .route("/sandbox/img/{kind}/{file}", get(image))
        .merge(control)
        .layer(middleware::from_fn(guard::loopback_host))
        .layer(DefaultBodyLimit::max(guard::MAX_REQUEST_BODY))
        .with_state(ctl)
}

/// Waits until `deadline`, precisely. The latency fault is measured from the request's arrival,
/// so `millis: 20` answers 20 ms after the request came in, not "20 ms plus however long tokio's
/// timer takes": tokio's timer has a 1 ms granularity and rounds every deadline up to the next
/// tick (a 20 ms sleep ends 20–21 ms later, plus the wake-up), which overstated the simulated
/// latency by ~0.5–1 ms a call (a 2–5 % error at 20 ms). So: tokio's timer for all but the last
/// 2 ms, then a blocking-pool thread sleeps the rest with the OS timer (tens of µs of error)
/// without holding a runtime worker.
async fn wait_until(deadline: std::time::Instant) {
    const COARSE_SLACK: Duration = Duration::from_millis(2);
    let now = std::time::Instant::now();
    if deadline <= now {
        return;
    }
    if deadline - now > COARSE_SLACK {
        tokio::time::sleep_until((deadline - COARSE_SLACK).into()).await;
    }
    let rest = deadline.saturating_duration_since(std::time::Instant::now());
    if rest.is_zero() {
        return;
    }
    let fine = tokio::task::spawn_blocking(move || {
        let rest = deadline.saturating_duration_since(std::time::Instant::now());
        std::thread::sleep(rest);
    });
    if fine.await.is_err() {
        // The blocking pool is gone (runtime shutting down): fall back to the coarse timer.
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// Every `/cgi-bin/*` request: count it, apply faults, answer like WeChat.
async fn api(
    State(ctl): State<SandboxControl>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let arrived = std::time::Instant::now();
    let path = uri.path().to_owned();
    let shared = &ctl.shared;
    let carried = super::calls::token_of(uri.query().unwrap_or(""));
    let (latency, action) = {
        let mut g = shared.lock();
        *g.calls.entry(path.clone()).or_default() += 1;
        g.call_tokens.record(&path, carried.as_deref());
        (g.faults.latency_ms(&path), g.faults.take(&path))
    };
    if latency > 0 {
        wait_until(arrived + Duration::from_millis(latency)).await;
    }
    let raw_query = uri.query().unwrap_or("");
    let client_ip = conn.remote.ip().to_string();
    let result = match action {
        Some(Action::Drop) => {
            conn.kill();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Some(Action::HttpStatus(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let page = format!("<html><body><h1>{status}</h1></body></html>");
            return (status, [(header::CONTENT_TYPE, "text/html")], page).into_response();
        }
        Some(Action::MalformedJson) => {
            return json_response(
                StatusCode::OK,
                r#"{"errcode":0,"errmsg":"ok","component_access_tok"#.to_owned(),
            );
        }
        Some(Action::Errcode(errcode, errmsg)) => {
            let query: HashMap<String, String> = url::form_urlencoded::parse(raw_query.as_bytes())
                .into_owned()
                .collect();
            (
                Err(super::state::err(errcode, &errmsg)),
                shared.token_owner(&path, &query),
            )
        }
        None if !APIS.iter().any(|(p, _)| *p == path) => {
            return json_response(
                StatusCode::NOT_FOUND,
                json!({"errcode": 404, "errmsg": "Not Found"}).to_string(),
            );
        }
        None => {
            let query: HashMap<String, String> = url::form_urlencoded::parse(raw_query.as_bytes())
                .into_owned()
                .collect();
            shared.call(&Request {
                path: &path,
                query: &query,
                body: &body,
            })
        }
    };
    match result {
        (Ok(value), _) => {
            if path == "/cgi-bin/component/api_start_push_ticket" && ctl.pusher.url().is_some() {
                let ctl = ctl.clone();
                tokio::spawn(async move {
                    if let Err(e) = ctl.push_ticket_now().await {
                        tracing::warn!("sandbox: {e}");
                    }
                });
            }
            json_response(StatusCode::OK, value.to_string())
        }
        (Err(e), owner) => {
            let now = shared.now();
            let rid = new_rid(now);
            let answer =
                json!({"errcode": e.errcode, "errmsg": format!("{} rid: {rid}", e.errmsg)})
                    .to_string();
            shared.record_rid(RidRecord {
                rid,
                owner,
                invoke_time: now,
                cost_in_ms: arrived.elapsed().as_millis() as i64,
                request_url: masked_query(raw_query),
                request_body: String::from_utf8_lossy(&body).into_owned(),
                response_body: answer.clone(),
                client_ip,
            });
            json_response(StatusCode::OK, answer)
        }
    }
}

async fn credentials(State(ctl): State<SandboxControl>) -> Json<Value> {
    Json(json!({
        "base_url": ctl.base_url(),
        "component_appid": ctl.credentials().component_appid,
        "appsecret": ctl.credentials().appsecret,
        "token": ctl.credentials().token,
        "encoding_aes_key": ctl.credentials().encoding_aes_key,
    }))
}

async fn ticket(State(ctl): State<SandboxControl>) -> Json<Value> {
    Json(json!({"ticket": ctl.issue_ticket()}))
}

#[derive(Deserialize, Default)]
struct PushBody {
    #[serde(default)]
    push_url: Option<String>,
}

/// Issues a ticket and pushes it (body `{"push_url": "…"}` sets the URL first).
async fn push_ticket(State(ctl): State<SandboxControl>, body: Bytes) -> Response {
    let req: PushBody = serde_json::from_slice(&body).unwrap_or_default();
    if let Some(url) = req.push_url {
        ctl.set_push_url(Some(url));
    }
    match ctl.push_ticket_now().await {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(json!({"ok": false, "error": e})),
        )
            .into_response(),
    }
}

async fn clock(State(ctl): State<SandboxControl>) -> Json<Value> {
    Json(json!({"now": ctl.now()}))
}

#[derive(Deserialize)]
struct Advance {
    secs: u64,
}

async fn advance(State(ctl): State<SandboxControl>, Json(a): Json<Advance>) -> Json<Value> {
    ctl.advance_clock(a.secs);
    Json(json!({"now": ctl.now()}))
}

async fn list_faults(State(ctl): State<SandboxControl>) -> Json<Value> {
    Json(json!({"faults": ctl.faults()}))
}

async fn add_fault(State(ctl): State<SandboxControl>, Json(f): Json<Fault>) -> Json<Value> {
    ctl.set_fault(f);
    Json(json!({"faults": ctl.faults()}))
}

async fn clear_faults(State(ctl): State<SandboxControl>) -> Json<Value> {
    ctl.clear_faults();
    Json(json!({"faults": []}))
}

async fn stats(State(ctl): State<SandboxControl>) -> Json<Value> {
    let calls = ctl.shared.lock().calls.clone();
    Json(json!({"calls": calls, "now": ctl.now(), "authorizer_count": ctl.authorizer_count()}))
}

#[derive(Deserialize)]
struct CallsQuery {
    path: Option<String>,
}

/// `?path=/cgi-bin/…`: that path's calls and the tokens they carried; without it, every path's.
async fn calls(
    State(ctl): State<SandboxControl>,
    axum::extract::Query(q): axum::extract::Query<CallsQuery>,
) -> Json<Value> {
    match q.path {
        Some(path) => {
            let calls = ctl.calls_on(&path);
            Json(
                json!({"path": path, "calls": calls.calls, "without_token": calls.without_token, "tokens": calls.tokens, "tokens_dropped": calls.tokens_dropped}),
            )
        }
        None => Json(json!({"paths": ctl.shared.lock().call_tokens.all()})),
    }
}

async fn authorize(
    State(ctl): State<SandboxControl>,
    Json(req): Json<AuthorizeRequest>,
) -> Response {
    match ctl.authorize(req) {
        Ok(out) => Json(out).into_response(),
        Err((errcode, errmsg)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"errcode": errcode, "errmsg": errmsg})),
        )
            .into_response(),
    }
}

/// Query of an authorization link, plus two sandbox-only choices: `sandbox_appid` (an existing
/// account re-authorizes) or `sandbox_kind` (`official_account` | `mini_program`; default: what
/// auth_type allows, official accounts first).
#[derive(Deserialize)]
struct LoginPage {
    component_appid: String,
    pre_auth_code: String,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    auth_type: Option<i64>,
    #[serde(default)]
    biz_appid: Option<String>,
    #[serde(default)]
    sandbox_appid: Option<String>,
    #[serde(default)]
    sandbox_kind: Option<super::Kind>,
}

async fn login_page(
    State(ctl): State<SandboxControl>,
    axum::extract::Query(q): axum::extract::Query<LoginPage>,
) -> Response {
    let page = |status: StatusCode, text: String| {
        let html = format!("<html><body><p>{}</p></body></html>", html_escape(&text));
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response()
    };
    if q.component_appid != ctl.credentials().component_appid {
        return page(StatusCode::BAD_REQUEST, "61011 invalid component".into());
    }
    let appid = q.sandbox_appid.or(q.biz_appid.clone());
    let kind = match (&appid, q.sandbox_kind, q.auth_type) {
        (Some(_), _, _) => None,
        (None, Some(k), _) => Some(k),
        (None, None, Some(2)) => Some(super::Kind::MiniProgram),
        (None, None, _) => Some(super::Kind::OfficialAccount),
    };
    let req = AuthorizeRequest {
        pre_auth_code: q.pre_auth_code,
        redirect_uri: q.redirect_uri,
        appid,
        kind,
        auth_type: q.auth_type,
        biz_appid: q.biz_appid,
        func_ids: None,
    };
    match ctl.authorize(req) {
        Ok(out) => match out.redirect_url.as_deref().map(HeaderValue::from_str) {
            Some(Ok(location)) => {
                (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
            }
            // A serialized URL is always a valid header value; refuse rather than guess.
            Some(Err(_)) => page(StatusCode::BAD_REQUEST, "40097 invalid redirect_uri".into()),
            None => Json(out).into_response(),
        },
        Err((errcode, errmsg)) => page(StatusCode::BAD_REQUEST, format!("{errcode} {errmsg}")),
    }
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Deserialize)]
struct Unauthorize {
    appid: String,
}

async fn unauthorize(State(ctl): State<SandboxControl>, Json(req): Json<Unauthorize>) -> Response {
    match ctl.unauthorize(&req.appid) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err((errcode, errmsg)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"errcode": errcode, "errmsg": errmsg})),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct EditAuthorizer {
    appid: String,
    #[serde(flatten)]
    edit: AuthorizerEdit,
}

async fn edit_authorizer(
    State(ctl): State<SandboxControl>,
    Json(req): Json<EditAuthorizer>,
) -> Response {
    match ctl.edit_authorizer(&req.appid, &req.edit) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err((errcode, errmsg)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"errcode": errcode, "errmsg": errmsg})),
        )
            .into_response(),
    }
}

fn not_found(appid: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": format!("no authorizer {appid}")})),
    )
        .into_response()
}

async fn options(State(ctl): State<SandboxControl>, Path(appid): Path<String>) -> Response {
    let get = |n: &str| ctl.authorizer_option(&appid, n);
    match (
        get("location_report"),
        get("voice_recognize"),
        get("customer_service"),
    ) {
        (Some(l), Some(v), Some(c)) => {
            Json(json!({"location_report": l, "voice_recognize": v, "customer_service": c}))
                .into_response()
        }
        _ => not_found(&appid),
    }
}

async fn open(State(ctl): State<SandboxControl>, Path(appid): Path<String>) -> Response {
    if ctl.shared.profile_of(&appid).is_none() {
        return not_found(&appid);
    }
    Json(json!({"appid": appid, "open_appid": ctl.open_appid_of(&appid)})).into_response()
}

async fn open_accounts(State(ctl): State<SandboxControl>) -> Json<Value> {
    Json(json!({"open_accounts": ctl.open_accounts()}))
}

/// Placeholder avatar / QR-code images, so `head_img` and `qrcode_url` load without the internet.
async fn image(
    State(ctl): State<SandboxControl>,
    Path((kind, file)): Path<(String, String)>,
) -> Response {
    let appid = file.trim_end_matches(".svg");
    let Some(p) = ctl.shared.profile_of(appid) else {
        return not_found(appid);
    };
    let hue = super::seed::mix(u64::from(p.index)) % 360;
    let svg = match kind.as_str() {
        "head" => {
            let initial: String = p.nick_name.chars().next().into_iter().collect();
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132" viewBox="0 0 132 132"><rect width="132" height="132" fill="hsl({hue},55%,50%)"/><text x="66" y="84" font-size="56" text-anchor="middle" fill="#fff">{initial}</text></svg>"##
            )
        }
        "qrcode" => {
            let mut r = super::seed::Rng::new(p.index.into(), 0, 0x9C0D);
            let mut cells = String::new();
            for y in 0..21 {
                for x in 0..21 {
                    if r.percent(45) {
                        cells.push_str(&format!(r#"<rect x="{x}" y="{y}" width="1" height="1"/>"#));
                    }
                }
            }
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="258" height="258" viewBox="-2 -2 25 25"><rect x="-2" y="-2" width="25" height="25" fill="#fff"/><g fill="#000">{cells}</g></svg>"##
            )
        }
        _ => return not_found(appid),
    };
    ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
}
