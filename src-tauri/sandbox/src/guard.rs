//! Request guards of the HTTP surface. The simulator listens on loopback, but a web page in the
//! user's browser can still reach it: by a cross-origin "simple" POST (form or text/plain, no
//! preflight), or by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1, which
//! makes the page same-origin with the simulator). So every route wants a loopback `Host`, and
//! the control routes also want the per-start token in a header and, for POST, a JSON body —
//! neither of which a page can send cross-origin without a preflight nobody here answers.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::control::SandboxControl;
use super::hosts;

/// The header carrying [`SandboxControl::control_token`] on `/sandbox/*` control routes.
pub const CONTROL_TOKEN_HEADER: &str = "x-sandbox-token";

/// Request bodies above this are refused with 413: WeChat's requests are small JSON documents.
pub const MAX_REQUEST_BODY: usize = 1 << 20;

fn refusal(status: StatusCode, error: &str, hint: &str) -> Response {
    (status, Json(json!({"error": error, "hint": hint}))).into_response()
}

/// Every route: the `Host` must name loopback (any port), else 421.
pub async fn loopback_host(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if host
        .and_then(hosts::host_of_header)
        .is_some_and(hosts::is_loopback_host)
    {
        return next.run(req).await;
    }
    refusal(
        StatusCode::MISDIRECTED_REQUEST,
        "this simulator only answers requests addressed to 127.0.0.1, localhost or [::1]",
        "Call it by its base URL (http://127.0.0.1:PORT); other names, even ones that resolve to \
         127.0.0.1, are refused so that a web page cannot reach it by DNS rebinding.",
    )
}

/// The control routes: the token (403 without it), and a JSON content type on POST (415).
pub async fn control(State(ctl): State<SandboxControl>, req: Request, next: Next) -> Response {
    let given = req.headers().get(CONTROL_TOKEN_HEADER);
    if !given.is_some_and(|g| same_secret(g.as_bytes(), ctl.control_token().as_bytes())) {
        return refusal(
            StatusCode::FORBIDDEN,
            "missing or wrong sandbox control token",
            "Send the token `wxopen sandbox serve` printed (control_token) in the X-Sandbox-Token \
             header; it changes at every start.",
        );
    }
    if req.method() == Method::POST && !is_json(req.headers()) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "control POSTs must be sent as Content-Type: application/json",
            "Send a JSON body (`{}` when there is nothing to say) with Content-Type: application/json.",
        );
    }
    next.run(req).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 hex digits from the thread-local CSPRNG.
pub fn new_control_token() -> String {
    use rand::Rng as _;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
