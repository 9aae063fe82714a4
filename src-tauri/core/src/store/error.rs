//! The store's error type and the context every SQLite error carries.

use crate::paths::DB_FILE;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error ({context}): {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the database has schema version {found}, newer than this build supports ({supported}): update WxOpen Console")]
    TooNew { found: u32, supported: u32 },
    #[error("invalid value in the database: {0}")]
    Invalid(String),
    /// Another live process holds the lease of the profile's running sync run.
    #[error("sync run {run_id} of this profile is running in {owner} (its lease runs until Unix time {expires_at})")]
    Leased {
        run_id: i64,
        owner: String,
        expires_at: i64,
    },
    /// The run's lease went to another owner (this one was silent past its expiry).
    #[error("sync run {run_id} was taken over by {owner}")]
    LeaseLost { run_id: i64, owner: String },
}

impl StoreError {
    /// What the operator can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            StoreError::Sqlite { source, .. } if is_busy(source) => Some(
                "Another WxOpen Console process holds the database: wait for it to finish, then retry."
                    .into(),
            ),
            StoreError::Sqlite { .. } | StoreError::Io { .. } => Some(format!(
                "Check that the data directory is writable and not full (WXOPEN_DATA_DIR or --data-dir overrides it); the database is {DB_FILE} in it."
            )),
            StoreError::TooNew { .. } => {
                Some("Update WxOpen Console, or point --data-dir at another directory.".into())
            }
            StoreError::Leased { .. } => Some(
                "Wait for that sync to end (or cancel it where it runs). A process that died is taken over once its lease expires."
                    .into(),
            ),
            StoreError::LeaseLost { .. } => Some(
                "This process was silent longer than its lease (suspended?): the other process goes on with the run.".into(),
            ),
            StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_) => None,
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

pub(crate) fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Adds context to rusqlite errors.
pub(crate) trait Ctx<T> {
    fn ctx(self, context: impl Into<String>) -> Result<T, StoreError>;
}

impl<T> Ctx<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: impl Into<String>) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite {
            context: context.into(),
            source,
        })
    }
}
