//! The embedded WeChat simulator (axum on 127.0.0.1) used by the sandbox profile, tests and benches.
