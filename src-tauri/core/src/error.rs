//! The error every core service returns, and its stable shape across IPC and the CLI.
//!
//! A `CoreError` is typed inside Rust; at the boundary it becomes an [`ErrorBody`]
//! `{ code, message, hint, errcode? }`. The UI localizes by `code` (and by `errcode` for WeChat
//! errors), so codes are part of the public contract: add new ones, never rename.

use serde::Serialize;

/// Stable machine-readable error codes (serialized in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Io,
    InvalidInput,
    Keychain,
    Storage,
    Network,
    WeChat,
    Crypto,
    Push,
    Internal,
    NotFound,
    NeedsReauth,
    Cancelled,
    Refused,
    /// A shared profile's store (Redis, token API) failed or holds no usable token.
    SharedStore,
}

/// What crosses IPC (and what `wxopen --json` prints) for a failed call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// What the operator can do about it, when we know.
    pub hint: Option<String>,
    /// The WeChat errcode, for `code == "we_chat"` errors.
    pub errcode: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    InvalidInput(String),
    #[error("keychain ({backend}): {message}")]
    Keychain { backend: String, message: String },
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Crypto(#[from] wxopen_wechat::crypto::CryptoError),
    #[error(transparent)]
    Push(#[from] wxopen_wechat::push::PushError),
    #[error(transparent)]
    WeChat(#[from] wxopen_wechat::error::WeChatError),
    #[error(transparent)]
    ClientConfig(#[from] wxopen_wechat::error::ClientConfigError),
    #[error(transparent)]
    Storage(#[from] crate::store::StoreError),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("{0} not found")]
    NotFound(String),
    /// The authorizer's refresh token is no longer valid (61023): it must authorize again.
    #[error(
        "authorizer {appid} must authorize again: its refresh token is no longer valid (61023)"
    )]
    NeedsReauth { appid: String },
    #[error("cancelled")]
    Cancelled,
    /// A push sent longer ago than a ticket lives: a replay, or a paste found too late.
    #[error("this push was sent {} ago (CreateTime {created_at}); pushes older than 12 hours are not applied", crate::clock::human_age(*age_secs))]
    StalePush { created_at: i64, age_secs: i64 },
    /// The operation was refused by a local rule (a confirmation missing, a limit reached).
    #[error("{0}")]
    Refused(String),
    /// Another process (the app, another `wxopen`) runs this profile's sync and holds its lease.
    #[error("a sync of this profile is already running in {owner} (run {run_id}); its lease expires at {}", crate::service::lease::utc_text(*expires_at))]
    SyncLeased {
        run_id: i64,
        owner: String,
        expires_at: i64,
    },
    /// A shared profile's store (team mode).
    #[error(transparent)]
    Shared(#[from] crate::shared_store::SharedStoreError),
    #[error("invalid shared token source: {0}")]
    SharedSource(#[from] crate::shared_store::SourceError),
}

impl CoreError {
    /// A WeChat errcode in plain words (zh-CN and en), read with WeChat's own errmsg (which
    /// carries the client IP to whitelist and the rid). The app and the CLI show the same.
    pub fn explanation(&self) -> Option<wxopen_wechat::errcode::Explanation> {
        let code = self.errcode()?;
        let errmsg = match self {
            CoreError::WeChat(w) => w.errmsg().unwrap_or_default(),
            _ => "",
        };
        Some(wxopen_wechat::errcode::explain(code, errmsg))
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CoreError::Io {
            context: context.into(),
            source,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Io { .. } => ErrorCode::Io,
            CoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            CoreError::Keychain { .. } => ErrorCode::Keychain,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::Crypto(_) => ErrorCode::Crypto,
            CoreError::Push(_) | CoreError::StalePush { .. } => ErrorCode::Push,
            CoreError::WeChat(e) if e.is_api() => ErrorCode::WeChat,
            CoreError::WeChat(_) => ErrorCode::Network,
            CoreError::ClientConfig(_) => ErrorCode::InvalidInput,
            CoreError::Storage(_) => ErrorCode::Storage,
            CoreError::Secrets(_) => ErrorCode::Keychain,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::NeedsReauth { .. } => ErrorCode::NeedsReauth,
            CoreError::Cancelled => ErrorCode::Cancelled,
            CoreError::Refused(_) | CoreError::SyncLeased { .. } => ErrorCode::Refused,
            CoreError::Shared(_) => ErrorCode::SharedStore,
            CoreError::SharedSource(_) => ErrorCode::InvalidInput,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            CoreError::Io { .. } => Some("Check that the data directory exists and is writable (WXOPEN_DATA_DIR overrides it).".into()),
            CoreError::Keychain { backend, .. } => Some(crate::secrets::fix_hint(backend)),
            CoreError::InvalidInput(_) | CoreError::Internal(_) => None,
            CoreError::Crypto(e) => Some(e.hint().into()),
            CoreError::Push(e) => Some(e.hint().into()),
            CoreError::StalePush { .. } => Some(
                "WeChat pushes a fresh ticket every 10 minutes: paste the newest push, or ask for one now (Ticket & tokens → ask WeChat to push; `wxopen ticket request-push`).".into(),
            ),
            CoreError::WeChat(e) => e.hint(),
            CoreError::ClientConfig(_) => {
                Some("Check the profile's API base URL, proxy and timeouts.".into())
            }
            CoreError::Storage(e) => e.hint(),
            CoreError::Secrets(e) => Some(e.hint()),
            CoreError::NotFound(_) | CoreError::Cancelled | CoreError::Refused(_) => None,
            CoreError::Shared(e) => Some(e.hint().into()),
            CoreError::SharedSource(_) => Some("Check the Tokens section of the profile: the Redis URL (redis:// or rediss://, no password), the layout's key templates, or the token API's URLs and JSON pointers.".into()),
            CoreError::SyncLeased { .. } => Some(
                "Wait for that sync to end, or cancel it where it runs. If that process died, the run is taken over when its lease expires (at once for a process of this machine)."
                    .into(),
            ),
            CoreError::NeedsReauth { .. } => Some(
                "Send the account a new authorization link (wxopen link create) and complete it.".into(),
            ),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
            errcode: self.errcode(),
        }
    }

    /// The WeChat errcode behind this error, if one is.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            CoreError::WeChat(e) => e.errcode(),
            CoreError::NeedsReauth { .. } => Some(61023),
            CoreError::Shared(e) => e.errcode(),
            _ => None,
        }
    }
}

impl Serialize for CoreError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body().serialize(serializer)
    }
}

impl CoreError {
    /// A store error, with a live lease of another process as [`CoreError::SyncLeased`] (the
    /// operator's problem, not the storage's).
    pub fn from_store(e: crate::store::StoreError) -> CoreError {
        match e {
            crate::store::StoreError::Leased {
                run_id,
                owner,
                expires_at,
            } => CoreError::SyncLeased {
                run_id,
                owner,
                expires_at,
            },
            other => CoreError::Storage(other),
        }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
