//! Where the console keeps its data.

use std::path::{Path, PathBuf};

/// Bundle identifier of the desktop app. The CLI uses the same data dir as the GUI, so both see
/// one set of profiles. Test builds of the GUI use their own identifier (see tauri.conf overrides).
pub const APP_IDENTIFIER: &str = "com.wxopen.console";

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "wxopen.sqlite3";

/// Environment variable that overrides the data directory (tests, scripts, portable installs).
pub const DATA_DIR_ENV: &str = "WXOPEN_DATA_DIR";

/// The data directory: an explicit override, else `$WXOPEN_DATA_DIR`, else the OS app-data dir.
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir;
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
}

/// Creates `dir` (and its parents) if missing and makes it private to the user (0700 on Unix),
/// also when it already existed with a wider mode: the data dir holds the SQLite file and its
/// WAL, the log dir holds what the app logged, and a directory made by someone else first (a
/// Tauri plugin, an older build, a `mkdir` with umask 022) must not stay listable by others.
pub fn secure_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_over_everything() {
        let dir = PathBuf::from("/tmp/wxopen-explicit");
        assert_eq!(data_dir(Some(dir.clone())), dir);
    }

    #[test]
    fn default_dir_ends_with_the_app_identifier() {
        if std::env::var_os(DATA_DIR_ENV).is_none() {
            assert!(data_dir(None).ends_with(APP_IDENTIFIER));
        }
    }
}
