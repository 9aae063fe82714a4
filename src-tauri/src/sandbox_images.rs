//! The `wxsandbox:` protocol: the simulator's avatars and QR codes for the window, whose CSP
//! allows no `http:` image host. The core decides what may be fetched (the running simulator's
//! port and its image paths only); this only turns its answer into an HTTP response.

use tauri::http::{header, Response, StatusCode};
use tauri::{AppHandle, Manager, Runtime};
use wxopen_core::error::CoreError;
use wxopen_core::service::images::parse_image_request;

use crate::state::AppState;

/// The scheme the UI rewrites simulator image URLs to (`ui/src/api/images.ts`).
pub const SIMULATOR_PROTOCOL: &str = "wxsandbox";

pub async fn respond<R: Runtime>(app: &AppHandle<R>, uri_path: &str) -> Response<Vec<u8>> {
    let Some((port, path)) = parse_image_request(uri_path) else {
        return text(StatusCode::BAD_REQUEST, "not a simulator image path");
    };
    let Some(state) = app.try_state::<AppState>() else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "the app is starting");
    };
    let console = match state.console() {
        Ok(c) => c,
        Err(e) => return text(StatusCode::SERVICE_UNAVAILABLE, &e.message),
    };
    match console.sandbox_image(port, &path).await {
        Ok(img) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, img.content_type)
            .body(img.bytes)
            .unwrap_or_else(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "bad image answer")),
        Err(e @ CoreError::Refused(_)) => text(StatusCode::FORBIDDEN, &e.to_string()),
        Err(e) => text(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

fn text(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(message.as_bytes().to_vec())
        .unwrap_or_default()
}
